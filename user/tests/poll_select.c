/*
 * Claim: select(2) and pselect6(2) behave as on Linux: a pipe's read end
 * is readable with bytes buffered and at end of file, its write end
 * writable while there is room and once the reader is gone (the write
 * would fail at once); pipes never show exceptional conditions; the
 * result sets replace the given ones and the return value counts set
 * bits; a closed fd in any set is EBADF and a negative nfds EINVAL; a
 * timeout of zero polls, a longer one waits, and a wake-up comes from
 * another process's write; a timeval with whole seconds in tv_usec is
 * accepted, a negative one is EINVAL; called directly, select and
 * pselect6 write back what is left of the timeout; pselect6's signal-set
 * size must be 8.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <string.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <time.h>
#include <unistd.h>

static struct timeval tv_zero(void)
{
	return (struct timeval){ 0, 0 };
}

static void check_pipe_sets(void)
{
	int p[2];
	pipe(p);
	fd_set r, w, e;
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_ZERO(&e);
	FD_SET(p[0], &r);
	FD_SET(p[1], &w);
	FD_SET(p[0], &e);
	FD_SET(p[1], &e);
	int n = p[1] + 1;
	struct timeval tv = tv_zero();
	CHECK_EQ(select(n, &r, &w, &e, &tv), 1, "empty pipe: one fd ready");
	CHECK(!FD_ISSET(p[0], &r), "the read end is not readable");
	CHECK(FD_ISSET(p[1], &w), "the write end is writable");
	CHECK(!FD_ISSET(p[0], &e) && !FD_ISSET(p[1], &e), "no exceptional conditions");
	write(p[1], "x", 1);
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(p[0], &r);
	FD_SET(p[1], &w);
	FD_SET(p[0], &w);
	tv = tv_zero();
	CHECK_EQ(select(n, &r, &w, NULL, &tv), 2, "with a byte buffered: two bits set");
	CHECK(FD_ISSET(p[0], &r) && FD_ISSET(p[1], &w) && !FD_ISSET(p[0], &w),
	      "read end readable, write end writable, read end still not writable");
	close(p[1]);
	char c;
	read(p[0], &c, 1);
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	tv = tv_zero();
	CHECK_EQ(select(n, &r, NULL, NULL, &tv), 1, "writer gone: end of file counts as readable");
	close(p[0]);

	pipe(p);
	close(p[0]);
	FD_ZERO(&w);
	FD_SET(p[1], &w);
	tv = tv_zero();
	CHECK_EQ(select(p[1] + 1, NULL, &w, NULL, &tv), 1,
		 "reader gone: the write end counts as writable");
	close(p[1]);
}

static void check_errors(void)
{
	int p[2];
	pipe(p);
	fd_set r;
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	close(p[0]);
	struct timeval tv = tv_zero();
	CHECK_ERR(EBADF, select(p[0] + 1, &r, NULL, NULL, &tv), "a closed fd in the read set");
	CHECK(FD_ISSET(p[0], &r), "the sets are left alone on error");
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	tv = tv_zero();
	CHECK_ERR(EBADF, select(p[0] + 1, NULL, NULL, &r, &tv), "a closed fd in the except set");
	tv = tv_zero();
	CHECK_ERR(EINVAL, select(-1, NULL, NULL, NULL, &tv), "a negative nfds");
	tv = (struct timeval){ 0, -1 };
	CHECK_ERR(EINVAL, syscall(SYS_select, 0, NULL, NULL, NULL, &tv), "a negative tv_usec");
	tv = (struct timeval){ -1, 0 };
	CHECK_ERR(EINVAL, syscall(SYS_select, 0, NULL, NULL, NULL, &tv), "a negative tv_sec");
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	tv = tv_zero();
	CHECK_EQ(select(p[0], &r, NULL, NULL, &tv), 0,
		 "a closed fd at nfds is not looked at: no EBADF");
	close(p[1]);
}

static void check_timeouts(void)
{
	int p[2];
	pipe(p);
	fd_set r;
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	struct timeval tv = { 0, 150000 };
	long start = ut_now_ms();
	CHECK_EQ(syscall(SYS_select, p[0] + 1, &r, NULL, NULL, &tv), 0, "150 ms, nothing ready");
	CHECK(ut_now_ms() - start >= 149, "waited at least 150 ms (%ld)", ut_now_ms() - start);
	CHECK(!FD_ISSET(p[0], &r), "the read set comes back empty");
	CHECK(tv.tv_sec == 0 && tv.tv_usec == 0, "the timeval is written back as 0 (%ld.%06ld)",
	      (long)tv.tv_sec, (long)tv.tv_usec);
	write(p[1], "x", 1);
	FD_SET(p[0], &r);
	tv = (struct timeval){ 0, 2500000 }; /* 2.5 s, all in microseconds */
	CHECK_EQ(syscall(SYS_select, p[0] + 1, &r, NULL, NULL, &tv), 1,
		 "tv_usec of 2.5 s is accepted, fd ready");
	CHECK(tv.tv_sec == 2 && tv.tv_usec > 0 && tv.tv_usec < 1000000,
	      "the rest is written back normalised (%ld.%06ld)", (long)tv.tv_sec, (long)tv.tv_usec);
	struct timespec ts = { 3, 0 };
	FD_SET(p[0], &r);
	CHECK_EQ(syscall(SYS_pselect6, p[0] + 1, &r, NULL, NULL, &ts, NULL), 1, "raw pselect6");
	CHECK(ts.tv_sec == 2 && ts.tv_nsec > 0, "writes back the rest of its timespec (%ld.%09ld)",
	      (long)ts.tv_sec, ts.tv_nsec);
	ts = (struct timespec){ 0, 1000000000 };
	CHECK_ERR(EINVAL, pselect(p[0] + 1, &r, NULL, NULL, &ts, NULL),
		  "pselect with a bad tv_nsec");
	sigset_t none;
	sigemptyset(&none);
	struct {
		const void *set;
		size_t size;
	} sig = { &none, 4 };
	ts = (struct timespec){ 0, 0 };
	CHECK_ERR(EINVAL, syscall(SYS_pselect6, p[0] + 1, &r, NULL, NULL, &ts, &sig),
		  "pselect6 with a signal set size of 4");
	close(p[0]);
	close(p[1]);
}

static void check_wakeup(void)
{
	int a[2], b[2];
	pipe(a);
	pipe(b);
	pid_t pid = fork();
	if (pid == 0) {
		struct timespec d = { 0, 200 * 1000000 };
		nanosleep(&d, NULL);
		_exit(write(b[1], "!", 1) == 1 ? 0 : 1);
	}
	fd_set r;
	FD_ZERO(&r);
	FD_SET(a[0], &r);
	FD_SET(b[0], &r);
	int n = (a[0] > b[0] ? a[0] : b[0]) + 1;
	long start = ut_now_ms();
	CHECK_EQ(select(n, &r, NULL, NULL, NULL), 1,
		 "select without a timeout returns on the write");
	CHECK(FD_ISSET(b[0], &r) && !FD_ISSET(a[0], &r), "with the written pipe readable");
	CHECK(ut_now_ms() - start >= 150, "after the child's delay (%ld ms)", ut_now_ms() - start);
	int status;
	waitpid(pid, &status, 0);
	close(a[0]), close(a[1]), close(b[0]), close(b[1]);
}

/* Many pipes: fds beyond 64 land in later words of the sets. */
static void check_high_fds(void)
{
	enum { PIPES = 50 };
	int p[PIPES][2];
	for (int i = 0; i < PIPES; i++)
		pipe(p[i]);
	write(p[PIPES - 1][1], "x", 1);
	write(p[7][1], "x", 1);
	fd_set r;
	FD_ZERO(&r);
	int n = 0;
	for (int i = 0; i < PIPES; i++) {
		FD_SET(p[i][0], &r);
		n = p[i][0] + 1 > n ? p[i][0] + 1 : n;
	}
	struct timeval tv = tv_zero();
	CHECK_EQ(select(n, &r, NULL, NULL, &tv), 2, "two of %d pipes are readable", PIPES);
	CHECK(FD_ISSET(p[7][0], &r) && FD_ISSET(p[PIPES - 1][0], &r) && !FD_ISSET(p[8][0], &r),
	      "the right ones (fd %d and fd %d)", p[7][0], p[PIPES - 1][0]);
	for (int i = 0; i < PIPES; i++)
		close(p[i][0]), close(p[i][1]);
}

int main(void)
{
	check_pipe_sets();
	check_errors();
	check_timeouts();
	check_wakeup();
	check_high_fds();
	return tap_done();
}
