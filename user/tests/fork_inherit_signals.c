/*
 * Claim: what a forked child inherits of its parent's signal state, as on
 * Linux (fork(2)): the blocked mask and the dispositions (a handler still
 * runs in the child, an ignored signal stays ignored), but not the pending
 * signals, neither those sent to the thread (raise) nor those sent to the
 * process (kill): the child's sigpending is empty while the parent's still
 * shows them.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>

static volatile int handled;

static void on_usr2(int sig)
{
	(void)sig;
	handled = 1;
}

static int child_pending(void *arg)
{
	(void)arg;
	sigset_t p;
	sigpending(&p);
	return sigismember(&p, SIGUSR1) * 1 + sigismember(&p, SIGTERM) * 2;
}

static int child_mask(void *arg)
{
	(void)arg;
	sigset_t m;
	sigprocmask(SIG_BLOCK, NULL, &m);
	return sigismember(&m, SIGUSR1) && sigismember(&m, SIGTERM) ? 0 : 1;
}

static int child_dispositions(void *arg)
{
	(void)arg;
	raise(SIGUSR2);
	raise(SIGHUP); /* ignored, as in the parent */
	return handled ? 0 : 1;
}

int main(void)
{
	sigset_t s, p;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigaddset(&s, SIGTERM);
	sigprocmask(SIG_BLOCK, &s, NULL);
	raise(SIGUSR1);		 /* pending on the thread */
	kill(getpid(), SIGTERM); /* pending on the process */
	sigpending(&p);
	CHECK(sigismember(&p, SIGUSR1) && sigismember(&p, SIGTERM),
	      "the parent has SIGUSR1 and SIGTERM pending (blocked)");
	CHECK_EQ(ut_in_child(child_pending, NULL), 0, "the child has neither pending");
	sigpending(&p);
	CHECK(sigismember(&p, SIGUSR1) && sigismember(&p, SIGTERM), "the parent still has both");
	CHECK_EQ(ut_in_child(child_mask, NULL), 0, "the child inherits the blocked mask");
	signal(SIGUSR2, on_usr2);
	signal(SIGHUP, SIG_IGN);
	CHECK_EQ(ut_in_child(child_dispositions, NULL), 0,
		 "the child inherits dispositions: its handler runs, SIG_IGN stays");
	signal(SIGTERM, SIG_IGN); /* drop the pending SIGTERM before unblocking */
	signal(SIGUSR1, SIG_IGN);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	return tap_done();
}
