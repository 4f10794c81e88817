/*
 * Claim: a copy made for a grandchild is its own. P forks C, C forks G, and
 * G writes one page of a region all three share: G gets a new frame for it,
 * while P and C still share the original frame (same PFN, map count 2) and
 * still see the old data. Every other page stays shared by all three.
 * MemFree is back at its baseline once C and G are gone.
 */
#include <cowutil.h>
#include <tap.h>
#include <unistd.h>

#define PAGES	  8
#define REGION_SZ (PAGES * COW_PAGE)
#define WRITTEN	  3
#define SEED	  23

/* Frame numbers of every page, in C and in G after G's write, as C reports them. */
struct report {
	uint64_t child[PAGES], grandchild[PAGES];
	long child_bad; /* first word of C's view that is not the pattern, or -1 */
	int grandchild_saw_write;
};

/* G: write one page, report its frames to C, live until P lets go. */
static void grandchild(char *region, int to_child, int release)
{
	uint64_t pfns[PAGES];
	char old = region[WRITTEN * COW_PAGE];
	region[WRITTEN * COW_PAGE] = old ^ 0x5a;
	cow_pfns(region, PAGES, pfns);
	int saw = region[WRITTEN * COW_PAGE] == (char)(old ^ 0x5a);
	if (cow_send(to_child, pfns, sizeof(pfns)) != 0 || cow_send(to_child, &saw, sizeof(saw)))
		_exit(3);
	char c;
	read(release, &c, 1); /* EOF when P closes its end */
	_exit(0);
}

/* C: fork G, wait for its write, report both views to P, live until P lets go. */
static void child(char *region, int to_parent, int release)
{
	struct report r;
	int p[2];
	if (pipe(p) != 0)
		_exit(2);
	pid_t g = fork();
	if (g == 0)
		grandchild(region, p[1], release);
	if (g < 0 || cow_recv(p[0], r.grandchild, sizeof(r.grandchild)) != 0 ||
	    cow_recv(p[0], &r.grandchild_saw_write, sizeof(int)) != 0)
		_exit(3);
	cow_pfns(region, PAGES, r.child);
	r.child_bad = cow_find_bad(region, REGION_SZ, SEED);
	if (cow_send(to_parent, &r, sizeof(r)) != 0)
		_exit(4);
	char c;
	read(release, &c, 1);
	_exit(cow_wait_exit(g) == 0 ? 0 : 5);
}

static int count_differ_except(const uint64_t *a, const uint64_t *b, int except)
{
	int n = 0;
	for (int i = 0; i < PAGES; i++)
		n += i != except && a[i] != b[i];
	return n;
}

static void check_views(const struct report *r, char *region)
{
	uint64_t p[PAGES];
	CHECK_OK(cow_pfns(region, PAGES, p), "P reads its frame numbers");
	CHECK(p[WRITTEN] != 0 && p[WRITTEN] == r->child[WRITTEN],
	      "P and C still share page 3's frame after G wrote it (%#llx, %#llx)",
	      (unsigned long long)p[WRITTEN], (unsigned long long)r->child[WRITTEN]);
	CHECK(r->grandchild[WRITTEN] != 0 && r->grandchild[WRITTEN] != p[WRITTEN],
	      "G has its own frame for page 3 (%#llx)", (unsigned long long)r->grandchild[WRITTEN]);
	CHECK_EQ(cow_kpagecount(p[WRITTEN]), 2, "the original frame is mapped twice: by P and C");
	CHECK_EQ(cow_kpagecount(r->grandchild[WRITTEN]), 1, "G's copy is mapped once");
	CHECK_EQ(count_differ_except(p, r->child, -1), 0, "P and C share all 8 frames");
	CHECK_EQ(count_differ_except(p, r->grandchild, WRITTEN), 0,
		 "G shares the 7 pages it did not write");
	CHECK_EQ(cow_kpagecount(p[0]), 3, "page 0's frame is mapped three times");
	CHECK(r->grandchild_saw_write, "G sees its own write");
	CHECK_EQ(r->child_bad, -1, "C does not see G's write");
	CHECK_EQ(cow_find_bad(region, REGION_SZ, SEED), -1, "neither does P");
}

int main(void)
{
	int up[2], release[2];
	struct report r;
	if (!cow_pfns_visible()) {
		tap_skip("PFNs are hidden here", "a grandchild's copy is its own");
		return tap_done();
	}
	char *region = cow_map(REGION_SZ);
	if (!region || pipe(up) != 0 || pipe(release) != 0)
		tap_bail("mmap or pipe failed");
	cow_fill(region, REGION_SZ, SEED);
	long baseline = cow_memfree_baseline();

	pid_t c = fork();
	if (c == 0) {
		close(up[0]);
		close(release[1]);
		child(region, up[1], release[0]);
	}
	close(up[1]);
	close(release[0]);
	if (CHECK_OK(c, "fork C") > 0 &&
	    CHECK_OK(cow_recv(up[0], &r, sizeof(r)), "receive C's and G's frame numbers") == 0)
		check_views(&r, region);
	close(release[1]); /* C and G may now exit */
	close(up[0]);
	CHECK_EQ(cow_wait_exit(c), 0, "C reaps G and exits 0");
	cow_check_memfree_back(baseline, 2048, "after C and G are gone");
	return tap_done();
}
