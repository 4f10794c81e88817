/*
 * mremap(2): grow, shrink or move a mapping. A move moves the PTEs (each
 * keeps its frame, its reference and its copy-on-write state), never the
 * data: realloc of a 64 MiB block by musl costs page-table updates, not a
 * 64 MiB copy. A huge page moves as one entry when it lands on a 2 MiB
 * boundary, and is split into PTEs otherwise.
 *
 * Everything runs under mm->lock. Allocations that can fail (the new VMA,
 * VMA splits, the destination's page tables) all happen before the first
 * PTE moves, so a failed move leaves the source intact.
 */
#include <mm/mm.h>
#include <mm/thp.h>
#include <uapi/errno.h>
#include "internal.h"

/* Linux's argument checks, in its order. Aligns both lengths. */
static int mremap_check(u64 addr, u64 *old_len, u64 *new_len, int flags, u64 new_addr)
{
	if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP))
		return -EINVAL;
	if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	if ((flags & MREMAP_DONTUNMAP) && (!(flags & MREMAP_MAYMOVE) || *old_len != *new_len))
		return -EINVAL;
	if (!IS_ALIGNED(addr, PAGE_SIZE))
		return -EINVAL;
	*old_len = ALIGN_UP(*old_len, PAGE_SIZE);
	*new_len = ALIGN_UP(*new_len, PAGE_SIZE);
	if (!*new_len)
		return -EINVAL;
	if (!(flags & MREMAP_FIXED))
		return 0;
	if (!IS_ALIGNED(new_addr, PAGE_SIZE) || *new_len > USER_TOP ||
	    new_addr > USER_TOP - *new_len)
		return -EINVAL;
	if (addr + *old_len > new_addr && new_addr + *new_len > addr)
		return -EINVAL; /* the old and new ranges overlap */
	return 0;
}

/*
 * The source must lie inside one VMA (EFAULT otherwise). Length 0 asks for
 * a second mapping of the same pages, which only a shared mapping has
 * (EINVAL for a private one). Caller holds mm->lock.
 */
static int mremap_check_source(struct mm *mm, u64 addr, u64 old_len)
{
	struct vma *v = vma_find(mm, addr);
	if (!v || old_len > v->end - addr)
		return -EFAULT;
	if (!old_len && !(v->flags & VM_SHARED))
		return -EINVAL;
	return 0;
}

/*
 * Can the huge page at va move whole to dst? Only to a 2 MiB boundary (the
 * source and destination sit at the same offset within 2 MiB) whose page-
 * directory slot is empty or can be made: a leftover leaf table there
 * (tables stay until exit) would be lost under a huge entry. Caller holds
 * mm->lock.
 */
static bool mremap_huge_fits(struct mm *mm, u64 va, u64 dst)
{
	if (!IS_ALIGNED(dst - va, HPAGE_SIZE))
		return false;
	pte_t *dpmd = pt_walk_pmd(mm->root, dst, true);
	return dpmd && !*dpmd;
}

/*
 * Get [from, from + len) ready to move to to, so that moving cannot fail
 * halfway: a huge page that can move whole gets its destination slot, any
 * other is split into PTEs, and every present PTE gets its destination
 * leaf table. 0 or -ENOMEM. Caller holds mm->lock.
 */
static int mremap_prepare_tables(struct mm *mm, u64 from, u64 to, u64 len)
{
	for (u64 off = 0; off < len;) {
		u64 va = from + off;
		pte_t *pmdp = pt_walk_pmd(mm->root, va, false);
		if (pmdp && pt_is_huge(*pmdp) && mremap_huge_fits(mm, va, to + off)) {
			off += HPAGE_SIZE; /* whole: vma_split keeps huge pages inside VMAs */
			continue;
		}
		if (pmdp && pt_is_huge(*pmdp) &&
		    thp_split_pmd(mm, ALIGN_DOWN(va, HPAGE_SIZE), pmdp))
			return -ENOMEM;
		if (!pmdp || !pte_present(*pmdp)) {
			off = ALIGN_DOWN(va, HPAGE_SIZE) + HPAGE_SIZE - from;
			continue;
		}
		if (*pt_pte_in(*pmdp, va) && !pt_walk(mm->root, to + off, true))
			return -ENOMEM;
		off += PAGE_SIZE;
	}
	return 0;
}

/*
 * Move every entry of [from, from + len) to the same offset from to
 * (tables prepared): huge pages as one entry, the rest PTE by PTE. Each
 * entry is taken out atomically (keeping A/D) and its old translation
 * flushed before it appears at the new address, so no CPU can write
 * through the old address afterwards. The frame's reference moves with the
 * entry: counts are unchanged. Caller holds mm->lock.
 */
static void mremap_move_ptes(struct mm *mm, u64 from, u64 to, u64 len)
{
	for (u64 off = 0; off < len;) {
		u64 va = from + off;
		pte_t *pmdp = pt_walk_pmd(mm->root, va, false);
		bool is_huge = pmdp && pt_is_huge(*pmdp);
		if (!is_huge && (!pmdp || !pte_present(*pmdp))) {
			off = ALIGN_DOWN(va, HPAGE_SIZE) + HPAGE_SIZE - from;
			continue;
		}
		pte_t *src = is_huge ? pmdp : pt_pte_in(*pmdp, va);
		pte_t e = __atomic_exchange_n(src, 0, __ATOMIC_SEQ_CST);
		if (e & PTE_P)
			mm_flush_page(mm, va);
		pte_t *dst = is_huge ? pt_walk_pmd(mm->root, to + off, false)
				     : pt_walk(mm->root, to + off, false);
		if (e)
			WRITE_ONCE(*dst, e);
		off += is_huge ? HPAGE_SIZE : PAGE_SIZE;
	}
}

/*
 * A new VMA like v (same rights, and the same file page that from maps) at
 * [start, start + len). Being moved makes it neither the brk heap nor the
 * main stack. NULL on OOM or at the VMA limit. Caller holds mm->lock.
 */
static struct vma *mremap_clone_vma(struct mm *mm, const struct vma *v, u64 from, u64 start,
				    u64 len)
{
	if (mm->nvmas >= MM_MAX_VMAS)
		return NULL;
	struct vma *nv = vma_alloc(start, start + len, v->flags & ~(VM_HEAP | VM_STACK));
	if (nv && v->file)
		vma_set_file(nv, v->file, vma_pgoff_of(v, from));
	return nv;
}

/*
 * Move [addr, addr + old_len) to [new_addr, new_addr + new_len)
 * (old_len <= new_len, the ranges disjoint, the destination free): the
 * pages move, the rest of the new range is fresh memory of the same
 * mapping. With MREMAP_DONTUNMAP the old range stays mapped, empty.
 * old_len 0 (shared only) maps the same pages a second time.
 * Caller holds mm->lock.
 */
static long mremap_move(struct mm *mm, u64 addr, u64 old_len, u64 new_addr, u64 new_len, int flags)
{
	int r = old_len ? mm_split_edges(mm, addr, addr + old_len) : 0;
	if (r)
		return r;
	struct vma *v = vma_find(mm, addr);
	struct vma *nv = mremap_clone_vma(mm, v, addr, new_addr, new_len);
	if (!nv || mremap_prepare_tables(mm, addr, new_addr, old_len)) {
		if (nv)
			vma_free(nv);
		vma_merge(mm, v);
		return -ENOMEM;
	}
	mremap_move_ptes(mm, addr, new_addr, old_len);
	if (old_len && !(flags & MREMAP_DONTUNMAP)) {
		vma_unlink(mm, v);
		vma_free(v);
	} else {
		vma_merge(mm, v);
	}
	vma_insert(mm, nv);
	vma_merge(mm, nv);
	return (long)new_addr;
}

/* Can v grow in place to end at new_end? It must not reach the next VMA (or its guard gap). */
static bool mremap_can_expand(struct mm *mm, struct vma *v, u64 new_end)
{
	struct vma *next = vma_next(mm, v);
	return new_end <= USER_TOP && (!next || new_end <= vma_start_gap(next));
}

/* Growth of a private writable mapping promises new memory: the overcommit check. */
static bool mremap_may_commit(const struct vma *v, u64 grow_bytes)
{
	if ((v->flags & VM_SHARED) || !(v->flags & VM_WRITE))
		return true;
	return mm_may_commit(grow_bytes >> PAGE_SHIFT);
}

/* MREMAP_FIXED: clear the destination, trim the source to fit, move. Caller holds mm->lock. */
static long mremap_to(struct mm *mm, u64 addr, u64 old_len, u64 new_len, int flags, u64 new_addr)
{
	int r = mremap_check_source(mm, addr, old_len);
	if (!r && new_len > old_len && !mremap_may_commit(vma_find(mm, addr), new_len - old_len))
		r = -ENOMEM;
	if (!r)
		r = mm_unmap_locked(mm, new_addr, new_addr + new_len);
	if (!r && old_len > new_len) {
		r = mm_unmap_locked(mm, addr + new_len, addr + old_len);
		old_len = new_len;
	}
	return r ? r : mremap_move(mm, addr, old_len, new_addr, new_len, flags);
}

/* Grow in place if the room is there, else move if allowed. Caller holds mm->lock. */
static long mremap_grow(struct mm *mm, u64 addr, u64 old_len, u64 new_len, int flags)
{
	struct vma *v = vma_find(mm, addr);
	if (!mremap_may_commit(v, new_len - old_len))
		return -ENOMEM;
	if (old_len && addr + old_len == v->end && !(flags & MREMAP_DONTUNMAP) &&
	    mremap_can_expand(mm, v, addr + new_len)) {
		mm->total_vm_pages += (new_len - old_len) >> PAGE_SHIFT;
		v->end = addr + new_len;
		vma_merge(mm, v);
		return (long)addr;
	}
	if (!(flags & MREMAP_MAYMOVE))
		return -ENOMEM;
	long new_addr = mmap_pick_addr(mm, 0, new_len, 0, PAGE_SIZE);
	if (new_addr < 0)
		return new_addr;
	return mremap_move(mm, addr, old_len, (u64)new_addr, new_len, flags);
}

/* Without MREMAP_FIXED: shrink in place, or grow (in place or moving). Caller holds mm->lock. */
static long mremap_resize(struct mm *mm, u64 addr, u64 old_len, u64 new_len, int flags)
{
	int r = mremap_check_source(mm, addr, old_len);
	if (r)
		return r;
	if (old_len >= new_len && !(flags & MREMAP_DONTUNMAP)) {
		if (old_len > new_len)
			r = mm_unmap_locked(mm, addr + new_len, addr + old_len);
		return r ? r : (long)addr;
	}
	return mremap_grow(mm, addr, old_len, new_len, flags);
}

long mm_remap(struct mm *mm, u64 addr, u64 old_len, u64 new_len, int flags, u64 new_addr)
{
	int r = mremap_check(addr, &old_len, &new_len, flags, new_addr);
	if (r)
		return r;
	spin_lock(&mm->lock);
	long ret = flags & MREMAP_FIXED ? mremap_to(mm, addr, old_len, new_len, flags, new_addr)
					: mremap_resize(mm, addr, old_len, new_len, flags);
	spin_unlock(&mm->lock);
	return ret;
}
