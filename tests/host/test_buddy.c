/*
 * Host unit tests of the buddy allocator core, under ASan and UBSan: split
 * and coalesce, exact free counts, alignment, exhaustion, refusal of bad
 * frees, zones with holes and odd edges, and a long randomized run checked
 * against a simple model (one "is free" bit per frame).
 */
// HOSTSRC: kernel/mm/buddy.c
#include <mm/buddy.h>
#include <uapi/errno.h>
#include <stdlib.h>
#include <string.h>
#include "tap.h"

#define TOP_ORDER  (MAX_ORDER - 1)
#define TOP_FRAMES (1ul << TOP_ORDER)

/* A zone over its own frame map, all pages reserved until added. */
struct test_zone {
	struct buddy_zone z;
	struct page *map;
	u64 end_pfn;
};

static void tz_init(struct test_zone *t, u64 base_pfn, u64 end_pfn)
{
	t->map = calloc(end_pfn + 1, sizeof(struct page));
	for (u64 i = 0; i <= end_pfn; i++)
		t->map[i].flags = PG_RESERVED;
	t->end_pfn = end_pfn;
	buddy_init(&t->z, t->map, base_pfn, end_pfn);
}

static void tz_fini(struct test_zone *t)
{
	free(t->map);
}

static u64 pfn_of(const struct test_zone *t, const struct page *p)
{
	return (u64)(p - t->map);
}

/* True if pfn heads a free block of order k inside the zone. */
static bool buddy_is_free_block(const struct test_zone *t, u64 pfn, unsigned k)
{
	if (pfn < t->z.base_pfn || pfn + (1ul << k) > t->z.end_pfn)
		return false;
	return (t->map[pfn].flags & PG_BUDDY) && t->map[pfn].order == k;
}

/*
 * Check every invariant of the zone's free lists; if is_free is given, also
 * that exactly the frames it marks are free. Returns a description of the
 * first violation, or NULL.
 */
static const char *tz_check(const struct test_zone *t, const bool *is_free)
{
	const struct buddy_zone *z = &t->z;
	bool *seen = calloc(t->end_pfn + 1, 1);
	const char *err = NULL;
	u64 frames = 0;
	for (unsigned k = 0; k < MAX_ORDER && !err; k++) {
		u64 n = 0;
		struct list_head *pos;
		list_for_each(pos, &z->free[k])
		{
			const struct page *p = list_entry(pos, struct page, lru);
			u64 pfn = pfn_of(t, p);
			n++;
			if (!(p->flags & PG_BUDDY) || p->order != k)
				err = "free list entry without PG_BUDDY or with wrong order";
			else if (pfn % (1ul << k) || pfn < z->base_pfn ||
				 pfn + (1ul << k) > z->end_pfn)
				err = "free block misaligned or outside the zone";
			else if (k < TOP_ORDER && buddy_is_free_block(t, pfn ^ (1ul << k), k))
				err = "two free buddies left unmerged";
			for (u64 i = 0; i < (1ul << k) && !err; i++) {
				if (seen[pfn + i])
					err = "free blocks overlap";
				seen[pfn + i] = true;
				if (i && t->map[pfn + i].flags)
					err = "non-head page of a free block has flags";
			}
			frames += 1ul << k;
		}
		if (!err && n != z->nfree_blocks[k])
			err = "nfree_blocks disagrees with the list";
	}
	if (!err && frames != z->free_frames)
		err = "free_frames disagrees with the lists";
	for (u64 pfn = 0; pfn < t->end_pfn && !err && is_free; pfn++)
		if (seen[pfn] != is_free[pfn])
			err = "free set differs from the model";
	for (u64 pfn = 0; pfn < t->end_pfn && !err; pfn++)
		if (seen[pfn] != buddy_is_free(z, pfn))
			err = "buddy_is_free disagrees with the lists";
	free(seen);
	return err;
}

static void test_split_and_coalesce(void)
{
	struct test_zone t;
	tz_init(&t, 0, TOP_FRAMES);
	TAP_OK(buddy_add_range(&t.z, 0, TOP_FRAMES) == TOP_FRAMES, "add one top-order block");
	TAP_OK(t.z.nfree_blocks[TOP_ORDER] == 1 && t.z.free_frames == TOP_FRAMES,
	       "it is a single block of order %d", TOP_ORDER);
	struct page *p = buddy_alloc(&t.z, 0);
	TAP_OK(p && pfn_of(&t, p) == 0 && p->flags == 0 && p->order == 0,
	       "order 0 from the bottom");
	bool split_ok = true;
	for (unsigned k = 0; k < TOP_ORDER; k++)
		split_ok &= t.z.nfree_blocks[k] == 1;
	TAP_OK(split_ok && t.z.nfree_blocks[TOP_ORDER] == 0,
	       "split left one block of each lower order");
	TAP_OK(t.z.free_frames == TOP_FRAMES - 1, "free count exact after split");
	TAP_OK(tz_check(&t, NULL) == NULL, "invariants after split");
	TAP_OK(buddy_free(&t.z, 0, 0) == 0, "free it");
	TAP_OK(t.z.nfree_blocks[TOP_ORDER] == 1 && t.z.free_frames == TOP_FRAMES,
	       "coalesced back into one block");
	TAP_OK(tz_check(&t, NULL) == NULL, "invariants after coalesce");
	tz_fini(&t);
}

static void test_alignment_every_order(void)
{
	struct test_zone t;
	tz_init(&t, 0, 4 * TOP_FRAMES);
	buddy_add_range(&t.z, 1, 4 * TOP_FRAMES - 3);
	bool ok = true;
	for (unsigned k = 0; k < MAX_ORDER; k++) {
		struct page *p = buddy_alloc(&t.z, k);
		ok &= p && pfn_of(&t, p) % (1ul << k) == 0 && p->order == k;
		ok &= p && pfn_of(&t, p) >= 1 && pfn_of(&t, p) + (1ul << k) <= 4 * TOP_FRAMES - 3;
	}
	TAP_OK(ok, "a block of every order is naturally aligned and inside the range");
	TAP_OK(buddy_alloc(&t.z, MAX_ORDER) == NULL && buddy_alloc(&t.z, ~0u) == NULL,
	       "orders >= MAX_ORDER are refused");
	TAP_OK(tz_check(&t, NULL) == NULL, "invariants hold");
	tz_fini(&t);
}

static void test_exhaustion(void)
{
	struct test_zone t;
	u64 n = 3 * TOP_FRAMES + 77;
	tz_init(&t, 0, n);
	buddy_add_range(&t.z, 0, n);
	u64 *pfns = malloc(n * sizeof(*pfns)), got = 0;
	struct page *p;
	while ((p = buddy_alloc(&t.z, 0)))
		pfns[got++] = pfn_of(&t, p);
	TAP_OK(got == n, "exactly %lu order-0 frames before NULL (got %lu)", n, got);
	TAP_OK(t.z.free_frames == 0 && buddy_alloc(&t.z, 0) == NULL && buddy_alloc(&t.z, 3) == NULL,
	       "an exhausted zone keeps returning NULL");
	/* Free in a scrambled order; coalescing must still rebuild the maximal blocks. */
	for (u64 i = 0; i < got; i++) {
		u64 j = i + (u64)rand() % (got - i), tmp = pfns[i];
		pfns[i] = pfns[j];
		pfns[j] = tmp;
	}
	int bad = 0;
	for (u64 i = 0; i < got; i++)
		bad += buddy_free(&t.z, pfns[i], 0) != 0;
	TAP_OK(bad == 0 && t.z.free_frames == n, "all frames freed back");
	TAP_OK(t.z.nfree_blocks[TOP_ORDER] == 3 && t.z.nfree_blocks[6] == 1 &&
		   t.z.nfree_blocks[3] == 1 && t.z.nfree_blocks[2] == 1 && t.z.nfree_blocks[0] == 1,
	       "fully coalesced: 3*1024 + 64 + 8 + 4 + 1");
	TAP_OK(tz_check(&t, NULL) == NULL, "invariants hold");
	free(pfns);
	tz_fini(&t);
}

static void test_bad_frees(void)
{
	struct test_zone t;
	tz_init(&t, 64, 130); /* an order-6 block and an order-1 block */
	buddy_add_range(&t.z, 64, 130);
	u64 before = t.z.free_frames;
	TAP_OK(t.z.nfree_blocks[6] == 1 && t.z.nfree_blocks[1] == 1, "zone is 64 + 2 frames");
	TAP_OK(buddy_free(&t.z, 64, 0) == -EINVAL, "free of a frame that is already free");
	TAP_OK(buddy_free(&t.z, 72, 2) == -EINVAL, "free of a block inside a free block");
	struct page *p = buddy_alloc(&t.z, 2);
	u64 pfn = pfn_of(&t, p);
	TAP_OK(pfn == 64, "order 2 split from the order-6 block");
	TAP_OK(buddy_free(&t.z, pfn + 1, 0) == 0,
	       "freeing one frame of an allocated block is allowed");
	TAP_OK(buddy_free(&t.z, pfn, 2) == -EINVAL, "a block overlapping a free frame is refused");
	TAP_OK(buddy_free(&t.z, pfn + 1, 1) == -EINVAL, "a misaligned block is refused");
	TAP_OK(buddy_free(&t.z, 0, 0) == -EINVAL && buddy_free(&t.z, 130, 0) == -EINVAL,
	       "frames outside the zone are refused");
	TAP_OK(buddy_free(&t.z, 128, 2) == -EINVAL, "a block running off the zone is refused");
	TAP_OK(buddy_free(&t.z, 64, MAX_ORDER) == -EINVAL, "order >= MAX_ORDER is refused");
	TAP_OK(buddy_free(&t.z, ~0ul - 1, 1) == -EINVAL, "a block at the top of u64 is refused");
	TAP_OK(t.z.free_frames == before - 3, "refused frees changed nothing");
	TAP_OK(tz_check(&t, NULL) == NULL, "invariants hold after the refusals");
	buddy_free(&t.z, pfn, 0);
	buddy_free(&t.z, pfn + 2, 1);
	TAP_OK(t.z.free_frames == before && t.z.nfree_blocks[6] == 1,
	       "proper frees coalesce fully");
	TAP_OK(buddy_free(&t.z, pfn + 2, 1) == -EINVAL, "double free after coalescing is refused");
	TAP_OK(tz_check(&t, NULL) == NULL, "invariants hold");
	tz_fini(&t);
}

static void test_reserved_and_holes(void)
{
	struct test_zone t;
	tz_init(&t, 0, 4096);
	u64 added = buddy_add_range(&t.z, 5, 1000) + buddy_add_range(&t.z, 1024, 2048) +
		    buddy_add_range(&t.z, 3000, 5000);
	TAP_OK(added == 995 + 1024 + 1096, "ranges added, clipped at the zone end (%lu)", added);
	TAP_OK(buddy_add_range(&t.z, 0, 4096) == 5 + 24 + 952,
	       "adding everything again adds only the holes");
	TAP_OK(t.z.managed_frames == 4096 && t.z.free_frames == 4096, "managed and free agree");
	TAP_OK(buddy_free(&t.z, 2, 0) == -EINVAL, "an added frame cannot be freed twice");
	/* A reserved frame is never handed out and never freed. */
	struct test_zone r;
	tz_init(&r, 0, 64);
	buddy_add_range(&r.z, 0, 31);
	buddy_add_range(&r.z, 32, 64);
	TAP_OK(buddy_free(&r.z, 31, 0) == -EINVAL, "freeing a reserved frame is refused");
	bool hole_safe = true;
	struct page *p;
	while ((p = buddy_alloc(&r.z, 0)))
		hole_safe &= pfn_of(&r, p) != 31;
	TAP_OK(hole_safe && r.z.nfree_blocks[0] == 0, "the reserved frame was never handed out");
	tz_fini(&r);
	TAP_OK(tz_check(&t, NULL) == NULL, "invariants hold");
	tz_fini(&t);
}

/* Nonzero base and end that are not aligned: blocks must not cross either edge. */
static void test_unaligned_zone(void)
{
	struct test_zone t;
	tz_init(&t, 1000, 1000 + 3 * TOP_FRAMES + 5);
	u64 added = buddy_add_range(&t.z, 0, ~0ul);
	TAP_OK(added == 3 * TOP_FRAMES + 5, "add_range clips to the zone");
	TAP_OK(tz_check(&t, NULL) == NULL, "blocks respect the unaligned edges");
	struct page *p = buddy_alloc(&t.z, TOP_ORDER);
	TAP_OK(p && pfn_of(&t, p) >= 1000 && pfn_of(&t, p) % TOP_FRAMES == 0,
	       "a top-order block from an unaligned zone is aligned");
	buddy_free(&t.z, pfn_of(&t, p), TOP_ORDER);
	TAP_OK(t.z.free_frames == added && tz_check(&t, NULL) == NULL, "and goes back cleanly");
	tz_fini(&t);
}

/* True if the model has an aligned, fully free block of this order. */
static bool model_has_block(const bool *is_free, u64 base, u64 end, unsigned order)
{
	u64 size = 1ul << order;
	for (u64 pfn = ALIGN_UP(base, size); pfn + size <= end; pfn += size) {
		u64 i = 0;
		while (i < size && is_free[pfn + i])
			i++;
		if (i == size)
			return true;
	}
	return false;
}

struct held_block {
	u64 pfn;
	unsigned order;
};

/*
 * Random allocations and frees against the model. Every allocation must
 * return frames the model has free; an allocation may fail only if the
 * model has no aligned free block of that order (buddy finds any).
 */
static void test_random_against_model(void)
{
	const u64 base = 3, end = 5 * TOP_FRAMES + 123;
	struct test_zone t;
	tz_init(&t, base, end);
	buddy_add_range(&t.z, base, end);
	bool *is_free = calloc(end, 1);
	for (u64 i = base; i < end; i++)
		is_free[i] = true;
	struct held_block *held = malloc(end * sizeof(*held));
	u64 nheld = 0, nfree = end - base;
	int bad_alloc = 0, bad_fail = 0, bad_free = 0, bad_check = 0, nalloc = 0, nfail = 0;
	srand(12345);
	for (int step = 0; step < 200000; step++) {
		if (nheld && rand() % 100 < 48) {
			u64 i = (u64)rand() % nheld;
			struct held_block h = held[i];
			held[i] = held[--nheld];
			bad_free += buddy_free(&t.z, h.pfn, h.order) != 0;
			for (u64 j = 0; j < (1ul << h.order); j++)
				is_free[h.pfn + j] = true;
			nfree += 1ul << h.order;
		} else {
			unsigned order =
			    rand() % 4 ? (unsigned)rand() % 3 : (unsigned)rand() % MAX_ORDER;
			struct page *p = buddy_alloc(&t.z, order);
			if (!p) {
				nfail++;
				bad_fail += model_has_block(is_free, base, end, order);
				continue;
			}
			nalloc++;
			u64 pfn = pfn_of(&t, p);
			for (u64 j = 0; j < (1ul << order); j++) {
				bad_alloc += pfn % (1ul << order) || !is_free[pfn + j];
				is_free[pfn + j] = false;
			}
			held[nheld++] = (struct held_block){ pfn, order };
			nfree -= 1ul << order;
		}
		if (t.z.free_frames != nfree)
			bad_check++;
		if (step % 5000 == 0 && tz_check(&t, is_free))
			bad_check++;
	}
	printf("# %d allocations, %d failed for lack of a block\n", nalloc, nfail);
	TAP_OK(bad_alloc == 0, "every allocation was free in the model and aligned");
	TAP_OK(bad_fail == 0, "no allocation failed while the model had a fitting block");
	TAP_OK(bad_free == 0, "every proper free was accepted");
	TAP_OK(bad_check == 0, "free count and invariants matched the model throughout");
	while (nheld) {
		nheld--;
		buddy_free(&t.z, held[nheld].pfn, held[nheld].order);
	}
	TAP_OK(t.z.free_frames == end - base && tz_check(&t, NULL) == NULL,
	       "everything freed: back to the initial state");
	free(held);
	free(is_free);
	tz_fini(&t);
}

int main(void)
{
	test_split_and_coalesce();
	test_alignment_every_order();
	test_exhaustion();
	test_bad_frees();
	test_reserved_and_holes();
	test_unaligned_zone();
	test_random_against_model();
	return tap_done();
}
