/*
 * Claim: fork() shares frames instead of copying them. Before fork every
 * page of a touched 4 MiB region is mapped once (/proc/kpagecount 1,
 * pagemap bit 56 "exclusively mapped" set); after fork the child's PFN
 * for every page (sent through a pipe) equals the parent's, each frame is
 * mapped twice, and neither side has bit 56 set. After the child is
 * reaped the frames are mapped once again and MemFree is back at its
 * baseline.
 */
#include <cowutil.h>
#include <stdlib.h>
#include <tap.h>
#include <unistd.h>

#define PAGES	  1024
#define REGION_SZ (PAGES * COW_PAGE)

static uint64_t parent_pm[PAGES], child_pm[PAGES];

/* How many of the entries have all the bits of mask set. */
static int count_with(const uint64_t *pm, uint64_t mask)
{
	int n = 0;
	for (int i = 0; i < PAGES; i++)
		n += (pm[i] & mask) == mask;
	return n;
}

/* How many entries carry a nonzero frame number. */
static int count_pfns(const uint64_t *pm)
{
	int n = 0;
	for (int i = 0; i < PAGES; i++)
		n += (pm[i] & PM_PFN_MASK) != 0;
	return n;
}

/* How many pages have map count want; *first gets the first that does not. */
static int count_mapped(const uint64_t *pm, long long want, int *first)
{
	int n = 0;
	*first = -1;
	for (int i = 0; i < PAGES; i++) {
		long long c = cow_kpagecount(pm[i] & PM_PFN_MASK);
		n += c == want;
		if (c != want && *first < 0) {
			*first = i;
			tap_diag("page %d: frame %#llx has map count %lld", i,
				 (unsigned long long)(pm[i] & PM_PFN_MASK), c);
		}
	}
	return n;
}

static int count_same_pfn(void)
{
	int n = 0;
	for (int i = 0; i < PAGES; i++) {
		bool same = (parent_pm[i] & PM_PFN_MASK) == (child_pm[i] & PM_PFN_MASK);
		n += same;
		if (!same && n == i)
			tap_diag("first difference: page %d, parent frame %#llx, child %#llx", i,
				 (unsigned long long)(parent_pm[i] & PM_PFN_MASK),
				 (unsigned long long)(child_pm[i] & PM_PFN_MASK));
	}
	return n;
}

static void check_before_fork(const char *region)
{
	int first;
	CHECK_OK(cow_pagemap(region, PAGES, parent_pm), "read the parent's pagemap");
	CHECK_EQ(count_with(parent_pm, PM_PRESENT), PAGES, "every page is present before fork");
	CHECK_EQ(count_with(parent_pm, PM_EXCLUSIVE), PAGES,
		 "every page is marked exclusively mapped before fork");
	CHECK_EQ(count_mapped(parent_pm, 1, &first), PAGES, "every frame is mapped once");
}

static void child(const char *region, struct cow_barrier *b)
{
	cow_barrier_side(b, true);
	if (cow_pagemap(region, PAGES, child_pm) != 0)
		_exit(2);
	if (cow_send(b->out, child_pm, sizeof(child_pm)) != 0)
		_exit(3);
	/* Stay alive while the parent looks at the map counts. */
	_exit(cow_barrier_sync(b) == 0 ? 0 : 4);
}

static void check_after_fork(const char *region, struct cow_barrier *b)
{
	int first;
	if (CHECK_OK(cow_recv(b->in, child_pm, sizeof(child_pm)), "receive the child's pagemap") <
	    0)
		return;
	CHECK_OK(cow_pagemap(region, PAGES, parent_pm), "read the parent's pagemap again");
	CHECK_EQ(count_with(child_pm, PM_PRESENT), PAGES, "every page is present in the child");
	CHECK_EQ(count_pfns(child_pm), PAGES, "and has a frame number");
	CHECK_EQ(count_same_pfn(), PAGES, "every page maps the same frame in parent and child");
	CHECK_EQ(count_mapped(parent_pm, 2, &first), PAGES,
		 "every shared frame is mapped twice (kpagecount 2)");
	CHECK_EQ(count_with(parent_pm, PM_EXCLUSIVE), 0,
		 "no page is exclusively mapped in the parent");
	CHECK_EQ(count_with(child_pm, PM_EXCLUSIVE), 0,
		 "no page is exclusively mapped in the child");
}

int main(void)
{
	struct cow_barrier b;
	int first;
	if (!cow_pfns_visible()) {
		tap_skip("PFNs are hidden here", "parent and child share frames");
		return tap_done();
	}
	char *region = cow_map(REGION_SZ);
	if (!region)
		tap_bail("mmap of 4 MiB failed");
	cow_fill(region, REGION_SZ, 7);
	long baseline = cow_memfree_baseline();
	check_before_fork(region);

	if (cow_barrier_init(&b) != 0)
		tap_bail("pipe failed");
	pid_t pid = fork();
	if (pid == 0)
		child(region, &b);
	cow_barrier_side(&b, false);
	if (CHECK_OK(pid, "fork") > 0)
		check_after_fork(region, &b);
	cow_barrier_sync(&b);
	cow_barrier_close(&b);
	CHECK_EQ(cow_wait_exit(pid), 0, "the child exits 0");
	CHECK_OK(cow_pagemap(region, PAGES, parent_pm), "read the parent's pagemap once more");
	CHECK_EQ(count_mapped(parent_pm, 1, &first), PAGES,
		 "after the child is reaped every frame is mapped once again");
	CHECK_EQ(cow_find_bad(region, REGION_SZ, 7), -1, "the parent's data is intact");
	cow_check_memfree_back(baseline, 2048, "after the child is reaped");
	return tap_done();
}
