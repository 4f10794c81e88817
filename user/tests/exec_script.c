/*
 * Claim: execve runs "#!" scripts as Linux does. The interpreter gets
 * argv = { interpreter, [optional-arg,] script-path, argv[1], ... }: the
 * script's own argv[0] is dropped, blanks around the interpreter name are
 * skipped, everything after it (inner blanks kept, trailing ones trimmed)
 * is ONE optional argument, a missing final newline is fine, and the
 * interpreter may itself be a script. Errors: "#!" with no interpreter
 * name, a file that is neither ELF nor script, an empty file, and an
 * interpreter name cut off by the 256-byte limit are ENOEXEC; a missing
 * interpreter ENOENT; a script without an exec bit, or a directory as
 * interpreter, EACCES; a script that names itself as interpreter ELOOP.
 * (The interpreter here is this test program, which reports its argv.)
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>

#define REPORT_VAR "EXEC_SCRIPT_REPORT_FD"

static char self[PATH_MAX], dir[PATH_MAX];
static char report[4096];

/* Interpreter mode: write argv to the report fd, NUL-separated. */
static int report_argv(int argc, char **argv, int fd)
{
	for (int i = 0; i < argc; i++)
		if (write(fd, argv[i], strlen(argv[i]) + 1) < 0)
			return 1;
	return 0;
}

static void make_script(const char *name, const char *text, mode_t mode)
{
	int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		tap_bail("cannot write %s", name);
	close(fd);
	chmod(name, mode);
}

/*
 * Run path with argv in a child; the interpreter's argv comes back in
 * report[] as "a|b|c". Returns 0, or the errno execve failed with.
 */
static int run(const char *path, char *const argv[])
{
	int p[2], status;
	char var[64];
	if (pipe(p))
		tap_bail("pipe");
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		snprintf(var, sizeof(var), REPORT_VAR "=%d", p[1]);
		char *envp[] = { var, NULL };
		execve(path, argv, envp);
		_exit(errno);
	}
	close(p[1]);
	ssize_t n = 0, r;
	while ((r = read(p[0], report + n, sizeof(report) - 1 - n)) > 0)
		n += r;
	close(p[0]);
	for (ssize_t i = 0; i + 1 < n; i++)
		if (!report[i])
			report[i] = '|';
	report[n > 0 ? n - 1 : 0] = 0;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* expect with "SELF" and "DIR" replaced by the real paths. */
static const char *expand(const char *expect)
{
	static char out[3 * PATH_MAX];
	char *o = out;
	for (const char *e = expect; *e && o < out + sizeof(out) - PATH_MAX - 1;) {
		if (!strncmp(e, "SELF", 4))
			o += sprintf(o, "%s", self), e += 4;
		else if (!strncmp(e, "DIR", 3))
			o += sprintf(o, "%s", dir), e += 3;
		else
			*o++ = *e++;
	}
	*o = 0;
	return out;
}

static void check_runs(const char *script, const char *text, const char *expect, const char *what)
{
	char *argv[] = { "argv0", "a", "b", NULL };
	char path[PATH_MAX + 8];
	snprintf(path, sizeof(path), "./%s", script);
	make_script(script, expand(text), 0755);
	int err = run(path, argv);
	CHECK_EQ(err, 0, "%s: execve succeeds", what);
	CHECK_STR(report, expand(expect), "%s: the interpreter's argv", what);
}

static void check_fails(int err, const char *text, mode_t mode, const char *what)
{
	char *argv[] = { "argv0", NULL };
	make_script("bad", expand(text), mode);
	CHECK_ERR(err, execve("./bad", argv, (char *[]){ NULL }), "%s", what);
}

int main(int argc, char **argv)
{
	const char *fd = getenv(REPORT_VAR);
	if (fd)
		return report_argv(argc, argv, atoi(fd));
	if (argv[0][0] == '/')
		snprintf(self, sizeof(self), "%s", argv[0]);
	else if (!getcwd(dir, sizeof(dir)) ||
		 snprintf(self, sizeof(self), "%s/%s", dir, argv[0]) >= (int)sizeof(self))
		tap_bail("cannot tell this program's path");
	snprintf(dir, sizeof(dir), "%s", ut_scratch_enter("exec_script"));

	check_runs("s1", "#!SELF -x  y \t\n", "SELF|-x  y|./s1|a|b", "one argument, blanks inside");
	check_runs("s2", "#!SELF\nignored\n", "SELF|./s2|a|b", "no argument");
	check_runs("s3", "#! \tSELF\t arg\t \n", "SELF|arg|./s3|a|b", "blanks around the name");
	check_runs("s4", "#!SELF", "SELF|./s4|a|b", "no newline at the end");
	check_runs("s5", "#!DIR/s2\n", "SELF|DIR/s2|./s5|a|b", "the interpreter is a script");

	check_fails(ENOEXEC, "#!\n", 0755, "\"#!\" alone");
	check_fails(ENOEXEC, "#!  \t \nx\n", 0755, "\"#!\" and blanks");
	check_fails(ENOEXEC, "echo hello\n", 0755, "neither ELF nor script");
	check_fails(ENOEXEC, "", 0755, "an empty file");
	check_fails(ENOENT, "#!/nonexistent/interpreter\n", 0755, "a missing interpreter");
	check_fails(EACCES, "#!SELF\n", 0644, "a script without an exec bit");
	check_fails(EACCES, "#!/tmp\n", 0755, "a directory as interpreter");
	check_fails(ELOOP, "#!DIR/bad\n", 0755, "a script that is its own interpreter");
	char longline[400] = "#!/";
	memset(longline + 3, 'a', 300);
	check_fails(ENOEXEC, longline, 0755, "an interpreter name longer than 256 bytes");
	ut_scratch_leave();
	return tap_done();
}
