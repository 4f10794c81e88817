/*
 * cowbench: the micro-benchmarks of `make bench` (bench/run). One static
 * musl binary, run unchanged in cowix and in Linux under the same QEMU.
 *
 *   cowbench suite [--mark] [--full|--quick|--tiny]
 *			every benchmark below at one scale, each in a process of its own
 *   cowbench mark	the boot marker: the TSC, as the first line user space prints
 *   cowbench fork [-r R] [-n N] MIB
 *			fork + _exit + waitpid, with MIB MiB of touched anonymous memory
 *   cowbench cow [-r R] MIB
 *			a forked child writes one byte to every page of MIB MiB that it
 *			shares with its parent (the copy-on-write fault), per page
 *   cowbench fault [-r R] MIB
 *			first write to fresh anonymous memory (a zeroed page), then first
 *			read of fresh anonymous memory (the zero page), per page
 *   cowbench spawn [-r R] [-n N]
 *			fork + execve, vfork + execve and posix_spawn of `true` (next to
 *			this program), each followed by waitpid
 *   cowbench pipe [-r R] [-n N]
 *			one byte to a child and back through two pipes (a round trip)
 *   cowbench forkmem [-r R] MIB
 *			what a fork of a process with MIB MiB touched costs in memory:
 *			the drop in free memory (MemFree, plus Linux's per-CPU free
 *			lists from /proc/zoneinfo if there is one) and the growth of
 *			PageTables while the child lives, from /proc/meminfo
 *
 * -r is the number of samples (repetitions), -n the operations per sample:
 * each sample is the mean of a batch, so the clock's own cost vanishes.
 *
 * Output, one line per sample:
 *	BENCH <metric> <value> <unit>
 * where value is a number, "unsupported" (a system call the benchmark needs
 * failed, e.g. pipe() before pipes exist) or "n/a" (the data to read is not
 * there, e.g. no /proc/meminfo). "BENCHINFO <key> <words...>" lines describe
 * the run; "BENCHFAIL <what>: <why>" reports a broken step, and the suite's
 * last line is "BENCHDONE <failures>". Times come from CLOCK_MONOTONIC; under
 * QEMU's -icount shift=0 that clock advances 1 ns per guest instruction.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096ul
#define MIB  (1ul << 20)

extern char **environ;

static int samples = 3; /* -r */
static int batch = 1;	/* -n */
static const char *self_path = "/bench/cowbench";

/* CLOCK_MONOTONIC in nanoseconds. */
static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

/* One sample line. Written with one write(2), so fork never duplicates it. */
static void emit(const char *metric, double value, const char *unit)
{
	dprintf(1, "BENCH %s %.1f %s\n", metric, value, unit);
}

/* A sample that could not be taken: value is "unsupported" or "n/a". */
static void emit_missing(const char *metric, const char *value, const char *unit, const char *why)
{
	dprintf(1, "BENCH %s %s %s\n", metric, value, unit);
	dprintf(1, "BENCHINFO %s.%s %s\n", metric, value, why);
}

static _Noreturn void fail(const char *what)
{
	dprintf(1, "BENCHFAIL %s: %s\n", what, strerror(errno));
	exit(1);
}

/* mib MiB of private anonymous memory, every page written once (resident). */
static char *map_touched(size_t mib)
{
	if (mib == 0)
		return NULL;
	char *p = mmap(NULL, mib * MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		fail("mmap");
	for (size_t off = 0; off < mib * MIB; off += PAGE)
		p[off] = 1;
	return p;
}

/* Wait for pid; 0 if it exited with status 0, else -1. */
static int reap(pid_t pid)
{
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* fork + _exit + waitpid with mib MiB touched: ns per operation. */
static int bench_fork(size_t mib)
{
	char metric[64];
	snprintf(metric, sizeof(metric), "fork_wait_%zuMiB", mib);
	char *mem = map_touched(mib);
	for (int s = -1; s < samples; s++) {
		long long t0 = now_ns();
		for (int i = 0; i < batch; i++) {
			pid_t pid = fork();
			if (pid == 0)
				_exit(0);
			if (pid < 0)
				fail("fork");
			if (reap(pid))
				fail("fork child");
		}
		if (s >= 0) /* the first batch, a warm-up, is not a sample */
			emit(metric, (double)(now_ns() - t0) / batch, "ns");
	}
	if (mem)
		munmap(mem, mib * MIB);
	return 0;
}

/* The child writes every page it shares with its parent: ns per page. */
static int bench_cow(size_t mib)
{
	char *mem = map_touched(mib);
	for (int s = 0; s < samples; s++) {
		pid_t pid = fork();
		if (pid < 0)
			fail("fork");
		if (pid == 0) {
			long long t0 = now_ns();
			for (size_t off = 0; off < mib * MIB; off += PAGE)
				mem[off] = 2;
			emit("cow_first_write_per_page",
			     (double)(now_ns() - t0) / (mib * MIB / PAGE), "ns");
			_exit(0);
		}
		if (reap(pid))
			fail("cow child");
	}
	munmap(mem, mib * MIB);
	return 0;
}

/* First write, then first read, of fresh anonymous memory: ns per page. */
static int bench_fault(size_t mib)
{
	size_t len = mib * MIB, pages = len / PAGE;
	for (int s = 0; s < samples; s++) {
		char *p =
		    mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			fail("mmap");
		long long t0 = now_ns();
		for (size_t off = 0; off < len; off += PAGE)
			p[off] = 1;
		emit("first_write_per_page", (double)(now_ns() - t0) / pages, "ns");
		munmap(p, len);

		volatile char *q =
		    mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (q == MAP_FAILED)
			fail("mmap");
		char sum = 0;
		t0 = now_ns();
		for (size_t off = 0; off < len; off += PAGE)
			sum += q[off];
		emit("first_read_per_page", (double)(now_ns() - t0) / pages, "ns");
		if (sum != 0)
			dprintf(1, "BENCHFAIL fault: fresh memory reads %d, not 0\n", sum);
		munmap((char *)q, len);
	}
	return 0;
}

static char true_path[256];

/* Start `true` with fork + execve. The child's pid, or -1 with errno. */
static pid_t start_fork_exec(void)
{
	char *argv[] = { true_path, NULL };
	pid_t pid = fork();
	if (pid == 0) {
		execve(true_path, argv, environ);
		_exit(127);
	}
	return pid;
}

/* Start `true` with vfork + execve: the parent sleeps until the exec. */
static pid_t start_vfork_exec(void)
{
	char *argv[] = { true_path, NULL };
	pid_t pid = vfork();
	if (pid == 0) {
		execve(true_path, argv, environ);
		_exit(127);
	}
	return pid;
}

/* Start `true` with posix_spawn (musl: clone(CLONE_VM|CLONE_VFORK) and a pipe). */
static pid_t start_posix_spawn(void)
{
	char *argv[] = { true_path, NULL };
	pid_t pid;
	int err = posix_spawn(&pid, true_path, NULL, NULL, argv, environ);
	if (err) {
		errno = err;
		return -1;
	}
	return pid;
}

/* Time one way of starting `true` and waiting for it: ns per process. */
static void time_spawn(const char *metric, pid_t (*start)(void))
{
	for (int s = 0; s < samples; s++) {
		long long t0 = now_ns();
		for (int i = 0; i < batch; i++) {
			pid_t pid = start();
			if (pid < 0) {
				emit_missing(metric, "unsupported", "ns", strerror(errno));
				return;
			}
			if (reap(pid)) {
				emit_missing(metric, "unsupported", "ns",
					     "the child did not exit 0");
				return;
			}
		}
		emit(metric, (double)(now_ns() - t0) / batch, "ns");
	}
}

static int bench_spawn(void)
{
	const char *slash = strrchr(self_path, '/');
	int dir_len = slash ? (int)(slash - self_path) : 0;
	snprintf(true_path, sizeof(true_path), "%.*s/true", dir_len, self_path);
	time_spawn("fork_exec_wait", start_fork_exec);
	time_spawn("vfork_exec_wait", start_vfork_exec);
	time_spawn("posix_spawn_wait", start_posix_spawn);
	return 0;
}

/* Echo every byte from fd in to fd out until end of file. */
static _Noreturn void echo_bytes(int in, int out)
{
	char c;
	while (read(in, &c, 1) == 1)
		if (write(out, &c, 1) != 1)
			_exit(1);
	_exit(0);
}

/* A byte to a child and back through two pipes: ns per round trip. */
static int bench_pipe(void)
{
	int down[2], up[2];
	if (pipe(down) < 0 || pipe(up) < 0) {
		emit_missing("pipe_round_trip", "unsupported", "ns", strerror(errno));
		return 0;
	}
	pid_t pid = fork();
	if (pid < 0)
		fail("fork");
	if (pid == 0) {
		close(down[1]);
		close(up[0]);
		echo_bytes(down[0], up[1]);
	}
	close(down[0]);
	close(up[1]);
	for (int s = 0; s < samples; s++) {
		long long t0 = now_ns();
		for (int i = 0; i < batch; i++) {
			char c = 'x';
			if (write(down[1], &c, 1) != 1 || read(up[0], &c, 1) != 1)
				fail("pipe round trip");
		}
		emit("pipe_round_trip", (double)(now_ns() - t0) / batch, "ns");
	}
	close(down[1]);
	if (reap(pid))
		fail("pipe child");
	close(up[0]);
	return 0;
}

/* Read a whole (small) file into buf as a string; its length, or -1. */
static ssize_t read_text(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t len = 0, n;
	while (len < (ssize_t)size - 1 && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = 0;
	return len;
}

/* A /proc/meminfo field in KiB; -1 if the file or the field is missing. */
static long meminfo_kib(const char *field)
{
	static char buf[8192];
	if (read_text("/proc/meminfo", buf, sizeof(buf)) < 0)
		return -1;
	size_t flen = strlen(field);
	for (char *line = buf; line; line = strchr(line, '\n'), line = line ? line + 1 : NULL)
		if (!strncmp(line, field, flen) && line[flen] == ':')
			return strtol(line + flen + 1, NULL, 10);
	return -1;
}

/*
 * KiB held in Linux's per-CPU free lists (the "count:" lines of
 * /proc/zoneinfo), which MemFree leaves out: a page table taken from them
 * or given back to them does not move MemFree. 0 without /proc/zoneinfo.
 */
static long pcp_free_kib(void)
{
	static char buf[65536];
	long pages = 0;
	if (read_text("/proc/zoneinfo", buf, sizeof(buf)) < 0)
		return 0;
	for (char *p = buf; (p = strstr(p, "count:")); p += 6)
		pages += strtol(p + 6, NULL, 10);
	return pages * (PAGE / 1024);
}

/* Free memory in KiB: MemFree plus the per-CPU free lists; -1 without MemFree. */
static long free_kib(void)
{
	long memfree = meminfo_kib("MemFree");
	return memfree < 0 ? -1 : memfree + pcp_free_kib();
}

/* Emit after - before for a meminfo field as a KiB sample, or n/a. */
static void emit_growth(const char *metric, long before, long after, int sign)
{
	if (before < 0 || after < 0)
		emit_missing(metric, "n/a", "KiB", "no such /proc/meminfo field");
	else
		dprintf(1, "BENCH %s %ld KiB\n", metric, sign * (after - before));
}

/* Sleep for ms milliseconds. */
static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, ms % 1000 * 1000000 };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * Wait until free memory and PageTables stop moving (three equal readings
 * 20 ms apart, at most about a second): Linux frees an exited child's page
 * tables after an RCU grace period, so right after waitpid they may still
 * be leaving, and would make the next fork look cheaper than it is.
 */
static void settle_meminfo(long *free_out, long *pt_out)
{
	long f = free_kib(), pt = meminfo_kib("PageTables");
	for (int same = 0, tries = 0; same < 2 && tries < 50; tries++) {
		sleep_ms(20);
		long f2 = free_kib(), pt2 = meminfo_kib("PageTables");
		same = f2 == f && pt2 == pt ? same + 1 : 0;
		f = f2;
		pt = pt2;
	}
	*free_out = f;
	*pt_out = pt;
}

/* MemFree drop and PageTables growth while a fork of mib MiB touched lives. */
static int bench_forkmem(size_t mib)
{
	char drop[64], tables[64];
	snprintf(drop, sizeof(drop), "fork_memfree_drop_%zuMiB", mib);
	snprintf(tables, sizeof(tables), "fork_pagetables_growth_%zuMiB", mib);
	if (free_kib() < 0) {
		emit_missing(drop, "n/a", "KiB", "no /proc/meminfo");
		emit_missing(tables, "n/a", "KiB", "no /proc/meminfo");
		return 0;
	}
	char *mem = map_touched(mib);
	for (int s = 0; s < samples; s++) {
		long free0, pt0;
		settle_meminfo(&free0, &pt0); /* the last child's memory has come back */
		pid_t pid = fork();
		if (pid < 0)
			fail("fork");
		if (pid == 0)
			for (;;)
				sleep_ms(1000);
		sleep_ms(50); /* the child runs until it sleeps */
		long free1 = free_kib(), pt1 = meminfo_kib("PageTables");
		kill(pid, SIGKILL);
		int status;
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		emit_growth(drop, free0, free1, -1);
		emit_growth(tables, pt0, pt1, 1);
	}
	munmap(mem, mib * MIB);
	return 0;
}

/* The boot marker: the TSC, which under -icount counts virtual ns since reset. */
static int bench_mark(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	dprintf(1, "BENCH boot_tsc %llu ticks\n", (unsigned long long)hi << 32 | lo);
	return 0;
}

/* "BENCHINFO key <first line of file>", if the file can be read. */
static void info_file(const char *key, const char *path)
{
	char buf[256];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	dprintf(1, "BENCHINFO %s %s\n", key, buf);
}

/* The steps of each scale, each a cowbench command line; NULL ends a list. */
#define STEP(...) ((const char *[]){ __VA_ARGS__, NULL })
static const char **const full_steps[] = {
	STEP("fork", "-r", "5", "-n", "10", "0"),
	STEP("fork", "-r", "5", "-n", "10", "1"),
	STEP("fork", "-r", "5", "-n", "4", "16"),
	STEP("fork", "-r", "3", "-n", "2", "64"),
	STEP("fork", "-r", "3", "-n", "1", "256"),
	STEP("cow", "-r", "3", "64"),
	STEP("fault", "-r", "3", "64"),
	STEP("spawn", "-r", "5", "-n", "5"),
	STEP("pipe", "-r", "5", "-n", "200"),
	STEP("forkmem", "-r", "3", "256"),
	NULL,
};
static const char **const quick_steps[] = {
	STEP("fork", "-r", "3", "-n", "5", "0"),
	STEP("fork", "-r", "3", "-n", "5", "1"),
	STEP("fork", "-r", "3", "-n", "2", "16"),
	STEP("fork", "-r", "2", "-n", "1", "64"),
	STEP("fork", "-r", "2", "-n", "1", "256"),
	STEP("cow", "-r", "2", "16"),
	STEP("fault", "-r", "2", "16"),
	STEP("spawn", "-r", "3", "-n", "3"),
	STEP("pipe", "-r", "3", "-n", "100"),
	STEP("forkmem", "-r", "1", "256"),
	NULL,
};
static const char **const tiny_steps[] = {
	STEP("fork", "-r", "1", "-n", "2", "0"),
	STEP("fork", "-r", "1", "-n", "1", "1"),
	STEP("cow", "-r", "1", "1"),
	STEP("fault", "-r", "1", "1"),
	STEP("spawn", "-r", "1", "-n", "1"),
	STEP("pipe", "-r", "1", "-n", "10"),
	STEP("forkmem", "-r", "1", "1"),
	NULL,
};

/* Run one step as `self_path step...` in a child; 0 if it exited 0. */
static int run_step(const char **step)
{
	const char *argv[16] = { self_path };
	int argc = 1;
	for (; step[argc - 1] && argc < 15; argc++)
		argv[argc] = step[argc - 1];
	argv[argc] = NULL;
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execve(self_path, (char **)argv, environ);
		dprintf(1, "BENCHFAIL exec %s: %s\n", self_path, strerror(errno));
		_exit(127);
	}
	return reap(pid);
}

static int suite(int argc, char **argv)
{
	const char **const *steps = full_steps;
	const char *scale = "full";
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--mark"))
			bench_mark();
		else if (!strcmp(argv[i], "--quick"))
			steps = quick_steps, scale = "quick";
		else if (!strcmp(argv[i], "--tiny"))
			steps = tiny_steps, scale = "tiny";
		else if (strcmp(argv[i], "--full"))
			dprintf(1, "BENCHFAIL suite: unknown option %s\n", argv[i]);
	}
	struct utsname u;
	if (uname(&u) == 0)
		dprintf(1, "BENCHINFO kernel %s %s\n", u.sysname, u.release);
	dprintf(1, "BENCHINFO scale %s\n", scale);
	info_file("thp_enabled", "/sys/kernel/mm/transparent_hugepage/enabled");
	info_file("clocksource",
		  "/sys/devices/system/clocksource/clocksource0/current_clocksource");
	info_file("meltdown", "/sys/devices/system/cpu/vulnerabilities/meltdown");
	info_file("spectre_v2", "/sys/devices/system/cpu/vulnerabilities/spectre_v2");
	int failures = 0;
	for (; *steps; steps++) {
		if (run_step(*steps)) {
			dprintf(1, "BENCHFAIL step %s: did not exit 0\n", (*steps)[0]);
			failures++;
		}
	}
	dprintf(1, "BENCHDONE %d\n", failures);
	return failures ? 1 : 0;
}

static _Noreturn void usage(void)
{
	dprintf(2, "usage: cowbench suite [--mark] [--full|--quick|--tiny] | mark |\n"
		   "       fork|cow|fault|forkmem [-r R] [-n N] MIB | spawn|pipe [-r R] [-n N]\n");
	exit(2);
}

/* The MIB argument of the memory benchmarks. */
static size_t mib_arg(int argc, char **argv)
{
	if (optind != argc - 1)
		usage();
	return strtoul(argv[optind], NULL, 10);
}

/* The MIB argument of the per-page benchmarks, which need at least 1 MiB. */
static size_t mib_arg_nonzero(int argc, char **argv)
{
	size_t mib = mib_arg(argc, argv);
	if (mib == 0)
		usage();
	return mib;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	if (strchr(argv[0], '/'))
		self_path = argv[0];
	const char *mode = argv[1];
	if (!strcmp(mode, "suite"))
		return suite(argc - 1, argv + 1);
	if (!strcmp(mode, "mark"))
		return bench_mark();
	argc--, argv++;
	int opt;
	while ((opt = getopt(argc, argv, "+r:n:")) != -1) {
		if (opt == 'r')
			samples = atoi(optarg);
		else if (opt == 'n')
			batch = atoi(optarg);
		else
			usage();
	}
	if (samples < 1 || batch < 1)
		usage();
	if (!strcmp(mode, "fork"))
		return bench_fork(mib_arg(argc, argv));
	if (!strcmp(mode, "cow"))
		return bench_cow(mib_arg_nonzero(argc, argv));
	if (!strcmp(mode, "fault"))
		return bench_fault(mib_arg_nonzero(argc, argv));
	if (!strcmp(mode, "forkmem"))
		return bench_forkmem(mib_arg(argc, argv));
	if (!strcmp(mode, "spawn"))
		return bench_spawn();
	if (!strcmp(mode, "pipe"))
		return bench_pipe();
	usage();
}
