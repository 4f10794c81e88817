/*
 * Copying a range of page tables from one address space to another, one
 * function per level (arch/x86_64/ptcopy.c). The walker only moves bits;
 * the caller's callback decides, PTE by PTE, what the copy holds and what
 * becomes of the source entry (for fork: mm/cow.c).
 */
#pragma once
#include <arch/mmu.h>
#include <types.h>

/*
 * Called for each non-zero leaf PTE of the source in range (present or
 * not: a PROT_NONE page keeps its frame in a non-present entry). It may rewrite
 * *src (e.g. clear W) and returns the value for the destination (0: leave
 * the destination empty).
 */
typedef pte_t (*ptcopy_fn)(void *arg, u64 va, pte_t *src);

/*
 * The caller's decisions: pte for each non-zero 4 KiB entry, huge for each
 * large-page (2 MiB) PD entry, which the range must cover whole.
 */
struct ptcopy_ops {
	ptcopy_fn pte;
	ptcopy_fn huge;
};

/*
 * Walk src's user page tables over [start, end) and fill dst's, allocating
 * dst tables as needed. Returns 0, -EINVAL (a huge entry only partly in
 * range) or -ENOMEM (dst then holds a partial copy that the caller must
 * tear down). Does not flush any TLB.
 */
int pt_copy_range(phys_addr_t src_root, phys_addr_t dst_root, u64 start, u64 end,
		  const struct ptcopy_ops *ops, void *arg);
