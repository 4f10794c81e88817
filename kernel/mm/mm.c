/*
 * Address-space lifetime: creating an empty user half, tearing one down when
 * its last user leaves, and the PTE-level primitives (zap, update, flush)
 * that mmap.c, fault.c and the copy-on-write code share.
 */
#include <arch/cpu.h>
#include <lib/printk.h>
#include <mm/kmalloc.h>
#include <mm/mm.h>
#include <mm/page.h>
#include <mm/thp.h>
#include <mm/zero_page.h>
#include <uapi/errno.h>

struct mm *mm_create(void)
{
	struct mm *mm = kzalloc(sizeof(*mm));
	if (!mm)
		return NULL;
	mm->root = pt_root_alloc();
	if (!mm->root) {
		kfree(mm);
		return NULL;
	}
	spin_init(&mm->lock, "mm", LOCK_RANK_MM);
	atomic_set(&mm->users, 1);
	list_init(&mm->vmas);
	mm->mmap_base = MMAP_BASE;
	return mm;
}

/* True if this CPU is translating through mm's page tables right now. */
static bool mm_is_loaded(const struct mm *mm)
{
	return (read_cr3() & PTE_ADDR_MASK) == mm->root;
}

/*
 * Without PCIDs a CPU caches mm's user translations only while mm's root is
 * in its CR3 (loading CR3 drops non-global entries), so an mm that is not
 * loaded here needs no flush here. SMP: this becomes a shootdown to every CPU
 * that has mm loaded (an mm->cpumask), waited for before returning.
 */
void mm_flush_page(struct mm *mm, u64 va)
{
	if (mm_is_loaded(mm))
		tlb_flush_page(va);
}

/*
 * A compare-and-swap loop, not a plain store: another CPU's page walker may
 * set A or D in the same PTE between our read and our write.
 */
pte_t mm_pte_update(pte_t *ptep, u64 set, u64 clear)
{
	pte_t old = READ_ONCE(*ptep);
	while (!__atomic_compare_exchange_n(ptep, &old, (old & ~clear) | set, false,
					    __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
		;
	return old;
}

u64 vma_pte_flags(const struct vma *v)
{
	u64 f = PTE_U;
	if (v->flags & VM_WRITE)
		f |= PTE_W;
	if (!(v->flags & VM_EXEC))
		f |= PTE_NX;
	return f;
}

int mm_install_page(struct mm *mm, u64 va, struct page *page, u64 pte_flags)
{
	atomic_inc(&page->mapcount);
	if (pt_map(mm->root, va, page_to_phys(page), pte_flags)) {
		atomic_dec(&page->mapcount);
		return -ENOMEM;
	}
	mm->rss_pages++;
	return 0;
}

/*
 * Clear one PTE and release what it owned. Order matters: the entry is
 * cleared, then flushed, and only then is the frame's reference dropped, so
 * no CPU can still write through a stale translation into a frame that the
 * allocator has already handed to someone else. A PROT_NONE entry was
 * flushed when it lost PTE_P, so it needs no flush now. Caller holds mm->lock.
 */
static void mm_zap_pte(struct mm *mm, u64 va, pte_t *ptep)
{
	pte_t old = __atomic_exchange_n(ptep, 0, __ATOMIC_SEQ_CST);
	if (!mm_pte_has_frame(old))
		return;
	if (old & PTE_P)
		mm_flush_page(mm, va);
	if (zero_page_is_pte(old))
		return; /* holds no reference (zero_page.h) */
	struct page *p = phys_to_page(pte_phys(old));
	atomic_dec(&p->mapcount);
	page_put(p);
	mm->rss_pages--;
}

/* Zap [va, end) inside the one leaf table pmd points to. Caller holds mm->lock. */
static void mm_zap_ptes(struct mm *mm, pte_t pmd, u64 va, u64 end)
{
	for (pte_t *ptep = pt_pte_in(pmd, va); va < end; va += PAGE_SIZE, ptep++)
		if (*ptep)
			mm_zap_pte(mm, va, ptep);
}

/*
 * One PD entry at a time: a missing or empty one skips 2 MiB at once, a
 * huge PMD wholly inside the range goes in one step (thp_zap_pmd), one
 * only partly inside is split first, so only the range loses its pages.
 */
int mm_zap_range(struct mm *mm, u64 start, u64 end)
{
	for (u64 va = start, next; va < end; va = next) {
		next = MIN(ALIGN_DOWN(va, HPAGE_SIZE) + HPAGE_SIZE, end);
		pte_t *pmdp = pt_walk_pmd(mm->root, va, false);
		if (!pmdp || !pte_present(*pmdp))
			continue;
		if (pt_is_huge(*pmdp) && IS_ALIGNED(va, HPAGE_SIZE) && next - va == HPAGE_SIZE) {
			thp_zap_pmd(mm, va, pmdp);
			continue;
		}
		if (pt_is_huge(*pmdp) && thp_split_pmd(mm, ALIGN_DOWN(va, HPAGE_SIZE), pmdp))
			return -ENOMEM;
		mm_zap_ptes(mm, *pmdp, va, next);
	}
	return 0;
}

pte_t mm_lookup_pte(struct mm *mm, u64 va)
{
	u64 page_bytes = 0;
	pte_t e = pt_lookup(mm->root, va, &page_bytes);
	return page_bytes == HPAGE_SIZE ? thp_pte_of(e, va) : e;
}

/*
 * Unmap everything and free the tables. Nobody else can reach mm now, but the
 * lock is still taken so the helpers' lock-held contracts stay true. If this
 * CPU still runs on mm's tables (the exiting task itself), it moves to the
 * kernel-only root first: freeing the live PML4 would pull the floor away.
 * SMP: other CPUs lazily still on this root must be moved off too.
 */
static void mm_teardown(struct mm *mm)
{
	struct list_head *n, *tmp;
	if (mm_is_loaded(mm))
		mmu_switch(kernel_root);
	spin_lock(&mm->lock);
	list_for_each_safe(n, tmp, &mm->vmas)
	{
		struct vma *v = list_entry(n, struct vma, node);
		WARN_ON(mm_zap_range(mm, v->start, v->end)); /* whole VMAs: no huge page is split */
		vma_unlink(mm, v);
		vma_free(v);
	}
	WARN_ON(mm->rss_pages != 0);
	spin_unlock(&mm->lock);
	pt_root_free(mm->root);
	kfree(mm);
}

void mm_put(struct mm *mm)
{
	if (mm && atomic_dec_and_test(&mm->users))
		mm_teardown(mm);
}
