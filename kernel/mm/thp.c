/*
 * Transparent huge pages: the 2 MiB level of private anonymous memory.
 * include/mm/thp.h explains the model (when a huge page is used, how it is
 * counted, why splitting demotes it); the copy-on-write decisions on huge
 * PMDs live with the rest of the story in cow.c.
 *
 * Locking: callers hold the mm->lock of the page tables they change; the
 * compound state of a page is guarded by its thp lock (thp_lock_of).
 */
#include <lib/cmdline.h>
#include <lib/printk.h>
#include <lib/spinlock.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <mm/page.h>
#include <mm/thp.h>
#include <mm/vmstat.h>
#include <mm/zero_page.h>
#include <uapi/errno.h>

#define THP_NLOCKS 64 /* hashed by huge-page number; collisions only cost a little waiting */

enum thp_mode thp_mode = THP_ALWAYS;

static struct page *thp_huge_zero; /* 2 MiB of zeroes, or NULL if none could be had at boot */
static struct spinlock thp_locks[THP_NLOCKS] = {
	[0 ... THP_NLOCKS - 1] = SPINLOCK_INIT("thp", LOCK_RANK_THP),
};

/* --- boot ------------------------------------------------------------------ */

/*
 * transparent_hugepage=always|madvise|never, as Linux spells it; a value
 * Linux would not accept is reported and ignored.
 */
static void thp_parse_cmdline(void)
{
	char val[16];
	if (cmdline_get("transparent_hugepage", val, sizeof(val)) < 0)
		return;
	if (!strcmp(val, "always"))
		thp_mode = THP_ALWAYS;
	else if (!strcmp(val, "madvise"))
		thp_mode = THP_MADVISE;
	else if (!strcmp(val, "never"))
		thp_mode = THP_NEVER;
	else
		printk("thp: transparent_hugepage=%s not understood, staying \"always\"\n", val);
}

/* Tag a fresh 2 MiB block as one compound page: head flags, tail flags, clean counts. */
static void thp_prep(struct page *head, u32 head_flags, u32 tail_flags)
{
	head->flags = head_flags | PG_THP;
	for (unsigned i = 1; i < HPAGE_NR; i++) {
		head[i].flags = tail_flags | PG_THP_TAIL;
		head[i].order = 0;
		atomic_set(&head[i].mapcount, 0);
	}
}

void thp_init(void)
{
	thp_parse_cmdline();
	thp_huge_zero = frame_alloc(HPAGE_ORDER, GFP_ZERO);
	if (thp_huge_zero)
		thp_prep(thp_huge_zero, PG_ZERO, PG_ZERO);
	else
		printk("thp: no 2 MiB block for the huge zero page; reads map 4 KiB zero pages\n");
}

/* --- what may be huge ---------------------------------------------------- */

bool thp_vma_suitable(const struct vma *v, u64 va)
{
	u64 haddr = ALIGN_DOWN(va, HPAGE_SIZE);
	if (v->file || (v->flags & (VM_SHARED | VM_GROWSDOWN | VM_NOHUGEPAGE)))
		return false;
	if (haddr < v->start || v->end - haddr < HPAGE_SIZE)
		return false;
	return thp_mode == THP_ALWAYS || (thp_mode == THP_MADVISE && (v->flags & VM_HUGEPAGE));
}

bool thp_vma_eligible(const struct vma *v)
{
	u64 first = ALIGN_UP(v->start, HPAGE_SIZE);
	return first < v->end && thp_vma_suitable(v, first);
}

bool thp_is_huge_zero(pte_t pmd)
{
	return thp_huge_zero && pte_phys(pmd) == page_to_phys(thp_huge_zero);
}

/* --- counting ------------------------------------------------------------ */

static struct spinlock *thp_lock_of(const struct page *head)
{
	return &thp_locks[(page_to_pfn(head) >> HPAGE_ORDER) % THP_NLOCKS];
}

static bool thp_is_compound(const struct page *head)
{
	return READ_ONCE(head->flags) & PG_THP;
}

/*
 * Give every frame of the compound page at head the counts the head holds
 * for all of them, and make them ordinary frames. Tails first and the head
 * last, so a lock-free reader never sees tails without a compound head to
 * explain them. Caller holds the page's thp lock.
 */
static void thp_demote_locked(struct page *head)
{
	int refs = page_refcount(head), maps = atomic_read(&head->mapcount);
	for (unsigned i = HPAGE_NR; i-- > 0;) {
		struct page *p = head + i;
		p->order = 0;
		atomic_set(&p->mapcount, maps);
		atomic_set(&p->refcount, refs);
		WRITE_ONCE(p->flags, PG_ANON);
	}
	vm_event_inc(VM_THP_SPLIT_PAGE);
}

/* Demote the page at head unless that already happened. */
static void thp_demote(struct page *head)
{
	struct spinlock *l = thp_lock_of(head);
	spin_lock(l);
	if (thp_is_compound(head))
		thp_demote_locked(head);
	spin_unlock(l);
}

void thp_dup_pmd(pte_t pmd)
{
	if (thp_is_huge_zero(pmd))
		return;
	struct page *head = phys_to_page(pte_phys(pmd));
	struct spinlock *l = thp_lock_of(head);
	spin_lock(l);
	unsigned n = thp_is_compound(head) ? 1 : HPAGE_NR;
	for (unsigned i = 0; i < n; i++) {
		page_get(head + i);
		atomic_inc(&head[i].mapcount);
	}
	spin_unlock(l);
}

/*
 * Drop one huge PMD's references. The last reference to a compound page
 * frees all 2 MiB at once (page_put frees the head's order); a demoted
 * page's frames go one by one as their own counts reach zero.
 */
static void thp_put_pmd(pte_t pmd)
{
	struct page *head = phys_to_page(pte_phys(pmd));
	struct spinlock *l = thp_lock_of(head);
	spin_lock(l);
	unsigned n = thp_is_compound(head) ? 1 : HPAGE_NR;
	for (unsigned i = 0; i < n; i++) {
		atomic_dec(&head[i].mapcount);
		page_put(head + i);
	}
	spin_unlock(l);
}

/*
 * A demoted page all of whose frames are referenced by one mapping only
 * (this huge PMD: no other mm can gain a reference without one) becomes
 * compound again, as if it had just been allocated. Head last, as in
 * demotion. Caller holds the page's thp lock.
 */
static bool thp_try_promote_locked(struct page *head)
{
	for (unsigned i = 0; i < HPAGE_NR; i++)
		if (page_refcount(head + i) != 1)
			return false;
	for (unsigned i = HPAGE_NR; i-- > 1;) {
		atomic_set(&head[i].refcount, 0);
		atomic_set(&head[i].mapcount, 0);
		WRITE_ONCE(head[i].flags, PG_ANON | PG_THP_TAIL);
	}
	atomic_set(&head->mapcount, 1);
	head->order = HPAGE_ORDER;
	WRITE_ONCE(head->flags, PG_ANON | PG_THP);
	return true;
}

bool thp_is_exclusive(pte_t pmd)
{
	if (thp_is_huge_zero(pmd))
		return false;
	struct page *head = phys_to_page(pte_phys(pmd));
	struct spinlock *l = thp_lock_of(head);
	spin_lock(l);
	bool is_exclusive =
	    thp_is_compound(head) ? page_refcount(head) == 1 : thp_try_promote_locked(head);
	spin_unlock(l);
	return is_exclusive;
}

/* The head of the compound page pfn belongs to, or NULL if it is in none. */
static const struct page *thp_head_of(u64 pfn)
{
	const struct page *head = pfn_to_page(ALIGN_DOWN(pfn, HPAGE_NR));
	const struct page *pg = pfn_to_page(pfn);
	if (!(READ_ONCE(head->flags) & PG_THP))
		return NULL;
	return pg == head || (READ_ONCE(pg->flags) & PG_THP_TAIL) ? head : NULL;
}

bool thp_frame_is_compound(u64 pfn, bool *is_head)
{
	const struct page *head = thp_head_of(pfn);
	if (is_head)
		*is_head = head == pfn_to_page(pfn);
	return head != NULL;
}

int thp_frame_mapcount(u64 pfn)
{
	const struct page *head = thp_head_of(pfn);
	return atomic_read(head ? &head->mapcount : &pfn_to_page(pfn)->mapcount);
}

/* --- mapping, splitting, unmapping ------------------------------------------ */

enum fault_result thp_fault_anon(struct mm *mm, struct vma *v, pte_t *pmdp, bool is_write)
{
	u64 flags = vma_pte_flags(v) | PTE_P | PTE_PS;
	if (!is_write && thp_huge_zero) {
		WRITE_ONCE(*pmdp, page_to_phys(thp_huge_zero) | (flags & ~PTE_W));
		vm_event_inc(VM_THP_ZERO_PAGE_MAP);
		return FAULT_HANDLED;
	}
	if (!is_write)
		return FAULT_FALLBACK;
	/* Zeroed before the PMD publishes it; x86 keeps the stores in order. */
	struct page *p = frame_alloc(HPAGE_ORDER, GFP_ZERO);
	if (!p) {
		vm_event_inc(VM_THP_FAULT_FALLBACK);
		return FAULT_FALLBACK;
	}
	thp_prep(p, PG_ANON, PG_ANON);
	atomic_set(&p->mapcount, 1);
	WRITE_ONCE(*pmdp, page_to_phys(p) | flags);
	mm->rss_pages += HPAGE_NR;
	vm_event_inc(VM_THP_FAULT_ALLOC);
	return FAULT_HANDLED;
}

/* The 512 PTEs equivalent to huge PMD pmd: the 4 KiB zero page for the huge zero page. */
static void thp_fill_table(pte_t *table, pte_t pmd)
{
	u64 flags = pmd & ~PTE_ADDR_MASK & ~PTE_PS;
	bool is_zero = thp_is_huge_zero(pmd);
	for (unsigned i = 0; i < HPAGE_NR; i++)
		table[i] = (is_zero ? zero_page_phys() : pte_phys(pmd) + i * PAGE_SIZE) | flags;
}

/*
 * Order: the PMD is cleared and flushed before the table goes in, so no
 * TLB ever holds a 2 MiB and a 4 KiB translation of the same address at
 * once (x86 leaves that case undefined). Another thread touching the range
 * meanwhile faults and waits for mm->lock, then finds the table.
 */
int thp_split_pmd(struct mm *mm, u64 haddr, pte_t *pmdp)
{
	pte_t *table = pt_table_alloc();
	if (!table)
		return -ENOMEM;
	pte_t pmd = __atomic_exchange_n(pmdp, 0, __ATOMIC_SEQ_CST);
	mm_flush_page(mm, haddr);
	if (!thp_is_huge_zero(pmd))
		thp_demote(phys_to_page(pte_phys(pmd)));
	thp_fill_table(table, pmd); /* from the value taken out: A and D included */
	pt_table_install(pmdp, table);
	vm_event_inc(VM_THP_SPLIT_PMD);
	return 0;
}

int thp_split_at(struct mm *mm, u64 va)
{
	pte_t *pmdp = pt_walk_pmd(mm->root, va, false);
	if (!pmdp || !pt_is_huge(*pmdp))
		return 0;
	return thp_split_pmd(mm, ALIGN_DOWN(va, HPAGE_SIZE), pmdp);
}

int thp_split_range(struct mm *mm, u64 start, u64 end)
{
	for (u64 va = ALIGN_DOWN(start, HPAGE_SIZE); va < end; va += HPAGE_SIZE) {
		int r = thp_split_at(mm, va);
		if (r)
			return r;
	}
	return 0;
}

void thp_zap_pmd(struct mm *mm, u64 haddr, pte_t *pmdp)
{
	pte_t pmd = __atomic_exchange_n(pmdp, 0, __ATOMIC_SEQ_CST);
	mm_flush_page(mm, haddr);
	if (thp_is_huge_zero(pmd))
		return;
	thp_put_pmd(pmd);
	mm->rss_pages -= HPAGE_NR;
}
