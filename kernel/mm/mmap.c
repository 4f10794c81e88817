/*
 * mmap, munmap, mprotect and brk on a struct mm: argument checks that match
 * Linux's errnos, address choice, and VMA surgery (split at the edges of the
 * affected range, change or remove what is inside, merge what became equal).
 *
 * Each public function takes mm->lock for its whole operation, so a range
 * change is atomic with respect to faults and other mm calls.
 */
#include <fs/vfs.h>
#include <lib/printk.h>
#include <mm/filemap.h>
#include <mm/mm.h>
#include <mm/thp.h>
#include <mm/page.h>
#include "internal.h"
#include <uapi/errno.h>

/* Flags MAP_SHARED_VALIDATE accepts (Linux's legacy mask); others are EOPNOTSUPP. */
#define MAP_VALIDATE_KNOWN                                                                         \
	(MAP_TYPE | MAP_FIXED | MAP_ANONYMOUS | MAP_DENYWRITE | MAP_EXECUTABLE | MAP_GROWSDOWN |   \
	 MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB |      \
	 MAP_FIXED_NOREPLACE | MAP_32BIT)
/* MAP_32BIT mappings end below 2 GiB (x86-64 Linux). */
#define MAP_32BIT_CEILING 0x80000000ul
/* Bits mprotect accepts besides the grows flags (PROT_SEM, 0x8, is accepted and ignored). */
#define PROT_VALID_MASK (PROT_READ | PROT_WRITE | PROT_EXEC | 0x8)

/* x86 cannot express write-only or exec-only pages; the fault path treats both as readable. */
static u32 prot_to_vm(int prot)
{
	u32 vm = 0;
	if (prot & PROT_READ)
		vm |= VM_READ;
	if (prot & PROT_WRITE)
		vm |= VM_WRITE;
	if (prot & PROT_EXEC)
		vm |= VM_EXEC;
	return vm;
}

/*
 * Linux's rule: anonymous memory is MAP_SHARED or MAP_PRIVATE (anything else,
 * including both, is EINVAL); a file may also use MAP_SHARED_VALIDATE, which
 * rejects flags it does not know with EOPNOTSUPP.
 */
static int mmap_check_type(int flags, bool is_anon)
{
	switch (flags & MAP_TYPE) {
	case MAP_SHARED:
		return is_anon && (flags & MAP_GROWSDOWN) ? -EINVAL : 0;
	case MAP_PRIVATE:
		return 0;
	case MAP_SHARED_VALIDATE:
		if (is_anon)
			return -EINVAL;
		return flags & ~MAP_VALIDATE_KNOWN ? -EOPNOTSUPP : 0;
	default:
		return -EINVAL;
	}
}

/* Where the gap below v ends: a growing stack keeps STACK_GUARD_GAP free beneath it. */
u64 vma_start_gap(const struct vma *v)
{
	if (!(v->flags & VM_GROWSDOWN))
		return v->start;
	return v->start > STACK_GUARD_GAP ? v->start - STACK_GUARD_GAP : 0;
}

/* True if [addr, addr + len) is free, guard gaps included. Caller holds mm->lock. */
static bool mmap_hint_fits(struct mm *mm, u64 addr, u64 len)
{
	struct vma *next = vma_find_first(mm, addr);
	return !next || addr + len <= vma_start_gap(next);
}

/*
 * The highest align-aligned start for len bytes in a gap between VMAs,
 * below ceiling and at or above MMAP_MIN_ADDR; 0 if none. Walks the gaps
 * from the top down. Caller holds mm->lock.
 */
static u64 mmap_search_topdown(struct mm *mm, u64 len, u64 ceiling, u64 align)
{
	u64 top = USER_TOP; /* upper bound of the gap being looked at */
	for (struct list_head *n = mm->vmas.prev;; n = n->prev) {
		bool is_bottom = n == &mm->vmas;
		struct vma *below = is_bottom ? NULL : list_entry(n, struct vma, node);
		u64 lo = below ? MAX(below->end, MMAP_MIN_ADDR) : MMAP_MIN_ADDR;
		u64 hi = MIN(top, ceiling);
		if (hi > lo && hi - lo >= len && ALIGN_DOWN(hi - len, align) >= lo)
			return ALIGN_DOWN(hi - len, align);
		if (is_bottom)
			return 0;
		top = vma_start_gap(below);
	}
}

/*
 * Choose where a non-fixed mapping goes: the hint (rounded up to a page, and
 * up to MMAP_MIN_ADDR as Linux does) if that range is free, else the highest
 * gap below mmap_base, else the highest gap anywhere. MAP_32BIT ignores the
 * hint and wants the low 2 GiB, as on Linux. Without a usable hint the
 * start is align-aligned if such a gap exists. Caller holds mm->lock.
 */
long mmap_pick_addr(struct mm *mm, u64 hint, u64 len, int flags, u64 align)
{
	if (flags & MAP_32BIT) {
		u64 addr = mmap_search_topdown(mm, len, MAP_32BIT_CEILING, PAGE_SIZE);
		return addr ? (long)addr : -ENOMEM;
	}
	if (hint && hint < MMAP_MIN_ADDR)
		hint = MMAP_MIN_ADDR;
	hint = hint <= USER_TOP ? ALIGN_UP(hint, PAGE_SIZE) : 0;
	if (hint && hint <= USER_TOP - len && mmap_hint_fits(mm, hint, len))
		return hint;
	u64 addr = mmap_search_topdown(mm, len, mm->mmap_base, align);
	if (!addr)
		addr = mmap_search_topdown(mm, len, USER_TOP, align);
	if (!addr && align > PAGE_SIZE) /* no aligned gap: any gap will do */
		return mmap_pick_addr(mm, 0, len, flags, PAGE_SIZE);
	return addr ? (long)addr : -ENOMEM;
}

/*
 * Linux's default overcommit heuristic: memory is promised lazily, but one
 * writable request for more pages than there is RAM can never be kept, so
 * it fails with ENOMEM up front (mmap without MAP_NORESERVE, brk).
 */
bool mm_may_commit(u64 npages)
{
	return npages <= frame_total_count();
}

/* MAP_FIXED address checks, in Linux's order: range, alignment, mmap_min_addr. */
static int mmap_check_fixed(u64 addr, u64 len)
{
	if (addr > USER_TOP - len)
		return -ENOMEM;
	if (!IS_ALIGNED(addr, PAGE_SIZE))
		return -EINVAL;
	if (addr < MMAP_MIN_ADDR)
		return -EPERM;
	return 0;
}

/*
 * Make start and end VMA boundaries, so [start, end) is covered exactly by
 * whole VMAs. If the second split fails the first is merged back, leaving the
 * list as it was. Caller holds mm->lock.
 */
int mm_split_edges(struct mm *mm, u64 start, u64 end)
{
	struct vma *lo = vma_find(mm, start), *hi;
	int r;
	if (lo && lo->start < start && (r = vma_split(mm, lo, start)))
		return r;
	hi = vma_find(mm, end);
	if (hi && hi->start < end && (r = vma_split(mm, hi, end))) {
		if (lo && lo->end == start)
			vma_merge(mm, lo);
		return r;
	}
	return 0;
}

/*
 * Remove every mapping in [start, end) (page aligned): zap the PTEs (which
 * flushes before dropping frames) and free the VMAs. Holes are fine. Only a
 * failed split (-ENOMEM) stops it, before anything was removed. Caller holds
 * mm->lock.
 */
int mm_unmap_locked(struct mm *mm, u64 start, u64 end)
{
	int r = mm_split_edges(mm, start, end);
	if (r)
		return r;
	struct vma *v = vma_find_first(mm, start);
	while (v && v->start < end) {
		struct vma *next = vma_next(mm, v);
		mm_zap_range(mm, v->start, v->end);
		vma_unlink(mm, v);
		vma_free(v);
		v = next;
	}
	return 0;
}

/* What a new mapping is: its size, its VM_* flags and what backs it. */
struct mmap_req {
	u64 len;
	u32 vm_flags;
	struct file *file; /* NULL: anonymous; the VMA takes its own reference */
	u64 pgoff;
};

/*
 * Put a new VMA at [start, start + len). A fixed mapping first removes
 * whatever was there; the VMA is allocated before that so running out of
 * memory leaves the old mapping intact. Caller holds mm->lock.
 */
static long mmap_install(struct mm *mm, u64 start, const struct mmap_req *req, bool is_fixed)
{
	u64 len = req->len;
	if (mm->nvmas >= MM_MAX_VMAS)
		return -ENOMEM;
	struct vma *v = vma_alloc(start, start + len, req->vm_flags);
	if (!v)
		return -ENOMEM;
	if (req->file)
		vma_set_file(v, req->file, req->pgoff);
	if (is_fixed) {
		int r = mm_unmap_locked(mm, start, start + len);
		if (r) {
			vma_free(v);
			return r;
		}
	}
	vma_insert(mm, v);
	vma_merge(mm, v);
	return (long)start;
}

/* Pick or check the address, then install. Caller holds mm->lock. */
/*
 * Private anonymous mappings of 2 MiB or more start on a 2 MiB boundary
 * (as Linux does since 6.7, whatever the huge-page mode): huge pages can
 * then cover all of them, and with 4 KiB pages they need one leaf table
 * less.
 */
static u64 mmap_align(const struct mmap_req *req)
{
	bool is_private_anon = !req->file && !(req->vm_flags & VM_SHARED);
	return is_private_anon && req->len >= HPAGE_SIZE ? HPAGE_SIZE : PAGE_SIZE;
}

static long mm_map_locked(struct mm *mm, u64 addr, const struct mmap_req *req, int flags)
{
	bool is_fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
	u64 len = req->len;
	if (!is_fixed) {
		long r = mmap_pick_addr(mm, addr, len, flags, mmap_align(req));
		return r < 0 ? r : mmap_install(mm, (u64)r, req, false);
	}
	int r = mmap_check_fixed(addr, len);
	if (r)
		return r;
	if ((flags & MAP_FIXED_NOREPLACE) && !vma_range_is_free(mm, addr, addr + len))
		return -EEXIST;
	return mmap_install(mm, addr, req, true);
}

/* The VM_* flags of a new mapping. */
static u32 mmap_vm_flags(int prot, int flags)
{
	u32 vm = prot_to_vm(prot);
	if ((flags & MAP_TYPE) != MAP_PRIVATE)
		vm |= VM_SHARED;
	if (flags & MAP_GROWSDOWN)
		vm |= VM_GROWSDOWN;
	return vm;
}

/*
 * What backs the new mapping: file from page off on; for shared anonymous
 * memory a new shmem file (the caller's reference in *owned, to put once
 * the VMA holds its own). /dev/zero is anonymous memory. 0 or an errno.
 */
static int mmap_backing(struct mmap_req *req, struct file *file, u64 off, int prot, int flags,
			struct file **owned)
{
	bool is_anon = flags & MAP_ANONYMOUS;
	int r = is_anon ? 1 : filemap_check_map(file, prot, flags, off, req->len, &req->vm_flags);
	if (r < 0)
		return r;
	*owned = NULL;
	if (r == 0) {
		req->file = file;
		req->pgoff = off >> PAGE_SHIFT;
		return 0;
	}
	if (!(req->vm_flags & VM_SHARED))
		return 0;
	*owned = shmem_file_create(req->len);
	if (IS_ERR(*owned))
		return PTR_ERR(*owned);
	req->file = *owned;
	return 0;
}

/*
 * Linux's default heuristic charges only memory that may become private
 * copies: writable private mappings. Shared ones write into their file.
 */
static bool mmap_may_commit(const struct mmap_req *req, int prot, int flags)
{
	if (!(prot & PROT_WRITE) || (flags & MAP_NORESERVE) || (req->vm_flags & VM_SHARED))
		return true;
	return mm_may_commit(req->len >> PAGE_SHIFT);
}

/*
 * Argument checks in Linux's order, then the mapping. Unknown prot bits are
 * ignored, as Linux's mmap does; with MAP_ANONYMOUS the file is ignored.
 */
long mm_map(struct mm *mm, u64 addr, u64 len, int prot, int flags, struct file *file, u64 off)
{
	bool is_anon = flags & MAP_ANONYMOUS;
	struct file *owned;
	if (!IS_ALIGNED(off, PAGE_SIZE))
		return -EINVAL;
	if (!is_anon && !file)
		return -EBADF;
	if (!len)
		return -EINVAL;
	if (len > USER_TOP)
		return -ENOMEM;
	struct mmap_req req = { .len = ALIGN_UP(len, PAGE_SIZE),
				.vm_flags = mmap_vm_flags(prot, flags) };
	int r = mmap_check_type(flags, is_anon);
	if (r)
		return r;
	if ((r = mmap_backing(&req, file, off, prot, flags, &owned)))
		return r;
	if (!mmap_may_commit(&req, prot, flags)) {
		if (owned)
			file_put(owned);
		return -ENOMEM;
	}
	spin_lock(&mm->lock);
	long addr_or_err = mm_map_locked(mm, addr, &req, flags);
	spin_unlock(&mm->lock);
	if (owned)
		file_put(owned); /* the VMA holds its own reference, if it was made */
	/* Linux ignores population failures: the pages will fault in later. */
	if (addr_or_err >= 0 && (flags & MAP_POPULATE))
		mm_populate(mm, (u64)addr_or_err, req.len);
	return addr_or_err;
}

int mm_unmap(struct mm *mm, u64 addr, u64 len)
{
	if (!IS_ALIGNED(addr, PAGE_SIZE) || addr > USER_TOP || len > USER_TOP - addr)
		return -EINVAL;
	len = ALIGN_UP(len, PAGE_SIZE);
	if (!len)
		return -EINVAL;
	spin_lock(&mm->lock);
	int r = mm_unmap_locked(mm, addr, addr + len);
	spin_unlock(&mm->lock);
	return r;
}

/* True if VMAs cover [start, end) without a hole. Caller holds mm->lock. */
bool mm_range_is_mapped(struct mm *mm, u64 start, u64 end)
{
	struct vma *v = vma_find(mm, start);
	while (v && v->end < end) {
		struct vma *next = vma_next(mm, v);
		if (!next || next->start != v->end)
			return false;
		v = next;
	}
	return v != NULL;
}

/*
 * Bring v's PTEs in line with its (new) flags. PROT_NONE keeps the frame in
 * a non-present PTE_PROTNONE entry, W cleared too so no stale W can come
 * back. Restoring access never sets W: the PTE may be shared copy-on-write,
 * so the write fault decides (policy point: cow_handle_write_fault). Each
 * changed present PTE is flushed. A huge PMD changes as one entry; only
 * PROT_NONE needs 4 KiB PTEs, and mm_protect_locked has split those
 * already. Caller holds mm->lock.
 */
static void mm_protect_ptes(struct mm *mm, struct vma *v)
{
	u64 set, clear;
	if (!(v->flags & VM_ACCESS)) {
		set = PTE_PROTNONE;
		clear = PTE_P | PTE_W;
	} else {
		set = PTE_P | (v->flags & VM_EXEC ? 0 : PTE_NX);
		clear = PTE_PROTNONE | (v->flags & VM_WRITE ? 0 : PTE_W) |
			(v->flags & VM_EXEC ? PTE_NX : 0);
	}
	for (u64 va = v->start; va < v->end; va += PAGE_SIZE) {
		pte_t *ptep = pt_walk_pmd(mm->root, va, false);
		bool is_huge = ptep && pt_is_huge(*ptep);
		if (!is_huge)
			ptep = pt_walk(mm->root, va, false);
		if (!ptep || is_huge) /* next 2 MiB: a missing table, or one entry for all */
			va = ALIGN_DOWN(va, HPAGE_SIZE) + HPAGE_SIZE - PAGE_SIZE;
		if (!ptep)
			continue;
		WARN_ON(is_huge && !(v->flags & VM_ACCESS)); /* mm_protect_locked split them */
		pte_t old = READ_ONCE(*ptep);
		if (mm_pte_has_frame(old) && ((old & ~clear) | set) != old) {
			old = mm_pte_update(ptep, set, clear);
			if (old & PTE_P)
				mm_flush_page(mm, va);
		}
	}
}

/* A shared mapping of a file opened read-only may never become writable. */
static bool mm_protect_denied(struct mm *mm, u64 start, u64 end, u32 vm_access)
{
	if (!(vm_access & VM_WRITE))
		return false;
	for (struct vma *v = vma_find(mm, start); v && v->start < end; v = vma_next(mm, v))
		if (v->flags & VM_WRITE_DENIED)
			return true;
	return false;
}

/*
 * Apply new access bits to every VMA in [start, end), then re-merge. The
 * whole range is checked before anything changes. Caller holds mm->lock.
 */
static int mm_protect_locked(struct mm *mm, u64 start, u64 end, u32 vm_access)
{
	if (!mm_range_is_mapped(mm, start, end))
		return -ENOMEM;
	if (mm_protect_denied(mm, start, end, vm_access))
		return -EACCES;
	int r = mm_split_edges(mm, start, end);
	if (!r && !vm_access) /* PROT_NONE is a PTE bit: huge pages become PTEs first */
		r = thp_split_range(mm, start, end);
	if (r)
		return r;
	for (struct vma *v = vma_find(mm, start); v && v->start < end; v = vma_next(mm, v)) {
		u32 flags = (v->flags & ~VM_ACCESS) | vm_access;
		if (flags != v->flags) {
			v->flags = flags;
			mm_protect_ptes(mm, v);
		}
	}
	/* Every touching pair is looked at: up to the VMA that starts right at end. */
	for (struct vma *v = vma_find(mm, start); v && v->start <= end; v = vma_next(mm, v))
		v = vma_merge(mm, v);
	return 0;
}

/*
 * PROT_GROWSDOWN extends the range down to the start of the growing stack
 * VMA at start (EINVAL if it is not one); PROT_GROWSUP has no VMA to apply
 * to on x86. Caller holds mm->lock.
 */
static int mm_protect_grows(struct mm *mm, u64 *start, u64 end, int prot)
{
	struct vma *v = vma_find_first(mm, *start);
	if (!v || v->start >= end)
		return -ENOMEM;
	if (prot & PROT_GROWSUP)
		return -EINVAL;
	if (!(v->flags & VM_GROWSDOWN))
		return -EINVAL;
	*start = v->start;
	return 0;
}

int mm_protect(struct mm *mm, u64 addr, u64 len, int prot)
{
	int grows = prot & (PROT_GROWSDOWN | PROT_GROWSUP);
	if (grows == (PROT_GROWSDOWN | PROT_GROWSUP) || !IS_ALIGNED(addr, PAGE_SIZE))
		return -EINVAL;
	if (!len)
		return 0;
	u64 end = addr + ALIGN_UP(len, PAGE_SIZE);
	if (end <= addr)
		return -ENOMEM;
	if (prot & ~grows & ~PROT_VALID_MASK)
		return -EINVAL;
	if (end > USER_TOP)
		return -ENOMEM;
	spin_lock(&mm->lock);
	int r = grows ? mm_protect_grows(mm, &addr, end, prot) : 0;
	if (!r)
		r = mm_protect_locked(mm, addr, end, prot_to_vm(prot));
	spin_unlock(&mm->lock);
	return r;
}

/*
 * Grow the heap from old_top to new_top. Like Linux, the heap must stay a
 * page (and a stack's guard gap) short of the next mapping, and may not
 * promise more than all of RAM at once. Caller holds mm->lock.
 */
static int mm_brk_grow(struct mm *mm, u64 old_top, u64 new_top)
{
	struct vma *next = vma_find_first(mm, old_top);
	if (next && new_top + PAGE_SIZE > vma_start_gap(next))
		return -ENOMEM;
	if (!mm_may_commit((new_top - old_top) >> PAGE_SHIFT))
		return -ENOMEM;
	if (mm->nvmas >= MM_MAX_VMAS)
		return -ENOMEM;
	struct vma *v = vma_alloc(old_top, new_top, VM_READ | VM_WRITE | VM_HEAP);
	if (!v)
		return -ENOMEM;
	vma_insert(mm, v);
	vma_merge(mm, v);
	return 0;
}

/*
 * brk(2) semantics: the break itself is byte-granular, the heap VMA covers it
 * rounded up to a page. Any failure returns the old break unchanged (no
 * errno), as Linux does. Caller holds mm->lock.
 */
static u64 mm_brk_locked(struct mm *mm, u64 new_brk)
{
	if (!mm->brk_start || new_brk < mm->brk_start || new_brk > USER_TOP)
		return mm->brk;
	u64 old_top = ALIGN_UP(mm->brk, PAGE_SIZE), new_top = ALIGN_UP(new_brk, PAGE_SIZE);
	if (new_top < old_top && mm_unmap_locked(mm, new_top, old_top))
		return mm->brk;
	if (new_top > old_top && mm_brk_grow(mm, old_top, new_top))
		return mm->brk;
	mm->brk = new_brk;
	return new_brk;
}

u64 mm_brk(struct mm *mm, u64 new_brk)
{
	spin_lock(&mm->lock);
	u64 r = mm_brk_locked(mm, new_brk);
	spin_unlock(&mm->lock);
	return r;
}

/* Rounded up to a page, as Linux places the heap after the BSS. */
int mm_set_brk_start(struct mm *mm, u64 addr)
{
	if (addr < MMAP_MIN_ADDR || addr >= USER_TOP)
		return -EINVAL;
	addr = ALIGN_UP(addr, PAGE_SIZE);
	spin_lock(&mm->lock);
	mm->brk_start = mm->brk = addr;
	spin_unlock(&mm->lock);
	return 0;
}

int mm_map_stack(struct mm *mm, u64 top, u64 len_bytes)
{
	if (!IS_ALIGNED(top | len_bytes, PAGE_SIZE) || !len_bytes || top > USER_TOP ||
	    top < MMAP_MIN_ADDR || len_bytes > top - MMAP_MIN_ADDR)
		return -EINVAL;
	u64 start = top - len_bytes;
	int r = 0;
	spin_lock(&mm->lock);
	struct vma *v = NULL;
	if (!vma_range_is_free(mm, start, top))
		r = -EEXIST;
	else if (!(v = vma_alloc(start, top, VM_READ | VM_WRITE | VM_GROWSDOWN | VM_STACK)))
		r = -ENOMEM;
	if (v) {
		vma_insert(mm, v);
		mm->stack_top = top;
	}
	spin_unlock(&mm->lock);
	return r;
}
