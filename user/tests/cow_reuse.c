/*
 * Claim: the last owner of a copy-on-write frame gets write access back
 * without a copy. After fork the child writes pages 0 and 2 (taking its own
 * copies). While the child lives, the parent's write to page 1, still
 * shared, copies it (new PFN), but its write to page 2, which the child no
 * longer maps, keeps the PFN. After the child has exited and been reaped,
 * the parent's page 0 is mapped once and exclusively again, and writing it
 * keeps the PFN. On cowix, /proc/vmstat's cow_reuse counts that reuse
 * (Linux has no such counter: skipped). MemFree returns to its baseline.
 */
#include <cowutil.h>
#include <tap.h>
#include <unistd.h>

#define PAGES	  64 /* pages 3-63 are touched after page 0, as a real program would */
#define REGION_SZ (PAGES * COW_PAGE)
#define SEED	  31

static void child(unsigned char *region, struct cow_barrier *b)
{
	cow_barrier_side(b, true);
	region[0] ^= 1;
	region[2 * COW_PAGE] ^= 1;
	if (cow_barrier_sync(b) != 0) /* copies made */
		_exit(3);
	_exit(cow_barrier_sync(b) == 0 ? 0 : 4); /* parent done with pages 1 and 2 */
}

/* Write one byte of page i of the parent's region; return its frame before and after. */
static void write_page(unsigned char *region, int i, uint64_t *before, uint64_t *after)
{
	*before = cow_pfn(region + i * COW_PAGE);
	region[i * COW_PAGE + 1] ^= 0xff;
	*after = cow_pfn(region + i * COW_PAGE);
}

static void check_while_child_lives(unsigned char *region, struct cow_barrier *b)
{
	if (CHECK_OK(cow_barrier_sync(b), "the child wrote pages 0 and 2") != 0)
		return;
	uint64_t before, after;
	CHECK_EQ(cow_kpagecount(cow_pfn(region + COW_PAGE)), 2, "page 1 is still shared");
	write_page(region, 1, &before, &after);
	CHECK(before && after && after != before,
	      "so the parent's write to page 1 copies it (frame %#llx became %#llx)",
	      (unsigned long long)before, (unsigned long long)after);
	CHECK_EQ(cow_kpagecount(cow_pfn(region + 2 * COW_PAGE)), 1,
		 "page 2 is mapped once: the child has its own copy");
	write_page(region, 2, &before, &after);
	CHECK(before && after == before,
	      "so the parent's write to page 2 reuses its frame (%#llx, then %#llx)",
	      (unsigned long long)before, (unsigned long long)after);
	cow_barrier_sync(b);
}

static void check_after_exit(unsigned char *region)
{
	uint64_t e = cow_pagemap_entry(region);
	CHECK_EQ(cow_kpagecount(e & PM_PFN_MASK), 1,
		 "after the child exited, page 0 is mapped once");
	CHECK(e & PM_EXCLUSIVE, "and marked exclusively mapped (pagemap bit 56)");
	uint64_t before, after;
	long long reuses = cow_vmstat("cow_reuse");
	write_page(region, 0, &before, &after);
	CHECK(before && after == before,
	      "the parent's write to page 0 keeps its frame: no copy (%#llx, then %#llx)",
	      (unsigned long long)before, (unsigned long long)after);
	if (reuses < 0)
		tap_skip("no cow_reuse in /proc/vmstat (a cowix counter; Linux has none)",
			 "cow_reuse counts the reuse");
	else
		CHECK(cow_vmstat("cow_reuse") > reuses, "cow_reuse counts the reuse (was %lld)",
		      reuses);
}

int main(void)
{
	struct cow_barrier b;
	if (!cow_pfns_visible()) {
		tap_skip("PFNs are hidden here", "the last owner reuses its frame");
		return tap_done();
	}
	unsigned char *region = cow_map(REGION_SZ);
	if (!region || cow_barrier_init(&b) != 0)
		tap_bail("mmap or pipe failed");
	cow_fill(region, REGION_SZ, SEED);
	long baseline = cow_memfree_baseline();
	uint64_t page0 = cow_pfn(region);

	pid_t pid = fork();
	if (pid == 0)
		child(region, &b);
	cow_barrier_side(&b, false);
	if (CHECK_OK(pid, "fork") > 0)
		check_while_child_lives(region, &b);
	cow_barrier_close(&b);
	CHECK_EQ(cow_wait_exit(pid), 0, "the child exits 0");
	CHECK_EQ(cow_pfn(region), page0, "page 0 kept its frame in the parent");
	check_after_exit(region);
	for (int i = 0; i < 3; i++)
		region[i * COW_PAGE + 1] ^= 0xff; /* undo the parent's own writes */
	CHECK_EQ(cow_find_bad(region, REGION_SZ, SEED), -1,
		 "the parent's region holds its own data, none of the child's writes");
	cow_check_memfree_back(baseline, 2048, "after the child is reaped");
	return tap_done();
}
