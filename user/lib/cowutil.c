/* Helpers for the copy-on-write tests and /bin/cowdemo: see user/include/cowutil.h. */
#include <cowutil.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <time.h>
#include <unistd.h>

/* Read exactly len bytes of path at off; 0, or -1 with errno (EIO at end of file). */
static int pread_all(const char *path, void *buf, size_t len, off_t off)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *p = buf;
	ssize_t n = 1;
	if (fd < 0)
		return -1;
	while (len > 0 && (n = pread(fd, p, len, off)) > 0) {
		p += n;
		off += n;
		len -= n;
	}
	int err = n < 0 ? errno : EIO;
	close(fd);
	if (len == 0)
		return 0;
	errno = err;
	return -1;
}

int cow_pagemap(const void *addr, size_t npages, uint64_t *entries)
{
	off_t off = (off_t)((uintptr_t)addr / COW_PAGE * 8);
	return pread_all("/proc/self/pagemap", entries, npages * 8, off);
}

uint64_t cow_pagemap_entry(const void *addr)
{
	uint64_t e;
	return cow_pagemap(addr, 1, &e) == 0 ? e : 0;
}

uint64_t cow_pfn(const void *addr)
{
	uint64_t e = cow_pagemap_entry(addr);
	return e & PM_PRESENT ? e & PM_PFN_MASK : 0;
}

int cow_pfns(const void *addr, size_t npages, uint64_t *pfns)
{
	if (cow_pagemap(addr, npages, pfns) != 0)
		return -1;
	for (size_t i = 0; i < npages; i++)
		pfns[i] = pfns[i] & PM_PRESENT ? pfns[i] & PM_PFN_MASK : 0;
	return 0;
}

bool cow_pfns_visible(void)
{
	static volatile char probe[COW_PAGE];
	uint64_t e;
	probe[0] = 1;
	if (cow_pagemap((const void *)probe, 1, &e) != 0) {
		tap_diag("cannot read /proc/self/pagemap: %s", strerror(errno));
		return false;
	}
	if (!(e & PM_PRESENT) || !(e & PM_PFN_MASK)) {
		tap_diag("/proc/self/pagemap hides PFNs (entry %#llx; Linux needs CAP_SYS_ADMIN)",
			 (unsigned long long)e);
		return false;
	}
	return true;
}

long long cow_kpagecount(uint64_t pfn)
{
	uint64_t count;
	if (pread_all("/proc/kpagecount", &count, 8, (off_t)(pfn * 8)) != 0)
		return -1;
	return (long long)count;
}

long long cow_kpageflags(uint64_t pfn)
{
	uint64_t flags;
	if (pread_all("/proc/kpageflags", &flags, 8, (off_t)(pfn * 8)) != 0)
		return -1;
	return (long long)flags;
}

/*
 * Find "name" at the start of a line of the file at path, followed by
 * separator sep, and return the number after it; -1 if absent.
 */
static long long proc_field(const char *path, const char *name, char sep)
{
	char buf[16384];
	size_t len = strlen(name);
	if (ut_read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	for (char *line = buf; line; line = strchr(line, '\n')) {
		line += *line == '\n';
		if (!strncmp(line, name, len) && line[len] == sep)
			return strtoll(line + len + 1, NULL, 10);
	}
	return -1;
}

long cow_meminfo_kib(const char *field)
{
	return (long)proc_field("/proc/meminfo", field, ':');
}

long cow_rollup_kib(const char *field)
{
	return (long)proc_field("/proc/self/smaps_rollup", field, ':');
}

long cow_pcp_free_kib(void)
{
	static char buf[65536];
	long pages = 0;
	if (ut_read_file("/proc/zoneinfo", buf, sizeof(buf)) < 0)
		return 0;
	for (char *p = buf; (p = strstr(p, "count:")); p += 6)
		pages += strtol(p + 6, NULL, 10);
	return pages * (long)(COW_PAGE / 1024);
}

long cow_memfree_kib(void)
{
	long kib = cow_meminfo_kib("MemFree");
	return kib < 0 ? -1 : kib + cow_pcp_free_kib();
}

long long cow_vmstat(const char *name)
{
	return proc_field("/proc/vmstat", name, ' ');
}

void *cow_map(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	/* 4 KiB pages only: on a Linux whose transparent huge pages are "always" on, ask
	 * for none here. Kernels without huge pages (cowix) are not asked at all. */
	if (access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK) == 0)
		madvise(p, len, MADV_NOHUGEPAGE);
	return p;
}

void cow_touch(void *p, size_t len, unsigned char value)
{
	volatile unsigned char *c = p;
	for (size_t off = 0; off < len; off += COW_PAGE)
		c[off] = value;
}

void *cow_touch_mib(size_t mib)
{
	void *p = cow_map(mib * COW_MIB);
	if (p)
		cow_touch(p, mib * COW_MIB, 1);
	return p;
}

uint64_t cow_pattern(uint64_t seed, size_t i)
{
	return ((seed + 1) * 0x9e3779b97f4a7c15ull) ^ (i * 0xff51afd7ed558ccdull) ^ i;
}

void cow_fill(void *p, size_t len, uint64_t seed)
{
	uint64_t *w = p;
	for (size_t i = 0; i < len / 8; i++)
		w[i] = cow_pattern(seed, i);
}

long cow_find_bad_at(const void *base, size_t from, size_t len, uint64_t seed)
{
	const uint64_t *w = base;
	for (size_t i = from / 8; i < (from + len) / 8; i++)
		if (w[i] != cow_pattern(seed, i))
			return (long)(i * 8);
	return -1;
}

long cow_find_bad(const void *p, size_t len, uint64_t seed)
{
	return cow_find_bad_at(p, 0, len, seed);
}

/* Move all len bytes through fd, retrying after signals; 0, or -1 on error or end of file. */
static int cow_xfer(int fd, char *p, size_t len, bool is_write)
{
	while (len > 0) {
		ssize_t n = is_write ? write(fd, p, len) : read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

int cow_send(int fd, const void *buf, size_t len)
{
	return cow_xfer(fd, (char *)buf, len, true);
}

int cow_recv(int fd, void *buf, size_t len)
{
	return cow_xfer(fd, buf, len, false);
}

int cow_barrier_init(struct cow_barrier *b)
{
	b->in = b->out = -1;
	if (pipe(b->to_child) != 0)
		return -1;
	if (pipe(b->to_parent) != 0) {
		close(b->to_child[0]);
		close(b->to_child[1]);
		return -1;
	}
	return 0;
}

void cow_barrier_side(struct cow_barrier *b, bool is_child)
{
	b->in = is_child ? b->to_child[0] : b->to_parent[0];
	b->out = is_child ? b->to_parent[1] : b->to_child[1];
	close(is_child ? b->to_child[1] : b->to_parent[1]);
	close(is_child ? b->to_parent[0] : b->to_child[0]);
}

int cow_barrier_sync(struct cow_barrier *b)
{
	char token = 'b';
	if (cow_send(b->out, &token, 1) != 0)
		return -1;
	return cow_recv(b->in, &token, 1);
}

void cow_barrier_close(struct cow_barrier *b)
{
	close(b->in);
	close(b->out);
	b->in = b->out = -1;
}

/* Fields that other processes on a busy Linux machine move while a test runs. */
static const char *const linux_churn[] = { "AnonPages",	   "Cached",	 "Buffers",
					   "SReclaimable", "SUnreclaim", "KernelStack",
					   "PageTables",   NULL };

/* cowix's /proc/vmstat has its own copy-on-write counters; Linux's has none. */
static bool on_cowix(void)
{
	static int known = -1;
	if (known < 0)
		known = cow_vmstat("cow_fault") >= 0;
	return known;
}

long cow_leak_gauge_kib(void)
{
	long kib = cow_memfree_kib();
	if (kib < 0 || on_cowix())
		return kib; /* MemFree alone: exact on a machine with nothing else running */
	for (int i = 0; linux_churn[i]; i++) {
		long field = cow_meminfo_kib(linux_churn[i]);
		kib += field > 0 ? field : 0;
	}
	return kib;
}

long cow_memfree_baseline(void)
{
	static bool told;
	if (!told && !on_cowix())
		tap_diag("not cowix: the MemFree checks count MemFree + per-CPU free lists + "
			 "AnonPages + Cached + Buffers + Slab + KernelStack + PageTables, so other "
			 "processes on this machine do not count");
	told = true;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		tap_bail("warm-up fork: %s", strerror(errno));
	if (pid == 0)
		_exit(0);
	if (cow_wait_exit(pid) != 0)
		tap_bail("warm-up child did not exit 0");
	long kib = cow_leak_gauge_kib();
	if (kib < 0)
		tap_bail("cannot read MemFree from /proc/meminfo");
	return kib;
}

bool cow_check_memfree_back(long baseline_kib, long tol_kib, const char *what)
{
	long now = cow_leak_gauge_kib(), best = now;
	for (int tries = 0; tries < 100 && now < baseline_kib - tol_kib; tries++) {
		ut_sleep_ms(50);
		now = cow_leak_gauge_kib();
		if (now > best)
			best = now;
	}
	bool ok = CHECK(now >= baseline_kib - tol_kib,
			"MemFree is back at its baseline %s (within %ld KiB)", what, tol_kib);
	if (!ok)
		tap_diag("baseline %ld KiB, now %ld KiB (best seen %ld): %ld KiB missing",
			 baseline_kib, now, best, baseline_kib - best);
	return ok;
}

int cow_wait_exit(pid_t pid)
{
	int status;
	pid_t r;
	while ((r = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
		;
	if (r != pid) {
		tap_diag("waitpid(%d): %s", (int)pid, strerror(errno));
		return -1;
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	tap_diag("child %d did not exit: status %#x%s", (int)pid, status,
		 WIFSIGNALED(status) ? " (killed by a signal)" : "");
	return -1;
}
