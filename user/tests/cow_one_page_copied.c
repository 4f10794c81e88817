/*
 * Claim: a write after fork copies exactly one page, the one written. In a
 * 16-page region shared by parent and child, a one-byte write by the child
 * into page 8 gives the child a new frame for page 8 only (with the rest of
 * that page's old data and the new byte); pages 0-7 and 9-15 keep the
 * shared frame, mapped twice; the parent keeps all of its frames, and its
 * page 8, now mapped only by it, is unchanged. MemFree is back at its
 * baseline once the child is reaped.
 */
#include <cowutil.h>
#include <tap.h>
#include <unistd.h>

#define PAGES	  16
#define REGION_SZ (PAGES * COW_PAGE)
#define WRITTEN	  8
#define BYTE_AT	  (WRITTEN * COW_PAGE + 100)
#define SEED	  11

/* What the child reports after its write. */
struct child_report {
	uint64_t pfn_before_write[PAGES], pfn_after_write[PAGES];
	long bad_offset; /* first byte of the copy that lost its old data, or -1 */
	int new_byte;
};

static void child(unsigned char *region, struct cow_barrier *b)
{
	struct child_report r;
	cow_barrier_side(b, true);
	cow_pfns(region, PAGES, r.pfn_before_write);
	unsigned char old = region[BYTE_AT];
	region[BYTE_AT] = old ^ 0xff; /* the one write */
	cow_pfns(region, PAGES, r.pfn_after_write);
	r.new_byte = region[BYTE_AT];
	region[BYTE_AT] = old; /* so the whole copy can be compared with the pattern */
	r.bad_offset = cow_find_bad(region, REGION_SZ, SEED);
	if (cow_send(b->out, &r, sizeof(r)) != 0)
		_exit(3);
	_exit(cow_barrier_sync(b) == 0 ? 0 : 4); /* live on while the parent looks */
}

/* Pages other than WRITTEN whose child frame differs from the parent's. */
static int neighbours_moved(const uint64_t *parent, const uint64_t *child)
{
	int n = 0;
	for (int i = 0; i < PAGES; i++)
		if (i != WRITTEN && parent[i] != child[i]) {
			tap_diag("page %d: parent frame %#llx, child %#llx", i,
				 (unsigned long long)parent[i], (unsigned long long)child[i]);
			n++;
		}
	return n;
}

static int count_differ(const uint64_t *a, const uint64_t *b)
{
	int n = 0;
	for (int i = 0; i < PAGES; i++)
		n += a[i] != b[i];
	return n;
}

static void check_child(const struct child_report *r, const uint64_t *before,
			const unsigned char *region)
{
	uint64_t now[PAGES];
	const uint64_t *after = r->pfn_after_write;
	CHECK_EQ(count_differ(r->pfn_before_write, before), 0,
		 "before its write the child maps the parent's 16 frames");
	CHECK(after[WRITTEN] != 0 && after[WRITTEN] != before[WRITTEN],
	      "after a one-byte write the child has a new frame for page 8 (%#llx, was %#llx)",
	      (unsigned long long)after[WRITTEN], (unsigned long long)before[WRITTEN]);
	CHECK_EQ(neighbours_moved(before, after), 0, "the other 15 pages keep the shared frame");
	CHECK_EQ(r->new_byte, region[BYTE_AT] ^ 0xff, "the child sees its write");
	CHECK_EQ(r->bad_offset, -1, "and the rest of its copy holds the old data");
	cow_pfns(region, PAGES, now);
	CHECK_EQ(count_differ(now, before), 0, "the parent keeps all 16 of its frames");
	CHECK_EQ(cow_kpagecount(before[WRITTEN]), 1, "the parent's page 8 is now mapped once");
	CHECK_EQ(cow_kpagecount(after[WRITTEN]), 1, "and so is the child's copy");
	CHECK_EQ(cow_kpagecount(before[WRITTEN - 1]), 2, "page 7 is still mapped twice");
	CHECK_EQ(cow_kpagecount(before[WRITTEN + 1]), 2, "and so is page 9");
	CHECK_EQ(cow_find_bad(region, REGION_SZ, SEED), -1, "the parent's data is unchanged");
}

int main(void)
{
	struct cow_barrier b;
	struct child_report r;
	uint64_t before[PAGES];
	if (!cow_pfns_visible()) {
		tap_skip("PFNs are hidden here", "a write copies exactly one page");
		return tap_done();
	}
	unsigned char *region = cow_map(REGION_SZ);
	if (!region || cow_barrier_init(&b) != 0)
		tap_bail("mmap or pipe failed");
	cow_fill(region, REGION_SZ, SEED);
	long baseline = cow_memfree_baseline();
	CHECK_OK(cow_pfns(region, PAGES, before), "read the parent's frame numbers");

	pid_t pid = fork();
	if (pid == 0)
		child(region, &b);
	cow_barrier_side(&b, false);
	if (CHECK_OK(pid, "fork") > 0 &&
	    CHECK_OK(cow_recv(b.in, &r, sizeof(r)), "receive the child's frame numbers") == 0)
		check_child(&r, before, region);
	cow_barrier_sync(&b);
	cow_barrier_close(&b);
	CHECK_EQ(cow_wait_exit(pid), 0, "the child exits 0");
	cow_check_memfree_back(baseline, 2048, "after the child is reaped");
	return tap_done();
}
