/*
 * Helpers shared by the files of kernel/mm/ that change address spaces
 * (mmap.c, mremap.c, madvise.c, msync.c); not for use outside mm/.
 * All of them expect mm->lock held by the caller.
 */
#pragma once
#include <mm/mm.h>

/* Where the gap below v ends: a growing stack keeps STACK_GUARD_GAP free beneath it. */
u64 vma_start_gap(const struct vma *v);
/*
 * A free range of len bytes for a non-fixed mapping: the hint if free, else
 * the highest gap below mmap_base, else the highest anywhere (MAP_32BIT: in
 * the low 2 GiB); without a usable hint, align-aligned where possible.
 * The address or -ENOMEM.
 */
long mmap_pick_addr(struct mm *mm, u64 hint, u64 len, int flags, u64 align);
/* Linux's overcommit heuristic: may npages more private writable pages be promised? */
bool mm_may_commit(u64 npages);
/* Make start and end VMA boundaries (all or nothing). 0 or -ENOMEM. */
int mm_split_edges(struct mm *mm, u64 start, u64 end);
/* munmap of page-aligned [start, end): 0, or -ENOMEM before anything was removed. */
int mm_unmap_locked(struct mm *mm, u64 start, u64 end);
/* True if VMAs cover [start, end) without a hole. */
bool mm_range_is_mapped(struct mm *mm, u64 start, u64 end);
