/*
 * Claim: signals end poll and select waits as on Linux: a caught signal
 * makes poll, select and ppoll fail with EINTR after the handler ran, even
 * with SA_RESTART (signal(7): these are never restarted); an ignored
 * signal (SIGCHLD by default) does not end the wait; ppoll's and
 * pselect's temporary mask applies during the wait only: a pending signal
 * it unblocks interrupts at once and the old mask is back afterwards, and a
 * signal it blocks waits until the call returns, then is handled.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t handled;

static void on_usr1(int sig)
{
	(void)sig;
	handled++;
}

static void catch_usr1(int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = flags;
	sigaction(SIGUSR1, &sa, NULL);
	handled = 0;
}

/* A child that sends sig to us after ms milliseconds. */
static pid_t signal_later(int sig, long ms)
{
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		struct timespec d = { ms / 1000, ms % 1000 * 1000000 };
		nanosleep(&d, NULL);
		kill(parent, sig);
		_exit(0);
	}
	return pid;
}

static void reap(pid_t pid)
{
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

static void check_poll_eintr(int flags, const char *how)
{
	int p[2];
	pipe(p);
	catch_usr1(flags);
	pid_t pid = signal_later(SIGUSR1, 100);
	struct pollfd fd = { p[0], POLLIN, 0 };
	CHECK_ERR(EINTR, poll(&fd, 1, 5000), "poll interrupted by a caught signal (%s)", how);
	CHECK_EQ(handled, 1, "the handler ran");
	reap(pid);
	pid = signal_later(SIGUSR1, 100);
	fd_set r;
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	struct timeval tv = { 5, 0 };
	CHECK_ERR(EINTR, select(p[0] + 1, &r, NULL, NULL, &tv), "select too (%s)", how);
	CHECK_EQ(handled, 2, "the handler ran again");
	reap(pid);
	close(p[0]);
	close(p[1]);
}

static void check_ignored_signal(void)
{
	int p[2];
	pipe(p);
	signal(SIGCHLD, SIG_DFL);
	pid_t pid = fork();
	if (pid == 0) {
		struct timespec d = { 0, 50 * 1000000 };
		nanosleep(&d, NULL);
		_exit(0); /* SIGCHLD to the parent, whose default is to ignore it */
	}
	struct pollfd fd = { p[0], POLLIN, 0 };
	long start = ut_now_ms();
	CHECK_EQ(poll(&fd, 1, 300), 0, "a child's exit (SIGCHLD ignored) does not end poll");
	CHECK(ut_now_ms() - start >= 299, "it runs its full 300 ms (%ld ms)", ut_now_ms() - start);
	reap(pid);
	close(p[0]);
	close(p[1]);
}

static bool usr1_blocked(void)
{
	sigset_t cur;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	return sigismember(&cur, SIGUSR1);
}

static void check_ppoll_mask(void)
{
	int p[2];
	pipe(p);
	catch_usr1(0);
	sigset_t block, none;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigemptyset(&none);
	sigprocmask(SIG_BLOCK, &block, NULL);
	kill(getpid(), SIGUSR1);
	CHECK_EQ(handled, 0, "SIGUSR1 blocked: pending, not handled");
	struct pollfd fd = { p[0], POLLIN, 0 };
	struct timespec ts = { 5, 0 };
	long start = ut_now_ms();
	CHECK_ERR(EINTR, ppoll(&fd, 1, &ts, &none), "ppoll unblocking it: EINTR at once");
	CHECK(ut_now_ms() - start < 1000, "without waiting (%ld ms)", ut_now_ms() - start);
	CHECK_EQ(handled, 1, "the handler ran");
	CHECK(usr1_blocked(), "and SIGUSR1 is blocked again afterwards");

	sigprocmask(SIG_UNBLOCK, &block, NULL);
	pid_t pid = signal_later(SIGUSR1, 50);
	fd_set r;
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	ts = (struct timespec){ 0, 300 * 1000000 };
	CHECK_EQ(pselect(p[0] + 1, &r, NULL, NULL, &ts, &block), 0,
		 "pselect blocking SIGUSR1: the signal does not end it, it times out");
	CHECK_EQ(handled, 2, "the signal was handled once pselect returned");
	CHECK(!usr1_blocked(), "and the old mask is back");
	reap(pid);
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	check_poll_eintr(0, "no SA_RESTART");
	check_poll_eintr(SA_RESTART, "SA_RESTART");
	check_ignored_signal();
	check_ppoll_mask();
	return tap_done();
}
