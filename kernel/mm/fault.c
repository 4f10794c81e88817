/*
 * User page faults: find the VMA, check the access against it, and resolve
 * what can be resolved (first touch: the zero page, a zeroed frame or a
 * page-cache page; stack growth; write to a read-only PTE of a writable
 * mapping). Faults the kernel takes on user memory inside
 * usercopy come here too and are treated exactly like the user's own
 * accesses: a copy_to_user write breaks copy-on-write like a user store.
 *
 * Also here: the fault-in helpers exec uses on an mm that is not current
 * (mm_populate, mm_copy_in), which share the demand-zero path.
 */
#include <lib/printk.h>
#include <lib/string.h>
#include <mm/cow.h>
#include <mm/filemap.h>
#include <mm/mm.h>
#include <mm/page.h>
#include <mm/thp.h>
#include <mm/vmstat.h>
#include <mm/zero_page.h>
#include <proc/task.h>
#include <uapi/errno.h>

/* Does v allow this access? On x86 writable or executable pages are also readable. */
static bool fault_access_ok(const struct vma *v, u64 err)
{
	if (err & PF_ERR_WRITE)
		return v->flags & VM_WRITE;
	if (err & PF_ERR_FETCH)
		return v->flags & VM_EXEC;
	return v->flags & VM_ACCESS;
}

/*
 * va (page aligned) lies in no VMA: extend a growing stack right above it
 * down to va, within STACK_LIMIT_BYTES and not closer than STACK_GUARD_GAP
 * to an accessible mapping below. Returns the stack VMA or NULL. Caller
 * holds mm->lock.
 */
static struct vma *fault_grow_stack(struct mm *mm, u64 va)
{
	struct vma *v = vma_find_first(mm, va);
	if (!v || !(v->flags & VM_GROWSDOWN) || va < MMAP_MIN_ADDR)
		return NULL;
	if (v->end - va > STACK_LIMIT_BYTES)
		return NULL;
	struct vma *prev = vma_prev(mm, v);
	if (prev && (prev->flags & VM_ACCESS) && va - prev->end < STACK_GUARD_GAP)
		return NULL;
	mm->total_vm_pages += (v->start - va) >> PAGE_SHIFT;
	v->start = va;
	vm_event_inc(VM_STACK_GROW);
	return v;
}

/*
 * Map a fresh zeroed frame at va with v's rights. The frame is zeroed before
 * pt_map publishes it, and x86 keeps stores in order, so no CPU can see the
 * PTE before the zeroes. No flush: a non-present entry is never cached.
 * Caller holds mm->lock (frame_alloc's lock ranks above it).
 */
static enum fault_result fault_zero_fill(struct mm *mm, struct vma *v, u64 va)
{
	struct page *p = frame_alloc(0, GFP_ZERO);
	if (!p)
		return FAULT_OOM;
	p->flags = PG_ANON;
	if (mm_install_page(mm, va, p, vma_pte_flags(v))) {
		page_put(p);
		return FAULT_OOM;
	}
	vm_event_inc(VM_PGFAULT_ZERO_FILL);
	return FAULT_HANDLED;
}

/*
 * First touch of page va (its PTE is empty): what backs v decides what
 * appears. A file's page comes from the page cache; private anonymous
 * memory that is only read gets the shared zero page, and a frame of its
 * own once written. Caller holds mm->lock.
 */
static enum fault_result fault_no_page(struct mm *mm, struct vma *v, u64 va, bool is_write)
{
	if (v->file)
		return filemap_fault(mm, v, va, is_write);
	if (!is_write && !(v->flags & VM_SHARED))
		return zero_page_map(mm, v, va) ? FAULT_OOM : FAULT_HANDLED;
	return fault_zero_fill(mm, v, va);
}

/*
 * A write hit a present read-only PTE of a writable VMA. Shared mappings
 * never copy (every mapper must see the same frame), so the PTE just gains
 * W; private ones go to the copy-on-write policy. Caller holds mm->lock.
 */
static enum fault_result fault_write_protected(struct mm *mm, struct vma *v, u64 va, pte_t *ptep)
{
	if (!(v->flags & VM_SHARED))
		return cow_handle_write_fault(mm, v, va, ptep);
	mm_pte_update(ptep, PTE_W, 0);
	mm_flush_page(mm, va);
	return FAULT_HANDLED;
}

/*
 * The PTE already allows the access: another CPU resolved it first, or this
 * CPU's TLB held an older, stricter entry. Repair NX if the VMA became
 * executable (mm_protect clears it, so this is belt and braces against a
 * fault loop) and drop the stale entry. Caller holds mm->lock.
 */
static enum fault_result fault_spurious(struct mm *mm, u64 va, pte_t *ptep, u64 err)
{
	if ((err & PF_ERR_FETCH) && (READ_ONCE(*ptep) & PTE_NX))
		mm_pte_update(ptep, 0, PTE_NX);
	mm_flush_page(mm, va);
	vm_event_inc(VM_PGFAULT_SPURIOUS);
	return FAULT_HANDLED;
}

/*
 * The 2 MiB level, asked first. An empty PD entry in a range that may be
 * huge gets a huge page (thp_fault_anon); a huge PMD that is read-only
 * meets the copy-on-write policy at 2 MiB; one that already allows the
 * access was a stale TLB entry. FAULT_FALLBACK hands the fault to the
 * 4 KiB path: no huge page here, or none to be had, or the huge PMD was
 * just split. Caller holds mm->lock.
 */
static enum fault_result fault_huge(struct mm *mm, struct vma *v, u64 va, u64 err)
{
	if (v->file || (v->flags & (VM_SHARED | VM_GROWSDOWN)))
		return FAULT_FALLBACK; /* never holds a huge page: spare the walk */
	bool is_suitable = thp_vma_suitable(v, va);
	pte_t *pmdp = pt_walk_pmd(mm->root, va, is_suitable);
	pte_t pmd = pmdp ? READ_ONCE(*pmdp) : 0;
	if (!pmdp || (pmd && !pt_is_huge(pmd)))
		return FAULT_FALLBACK;
	if (!pmd)
		return is_suitable ? thp_fault_anon(mm, v, pmdp, err & PF_ERR_WRITE)
				   : FAULT_FALLBACK;
	if ((err & PF_ERR_WRITE) && !(pmd & PTE_W))
		return cow_handle_huge_write_fault(mm, ALIGN_DOWN(va, HPAGE_SIZE), pmdp);
	if ((err & PF_ERR_FETCH) && (pmd & PTE_NX))
		mm_pte_update(pmdp, 0, PTE_NX);
	mm_flush_page(mm, va);
	vm_event_inc(VM_PGFAULT_SPURIOUS);
	return FAULT_HANDLED;
}

/*
 * The decision tree for a fault at page-aligned va. A PROT_NONE PTE can only
 * sit in a VMA without access (mm_protect restores it with the VMA), which
 * the access check has already refused. Caller holds mm->lock.
 */
static enum fault_result fault_locked(struct mm *mm, u64 va, u64 err)
{
	struct vma *v = vma_find(mm, va);
	if (!v && !(v = fault_grow_stack(mm, va)))
		return FAULT_SEGV_MAPERR;
	if (!fault_access_ok(v, err))
		return FAULT_SEGV_ACCERR;
	enum fault_result r = fault_huge(mm, v, va, err);
	if (r != FAULT_FALLBACK)
		return r;
	pte_t *ptep = pt_walk(mm->root, va, false);
	pte_t e = ptep ? READ_ONCE(*ptep) : 0;
	if (!mm_pte_has_frame(e))
		return fault_no_page(mm, v, va, err & PF_ERR_WRITE);
	if (WARN_ON(!(e & PTE_P)))
		return FAULT_SEGV_ACCERR;
	if ((err & PF_ERR_WRITE) && !(e & PTE_W))
		return fault_write_protected(mm, v, va, ptep);
	return fault_spurious(mm, va, ptep, err);
}

/* Count the outcome for /proc/vmstat. */
static enum fault_result fault_account(enum fault_result r)
{
	if (r == FAULT_SEGV_MAPERR || r == FAULT_SEGV_ACCERR)
		vm_event_inc(VM_PGFAULT_SEGV);
	else if (r == FAULT_OOM)
		vm_event_inc(VM_PGFAULT_OOM);
	return r;
}

/*
 * A reserved-bit fault means our own page tables are corrupt, a kernel bug
 * no user input can cause, so it panics rather than signalling.
 */
enum fault_result mm_fault(struct mm *mm, u64 va, u64 err)
{
	vm_event_inc(VM_PGFAULT);
	if (err & PF_ERR_RSVD)
		panic("page fault at %#lx: reserved bit set in a user PTE", va);
	if (va >= USER_TOP)
		return fault_account(FAULT_SEGV_MAPERR);
	spin_lock(&mm->lock);
	enum fault_result r = fault_locked(mm, ALIGN_DOWN(va, PAGE_SIZE), err);
	spin_unlock(&mm->lock);
	return fault_account(r);
}

/* Kernel threads (and early boot) have no user half: any user address is unmapped. */
enum fault_result mm_handle_user_fault(struct trap_frame *tf, u64 addr, u64 err)
{
	(void)tf;
	struct task *t = current;
	if (!t || !t->mm) {
		vm_event_inc(VM_PGFAULT);
		return fault_account(FAULT_SEGV_MAPERR);
	}
	enum fault_result r = mm_fault(t->mm, addr, err);
	if (r == FAULT_HANDLED)
		acct_count_fault(); /* getrusage's ru_minflt and ru_maxrss */
	return r;
}

/*
 * Make sure page va of v maps a frame, faulting it in as a write (is_write)
 * or a read would, and return that PTE's value through *e. 0, -ENOMEM, or
 * -EFAULT beyond the end of a mapped file. Caller holds mm->lock.
 */
static int fault_in_page(struct mm *mm, struct vma *v, u64 va, bool is_write, pte_t *e)
{
	*e = mm_lookup_pte(mm, va);
	if (mm_pte_has_frame(*e))
		return 0;
	enum fault_result r = fault_huge(mm, v, va, is_write ? PF_ERR_WRITE : 0);
	if (r == FAULT_FALLBACK)
		r = fault_no_page(mm, v, va, is_write);
	if (r != FAULT_HANDLED)
		return r == FAULT_OOM ? -ENOMEM : -EFAULT;
	*e = mm_lookup_pte(mm, va);
	return 0;
}

/*
 * Populate one page; VMAs without access are skipped (their pages would be
 * unreachable anyway). A private writable page is faulted in as a write,
 * as Linux's MAP_POPULATE does, so it gets its own frame now rather than
 * the zero page or a shared file page. Caller holds mm->lock.
 */
static int populate_page(struct mm *mm, u64 va)
{
	struct vma *v = vma_find(mm, va);
	pte_t e;
	if (!v)
		return -ENOMEM;
	if (!(v->flags & VM_ACCESS))
		return 0;
	bool is_write = (v->flags & VM_WRITE) && !(v->flags & VM_SHARED);
	return fault_in_page(mm, v, va, is_write, &e);
}

/* The lock is taken per page so a huge range does not keep interrupts off for long. */
int mm_populate(struct mm *mm, u64 start, u64 len_bytes)
{
	if (!IS_ALIGNED(start, PAGE_SIZE) || start > USER_TOP || len_bytes > USER_TOP - start)
		return -EINVAL;
	u64 end = start + ALIGN_UP(len_bytes, PAGE_SIZE);
	for (u64 va = start; va < end; va += PAGE_SIZE) {
		spin_lock(&mm->lock);
		int r = populate_page(mm, va);
		spin_unlock(&mm->lock);
		if (r)
			return r;
	}
	return 0;
}

/* Ours alone: anonymous and referenced by this one PTE (not the zero page, not fork-shared). */
static bool copy_in_is_exclusive(pte_t e)
{
	struct page *p = phys_to_page(pte_phys(e));
	return (p->flags & PG_ANON) && page_refcount(p) == 1;
}

/*
 * A private page still shared copy-on-write (after fork) gets its own copy
 * through the same policy as a write fault, so the other sharers never see
 * the write. A read-only mapping gets its PTE made read-only again: this is
 * a forced write, as a loader or ptrace makes. Returns the new PTE through
 * *e; 0, -ENOMEM, or -EFAULT if the policy refused. Caller holds mm->lock.
 */
static int copy_in_unshare(struct mm *mm, struct vma *v, u64 va, pte_t *e)
{
	pte_t *ptep = pt_walk(mm->root, va, false);
	enum fault_result r = cow_handle_write_fault(mm, v, va, ptep);
	if (r != FAULT_HANDLED)
		return r == FAULT_OOM ? -ENOMEM : -EFAULT;
	if (!(v->flags & VM_WRITE)) {
		mm_pte_update(ptep, 0, PTE_W);
		mm_flush_page(mm, va);
	}
	*e = READ_ONCE(*ptep);
	return copy_in_is_exclusive(*e) ? 0 : -EFAULT;
}

/*
 * The kernel address of page va's frame, faulted in if needed, for writing
 * through the direct map behind the PTE's back. That is only safe for a
 * frame every mapper is meant to see written: one that is ours alone, or a
 * page of a shared mapping; anything else is unshared first. Caller holds
 * mm->lock.
 */
static int copy_in_target(struct mm *mm, u64 va, void **kaddr)
{
	struct vma *v = vma_find(mm, va);
	pte_t e;
	if (!v || !(v->flags & VM_ACCESS))
		return -EFAULT;
	int r = fault_in_page(mm, v, va, true, &e);
	if (!r && (r = thp_split_at(mm, va)) == 0) /* the forced write works on 4 KiB PTEs */
		e = mm_lookup_pte(mm, va);
	if (!r && !(v->flags & VM_SHARED) && !copy_in_is_exclusive(e))
		r = copy_in_unshare(mm, v, va, &e);
	if (r)
		return r;
	*kaddr = page_to_virt(phys_to_page(pte_phys(e)));
	return 0;
}

int mm_copy_in(struct mm *mm, u64 va, const void *src, size_t len_bytes)
{
	if (va > USER_TOP || len_bytes > USER_TOP - va)
		return -EFAULT;
	const u8 *from = src;
	while (len_bytes) {
		u64 off = va & (PAGE_SIZE - 1);
		size_t n = MIN(len_bytes, PAGE_SIZE - off);
		void *kaddr;
		spin_lock(&mm->lock);
		int r = copy_in_target(mm, va - off, &kaddr);
		if (!r)
			memcpy((u8 *)kaddr + off, from, n);
		spin_unlock(&mm->lock);
		if (r)
			return r;
		va += n;
		from += n;
		len_bytes -= n;
	}
	return 0;
}
