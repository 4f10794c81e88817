/*
 * Physical frame allocator: the buddy core (mm/buddy.c) over all of RAM,
 * behind one lock, plus the boot-time work of building the frame map.
 *
 * Boot layout. boot.S direct-maps only the first 1 GiB, and mmu_init needs
 * frames to direct-map the rest, so the frame map itself must live below
 * 1 GiB and frame_init may only free frames below 1 GiB. Never freed:
 * everything below 1 MiB (firmware, and free for an AP trampoline), the
 * kernel image, the frame map; the initramfs stays reserved until
 * frame_release_range gives it back.
 *
 * Locking: frame_lock (rank FRAME) guards frame_zone and the flags, order
 * and lru of free pages. Page refcounts are atomic and need no lock.
 */
#include <arch/bootinfo.h>
#include <arch/cpu.h>
#include <arch/mmu.h>
#include <lib/printk.h>
#include <lib/spinlock.h>
#include <lib/string.h>
#include <mm/buddy.h>
#include <mm/page.h>
#include <mm/zero_page.h>

#define LOW_LIMIT_PFN	   (0x40000000ul >> PAGE_SHIFT) /* 1 GiB: what boot.S maps */
#define LOW_MEM_PFN	   (0x100000ul >> PAGE_SHIFT)	/* 1 MiB: firmware below */
#define MIN_RAM_BYTES	   (31ul << 20) /* -m 32M after firmware holes; see frame_check_ram */
#define MIN_FREE_LOW_BYTES (16ul << 20) /* mmu_init's tables and the early heap come from here */
#define MAX_EXCLUDED	   4

/* A range of page frames [start, end). */
struct pfn_span {
	u64 start, end;
};

struct page *frame_map;
u64 frame_max_pfn;

static struct spinlock frame_lock = SPINLOCK_INIT("frame", LOCK_RANK_FRAME);
static struct buddy_zone frame_zone; /* [frame_lock] */
static u64 frame_map_npages;	     /* frames the frame map occupies */
static u64 frame_usable_end_pfn;     /* frames at or above this are not direct-mapped yet */

extern char _boot_start[];

STATIC_ASSERT(sizeof(struct page) == 48); /* the frame map is 1.2% of RAM; keep it so */

/* --- allocation ---------------------------------------------------------- */

/* Reset the head page of a block just taken from the allocator. */
static void frame_prepare(struct page *p)
{
	atomic_set(&p->refcount, 1);
	atomic_set(&p->mapcount, 0);
	p->slab_inuse = 0;
	p->owner = NULL;
	p->index = 0;
}

/*
 * Zero len_bytes (a multiple of 8) at dst, 8 bytes per step: emulators such
 * as QEMU's TCG run rep stosb a byte at a time, rep stosq eight times faster.
 */
static void frame_zero(void *dst, size_t len_bytes)
{
	size_t nwords = len_bytes / 8;
	__asm__ volatile("rep stosq" : "+D"(dst), "+c"(nwords) : "a"(0ul) : "memory");
}

struct page *frame_alloc(unsigned order, unsigned gfp)
{
	spin_lock(&frame_lock);
	struct page *p = buddy_alloc(&frame_zone, order);
	spin_unlock(&frame_lock);
	if (!p)
		return NULL;
	frame_prepare(p);
	if (gfp & GFP_ZERO)
		frame_zero(page_to_virt(p), PAGE_SIZE << order);
	return p;
}

/* True if p points at an entry of the frame map. */
static bool frame_page_valid(const struct page *p)
{
	return p >= frame_map && p < frame_map + frame_max_pfn;
}

/*
 * Hand a block whose references are all gone back to the buddy core. A
 * bad block (double free, reserved, misaligned) is refused loudly: leaking
 * it is far better than corrupting the free lists.
 */
static void frame_free_block(struct page *p, unsigned order)
{
	u64 pfn = page_to_pfn(p);
	if (atomic_read(&p->mapcount) != 0)
		printk("frame: freeing pfn %#lx still mapped %d times\n", pfn,
		       atomic_read(&p->mapcount));
	spin_lock(&frame_lock);
	int err = buddy_free(&frame_zone, pfn, order);
	if (!err)
		atomic_set(&p->refcount, 0);
	spin_unlock(&frame_lock);
	if (err)
		printk("frame: bad free of pfn %#lx order %u (double free, reserved or "
		       "misaligned), ignored\n",
		       pfn, order);
}

void frame_free(struct page *p, unsigned order)
{
	if (!frame_page_valid(p)) {
		printk("frame: frame_free(%p): not a frame\n", p);
		return;
	}
	int ref = page_refcount(p);
	if (ref > 1) {
		printk("frame: frame_free of pfn %#lx with %d references, ignored\n",
		       page_to_pfn(p), ref);
		return;
	}
	frame_free_block(p, order);
}

void page_put(struct page *p)
{
	int ref = atomic_add_return(&p->refcount, -1);
	if (likely(ref > 0))
		return;
	if (unlikely(ref < 0)) {
		atomic_inc(&p->refcount);
		printk("frame: page_put of free pfn %#lx, ignored\n", page_to_pfn(p));
		return;
	}
	/* This CPU took the count to zero, so no one else can see the page. */
	frame_free_block(p, p->order);
}

u64 frame_free_count(void)
{
	return READ_ONCE(frame_zone.free_frames);
}

u64 frame_total_count(void)
{
	return READ_ONCE(frame_zone.managed_frames);
}

u64 frame_free_blocks(unsigned order)
{
	return order < MAX_ORDER ? READ_ONCE(frame_zone.nfree_blocks[order]) : 0;
}

/* --- usable RAM ------------------------------------------------------------ */

/* RAM range i as whole frames, clipped to [lo, hi); empty if nothing is left. */
static struct pfn_span frame_ram_span(int i, u64 lo, u64 hi)
{
	const struct boot_range *r = &boot_info.ram[i];
	struct pfn_span s = { ALIGN_UP(r->start, PAGE_SIZE) >> PAGE_SHIFT,
			      ALIGN_DOWN(r->start + r->len_bytes, PAGE_SIZE) >> PAGE_SHIFT };
	s.start = MAX(s.start, lo);
	s.end = MIN(s.end, hi);
	if (s.end < s.start)
		s.end = s.start;
	return s;
}

/*
 * Fill ex[] with the frames that must never be handed out as free RAM:
 * below 1 MiB, the kernel image, the frame map once placed, and the
 * initramfs if is_initrd_held. Returns how many spans were written.
 */
static int frame_exclusions(struct pfn_span *ex, bool is_initrd_held)
{
	int n = 0;
	ex[n++] = (struct pfn_span){ 0, LOW_MEM_PFN };
	ex[n++] = (struct pfn_span){ (u64)_boot_start >> PAGE_SHIFT,
				     ALIGN_UP(virt_to_phys(_kernel_end), PAGE_SIZE) >> PAGE_SHIFT };
	if (frame_map_npages) {
		u64 start = virt_to_phys(frame_map) >> PAGE_SHIFT;
		ex[n++] = (struct pfn_span){ start, start + frame_map_npages };
	}
	if (is_initrd_held && boot_info.initrd_len_bytes) {
		phys_addr_t end = boot_info.initrd_start + boot_info.initrd_len_bytes;
		ex[n++] = (struct pfn_span){ boot_info.initrd_start >> PAGE_SHIFT,
					     ALIGN_UP(end, PAGE_SIZE) >> PAGE_SHIFT };
	}
	return n;
}

typedef void (*span_fn)(struct pfn_span s, void *arg);

/*
 * Call fn on each piece of s that no span of ex[0..nex) covers. Pieces on
 * either side of the first overlapping exclusion only need checking against
 * the exclusions after it, so the recursion depth is at most nex.
 */
static void frame_subtract(struct pfn_span s, const struct pfn_span *ex, int nex, span_fn fn,
			   void *arg)
{
	for (; nex > 0; ex++, nex--) {
		if (ex->end <= s.start || ex->start >= s.end)
			continue;
		if (ex->start > s.start)
			frame_subtract((struct pfn_span){ s.start, ex->start }, ex + 1, nex - 1, fn,
				       arg);
		if (ex->end < s.end)
			frame_subtract((struct pfn_span){ ex->end, s.end }, ex + 1, nex - 1, fn,
				       arg);
		return;
	}
	if (s.start < s.end)
		fn(s, arg);
}

/* Call fn on every usable, non-excluded piece of RAM within [lo, hi). */
static void frame_for_each_usable(u64 lo, u64 hi, bool is_initrd_held, span_fn fn, void *arg)
{
	struct pfn_span ex[MAX_EXCLUDED];
	int nex = frame_exclusions(ex, is_initrd_held);
	for (int i = 0; i < boot_info.nram; i++)
		frame_subtract(frame_ram_span(i, lo, hi), ex, nex, fn, arg);
}

/* span_fn: give s to the allocator; arg counts the frames added. Takes frame_lock. */
static void frame_add_span(struct pfn_span s, void *arg)
{
	spin_lock(&frame_lock);
	*(u64 *)arg += buddy_add_range(&frame_zone, s.start, s.end);
	spin_unlock(&frame_lock);
}

/* span_fn: keep in *arg the largest span seen. */
static void frame_largest_span(struct pfn_span s, void *arg)
{
	struct pfn_span *best = arg;
	if (s.end - s.start > best->end - best->start)
		*best = s;
}

/* --- boot ---------------------------------------------------------------- */

/* One past the highest frame of reported RAM. */
static u64 frame_ram_end_pfn(void)
{
	u64 end = 0;
	for (int i = 0; i < boot_info.nram; i++)
		end = MAX(end, frame_ram_span(i, 0, ~0ul).end);
	return end;
}

/*
 * Count usable RAM in frames, refusing to boot on too little with a clear
 * message rather than failing obscurely later. 32 MiB is a floor for
 * running anything real: the kernel image and the initramfs (held twice
 * while it is unpacked) take several MiB, the frame map, page tables and
 * heap some more, and user programs need the rest. QEMU -m 32M reports
 * about 31.6 MiB of usable RAM, hence the 31 MiB threshold.
 */
static u64 frame_check_ram(void)
{
	u64 ram_frames = 0;
	for (int i = 0; i < boot_info.nram; i++) {
		struct pfn_span s = frame_ram_span(i, 0, ~0ul);
		ram_frames += s.end - s.start;
	}
	if (ram_frames << PAGE_SHIFT < MIN_RAM_BYTES)
		panic("not enough memory: %lu KiB of RAM, need 32 MiB (qemu -m 32M)",
		      ram_frames << (PAGE_SHIFT - 10));
	return ram_frames;
}

/*
 * Choose where the frame map goes: the largest free span below 1 GiB. If
 * even that cannot describe all of RAM, describe only the RAM it can and
 * say so (this takes more than ~80 GiB of RAM).
 */
static struct pfn_span frame_map_place(void)
{
	struct pfn_span best = { 0, 0 };
	frame_for_each_usable(0, LOW_LIMIT_PFN, true, frame_largest_span, &best);
	u64 room_frames = best.end - best.start;
	u64 describable = (room_frames << PAGE_SHIFT) / sizeof(struct page);
	if (describable < frame_max_pfn) {
		printk("frame: no room below 1 GiB to describe RAM above %lu MiB; ignoring it\n",
		       describable >> (20 - PAGE_SHIFT));
		frame_max_pfn = describable;
	}
	u64 npages = ALIGN_UP(frame_max_pfn * sizeof(struct page), PAGE_SIZE) >> PAGE_SHIFT;
	return (struct pfn_span){ best.start, best.start + npages };
}

/* Build the frame map at span, every page reserved until proven free. */
static void frame_map_init(struct pfn_span span)
{
	frame_map = phys_to_virt(span.start << PAGE_SHIFT);
	memset(frame_map, 0, (span.end - span.start) << PAGE_SHIFT);
	for (u64 pfn = 0; pfn < frame_max_pfn; pfn++) {
		frame_map[pfn].flags = PG_RESERVED;
		list_init(&frame_map[pfn].lru);
	}
	frame_map_npages = span.end - span.start;
	buddy_init(&frame_zone, frame_map, 0, frame_max_pfn);
}

void frame_init(void)
{
	frame_max_pfn = frame_ram_end_pfn();
	u64 ram_frames = frame_check_ram();
	struct pfn_span map = frame_map_place();
	frame_map_init(map);
	zero_page_init(); /* its frame is in the image: reserved, now tagged */
	frame_usable_end_pfn = MIN(LOW_LIMIT_PFN, frame_max_pfn);
	u64 added = 0;
	frame_for_each_usable(0, frame_usable_end_pfn, true, frame_add_span, &added);
	if (added << PAGE_SHIFT < MIN_FREE_LOW_BYTES)
		panic("not enough memory: only %lu KiB free below 1 GiB, need %lu MiB",
		      added << (PAGE_SHIFT - 10), MIN_FREE_LOW_BYTES >> 20);
	printk("frame: %lu MiB RAM below %#lx, map %lu KiB at %#lx, %lu MiB free below 1 GiB\n",
	       ram_frames >> (20 - PAGE_SHIFT), frame_max_pfn << PAGE_SHIFT,
	       frame_map_npages << (PAGE_SHIFT - 10), map.start << PAGE_SHIFT,
	       added >> (20 - PAGE_SHIFT));
}

/*
 * True if the current page tables map the direct-map address of pa. Walks
 * the live tables through the direct map, which covers them: they are
 * either boot.S's or allocated by mmu_init from frames below 1 GiB.
 */
static bool frame_is_direct_mapped(phys_addr_t pa)
{
	u64 va = (u64)phys_to_virt(pa);
	const pte_t *table = phys_to_virt(read_cr3() & PTE_ADDR_MASK);
	for (int level = 3;; level--) {
		pte_t e = table[(va >> (PAGE_SHIFT + 9 * level)) & 511];
		if (!pte_present(e))
			return false;
		if (level == 0 || (level < 3 && (e & PTE_PS)))
			return true;
		table = phys_to_virt(pte_phys(e));
	}
}

/* span_fn: add s to the allocator if both its ends are direct-mapped, else count it in arg[1]. */
static void frame_add_mapped_span(struct pfn_span s, void *arg)
{
	u64 *counts = arg;
	if (frame_is_direct_mapped(s.start << PAGE_SHIFT) &&
	    frame_is_direct_mapped((s.end - 1) << PAGE_SHIFT))
		frame_add_span(s, &counts[0]);
	else
		counts[1] += s.end - s.start;
}

void frame_init_late(void)
{
	u64 counts[2] = { 0, 0 }; /* frames added, frames left out because unmapped */
	frame_for_each_usable(LOW_LIMIT_PFN, frame_max_pfn, true, frame_add_mapped_span, counts);
	if (counts[1])
		printk("frame: %lu MiB of RAM above 1 GiB is not direct-mapped; left unused\n",
		       counts[1] >> (20 - PAGE_SHIFT));
	else
		WRITE_ONCE(frame_usable_end_pfn, frame_max_pfn);
}

void frame_release_range(phys_addr_t start, u64 len_bytes)
{
	if (len_bytes == 0 || start + len_bytes < start)
		return;
	u64 lo = start >> PAGE_SHIFT;
	u64 hi = ALIGN_UP(start + len_bytes, PAGE_SIZE) >> PAGE_SHIFT;
	u64 added = 0;
	frame_for_each_usable(lo, MIN(hi, READ_ONCE(frame_usable_end_pfn)), false, frame_add_span,
			      &added);
}
