/*
 * ramfs regular files: data lives in whole pages in inode->pages, a hole
 * reads as zeros. Invariant: every byte of a stored page beyond size_bytes
 * is zero (pages start zeroed and shrinking zeroes the cut-off tail), so
 * growing a file never exposes old data. inode->lock guards pages, size
 * and timestamps; callers pass kernel buffers only.
 */
#include <fs/ramfs.h>
#include <lib/string.h>
#include <mm/filemap.h>
#include <mm/page.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>

/* Copy from the file into buf; holes give zeros. Caller holds inode->lock. */
static void ramfs_copy_out(struct inode *inode, void *buf, size_t len, u64 pos)
{
	char *dst = buf;
	while (len) {
		size_t off = pos % PAGE_SIZE, n = MIN(len, PAGE_SIZE - off);
		struct page *pg = page_array_lookup(&inode->pages, pos / PAGE_SIZE);
		if (pg)
			memcpy(dst, (char *)page_to_virt(pg) + off, n);
		else
			memset(dst, 0, n);
		dst += n, pos += n, len -= n;
	}
}

/* relatime: only record an access that is newer than the last change. */
static void ramfs_note_access(struct inode *inode)
{
	struct timespec *a = &inode->atime, *m = &inode->mtime;
	if (a->tv_sec < m->tv_sec || (a->tv_sec == m->tv_sec && a->tv_nsec <= m->tv_nsec))
		*a = vfs_now();
}

static ssize_t ramfs_read(struct file *f, void *buf, size_t len, u64 *pos)
{
	struct inode *inode = f->inode;
	spin_lock(&inode->lock);
	u64 size = inode->size_bytes;
	size_t n = *pos >= size ? 0 : MIN(len, size - *pos);
	ramfs_copy_out(inode, buf, n, *pos);
	if (n)
		ramfs_note_access(inode);
	spin_unlock(&inode->lock);
	*pos += n;
	return n;
}

/* The page at index, allocating a zeroed one for a hole. Caller holds inode->lock. */
static struct page *ramfs_page_for_write(struct inode *inode, u64 index)
{
	return filemap_find_or_create_locked(inode, index); /* the page cache is our data */
}

/* Copy buf into the file at pos; bytes stored (short when memory runs out). */
static size_t ramfs_copy_in(struct inode *inode, const void *buf, size_t len, u64 pos)
{
	const char *src = buf;
	size_t done = 0;
	while (done < len) {
		size_t off = pos % PAGE_SIZE, n = MIN(len - done, PAGE_SIZE - off);
		struct page *pg = ramfs_page_for_write(inode, pos / PAGE_SIZE);
		if (!pg)
			break;
		memcpy((char *)page_to_virt(pg) + off, src + done, n);
		done += n, pos += n;
	}
	return done;
}

/* O_APPEND positions at the end under the lock, so appenders never overlap. */
static ssize_t ramfs_write(struct file *f, const void *buf, size_t len, u64 *pos)
{
	struct inode *inode = f->inode;
	spin_lock(&inode->lock);
	u64 at = (READ_ONCE(f->flags) & O_APPEND) ? inode->size_bytes : *pos;
	if (at >= RAMFS_MAX_FILE_BYTES) {
		spin_unlock(&inode->lock);
		return len ? -EFBIG : 0;
	}
	len = MIN(len, RAMFS_MAX_FILE_BYTES - at);
	size_t n = ramfs_copy_in(inode, buf, len, at);
	if (n) {
		inode->size_bytes = MAX(inode->size_bytes, at + n);
		inode->mtime = inode->ctime = vfs_now();
	}
	spin_unlock(&inode->lock);
	if (!n && len)
		return -ENOSPC;
	*pos = at + n;
	return n;
}

/* Shrink to size: drop whole pages past it and zero the tail of the last one. */
static void ramfs_shrink(struct inode *inode, u64 size)
{
	page_array_truncate(&inode->pages, (size + PAGE_SIZE - 1) / PAGE_SIZE);
	struct page *pg = page_array_lookup(&inode->pages, size / PAGE_SIZE);
	if (pg && size % PAGE_SIZE)
		memset((char *)page_to_virt(pg) + size % PAGE_SIZE, 0,
		       PAGE_SIZE - size % PAGE_SIZE);
}

static int ramfs_setsize(struct inode *inode, u64 size)
{
	if (size > RAMFS_MAX_FILE_BYTES)
		return -EFBIG;
	spin_lock(&inode->lock);
	if (size < inode->size_bytes)
		ramfs_shrink(inode, size);
	inode->size_bytes = size;
	inode->mtime = inode->ctime = vfs_now();
	spin_unlock(&inode->lock);
	return 0;
}

static ssize_t ramfs_dir_read(struct file *f, void *buf, size_t len, u64 *pos)
{
	(void)f, (void)buf, (void)len, (void)pos;
	return -EISDIR;
}

/* Directory offsets are entry cookies: only absolute and relative seeks mean anything. */
static s64 ramfs_dir_llseek(struct file *f, s64 off, int whence)
{
	if (whence != SEEK_SET && whence != SEEK_CUR)
		return -EINVAL;
	return generic_llseek(f, off, whence);
}

const struct file_operations ramfs_file_fops = {
	.read = ramfs_read,
	.write = ramfs_write,
	.llseek = generic_llseek,
};

const struct file_operations ramfs_dir_fops = {
	.read = ramfs_dir_read,
	.llseek = ramfs_dir_llseek,
};

const struct inode_operations ramfs_file_iops = {
	.setsize = ramfs_setsize,
};
