/*
 * Claim: timers are not inherited by a forked child (fork(2)): after the
 * parent sets an alarm, an ITIMER_REAL, an ITIMER_VIRTUAL and a POSIX
 * timer, the child's alarm(0) returns 0, its itimers read zero, the
 * parent's timer id means nothing in the child (EINVAL), and only the
 * parent's alarm is still set afterwards.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <time.h>
#include <unistd.h>

static timer_t parent_timer;

static int child_alarm(void *arg)
{
	(void)arg;
	return alarm(0) == 0 ? 0 : 1;
}

static int child_itimers(void *arg)
{
	(void)arg;
	struct itimerval r, v;
	getitimer(ITIMER_REAL, &r);
	getitimer(ITIMER_VIRTUAL, &v);
	return r.it_value.tv_sec == 0 && r.it_value.tv_usec == 0 && v.it_value.tv_sec == 0 &&
		       v.it_value.tv_usec == 0
		   ? 0
		   : 1;
}

static int child_posix_timer(void *arg)
{
	(void)arg;
	struct itimerspec cur;
	return timer_gettime(parent_timer, &cur) == -1 && errno == EINVAL ? 0 : 1;
}

int main(void)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGALRM);
	sigaddset(&s, SIGVTALRM);
	sigaddset(&s, SIGUSR2);
	sigprocmask(SIG_BLOCK, &s, NULL);

	alarm(100);
	CHECK_EQ(ut_in_child(child_alarm, NULL), 0, "the child has no alarm (alarm(0) returns 0)");
	unsigned left = alarm(0);
	CHECK(left >= 98 && left <= 100, "the parent's alarm is still set (%u s left)", left);

	struct itimerval real = { { 1, 0 }, { 100, 0 } }, virt = { { 0, 0 }, { 50, 0 } };
	setitimer(ITIMER_REAL, &real, NULL);
	setitimer(ITIMER_VIRTUAL, &virt, NULL);
	CHECK_EQ(ut_in_child(child_itimers, NULL), 0,
		 "the child's ITIMER_REAL and ITIMER_VIRTUAL are off");
	struct itimerval cur;
	getitimer(ITIMER_REAL, &cur);
	CHECK(cur.it_value.tv_sec >= 98, "the parent's ITIMER_REAL is still armed");
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	setitimer(ITIMER_REAL, &off, NULL);
	setitimer(ITIMER_VIRTUAL, &off, NULL);

	struct sigevent ev;
	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = SIGUSR2;
	if (CHECK_OK(timer_create(CLOCK_MONOTONIC, &ev, &parent_timer), "timer_create") < 0)
		return tap_done();
	struct itimerspec its = { { 0, 0 }, { 100, 0 } };
	timer_settime(parent_timer, 0, &its, NULL);
	CHECK_EQ(ut_in_child(child_posix_timer, NULL), 0,
		 "the parent's POSIX timer does not exist in the child");
	struct itimerspec pc;
	CHECK(timer_gettime(parent_timer, &pc) == 0 && pc.it_value.tv_sec >= 98,
	      "but is still armed in the parent");
	timer_delete(parent_timer);
	return tap_done();
}
