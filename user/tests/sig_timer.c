/*
 * Claim: timers that send signals work as on Linux. alarm returns the
 * seconds left on the previous alarm and fires SIGALRM; setitimer
 * ITIMER_REAL fires periodically and getitimer shows the time left;
 * ITIMER_VIRTUAL and ITIMER_PROF fire after CPU time is spent; bad
 * arguments get EINVAL. POSIX timers: timer_create with SIGEV_SIGNAL sends
 * the chosen signal with SI_TIMER and the sigev value, timer_gettime counts
 * down, a periodic timer whose signal is still pending counts overruns,
 * TIMER_ABSTIME on CLOCK_REALTIME works, SIGEV_NONE sends nothing,
 * timer_delete removes the id. Bounds on time are generous.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>
#include <sys/time.h>
#include <tap.h>
#include <testutil.h>
#include <time.h>
#include <unistd.h>

#define MS 1000000ll

/* Wait up to limit_s seconds for sig (blocked); its number, or -1. */
static int wait_sig(int sig, siginfo_t *si, int limit_s)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	struct timespec limit = { limit_s, 0 };
	return sigtimedwait(&s, si, &limit);
}

static void block(int sig)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	sigprocmask(SIG_BLOCK, &s, NULL);
}

static void check_alarm(void)
{
	CHECK_EQ(alarm(2), 0, "alarm with none set returns 0");
	CHECK_EQ(alarm(0), 2, "alarm(0) returns the seconds left (2)");
	CHECK_EQ(alarm(0), 0, "and cancelled it");
	long long t0 = ut_clock_ns(CLOCK_MONOTONIC);
	alarm(1);
	siginfo_t si;
	CHECK_EQ(wait_sig(SIGALRM, &si, 10), SIGALRM, "alarm(1) sends SIGALRM");
	long long ms = (ut_clock_ns(CLOCK_MONOTONIC) - t0) / MS;
	CHECK(ms >= 950, "after about a second (%lld ms)", ms);
}

static void check_itimer_real(void)
{
	struct itimerval it = { { 0, 20000 }, { 0, 20000 } }, cur;
	long long t0 = ut_clock_ns(CLOCK_MONOTONIC);
	CHECK_OK(setitimer(ITIMER_REAL, &it, NULL), "setitimer(ITIMER_REAL, every 20 ms)");
	int n = 0;
	for (int i = 0; i < 5; i++)
		n += wait_sig(SIGALRM, NULL, 5) == SIGALRM;
	long long ms = (ut_clock_ns(CLOCK_MONOTONIC) - t0) / MS;
	CHECK(n == 5 && ms >= 90, "five SIGALRMs, no sooner than 100 ms (%d in %lld ms)", n, ms);
	CHECK_OK(getitimer(ITIMER_REAL, &cur), "getitimer");
	CHECK(cur.it_interval.tv_usec == 20000 && cur.it_value.tv_sec == 0 &&
		  cur.it_value.tv_usec <= 20000,
	      "shows the interval and at most 20 ms left (%ld us)", (long)cur.it_value.tv_usec);
	struct itimerval off = { { 0, 0 }, { 0, 0 } }, old;
	CHECK_OK(setitimer(ITIMER_REAL, &off, &old), "disarm");
	CHECK_EQ(old.it_interval.tv_usec, 20000, "returning the old setting");
	getitimer(ITIMER_REAL, &cur);
	CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_usec == 0, "now it is off");
	sigset_t p;
	sigpending(&p);
	if (sigismember(&p, SIGALRM))
		wait_sig(SIGALRM, NULL, 0);
	CHECK_ERR(EINVAL, setitimer(7, &it, NULL), "an unknown itimer");
	struct itimerval bad = { { 0, 0 }, { 0, 1000000 } };
	CHECK_ERR(EINVAL, setitimer(ITIMER_REAL, &bad, NULL), "tv_usec of a million");
}

static void check_cpu_itimer(int which, int sig, const char *name)
{
	struct itimerval it = { { 0, 0 }, { 0, 50000 } };
	CHECK_OK(setitimer(which, &it, NULL), "setitimer(%s, 50 ms)", name);
	long long wall0 = ut_clock_ns(CLOCK_MONOTONIC),
		  cpu0 = ut_clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	sigset_t p;
	volatile unsigned long spin = 0;
	do {
		for (int i = 0; i < 100000; i++)
			spin++;
		sigpending(&p);
	} while (!sigismember(&p, sig) && ut_clock_ns(CLOCK_MONOTONIC) - wall0 < 20000 * MS);
	long long cpu_ms = (ut_clock_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu0) / MS;
	CHECK(sigismember(&p, sig), "%s fires while the process computes", name);
	CHECK(cpu_ms >= 40, "after about 50 ms of CPU time (%lld ms)", cpu_ms);
	wait_sig(sig, NULL, 0);
}

static void check_posix_timer(void)
{
	timer_t id;
	struct sigevent ev;
	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = SIGRTMIN + 1;
	ev.sigev_value.sival_int = 0x1234;
	CHECK_OK(timer_create(CLOCK_MONOTONIC, &ev, &id), "timer_create(CLOCK_MONOTONIC)");
	struct itimerspec its = { { 0, 0 }, { 0, 200 * MS } }, cur;
	CHECK_OK(timer_settime(id, 0, &its, NULL), "arm it for 200 ms");
	CHECK_OK(timer_gettime(id, &cur), "timer_gettime");
	CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0 &&
		  cur.it_value.tv_nsec <= 200 * MS,
	      "counts down from 200 ms (%ld ns)", (long)cur.it_value.tv_nsec);
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	CHECK_EQ(wait_sig(SIGRTMIN + 1, &si, 10), SIGRTMIN + 1, "it sends its signal");
	CHECK(si.si_code == SI_TIMER && si.si_value.sival_int == 0x1234,
	      "with SI_TIMER and the sigev value (code %d value %#x)", si.si_code,
	      si.si_value.sival_int);
	timer_gettime(id, &cur);
	CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0,
	      "a one-shot timer is then off");

	its = (struct itimerspec){ { 0, 10 * MS }, { 0, 10 * MS } };
	timer_settime(id, 0, &its, NULL);
	struct timespec nap = { 0, 150 * MS };
	while (nanosleep(&nap, &nap))
		;
	memset(&si, 0, sizeof(si));
	wait_sig(SIGRTMIN + 1, &si, 5);
	CHECK(si.si_overrun >= 2, "a periodic timer whose signal waits counts overruns (%d)",
	      si.si_overrun);
	CHECK(timer_getoverrun(id) >= 0, "timer_getoverrun answers");
	CHECK_OK(timer_delete(id), "timer_delete");
	CHECK_ERR(EINVAL, timer_gettime(id, &cur), "a deleted timer is gone");
	sigset_t p;
	sigpending(&p);
	while (sigismember(&p, SIGRTMIN + 1) && wait_sig(SIGRTMIN + 1, NULL, 0) > 0)
		sigpending(&p);
}

static void check_posix_misc(void)
{
	timer_t id;
	struct sigevent ev;
	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = SIGUSR2;
	CHECK_OK(timer_create(CLOCK_REALTIME, &ev, &id), "timer_create(CLOCK_REALTIME)");
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	struct itimerspec its = { { 0, 0 }, { now.tv_sec, now.tv_nsec + 50 * MS } };
	if (its.it_value.tv_nsec >= 1000 * MS) {
		its.it_value.tv_sec++;
		its.it_value.tv_nsec -= 1000 * MS;
	}
	CHECK_OK(timer_settime(id, TIMER_ABSTIME, &its, NULL), "arm it at an absolute time");
	CHECK_EQ(wait_sig(SIGUSR2, NULL, 10), SIGUSR2, "it fires");
	timer_delete(id);

	ev.sigev_notify = SIGEV_NONE;
	CHECK_OK(timer_create(CLOCK_MONOTONIC, &ev, &id), "a SIGEV_NONE timer");
	its = (struct itimerspec){ { 0, 0 }, { 0, 30 * MS } };
	timer_settime(id, 0, &its, NULL);
	struct timespec nap = { 0, 60 * MS };
	while (nanosleep(&nap, &nap))
		;
	sigset_t p;
	sigpending(&p);
	CHECK(!sigismember(&p, SIGUSR2), "sends nothing when it expires");
	timer_delete(id);

	CHECK_ERR(EINVAL, timer_create(12345, NULL, &id), "timer_create on an unknown clock");
	ev.sigev_notify = 77;
	CHECK_ERR(EINVAL, timer_create(CLOCK_MONOTONIC, &ev, &id), "an unknown sigev_notify");
}

int main(void)
{
	block(SIGALRM);
	block(SIGVTALRM);
	block(SIGPROF);
	block(SIGUSR2);
	block(SIGRTMIN + 1);
	check_alarm();
	check_itimer_real();
	check_cpu_itimer(ITIMER_VIRTUAL, SIGVTALRM, "ITIMER_VIRTUAL");
	check_cpu_itimer(ITIMER_PROF, SIGPROF, "ITIMER_PROF");
	check_posix_timer();
	check_posix_misc();
	return tap_done();
}
