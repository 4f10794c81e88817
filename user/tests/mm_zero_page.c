/*
 * Claim: private anonymous memory that is only read costs no memory: every
 * page of a fresh 64 MiB mapping reads as zero, and reading all of them
 * grows RSS, and on cowix (where nothing else runs) lowers MemFree, by
 * well under 16 MiB (page tables only; 64 MiB if each read got a frame;
 * a shared Linux host's MemFree is too noisy to judge); pagemap shows ONE frame behind all of them,
 * the same frame behind read-only BSS and heap pages (the zero page). The first write to such a
 * page gives it a zeroed frame of its own (a new PFN), its neighbours keep the zero page. A fork
 * child reads the same zeroes without using memory, and its writes stay in the child. cowix counts
 * zero_page_map and zero_page_cow in /proc/vmstat (Linux has no such
 * counters: skipped there). Unmapping gives the memory back.
 */
#include <cowutil.h>
#include <mmtest.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <tap.h>
#include <unistd.h>

#define LEN	 (64ul << 20)
#define NPAGES	 (LEN / MT_PAGE)
#define MAX_COST (16l << 10) /* KiB: page tables for 64 MiB are 128 KiB */

static char bss_block[16 * MT_PAGE];

/* Read the first byte of every page; true if all were zero. */
static bool read_all(const volatile unsigned char *p)
{
	unsigned sum = 0;
	for (size_t i = 0; i < NPAGES; i++)
		sum |= p[i * MT_PAGE];
	return sum == 0;
}

/*
 * What reading costs, in KiB: [0] this process's RSS growth (Linux and
 * cowix alike leave the zero page out of RSS), [1] on cowix MemFree's
 * drop (exact there: nothing else runs), else -1.
 */
struct cost {
	long rss0, free0;
};

static struct cost cost_start(void)
{
	return (struct cost){ mt_rss_kib(), mt_on_cowix() ? mt_memfree_kib() : -1 };
}

/* Two checks: the RSS and the MemFree cost since c, each skipped if unmeasurable. */
static void cost_check(struct cost c, const char *what)
{
	long rss = mt_rss_kib(), mfree = c.free0 >= 0 ? mt_memfree_kib() : -1;
	if (c.rss0 >= 0 && rss >= 0)
		CHECK(rss - c.rss0 < MAX_COST, "%s: RSS grew by %ld KiB (< %ld)", what,
		      rss - c.rss0, MAX_COST);
	else
		tap_skip("no VmRSS in /proc/self/status", "%s: RSS stays small", what);
	if (mfree >= 0)
		CHECK(c.free0 - mfree < MAX_COST, "%s: MemFree fell by %ld KiB (< %ld)", what,
		      c.free0 - mfree, MAX_COST);
	else
		tap_skip("MemFree is exact only on cowix", "%s: MemFree stays", what);
}

static void check_counters(long long maps_before, long long cows_before)
{
	long long maps = cow_vmstat("zero_page_map"), cows = cow_vmstat("zero_page_cow");
	if (maps < 0 || maps_before < 0) {
		tap_skip("no zero_page_map in /proc/vmstat (Linux)", "zero_page_map counted");
		tap_skip("no zero_page_cow in /proc/vmstat (Linux)", "zero_page_cow counted");
		return;
	}
	CHECK(maps - maps_before >= (long long)NPAGES, "zero_page_map rose by %lld (>= %lu)",
	      maps - maps_before, NPAGES);
	CHECK(cows - cows_before >= 1, "zero_page_cow rose by %lld", cows - cows_before);
}

static void check_pfns(unsigned char *p, uint64_t *zero_pfn)
{
	*zero_pfn = 0;
	if (!mt_pfns_ok()) {
		tap_skip("no PFNs in pagemap", "one frame behind every page read");
		tap_skip("no PFNs in pagemap", "the same frame behind BSS and heap pages");
		return;
	}
	uint64_t z = mt_pfn(p);
	bool same = z != 0;
	for (size_t i = 0; i < NPAGES; i += 997)
		same = same && mt_pfn(p + i * MT_PAGE) == z;
	same = same && mt_pfn(p + LEN - MT_PAGE) == z;
	CHECK(same, "one frame behind every page read (pfn %#llx)", (unsigned long long)z);
	uintptr_t cur = (uintptr_t)syscall(SYS_brk, 0);
	volatile unsigned char *heap = (void *)cur;
	if ((uintptr_t)syscall(SYS_brk, cur + 2 * MT_PAGE) != cur + 2 * MT_PAGE)
		tap_bail("cannot grow the heap");
	(void)*(volatile char *)&bss_block[8 * MT_PAGE];
	(void)heap[MT_PAGE];
	CHECK(mt_pfn(&bss_block[8 * MT_PAGE]) == z && mt_pfn((void *)&heap[MT_PAGE]) == z,
	      "the same frame behind BSS and heap pages");
	*zero_pfn = z;
}

static void check_write(unsigned char *p, uint64_t z)
{
	p[5 * MT_PAGE + 1] = 0x42;
	CHECK(p[5 * MT_PAGE + 1] == 0x42 && mt_all_zero(p + 5 * MT_PAGE + 2, 100),
	      "a write to page 5 sticks, the rest of it is zero");
	if (!z) {
		tap_skip("no PFNs in pagemap", "page 5 gets a frame of its own");
		return;
	}
	CHECK(mt_pfn(p + 5 * MT_PAGE) && mt_pfn(p + 5 * MT_PAGE) != z &&
		  mt_pfn(p + 4 * MT_PAGE) == z && mt_pfn(p + 6 * MT_PAGE) == z,
	      "page 5 gets a frame of its own; pages 4 and 6 keep the zero page");
}

/* The child reads everything and writes page 7; its checks are part of the TAP stream. */
static void check_fork(unsigned char *p, uint64_t z)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		int before = tap_count_so_far(), failed = tap_failures();
		struct cost c = cost_start();
		CHECK(read_all(p), "the fork child reads zeroes everywhere");
		cost_check(c, "the child's reads");
		p[7 * MT_PAGE] = 7;
		if (z)
			CHECK(mt_pfn(p + 7 * MT_PAGE) != z, "the child's write gets its own frame");
		_exit(tap_count_so_far() - before + (tap_failures() > failed ? 100 : 0));
	}
	int status = -1;
	waitpid(pid, &status, 0);
	int n = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	tap_resume(tap_count_so_far() + n % 100);
	CHECK(n >= 0 && n < 100, "the child passed its checks");
	CHECK_EQ(p[7 * MT_PAGE], 0, "the parent's page 7 is still zero");
	if (z)
		CHECK_EQ(mt_pfn(p + 7 * MT_PAGE), z, "and still the zero page");
}

/* Map 64 MiB and read all of it. Returns the mapping. */
static unsigned char *map_and_read(void)
{
	unsigned char *p =
	    mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		tap_bail("mmap 64 MiB");
	madvise(p, LEN, MADV_NOHUGEPAGE); /* Linux's huge zero page would show 512 PFNs */
	struct cost c = cost_start();
	CHECK(read_all(p), "every page of a fresh 64 MiB mapping reads as zero");
	cost_check(c, "reading it");
	return p;
}

int main(void)
{
	bool have_meminfo = mt_memfree_kib() >= 0;
	long base = have_meminfo ? cow_memfree_baseline() : -1;
	long long maps_before = cow_vmstat("zero_page_map"),
		  cows_before = cow_vmstat("zero_page_cow");
	unsigned char *p = map_and_read();
	uint64_t z;
	check_pfns(p, &z);
	check_write(p, z);
	check_counters(maps_before, cows_before);
	check_fork(p, z);
	munmap(p, LEN);
	if (have_meminfo)
		cow_check_memfree_back(base, 1024, "after munmap, free memory is back");
	else
		tap_skip("no /proc/meminfo", "after munmap, free memory is back");
	return tap_done();
}
