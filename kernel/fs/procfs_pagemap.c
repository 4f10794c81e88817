/*
 * The binary, positional procfs files (formats from Linux's pagemap.rst):
 *
 *   /proc/PID/pagemap  one u64 per virtual page, at offset vaddr / 4096 * 8:
 *                      bits 0-54 the PFN, 56 "exclusively mapped" (the
 *                      frame's mapcount is 1), 61 "file page or shared
 *                      anonymous", 63 present. A page without a frame is 0.
 *   /proc/kpagecount   one u64 per PFN: how many user PTEs map that frame.
 *   /proc/kpageflags   one u64 per PFN: KPF_* bits for what the frame is.
 *
 * A frame of a huge page (mm/thp.h) reads as Linux shows it: its own PFN
 * in pagemap, the huge page's mapcount in kpagecount and pagemap's
 * exclusive bit, and COMPOUND_HEAD or COMPOUND_TAIL plus THP (and
 * ZERO_PAGE for the huge zero page) in kpageflags.
 *
 * Nothing is snapshotted: each read computes the entries it returns. Offsets
 * and lengths must be multiples of 8 (EINVAL otherwise, as on Linux). Every
 * reader is root, so real PFNs are shown.
 */
#include <fs/procfs.h>
#include <mm/mm.h>
#include <mm/page.h>
#include <mm/thp.h>
#include <uapi/errno.h>

#define PM_PFN_MASK	    ((1ull << 55) - 1)
#define PM_MMAP_EXCLUSIVE   (1ull << 56)
#define PM_FILE_OR_SHARED   (1ull << 61)
#define PM_PRESENT	    (1ull << 63)
#define PAGEMAP_ENTRY_BYTES 8ul
#define PAGEMAP_END_VPN	    (USER_TOP >> PAGE_SHIFT) /* pagemap covers the user half */

/* KPF_* bit numbers of /proc/kpageflags. */
#define KPF_SLAB	  7
#define KPF_BUDDY	  10
#define KPF_MMAP	  11
#define KPF_ANON	  12
#define KPF_COMPOUND_HEAD 15
#define KPF_COMPOUND_TAIL 16
#define KPF_THP		  22
#define KPF_ZERO_PAGE	  24
#define KPF_PGTABLE	  26
#define KPF_RESERVED	  32

/* The pagemap entry of a PTE in VMA v. Caller holds mm->lock. */
static u64 pagemap_entry(const struct vma *v, pte_t e)
{
	if (!mm_pte_has_frame(e)) /* a PROT_NONE page keeps its frame: present, as on Linux */
		return 0;
	const struct page *pg = phys_to_page(pte_phys(e));
	u64 entry = PM_PRESENT | ((pte_phys(e) >> PAGE_SHIFT) & PM_PFN_MASK);
	u32 flags = READ_ONCE(pg->flags);
	if (flags & PG_ZERO)
		return entry; /* the zero page is nobody's: no other bits */
	if (thp_frame_mapcount(page_to_pfn(pg)) == 1)
		entry |= PM_MMAP_EXCLUSIVE;
	if ((flags & PG_FILE) || (v->flags & VM_SHARED))
		entry |= PM_FILE_OR_SHARED;
	return entry;
}

/* Walk the VMA list alongside the pages; a page in no VMA reads 0. Takes mm->lock. */
size_t procfs_pagemap_fill(struct mm *mm, u64 *buf, u64 off, size_t len)
{
	u64 vpn = off / PAGEMAP_ENTRY_BYTES;
	if (vpn >= PAGEMAP_END_VPN)
		return 0;
	size_t n = MIN(len / PAGEMAP_ENTRY_BYTES, PAGEMAP_END_VPN - vpn);
	spin_lock(&mm->lock);
	struct vma *v = vma_find_first(mm, vpn << PAGE_SHIFT);
	for (size_t i = 0; i < n; i++) {
		u64 va = (vpn + i) << PAGE_SHIFT;
		while (v && v->end <= va)
			v = vma_next(mm, v);
		buf[i] = v && va >= v->start ? pagemap_entry(v, mm_lookup_pte(mm, va)) : 0;
	}
	spin_unlock(&mm->lock);
	return n * PAGEMAP_ENTRY_BYTES;
}

static int procfs_binary_open(struct inode *inode, struct file *f)
{
	return procfs_file_open_check(inode, f);
}

/* A read of the process's current address space; a kernel thread or zombie has none. */
static ssize_t procfs_pagemap_read(struct file *f, void *buf, size_t len, u64 *pos)
{
	if ((*pos | len) % PAGEMAP_ENTRY_BYTES)
		return -EINVAL;
	struct mm *mm = procfs_task_mm(procfs_i(f->inode)->pid);
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	if (!mm)
		return 0;
	size_t n = procfs_pagemap_fill(mm, buf, *pos, len);
	mm_put(mm);
	*pos += n;
	return n;
}

/*
 * How many user mappings pfn has (a huge page's for its frames); 0 for a
 * free or reserved frame. Lock-free.
 */
static u64 kpagecount_entry(u64 pfn)
{
	const struct page *pg = pfn_to_page(pfn);
	bool is_head;
	if (READ_ONCE(pg->flags) & PG_RESERVED)
		return 0;
	if (!thp_frame_is_compound(pfn, &is_head) && page_refcount(pg) == 0)
		return 0;
	return MAX(thp_frame_mapcount(pfn), 0);
}

/* The compound-page bits of pfn: head or tail, and THP. */
static u64 kpageflags_compound(u64 pfn)
{
	bool is_head;
	if (!thp_frame_is_compound(pfn, &is_head))
		return 0;
	return (1ull << KPF_THP) | (1ull << (is_head ? KPF_COMPOUND_HEAD : KPF_COMPOUND_TAIL));
}

/* The KPF_* bits of pfn. Lock-free: a frame changing hands may show either owner. */
static u64 kpageflags_entry(u64 pfn)
{
	const struct page *pg = pfn_to_page(pfn);
	u32 flags = READ_ONCE(pg->flags);
	u64 kpf = 0;
	kpf |= (flags & PG_SLAB) ? 1ull << KPF_SLAB : 0;
	kpf |= (flags & PG_BUDDY) ? 1ull << KPF_BUDDY : 0;
	kpf |= (flags & PG_ANON) ? 1ull << KPF_ANON : 0;
	kpf |= (flags & PG_ZERO) ? 1ull << KPF_ZERO_PAGE : 0;
	kpf |= (flags & PG_PAGETABLE) ? 1ull << KPF_PGTABLE : 0;
	kpf |= (flags & PG_RESERVED) ? 1ull << KPF_RESERVED : 0;
	kpf |= kpagecount_entry(pfn) ? 1ull << KPF_MMAP : 0;
	kpf |= kpageflags_compound(pfn);
	return kpf;
}

/* One u64 per PFN from *pos on, up to the end of the frame map. */
static ssize_t procfs_kpage_read(void *buf, size_t len, u64 *pos, u64 (*entry)(u64 pfn))
{
	if ((*pos | len) % PAGEMAP_ENTRY_BYTES)
		return -EINVAL;
	u64 pfn = *pos / PAGEMAP_ENTRY_BYTES, *out = buf;
	if (pfn >= frame_max_pfn)
		return 0;
	size_t n = MIN(len / PAGEMAP_ENTRY_BYTES, frame_max_pfn - pfn);
	for (size_t i = 0; i < n; i++)
		out[i] = entry(pfn + i);
	*pos += n * PAGEMAP_ENTRY_BYTES;
	return n * PAGEMAP_ENTRY_BYTES;
}

static ssize_t procfs_kpagecount_read(struct file *f, void *buf, size_t len, u64 *pos)
{
	(void)f;
	return procfs_kpage_read(buf, len, pos, kpagecount_entry);
}

static ssize_t procfs_kpageflags_read(struct file *f, void *buf, size_t len, u64 *pos)
{
	(void)f;
	return procfs_kpage_read(buf, len, pos, kpageflags_entry);
}

const struct file_operations procfs_pagemap_fops = {
	.open = procfs_binary_open,
	.read = procfs_pagemap_read,
	.llseek = procfs_llseek,
};

const struct file_operations procfs_kpagecount_fops = {
	.open = procfs_binary_open,
	.read = procfs_kpagecount_read,
	.llseek = procfs_llseek,
};

const struct file_operations procfs_kpageflags_fops = {
	.open = procfs_binary_open,
	.read = procfs_kpageflags_read,
	.llseek = procfs_llseek,
};
