/*
 * Claim: the busybox shell's pipelines work over our pipes, as on Linux:
 * "echo | wc", a three-stage pipeline, a pipeline moving more than a
 * pipe's capacity, and ones whose reader exits early (the writer is ended
 * by SIGPIPE: status 141, and the pipeline's status is the last command's). Each runs
 * as /bin/busybox sh -c, with its output captured through a pipe of ours.
 */
#define _GNU_SOURCE
#include <string.h>
#include <sys/wait.h>
#include <tap.h>
#include <unistd.h>

#define BUSYBOX "/bin/busybox"

/* Run `busybox sh -c cmd`, capturing stdout into out; the wait status. */
static int run_sh(const char *cmd, char *out, size_t size)
{
	int p[2];
	if (pipe(p))
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execl(BUSYBOX, "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	size_t got = 0;
	ssize_t n;
	while (got + 1 < size && (n = read(p[0], out + got, size - 1 - got)) > 0)
		got += n;
	out[got] = 0;
	close(p[0]);
	int status = -1;
	waitpid(pid, &status, 0);
	return status;
}

static void check(const char *cmd, const char *want)
{
	char out[256];
	int status = run_sh(cmd, out, sizeof(out));
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "sh -c '%s' exits 0 (status %#x)", cmd,
	      status);
	CHECK_STR(out, want, "and prints what Linux prints");
}

int main(void)
{
	if (access(BUSYBOX, X_OK)) {
		tap_skip("no " BUSYBOX, "busybox pipelines");
		return tap_done();
	}
	check("echo hello | " BUSYBOX " wc -c", "6\n");
	check("printf 'b\\na\\nc\\n' | " BUSYBOX " sort | " BUSYBOX " head -n 2", "a\nb\n");
	check(BUSYBOX " seq 1 30000 | " BUSYBOX " wc -l", "30000\n");
	check(BUSYBOX " seq 1 100000 | " BUSYBOX " tail -n 1", "100000\n");
	check(BUSYBOX " yes | " BUSYBOX " head -n 3", "y\ny\ny\n");
	check("exec 3>&1; { " BUSYBOX " yes; echo $? >&3; } | " BUSYBOX " head -n 1 >/dev/null",
	      "141\n");
	return tap_done();
}
