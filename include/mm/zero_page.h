/*
 * The zero page: one frame of zeroes, mapped read-only wherever private
 * anonymous memory (heap, BSS, stack, a fresh mmap) is read before it is
 * ever written. Reading 64 MiB of untouched memory then costs page tables,
 * not 64 MiB of frames. The first write to such a page is a write fault on
 * a read-only PTE: the copy-on-write code gives the writer a fresh zeroed
 * frame of its own (cow.c).
 *
 * Not reference counted. The frame lives in the kernel image (reserved,
 * never freed), so a per-PTE reference would protect nothing while making
 * every CPU that maps it bounce one cache line. PTEs mapping it therefore
 * hold no reference, no mapcount and no rss page: whoever walks PTEs (zap,
 * fork) asks zero_page_is_pte() before touching the frame's counts.
 * Its struct page carries PG_ZERO (and PG_RESERVED), for /proc/kpageflags.
 */
#pragma once
#include <arch/mmu.h>
#include <mm/layout.h>
#include <types.h>

struct mm;
struct vma;
struct page;

/* The frame itself, page aligned in the kernel image's read-only data. */
extern const u8 zero_page_bytes[PAGE_SIZE];

static inline phys_addr_t zero_page_phys(void)
{
	return virt_to_phys(zero_page_bytes);
}
/* Boot: tag the frame PG_ZERO. Called by frame_init once the frame map exists. */
void zero_page_init(void);
/* Does this (present or PROT_NONE) PTE map the zero page? */
static inline bool zero_page_is_pte(pte_t e)
{
	return pte_phys(e) == zero_page_phys();
}
/*
 * A read fault at page-aligned va of private anonymous v, whose PTE is
 * empty: map the zero page read-only. 0 or -ENOMEM (no page table).
 * Counts zero_page_map. Caller holds mm->lock.
 */
int zero_page_map(struct mm *mm, struct vma *v, u64 va);
