/*
 * Claim: system calls interrupted by signals behave as on Linux. A wait4
 * interrupted by a handler fails with EINTR, or carries on and returns the
 * child when the handler has SA_RESTART. nanosleep, pause and sigsuspend
 * fail with EINTR even under SA_RESTART, and nanosleep reports the time
 * left. A nanosleep in a process that is stopped and continued (no
 * handler) sleeps its full time and returns 0. A signal that is ignored
 * interrupts nothing.
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

static volatile int alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

static void set_alarm_handler(int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sa.sa_flags = flags;
	sigaction(SIGALRM, &sa, NULL);
	alarms = 0;
}

/* One SIGALRM after ms milliseconds. */
static void alarm_ms(long ms)
{
	struct itimerval it = { { 0, 0 }, { ms / 1000, (ms % 1000) * 1000 } };
	setitimer(ITIMER_REAL, &it, NULL);
}

static pid_t spawn_sleeper(long ms)
{
	pid_t pid = fork();
	if (pid == 0) {
		struct timespec t = { ms / 1000, (ms % 1000) * 1000000 };
		while (nanosleep(&t, &t))
			;
		_exit(9);
	}
	return pid;
}

static void check_wait_restart(void)
{
	int st;
	set_alarm_handler(0);
	pid_t pid = spawn_sleeper(400);
	alarm_ms(50);
	CHECK_ERR(EINTR, waitpid(pid, &st, 0), "waitpid interrupted by a handler: EINTR");
	CHECK_EQ(alarms, 1, "the handler ran");
	set_alarm_handler(SA_RESTART);
	alarm_ms(50);
	CHECK_EQ(waitpid(pid, &st, 0), pid, "with SA_RESTART waitpid carries on to the child");
	CHECK(alarms == 1 && WIFEXITED(st) && WEXITSTATUS(st) == 9, "after the handler ran");
}

static void check_always_eintr(void)
{
	set_alarm_handler(SA_RESTART);
	struct timespec req = { 5, 0 }, rem = { 0, 0 };
	alarm_ms(50);
	CHECK_ERR(EINTR, nanosleep(&req, &rem), "nanosleep: EINTR even with SA_RESTART");
	CHECK(rem.tv_sec >= 3 && rem.tv_sec <= 5, "with the time left in rem (%lld s)",
	      (long long)rem.tv_sec);
	alarm_ms(50);
	CHECK_ERR(EINTR, pause(), "pause: EINTR");
	sigset_t none;
	sigemptyset(&none);
	alarm_ms(50);
	CHECK_ERR(EINTR, sigsuspend(&none), "sigsuspend: EINTR");
	CHECK_EQ(alarms, 3, "each after its handler ran");
}

static void check_ignored_no_eintr(void)
{
	int st;
	signal(SIGALRM, SIG_IGN);
	pid_t pid = spawn_sleeper(200);
	alarm_ms(50);
	CHECK_EQ(waitpid(pid, &st, 0), pid, "an ignored signal does not interrupt waitpid");
	signal(SIGALRM, SIG_DFL);
}

static void sleep_through_stop(void *arg)
{
	(void)arg;
	long long t0 = ut_clock_ns(CLOCK_MONOTONIC);
	struct timespec req = { 1, 0 };
	int r = nanosleep(&req, NULL);
	long long ms = (ut_clock_ns(CLOCK_MONOTONIC) - t0) / 1000000;
	_exit(r == 0 && ms >= 950 ? 0 : 1);
}

static void check_stop_cont_sleep(void)
{
	int st;
	pid_t pid = fork();
	if (pid == 0)
		sleep_through_stop(NULL);
	struct timespec t = { 0, 100 * 1000 * 1000 };
	nanosleep(&t, NULL);
	kill(pid, SIGSTOP);
	waitpid(pid, &st, WUNTRACED);
	nanosleep(&t, NULL);
	kill(pid, SIGCONT);
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "a nanosleep stopped and continued returns 0 after its full time (%#x)", st);
}

int main(void)
{
	check_wait_restart();
	check_always_eintr();
	check_ignored_no_eintr();
	check_stop_cont_sleep();
	return tap_done();
}
