/*
 * Inodes: reference counting, timestamps and the metadata stat reports.
 * Every filesystem object here is an inode; what it holds (directory
 * entries, data pages, a symlink target) depends on its type and is freed
 * with the last reference.
 */
#include <fs/vfs.h>
#include <lib/printk.h>
#include <lib/realtime.h>
#include <mm/kmalloc.h>
#include <mm/layout.h>
#include <uapi/errno.h>

#define NS_PER_SEC     1000000000ll
#define STAT_BLKSIZE   4096
#define DIR_SIZE_BYTES 4096
#define SECTOR_BYTES   512

struct timespec vfs_now(void)
{
	s64 ns = realtime_ns();
	return (struct timespec){ .tv_sec = ns / NS_PER_SEC, .tv_nsec = ns % NS_PER_SEC };
}

unsigned vfs_dtype(u32 mode)
{
	return (mode & S_IFMT) >> 12; /* the DT_* values are the type bits shifted down */
}

struct inode *inode_get(struct inode *inode)
{
	atomic_inc(&inode->refcount);
	return inode;
}

/*
 * Free what the inode's type holds, then the inode. No one else can see it.
 * Returns the parent a directory held a reference on, for the caller to
 * put: a chain of removed directories is released by a loop, not recursion.
 */
static struct inode *inode_free(struct inode *inode)
{
	struct inode *parent = NULL;
	if (S_ISREG(inode->mode)) {
		page_array_truncate(&inode->pages, 0);
	} else if (S_ISLNK(inode->mode)) {
		kfree(inode->symlink);
	} else if (S_ISDIR(inode->mode)) {
		WARN_ON(inode->dir.nentries != 0);
		if (inode->dir.parent != inode)
			parent = inode->dir.parent;
	}
	kfree(inode);
	return parent;
}

/* May be called with vfs_ns_lock held: freeing takes no VFS lock. */
void inode_put(struct inode *inode)
{
	while (inode && atomic_dec_and_test(&inode->refcount))
		inode = inode_free(inode);
}

void inode_touch(struct inode *inode, bool is_modify)
{
	struct timespec now = vfs_now();
	spin_lock(&inode->lock);
	inode->ctime = now;
	if (is_modify)
		inode->mtime = now;
	spin_unlock(&inode->lock);
}

/* 512-byte blocks the inode's data occupies. Caller holds inode->lock. */
static u64 inode_blocks(struct inode *inode)
{
	if (!S_ISREG(inode->mode))
		return 0;
	return inode->pages.nr_pages * (PAGE_SIZE / SECTOR_BYTES);
}

/*
 * Fill st. mode and nlink are read without vfs_ns_lock: each is one
 * aligned word, so a racing chmod or link shows the old or the new value.
 */
void inode_stat(struct inode *inode, struct kstat *st)
{
	st->dev = inode->dev;
	st->ino = inode->ino;
	st->mode = READ_ONCE(inode->mode);
	st->nlink = READ_ONCE(inode->nlink);
	st->uid = READ_ONCE(inode->uid);
	st->gid = READ_ONCE(inode->gid);
	st->rdev = inode->rdev;
	st->blksize = STAT_BLKSIZE;
	spin_lock(&inode->lock);
	st->size = S_ISDIR(st->mode) ? DIR_SIZE_BYTES : inode->size_bytes;
	st->blocks = inode_blocks(inode);
	st->atime = inode->atime;
	st->mtime = inode->mtime;
	st->ctime = inode->ctime;
	spin_unlock(&inode->lock);
}

/* Everyone runs as root: exec needs a regular file with any x bit. */
int inode_may_exec(struct inode *inode)
{
	u32 mode = READ_ONCE(inode->mode);
	if (!S_ISREG(mode) || !(mode & (S_IXUSR | S_IXGRP | S_IXOTH)))
		return -EACCES;
	return 0;
}
