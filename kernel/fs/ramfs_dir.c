/*
 * ramfs inodes and directories. Each directory holds a list of entries in
 * cookie order; cookies count up from 2 (0 and 1 are "." and "..") and are
 * never reused, so "resume at the first entry whose cookie is >= pos" is a
 * stable getdents64 offset. Every entry holds a reference on its inode.
 * All directory operations run under vfs_ns_lock.
 */
#include <fs/ramfs.h>
#include <lib/printk.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <uapi/errno.h>

#define RAMFS_FIRST_COOKIE 2

struct ramfs_dirent {
	struct list_head node; /* in dir.entries */
	u64 cookie;
	struct inode *inode; /* reference held */
	u16 name_len;
	char name[]; /* not NUL-terminated */
};

static const struct inode_operations ramfs_dir_iops;
static atomic64_t ramfs_next_ino = { 1 };

/* Set up the parts of a new inode that depend on its type. */
static void ramfs_inode_init_type(struct inode *inode)
{
	if (S_ISDIR(inode->mode)) {
		list_init(&inode->dir.entries);
		inode->dir.next_cookie = RAMFS_FIRST_COOKIE;
		inode->iops = &ramfs_dir_iops;
		inode->fops = &ramfs_dir_fops;
	} else if (S_ISREG(inode->mode)) {
		page_array_init(&inode->pages);
		inode->iops = &ramfs_file_iops;
		inode->fops = &ramfs_file_fops;
	}
}

struct inode *ramfs_inode_new(u32 mode, u64 rdev)
{
	struct inode *inode = kzalloc(sizeof(*inode));
	if (!inode)
		return NULL;
	atomic_set(&inode->refcount, 1);
	inode->ino = atomic64_add_return(&ramfs_next_ino, 1) - 1;
	inode->dev = RAMFS_DEV;
	inode->rdev = rdev;
	inode->mode = mode;
	spin_init(&inode->lock, "inode", LOCK_RANK_INODE);
	inode->atime = inode->mtime = inode->ctime = vfs_now();
	ramfs_inode_init_type(inode);
	return inode;
}

static struct inode *ramfs_create(struct inode *dir, u32 mode, u64 rdev)
{
	(void)dir;
	return ramfs_inode_new(mode, rdev);
}

/* The entry called name in dir, or NULL. */
static struct ramfs_dirent *ramfs_find(struct inode *dir, const char *name, size_t len)
{
	struct list_head *pos;
	list_for_each(pos, &dir->dir.entries)
	{
		struct ramfs_dirent *e = list_entry(pos, struct ramfs_dirent, node);
		if (e->name_len == len && memcmp(e->name, name, len) == 0)
			return e;
	}
	return NULL;
}

static struct inode *ramfs_lookup(struct inode *dir, const char *name, size_t len)
{
	struct ramfs_dirent *e = ramfs_find(dir, name, len);
	return e ? e->inode : NULL;
}

/* A new entry for inode, not yet on any list; NULL on OOM. Takes no reference. */
static struct ramfs_dirent *ramfs_dirent_new(const char *name, size_t len, struct inode *inode)
{
	struct ramfs_dirent *e = kmalloc(sizeof(*e) + len, 0);
	if (!e)
		return NULL;
	e->inode = inode;
	e->name_len = len;
	memcpy(e->name, name, len);
	return e;
}

/* Append e to dir with a fresh cookie. */
static void ramfs_dirent_add(struct inode *dir, struct ramfs_dirent *e)
{
	e->cookie = dir->dir.next_cookie++;
	list_add_tail(&e->node, &dir->dir.entries);
	dir->dir.nentries++;
}

/* Take e off dir's list and free it; its inode reference is the caller's. */
static struct inode *ramfs_dirent_remove(struct inode *dir, struct ramfs_dirent *e)
{
	struct inode *inode = e->inode;
	list_del(&e->node);
	dir->dir.nentries--;
	kfree(e);
	return inode;
}

/* Allocate first, so a failure leaves both directories untouched. */
static int ramfs_rename(struct inode *odir, const char *oname, size_t olen, struct inode *ndir,
			const char *nname, size_t nlen, bool is_exchange)
{
	struct ramfs_dirent *oe = ramfs_find(odir, oname, olen);
	struct ramfs_dirent *ne = ramfs_find(ndir, nname, nlen);
	if (WARN_ON(!oe) || WARN_ON(is_exchange && !ne))
		return -ENOENT;
	if (is_exchange) {
		struct inode *tmp = oe->inode;
		oe->inode = ne->inode;
		ne->inode = tmp;
		return 0;
	}
	struct ramfs_dirent *moved = ramfs_dirent_new(nname, nlen, oe->inode);
	if (!moved)
		return -ENOSPC;
	ramfs_dirent_remove(odir, oe); /* its reference moves to the new entry */
	if (ne)
		inode_put(ramfs_dirent_remove(ndir, ne));
	ramfs_dirent_add(ndir, moved);
	return 0;
}

static int ramfs_link(struct inode *dir, const char *name, size_t len, struct inode *child)
{
	struct ramfs_dirent *e = ramfs_dirent_new(name, len, child);
	if (!e)
		return -ENOSPC;
	inode_get(child);
	ramfs_dirent_add(dir, e);
	return 0;
}

static void ramfs_unlink(struct inode *dir, const char *name, size_t len)
{
	struct ramfs_dirent *e = ramfs_find(dir, name, len);
	if (!WARN_ON(!e))
		inode_put(ramfs_dirent_remove(dir, e));
}

/* emit sees it->pos at the entry's own cookie; on success pos moves past it. */
static void ramfs_iterate(struct inode *dir, struct dir_iter *it)
{
	struct list_head *pos;
	list_for_each(pos, &dir->dir.entries)
	{
		struct ramfs_dirent *e = list_entry(pos, struct ramfs_dirent, node);
		if (e->cookie < it->pos)
			continue;
		it->pos = e->cookie;
		if (!it->emit(it, e->name, e->name_len, e->inode->ino, vfs_dtype(e->inode->mode)))
			return;
		it->pos = e->cookie + 1;
	}
}

static const struct inode_operations ramfs_dir_iops = {
	.lookup = ramfs_lookup,
	.link = ramfs_link,
	.unlink = ramfs_unlink,
	.rename = ramfs_rename,
	.iterate = ramfs_iterate,
	.create = ramfs_create,
};
