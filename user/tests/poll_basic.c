/*
 * Claim: poll(2) and ppoll(2) report readiness as Linux does:
 *   - pipes: POLLIN on the read end with bytes buffered, POLLHUP there
 *     once every writer is gone (with POLLIN too while bytes remain);
 *     POLLOUT on the write end while a PIPE_BUF write would not block,
 *     POLLERR there once every reader is gone, even if not asked for;
 *   - regular files and /dev/null are always readable and writable, even
 *     when opened read-only; the console tty is writable;
 *   - a closed fd gives POLLNVAL, a negative one is skipped (revents 0);
 *   - POLLRDNORM/POLLWRNORM come with POLLIN/POLLOUT when asked for;
 *   - the timeout is honoured (0 polls once, > 0 waits at least that long),
 *     and a sleeper is woken by another process's write to any of its fds;
 *   - nfds above RLIMIT_NOFILE is EINVAL, a bad array EFAULT;
 *   - ppoll takes a timespec (invalid ones are EINVAL) and, called
 *     directly, writes back what is left of it.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <time.h>
#include <unistd.h>

/* poll one fd for events with timeout 0; revents, or -1 if poll failed. */
static int poll1(int fd, short events)
{
	struct pollfd p = { fd, events, 0x7fff };
	return poll(&p, 1, 0) < 0 ? -1 : p.revents;
}

static void check_pipe_states(void)
{
	int p[2];
	pipe(p);
	CHECK_EQ(poll1(p[0], POLLIN | POLLOUT), 0, "an empty pipe's read end is not ready");
	CHECK_EQ(poll1(p[1], POLLIN | POLLOUT), POLLOUT, "its write end is writable (only)");
	CHECK_EQ(poll1(p[1], POLLOUT | POLLWRNORM), POLLOUT | POLLWRNORM,
		 "POLLWRNORM comes with POLLOUT when asked for");
	write(p[1], "ab", 2);
	CHECK_EQ(poll1(p[0], POLLIN), POLLIN, "with bytes buffered the read end is readable");
	CHECK_EQ(poll1(p[0], POLLIN | POLLRDNORM), POLLIN | POLLRDNORM,
		 "POLLRDNORM too when asked");
	CHECK_EQ(poll1(p[0], POLLOUT), 0, "the read end is never writable");
	close(p[1]);
	CHECK_EQ(poll1(p[0], POLLIN), POLLIN | POLLHUP, "writer gone, bytes left: POLLIN|POLLHUP");
	char buf[2];
	read(p[0], buf, 2);
	CHECK_EQ(poll1(p[0], POLLIN), POLLHUP, "writer gone, drained: POLLHUP alone");
	CHECK_EQ(poll1(p[0], 0), POLLHUP, "POLLHUP is reported even when not asked for");
	close(p[0]);

	pipe(p);
	close(p[0]);
	CHECK_EQ(poll1(p[1], POLLOUT), POLLOUT | POLLERR, "reader gone: the write end has POLLERR");
	CHECK_EQ(poll1(p[1], 0), POLLERR, "POLLERR is reported even when not asked for");
	close(p[1]);
}

static void check_full_pipe(void)
{
	int p[2];
	pipe2(p, O_NONBLOCK);
	static char buf[65536];
	CHECK_EQ(write(p[1], buf, sizeof(buf)), (long)sizeof(buf), "fill a pipe");
	CHECK_EQ(poll1(p[1], POLLOUT), 0, "a full pipe's write end is not writable");
	read(p[0], buf, 4096);
	CHECK_EQ(poll1(p[1], POLLOUT), POLLOUT, "after a 4096-byte read it is");
	close(p[0]);
	close(p[1]);
}

static void check_other_files(void)
{
	ut_scratch_enter("poll_basic");
	ut_write_file("f", "data", 0644);
	int fd = open("f", O_RDONLY);
	short all = POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM | POLLPRI;
	CHECK_EQ(poll1(fd, all), POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM,
		 "a regular file opened read-only is readable and writable");
	close(fd);
	fd = open("/dev/null", O_WRONLY);
	CHECK_EQ(poll1(fd, POLLIN | POLLOUT), POLLIN | POLLOUT, "so is /dev/null");
	close(fd);
	ut_scratch_leave();
	fd = open("/dev/tty", O_RDWR | O_NOCTTY);
	if (fd < 0) {
		tap_skip("no terminal here", "the tty is writable");
	} else {
		CHECK(poll1(fd, POLLOUT) & POLLOUT, "the tty is writable");
		close(fd);
	}
}

static void check_bad_fds(void)
{
	int p[2];
	pipe(p);
	write(p[1], "x", 1);
	close(p[1]);
	int closed = p[1];
	struct pollfd fds[3] = { { p[0], POLLIN, 0x7fff },
				 { closed, POLLIN, 0 },
				 { -5, POLLIN, 0x7fff } };
	CHECK_EQ(poll(fds, 3, 0), 2, "poll counts the ready fd and the closed one");
	CHECK_EQ(fds[1].revents, POLLNVAL, "a closed fd gives POLLNVAL");
	CHECK_EQ(fds[2].revents, 0, "a negative fd is skipped and its revents cleared");
	struct pollfd twice[2] = { { p[0], POLLIN, 0 }, { p[0], POLLIN, 0 } };
	CHECK_EQ(poll(twice, 2, 0), 2, "an fd listed twice counts twice");
	CHECK_ERR(EFAULT, poll((struct pollfd *)ut_unmapped_page(), 1, 0), "a bad array is EFAULT");
	struct rlimit old, low = { 64, 64 };
	getrlimit(RLIMIT_NOFILE, &old);
	low.rlim_max = old.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &low)) {
		tap_skip("setrlimit failed", "nfds above RLIMIT_NOFILE");
	} else {
		static struct pollfd many[65];
		for (int i = 0; i < 65; i++)
			many[i].fd = -1;
		CHECK_EQ(poll(many, 64, 0), 0, "nfds equal to RLIMIT_NOFILE is fine");
		CHECK_ERR(EINVAL, poll(many, 65, 0), "nfds above RLIMIT_NOFILE is EINVAL");
		setrlimit(RLIMIT_NOFILE, &old);
	}
	close(p[0]);
}

static void check_timeouts(void)
{
	int p[2];
	pipe(p);
	struct pollfd fd = { p[0], POLLIN, 0 };
	long start = ut_now_ms();
	CHECK_EQ(poll(&fd, 1, 0), 0, "timeout 0: nothing ready");
	CHECK(ut_now_ms() - start < 50, "returns at once");
	start = ut_now_ms();
	CHECK_EQ(poll(&fd, 1, 150), 0, "timeout 150 ms: nothing ready");
	long took = ut_now_ms() - start;
	CHECK(took >= 149 && took < 2000, "after at least 150 ms (%ld ms)", took);
	start = ut_now_ms();
	CHECK_EQ(poll(NULL, 0, 100), 0, "no fds at all: a 100 ms sleep");
	CHECK(ut_now_ms() - start >= 99, "of at least 100 ms (%ld ms)", ut_now_ms() - start);
	close(p[0]);
	close(p[1]);
}

/* Sleep in poll on two pipes; another process writes to the second. */
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
	struct pollfd fds[2] = { { a[0], POLLIN, 0 }, { b[0], POLLIN, 0 } };
	long start = ut_now_ms();
	CHECK_EQ(poll(fds, 2, -1), 1, "an infinite poll returns when the child writes");
	CHECK(fds[0].revents == 0 && fds[1].revents == POLLIN,
	      "the second pipe is readable (%#x %#x)", fds[0].revents, fds[1].revents);
	CHECK(ut_now_ms() - start >= 150, "after the child's delay (%ld ms)", ut_now_ms() - start);
	int status;
	waitpid(pid, &status, 0);
	pid = fork();
	if (pid == 0) {
		struct timespec d = { 0, 100 * 1000000 };
		nanosleep(&d, NULL);
		close(a[1]);
		_exit(0);
	}
	close(a[1]);
	struct pollfd hup = { a[0], POLLIN, 0 };
	CHECK_EQ(poll(&hup, 1, 5000), 1, "a poller is woken when the last writer exits");
	CHECK_EQ(hup.revents, POLLHUP, "with POLLHUP");
	waitpid(pid, &status, 0);
	close(a[0]);
	close(b[0]);
	close(b[1]);
}

static void check_ppoll(void)
{
	int p[2];
	pipe(p);
	struct pollfd fd = { p[0], POLLIN, 0 };
	struct timespec bad = { 0, 1000000000 };
	CHECK_ERR(EINVAL, ppoll(&fd, 1, &bad, NULL), "ppoll with tv_nsec of a whole second");
	bad = (struct timespec){ -1, 0 };
	CHECK_ERR(EINVAL, ppoll(&fd, 1, &bad, NULL), "ppoll with a negative timeout");
	struct timespec ts = { 0, 100 * 1000000 };
	long start = ut_now_ms();
	CHECK_EQ(ppoll(&fd, 1, &ts, NULL), 0, "ppoll with 100 ms: nothing ready");
	CHECK(ut_now_ms() - start >= 99, "after 100 ms (%ld ms)", ut_now_ms() - start);
	write(p[1], "x", 1);
	ts = (struct timespec){ 5, 0 };
	CHECK_EQ(syscall(SYS_ppoll, &fd, 1, &ts, NULL, 8), 1, "raw ppoll with 5 s and a ready fd");
	CHECK(ts.tv_sec == 4 && ts.tv_nsec > 0,
	      "writes back what is left of the timeout (%lld.%09ld)", (long long)ts.tv_sec,
	      ts.tv_nsec);
	CHECK_EQ(ppoll(&fd, 1, NULL, NULL), 1, "ppoll without a timeout, fd ready");
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	check_pipe_states();
	check_full_pipe();
	check_other_files();
	check_bad_fds();
	check_timeouts();
	check_wakeup();
	check_ppoll();
	return tap_done();
}
