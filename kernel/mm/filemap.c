/*
 * The page cache and the fault path of file mappings (include/mm/filemap.h
 * explains what is shared with whom, and the lock order).
 */
#include <fs/ramfs.h>
#include <fs/vfs.h>
#include <lib/printk.h>
#include <lib/string.h>
#include <mm/filemap.h>
#include <mm/mm.h>
#include <mm/page.h>
#include <mm/vmstat.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>

/* Linux's MAX_LFS_FILESIZE: a file mapping may not reach beyond it. */
#define FILEMAP_MAX_BYTES (~0ul >> 1)

struct page *filemap_find_or_create_locked(struct inode *inode, u64 index)
{
	struct page *pg = page_array_lookup(&inode->pages, index);
	if (pg)
		return pg;
	if (!(pg = frame_alloc(0, GFP_ZERO)))
		return NULL;
	pg->flags |= PG_FILE;
	pg->owner = inode;
	pg->index = index;
	if (page_array_insert(&inode->pages, index, pg)) {
		page_put(pg);
		return NULL;
	}
	return pg;
}

/*
 * The size check and the lookup happen under one hold of inode->lock, so a
 * racing truncate either comes first (SIGBUS) or finds the page already
 * referenced by us (it stays valid, orphaned, until we drop it).
 */
int filemap_get_page(struct inode *inode, u64 index, struct page **out)
{
	int r = 0;
	spin_lock(&inode->lock);
	u64 npages = (inode->size_bytes + PAGE_SIZE - 1) >> PAGE_SHIFT;
	struct page *pg = NULL;
	if (index >= npages)
		r = -ENXIO;
	else if (!(pg = filemap_find_or_create_locked(inode, index)))
		r = -ENOMEM;
	else
		page_get(pg);
	spin_unlock(&inode->lock);
	*out = pg;
	return r;
}

/*
 * A write fault on a page a private mapping has never touched: the copy
 * the copy-on-write path would make on the next fault is made right away,
 * into an anonymous frame only this PTE will reference. The page-cache
 * reference is dropped once the copy exists. Caller holds mm->lock.
 */
static enum fault_result filemap_fault_copy(struct mm *mm, struct vma *v, u64 va, struct page *src)
{
	struct page *np = frame_alloc(0, GFP_KERNEL);
	enum fault_result r = FAULT_OOM;
	if (np) {
		copy_page(page_to_virt(np), page_to_virt(src));
		np->flags |= PG_ANON;
		v->flags |= VM_ANON_PAGES; /* fork must now copy this VMA's PTEs (cow.c) */
		if (!mm_install_page(mm, va, np, vma_pte_flags(v)))
			r = FAULT_HANDLED;
		else
			page_put(np);
	}
	page_put(src);
	return r;
}

enum fault_result filemap_fault(struct mm *mm, struct vma *v, u64 va, bool is_write)
{
	struct page *pg;
	int r = filemap_get_page(v->file->inode, vma_pgoff_of(v, va), &pg);
	if (r == -ENXIO)
		vm_event_inc(VM_PGFAULT_SIGBUS);
	if (r)
		return r == -ENXIO ? FAULT_SIGBUS : FAULT_OOM;
	vm_event_inc(VM_PGFAULT_FILE);
	bool is_shared = v->flags & VM_SHARED;
	if (is_write && !is_shared)
		return filemap_fault_copy(mm, v, va, pg);
	/* Private: read-only, so the first write faults and copies (cow.c). */
	u64 flags = vma_pte_flags(v) & (is_shared ? ~0ul : ~PTE_W);
	if (mm_install_page(mm, va, pg, flags)) {
		page_put(pg);
		return FAULT_OOM;
	}
	return FAULT_HANDLED;
}

/* /dev/zero: Linux maps it as anonymous memory (shared: shmem). */
static bool filemap_is_dev_zero(const struct inode *inode)
{
	return S_ISCHR(inode->mode) && inode->rdev == makedev(1, 5);
}

/*
 * Linux's rules and order: an O_PATH descriptor is no descriptor at all;
 * a shared writable mapping needs a file opened for writing, any mapping
 * one opened for reading; only regular files (and /dev/zero) have pages.
 */
int filemap_check_map(struct file *file, int prot, int flags, u64 off, u64 len, u32 *vm_flags)
{
	bool is_shared = (flags & MAP_TYPE) != MAP_PRIVATE;
	if (READ_ONCE(file->flags) & O_PATH)
		return -EBADF;
	if (off > FILEMAP_MAX_BYTES - len)
		return -EOVERFLOW;
	if (is_shared && (prot & PROT_WRITE) && !file_is_writable(file))
		return -EACCES;
	if (!file_is_readable(file))
		return -EACCES;
	if (filemap_is_dev_zero(file->inode))
		return 1;
	if (!S_ISREG(file->inode->mode) || file->inode->fops != &ramfs_file_fops)
		return -ENODEV; /* only ramfs files have a page cache (not /proc's) */
	if (is_shared && !file_is_writable(file))
		*vm_flags |= VM_WRITE_DENIED;
	return 0;
}
