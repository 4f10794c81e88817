/*
 * The page cache and file mappings.
 *
 * A regular file's data pages (inode->pages: one struct page per 4 KiB,
 * PG_FILE, owner = inode, index = page number) are the only copy of its
 * contents. read() and write() copy through them, and mmap maps these very
 * frames: a MAP_SHARED mapping writes straight into the file, and every
 * mapper, in any process, sees every other's writes and the file's. A
 * MAP_PRIVATE mapping maps them read-only and copies a page on its first
 * write (the copy-on-write fault path), so the file never changes.
 *
 * Shared anonymous memory (MAP_SHARED|MAP_ANONYMOUS) is a file too: an
 * unlinked ramfs inode made by shmem_file_create, so pages faulted in after
 * a fork are shared just like a file's.
 *
 * Locking: a page is looked up or created under inode->lock (rank VFS+1),
 * which the fault path takes inside mm->lock (rank MM): MM < VFS+1.
 * Holders of inode->lock never take mm->lock (read() and write() copy to
 * and from user memory through kernel buffers, outside it).
 */
#pragma once
#include <hooks.h>
#include <types.h>

struct file;
struct inode;
struct mm;
struct page;
struct vma;

/*
 * The page at index of regular file inode, allocating a zero-filled one
 * for a hole; no reference is taken (the page array holds one). NULL when
 * out of memory. Caller holds inode->lock.
 */
struct page *filemap_find_or_create_locked(struct inode *inode, u64 index);
/*
 * The page at index with a reference for the caller, created for a hole.
 * 0, -ENXIO if index lies wholly beyond end of file (SIGBUS for a
 * mapping), or -ENOMEM. Takes inode->lock.
 */
int filemap_get_page(struct inode *inode, u64 index, struct page **out);
/*
 * First touch of page-aligned va in file-backed v (PTE empty): map its
 * page-cache page, writable only in a shared mapping; a write to a private
 * mapping gets a private copy at once. FAULT_HANDLED, FAULT_SIGBUS beyond
 * end of file, FAULT_OOM. Caller holds mm->lock.
 */
enum fault_result filemap_fault(struct mm *mm, struct vma *v, u64 va, bool is_write);
/*
 * mmap's checks on file: 0 if it may be mapped with prot and flags (adding
 * VM_WRITE_DENIED to *vm_flags where mprotect must refuse write later),
 * 1 if it is /dev/zero (which maps as anonymous memory), or -EBADF,
 * -EACCES, -ENODEV, -EOVERFLOW.
 */
int filemap_check_map(struct file *file, int prot, int flags, u64 off, u64 len, u32 *vm_flags);

/*
 * A new unlinked, read-write shmem file of len_bytes (zero-filled on
 * demand) backing a MAP_SHARED|MAP_ANONYMOUS mapping, or an ERR_PTR.
 */
struct file *shmem_file_create(u64 len_bytes);
