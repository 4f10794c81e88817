/*
 * Transparent huge pages (THP) for private anonymous memory.
 *
 * Where a private anonymous VMA covers a whole 2 MiB-aligned range, the
 * first touch maps it with ONE page-directory entry (a "huge PMD", PTE_PS)
 * instead of a table of 512 PTEs: a read maps the huge zero page, a write a
 * fresh zeroed 2 MiB page. fork then copies one entry per 2 MiB, not 512,
 * and a fork of a big heap costs almost no page tables.
 *
 * Copy-on-write keeps its 4 KiB granularity (cow.c): a write to a huge page
 * that is still shared splits the writer's PMD into 512 PTEs and copies
 * exactly one 4 KiB page; the last sharer just gets write access back to
 * the whole 2 MiB. A huge page never straddles a VMA boundary: whatever
 * splits a VMA (munmap, mprotect, madvise) or works on part of a huge page
 * splits the PMD first (thp_split_at).
 *
 * Counting. A huge PMD holds one reference and one mapcount on each of the
 * 512 frames it maps. While the page is "compound" (PG_THP on the head,
 * PG_THP_TAIL on the rest), those 512 identical counts are kept once, in
 * the head's refcount and mapcount, so fork and exit touch one counter per
 * 2 MiB. Splitting any PMD of a compound page first "demotes" it: every
 * frame gets the head's counts and the page is 512 ordinary frames from
 * then on, also for the PMDs other processes still have (they then count
 * per frame). Once a demoted page is again referenced by one huge PMD
 * only (the other sides copied or exited), its next write fault makes it
 * compound again. The huge zero page, like the zero page, is not counted.
 *
 * Locking: huge-PMD entries belong to their mm->lock. A page's compound
 * state and its counts while compound are guarded by its thp lock (one of
 * a small hashed set, rank THP), which every PMD-level get, put and demote
 * takes, so a demotion cannot race another mm's fork or exit of the same
 * page. TLB: whoever changes a present huge PMD flushes it (mm_flush_page
 * on any address inside invalidates the 2 MiB entry) before dropping what
 * it referenced.
 */
#pragma once
#include <arch/mmu.h>
#include <hooks.h>
#include <types.h>

#define HPAGE_SHIFT 21
#define HPAGE_SIZE  (1ul << HPAGE_SHIFT)
#define HPAGE_ORDER (HPAGE_SHIFT - PAGE_SHIFT)
#define HPAGE_NR    (1u << HPAGE_ORDER) /* 4 KiB frames in a huge page: 512 */

struct mm;
struct vma;
struct page;

/* /sys/kernel/mm/transparent_hugepage/enabled, set at boot by transparent_hugepage=. */
enum thp_mode {
	THP_NEVER,
	THP_MADVISE, /* only in VMAs given MADV_HUGEPAGE */
	THP_ALWAYS,  /* every suitable VMA unless given MADV_NOHUGEPAGE (the default) */
};
extern enum thp_mode thp_mode;

/*
 * Boot: allocate the huge zero page (if 2 MiB can be found; without it
 * read faults map 4 KiB zero pages) and read transparent_hugepage= from the
 * command line. After frame_init_late.
 */
void thp_init(void);

/* May the 2 MiB around va in v be mapped by a huge page? */
bool thp_vma_suitable(const struct vma *v, u64 va);
/* Could any part of v be a huge page (smaps' THPeligible)? */
bool thp_vma_eligible(const struct vma *v);
/* Does this present huge PMD map the huge zero page? */
bool thp_is_huge_zero(pte_t pmd);
/* The frame of the 4 KiB page at va inside the huge page pmd maps. */
static inline phys_addr_t thp_pte_phys(pte_t pmd, u64 va)
{
	return pte_phys(pmd) + (va & (HPAGE_SIZE - PAGE_SIZE));
}
/*
 * A PTE value equivalent to the huge PMD's mapping of va (same frame,
 * same rights), for code that reads mappings 4 KiB at a time.
 */
static inline pte_t thp_pte_of(pte_t pmd, u64 va)
{
	return thp_pte_phys(pmd, va) | (pmd & ~PTE_ADDR_MASK & ~PTE_PS);
}

/*
 * First touch of a suitable 2 MiB range of v whose PD entry *pmdp is empty: a
 * read maps the huge zero page, a write a fresh zeroed huge page.
 * FAULT_HANDLED, or FAULT_FALLBACK when no 2 MiB block is free (the 4 KiB
 * path then tries). Caller holds mm->lock.
 */
enum fault_result thp_fault_anon(struct mm *mm, struct vma *v, pte_t *pmdp, bool is_write);
/*
 * Replace the huge PMD *pmdp (mapping haddr) by 512 PTEs mapping the same
 * frames with the same rights, demoting the page. 0, or -ENOMEM with
 * nothing changed. Caller holds mm->lock.
 */
int thp_split_pmd(struct mm *mm, u64 haddr, pte_t *pmdp);
/* If a huge PMD maps va, split it. 0 or -ENOMEM. Caller holds mm->lock. */
int thp_split_at(struct mm *mm, u64 va);
/* Split every huge PMD in [start, end). 0 or -ENOMEM. Caller holds mm->lock. */
int thp_split_range(struct mm *mm, u64 start, u64 end);
/*
 * Clear the huge PMD mapping haddr, flush it, then drop its references and
 * its 512 rss pages. Caller holds mm->lock.
 */
void thp_zap_pmd(struct mm *mm, u64 haddr, pte_t *pmdp);
/*
 * fork: the references a copy of the huge PMD pmd needs (none for the
 * huge zero page). Caller holds the parent's mm->lock.
 */
void thp_dup_pmd(pte_t pmd);
/*
 * True if the huge page pmd maps is ours alone: compound with one
 * reference, or demoted with one reference on each frame (it is then made
 * compound again). Writing to all of it in place is then invisible to
 * anyone else. Caller holds mm->lock.
 */
bool thp_is_exclusive(pte_t pmd);
/*
 * How many user mappings the frame at pfn has, and whether it belongs to
 * a compound huge page (head or tail): for /proc/kpagecount, kpageflags,
 * pagemap and smaps. Lock-free, may be stale.
 */
int thp_frame_mapcount(u64 pfn);
bool thp_frame_is_compound(u64 pfn, bool *is_head);
