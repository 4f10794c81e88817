/*
 * pt_copy_range(): walk the source page tables level by level, skipping
 * empty subtrees, and hand each present leaf entry (4 KiB PTE or 2 MiB
 * large-page PD entry) to the caller's callback. Destination leaf tables are found (or created)
 * once per source leaf table through pt_walk(), so a 2 MiB region costs one walk.
 */
#include <arch/ptcopy.h>
#include <mm/layout.h>
#include <uapi/errno.h>

#define PT_ENTRIES 512

struct ptcopy {
	phys_addr_t dst_root;
	u64 start, end;
	const struct ptcopy_ops *ops;
	void *arg;
};

static pte_t *pt_table(pte_t e)
{
	return phys_to_virt(pte_phys(e));
}

/* Index of va at a level whose entries each cover 2^shift bytes. */
static unsigned pt_index(u64 va, unsigned shift)
{
	return (va >> shift) & (PT_ENTRIES - 1);
}

/* One leaf table: the 512 PTEs covering the 2 MiB at base. */
static int ptcopy_pte_range(struct ptcopy *c, pte_t *src, u64 base)
{
	pte_t *dst = NULL;
	u64 lo = MAX(c->start, base), hi = MIN(c->end, base + (1ul << 21));
	for (u64 va = lo; va < hi; va += PAGE_SIZE) {
		pte_t *s = &src[pt_index(va, 12)];
		if (!*s) /* non-present but non-zero entries (PROT_NONE pages) are copied too */
			continue;
		if (!dst) {
			dst = pt_walk(c->dst_root, va, true);
			if (!dst)
				return -ENOMEM;
			dst -= pt_index(va, 12); /* the start of the destination table */
		}
		pte_t e = c->ops->pte(c->arg, va, s);
		if (e)
			dst[pt_index(va, 12)] = e;
	}
	return 0;
}

/*
 * A 2 MiB large page: one PD entry in the destination, whose value the
 * caller decides. It must lie wholly in the range: half a large page cannot
 * be copied.
 */
static int ptcopy_huge(struct ptcopy *c, pte_t *src, u64 va)
{
	if (!IS_ALIGNED(va, 1ul << 21) || c->end - va < (1ul << 21))
		return -EINVAL;
	pte_t *dst = pt_walk_pmd(c->dst_root, va, true);
	if (!dst)
		return -ENOMEM;
	pte_t e = c->ops->huge(c->arg, va, src);
	if (e)
		*dst = e;
	return 0;
}

/* Generic middle level: recurse into each present entry overlapping the range. */
static int ptcopy_level(struct ptcopy *c, pte_t *table, u64 base, unsigned shift)
{
	u64 span = 1ul << shift;
	u64 lo = MAX(c->start, base), hi = MIN(c->end, base + span * PT_ENTRIES);
	for (u64 va = lo; va < hi; va = ALIGN_DOWN(va, span) + span) {
		pte_t *e = &table[pt_index(va, shift)];
		if (shift == 21 && pt_is_huge(*e)) {
			int r = ptcopy_huge(c, e, va);
			if (r)
				return r;
			continue;
		}
		if (!pte_present(*e) || (*e & PTE_PS))
			continue;
		u64 child_base = ALIGN_DOWN(va, span);
		int r = shift == 21 ? ptcopy_pte_range(c, pt_table(*e), child_base)
				    : ptcopy_level(c, pt_table(*e), child_base, shift - 9);
		if (r)
			return r;
	}
	return 0;
}

int pt_copy_range(phys_addr_t src_root, phys_addr_t dst_root, u64 start, u64 end,
		  const struct ptcopy_ops *ops, void *arg)
{
	struct ptcopy c = { dst_root, start, end, ops, arg };
	if (start >= end || end > USER_TOP)
		return start == end ? 0 : -EINVAL;
	return ptcopy_level(&c, phys_to_virt(src_root), 0, 39);
}
