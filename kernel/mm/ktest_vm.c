/*
 * Self-tests of user address spaces: VMA bookkeeping (splits and merges,
 * checked by walking the list), mmap/munmap/mprotect errnos, brk, the fault
 * path (through mm_handle_user_fault with a fake current task), exec's
 * helpers, teardown giving every frame back, and a randomized run against a
 * page-by-page model.
 *
 * The mms built here are never loaded in CR3; the tests read and write user
 * pages through the direct map, behind the PTEs they inspect.
 */
#include <arch/percpu.h>
#include <lib/printk.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <mm/mm.h>
#include <mm/page.h>
#include <mm/vmstat.h>
#include <mm/zero_page.h>
#include <proc/task.h>
#include <test/ktest.h>
#include <uapi/errno.h>

#define VT_BASE 0x10000000ul /* fixed test mappings start here */
#define P(n)	((u64)(n)*PAGE_SIZE)
#define RW	(PROT_READ | PROT_WRITE)
#define ANON	(MAP_PRIVATE | MAP_ANONYMOUS)
#define FIXED	(ANON | MAP_FIXED)
#define VM_RW	(VM_READ | VM_WRITE)

/* An expected VMA. */
struct vt_vma {
	u64 start, end;
	u32 flags;
};

/* True if mm's VMA list is exactly want[0..n); prints the list otherwise. */
static bool vt_layout_is(struct mm *mm, const struct vt_vma *want, int n)
{
	int i = 0;
	bool is_same = true;
	struct list_head *pos;
	list_for_each(pos, &mm->vmas)
	{
		struct vma *v = list_entry(pos, struct vma, node);
		if (i >= n || v->start != want[i].start || v->end != want[i].end ||
		    v->flags != want[i].flags)
			is_same = false;
		i++;
	}
	is_same = is_same && i == n && mm->nvmas == (u32)n;
	if (!is_same)
		list_for_each(pos, &mm->vmas)
		{
			struct vma *v = list_entry(pos, struct vma, node);
			printk("#   vma [%#lx, %#lx) flags %#x\n", v->start, v->end, v->flags);
		}
	return is_same;
}

/* The PTE for va, 0 if there is none. */
static pte_t vt_pte(struct mm *mm, u64 va)
{
	pte_t *p = pt_walk(mm->root, va, false);
	return p ? *p : 0;
}

/* The kernel alias of the u64 at user va, NULL if no frame backs it. */
static u64 *vt_word(struct mm *mm, u64 va)
{
	pte_t e = vt_pte(mm, va);
	if (!mm_pte_has_frame(e))
		return NULL;
	return (u64 *)((u8 *)phys_to_virt(pte_phys(e)) + (va & (PAGE_SIZE - 1)));
}

/* Fault va in for writing and store v there. */
static bool vt_store(struct mm *mm, u64 va, u64 v)
{
	if (mm_fault(mm, va, PF_ERR_WRITE | PF_ERR_USER) != FAULT_HANDLED)
		return false;
	*vt_word(mm, va) = v;
	return true;
}

/* Frames free once the heap has returned its empty slabs (a stable baseline). */
static u64 vt_free_frames(void)
{
	kmalloc_shrink();
	return frame_free_count();
}

KTEST(vm_map_topdown_and_hints)
{
	struct mm *mm = mm_create();
	KT_EXPECT(mm != NULL);
	if (!mm)
		return;
	long a = mm_map(mm, 0, P(2), RW, ANON, NULL, 0);
	KT_EXPECT(a == (long)(MMAP_BASE - P(2)));
	long b = mm_map(mm, 0, P(3), RW, ANON, NULL, 0);
	KT_EXPECT(b == a - (long)P(3));
	struct vt_vma one[] = { { (u64)b, MMAP_BASE, VM_RW } };
	KT_EXPECT(vt_layout_is(mm, one, 1)); /* the two merged */
	long c = mm_map(mm, (u64)a, P(1), PROT_READ, ANON, NULL, 0);
	KT_EXPECT(c == b - (long)P(1)); /* hint taken: next gap down */
	long d = mm_map(mm, VT_BASE + 123, P(1), RW, ANON, NULL, 0);
	KT_EXPECT(d == (long)(VT_BASE + P(1))); /* free hint, rounded up */
	long e = mm_map(mm, 0x1000, P(1), RW, ANON, NULL, 0);
	KT_EXPECT(e == (long)MMAP_MIN_ADDR); /* low hint raised to mmap_min_addr */
	long f = mm_map(mm, 0, P(4), RW, ANON | MAP_32BIT, NULL, 0);
	KT_EXPECT(f > 0 && (u64)f + P(4) <= 0x80000000ul);
	KT_EXPECT(mm->total_vm_pages == 2 + 3 + 1 + 1 + 1 + 4);
	mm_put(mm);
}

KTEST(vm_map_errnos)
{
	struct mm *mm = mm_create();
	KT_EXPECT(mm != NULL);
	if (!mm)
		return;
	KT_EXPECT(mm_map(mm, 0, 0, RW, ANON, NULL, 0) == -EINVAL);
	KT_EXPECT(mm_map(mm, 0, P(1), RW, ANON, NULL, 100) == -EINVAL);
	KT_EXPECT(mm_map(mm, 0, P(1), RW, MAP_ANONYMOUS, NULL, 0) == -EINVAL);
	KT_EXPECT(mm_map(mm, 0, P(1), RW, MAP_ANONYMOUS | MAP_SHARED | MAP_PRIVATE, NULL, 0) ==
		  -EINVAL);
	KT_EXPECT(mm_map(mm, 0, P(1), RW, MAP_ANONYMOUS | MAP_SHARED | MAP_GROWSDOWN, NULL, 0) ==
		  -EINVAL);
	KT_EXPECT(mm_map(mm, 0, P(1), RW, MAP_PRIVATE, NULL, 0) == -EBADF);
	KT_EXPECT(mm_map(mm, VT_BASE + 1, P(1), RW, FIXED, NULL, 0) == -EINVAL);
	KT_EXPECT(mm_map(mm, 0x1000, P(1), RW, FIXED, NULL, 0) == -EPERM);
	KT_EXPECT(mm_map(mm, 0, USER_TOP + 1, RW, ANON, NULL, 0) == -ENOMEM);
	KT_EXPECT(mm_map(mm, 0, ~0ul, RW, ANON, NULL, 0) == -ENOMEM);
	KT_EXPECT(mm_map(mm, USER_TOP - P(1), P(2), RW, FIXED, NULL, 0) == -ENOMEM);
	KT_EXPECT(mm_map(mm, VT_BASE, P(2), RW, ANON | MAP_FIXED_NOREPLACE, NULL, 0) ==
		  (long)VT_BASE);
	KT_EXPECT(mm_map(mm, VT_BASE + P(1), P(2), RW, ANON | MAP_FIXED_NOREPLACE, NULL, 0) ==
		  -EEXIST);
	KT_EXPECT(mm_map(mm, 0, P(1), RW, MAP_SHARED | MAP_ANONYMOUS, NULL, 0) > 0);
	/* Overcommit heuristic: one writable request beyond all of RAM fails. */
	u64 too_many = P(frame_total_count() + 1);
	KT_EXPECT(mm_map(mm, 0, too_many, RW, ANON, NULL, 0) == -ENOMEM);
	long big = mm_map(mm, 0, too_many, RW, ANON | MAP_NORESERVE, NULL, 0);
	KT_EXPECT(big > 0 && mm_unmap(mm, (u64)big, too_many) == 0);
	big = mm_map(mm, 0, too_many, PROT_NONE, ANON, NULL, 0);
	KT_EXPECT(big > 0 && mm_unmap(mm, (u64)big, too_many) == 0);
	KT_EXPECT(mm_unmap(mm, VT_BASE + 1, P(1)) == -EINVAL);
	KT_EXPECT(mm_unmap(mm, VT_BASE, 0) == -EINVAL);
	KT_EXPECT(mm_unmap(mm, USER_TOP - P(1), P(2)) == -EINVAL);
	KT_EXPECT(mm_protect(mm, VT_BASE + 1, P(1), PROT_READ) == -EINVAL);
	KT_EXPECT(mm_protect(mm, VT_BASE, 0, PROT_READ) == 0);
	KT_EXPECT(mm_protect(mm, VT_BASE, P(1), 0x10) == -EINVAL);
	KT_EXPECT(mm_protect(mm, VT_BASE, P(1), PROT_READ | PROT_GROWSDOWN | PROT_GROWSUP) ==
		  -EINVAL);
	KT_EXPECT(mm_protect(mm, VT_BASE, P(1), PROT_READ | PROT_GROWSDOWN) == -EINVAL);
	KT_EXPECT(mm_protect(mm, VT_BASE, P(3), PROT_READ) == -ENOMEM);
	KT_EXPECT(mm_protect(mm, VT_BASE + P(8), P(1), PROT_READ) == -ENOMEM);
	KT_EXPECT(mm_protect(mm, VT_BASE, ~0ul - P(1), PROT_READ) == -ENOMEM);
	struct vma *v = vma_find(mm, VT_BASE); /* the failures changed nothing */
	KT_EXPECT(v && v->start == VT_BASE && v->end == VT_BASE + P(2) && v->flags == VM_RW);
	mm_put(mm);
}

KTEST(vm_unmap_splits)
{
	struct mm *mm = mm_create();
	KT_EXPECT(mm != NULL);
	if (!mm)
		return;
	u64 b = VT_BASE;
	KT_EXPECT(mm_map(mm, b, P(8), RW, FIXED, NULL, 0) == (long)b);
	KT_EXPECT(mm_unmap(mm, b + P(2), P(2)) == 0);
	struct vt_vma two[] = { { b, b + P(2), VM_RW }, { b + P(4), b + P(8), VM_RW } };
	KT_EXPECT(vt_layout_is(mm, two, 2));
	KT_EXPECT(mm_unmap(mm, b + P(1), P(4)) == 0); /* across a hole */
	struct vt_vma cut[] = { { b, b + P(1), VM_RW }, { b + P(5), b + P(8), VM_RW } };
	KT_EXPECT(vt_layout_is(mm, cut, 2));
	KT_EXPECT(mm_unmap(mm, b + P(20), P(3)) == 0); /* only a hole */
	KT_EXPECT(mm_unmap(mm, b + P(5), 1) == 0);     /* length rounds up */
	struct vt_vma rounded[] = { { b, b + P(1), VM_RW }, { b + P(6), b + P(8), VM_RW } };
	KT_EXPECT(vt_layout_is(mm, rounded, 2));
	KT_EXPECT(mm->total_vm_pages == 3);
	KT_EXPECT(mm_unmap(mm, b - P(10), P(100)) == 0);
	KT_EXPECT(vt_layout_is(mm, NULL, 0) && mm->total_vm_pages == 0);
	mm_put(mm);
}

KTEST(vm_protect_splits_and_merges)
{
	struct mm *mm = mm_create();
	KT_EXPECT(mm != NULL);
	if (!mm)
		return;
	u64 b = VT_BASE;
	KT_EXPECT(mm_map(mm, b, P(8), RW, FIXED, NULL, 0) == (long)b);
	KT_EXPECT(mm_protect(mm, b + P(2), P(2), PROT_READ) == 0);
	struct vt_vma three[] = { { b, b + P(2), VM_RW },
				  { b + P(2), b + P(4), VM_READ },
				  { b + P(4), b + P(8), VM_RW } };
	KT_EXPECT(vt_layout_is(mm, three, 3));
	KT_EXPECT(mm_protect(mm, b + P(3), P(3), PROT_READ) == 0);
	struct vt_vma grown[] = { { b, b + P(2), VM_RW },
				  { b + P(2), b + P(6), VM_READ },
				  { b + P(6), b + P(8), VM_RW } };
	KT_EXPECT(vt_layout_is(mm, grown, 3));
	KT_EXPECT(mm_protect(mm, b + P(6), P(4), PROT_READ) == -ENOMEM); /* runs into a hole */
	KT_EXPECT(vt_layout_is(mm, grown, 3));
	KT_EXPECT(mm_protect(mm, b, P(8), RW) == 0);
	struct vt_vma one[] = { { b, b + P(8), VM_RW } };
	KT_EXPECT(vt_layout_is(mm, one, 1));
	/* Several pieces inside the range, and the VMA starting at its end, all merge. */
	KT_EXPECT(mm_protect(mm, b + P(2), P(1), PROT_READ) == 0);
	KT_EXPECT(mm_protect(mm, b + P(3), P(1), PROT_NONE) == 0);
	KT_EXPECT(mm->nvmas == 4);
	KT_EXPECT(mm_protect(mm, b + P(2), P(2), RW) == 0);
	KT_EXPECT(vt_layout_is(mm, one, 1));
	/* Exec rights reach existing PTEs: NX goes away. */
	KT_EXPECT(mm_fault(mm, b, PF_ERR_USER) == FAULT_HANDLED);
	KT_EXPECT(vt_pte(mm, b) & PTE_NX);
	KT_EXPECT(mm_protect(mm, b, P(1), PROT_READ | PROT_EXEC) == 0);
	KT_EXPECT(!(vt_pte(mm, b) & PTE_NX) && !(vt_pte(mm, b) & PTE_W));
	KT_EXPECT(mm_fault(mm, b, PF_ERR_USER | PF_ERR_FETCH) == FAULT_HANDLED);
	mm_put(mm);
}

KTEST(vm_map_fixed_replaces)
{
	struct mm *mm = mm_create();
	KT_EXPECT(mm != NULL);
	if (!mm)
		return;
	u64 b = VT_BASE;
	KT_EXPECT(mm_map(mm, b, P(8), RW, FIXED, NULL, 0) == (long)b);
	for (int i = 0; i < 8; i++)
		KT_EXPECT(vt_store(mm, b + P(i), 0x1000 + i));
	KT_EXPECT(mm->rss_pages == 8);
	KT_EXPECT(mm_map(mm, b + P(2), P(2), PROT_READ, FIXED, NULL, 0) == (long)(b + P(2)));
	struct vt_vma three[] = { { b, b + P(2), VM_RW },
				  { b + P(2), b + P(4), VM_READ },
				  { b + P(4), b + P(8), VM_RW } };
	KT_EXPECT(vt_layout_is(mm, three, 3));
	KT_EXPECT(mm->rss_pages == 6);
	KT_EXPECT(!vt_word(mm, b + P(2)) && !vt_word(mm, b + P(3)));
	KT_EXPECT(*vt_word(mm, b + P(1)) == 0x1001 && *vt_word(mm, b + P(4)) == 0x1004);
	/* A fresh fault in the replaced range sees zeroes, not the old data. */
	KT_EXPECT(mm_fault(mm, b + P(2), PF_ERR_USER) == FAULT_HANDLED);
	KT_EXPECT(*vt_word(mm, b + P(2)) == 0);
	/* Replacing with identical rights merges everything back into one VMA. */
	KT_EXPECT(mm_map(mm, b + P(2), P(2), RW, FIXED, NULL, 0) == (long)(b + P(2)));
	struct vt_vma one[] = { { b, b + P(8), VM_RW } };
	KT_EXPECT(vt_layout_is(mm, one, 1));
	mm_put(mm);
}

KTEST(vm_fault_demand_zero)
{
	static struct task fake;
	struct trap_frame tf = { 0 };
	struct mm *mm = mm_create();
	KT_EXPECT(mm != NULL);
	if (!mm)
		return;
	u64 b = VT_BASE;
	KT_EXPECT(mm_map(mm, b, P(2), RW, FIXED, NULL, 0) == (long)b);
	KT_EXPECT(mm_map(mm, b + P(4), P(1), PROT_READ, FIXED, NULL, 0) == (long)(b + P(4)));
	/* The test runs in a kernel context with no user half: nothing is mapped. */
	KT_EXPECT(mm_handle_user_fault(&tf, b, PF_ERR_USER) == FAULT_SEGV_MAPERR);
	u64 faults = vm_event_sum(VM_PGFAULT);
	/* Interrupts off: no tick may look at the fake task while it is current. */
	irq_save_push();
	struct cpu *c = this_cpu();
	struct task *saved = c->cur_task;
	memset(&fake, 0, sizeof(fake));
	fake.mm = mm;
	c->cur_task = &fake;
	enum fault_result r_read = mm_handle_user_fault(&tf, b + 0x123, PF_ERR_USER);
	enum fault_result r_hole = mm_handle_user_fault(&tf, b + P(3), PF_ERR_USER);
	enum fault_result r_ro = mm_handle_user_fault(&tf, b + P(4), PF_ERR_USER | PF_ERR_WRITE);
	enum fault_result r_nx = mm_handle_user_fault(&tf, b, PF_ERR_USER | PF_ERR_FETCH);
	enum fault_result r_kwrite = mm_handle_user_fault(&tf, b + P(1), PF_ERR_WRITE);
	c->cur_task = saved;
	irq_restore_pop();
	KT_EXPECT(r_read == FAULT_HANDLED && r_hole == FAULT_SEGV_MAPERR);
	KT_EXPECT(r_ro == FAULT_SEGV_ACCERR && r_nx == FAULT_SEGV_ACCERR);
	KT_EXPECT(r_kwrite == FAULT_HANDLED); /* usercopy's write, treated like the user's */
	KT_EXPECT(vm_event_sum(VM_PGFAULT) == faults + 5);
	/* The read mapped the zero page: read-only, no frame of its own, not in rss. */
	pte_t z = vt_pte(mm, b);
	KT_EXPECT((z & (PTE_P | PTE_U | PTE_W | PTE_NX)) == (PTE_P | PTE_U | PTE_NX));
	KT_EXPECT(zero_page_is_pte(z));
	/* The kernel's write got a zeroed frame of its own. */
	pte_t e = vt_pte(mm, b + P(1));
	KT_EXPECT((e & (PTE_P | PTE_U | PTE_W | PTE_NX)) == (PTE_P | PTE_U | PTE_W | PTE_NX));
	struct page *p = phys_to_page(pte_phys(e));
	KT_EXPECT(page_refcount(p) == 1 && atomic_read(&p->mapcount) == 1 && p->flags == PG_ANON);
	u64 *w = phys_to_virt(pte_phys(e)), sum = 0;
	for (size_t i = 0; i < PAGE_SIZE / 8; i++)
		sum |= w[i];
	KT_EXPECT(sum == 0);
	KT_EXPECT(mm->rss_pages == 1);
	/* A second access to a present page is spurious: nothing allocated. */
	KT_EXPECT(mm_fault(mm, b + P(1), PF_ERR_USER | PF_ERR_PRESENT) == FAULT_HANDLED);
	KT_EXPECT(mm->rss_pages == 1 && vt_pte(mm, b + P(1)) == e);
	/* A write to the zero page gives that page a frame of its own. */
	KT_EXPECT(mm_fault(mm, b, PF_ERR_USER | PF_ERR_WRITE | PF_ERR_PRESENT) == FAULT_HANDLED);
	z = vt_pte(mm, b);
	KT_EXPECT(!zero_page_is_pte(z) && (z & PTE_W) && mm->rss_pages == 2);
	KT_EXPECT(mm_fault(mm, USER_TOP + P(1), PF_ERR_USER) == FAULT_SEGV_MAPERR);
	mm_put(mm);
}

KTEST(vm_protnone_keeps_frames)
{
	struct mm *mm = mm_create();
	KT_EXPECT(mm != NULL);
	if (!mm)
		return;
	u64 b = VT_BASE;
	KT_EXPECT(mm_map(mm, b, P(2), RW, FIXED, NULL, 0) == (long)b);
	KT_EXPECT(vt_store(mm, b, 0xabcd) && vt_store(mm, b + P(1), 0xef01));
	KT_EXPECT(mm_protect(mm, b, P(2), PROT_NONE) == 0);
	pte_t e = vt_pte(mm, b);
	KT_EXPECT(!(e & PTE_P) && !(e & PTE_W) && (e & PTE_PROTNONE) && mm->rss_pages == 2);
	KT_EXPECT(mm_fault(mm, b, PF_ERR_USER) == FAULT_SEGV_ACCERR);
	KT_EXPECT(mm_protect(mm, b, P(1), PROT_READ) == 0);
	e = vt_pte(mm, b);
	KT_EXPECT((e & PTE_P) && !(e & PTE_W) && !(e & PTE_PROTNONE) && *vt_word(mm, b) == 0xabcd);
	/* Write comes back read-only; the write fault upgrades it, data intact. */
	KT_EXPECT(mm_protect(mm, b, P(2), RW) == 0);
	KT_EXPECT(!(vt_pte(mm, b + P(1)) & PTE_W) && (vt_pte(mm, b + P(1)) & PTE_P));
	KT_EXPECT(mm_fault(mm, b + P(1), PF_ERR_USER | PF_ERR_WRITE | PF_ERR_PRESENT) ==
		  FAULT_HANDLED);
	KT_EXPECT((vt_pte(mm, b + P(1)) & PTE_W) && *vt_word(mm, b + P(1)) == 0xef01);
	/*
	 * A frame someone else also holds is never made writable in place: the
	 * copy-on-write policy refuses (temporary default) or copies it.
	 */
	pte_t old = vt_pte(mm, b);
	struct page *p = phys_to_page(pte_phys(old));
	page_get(p);
	enum fault_result r = mm_fault(mm, b, PF_ERR_USER | PF_ERR_WRITE | PF_ERR_PRESENT);
	pte_t now = vt_pte(mm, b);
	KT_EXPECT(r == FAULT_SEGV_ACCERR || (r == FAULT_HANDLED && pte_phys(now) != pte_phys(old)));
	KT_EXPECT(*vt_word(mm, b) == 0xabcd);
	page_put(p);
	mm_put(mm);
}

KTEST(vm_brk_grow_shrink)
{
	struct mm *mm = mm_create();
	KT_EXPECT(mm != NULL);
	if (!mm)
		return;
	u64 h = VT_BASE;
	KT_EXPECT(mm_brk(mm, h + P(1)) == 0); /* no heap before exec sets one */
	KT_EXPECT(mm_set_brk_start(mm, h - 100) == 0);
	KT_EXPECT(mm_set_brk_start(mm, 0x1000) == -EINVAL);
	KT_EXPECT(mm_brk(mm, 0) == h);
	KT_EXPECT(mm_brk(mm, h + 100) == h + 100);
	struct vt_vma one[] = { { h, h + P(1), VM_RW | VM_HEAP } };
	KT_EXPECT(vt_layout_is(mm, one, 1));
	KT_EXPECT(mm_brk(mm, h + P(3) + 1) == h + P(3) + 1);
	struct vt_vma four[] = { { h, h + P(4), VM_RW | VM_HEAP } };
	KT_EXPECT(vt_layout_is(mm, four, 1));
	KT_EXPECT(vt_store(mm, h + P(3), 7) && mm->rss_pages == 1);
	KT_EXPECT(mm_brk(mm, h + P(1)) == h + P(1));
	struct vt_vma shrunk[] = { { h, h + P(1), VM_RW | VM_HEAP } };
	KT_EXPECT(vt_layout_is(mm, shrunk, 1) && mm->rss_pages == 0);
	KT_EXPECT(mm_brk(mm, h - 1) == h + P(1)); /* below the start: unchanged */
	/* Another mapping 10 pages up: the heap must stay a page short of it. */
	KT_EXPECT(mm_map(mm, h + P(10), P(1), RW, FIXED, NULL, 0) == (long)(h + P(10)));
	KT_EXPECT(mm_brk(mm, h + P(9)) == h + P(9));
	KT_EXPECT(mm_brk(mm, h + P(9) + 1) == h + P(9));
	KT_EXPECT(mm_brk(mm, USER_TOP + P(1)) == h + P(9));
	KT_EXPECT(mm_unmap(mm, h + P(10), P(1)) == 0);
	KT_EXPECT(mm_brk(mm, h + (1ul << 46)) == h + P(9)); /* more than all of RAM */
	KT_EXPECT(mm_brk(mm, h) == h);
	KT_EXPECT(vt_layout_is(mm, NULL, 0));
	mm_put(mm);
}

KTEST(vm_copy_in_and_populate)
{
	static u8 buf[6000];
	struct mm *mm = mm_create();
	KT_EXPECT(mm != NULL);
	if (!mm)
		return;
	u64 b = VT_BASE;
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (u8)(i * 7 + 3);
	KT_EXPECT(mm_map(mm, b, P(3), PROT_READ, FIXED, NULL, 0) == (long)b);
	KT_EXPECT(mm_copy_in(mm, b + 100, buf, sizeof(buf)) == 0); /* read-only: still allowed */
	KT_EXPECT(mm->rss_pages == 2 && !(vt_pte(mm, b) & PTE_W));
	u8 *p0 = (u8 *)vt_word(mm, b), *p1 = (u8 *)vt_word(mm, b + P(1));
	KT_EXPECT(p0 && p1 && p0[99] == 0 && p0[100] == buf[0]);
	KT_EXPECT(p1 && memcmp(p1, buf + PAGE_SIZE - 100, sizeof(buf) - (PAGE_SIZE - 100)) == 0);
	KT_EXPECT(mm_copy_in(mm, b + P(3), buf, 2) == -EFAULT); /* a hole */
	KT_EXPECT(mm_copy_in(mm, USER_TOP - 1, buf, 2) == -EFAULT);
	KT_EXPECT(mm_protect(mm, b + P(2), P(1), PROT_NONE) == 0);
	KT_EXPECT(mm_copy_in(mm, b + P(2), buf, 1) == -EFAULT);
	/*
	 * A frame shared with a fork child must not be written behind its back:
	 * the copy-on-write policy refuses (temporary default) or unshares it,
	 * and the read-only PTE stays read-only.
	 */
	pte_t old = vt_pte(mm, b);
	struct page *pg = phys_to_page(pte_phys(old));
	page_get(pg);
	int r = mm_copy_in(mm, b, "Z", 1);
	pte_t now = vt_pte(mm, b);
	KT_EXPECT(r == -EFAULT || (r == 0 && pte_phys(now) != pte_phys(old) && !(now & PTE_W) &&
				   *(u8 *)vt_word(mm, b) == 'Z'));
	KT_EXPECT(*(u8 *)page_to_virt(pg) == 0);
	page_put(pg);
	/* A shared mapping's page is written in place, even with other holders. */
	long sh = mm_map(mm, 0, P(1), RW, MAP_SHARED | MAP_ANONYMOUS, NULL, 0);
	KT_EXPECT(sh > 0 && mm_fault(mm, (u64)sh, PF_ERR_WRITE) == FAULT_HANDLED);
	old = vt_pte(mm, (u64)sh);
	pg = phys_to_page(pte_phys(old));
	page_get(pg);
	KT_EXPECT(mm_copy_in(mm, (u64)sh + 8, "S", 1) == 0 && vt_pte(mm, (u64)sh) == old);
	KT_EXPECT(((u8 *)page_to_virt(pg))[8] == 'S');
	page_put(pg);
	KT_EXPECT(mm_unmap(mm, (u64)sh, P(1)) == 0);
	long a = mm_map(mm, 0, P(5), RW, ANON | MAP_POPULATE, NULL, 0);
	KT_EXPECT(a > 0 && mm->rss_pages == 2 + 5);
	KT_EXPECT(mm_populate(mm, b, P(3)) == 0); /* skips the PROT_NONE page */
	KT_EXPECT(mm->rss_pages == 2 + 5 && !vt_word(mm, b + P(2)));
	KT_EXPECT(mm_populate(mm, b, P(4)) == -ENOMEM);
	mm_put(mm);
}

KTEST(vm_stack_grows_down)
{
	struct mm *mm = mm_create();
	KT_EXPECT(mm != NULL);
	if (!mm)
		return;
	u64 top = 0x7ff000000000ul;
	KT_EXPECT(mm_map_stack(mm, top, P(4)) == 0);
	KT_EXPECT(mm_map_stack(mm, top, P(4)) == -EEXIST);
	KT_EXPECT(mm->stack_top == top);
	KT_EXPECT(mm_fault(mm, top - P(6) + 8, PF_ERR_USER | PF_ERR_WRITE) == FAULT_HANDLED);
	struct vma *v = vma_find(mm, top - 1);
	KT_EXPECT(v && v->start == top - P(6) && mm->total_vm_pages == 6);
	KT_EXPECT(mm_fault(mm, top - STACK_LIMIT_BYTES - P(1), PF_ERR_USER) == FAULT_SEGV_MAPERR);
	/* A hint inside the stack's guard gap is not honoured. */
	long h = mm_map(mm, top - P(7), P(1), RW, ANON, NULL, 0);
	KT_EXPECT(h > 0 && (u64)h != top - P(7));
	/* A mapping within the guard gap below stops further growth. */
	u64 low = top - P(106);
	KT_EXPECT(mm_map(mm, low, P(1), RW, FIXED, NULL, 0) == (long)low);
	KT_EXPECT(mm_fault(mm, top - P(7), PF_ERR_USER) == FAULT_SEGV_MAPERR);
	KT_EXPECT(mm_protect(mm, top - P(1), P(1), PROT_READ | PROT_GROWSDOWN) == 0);
	struct vma *s = vma_find(mm, top - P(6));
	KT_EXPECT(s && s->flags == (VM_READ | VM_GROWSDOWN | VM_STACK) && s->end == top);
	mm_put(mm);
}

KTEST(vm_teardown_returns_frames)
{
	u64 base = vt_free_frames(), base_pt = pt_pages_count();
	struct mm *mm = mm_create();
	KT_EXPECT(mm != NULL);
	if (!mm)
		return;
	/* Spread over several page tables and every level. */
	u64 at[] = { VT_BASE, 0x40000000ul, 0x7e0000000000ul, 0x10000ul };
	for (size_t i = 0; i < ARRAY_SIZE(at); i++) {
		KT_EXPECT(mm_map(mm, at[i], P(16), RW, FIXED, NULL, 0) == (long)at[i]);
		for (int k = 0; k < 16; k++)
			KT_EXPECT(vt_store(mm, at[i] + P(k), k));
	}
	KT_EXPECT(mm->rss_pages == 64);
	KT_EXPECT(mm_protect(mm, at[1], P(8), PROT_NONE) == 0);
	KT_EXPECT(mm_unmap(mm, at[2] + P(4), P(4)) == 0);
	KT_EXPECT(mm_map(mm, at[3] + P(2), P(2), PROT_READ, FIXED, NULL, 0) ==
		  (long)(at[3] + P(2)));
	KT_EXPECT(mm->rss_pages == 64 - 4 - 2);
	KT_EXPECT(frame_free_count() < base);
	mm_put(mm);
	KT_EXPECT(vt_free_frames() == base);
	KT_EXPECT(pt_pages_count() == base_pt);
}

/* Take every free frame onto list (linked through page->lru, which is ours once allocated). */
static void vt_hoard_frames(struct list_head *list)
{
	struct page *p;
	while ((p = frame_alloc(0, GFP_KERNEL)))
		list_add(&p->lru, list);
}

static void vt_release_frames(struct list_head *list, u64 nframes)
{
	while (nframes-- && !list_empty(list)) {
		struct page *p = list_first_entry(list, struct page, lru);
		list_del(&p->lru);
		page_put(p);
	}
}

KTEST(vm_fault_oom_leaks_nothing)
{
	LIST_HEAD(hoard);
	struct mm *mm = mm_create();
	KT_EXPECT(mm != NULL);
	if (!mm)
		return;
	u64 b = VT_BASE;
	KT_EXPECT(mm_map(mm, b, P(4), RW, FIXED, NULL, 0) == (long)b);
	vt_hoard_frames(&hoard);
	KT_EXPECT(mm_fault(mm, b, PF_ERR_USER | PF_ERR_WRITE) == FAULT_OOM);
	KT_EXPECT(mm_copy_in(mm, b, "x", 1) == -ENOMEM);
	/* One frame: the data frame is found, its page tables are not; it must come back. */
	vt_release_frames(&hoard, 1);
	KT_EXPECT(mm_fault(mm, b, PF_ERR_USER | PF_ERR_WRITE) == FAULT_OOM);
	KT_EXPECT(frame_free_count() == 1 && mm->rss_pages == 0 && !vt_word(mm, b));
	vt_release_frames(&hoard, ~0ul);
	KT_EXPECT(mm_fault(mm, b, PF_ERR_USER | PF_ERR_WRITE) == FAULT_HANDLED);
	KT_EXPECT(mm->rss_pages == 1);
	mm_put(mm);
}

/* --- randomized run against a page-by-page model ------------------------- */

#define VT_NPAGES 48
#define VT_NSTEPS 10000

struct vt_model {
	s8 prot[VT_NPAGES]; /* -1: unmapped */
	u64 val[VT_NPAGES]; /* the first word of each page; 0 if never written */
};

static u64 vt_rng_state = 0x9e3779b97f4a7c15ul;

static u64 vt_rand(u64 n)
{
	vt_rng_state ^= vt_rng_state << 13;
	vt_rng_state ^= vt_rng_state >> 7;
	vt_rng_state ^= vt_rng_state << 17;
	return vt_rng_state % n;
}

static u32 vt_prot_vm(int prot)
{
	return (prot & PROT_READ ? VM_READ : 0) | (prot & PROT_WRITE ? VM_WRITE : 0) |
	       (prot & PROT_EXEC ? VM_EXEC : 0);
}

/* The list is sorted, inside the window, and no two neighbours could merge. */
static bool vt_list_ok(struct mm *mm)
{
	struct list_head *pos;
	struct vma *prev = NULL;
	u64 npages = 0;
	list_for_each(pos, &mm->vmas)
	{
		struct vma *v = list_entry(pos, struct vma, node);
		if (v->start >= v->end || v->start < VT_BASE || v->end > VT_BASE + P(VT_NPAGES))
			return false;
		if (prev &&
		    (prev->end > v->start || (prev->end == v->start && prev->flags == v->flags)))
			return false;
		npages += vma_npages(v);
		prev = v;
	}
	return npages == mm->total_vm_pages;
}

/* Page i's VMA and PTE agree with the model; counts frames into *nframes. */
static bool vt_page_ok(struct mm *mm, const struct vt_model *m, int i, u64 *nframes)
{
	u64 va = VT_BASE + P(i);
	struct vma *v = vma_find(mm, va);
	pte_t e = vt_pte(mm, va);
	u64 *w = vt_word(mm, va);
	*nframes += w && !zero_page_is_pte(e); /* the zero page is nobody's frame */
	if (m->prot[i] < 0)
		return !v && !w;
	if (!v || v->flags != vt_prot_vm(m->prot[i]))
		return false;
	if (!w)
		return m->val[i] == 0;
	if (*w != m->val[i])
		return false;
	if (m->prot[i] == PROT_NONE)
		return !(e & PTE_P) && (e & PTE_PROTNONE);
	bool is_w_ok = !(e & PTE_W) || (m->prot[i] & PROT_WRITE);
	bool is_nx_ok = !!(e & PTE_NX) == !(m->prot[i] & PROT_EXEC);
	return (e & PTE_P) && (e & PTE_U) && is_w_ok && is_nx_ok;
}

static bool vt_model_ok(struct mm *mm, const struct vt_model *m)
{
	u64 nframes = 0;
	if (!vt_list_ok(mm)) {
		printk("#   VMA list broken:\n");
		return vt_layout_is(mm, NULL, 0);
	}
	for (int i = 0; i < VT_NPAGES; i++)
		if (!vt_page_ok(mm, m, i, &nframes)) {
			printk("#   page %d: model prot %d val %lx, pte %lx\n", i, m->prot[i],
			       m->val[i], vt_pte(mm, VT_BASE + P(i)));
			return false;
		}
	if (nframes != mm->rss_pages)
		printk("#   %lu frames mapped, rss_pages %lu\n", nframes, mm->rss_pages);
	return nframes == mm->rss_pages;
}

/* The last step, for the failure report: op 0 map, 1 unmap, 2 protect, 3 store, 4 load. */
static int vt_last_op, vt_last_page, vt_last_npages, vt_last_prot;

static const int vt_prots[] = { PROT_NONE, PROT_READ, RW, PROT_READ | PROT_EXEC };

/* One random map, unmap, protect, store or load, applied to mm and the model. */
static bool vt_step(struct mm *mm, struct vt_model *m)
{
	int i = (int)vt_rand(VT_NPAGES), n = 1 + (int)vt_rand(MIN(8, VT_NPAGES - i));
	u64 va = VT_BASE + P(i);
	int prot = vt_prots[vt_rand(ARRAY_SIZE(vt_prots))];
	bool is_mapped = true;
	for (int k = i; k < i + n; k++)
		is_mapped = is_mapped && m->prot[k] >= 0;
	vt_last_op = (int)vt_rand(5);
	vt_last_page = i, vt_last_npages = n, vt_last_prot = prot;
	switch (vt_last_op) {
	case 0:
		if (mm_map(mm, va, P(n), prot, FIXED, NULL, 0) != (long)va)
			return false;
		for (int k = i; k < i + n; k++)
			m->prot[k] = (s8)prot, m->val[k] = 0;
		return true;
	case 1:
		if (mm_unmap(mm, va, P(n)))
			return false;
		for (int k = i; k < i + n; k++)
			m->prot[k] = -1, m->val[k] = 0;
		return true;
	case 2:
		if (mm_protect(mm, va, P(n), prot) != (is_mapped ? 0 : -ENOMEM))
			return false;
		for (int k = i; is_mapped && k < i + n; k++)
			m->prot[k] = (s8)prot;
		return true;
	case 3: {
		enum fault_result r = mm_fault(mm, va, PF_ERR_USER | PF_ERR_WRITE);
		if (m->prot[i] < 0)
			return r == FAULT_SEGV_MAPERR;
		if (!(m->prot[i] & PROT_WRITE))
			return r == FAULT_SEGV_ACCERR;
		m->val[i] = vt_rand(~0ul) | 1;
		*vt_word(mm, va) = m->val[i];
		return r == FAULT_HANDLED;
	}
	default: {
		enum fault_result r = mm_fault(mm, va, PF_ERR_USER);
		if (m->prot[i] < 0)
			return r == FAULT_SEGV_MAPERR;
		if (m->prot[i] == PROT_NONE)
			return r == FAULT_SEGV_ACCERR;
		return r == FAULT_HANDLED && *vt_word(mm, va) == m->val[i];
	}
	}
}

KTEST(vm_stress_against_model)
{
	static struct vt_model m;
	u64 base = vt_free_frames(), base_pt = pt_pages_count();
	struct mm *mm = mm_create();
	KT_EXPECT(mm != NULL);
	if (!mm)
		return;
	memset(&m, 0, sizeof(m));
	for (int i = 0; i < VT_NPAGES; i++)
		m.prot[i] = -1;
	int step;
	for (step = 0; step < VT_NSTEPS; step++)
		if (!vt_step(mm, &m) || !vt_model_ok(mm, &m))
			break;
	if (step != VT_NSTEPS)
		printk("#   diverged from the model at step %d: op %d pages %d+%d prot %d\n", step,
		       vt_last_op, vt_last_page, vt_last_npages, vt_last_prot);
	KT_EXPECT(step == VT_NSTEPS);
	mm_put(mm);
	KT_EXPECT(vt_free_frames() == base);
	KT_EXPECT(pt_pages_count() == base_pt);
}
