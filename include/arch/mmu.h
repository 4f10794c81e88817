/*
 * x86-64 4-level page tables: bit flipping only. Which bits mean what for
 * user memory (e.g. which software bit marks copy-on-write) is mm/'s policy.
 *
 * Every address space's PML4 shares the kernel half (entries 256-511),
 * allocated once at boot, so kernel mappings never need syncing.
 *
 * Locking: callers hold the owning address space's lock while changing its
 * user half. TLB: the pt_* helpers do NOT flush; callers flush (tlb_flush_page
 * or tlb_flush_all) after changing a present PTE, because only they know
 * whether a batch of changes can share one flush and which CPUs need it.
 */
#pragma once
#include <types.h>

typedef u64 pte_t;

#define PTE_P    (1ul << 0)
#define PTE_W    (1ul << 1)
#define PTE_U    (1ul << 2)
#define PTE_PWT  (1ul << 3)
#define PTE_PCD  (1ul << 4)
#define PTE_A    (1ul << 5)
#define PTE_D    (1ul << 6)
#define PTE_PS   (1ul << 7)
#define PTE_G    (1ul << 8)
#define PTE_SW1  (1ul << 9)  /* available to software */
#define PTE_SW2  (1ul << 10) /* available to software */
#define PTE_SW3  (1ul << 11) /* available to software */
#define PTE_NX   (1ul << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ul

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
/* New PML4 sharing the kernel half; 0 on OOM. */
phys_addr_t pt_root_alloc(void);
/* Free the user half's page-table pages (not the frames they map) and the root. */
void pt_root_free(phys_addr_t root);
/* Leaf PTE slot for va; with create, allocates missing tables (NULL on OOM), else NULL if absent. */
pte_t *pt_walk(phys_addr_t root, u64 va, bool create);
/* Map va -> pa with flags (PTE_P is added). -ENOMEM if a table cannot be allocated. */
int pt_map(phys_addr_t root, u64 va, phys_addr_t pa, u64 flags);
/* Clear va's PTE, returning the old value (0 if none). */
pte_t pt_unmap(phys_addr_t root, u64 va);
/* Set and clear flag bits of a present PTE; returns the old value, 0 if not present. */
pte_t pt_protect(phys_addr_t root, u64 va, u64 set, u64 clear);
/* Page-table pages (all levels) currently allocated for user halves (/proc/meminfo PageTables). */
u64 pt_pages_count(void);

/* Map device registers [pa, pa+len) uncached into the kernel's MMIO window; NULL on failure. */
void *mmio_map(phys_addr_t pa, u64 len_bytes);

void tlb_flush_page(u64 va);
void tlb_flush_all(void);
static inline void mmu_switch(phys_addr_t root)
{
	__asm__ volatile("mov %0, %%cr3" ::"r"(root) : "memory");
}
