/*
 * madvise(2). Three kinds of advice:
 *   - throw pages away (MADV_DONTNEED, MADV_FREE): their PTEs are zapped,
 *     so the next touch faults afresh: private anonymous memory reads
 *     zeroes, a private file mapping re-reads the file, a shared mapping
 *     finds its data still in the page cache (or shmem);
 *   - change what fork does with a mapping (MADV_DONTFORK/DOFORK,
 *     MADV_WIPEONFORK/KEEPONFORK) or whether new huge pages may appear in
 *     it (MADV_HUGEPAGE/NOHUGEPAGE, mm/thp.h): a VMA flag that cow_dup_mm
 *     or the fault path obeys, so the range is split off into VMAs of its
 *     own; like Linux, NOHUGEPAGE leaves huge pages already there alone;
 *   - hints about access patterns, core dumps or merging, which a kernel
 *     without swap or readahead may ignore.
 * Anything else is EINVAL.
 *
 * Like Linux, a range with unmapped holes is advised where it is mapped
 * and then fails with ENOMEM.
 */
#include <mm/mm.h>
#include <uapi/errno.h>
#include "internal.h"

/* Advice that changes nothing here. */
static bool madvise_is_hint(int advice)
{
	switch (advice) {
	case MADV_NORMAL:
	case MADV_RANDOM:
	case MADV_SEQUENTIAL:
	case MADV_WILLNEED:
	case MADV_DONTDUMP:
	case MADV_DODUMP:
	case MADV_COLD:
	case MADV_PAGEOUT:
	case MADV_MERGEABLE:
	case MADV_UNMERGEABLE:
		return true;
	default:
		return false;
	}
}

/*
 * The VMA flags set (*set) and cleared (*clear) by fork or huge-page
 * advice; false for other advice.
 */
static bool madvise_vma_flags(int advice, u32 *set, u32 *clear)
{
	*set = *clear = 0;
	switch (advice) {
	case MADV_HUGEPAGE:
		*set = VM_HUGEPAGE;
		*clear = VM_NOHUGEPAGE;
		return true;
	case MADV_NOHUGEPAGE:
		*set = VM_NOHUGEPAGE;
		*clear = VM_HUGEPAGE;
		return true;
	case MADV_DONTFORK:
		*set = VM_DONTFORK;
		return true;
	case MADV_DOFORK:
		*clear = VM_DONTFORK;
		return true;
	case MADV_WIPEONFORK:
		*set = VM_WIPEONFORK;
		return true;
	case MADV_KEEPONFORK:
		*clear = VM_WIPEONFORK;
		return true;
	default:
		return false;
	}
}

/*
 * Wiping on fork and lazy freeing only make sense for memory nobody else
 * sees: Linux refuses both on file and shared mappings.
 */
static bool madvise_needs_private_anon(int advice)
{
	return advice == MADV_WIPEONFORK || advice == MADV_FREE;
}

/* Every VMA in [start, end) accepts advice; checked before anything changes. Caller holds mm->lock.
 */
static bool madvise_vmas_accept(struct mm *mm, u64 start, u64 end, int advice)
{
	if (!madvise_needs_private_anon(advice))
		return true;
	for (struct vma *v = vma_find_first(mm, start); v && v->start < end; v = vma_next(mm, v))
		if (v->file || (v->flags & VM_SHARED))
			return false;
	return true;
}

/*
 * Set and clear flags on the VMAs in [start, end), splitting at the edges
 * first and merging what became equal after. Caller holds mm->lock.
 */
static int madvise_set_flags(struct mm *mm, u64 start, u64 end, u32 set, u32 clear)
{
	int r = mm_split_edges(mm, start, end);
	if (r)
		return r;
	for (struct vma *v = vma_find_first(mm, start); v && v->start < end; v = vma_next(mm, v))
		v->flags = (v->flags & ~clear) | set;
	for (struct vma *v = vma_find_first(mm, start); v && v->start <= end; v = vma_next(mm, v))
		v = vma_merge(mm, v);
	return 0;
}

/*
 * Apply advice to the mapped parts of [start, end). MADV_FREE may drop the
 * pages at once: that is one of the outcomes it allows. Caller holds mm->lock.
 */
static int madvise_locked(struct mm *mm, u64 start, u64 end, int advice)
{
	u32 set, clear;
	int r = 0;
	if (!madvise_vmas_accept(mm, start, end, advice))
		return -EINVAL;
	if (advice == MADV_DONTNEED || advice == MADV_FREE)
		r = mm_zap_range(mm, start, end);
	else if (madvise_vma_flags(advice, &set, &clear))
		r = madvise_set_flags(mm, start, end, set, clear);
	if (!r && !mm_range_is_mapped(mm, start, end))
		r = -ENOMEM;
	return r;
}

/* A range reaching beyond user space is advised up to its end, then fails with ENOMEM. */
int mm_advise(struct mm *mm, u64 addr, u64 len, int advice)
{
	u32 set, clear;
	bool is_known = madvise_is_hint(advice) || madvise_vma_flags(advice, &set, &clear) ||
			advice == MADV_DONTNEED || advice == MADV_FREE;
	u64 alen = ALIGN_UP(len, PAGE_SIZE);
	if (!is_known || !IS_ALIGNED(addr, PAGE_SIZE) || (len && !alen) || addr + alen < addr)
		return -EINVAL;
	if (!alen)
		return 0;
	u64 end = MIN(addr + alen, USER_TOP);
	int r = 0;
	if (addr < end) {
		spin_lock(&mm->lock);
		r = madvise_locked(mm, addr, end, advice);
		spin_unlock(&mm->lock);
	}
	return r ? r : (addr + alen > USER_TOP ? -ENOMEM : 0);
}
