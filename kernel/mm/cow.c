/*
 * Copy-on-write, the whole story, top down.
 *
 * 1. fork() does not copy memory; it copies page tables (cow_dup_mm).
 *    For every page the parent has, the child gets a PTE pointing at the
 *    same frame, and the frame gains a reference. A page that was writable
 *    in a private mapping becomes read-only in BOTH processes: neither may
 *    now change it without the other seeing the change. Pages of shared
 *    mappings stay writable (both are meant to see each other's writes);
 *    pages that were read-only anyway are simply shared.
 *
 *    Where a 2 MiB huge page maps the memory (mm/thp.h), the child gets a
 *    copy of that one entry instead of 512, and the page one reference.
 *
 * 2. The parent's TLB may still hold the old writable translations, so it
 *    is flushed before fork returns and the parent can write again.
 *
 * 3. A write to such a page faults. fault.c sees a present, read-only PTE
 *    in a writable private mapping and calls cow_handle_write_fault():
 *      - the zero page (memory only ever read): a fresh zeroed frame.
 *      - more than one reference, or a page-cache page (a private file
 *        mapping must never write into the file): allocate a frame, copy
 *        exactly this 4 KiB page, point the writer's PTE at the copy
 *        (writable), flush, and drop one reference on the old frame. The
 *        other process keeps the original, still read-only for it.
 *      - one reference left to an anonymous frame (the other side already
 *        copied, or exited): nobody else can see this frame, so just make
 *        it writable again. No allocation, no copy.
 *    The faulting instruction then runs again and succeeds.
 *    A write to a read-only huge page (cow_handle_huge_write_fault) follows
 *    the same rule at 2 MiB: ours alone, the whole 2 MiB becomes writable;
 *    still shared (or the huge zero page), the writer's 2 MiB entry is split
 *    into 512 PTEs and the 4 KiB steps above copy just the page written.
 *
 * A file mapping with no private copies in it (program text, read-only
 * data, shared files) is not copied at all in step 1: the child's VMA
 * names the same file, and its first touch maps the same page-cache page
 * (Linux skips such VMAs too). Only once a private copy exists in it
 * (VM_ANON_PAGES) must its PTEs be copied, since a refault would find the
 * file's data instead of the copy.
 *
 * madvise can change step 1 per mapping: MADV_DONTFORK keeps a mapping
 * out of the child, MADV_WIPEONFORK gives the child an empty one.
 * Shared mappings (MAP_SHARED files and shared anonymous memory, which is
 * a shmem file) need nothing special: the child's VMA names the same file,
 * so pages first touched after the fork are shared too.
 *
 * Kernel writes into user memory (copy_to_user) fault the same way and
 * take the same path, so read() into a shared buffer breaks sharing too.
 *
 * Locking: both entry points run under the mm's lock (for fork, the
 * parent's; the child is not yet visible to anyone). Frame reference
 * counts are atomic because other address spaces drop theirs concurrently.
 */
#include <arch/ptcopy.h>
#include <lib/printk.h>
#include <lib/string.h>
#include <mm/cow.h>
#include <mm/mm.h>
#include <mm/page.h>
#include <mm/thp.h>
#include <mm/vmstat.h>
#include <mm/zero_page.h>
#include <uapi/errno.h>

struct cow_dup {
	const struct vma *vma;
	struct mm *child;
	bool has_wrprotected; /* some parent PTE lost W: its TLB must be flushed */
};

/*
 * ptcopy callback for one parent PTE: share the frame with the child, and
 * write-protect it on both sides if it is private and writable.
 */
static pte_t cow_dup_pte(void *arg, u64 va, pte_t *src)
{
	struct cow_dup *d = arg;
	(void)va;
	pte_t e = *src;
	if (zero_page_is_pte(e))
		return e; /* already read-only, and holds no reference */
	struct page *pg = phys_to_page(pte_phys(e));
	page_get(pg);
	atomic_inc(&pg->mapcount);
	d->child->rss_pages++;
	if (!(d->vma->flags & VM_SHARED) && (e & PTE_W)) {
		/* Atomic: another CPU running a parent thread may be setting D. */
		e = mm_pte_update(src, 0, PTE_W) & ~PTE_W;
		d->has_wrprotected = true;
	}
	return e;
}

/*
 * ptcopy callback for one parent huge PMD: the same rule as cow_dup_pte for
 * all 2 MiB at once, with one reference on the huge page (thp_dup_pmd).
 */
static pte_t cow_dup_pmd(void *arg, u64 va, pte_t *src)
{
	struct cow_dup *d = arg;
	(void)va;
	pte_t e = *src;
	thp_dup_pmd(e);
	if (!thp_is_huge_zero(e))
		d->child->rss_pages += HPAGE_NR;
	if (!(d->vma->flags & VM_SHARED) && (e & PTE_W)) {
		e = mm_pte_update(src, 0, PTE_W) & ~PTE_W;
		d->has_wrprotected = true;
	}
	return e;
}

static const struct ptcopy_ops cow_dup_ops = { .pte = cow_dup_pte, .huge = cow_dup_pmd };

/* Copy one VMA's descriptor into the child (appended: parent order is sorted). */
static struct vma *cow_dup_vma(struct mm *child, const struct vma *v)
{
	struct vma *c = vma_alloc(v->start, v->end, v->flags);
	if (!c)
		return NULL;
	if (v->file)
		vma_set_file(c, v->file, v->pgoff);
	list_add_tail(&c->node, &child->vmas);
	child->nvmas++;
	child->total_vm_pages += vma_npages(v);
	return c;
}

/* The scalar layout fields: heap, mmap base, stack, argument ranges. */
static void cow_dup_layout(struct mm *parent, struct mm *child)
{
	child->brk_start = parent->brk_start;
	child->brk = parent->brk;
	child->mmap_base = parent->mmap_base;
	child->stack_top = parent->stack_top;
	child->arg_start = parent->arg_start;
	child->arg_end = parent->arg_end;
	child->env_start = parent->env_start;
	child->env_end = parent->env_end;
}

/*
 * One parent VMA into the child, following madvise's fork advice:
 * MADV_DONTFORK leaves it out entirely (the child faults SIGSEGV there);
 * MADV_WIPEONFORK gives the child the mapping but none of its pages, so
 * the child (and, as the flag is inherited, its children) reads zeroes.
 * Everything else shares its frames (cow_dup_pte). Caller holds parent->lock.
 */
static int cow_dup_one(struct mm *parent, const struct vma *v, struct cow_dup *d)
{
	if (v->flags & VM_DONTFORK)
		return 0;
	if (!cow_dup_vma(d->child, v))
		return -ENOMEM;
	if (v->flags & VM_WIPEONFORK)
		return 0;
	if (v->file && !(v->flags & VM_ANON_PAGES))
		return 0; /* the child refaults these from the page cache */
	d->vma = v;
	return pt_copy_range(parent->root, d->child->root, v->start, v->end, &cow_dup_ops, d);
}

/*
 * fork's address-space copy: the child (fresh from mm_create) gets every
 * VMA and every PTE of parent, sharing frames copy-on-write. On -ENOMEM the
 * child holds a partial copy with consistent references: mm_put() it.
 * Takes parent->lock; flushes the parent's TLB before returning.
 */
int cow_dup_mm(struct mm *parent, struct mm *child)
{
	struct cow_dup d = { .child = child };
	struct list_head *pos;
	int r = 0;
	spin_lock(&parent->lock);
	cow_dup_layout(parent, child);
	list_for_each(pos, &parent->vmas)
	{
		r = cow_dup_one(parent, list_entry(pos, struct vma, node), &d);
		if (r)
			break;
	}
	/* Before the parent runs again it must not write through a stale writable TLB entry. */
	if (d.has_wrprotected)
		tlb_flush_all(); /* TODO(SMP): shoot down other CPUs running parent threads */
	spin_unlock(&parent->lock);
	return r;
}

/*
 * Only we map this anonymous frame and nobody else holds it: writing in
 * place is invisible. A page-cache page (PG_FILE) never qualifies, whatever
 * its count: it is the file's data, and a private mapping must not change
 * the file.
 */
static bool cow_is_exclusive(struct page *pg)
{
	return (pg->flags & PG_ANON) && page_refcount(pg) == 1;
}

/* Last sharer: give write access back; no allocation, no copy. */
static enum fault_result cow_reuse(struct mm *mm, u64 va, pte_t *pte)
{
	mm_pte_update(pte, PTE_W, 0);
	mm_flush_page(mm, va);
	mm->cow_reuses++;
	vm_event_inc(VM_COW_REUSE);
	return FAULT_HANDLED;
}

/*
 * Still shared: copy this one page into a new frame that only the writer
 * maps. The new PTE is installed and the old translation flushed before
 * the old frame loses our reference: once it does, the other side may
 * free or reuse it, and no TLB here may still point at it.
 */
static enum fault_result cow_copy(struct mm *mm, u64 va, pte_t *pte, struct page *old)
{
	struct page *np = frame_alloc(0, GFP_KERNEL);
	if (!np)
		return FAULT_OOM;
	copy_page(page_to_virt(np), page_to_virt(old));
	np->flags |= PG_ANON;
	atomic_set(&np->mapcount, 1);
	pte_t e = READ_ONCE(*pte);
	WRITE_ONCE(*pte, page_to_phys(np) | (e & ~PTE_ADDR_MASK) | PTE_W);
	mm_flush_page(mm, va);
	atomic_dec(&old->mapcount);
	page_put(old);
	mm->cow_copies++;
	vm_event_inc(VM_COW_COPY);
	return FAULT_HANDLED;
}

/*
 * The writer's PTE maps the zero page: give it a zeroed frame of its own
 * (nothing to copy). As in cow_copy, the new PTE is installed and flushed
 * in one step; the zero page needs no reference dropped.
 */
static enum fault_result cow_unzero(struct mm *mm, u64 va, pte_t *pte)
{
	struct page *np = frame_alloc(0, GFP_ZERO);
	if (!np)
		return FAULT_OOM;
	np->flags |= PG_ANON;
	atomic_set(&np->mapcount, 1);
	pte_t e = READ_ONCE(*pte);
	WRITE_ONCE(*pte, page_to_phys(np) | (e & ~PTE_ADDR_MASK) | PTE_W);
	mm_flush_page(mm, va);
	mm->rss_pages++;
	vm_event_inc(VM_ZERO_PAGE_COW);
	vm_event_inc(VM_PGFAULT_ZERO_FILL);
	return FAULT_HANDLED;
}

enum fault_result cow_handle_write_fault(struct mm *mm, struct vma *vma, u64 va, pte_t *pte)
{
	if (zero_page_is_pte(READ_ONCE(*pte)))
		return cow_unzero(mm, va, pte);
	struct page *pg = phys_to_page(pte_phys(*pte));
	mm->cow_faults++;
	vm_event_inc(VM_COW_FAULT);
	if (cow_is_exclusive(pg))
		return cow_reuse(mm, va, pte);
	if (vma->file)
		vma->flags |= VM_ANON_PAGES; /* a private copy fork must not lose */
	return cow_copy(mm, va, pte, pg);
}

/*
 * The huge page is ours alone: the whole 2 MiB becomes writable in place,
 * with no allocation and no copy (the 2 MiB version of cow_reuse).
 */
static enum fault_result cow_reuse_huge(struct mm *mm, u64 haddr, pte_t *pmdp)
{
	mm_pte_update(pmdp, PTE_W, 0);
	mm_flush_page(mm, haddr);
	mm->cow_faults++;
	mm->cow_reuses++;
	vm_event_inc(VM_COW_FAULT);
	vm_event_inc(VM_COW_REUSE);
	vm_event_inc(VM_THP_COW_REUSE);
	return FAULT_HANDLED;
}

enum fault_result cow_handle_huge_write_fault(struct mm *mm, u64 haddr, pte_t *pmdp)
{
	if (thp_is_exclusive(READ_ONCE(*pmdp)))
		return cow_reuse_huge(mm, haddr, pmdp);
	/* Shared or the huge zero page: copy 4 KiB, not 2 MiB. */
	return thp_split_pmd(mm, haddr, pmdp) ? FAULT_OOM : FAULT_FALLBACK;
}
