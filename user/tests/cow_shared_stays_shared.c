/*
 * Claim: fork copies on write only private memory; MAP_SHARED memory stays
 * shared. A page of MAP_SHARED|MAP_ANONYMOUS memory and one of
 * MAP_PRIVATE|MAP_ANONYMOUS memory, both filled by the parent, are
 * written by the child: the parent sees the child's write to the shared
 * page (same frame in both, mapped twice, pagemap bit 61 "file page or
 * shared anonymous" set) but not its write to the private page (the child
 * has a new frame there, bit 61 clear). The parent's later write to the
 * shared page is seen by the child too. MemFree is back at its baseline
 * once the child is reaped.
 */
#include <cowutil.h>
#include <string.h>
#include <sys/mman.h>
#include <tap.h>
#include <unistd.h>

struct child_report {
	uint64_t shared_pm, private_pm; /* pagemap entries after the child's writes */
	int saw_parent_write;		/* 'C' in the shared page, own 'B' in the private one */
};

static void child(char *shared, char *priv, struct cow_barrier *b)
{
	struct child_report r;
	cow_barrier_side(b, true);
	shared[0] = 'B';
	priv[0] = 'B';
	r.shared_pm = cow_pagemap_entry(shared);
	r.private_pm = cow_pagemap_entry(priv);
	r.saw_parent_write = 0;
	if (cow_send(b->out, &r, sizeof(r)) != 0 || cow_barrier_sync(b) != 0)
		_exit(3); /* the parent checks, then writes 'C' */
	r.saw_parent_write = shared[0] == 'C' && priv[0] == 'B';
	_exit(cow_send(b->out, &r, sizeof(r)) == 0 ? 0 : 4);
}

static void check_frames(const struct child_report *r, const char *shared, const char *priv,
			 uint64_t priv_before)
{
	uint64_t s = cow_pagemap_entry(shared), p = cow_pagemap_entry(priv);
	CHECK((s & PM_PFN_MASK) && (s & PM_PFN_MASK) == (r->shared_pm & PM_PFN_MASK),
	      "the shared page has the same frame in parent and child (%#llx)",
	      (unsigned long long)(s & PM_PFN_MASK));
	CHECK_EQ(cow_kpagecount(s & PM_PFN_MASK), 2, "and that frame is mapped twice");
	CHECK((r->private_pm & PM_PFN_MASK) && (r->private_pm & PM_PFN_MASK) != (p & PM_PFN_MASK),
	      "the private page has a new frame in the child (%#llx)",
	      (unsigned long long)(r->private_pm & PM_PFN_MASK));
	CHECK_EQ(p & PM_PFN_MASK, priv_before, "the parent keeps its private frame");
}

static void check_parent(struct cow_barrier *b, char *shared, char *priv, uint64_t priv_before,
			 bool pfns)
{
	struct child_report r;
	if (CHECK_OK(cow_recv(b->in, &r, sizeof(r)), "the child wrote both pages") < 0)
		return;
	CHECK_EQ(shared[0], 'B', "the parent sees the child's write to the shared page");
	CHECK_EQ(priv[0], 'A', "but not its write to the private page");
	CHECK(cow_pagemap_entry(shared) & r.shared_pm & PM_FILE_OR_SHARED,
	      "pagemap marks the shared page as shared (bit 61) on both sides");
	CHECK(!((cow_pagemap_entry(priv) | r.private_pm) & PM_FILE_OR_SHARED),
	      "and the private page as not shared");
	if (pfns)
		check_frames(&r, shared, priv, priv_before);
	else
		tap_skip("PFNs are hidden here", "frames of shared and private pages");
	shared[0] = 'C';
	cow_barrier_sync(b);
	if (CHECK_OK(cow_recv(b->in, &r, sizeof(r)), "the child looked again") == 0)
		CHECK(r.saw_parent_write, "the child sees the parent's write to the shared page, "
					  "and its own private one");
}

int main(void)
{
	struct cow_barrier b;
	bool pfns = cow_pfns_visible();
	char *shared =
	    mmap(NULL, COW_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	char *priv = cow_map(COW_PAGE);
	if (shared == MAP_FAILED || !priv || cow_barrier_init(&b) != 0)
		tap_bail("mmap or pipe failed");
	memset(shared, 'A', COW_PAGE);
	memset(priv, 'A', COW_PAGE);
	uint64_t priv_before = cow_pfn(priv);
	long baseline = cow_memfree_baseline();

	pid_t pid = fork();
	if (pid == 0)
		child(shared, priv, &b);
	cow_barrier_side(&b, false);
	if (CHECK_OK(pid, "fork") > 0)
		check_parent(&b, shared, priv, priv_before, pfns);
	cow_barrier_close(&b);
	CHECK_EQ(cow_wait_exit(pid), 0, "the child exits 0");
	cow_check_memfree_back(baseline, 2048, "after the child is reaped");
	return tap_done();
}
