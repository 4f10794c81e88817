/*
 * Per-process root, cwd and umask (include/fs/fs_struct.h). Inode
 * references are taken and dropped outside fs->lock where possible, so
 * the lock only ever guards pointer swaps.
 */
#include <fs/vfs.h>
#include <mm/kmalloc.h>

#define UMASK_DEFAULT 022

/* A new fs_struct (refcount 1) holding references to root and cwd. */
static struct fs_struct *fs_new(struct inode *root, struct inode *cwd, u32 umask)
{
	struct fs_struct *fs = kzalloc(sizeof(*fs));
	if (!fs)
		return NULL;
	atomic_set(&fs->refcount, 1);
	spin_init(&fs->lock, "fs_struct", LOCK_RANK_FS);
	fs->root = inode_get(root);
	fs->cwd = inode_get(cwd);
	fs->umask = umask;
	return fs;
}

struct fs_struct *fs_alloc(void)
{
	return fs_new(vfs_root(), vfs_root(), UMASK_DEFAULT);
}

/* Copy under src->lock so root and cwd are a consistent pair. */
struct fs_struct *fs_dup(struct fs_struct *src)
{
	spin_lock(&src->lock);
	struct fs_struct *fs = fs_new(src->root, src->cwd, src->umask);
	spin_unlock(&src->lock);
	return fs;
}

struct fs_struct *fs_get(struct fs_struct *fs)
{
	atomic_inc(&fs->refcount);
	return fs;
}

void fs_put(struct fs_struct *fs)
{
	if (!atomic_dec_and_test(&fs->refcount))
		return;
	inode_put(fs->root);
	inode_put(fs->cwd);
	kfree(fs);
}

void fs_set_cwd(struct fs_struct *fs, struct inode *dir)
{
	inode_get(dir);
	spin_lock(&fs->lock);
	struct inode *old = fs->cwd;
	fs->cwd = dir;
	spin_unlock(&fs->lock);
	inode_put(old);
}

u32 fs_umask_swap(struct fs_struct *fs, u32 mask)
{
	spin_lock(&fs->lock);
	u32 old = fs->umask;
	fs->umask = mask & 0777;
	spin_unlock(&fs->lock);
	return old;
}

u32 fs_umask(struct fs_struct *fs)
{
	return READ_ONCE(fs->umask);
}

void fs_path_start(struct fs_struct *fs, struct path_start *ps)
{
	spin_lock(&fs->lock);
	ps->root = inode_get(fs->root);
	ps->dir = inode_get(fs->cwd);
	spin_unlock(&fs->lock);
}

void path_start_put(struct path_start *ps)
{
	inode_put(ps->root);
	inode_put(ps->dir);
}
