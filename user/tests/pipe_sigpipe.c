/*
 * Claim: writing to a pipe whose read end is closed everywhere raises
 * SIGPIPE and fails with EPIPE, as on Linux: by default the writer dies of
 * SIGPIPE; with SIGPIPE ignored the write returns EPIPE; with a handler,
 * the handler runs and the write returns EPIPE. A writer already asleep on
 * a full pipe is woken by the last reader's close and gets EPIPE too. A
 * reader held by a fork()ed child keeps the pipe writable.
 */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <tap.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t sigpipe_count;

static void on_sigpipe(int sig)
{
	(void)sig;
	sigpipe_count++;
}

static void check_default_kills(void)
{
	int p[2];
	pipe(p);
	close(p[0]);
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		write(p[1], "x", 1);
		_exit(0);
	}
	close(p[1]);
	int status;
	CHECK_EQ(waitpid(pid, &status, 0), pid, "reap the writer");
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE,
	      "a write with no reader kills the writer with SIGPIPE (status %#x)", status);
}

static void check_ignored(void)
{
	int p[2];
	pipe(p);
	close(p[0]);
	signal(SIGPIPE, SIG_IGN);
	CHECK_ERR(EPIPE, write(p[1], "x", 1), "with SIGPIPE ignored, the write fails with EPIPE");
	CHECK_ERR(EPIPE, write(p[1], "xyz", 3), "every time");
	signal(SIGPIPE, SIG_DFL);
	close(p[1]);
}

static void check_handler(void)
{
	int p[2];
	pipe(p);
	close(p[0]);
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigpipe;
	sigaction(SIGPIPE, &sa, NULL);
	sigpipe_count = 0;
	CHECK_ERR(EPIPE, write(p[1], "x", 1), "with a handler, the write fails with EPIPE");
	CHECK_EQ(sigpipe_count, 1, "and the handler ran once");
	signal(SIGPIPE, SIG_DFL);
	close(p[1]);
}

static void check_reader_in_child(void)
{
	int p[2], go[2];
	pipe(p);
	pipe(go);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[1]);
		close(go[1]);
		char x;
		read(go[0], &x, 1);
		_exit(0);
	}
	close(go[0]);
	close(p[0]);
	signal(SIGPIPE, SIG_IGN);
	CHECK_EQ(write(p[1], "x", 1), 1,
		 "the child's copy of the read end keeps the pipe writable");
	write(go[1], "x", 1);
	int status;
	waitpid(pid, &status, 0);
	CHECK_ERR(EPIPE, write(p[1], "x", 1), "once the child has exited, EPIPE");
	signal(SIGPIPE, SIG_DFL);
	close(p[1]);
	close(go[1]);
}

/* The writer sleeps on a full pipe; the reader's close must wake it with EPIPE. */
static void check_sleeping_writer(void)
{
	int p[2];
	pipe(p);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		signal(SIGPIPE, SIG_IGN);
		static char buf[65536 + 4096];
		memset(buf, 'z', sizeof(buf));
		ssize_t n = write(p[1], buf, 65536); /* fills it */
		errno = 0;
		ssize_t m = write(p[1], buf, 4096); /* sleeps */
		_exit(n == 65536 && m == -1 && errno == EPIPE ? 0 : 1);
	}
	close(p[1]);
	struct timespec d = { 0, 200 * 1000000 };
	nanosleep(&d, NULL);
	close(p[0]);
	int status;
	CHECK_EQ(waitpid(pid, &status, 0), pid, "reap the writer");
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "a writer asleep on a full pipe gets EPIPE when the reader closes (status %#x)",
	      status);
}

int main(void)
{
	check_default_kills();
	check_ignored();
	check_handler();
	check_reader_in_child();
	check_sleeping_writer();
	return tap_done();
}
