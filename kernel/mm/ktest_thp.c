/*
 * Self-tests of transparent huge pages (mm/thp.h): what the first touch
 * maps, how fork shares a huge page (one count in the head), how a split
 * demotes it to 512 counted frames and a sole owner's write promotes it
 * back, and that every frame comes back. Like ktest_filemap.c, each test
 * builds mms that are never loaded in CR3 and drives them through
 * mm_fault and cow_dup_mm.
 */
#include <mm/cow.h>
#include <mm/kmalloc.h>
#include <mm/mm.h>
#include <mm/page.h>
#include <mm/thp.h>
#include <mm/zero_page.h>
#include <test/ktest.h>

#define KT_BASE 0x40000000ul /* 2 MiB aligned */
#define RW	(PROT_READ | PROT_WRITE)
#define READ	PF_ERR_USER
#define WRITE	(PF_ERR_USER | PF_ERR_WRITE)

/* The page-directory entry mapping va, or 0. */
static pte_t kt_pmd(struct mm *mm, u64 va)
{
	pte_t *p = pt_walk_pmd(mm->root, va, false);
	return p ? *p : 0;
}

/* Frames free once the heap has returned its empty slabs. */
static u64 kt_free_frames(void)
{
	kmalloc_shrink();
	return frame_free_count();
}

/* An mm with 2 huge pages' worth of private anonymous memory at KT_BASE. */
static struct mm *kt_mm(void)
{
	struct mm *mm = mm_create();
	if (mm && mm_map(mm, KT_BASE, 2 * HPAGE_SIZE, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
			 NULL, 0) != (long)KT_BASE) {
		mm_put(mm);
		return NULL;
	}
	return mm;
}

KTEST(thp_first_touch)
{
	u64 free0 = kt_free_frames();
	struct mm *mm = kt_mm();
	KT_EXPECT(mm != NULL);
	if (!mm)
		return;
	KT_EXPECT(mm_fault(mm, KT_BASE + 5, READ) == FAULT_HANDLED);
	pte_t zero = kt_pmd(mm, KT_BASE);
	KT_EXPECT(pt_is_huge(zero) && thp_is_huge_zero(zero) && !(zero & PTE_W));
	KT_EXPECT(mm->rss_pages == 0);
	KT_EXPECT(mm_fault(mm, KT_BASE + HPAGE_SIZE + 7, WRITE) == FAULT_HANDLED);
	pte_t huge = kt_pmd(mm, KT_BASE + HPAGE_SIZE);
	struct page *head = phys_to_page(pte_phys(huge));
	KT_EXPECT(pt_is_huge(huge) && (huge & PTE_W) && !thp_is_huge_zero(huge));
	KT_EXPECT((head->flags & PG_THP) && page_refcount(head) == 1 && mm->rss_pages == HPAGE_NR);
	KT_EXPECT(head[1].flags & PG_THP_TAIL);
	/* A write to the huge zero page leaves 4 KiB PTEs of the zero page and one new frame. */
	KT_EXPECT(mm_fault(mm, KT_BASE + 3 * PAGE_SIZE, WRITE) == FAULT_HANDLED);
	pte_t *ptep = pt_walk(mm->root, KT_BASE + 3 * PAGE_SIZE, false);
	KT_EXPECT(ptep && (*ptep & PTE_W) && !zero_page_is_pte(*ptep));
	pte_t *other = pt_walk(mm->root, KT_BASE + 4 * PAGE_SIZE, false);
	KT_EXPECT(other && zero_page_is_pte(*other));
	mm_put(mm);
	KT_EXPECT(kt_free_frames() == free0);
}

KTEST(thp_fork_split_promote)
{
	u64 free0 = kt_free_frames();
	struct mm *mm = kt_mm(), *child = mm_create();
	KT_EXPECT(mm && child);
	if (!mm || !child)
		goto out;
	KT_EXPECT(mm_fault(mm, KT_BASE, WRITE) == FAULT_HANDLED);
	struct page *head = phys_to_page(pte_phys(kt_pmd(mm, KT_BASE)));
	/* fork: one entry copied, one reference on the head, both read-only. */
	KT_EXPECT(cow_dup_mm(mm, child) == 0);
	KT_EXPECT(kt_pmd(child, KT_BASE) == kt_pmd(mm, KT_BASE) && !(kt_pmd(mm, KT_BASE) & PTE_W));
	KT_EXPECT(page_refcount(head) == 2 && atomic_read(&head->mapcount) == 2);
	KT_EXPECT(page_refcount(head + 9) == 0 && child->rss_pages == HPAGE_NR);
	/* The child's write: its entry split, the page demoted, one 4 KiB page copied. */
	KT_EXPECT(mm_fault(child, KT_BASE + 9 * PAGE_SIZE, WRITE) == FAULT_HANDLED);
	KT_EXPECT(!pt_is_huge(kt_pmd(child, KT_BASE)) && pt_is_huge(kt_pmd(mm, KT_BASE)));
	KT_EXPECT(!(head->flags & PG_THP) && page_refcount(head) == 2 &&
		  page_refcount(head + 9) == 1);
	KT_EXPECT(atomic_read(&head[9].mapcount) == 1 && atomic_read(&head[10].mapcount) == 2);
	/* The child gone, the parent's write finds every frame its own: promoted, reused. */
	mm_put(child);
	child = NULL;
	KT_EXPECT(page_refcount(head) == 1 && page_refcount(head + 9) == 1);
	KT_EXPECT(mm_fault(mm, KT_BASE + 9 * PAGE_SIZE, WRITE) == FAULT_HANDLED);
	KT_EXPECT(pt_is_huge(kt_pmd(mm, KT_BASE)) && (kt_pmd(mm, KT_BASE) & PTE_W));
	KT_EXPECT((head->flags & PG_THP) && page_refcount(head) == 1 &&
		  page_refcount(head + 9) == 0);
out:
	mm_put(child);
	mm_put(mm);
	KT_EXPECT(kt_free_frames() == free0);
}

KTEST(thp_partial_unmap_frees_each_frame)
{
	u64 free0 = kt_free_frames();
	struct mm *mm = kt_mm();
	KT_EXPECT(mm != NULL);
	if (!mm)
		return;
	KT_EXPECT(mm_fault(mm, KT_BASE, WRITE) == FAULT_HANDLED);
	struct page *head = phys_to_page(pte_phys(kt_pmd(mm, KT_BASE)));
	KT_EXPECT(mm_unmap(mm, KT_BASE + PAGE_SIZE, PAGE_SIZE) == 0);
	KT_EXPECT(!pt_is_huge(kt_pmd(mm, KT_BASE)) && mm->rss_pages == HPAGE_NR - 1);
	/* Demoted: the unmapped frame went back alone, its neighbours stay. */
	KT_EXPECT(page_refcount(head + 1) == 0);
	KT_EXPECT(page_refcount(head) == 1 && page_refcount(head + 2) == 1);
	mm_put(mm);
	KT_EXPECT(kt_free_frames() == free0);
}
