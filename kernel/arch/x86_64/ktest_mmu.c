/*
 * Self-tests of the page tables: the kernel's own layout and rights, the
 * user-half helpers in a fresh root, MMIO and guard pages, TLB flushing.
 */
#include <arch/bootinfo.h>
#include <arch/cpu.h>
#include <arch/extable.h>
#include <arch/mmu.h>
#include <lib/string.h>
#include <mm/layout.h>
#include <mm/page.h>
#include <test/ktest.h>
#include <uapi/errno.h>

#define KTEST_VA     0x0000000040201000ul /* PML4 0, PDPT 1, PD 1, PT 1 */
#define KTEST_FAR_VA 0x00007f0000000000ul /* another PML4 slot */
#define LAPIC_PA     0xfee00000ul

static u8 ktest_mmu_data_byte = 1;

/* The entry mapping va in the live tables, and whether it is a 4 KiB page. */
static pte_t ktest_pte(const void *va, bool *small)
{
	u64 bytes = 0;
	pte_t e = pt_lookup(read_cr3() & PTE_ADDR_MASK, (u64)va, &bytes);
	if (small)
		*small = bytes == PAGE_SIZE;
	return e;
}

KTEST(mmu_kernel_image_rights)
{
	bool small;
	pte_t text = ktest_pte((void *)mmu_init, &small);
	KT_EXPECT(pte_present(text) && small);
	KT_EXPECT(!(text & PTE_W) && !(text & PTE_NX) && !(text & PTE_U) && (text & PTE_G));
	pte_t ro = ktest_pte(_rodata_start, &small);
	KT_EXPECT(pte_present(ro) && small && !(ro & PTE_W) && (ro & PTE_NX));
	pte_t data = ktest_pte(&ktest_mmu_data_byte, &small);
	KT_EXPECT(pte_present(data) && small && (data & PTE_W) && (data & PTE_NX));
	pte_t bss = ktest_pte((void *)((u64)_kernel_end - 1), &small);
	KT_EXPECT(pte_present(bss) && (bss & PTE_W) && (bss & PTE_NX));
	KT_EXPECT(ktest_pte(_kernel_end, NULL) == 0 || !pte_present(ktest_pte(_kernel_end, NULL)));
}

KTEST(mmu_direct_map_covers_ram)
{
	for (int i = 0; i < boot_info.nram; i++) {
		const struct boot_range *r = &boot_info.ram[i];
		u64 last = ALIGN_DOWN(r->start + r->len_bytes, PAGE_SIZE) - 8;
		u64 v;
		pte_t e = ktest_pte(phys_to_virt(last), NULL);
		KT_EXPECT(pte_present(e) && (e & PTE_W) && (e & PTE_NX) && !(e & PTE_U));
		KT_EXPECT(kernel_read_nofault((u64)phys_to_virt(last), &v) == 0);
	}
	/* The direct-map alias of kernel text is read-only too. */
	pte_t alias = ktest_pte(phys_to_virt(virt_to_phys((void *)mmu_init)), NULL);
	KT_EXPECT(pte_present(alias) && !(alias & PTE_W) && (alias & PTE_NX));
}

KTEST(mmu_boot_mappings_gone)
{
	phys_addr_t root = read_cr3() & PTE_ADDR_MASK;
	KT_EXPECT(root == kernel_root || pt_lookup(root, 0x100000, NULL) == 0);
	KT_EXPECT(pt_lookup(kernel_root, 0x100000, NULL) == 0); /* .boot, identity map */
	KT_EXPECT(pt_lookup(kernel_root, 0, NULL) == 0);
}

KTEST(mmu_control_registers)
{
	u32 a, b, c, d;
	KT_EXPECT(read_cr0() & CR0_WP);
	KT_EXPECT((read_cr4() & (CR4_PGE | CR4_OSFXSR | CR4_OSXMMEXCPT)) ==
		  (CR4_PGE | CR4_OSFXSR | CR4_OSXMMEXCPT));
	KT_EXPECT(rdmsr(MSR_EFER) & EFER_NXE);
	cpuid(7, 0, &a, &b, &c, &d);
	KT_EXPECT(!(b & (1u << 7)) || (read_cr4() & CR4_SMEP));
	KT_EXPECT(!(b & (1u << 20)) || (read_cr4() & CR4_SMAP));
}

/* pt_map/pt_walk/pt_protect/pt_unmap in a fresh root, and the root's tables freed again. */
KTEST(mmu_map_walk_protect_unmap)
{
	u64 tables0 = pt_pages_count();
	phys_addr_t root = pt_root_alloc();
	KT_EXPECT(root != 0);
	if (!root)
		return;
	KT_EXPECT(pt_pages_count() == tables0 + 1);
	KT_EXPECT(pt_walk(root, KTEST_VA, false) == NULL);
	KT_EXPECT(pt_map(root, KTEST_VA, 0x123000, PTE_U | PTE_W | PTE_SW1) == 0);
	KT_EXPECT(pt_pages_count() == tables0 + 4);
	pte_t *e = pt_walk(root, KTEST_VA, false);
	KT_EXPECT(e && *e == (0x123000 | PTE_P | PTE_U | PTE_W | PTE_SW1));
	KT_EXPECT(pt_walk(root, KTEST_VA + PAGE_SIZE, false) == e + 1);
	KT_EXPECT(pt_lookup(root, KTEST_VA + 5, NULL) == *e);
	KT_EXPECT(pt_protect(root, KTEST_VA, PTE_NX, PTE_W | PTE_ADDR_MASK) ==
		  (0x123000 | PTE_P | PTE_U | PTE_W | PTE_SW1));
	KT_EXPECT(e && *e == (0x123000 | PTE_P | PTE_U | PTE_NX | PTE_SW1));
	KT_EXPECT(pt_protect(root, KTEST_VA + PAGE_SIZE, PTE_W, 0) == 0); /* not present */
	KT_EXPECT(pt_unmap(root, KTEST_VA) == (0x123000 | PTE_P | PTE_U | PTE_NX | PTE_SW1));
	KT_EXPECT(e && *e == 0 && pt_unmap(root, KTEST_VA) == 0);
	KT_EXPECT(pt_map(root, KTEST_FAR_VA, 0x5000, PTE_U) == 0);
	KT_EXPECT(pt_pages_count() == tables0 + 7);
	/* The kernel half is shared, not copied: the root sees the kernel image. */
	KT_EXPECT(pt_lookup(root, (u64)mmu_init, NULL) ==
		  pt_lookup(kernel_root, (u64)mmu_init, NULL));
	pt_root_free(root);
	KT_EXPECT(pt_pages_count() == tables0);
}

KTEST(mmu_bad_arguments)
{
	phys_addr_t root = pt_root_alloc();
	KT_EXPECT(root != 0);
	if (!root)
		return;
	KT_EXPECT(pt_map(root, KTEST_VA + 1, 0x1000, PTE_U) == -EINVAL);
	KT_EXPECT(pt_map(root, KTEST_VA, 0x1001, PTE_U) == -EINVAL);
	KT_EXPECT(pt_map(root, USER_TOP, 0x1000, PTE_U) == -EINVAL);
	KT_EXPECT(pt_map(root, (u64)mmu_init & PAGE_MASK, 0x1000, 0) == -EINVAL);
	KT_EXPECT(pt_map(root, 0x0000800000000000ul, 0x1000, PTE_U) == -EINVAL);
	KT_EXPECT(pt_map(root, KTEST_VA, 0x1000, PTE_PS) == -EINVAL);
	KT_EXPECT(pt_map(root, KTEST_VA, 0x1000, 0x5000) == -EINVAL);
	KT_EXPECT(pt_walk(root, USER_TOP, true) == NULL);
	KT_EXPECT(pt_unmap(root, (u64)mmu_init) == 0);
	KT_EXPECT(pt_protect(root, (u64)mmu_init, PTE_W, 0) == 0);
	KT_EXPECT(pt_lookup(root, 0x8000000000000000ul, NULL) == 0);
	KT_EXPECT(pt_walk(root, KTEST_VA, false) == NULL); /* nothing was created */
	pt_root_free(root);
}

/* Every frame a root and its tables took comes back. */
KTEST(mmu_root_free_returns_frames)
{
	u64 free0 = frame_free_count();
	phys_addr_t root = pt_root_alloc();
	KT_EXPECT(root != 0);
	if (!root)
		return;
	for (u64 i = 0; i < 64; i++)
		KT_EXPECT(pt_map(root, i << 30, 0x1000, PTE_U) == 0); /* 64 PDs, 64 PTs */
	KT_EXPECT(pt_map(root, USER_TOP - PAGE_SIZE, 0x1000, PTE_U) == 0);
	KT_EXPECT(frame_free_count() == free0 - 1 - 1 - 128 - 3);
	pt_root_free(root);
	KT_EXPECT(frame_free_count() == free0);
}

/* Run fn with root loaded and interrupts off, then restore the previous root. */
static void ktest_with_root(phys_addr_t root, void (*fn)(void *), void *arg)
{
	u64 old = read_cr3();
	bool irqs = irq_is_enabled();
	irq_disable();
	mmu_switch(root);
	fn(arg);
	mmu_switch(old);
	if (irqs)
		irq_enable();
}

/* Through the user mapping: read what the kernel put there, write a reply (SMAP window open). */
static void ktest_user_rw(void *arg)
{
	u64 *replies = arg;
	volatile u64 *p = (volatile u64 *)KTEST_VA;
	stac();
	replies[0] = p[0];
	p[1] = 0xfeedfacecafebeeful;
	clac();
}

KTEST(mmu_user_page_through_new_root)
{
	phys_addr_t root = pt_root_alloc();
	struct page *pg = frame_alloc(0, GFP_ZERO);
	KT_EXPECT(root && pg);
	if (root && pg) {
		u64 *kva = page_to_virt(pg), replies[1] = { 0 };
		kva[0] = 0x0123456789abcdeful;
		KT_EXPECT(pt_map(root, KTEST_VA, page_to_phys(pg), PTE_U | PTE_W | PTE_NX) == 0);
		ktest_with_root(root, ktest_user_rw, replies);
		KT_EXPECT(replies[0] == 0x0123456789abcdeful);
		KT_EXPECT(kva[1] == 0xfeedfacecafebeeful);
		pte_t e = pt_unmap(root, KTEST_VA);
		KT_EXPECT((e & PTE_A) && (e & PTE_D)); /* the CPU set accessed and dirty */
	}
	if (root)
		pt_root_free(root);
	if (pg)
		frame_free(pg, 0);
}

struct ktest_tlb {
	phys_addr_t new_pa;
	u64 before, stale_or_new, after;
};

/* Read through KTEST_VA, repoint it without flushing, read again, flush, read again. */
static void ktest_tlb_remap(void *arg)
{
	struct ktest_tlb *t = arg;
	phys_addr_t root = read_cr3() & PTE_ADDR_MASK;
	volatile u64 *p = (volatile u64 *)KTEST_VA;
	pte_t *e = pt_walk(root, KTEST_VA, false);
	stac();
	t->before = *p;
	*e = (*e & ~PTE_ADDR_MASK) | t->new_pa;
	t->stale_or_new = *p;
	tlb_flush_page(KTEST_VA);
	t->after = *p;
	clac();
}

KTEST(mmu_tlb_flush_page)
{
	phys_addr_t root = pt_root_alloc();
	struct page *pg = frame_alloc(1, GFP_ZERO);
	KT_EXPECT(root && pg);
	if (root && pg) {
		u64 *kva = page_to_virt(pg);
		kva[0] = 111;
		kva[PAGE_SIZE / 8] = 222;
		KT_EXPECT(pt_map(root, KTEST_VA, page_to_phys(pg), PTE_U | PTE_NX) == 0);
		struct ktest_tlb t = { page_to_phys(pg) + PAGE_SIZE, 0, 0, 0 };
		ktest_with_root(root, ktest_tlb_remap, &t);
		KT_EXPECT(t.before == 111);
		KT_EXPECT(t.stale_or_new == 111 || t.stale_or_new == 222);
		KT_EXPECT(t.after == 222);
		tlb_flush_all();
		tlb_flush_user();
	}
	if (root)
		pt_root_free(root);
	if (pg)
		frame_free(pg, 1);
}

KTEST(mmu_mmio_map)
{
	u8 *a = mmio_map(LAPIC_PA + 0x30, 4);
	u8 *b = mmio_map(LAPIC_PA, PAGE_SIZE);
	KT_EXPECT(a && b && a == b + 0x30);
	pte_t e = ktest_pte(b, NULL);
	KT_EXPECT(pte_present(e) && pte_phys(e) == LAPIC_PA);
	KT_EXPECT((e & (PTE_PCD | PTE_PWT | PTE_NX | PTE_W)) ==
		  (PTE_PCD | PTE_PWT | PTE_NX | PTE_W));
	u8 *two = mmio_map(0xfec00ff0, 0x20); /* straddles two pages */
	KT_EXPECT(two && pte_present(ktest_pte(two + 0x1f, NULL)));
	KT_EXPECT(mmio_map(MMIO_LIMIT_PA, 4) == NULL);
	KT_EXPECT(mmio_map(0x1000, 0) == NULL);
	KT_EXPECT(mmio_map(~0ul - 4, 16) == NULL);
}

KTEST(mmu_guard_page)
{
	struct page *pg = frame_alloc(0, GFP_ZERO);
	KT_EXPECT(pg != NULL);
	if (!pg)
		return;
	u64 *kva = page_to_virt(pg), v = 0;
	kva[3] = 77;
	KT_EXPECT(mmu_guard_page(kva) == 0);
	KT_EXPECT(mmu_is_guard((u64)kva + 100) && !mmu_is_guard((u64)kva + PAGE_SIZE));
	KT_EXPECT(kernel_read_nofault((u64)&kva[3], &v) == -EFAULT);
	KT_EXPECT(mmu_guard_page(kva) == -EINVAL); /* already a guard */
	KT_EXPECT(mmu_unguard_page(kva) == 0);
	KT_EXPECT(kernel_read_nofault((u64)&kva[3], &v) == 0 && v == 77);
	KT_EXPECT(mmu_unguard_page(kva) == -EINVAL);
	KT_EXPECT(mmu_guard_page((u8 *)kva + 1) == -EINVAL);
	KT_EXPECT(mmu_guard_page((void *)0x1000) == -EINVAL);
	frame_free(pg, 0);
}
