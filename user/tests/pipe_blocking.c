/*
 * Claim: pipes block and wake as on Linux across processes: a read of an
 * empty pipe sleeps until another process writes, and returns what was
 * written; a writer of a full pipe sleeps until the reader makes room, so
 * a transfer far bigger than the pipe arrives whole and in order; end of
 * file comes only when every write description is closed, whether held
 * through dup() or by a fork()ed child (closing one of them is not
 * enough); and the counts follow open file descriptions, so a child's exit
 * closes its copies.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <time.h>
#include <unistd.h>

static void reap(pid_t pid, const char *what)
{
	int status;
	CHECK_EQ(waitpid(pid, &status, 0), pid, "reap %s", what);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s exited 0 (status %#x)", what,
	      status);
}

static void check_reader_waits(void)
{
	int p[2];
	pipe(p);
	long start = ut_now_ms();
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		ut_sleep_ms(200);
		_exit(write(p[1], "late", 4) == 4 ? 0 : 1);
	}
	close(p[1]);
	char buf[16] = { 0 };
	CHECK_EQ(read(p[0], buf, sizeof(buf)), 4,
		 "a read of an empty pipe returns once the child writes");
	CHECK_STR(buf, "late", "with the child's bytes");
	CHECK(ut_now_ms() - start >= 150, "after waiting for them (%ld ms)", ut_now_ms() - start);
	CHECK_EQ(read(p[0], buf, sizeof(buf)), 0, "then end of file when the child has exited");
	reap(pid, "the writer");
	close(p[0]);
}

static unsigned char pattern(size_t i)
{
	return (unsigned char)(i ^ (i >> 9) ^ (i >> 17));
}

/* One write of a megabyte through a 64 KiB pipe: the writer must sleep and be woken many times. */
static void check_writer_waits(void)
{
	enum { TOTAL = 1 << 20 };
	int p[2];
	pipe(p);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		unsigned char *out = malloc(TOTAL);
		for (size_t i = 0; i < TOTAL; i++)
			out[i] = pattern(i);
		_exit(write(p[1], out, TOTAL) == TOTAL ? 0 : 1);
	}
	close(p[1]);
	ut_sleep_ms(100); /* let the writer fill the pipe and block */
	unsigned char buf[5000];
	size_t got = 0;
	long bad = 0;
	ssize_t n;
	while ((n = read(p[0], buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++)
			bad += buf[i] != pattern(got + i);
		got += n;
	}
	CHECK_EQ(got, TOTAL, "a 1 MiB write through the pipe arrives whole");
	CHECK_EQ(bad, 0, "and in order");
	reap(pid, "the writer");
	close(p[0]);
}

static void check_eof_needs_all_writers(void)
{
	int p[2];
	pipe2(p, O_NONBLOCK);
	int dup_w = dup(p[1]);
	close(p[1]);
	char c;
	CHECK_ERR(EAGAIN, read(p[0], &c, 1), "a dup of the write end still open: no end of file");
	close(dup_w);
	CHECK_EQ(read(p[0], &c, 1), 0, "closing the dup too gives end of file");
	close(p[0]);

	pipe(p);
	int go[2];
	pipe(go);
	pid_t pid = fork();
	if (pid == 0) { /* holds the write end until told to go */
		close(p[0]);
		close(go[1]);
		char x;
		read(go[0], &x, 1);
		_exit(0);
	}
	close(go[0]);
	close(p[1]);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	CHECK_ERR(EAGAIN, read(p[0], &c, 1), "the parent closed its write end, the child has one");
	fcntl(p[0], F_SETFL, 0);
	long start = ut_now_ms();
	write(go[1], "x", 1); /* the child exits, closing its copy */
	CHECK_EQ(read(p[0], &c, 1), 0, "a blocking read returns end of file once the child exits");
	CHECK(ut_now_ms() - start < 5000, "promptly");
	reap(pid, "the child");
	close(go[1]);
	close(p[0]);
}

/* Two readers in two processes share one read description: each byte goes to exactly one. */
static void check_shared_reader(void)
{
	enum { N = 20000 };
	int p[2], counts[2];
	pipe(p);
	pipe(counts);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[1]);
		long got = 0;
		char buf[100];
		ssize_t n;
		while ((n = read(p[0], buf, sizeof(buf))) > 0)
			got += n;
		write(counts[1], &got, sizeof(got));
		_exit(0);
	}
	pid_t writer = fork();
	if (writer == 0) {
		close(p[0]);
		char buf[100];
		memset(buf, 'w', sizeof(buf));
		for (int i = 0; i < N / 100; i++)
			write(p[1], buf, sizeof(buf));
		_exit(0);
	}
	close(p[1]);
	long got = 0, child_got = 0;
	char buf[100];
	ssize_t n;
	while ((n = read(p[0], buf, sizeof(buf))) > 0)
		got += n;
	reap(writer, "the writer");
	reap(pid, "the other reader");
	read(counts[0], &child_got, sizeof(child_got));
	CHECK_EQ(got + child_got, N,
		 "two readers of one description got every byte once (%ld + %ld)", got, child_got);
	close(p[0]);
	close(counts[0]);
	close(counts[1]);
}

int main(void)
{
	check_reader_waits();
	check_writer_waits();
	check_eof_needs_all_writers();
	check_shared_reader();
	return tap_done();
}
