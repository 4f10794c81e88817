/*
 * The buddy algorithm, pure: free lists per order over a span of struct
 * pages, with split on allocation and coalesce on free. No locking, no
 * printing, no knowledge of how frames are mapped, so the host unit tests
 * run exactly this code. frame.c wraps it in frame_lock.
 *
 * A free block of 2^k frames starts at a pfn that is a multiple of 2^k and
 * is represented by its head page alone: PG_BUDDY set, order = k, linked
 * into free[k] through lru. Its other pages have flags 0. A page is never
 * both PG_BUDDY and PG_RESERVED. Alignment is of the absolute pfn, so
 * blocks are naturally aligned in physical memory too.
 */
#pragma once
#include <lib/list.h>
#include <mm/page.h>
#include <types.h>

struct buddy_zone {
	struct page *map;		  /* indexed by absolute pfn */
	u64 base_pfn, end_pfn;		  /* the span this zone may manage */
	struct list_head free[MAX_ORDER]; /* free block heads, most recently freed first */
	u64 nfree_blocks[MAX_ORDER];	  /* length of each free list */
	u64 free_frames;		  /* sum of 2^k * nfree_blocks[k] */
	u64 managed_frames;		  /* frames ever added with buddy_add_range */
};

/* Empty zone over pfns [base_pfn, end_pfn) of map; pages are not touched. */
void buddy_init(struct buddy_zone *z, struct page *map, u64 base_pfn, u64 end_pfn);
/*
 * Take a free block of 2^order frames, splitting a larger one if needed.
 * Returns its head page with flags 0 and order set, or NULL if none is free.
 */
struct page *buddy_alloc(struct buddy_zone *z, unsigned order);
/*
 * Give back the block of 2^order frames at pfn, merging it with free
 * buddies. 0, or -EINVAL (nothing changed) if the block is misaligned, out
 * of the zone, reserved, or overlaps a block that is already free.
 */
int buddy_free(struct buddy_zone *z, u64 pfn, unsigned order);
/*
 * Hand the PG_RESERVED pages in [start_pfn, end_pfn) to the allocator
 * (clearing PG_RESERVED) as the largest aligned blocks that fit. Pages that
 * are not reserved are left alone. Returns how many frames were added.
 */
u64 buddy_add_range(struct buddy_zone *z, u64 start_pfn, u64 end_pfn);
/* True if pfn lies inside a free block (head or not). */
bool buddy_is_free(const struct buddy_zone *z, u64 pfn);
