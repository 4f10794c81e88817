/*
 * Claim: time works as on Linux, through the raw syscalls (not the vDSO):
 * CLOCK_MONOTONIC never goes back and advances; nanosleep(10 ms) sleeps at
 * least 10 ms (and not absurdly long) and rejects a bad timespec with
 * EINVAL; CLOCK_REALTIME, gettimeofday and time agree within a second and
 * are after 2020; clock_getres gives a positive resolution under a second;
 * an unknown clock is EINVAL.
 */
#include <stdbool.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <tap.h>
#include <testutil.h>
#include <time.h>
#include <unistd.h>

#define NS_PER_S  1000000000ll
#define NS_PER_MS 1000000ll
#define Y2020	  1577836800ll

static void check_monotonic(void)
{
	struct timespec ts;
	CHECK_OK(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts), "clock_gettime(MONOTONIC)");
	CHECK(ts.tv_nsec >= 0 && ts.tv_nsec < NS_PER_S, "tv_nsec is in [0, 1e9)");
	long long first = ut_clock_ns(CLOCK_MONOTONIC), now = first;
	bool backwards = false;
	for (long i = 0; i < 50000000 && now == first; i++) {
		long long t = ut_clock_ns(CLOCK_MONOTONIC);
		backwards |= t < now;
		now = t;
	}
	CHECK(now > first, "it advances while we spin");
	CHECK(!backwards, "and never went backwards");
}

static void check_nanosleep(void)
{
	struct timespec req = { 0, 10 * NS_PER_MS };
	long long before = ut_clock_ns(CLOCK_MONOTONIC);
	CHECK_OK(syscall(SYS_nanosleep, &req, NULL), "nanosleep 10 ms");
	long long slept = ut_clock_ns(CLOCK_MONOTONIC) - before;
	CHECK(slept >= 10 * NS_PER_MS, "slept at least 10 ms (%lld us)", slept / 1000);
	CHECK(slept < 5 * NS_PER_S, "and less than 5 s");
	struct timespec bad_nsec = { 0, NS_PER_S }, negative = { -1, 0 };
	CHECK_ERR(EINVAL, syscall(SYS_nanosleep, &bad_nsec, NULL), "nanosleep with tv_nsec = 1e9");
	CHECK_ERR(EINVAL, syscall(SYS_nanosleep, &negative, NULL), "nanosleep with tv_sec = -1");
}

static void check_realtime(void)
{
	struct timespec ts;
	struct timeval tv;
	CHECK_OK(syscall(SYS_clock_gettime, CLOCK_REALTIME, &ts), "clock_gettime(REALTIME)");
	CHECK_OK(syscall(SYS_gettimeofday, &tv, NULL), "gettimeofday");
	long t = syscall(SYS_time, NULL);
	CHECK(ts.tv_sec >= Y2020, "the real-time clock is after 2020 (%lld)", (long long)ts.tv_sec);
	CHECK(tv.tv_sec >= ts.tv_sec && tv.tv_sec <= ts.tv_sec + 1,
	      "gettimeofday agrees with CLOCK_REALTIME");
	CHECK(tv.tv_usec >= 0 && tv.tv_usec < 1000000, "tv_usec is in [0, 1e6)");
	CHECK(t >= ts.tv_sec && t <= ts.tv_sec + 1, "time() agrees with CLOCK_REALTIME");
}

static void check_res_and_errors(void)
{
	struct timespec res = { -1, -1 }, ts;
	CHECK_OK(syscall(SYS_clock_getres, CLOCK_MONOTONIC, &res), "clock_getres(MONOTONIC)");
	CHECK(res.tv_sec == 0 && res.tv_nsec > 0, "a positive resolution under a second (%ld ns)",
	      res.tv_nsec);
	CHECK_ERR(EINVAL, syscall(SYS_clock_gettime, 12345, &ts), "clock_gettime of clock 12345");
}

int main(void)
{
	check_monotonic();
	check_nanosleep();
	check_realtime();
	check_res_and_errors();
	return tap_done();
}
