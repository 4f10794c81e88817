/*
 * Buddy allocator core (see include/mm/buddy.h). Pure: the caller provides
 * the locking, so every function here assumes the zone is exclusively its.
 *
 * The buddy of the block of order k at pfn is the block at pfn ^ 2^k; two
 * free buddies merge into the block of order k+1 at pfn & ~2^k. Free blocks
 * are found from their head page alone, so splitting and merging are O(1)
 * per order and never touch the frames themselves.
 */
#include <mm/buddy.h>
#include <uapi/errno.h>

void buddy_init(struct buddy_zone *z, struct page *map, u64 base_pfn, u64 end_pfn)
{
	z->map = map;
	z->base_pfn = base_pfn;
	z->end_pfn = end_pfn;
	for (unsigned k = 0; k < MAX_ORDER; k++) {
		list_init(&z->free[k]);
		z->nfree_blocks[k] = 0;
	}
	z->free_frames = 0;
	z->managed_frames = 0;
}

/* True if [pfn, pfn + 2^order) lies inside the zone (without overflowing). */
static bool buddy_in_zone(const struct buddy_zone *z, u64 pfn, unsigned order)
{
	return pfn >= z->base_pfn && pfn < z->end_pfn && (1ul << order) <= z->end_pfn - pfn;
}

/* Make the block at pfn a free block of this order: head flag, order, list. */
static void buddy_link(struct buddy_zone *z, u64 pfn, unsigned order)
{
	struct page *p = &z->map[pfn];
	p->flags = PG_BUDDY;
	p->order = order;
	list_add(&p->lru, &z->free[order]);
	z->nfree_blocks[order]++;
}

/* Take the free block headed by pfn off its list; its head keeps its order. */
static void buddy_unlink(struct buddy_zone *z, u64 pfn, unsigned order)
{
	struct page *p = &z->map[pfn];
	list_del(&p->lru);
	p->flags = 0;
	z->nfree_blocks[order]--;
}

/*
 * True if pfn heads a free block of exactly this order. The flags of an
 * allocated page may be changing under its owner without our lock, but the
 * owner never sets PG_BUDDY, so that bit reads reliably.
 */
static bool buddy_is_free_head(const struct buddy_zone *z, u64 pfn, unsigned order)
{
	if (!buddy_in_zone(z, pfn, order))
		return false;
	const struct page *p = &z->map[pfn];
	return (READ_ONCE(p->flags) & PG_BUDDY) && p->order == order;
}

bool buddy_is_free(const struct buddy_zone *z, u64 pfn)
{
	if (pfn < z->base_pfn || pfn >= z->end_pfn)
		return false;
	/* A free block containing pfn starts at pfn rounded down to its order. */
	for (unsigned k = 0; k < MAX_ORDER; k++) {
		u64 head = pfn & ~((1ul << k) - 1);
		if (head < z->base_pfn)
			break;
		const struct page *p = &z->map[head];
		if ((READ_ONCE(p->flags) & PG_BUDDY) && head + (1ul << p->order) > pfn)
			return true;
	}
	return false;
}

/*
 * Check that the block may be freed: aligned, inside the zone, and no page
 * of it reserved or already free. On success its pages' flags are cleared,
 * since whatever their owner marked them with no longer applies.
 */
static bool buddy_block_ok(struct buddy_zone *z, u64 pfn, unsigned order)
{
	if (order >= MAX_ORDER || !IS_ALIGNED(pfn, 1ul << order) || !buddy_in_zone(z, pfn, order))
		return false;
	if (buddy_is_free(z, pfn))
		return false;
	for (u64 i = 0; i < (1ul << order); i++)
		if (z->map[pfn + i].flags & (PG_BUDDY | PG_RESERVED))
			return false;
	for (u64 i = 0; i < (1ul << order); i++)
		z->map[pfn + i].flags = 0;
	return true;
}

int buddy_free(struct buddy_zone *z, u64 pfn, unsigned order)
{
	if (!buddy_block_ok(z, pfn, order))
		return -EINVAL;
	z->free_frames += 1ul << order;
	while (order < MAX_ORDER - 1) {
		u64 buddy = pfn ^ (1ul << order);
		if (!buddy_is_free_head(z, buddy, order))
			break;
		buddy_unlink(z, buddy, order);
		pfn &= ~(1ul << order);
		order++;
	}
	buddy_link(z, pfn, order);
	return 0;
}

/* The smallest order >= order with a free block, or MAX_ORDER if none. */
static unsigned buddy_first_nonempty(const struct buddy_zone *z, unsigned order)
{
	while (order < MAX_ORDER && list_empty(&z->free[order]))
		order++;
	return order;
}

struct page *buddy_alloc(struct buddy_zone *z, unsigned order)
{
	if (order >= MAX_ORDER)
		return NULL;
	unsigned k = buddy_first_nonempty(z, order);
	if (k == MAX_ORDER)
		return NULL;
	struct page *p = list_first_entry(&z->free[k], struct page, lru);
	u64 pfn = (u64)(p - z->map);
	buddy_unlink(z, pfn, k);
	/* Keep the low half each time; the high halves become free blocks. */
	while (k > order) {
		k--;
		buddy_link(z, pfn + (1ul << k), k);
	}
	p->order = order;
	z->free_frames -= 1ul << order;
	return p;
}

/* The largest order of an aligned block at pfn that fits in nframes. */
static unsigned buddy_fit_order(u64 pfn, u64 nframes)
{
	unsigned order = MAX_ORDER - 1;
	while ((1ul << order) > nframes || !IS_ALIGNED(pfn, 1ul << order))
		order--;
	return order;
}

/* Free [start, end), all PG_RESERVED pages of the zone, as aligned blocks. */
static void buddy_add_run(struct buddy_zone *z, u64 start, u64 end)
{
	for (u64 pfn = start; pfn < end; pfn++)
		z->map[pfn].flags &= ~PG_RESERVED;
	for (u64 pfn = start; pfn < end;) {
		unsigned order = buddy_fit_order(pfn, end - pfn);
		buddy_free(z, pfn, order);
		pfn += 1ul << order;
	}
	z->managed_frames += end - start;
}

u64 buddy_add_range(struct buddy_zone *z, u64 start_pfn, u64 end_pfn)
{
	u64 added = 0;
	start_pfn = MAX(start_pfn, z->base_pfn);
	end_pfn = MIN(end_pfn, z->end_pfn);
	for (u64 pfn = start_pfn; pfn < end_pfn;) {
		if (!(z->map[pfn].flags & PG_RESERVED)) {
			pfn++;
			continue;
		}
		u64 run_end = pfn + 1;
		while (run_end < end_pfn && (z->map[run_end].flags & PG_RESERVED))
			run_end++;
		buddy_add_run(z, pfn, run_end);
		added += run_end - pfn;
		pfn = run_end;
	}
	return added;
}
