/*
 * Claim: /sbin/init (user/init.c) does what tools/qrun relies on. Run as a
 * child with $COWIX_QRUN_ARGV pointing at an argument file, it runs that
 * command and exits with the command's exit status (0 and 7 come back as
 * themselves, death by SIGUSR1 as 128+10), passes the arguments exactly
 * (spaces, empty ones), searches PATH for a bare name, reports a command it
 * cannot run as "init: CMD: reason" with status 127, gives the command
 * PATH=/bin:/sbin:/usr/bin, HOME=/root and TERM=vt100, and reaps orphans
 * re-parented to it while its command runs. With COWIX_INIT_NOFORK=1 it
 * becomes the command itself (same pid), as when fork() returns ENOSYS.
 * Without an argument file it prints its banner and runs busybox sh.
 *
 * The commands are this program again, with a helper mode in argv[1]. init
 * is found at $COWIX_INIT, then ../bin/init beside this program (the build
 * tree), then /sbin/init.
 */
#include <fcntl.h>
#include <limits.h>
#include <libgen.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <time.h>
#include <unistd.h>

#define WAIT_LIMIT_S 20

static char self[PATH_MAX], init_path[PATH_MAX], scratch[256];
static char out[8192];

/* ---- helper modes: what the command does when init runs this program ---- */

/* Print each argument in brackets, then the pid and parent pid. */
static int mode_echo(int argc, char **argv)
{
	for (int i = 2; i < argc; i++)
		printf("[%s]", argv[i]);
	printf("\npid=%d\n", getpid());
	return 0;
}

static int mode_env(void)
{
	const char *q = getenv("COWIX_QRUN_ARGV");
	printf("env PATH=%s HOME=%s TERM=%s qrun=%s\n", getenv("PATH"), getenv("HOME"),
	       getenv("TERM"), q ? "set" : "unset");
	return 0;
}

/* The grandchild: once orphaned, record its pid and new parent in file, atomically. */
static void orphan_report(pid_t old_parent, const char *file)
{
	char tmp[PATH_MAX];
	FILE *f;
	for (int i = 0; i < 5000 && getppid() == old_parent; i++)
		ut_sleep_ms(1);
	snprintf(tmp, sizeof(tmp), "%s.tmp", file);
	f = fopen(tmp, "w");
	if (f) {
		fprintf(f, "%d %d\n", getpid(), getppid());
		fclose(f);
		rename(tmp, file);
	}
	_exit(0);
}

/*
 * Make an orphan: fork a middle child that forks a grandchild and exits.
 * Then report whether the grandchild was re-parented to init (our parent)
 * and whether it was reaped (kill(pid, 0) fails with ESRCH once reaped).
 */
static int mode_orphan(const char *file)
{
	pid_t middle = fork(), gpid = 0, gparent = 0;
	if (middle == 0) {
		if (fork() == 0)
			orphan_report(getpid(), file);
		_exit(0);
	}
	waitpid(middle, NULL, 0);
	for (int i = 0; i < 5000; i++, ut_sleep_ms(1)) {
		FILE *f = fopen(file, "r");
		bool got = f && fscanf(f, "%d %d", &gpid, &gparent) == 2;
		if (f)
			fclose(f);
		if (got)
			break;
	}
	bool reaped = false;
	for (int i = 0; i < 5000 && gpid > 0 && !reaped; i++, ut_sleep_ms(1))
		reaped = kill(gpid, 0) != 0 && errno == ESRCH;
	printf("orphan to-init=%d reaped=%d\n", gpid > 0 && gparent == getppid(), reaped);
	return 0;
}

static int helper_main(int argc, char **argv)
{
	if (!strcmp(argv[1], "--exit"))
		return atoi(argv[2]);
	if (!strcmp(argv[1], "--signal"))
		kill(getpid(), atoi(argv[2]));
	if (!strcmp(argv[1], "--echo"))
		return mode_echo(argc, argv);
	if (!strcmp(argv[1], "--env"))
		return mode_env();
	if (!strcmp(argv[1], "--orphan"))
		return mode_orphan(argv[2]);
	return 99;
}

/* ---- the test: run init and look at its status and output ---- */

static void find_programs(void)
{
	const char *execfn = (const char *)getauxval(AT_EXECFN);
	const char *env = getenv("COWIX_INIT");
	char dir[PATH_MAX], cwd[PATH_MAX / 2];
	if (!execfn || !getcwd(cwd, sizeof(cwd)))
		tap_bail("cannot find this program's own path");
	if (execfn[0] == '/')
		snprintf(self, sizeof(self), "%s", execfn);
	else
		snprintf(self, sizeof(self), "%s/%.*s", cwd, PATH_MAX / 2 - 2, execfn);
	strcpy(dir, self);
	snprintf(init_path, sizeof(init_path), "%s/../bin/init", dirname(dir));
	if (env)
		snprintf(init_path, sizeof(init_path), "%s", env);
	else if (access(init_path, X_OK) != 0)
		snprintf(init_path, sizeof(init_path), "/sbin/init");
	tap_diag("init is %s", init_path);
}

/* Write argv (n entries) to the argument file, each ending in NUL. */
static void write_argv_file(const char *const *argv, int n)
{
	FILE *f = fopen("argv", "w");
	if (!f)
		tap_bail("cannot write the argument file");
	for (int i = 0; i < n; i++)
		fwrite(argv[i], 1, strlen(argv[i]) + 1, f);
	fclose(f);
}

static _Noreturn void exec_init(const char *argv_file, bool nofork, const char *input)
{
	char var[PATH_MAX + 32];
	int in = input ? open(input, O_RDONLY) : open("/dev/null", O_RDONLY);
	int o = open("out", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	dup2(in, 0);
	dup2(o, 1);
	dup2(o, 2);
	snprintf(var, sizeof(var), "COWIX_QRUN_ARGV=%s", argv_file);
	char *envp[] = { var, nofork ? "COWIX_INIT_NOFORK=1" : "X=1", "PATH=/nowhere", NULL };
	char *argv[] = { "init", NULL };
	execve(init_path, argv, envp);
	_exit(126);
}

/*
 * Run init on the argument file (or on a missing one if argv is NULL), stdin
 * from the file input; capture its output in out[]. Returns its exit status,
 * -1 if it was killed or hung. *pid receives init's pid.
 */
static int run_init(const char *const *argv, int n, bool nofork, const char *input, pid_t *pid)
{
	char file[PATH_MAX];
	int status = 0;
	snprintf(file, sizeof(file), "%s/%s", scratch, argv ? "argv" : "no-such-file");
	if (argv)
		write_argv_file(argv, n);
	fflush(NULL);
	pid_t child = fork();
	if (child < 0)
		tap_bail("fork: %s", strerror(errno));
	if (child == 0)
		exec_init(file, nofork, input);
	if (pid)
		*pid = child;
	pid_t r = 0;
	for (int i = 0; i < WAIT_LIMIT_S * 100 && (r = waitpid(child, &status, WNOHANG)) == 0; i++)
		ut_sleep_ms(10);
	if (r == 0) {
		kill(child, SIGKILL);
		waitpid(child, &status, 0);
		tap_diag("init did not finish within %d s", WAIT_LIMIT_S);
	}
	ut_read_file("out", out, sizeof(out));
	if (r != child || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* Run init on argv (n entries) and check its exit status. */
static void check_status(const char *const *argv, int n, int want, const char *what)
{
	if (!CHECK_EQ(run_init(argv, n, false, NULL, NULL), want, "%s", what))
		tap_diag("init's output: %s", out);
}

static void check_exit_status(void)
{
	const char *exit0[] = { self, "--exit", "0" };
	const char *exit7[] = { self, "--exit", "7" };
	const char *sig[] = { self, "--signal", "10" };
	check_status(exit0, 3, 0, "init exits 0 when its command exits 0");
	check_status(exit7, 3, 7, "init exits 7 when its command exits 7");
	check_status(sig, 3, 128 + SIGUSR1, "init exits 128+10 when SIGUSR1 kills its command");
}

static void check_arguments(void)
{
	const char *echo[] = { self, "--echo", "two words", "", "x" };
	CHECK_EQ(run_init(echo, 5, false, NULL, NULL), 0, "init runs a command with arguments");
	CHECK(strstr(out, "[two words][][x]\n") != NULL,
	      "which gets them exactly: spaces and empty ones kept");
	const char *env[] = { self, "--env" };
	run_init(env, 2, false, NULL, NULL);
	CHECK(strstr(out, "env PATH=/bin:/sbin:/usr/bin HOME=/root TERM=vt100 qrun=unset\n") !=
		  NULL,
	      "the command's environment has init's PATH, HOME and TERM");
}

static void check_not_found(void)
{
	const char *bare[] = { "no-such-command-xyz" };
	const char *abs[] = { "/no/such/dir/cmd" };
	const char *none[] = { NULL };
	check_status(bare, 1, 127, "a bare name not found in PATH gives status 127");
	CHECK(strstr(out, "init: no-such-command-xyz: No such file or directory\n") != NULL,
	      "and the message \"init: CMD: No such file or directory\"");
	check_status(abs, 1, 127, "a missing absolute path gives status 127");
	CHECK(strstr(out, "init: /no/such/dir/cmd: ") != NULL, "with a message naming it");
	check_status(none, 0, 127, "an empty argument file gives status 127");
	CHECK(strstr(out, ": no command\n") != NULL, "with the message \"no command\"");
}

static bool have_busybox(void)
{
	return access("/bin/busybox", X_OK) == 0;
}

static void check_path_search(void)
{
	const char *bb_false[] = { "busybox", "false" };
	if (!have_busybox()) {
		tap_skip("no /bin/busybox", "a bare command name is found through PATH");
		return;
	}
	check_status(bb_false, 2, 1, "a bare name is found through PATH (busybox false exits 1)");
}

static void check_orphans(void)
{
	char file[PATH_MAX];
	int v;
	if (prctl(PR_GET_CHILD_SUBREAPER, &v) != 0) {
		tap_skip("no PR_SET_CHILD_SUBREAPER, and init is not PID 1 here",
			 "init reaps orphans re-parented to it");
		return;
	}
	snprintf(file, sizeof(file), "%s/orphan", scratch);
	const char *orphan[] = { self, "--orphan", file };
	CHECK_EQ(run_init(orphan, 3, false, NULL, NULL), 0, "run a command that leaves an orphan");
	CHECK(strstr(out, "orphan to-init=1 ") != NULL, "the orphan was re-parented to init");
	CHECK(strstr(out, " reaped=1\n") != NULL, "and init reaped it while its command ran");
}

static void check_nofork(void)
{
	const char *echo[] = { self, "--echo" };
	const char *exit5[] = { self, "--exit", "5" };
	char want[32];
	pid_t pid = 0;
	CHECK_EQ(run_init(echo, 2, true, NULL, &pid), 0,
		 "without fork (ENOSYS) init still runs it");
	snprintf(want, sizeof(want), "\npid=%d\n", pid);
	CHECK(strstr(out, want) != NULL, "by becoming the command: it has init's pid %d", pid);
	CHECK_EQ(run_init(exit5, 3, true, NULL, NULL), 5, "and the status is the command's own");
}

static void check_shell(void)
{
	if (!have_busybox()) {
		tap_skip("no /bin/busybox", "without an argument file init runs busybox sh");
		return;
	}
	ut_write_file("in", "echo \"[$PATH|$HOME|$TERM]\"\nexit 3\n", 0644);
	CHECK_EQ(run_init(NULL, 0, false, "in", NULL), 3,
		 "without an argument file init runs busybox sh (which exits 3 here)");
	CHECK(!strncmp(out, "cowix: a small kernel whose heart is fork() with copy-on-write.", 63),
	      "after printing its banner");
	CHECK(strstr(out, "\n[/bin:/sbin:/usr/bin|/root|vt100]\n") != NULL,
	      "the shell has PATH, HOME and TERM set");
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strncmp(argv[1], "--", 2))
		return helper_main(argc, argv);
	find_programs();
	snprintf(scratch, sizeof(scratch), "%s", ut_scratch_enter("init_qrun"));
	check_exit_status();
	check_arguments();
	check_not_found();
	check_path_search();
	check_orphans();
	check_nofork();
	check_shell();
	ut_scratch_leave();
	return tap_done();
}
