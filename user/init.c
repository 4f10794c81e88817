/*
 * init: the first user process of cowix, installed as /sbin/init.
 *
 * With /etc/qrun.argv (written by tools/qrun: the command's arguments, each
 * ending in a NUL), init runs that command and exits with its status:
 * fork(); the child execs the command (searching PATH when the name has no
 * slash; on failure "init: CMD: reason" and exit 127); the parent reaps
 * every child - orphans are re-parented to PID 1 - until its own child has
 * exited, then exits with its exit status, or 128+N if signal N killed it.
 * If fork() is not implemented (ENOSYS), init execs the command itself.
 *
 * Without that file (interactive `make run`), init prints a banner and execs
 * /bin/busybox sh. Either way the environment gets PATH=/bin:/sbin:/usr/bin,
 * HOME=/root and TERM=vt100.
 *
 * For testing on Linux: $COWIX_QRUN_ARGV replaces the path /etc/qrun.argv,
 * COWIX_INIT_NOFORK=1 makes init act as if fork() returned ENOSYS, and when
 * init is not PID 1 it makes itself the child subreaper, so orphans come to
 * it as they would to PID 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/reboot.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define QRUN_ARGV_PATH "/etc/qrun.argv"
#define SHELL	       "/bin/busybox"
#define MAX_ARGS       1024
#define EXIT_NOT_RUN   127
#define BANNER	       "cowix: a small kernel whose heart is fork() with copy-on-write. Try: cowdemo"

static char arg_bytes[65536];
static char *cmd_argv[MAX_ARGS + 1];

static void set_environment(void)
{
	unsetenv("COWIX_QRUN_ARGV");
	unsetenv("COWIX_INIT_NOFORK");
	setenv("PATH", "/bin:/sbin:/usr/bin", 1);
	setenv("HOME", "/root", 1);
	setenv("TERM", "vt100", 1);
}

/* Read the whole file; its length, or -1 with errno. */
static ssize_t read_all(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;
	ssize_t n = 0;
	if (fd < 0)
		return -1;
	while (len < size && (n = read(fd, buf + len, size - len)) > 0)
		len += n;
	int err = errno;
	close(fd);
	if (n < 0 || len == size) {
		errno = n < 0 ? err : E2BIG;
		return -1;
	}
	return len;
}

/*
 * Split the NUL-separated argument file into cmd_argv. Returns argc, 0 if
 * there is no such file, or -1 (with a message) if it cannot be used.
 */
static int load_command(const char *path)
{
	ssize_t len = read_all(path, arg_bytes, sizeof(arg_bytes) - 1);
	int argc = 0;
	if (len < 0 && errno == ENOENT)
		return 0;
	if (len < 0) {
		fprintf(stderr, "init: %s: %s\n", path, strerror(errno));
		return -1;
	}
	arg_bytes[len] = 0; /* the last argument may lack its NUL */
	for (ssize_t i = 0; i < len && argc < MAX_ARGS; i += strlen(arg_bytes + i) + 1)
		cmd_argv[argc++] = arg_bytes + i;
	cmd_argv[argc] = NULL;
	if (argc == 0 || argc == MAX_ARGS) {
		fprintf(stderr, "init: %s: %s\n", path, argc ? "too many arguments" : "no command");
		return -1;
	}
	return argc;
}

/* Exec the command (searching PATH if its name has no slash); exit 127 if that fails. */
static _Noreturn void exec_command(char **argv, bool in_child)
{
	execvp(argv[0], argv);
	fprintf(stderr, "init: %s: %s\n", argv[0], strerror(errno));
	if (in_child)
		_exit(EXIT_NOT_RUN);
	exit(EXIT_NOT_RUN);
}

/* Reap children, orphans included, until child exits; its status as an exit code. */
static int wait_for(pid_t child)
{
	int status;
	for (;;) {
		pid_t pid = wait(&status);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0) {
			fprintf(stderr, "init: wait: %s\n", strerror(errno));
			return EXIT_NOT_RUN;
		}
		if (pid != child)
			continue; /* an orphan, now reaped */
		if (WIFSIGNALED(status))
			return 128 + WTERMSIG(status);
		return WEXITSTATUS(status);
	}
}

/* Run the command in a child and wait for it; fake_enosys pretends fork() is missing. */
static int run_command(char **argv, bool fake_enosys)
{
	pid_t child = fake_enosys ? (errno = ENOSYS, -1) : fork();
	if (child < 0 && errno == ENOSYS)
		exec_command(argv, false); /* no processes yet: become the command */
	if (child < 0) {
		fprintf(stderr, "init: fork: %s\n", strerror(errno));
		return EXIT_NOT_RUN;
	}
	if (child == 0)
		exec_command(argv, true);
	return wait_for(child);
}

/*
 * busybox's halt, poweroff and reboot (without -f) ask PID 1 by signal:
 * SIGUSR1, SIGUSR2 and SIGTERM. All three switch the machine off; only
 * PID 1 acts, so running init on a development host never reboots it.
 */
static void on_shutdown_signal(int sig)
{
	(void)sig;
	if (getpid() == 1) {
		sync();
		reboot(RB_POWER_OFF);
	}
	_exit(0);
}

/* The shell's side: a new session whose controlling terminal is the console. */
static void exec_shell(void)
{
	char *argv[] = { "busybox", "sh", NULL };
	setsid();
	ioctl(0, TIOCSCTTY, 0); /* job control and ^C need a controlling terminal */
	execv(SHELL, argv);
	fprintf(stderr, "init: cannot run %s sh: %s\n", SHELL, strerror(errno));
	_exit(1);
}

/*
 * Interactive boot: print the banner, run the shell in its own session,
 * reap everything, and when the shell exits switch the machine off.
 */
static int run_shell(void)
{
	printf("%s\n", BANNER);
	fflush(stdout);
	signal(SIGUSR1, on_shutdown_signal);
	signal(SIGUSR2, on_shutdown_signal);
	signal(SIGTERM, on_shutdown_signal);
	pid_t shell = fork();
	if (shell < 0) {
		fprintf(stderr, "init: fork: %s\n", strerror(errno));
		return 1;
	}
	if (shell == 0)
		exec_shell();
	int status = wait_for(shell);
	if (getpid() == 1) {
		sync();
		reboot(RB_POWER_OFF);
	}
	return status;
}

int main(void)
{
	const char *path = getenv("COWIX_QRUN_ARGV");
	const char *nofork = getenv("COWIX_INIT_NOFORK");
	int argc = load_command(path ? path : QRUN_ARGV_PATH);
	bool fake_enosys = nofork && strcmp(nofork, "1") == 0;
	if (getpid() != 1)
		prctl(PR_SET_CHILD_SUBREAPER, 1); /* stand in for PID 1; ignore failure */
	set_environment();
	if (argc < 0)
		return EXIT_NOT_RUN;
	if (argc == 0)
		return run_shell();
	return run_command(cmd_argv, fake_enosys);
}
