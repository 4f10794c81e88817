/*
 * Page tables: the kernel's own (built once by mmu_init) and the bit
 * flipping mm/ uses on user halves. See include/arch/mmu.h for the
 * contract; in short, nothing here flushes a TLB for a caller and nothing
 * here decides what a user mapping means.
 *
 * Levels are numbered from the leaf: 0 = PT (4 KiB pages), 1 = PD (2 MiB),
 * 2 = PDPT (1 GiB), 3 = PML4.
 *
 * Locking: the user half of a root belongs to its owner's lock (mm->lock).
 * The kernel half is written only by mmu_init (one CPU, before any other
 * runs) and afterwards under mmu_kernel_lock (mmio_map, guard pages). Its
 * PML4 entries are frozen once mmu_init is done, so every root can copy
 * them once and share everything below.
 */
#include <arch/bootinfo.h>
#include <arch/cpu.h>
#include <arch/mmu.h>
#include <lib/atomic.h>
#include <lib/printk.h>
#include <lib/spinlock.h>
#include <lib/string.h>
#include <mm/layout.h>
#include <mm/page.h>
#include <uapi/errno.h>

#define PT_ENTRIES	512
#define PT_KERNEL_FIRST 256		     /* first PML4 slot of the kernel half */
#define KERNEL_HALF	0xffff800000000000ul /* lowest canonical kernel address */
#define USER_HALF_END	0x0000800000000000ul /* one past the highest canonical user address */
#define DIRECT_MAP_END	MMIO_BASE	     /* the direct map must stay below the MMIO window */
#define PTE_KGUARD	PTE_SW3		     /* non-present kernel PTE: a guard page */

#define CR0_MP		    (1ul << 1)
#define CR0_EM		    (1ul << 2)
#define CR0_TS		    (1ul << 3)
#define CPUID_EXT_1GB_PAGES (1u << 26) /* 0x80000001 EDX */
#define CPUID_7_SMEP	    (1u << 7)  /* leaf 7 EBX */
#define CPUID_7_SMAP	    (1u << 20) /* leaf 7 EBX */

/* Direct-map rights: RAM is data, never code; the alias of kernel text/rodata is read-only. */
#define DIRECT_RW  (PTE_W | PTE_NX | PTE_G)
#define DIRECT_RO  (PTE_NX | PTE_G)
#define MMIO_FLAGS (PTE_W | PTE_PCD | PTE_PWT | PTE_NX | PTE_G)

phys_addr_t kernel_root;

/* Guards kernel-half tables after boot. Ranked just below FRAME: frame_alloc runs under it. */
static struct spinlock mmu_kernel_lock = SPINLOCK_INIT("mmu_kernel", LOCK_RANK_FRAME - 1);
static atomic64_t pt_user_pages; /* page-table pages of user halves, roots included */
static bool kernel_pml4_frozen;	 /* set once mmu_init has built the kernel half */
static bool has_1g_pages;

static inline unsigned pt_index(u64 va, int level)
{
	return (va >> (PAGE_SHIFT + 9 * level)) & (PT_ENTRIES - 1);
}

static inline pte_t *pt_table(phys_addr_t pa)
{
	return phys_to_virt(pa);
}

/* Bytes one entry at level maps: 4 KiB, 2 MiB, 1 GiB, 512 GiB. */
static inline u64 pt_level_bytes(int level)
{
	return PAGE_SIZE << (9 * level);
}

static inline bool va_is_canonical(u64 va)
{
	return va < USER_HALF_END || va >= KERNEL_HALF;
}

/* --- table pages -------------------------------------------------------------- */

/* A zeroed page-table page, or 0 on OOM. User-half tables are counted for PageTables. */
static phys_addr_t pt_alloc_table(bool user)
{
	struct page *p = frame_alloc(0, GFP_ZERO);
	if (!p)
		return 0;
	p->flags |= PG_PAGETABLE;
	if (user)
		atomic64_inc(&pt_user_pages);
	return page_to_phys(p);
}

static void pt_free_table(phys_addr_t pa, bool user)
{
	struct page *p = phys_to_page(pa);
	p->flags &= ~PG_PAGETABLE;
	if (user)
		atomic64_add_return(&pt_user_pages, -1);
	frame_free(p, 0);
}

/*
 * A table page remembers the span of its slots that were ever given a
 * child table, in its struct page's index (bits 0-15 the first slot,
 * 16-31 one past the last; 0 if none), so that teardown scans that span
 * instead of all 512 slots. Tables are freed only with their root, so the
 * span only grows. Caller holds the lock that guards the table.
 */
static void pt_note_child(pte_t *slot)
{
	struct page *p = virt_to_page(slot);
	u64 i = ((u64)slot & (PAGE_SIZE - 1)) / sizeof(pte_t);
	u64 lo = p->index & 0xffff, hi = (p->index >> 16) & 0xffff;
	p->index = hi ? MIN(lo, i) | MAX(hi, i + 1) << 16 : i | (i + 1) << 16;
}

/* The slots [*lo, *hi) of the table at pa that may hold child tables. */
static void pt_child_span(phys_addr_t pa, unsigned *lo, unsigned *hi)
{
	u64 index = phys_to_page(pa)->index;
	*lo = index & 0xffff;
	*hi = (index >> 16) & 0xffff;
}

/*
 * Hang a fresh table under the empty entry e (at level, on the way to va).
 * User-half tables are P|W|U so the leaf alone decides the rights. Refuses a
 * new kernel-half PML4 entry once they are frozen: other roots would never
 * see it. Returns false on refusal or OOM.
 */
static bool pt_install_table(pte_t *e, u64 va, int level)
{
	bool user = va < USER_HALF_END;
	if (!user && level == 3 && kernel_pml4_frozen) {
		printk("mmu: refusing a new kernel PML4 entry for %#lx after boot\n", va);
		return false;
	}
	phys_addr_t t = pt_alloc_table(user);
	if (!t)
		return false;
	pt_note_child(e);
	WRITE_ONCE(*e, t | PTE_P | PTE_W | (user ? PTE_U : 0));
	return true;
}

/*
 * The entry for va at level under root, creating missing tables if create.
 * NULL if a table is missing (or cannot be allocated), or if a large page
 * maps va above level.
 */
static pte_t *pt_entry(phys_addr_t root, u64 va, int level, bool create)
{
	pte_t *table = pt_table(root);
	for (int l = 3; l > level; l--) {
		pte_t *e = &table[pt_index(va, l)];
		if (!pte_present(*e) && (!create || !pt_install_table(e, va, l)))
			return NULL;
		if (*e & PTE_PS)
			return NULL;
		table = pt_table(pte_phys(*e));
	}
	return &table[pt_index(va, level)];
}

/* --- user halves ---------------------------------------------------------------- */

phys_addr_t pt_root_alloc(void)
{
	phys_addr_t root = pt_alloc_table(true);
	if (!root)
		return 0;
	memcpy(pt_table(root) + PT_KERNEL_FIRST, pt_table(kernel_root) + PT_KERNEL_FIRST,
	       (PT_ENTRIES - PT_KERNEL_FIRST) * sizeof(pte_t));
	return root;
}

/*
 * Free the table at pa (level) and every table below it; leaf frames are
 * not touched. Only the span of slots that ever held a table is looked at.
 */
static void pt_free_level(phys_addr_t pa, int level)
{
	pte_t *t = pt_table(pa);
	unsigned lo, hi;
	pt_child_span(pa, &lo, &hi);
	for (unsigned i = lo; level > 0 && i < hi; i++)
		if (pte_present(t[i]) && !(t[i] & PTE_PS))
			pt_free_level(pte_phys(t[i]), level - 1);
	pt_free_table(pa, true);
}

void pt_root_free(phys_addr_t root)
{
	if (!root || root == kernel_root) {
		printk("mmu: pt_root_free(%#lx): not a user root, ignored\n", root);
		return;
	}
	if ((read_cr3() & PTE_ADDR_MASK) == root) {
		printk("mmu: pt_root_free(%#lx): root still loaded, switching away\n", root);
		mmu_switch(kernel_root);
	}
	pte_t *pml4 = pt_table(root);
	unsigned lo, hi;
	pt_child_span(root, &lo, &hi);
	for (unsigned i = lo; i < MIN(hi, PT_KERNEL_FIRST); i++)
		if (pte_present(pml4[i]))
			pt_free_level(pte_phys(pml4[i]), 2);
	pt_free_table(root, true);
}

pte_t *pt_walk(phys_addr_t root, u64 va, bool create)
{
	if (va >= USER_TOP)
		return NULL;
	return pt_entry(root, va, 0, create);
}

pte_t *pt_walk_pmd(phys_addr_t root, u64 va, bool create)
{
	if (va >= USER_TOP)
		return NULL;
	return pt_entry(root, va, 1, create);
}

pte_t *pt_table_alloc(void)
{
	phys_addr_t t = pt_alloc_table(true);
	return t ? pt_table(t) : NULL;
}

/* User-half tables are P|W|U, as pt_install_table makes them: the leaf decides. */
void pt_table_install(pte_t *slot, pte_t *table)
{
	pt_note_child(slot);
	WRITE_ONCE(*slot, virt_to_phys(table) | PTE_P | PTE_W | PTE_U);
}

int pt_map(phys_addr_t root, u64 va, phys_addr_t pa, u64 flags)
{
	if (va >= USER_TOP || !IS_ALIGNED(va, PAGE_SIZE) || (pa & ~PTE_ADDR_MASK) ||
	    (flags & (PTE_ADDR_MASK | PTE_PS)))
		return -EINVAL;
	pte_t *e = pt_walk(root, va, true);
	if (!e)
		return -ENOMEM;
	WRITE_ONCE(*e, pa | flags | PTE_P);
	return 0;
}

pte_t pt_unmap(phys_addr_t root, u64 va)
{
	pte_t *e = pt_walk(root, va, false);
	return e ? __atomic_exchange_n(e, 0, __ATOMIC_SEQ_CST) : 0;
}

pte_t pt_protect(phys_addr_t root, u64 va, u64 set, u64 clear)
{
	pte_t *e = pt_walk(root, va, false);
	if (!e)
		return 0;
	set &= ~PTE_ADDR_MASK;
	clear &= ~PTE_ADDR_MASK;
	pte_t old = READ_ONCE(*e);
	do {
		if (!pte_present(old))
			return 0;
	} while (!__atomic_compare_exchange_n(e, &old, (old & ~clear) | set, false,
					      __ATOMIC_SEQ_CST, __ATOMIC_RELAXED));
	return old;
}

pte_t pt_lookup(phys_addr_t root, u64 va, u64 *page_bytes)
{
	pte_t *table = pt_table(root);
	if (!root || !va_is_canonical(va))
		return 0;
	for (int l = 3;; l--) {
		pte_t e = READ_ONCE(table[pt_index(va, l)]);
		bool leaf = l == 0 || (l < 3 && (e & PTE_PS) && pte_present(e));
		if (leaf && page_bytes)
			*page_bytes = pt_level_bytes(l);
		if (leaf)
			return e;
		if (!pte_present(e))
			return 0;
		table = pt_table(pte_phys(e));
	}
}

u64 pt_pages_count(void)
{
	return atomic64_read(&pt_user_pages);
}

/* --- the kernel half ------------------------------------------------------------- */

/* The largest page level (up to max_level) that maps va -> pa within len bytes. */
static int kmap_pick_level(u64 va, phys_addr_t pa, u64 len, int max_level)
{
	for (int l = max_level; l > 0; l--)
		if (IS_ALIGNED(va | pa, pt_level_bytes(l)) && len >= pt_level_bytes(l))
			return l;
	return 0;
}

/*
 * Map kernel [va, va+len) to [pa, pa+len) with flags, in the largest pages
 * max_level allows. Page aligned. Caller is mmu_init or holds mmu_kernel_lock.
 */
static int kmap_range(u64 va, phys_addr_t pa, u64 len, u64 flags, int max_level)
{
	while (len) {
		int level = kmap_pick_level(va, pa, len, max_level);
		pte_t *e = pt_entry(kernel_root, va, level, true);
		if (!e)
			return -ENOMEM;
		WRITE_ONCE(*e, pa | flags | PTE_P | (level ? PTE_PS : 0));
		va += pt_level_bytes(level);
		pa += pt_level_bytes(level);
		len -= pt_level_bytes(level);
	}
	return 0;
}

/* Direct-map RAM [start, end) (page aligned) with flags; boot cannot go on without it. */
static void mmu_map_direct_piece(u64 start, u64 end, u64 flags)
{
	if (start >= end)
		return;
	if (kmap_range(DIRECT_MAP_BASE + start, start, end - start, flags, has_1g_pages ? 2 : 1))
		panic("mmu: out of memory building the direct map");
}

/*
 * Direct-map one RAM range. The part aliasing the kernel's text and rodata
 * is mapped read-only, so a stray write through the direct map cannot
 * patch kernel code either.
 */
static void mmu_map_direct_range(const struct boot_range *r)
{
	u64 start = ALIGN_UP(r->start, PAGE_SIZE);
	u64 end = ALIGN_DOWN(r->start + r->len_bytes, PAGE_SIZE);
	u64 ro_lo = virt_to_phys(_text_start), ro_hi = virt_to_phys(_rodata_end);
	if (end > DIRECT_MAP_END - DIRECT_MAP_BASE) {
		printk("mmu: RAM above %#lx does not fit the direct map; ignored\n",
		       DIRECT_MAP_END - DIRECT_MAP_BASE);
		end = DIRECT_MAP_END - DIRECT_MAP_BASE;
	}
	mmu_map_direct_piece(start, MIN(end, ro_lo), DIRECT_RW);
	mmu_map_direct_piece(MAX(start, ro_lo), MIN(end, ro_hi), DIRECT_RO);
	mmu_map_direct_piece(MAX(start, ro_hi), end, DIRECT_RW);
}

/* Map one section of the kernel image at its link address with 4 KiB pages. */
static void mmu_map_image_part(const char *start, const char *end, u64 flags)
{
	u64 va = (u64)start, len = ALIGN_UP((u64)end, PAGE_SIZE) - va;
	if (kmap_range(va, virt_to_phys(start), len, flags, 0))
		panic("mmu: out of memory mapping the kernel image");
}

/* The PML4 slot of the MMIO window gets its PDPT now, while kernel PML4 entries may still change.
 */
static void mmu_prealloc_mmio(void)
{
	if (!pt_entry(kernel_root, MMIO_BASE, 2, true))
		panic("mmu: out of memory for the MMIO window");
}

static void mmu_detect_features(void)
{
	u32 a, b, c, d;
	cpuid(0x80000000, 0, &a, &b, &c, &d);
	if (a >= 0x80000001) {
		cpuid(0x80000001, 0, &a, &b, &c, &d);
		has_1g_pages = d & CPUID_EXT_1GB_PAGES;
	}
}

void mmu_init(void)
{
	mmu_detect_features();
	kernel_root = pt_alloc_table(false);
	if (!kernel_root)
		panic("mmu: no memory for the kernel page tables");
	for (int i = 0; i < boot_info.nram; i++)
		mmu_map_direct_range(&boot_info.ram[i]);
	mmu_map_image_part(_text_start, _text_end, PTE_G);
	mmu_map_image_part(_rodata_start, _rodata_end, PTE_G | PTE_NX);
	mmu_map_image_part(_data_start, _kernel_end, PTE_G | PTE_NX | PTE_W);
	mmu_prealloc_mmio();
	kernel_pml4_frozen = true;
	mmu_init_cpu();
	printk("mmu: direct map in %s pages, kernel image %lu KiB, cr4 %#lx\n",
	       has_1g_pages ? "1 GiB" : "2 MiB", ((u64)_kernel_end - (u64)_text_start) >> 10,
	       read_cr4());
}

/* SMEP/SMAP bits this CPU supports (CPUID leaf 7), for CR4. */
static u64 mmu_cr4_protection_bits(void)
{
	u32 a, b, c, d;
	u64 bits = 0;
	cpuid(0, 0, &a, &b, &c, &d);
	if (a < 7)
		return 0;
	cpuid(7, 0, &a, &b, &c, &d);
	if (b & CPUID_7_SMEP)
		bits |= CR4_SMEP;
	if (b & CPUID_7_SMAP)
		bits |= CR4_SMAP;
	return bits;
}

/*
 * CR0: WP (the kernel honours read-only PTEs, which copy-on-write needs),
 * MP without EM/TS (user SSE runs without faulting). CR3 before CR4: global
 * pages only become sticky once PGE is on, by which time the new tables are
 * live.
 */
void mmu_init_cpu(void)
{
	write_cr0((read_cr0() | CR0_WP | CR0_MP) & ~(CR0_EM | CR0_TS));
	mmu_switch(kernel_root);
	write_cr4(read_cr4() | CR4_PGE | CR4_OSFXSR | CR4_OSXMMEXCPT | mmu_cr4_protection_bits());
}

void *mmio_map(phys_addr_t pa, u64 len_bytes)
{
	if (!kernel_root || !len_bytes || pa + len_bytes < pa || pa + len_bytes > MMIO_LIMIT_PA)
		return NULL;
	u64 start = ALIGN_DOWN(pa, PAGE_SIZE), end = ALIGN_UP(pa + len_bytes, PAGE_SIZE);
	spin_lock(&mmu_kernel_lock);
	int r = kmap_range(MMIO_BASE + start, start, end - start, MMIO_FLAGS, 0);
	spin_unlock(&mmu_kernel_lock);
	return r ? NULL : (void *)(MMIO_BASE + pa);
}

/* --- guard pages ---------------------------------------------------------------- */

/*
 * Replace the large page in *e (at level) by a table of 512 pages one level
 * down with the same rights, so one of them can change. The translation of
 * every address stays the same, so no flush is needed for correctness.
 * Caller holds mmu_kernel_lock.
 */
static bool kmap_split(pte_t *e, int level)
{
	phys_addr_t t = pt_alloc_table(false);
	if (!t)
		return false;
	pte_t *table = pt_table(t);
	u64 flags = *e & ~PTE_ADDR_MASK & ~(level == 1 ? PTE_PS : 0);
	for (int i = 0; i < PT_ENTRIES; i++)
		table[i] = (pte_phys(*e) + i * pt_level_bytes(level - 1)) | flags;
	WRITE_ONCE(*e, t | PTE_P | PTE_W);
	return true;
}

/* The 4 KiB PTE for kernel va, splitting large pages on the way; NULL if unmapped or OOM. */
static pte_t *kmap_pte_4k(u64 va)
{
	for (int level = 2; level >= 1; level--) {
		pte_t *e = pt_entry(kernel_root, va, level, false);
		if (!e || !pte_present(*e))
			return NULL;
		if ((*e & PTE_PS) && !kmap_split(e, level))
			return NULL;
	}
	return pt_entry(kernel_root, va, 0, false);
}

int mmu_guard_page(void *va)
{
	u64 a = (u64)va;
	if (!IS_ALIGNED(a, PAGE_SIZE) || a < KERNEL_HALF || !kernel_root)
		return -EINVAL;
	spin_lock(&mmu_kernel_lock);
	pte_t *e = kmap_pte_4k(a);
	int r = !e ? -ENOMEM : !pte_present(*e) ? -EINVAL : 0;
	if (!r)
		WRITE_ONCE(*e, (*e & ~PTE_P) | PTE_KGUARD);
	spin_unlock(&mmu_kernel_lock);
	tlb_flush_page(a);
	return r;
}

int mmu_unguard_page(void *va)
{
	u64 a = (u64)va;
	if (!IS_ALIGNED(a, PAGE_SIZE) || a < KERNEL_HALF || !kernel_root)
		return -EINVAL;
	spin_lock(&mmu_kernel_lock);
	pte_t *e = pt_entry(kernel_root, a, 0, false);
	int r = (e && (*e & (PTE_P | PTE_KGUARD)) == PTE_KGUARD) ? 0 : -EINVAL;
	if (!r)
		WRITE_ONCE(*e, (*e & ~PTE_KGUARD) | PTE_P);
	spin_unlock(&mmu_kernel_lock);
	return r;
}

bool mmu_is_guard(u64 va)
{
	u64 bytes = 0;
	if (!kernel_root || va < KERNEL_HALF)
		return false;
	pte_t e = pt_lookup(kernel_root, va, &bytes);
	return bytes == PAGE_SIZE && !pte_present(e) && (e & PTE_KGUARD);
}

/* --- TLB -------------------------------------------------------------------------- */

void tlb_flush_page(u64 va)
{
	__asm__ volatile("invlpg (%0)" ::"r"(va) : "memory");
}

void tlb_flush_user(void)
{
	mmu_switch(read_cr3());
}

/* Toggling CR4.PGE drops global entries too; interrupts off so nothing runs between. */
void tlb_flush_all(void)
{
	bool was_enabled = irq_is_enabled();
	irq_disable();
	u64 cr4 = read_cr4();
	if (cr4 & CR4_PGE) {
		write_cr4(cr4 & ~CR4_PGE);
		write_cr4(cr4);
	} else {
		mmu_switch(read_cr3());
	}
	if (was_enabled)
		irq_enable();
}
