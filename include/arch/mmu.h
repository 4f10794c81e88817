/*
 * x86-64 4-level page tables: bit flipping only. Which bits mean what for
 * user memory (e.g. which software bit marks copy-on-write) is mm/'s policy.
 *
 * Every address space's PML4 shares the kernel half (entries 256-511): the
 * PML4 slots the kernel uses (direct map, MMIO window, image) get their
 * PDPTs at boot and kernel-half PML4 entries never change afterwards, so
 * kernel mappings never need syncing between address spaces.
 *
 * The pt_* helpers work on the user half of any root (va < USER_TOP) and
 * refuse kernel addresses; the kernel half belongs to mmu.c (mmio_map,
 * mmu_guard_page), which serialises its changes with its own lock.
 *
 * Locking: callers hold the owning address space's lock while changing its
 * user half. TLB: the pt_* helpers do NOT flush; callers flush (tlb_flush_page
 * or tlb_flush_user/all) after changing a present PTE, because only they know
 * whether a batch of changes can share one flush and which CPUs need it.
 * All flushes here act on this CPU only.
 */
#pragma once
#include <mm/layout.h>
#include <types.h>

typedef u64 pte_t;

#define PTE_P	      (1ul << 0)
#define PTE_W	      (1ul << 1)
#define PTE_U	      (1ul << 2)
#define PTE_PWT	      (1ul << 3)
#define PTE_PCD	      (1ul << 4)
#define PTE_A	      (1ul << 5)
#define PTE_D	      (1ul << 6)
#define PTE_PS	      (1ul << 7)
#define PTE_G	      (1ul << 8)
#define PTE_SW1	      (1ul << 9)  /* available to software */
#define PTE_SW2	      (1ul << 10) /* available to software */
#define PTE_SW3	      (1ul << 11) /* available to software (kernel half: guard marker) */
#define PTE_NX	      (1ul << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ul

/* Uncached device memory window used by mmio_map: va = MMIO_BASE + pa. */
#define MMIO_BASE     0xffffc90000000000ul
#define MMIO_LIMIT_PA (1ul << 39) /* one PML4 slot: 512 GiB of physical space */

static inline phys_addr_t pte_phys(pte_t e)
{
	return e & PTE_ADDR_MASK;
}
static inline bool pte_present(pte_t e)
{
	return e & PTE_P;
}

extern phys_addr_t kernel_root; /* the boot-time PML4: kernel half only */

/* Build the kernel's page tables (direct map, image with per-section rights), switch to them. */
void mmu_init(void);
/*
 * This CPU's paging features (CR0.WP, CR4 PGE/OSFXSR/OSXMMEXCPT/SMEP/SMAP)
 * and CR3 = kernel_root. mmu_init runs it on the boot CPU; each AP runs it
 * once kernel_root exists.
 */
void mmu_init_cpu(void);
/* New PML4 sharing the kernel half; 0 on OOM. */
phys_addr_t pt_root_alloc(void);
/*
 * Free the user half's page-table pages (not the frames they map) and the
 * root. No CPU may still have root loaded in CR3.
 */
void pt_root_free(phys_addr_t root);
/*
 * Leaf (4 KiB) PTE slot for user va; with create, allocates missing tables
 * (NULL on OOM), else NULL if a table is absent. NULL for va >= USER_TOP.
 */
pte_t *pt_walk(phys_addr_t root, u64 va, bool create);
/*
 * Map user va -> pa with flags (PTE_P is added), replacing whatever the
 * slot held (the caller owns the old frame's reference and the TLB flush).
 * -EINVAL for a misaligned or non-user va, misaligned pa, or flags holding
 * address bits or PTE_PS; -ENOMEM if a table cannot be allocated.
 */
int pt_map(phys_addr_t root, u64 va, phys_addr_t pa, u64 flags);
/* Clear va's PTE, returning the old value (0 if none). Tables stay until pt_root_free. */
pte_t pt_unmap(phys_addr_t root, u64 va);
/*
 * Atomically clear then set flag bits of a present PTE (address bits are
 * never touched; the CPU may set A/D concurrently); returns the old value,
 * 0 if not present.
 */
pte_t pt_protect(phys_addr_t root, u64 va, u64 set, u64 clear);
/*
 * Read-only lookup of any address (kernel half too): the entry that maps va
 * at whatever level (4 KiB, 2 MiB or 1 GiB page), its page size in
 * *page_bytes. Returns 0 if nothing maps va; a non-present leaf (a guard
 * page, a PROT_NONE page) is returned as is.
 */
pte_t pt_lookup(phys_addr_t root, u64 va, u64 *page_bytes);
/*
 * The 2 MiB level. pt_walk_pmd returns the PD entry for user va (creating
 * the levels above it with create), NULL if a level is missing or va is not
 * a user address. The entry is 0 (empty), a table, or a large-page leaf
 * (PTE_PS): pt_is_huge tells them apart.
 */
pte_t *pt_walk_pmd(phys_addr_t root, u64 va, bool create);
static inline bool pt_is_huge(pte_t pmd)
{
	return (pmd & (PTE_P | PTE_PS)) == (PTE_P | PTE_PS);
}
/* The PTE for va inside the leaf table that a (non-huge, present) PD entry points to. */
static inline pte_t *pt_pte_in(pte_t pmd, u64 va)
{
	return (pte_t *)phys_to_virt(pte_phys(pmd)) + ((va >> PAGE_SHIFT) & 511);
}
/*
 * A zeroed leaf table for the user half (counted in PageTables), to replace
 * a large-page PD entry by 512 PTEs; NULL on OOM. pt_table_install points
 * the (empty) PD entry *slot at it; from then on it is freed with its root.
 */
pte_t *pt_table_alloc(void);
void pt_table_install(pte_t *slot, pte_t *table);
/* Page-table pages (all levels) currently allocated for user halves (/proc/meminfo PageTables). */
u64 pt_pages_count(void);

/*
 * Map device registers [pa, pa+len) uncached (PCD|PWT), NX, into the
 * kernel's MMIO window; NULL on failure (pa beyond MMIO_LIMIT_PA, no memory).
 * Mapping the same page twice is harmless and gives the same address.
 */
void *mmio_map(phys_addr_t pa, u64 len_bytes);

/*
 * Turn the 4 KiB page at kernel va (direct map or image) into a guard page:
 * any access faults and the oops says "stack overflow". Splits a large
 * direct-map page if needed. 0, -EINVAL (not a mapped kernel page) or
 * -ENOMEM. mmu_unguard_page restores the mapping. Flushes this CPU's TLB
 * only: do it before other CPUs can hold a translation of va.
 */
int mmu_guard_page(void *va);
int mmu_unguard_page(void *va);
/* True if va lies in a kernel guard page. */
bool mmu_is_guard(u64 va);

/* Drop this CPU's translation of one page. */
void tlb_flush_page(u64 va);
/* Drop every non-global translation on this CPU (the user half): a CR3 reload. */
void tlb_flush_user(void);
/* Drop every translation on this CPU, global (kernel) ones included. */
void tlb_flush_all(void);
static inline void mmu_switch(phys_addr_t root)
{
	__asm__ volatile("mov %0, %%cr3" ::"r"(root) : "memory");
}
