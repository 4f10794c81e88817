/*
 * Claim: the system-information calls answer as on Linux: uname says
 * "Linux" and "x86_64" with a release starting with a digit; getrandom fills
 * the buffer with bytes that differ from call to call (flags 0 and
 * GRND_NONBLOCK; unknown flags are EINVAL); sysinfo reports memory, a
 * process count and an uptime no less than CLOCK_MONOTONIC; getrlimit/setrlimit/prlimit64
 * round-trip RLIMIT_NOFILE, a soft limit above the hard one is EINVAL, and the lowered limit is
 * enforced (EMFILE); sched_yield succeeds.
 */
#include <ctype.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <tap.h>
#include <testutil.h>
#include <time.h>
#include <unistd.h>

static void check_uname(void)
{
	struct utsname u;
	CHECK_OK(uname(&u), "uname");
	CHECK_STR(u.sysname, "Linux", "sysname");
	CHECK_STR(u.machine, "x86_64", "machine");
	CHECK(isdigit((unsigned char)u.release[0]), "release starts with a digit (%s)", u.release);
	CHECK(u.nodename[0] != 0, "nodename is not empty");
}

static void check_getrandom(void)
{
	unsigned char a[64], b[64], zero[64] = { 0 };
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	CHECK_EQ(getrandom(a, sizeof(a), 0), sizeof(a), "getrandom fills 64 bytes");
	CHECK_EQ(getrandom(b, sizeof(b), GRND_NONBLOCK), sizeof(b), "so does GRND_NONBLOCK");
	CHECK(memcmp(a, zero, sizeof(a)) != 0, "the bytes are not all zero");
	CHECK(memcmp(a, b, sizeof(a)) != 0, "two calls give different bytes");
	CHECK_EQ(getrandom(a, 0, 0), 0, "a zero-length request returns 0");
	CHECK_ERR(EINVAL, getrandom(a, 8, 0x1000), "an unknown flag");
}

static void check_sysinfo(void)
{
	struct sysinfo si;
	CHECK_OK(sysinfo(&si), "sysinfo");
	CHECK(si.totalram > 0 && si.mem_unit >= 1, "reports some RAM");
	CHECK(si.freeram <= si.totalram, "free RAM is at most the total");
	CHECK(si.procs >= 1, "at least one process (%u)", si.procs);
	long long mono_s = ut_clock_ns(CLOCK_MONOTONIC) / 1000000000;
	CHECK((long long)si.uptime >= mono_s, "uptime (%ld s) is at least CLOCK_MONOTONIC (%lld s)",
	      si.uptime, mono_s);
}

/* Open /dev/null until it fails: no descriptor may reach limit, then EMFILE. */
static void check_nofile_enforced(int limit)
{
	int fds[64], n = 0, fd, highest = -1;
	while (n < 64 && (fd = open("/dev/null", O_RDONLY)) >= 0) {
		fds[n++] = fd;
		highest = fd > highest ? fd : highest;
	}
	CHECK(n < 64 && errno == EMFILE, "opening stops with EMFILE");
	CHECK(highest < limit, "before any descriptor reaches the limit (highest %d)", highest);
	while (n > 0)
		close(fds[--n]);
}

static void check_rlimit(void)
{
	struct rlimit orig, now, old, lim;
	CHECK_OK(getrlimit(RLIMIT_NOFILE, &orig), "getrlimit(RLIMIT_NOFILE)");
	CHECK(orig.rlim_cur <= orig.rlim_max && orig.rlim_cur >= 16, "soft <= hard, soft >= 16");
	lim = (struct rlimit){ 16, orig.rlim_max };
	CHECK_OK(setrlimit(RLIMIT_NOFILE, &lim), "setrlimit soft limit 16");
	getrlimit(RLIMIT_NOFILE, &now);
	CHECK(now.rlim_cur == 16 && now.rlim_max == orig.rlim_max, "getrlimit reads it back");
	lim.rlim_cur = 20;
	CHECK_OK(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &lim, &old), "prlimit64 sets 20");
	CHECK_EQ(old.rlim_cur, 16, "and returns the old limit, 16");
	lim = (struct rlimit){ orig.rlim_max, orig.rlim_max - 1 };
	CHECK_ERR(EINVAL, setrlimit(RLIMIT_NOFILE, &lim), "a soft limit above the hard one");
	CHECK_ERR(EINVAL, syscall(SYS_prlimit64, 0, 9999, NULL, &old), "an unknown resource");
	check_nofile_enforced(20);
	CHECK_OK(setrlimit(RLIMIT_NOFILE, &orig), "restore the original limit");
}

int main(void)
{
	check_uname();
	check_getrandom();
	check_sysinfo();
	check_rlimit();
	CHECK_OK(sched_yield(), "sched_yield");
	return tap_done();
}
