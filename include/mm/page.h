/*
 * Physical frames. Every frame of RAM has one struct page in the frame map
 * (pfn_to_page). Its reference count is what copy-on-write relies on: each
 * user PTE mapping the frame and each kernel holder owns one reference, and
 * the frame returns to the allocator when the last one is dropped.
 *
 * Locking: refcount and mapcount are atomic. flags/order/lru belong to
 * whoever owns the frame: the allocator (under frame_lock) while it is free,
 * the allocating subsystem afterwards.
 */
#pragma once
#include <lib/atomic.h>
#include <lib/list.h>
#include <mm/layout.h>
#include <types.h>

enum page_flags {
	PG_RESERVED = 1u << 0,	/* not allocatable: firmware, kernel image, holes */
	PG_BUDDY = 1u << 1,	/* head of a free block in the buddy allocator */
	PG_SLAB = 1u << 2,	/* owned by kmalloc */
	PG_PAGETABLE = 1u << 3, /* a page-table page */
	PG_ANON = 1u << 4,	/* anonymous user memory */
	PG_FILE = 1u << 5,	/* page-cache page */
	PG_ZERO = 1u << 6,	/* the shared zero page (or a frame of the huge zero page) */
	PG_THP = 1u << 7,	/* head of a 2 MiB transparent huge page, counted as one (thp.h) */
	PG_THP_TAIL = 1u << 8,	/* one of the other 511 frames of such a page */
};

/*
 * 48 bytes; keep it small, there is one per 4 KiB of RAM. Only the head
 * frame of a multi-frame block carries its refcount and order; the other
 * frames of the block keep refcount 0 and flags 0.
 */
struct page {
	atomic_t refcount;    /* 0 = free */
	atomic_t mapcount;    /* user PTEs mapping this frame (/proc/kpagecount) */
	u32 flags;	      /* enum page_flags */
	u8 order;	      /* block order: while PG_BUDDY, and as allocated (head) */
	u16 slab_inuse;	      /* PG_SLAB small-object slab: objects handed out */
	struct list_head lru; /* free list, slab list or page-cache list */
	void *owner;	      /* slab cache, or page-cache inode */
	union {
		u64 index;	     /* page-cache file offset in pages */
		void *slab_freelist; /* PG_SLAB small-object slab: first free object */
	};
};

/* Allocation flags. */
#define GFP_KERNEL 0u
#define GFP_ZERO   (1u << 0) /* zero the frames */
#define GFP_NOINIT                                                                                 \
	(1u << 1) /* kmalloc: the caller writes what it reads; skip zeroing a fresh block */

#define MAX_ORDER 11 /* orders 0..10: up to 4 MiB blocks */

extern struct page *frame_map; /* indexed by pfn */
extern u64 frame_max_pfn;      /* one past the highest pfn in frame_map */

static inline struct page *pfn_to_page(u64 pfn)
{
	return &frame_map[pfn];
}
static inline u64 page_to_pfn(const struct page *p)
{
	return (u64)(p - frame_map);
}
static inline phys_addr_t page_to_phys(const struct page *p)
{
	return page_to_pfn(p) << PAGE_SHIFT;
}
static inline void *page_to_virt(const struct page *p)
{
	return phys_to_virt(page_to_phys(p));
}
static inline struct page *phys_to_page(phys_addr_t pa)
{
	return pfn_to_page(pa >> PAGE_SHIFT);
}
static inline struct page *virt_to_page(const void *va)
{
	return phys_to_page(virt_to_phys(va));
}

/*
 * Set up the frame map from boot_info, reserving what is in use, and free
 * the RAM below 1 GiB (all that boot.S direct-maps). frame_init_late()
 * frees the rest once mmu_init() has direct-mapped all of RAM.
 */
void frame_init(void);
void frame_init_late(void);
/*
 * 2^order contiguous frames, aligned to their size, or NULL when no such
 * block is free (never panics). The head page has refcount 1, order = order,
 * flags/owner/index cleared. Takes frame_lock (rank FRAME): callable with
 * locks of lower rank held, never with the heap lock.
 */
struct page *frame_alloc(unsigned order, unsigned gfp);
/*
 * Return a block straight to the allocator (head refcount must be 0 or 1).
 * A double free, a reserved frame or a misaligned block is refused with a
 * warning instead of corrupting the free lists.
 */
void frame_free(struct page *p, unsigned order);
/* Frames currently free / managed in total (both in 4 KiB units). Lock-free reads. */
u64 frame_free_count(void);
u64 frame_total_count(void);
/* Free blocks of exactly this order (for /proc/buddyinfo and tests). */
u64 frame_free_blocks(unsigned order);
/*
 * Give back every frame that [start, start+len) touches and that is still
 * reserved usable RAM (the initrd after unpacking). Frames below 1 MiB, the
 * kernel image, the frame map, holes and frames already managed are skipped,
 * and so are frames above 1 GiB until frame_init_late has run.
 */
void frame_release_range(phys_addr_t start, u64 len_bytes);

/* One more reference to an allocated frame. */
static inline void page_get(struct page *p)
{
	atomic_inc(&p->refcount);
}
/*
 * Drop a reference; the last one frees the block (order p->order, 0 for
 * frames that were allocated singly). Safe to race with page_put on other
 * CPUs: exactly one caller sees the count reach zero.
 */
void page_put(struct page *p);
static inline int page_refcount(const struct page *p)
{
	return atomic_read(&p->refcount);
}
