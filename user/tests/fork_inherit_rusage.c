/*
 * Claim: resource accounting across fork and wait, as on Linux. A child's
 * CPU times start near zero even when its parent has burnt CPU
 * (getrusage, times, CLOCK_PROCESS_CPUTIME_ID), and its RUSAGE_CHILDREN
 * starts empty. The CPU a child burns, and the pages it faults in, show in
 * wait4's rusage and in the parent's RUSAGE_CHILDREN once it is reaped
 * (not before), and in the child's own ru_minflt and ru_maxrss.
 * RUSAGE_THREAD is at most RUSAGE_SELF; an unknown 'who' is EINVAL.
 * Bounds are generous: 10 ms ticks, and "near zero" is under 100 ms.
 */
#define _GNU_SOURCE
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <time.h>
#include <unistd.h>

#define MS 1000000ll

static long long tv_ms(struct timeval tv)
{
	return tv.tv_sec * 1000ll + tv.tv_usec / 1000;
}

static long long cpu_ms(const struct rusage *ru)
{
	return tv_ms(ru->ru_utime) + tv_ms(ru->ru_stime);
}

/* Spin until this process has used ms more milliseconds of CPU. */
static void burn(long long ms)
{
	long long end = ut_clock_ns(CLOCK_PROCESS_CPUTIME_ID) + ms * MS;
	volatile unsigned long x = 0;
	while (ut_clock_ns(CLOCK_PROCESS_CPUTIME_ID) < end)
		for (int i = 0; i < 10000; i++)
			x++;
}

#define TOUCH_PAGES 1024 /* 4 MiB */

/* Child: report its starting counters through the exit code, then burn and touch. */
static int child_main(void)
{
	struct rusage self, kids;
	struct tms t;
	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	times(&t);
	long long clk = ut_clock_ns(CLOCK_PROCESS_CPUTIME_ID) / MS;
	int bad = (cpu_ms(&self) >= 100) | (clk >= 100) << 1 |
		  (t.tms_utime + t.tms_stime >= 10) << 2 | (cpu_ms(&kids) != 0) << 3;
	long before = self.ru_minflt;
	char *p = mmap(NULL, TOUCH_PAGES * 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	madvise(p, TOUCH_PAGES * 4096, MADV_NOHUGEPAGE); /* one fault per page, not per 2 MiB */
	for (int i = 0; i < TOUCH_PAGES; i++)
		p[i * 4096] = 1;
	getrusage(RUSAGE_SELF, &self);
	bad |= (self.ru_minflt - before < TOUCH_PAGES) << 4;
	bad |= (self.ru_maxrss < TOUCH_PAGES * 4) << 5;
	burn(200);
	return bad;
}

int main(void)
{
	struct rusage kids0, kids1, ru, self, thread;
	burn(300);
	getrusage(RUSAGE_CHILDREN, &kids0);
	pid_t pid = fork();
	if (pid == 0)
		_exit(child_main());
	int st;
	CHECK_EQ(wait4(pid, &st, 0, &ru), pid, "wait4 with an rusage");
	int bad = WIFEXITED(st) ? WEXITSTATUS(st) : 0xff;
	CHECK(!(bad & 1), "the child's getrusage CPU time starts under 100 ms");
	CHECK(!(bad & 2), "so does its CLOCK_PROCESS_CPUTIME_ID");
	CHECK(!(bad & 4), "and its times() tms_utime + tms_stime");
	CHECK(!(bad & 8), "its RUSAGE_CHILDREN starts empty");
	CHECK(!(bad & 16), "touching %d new pages adds at least that many minor faults",
	      TOUCH_PAGES);
	CHECK(!(bad & 32), "and ru_maxrss reaches at least 4 MiB");
	CHECK(cpu_ms(&ru) >= 150, "wait4's rusage has the child's CPU time (%lld ms)", cpu_ms(&ru));
	CHECK(ru.ru_minflt >= TOUCH_PAGES, "and its minor faults (%ld)", ru.ru_minflt);
	getrusage(RUSAGE_CHILDREN, &kids1);
	CHECK(cpu_ms(&kids1) - cpu_ms(&kids0) >= 150,
	      "RUSAGE_CHILDREN grew by the reaped child's time (%lld ms)",
	      cpu_ms(&kids1) - cpu_ms(&kids0));
	CHECK(kids1.ru_maxrss >= TOUCH_PAGES * 4, "its ru_maxrss is the child's peak (%ld KiB)",
	      kids1.ru_maxrss);
	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_THREAD, &thread);
	CHECK(cpu_ms(&self) >= 280, "our own CPU time counts what we burnt (%lld ms)",
	      cpu_ms(&self));
	CHECK(cpu_ms(&thread) <= cpu_ms(&self) + 10, "RUSAGE_THREAD is at most RUSAGE_SELF");
	struct tms t;
	CHECK(times(&t) != (clock_t)-1 && t.tms_cutime + t.tms_cstime >= 15,
	      "times() shows the children's time too (%ld ticks)",
	      (long)(t.tms_cutime + t.tms_cstime));
	CHECK_ERR(EINVAL, getrusage(5, &ru), "getrusage with an unknown who");
	return tap_done();
}
