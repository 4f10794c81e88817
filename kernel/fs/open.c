/*
 * open(2) and its kernel-side relatives. The path is resolved (and a new
 * file created for O_CREAT) under vfs_ns_lock; the struct file is built
 * after the lock is dropped, holding its own inode reference.
 */
#include <fs/dev.h>
#include <fs/namei.h>
#include <mm/kmalloc.h>
#include <proc/task.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>

/* The only flags O_PATH keeps; Linux ignores the rest. */
#define O_PATH_FLAGS (O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
/* Flags that only matter at open time and are not reported by F_GETFL. */
#define OPEN_ONLY_FLAGS (O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC)

/* Operations for O_PATH files: only fstat, fchdir and *at() use them. */
static const struct file_operations path_fops;

/* Create the missing last name of w as a regular file. */
static int open_create(struct walk *w, u32 mode, struct inode **out)
{
	if (w->has_trailing_slash)
		return -EISDIR;
	if (!w->dir->iops->create)
		return -EACCES; /* nothing can be created here (/proc), as Linux's vfs_create */
	struct inode *inode = w->dir->iops->create(w->dir, S_IFREG | (mode & 07777), 0);
	if (!inode)
		return -ENOMEM;
	int r = ns_attach(w->dir, w->last, w->last_len, inode);
	if (r) {
		inode_put(inode);
		return r;
	}
	*out = inode; /* the creation reference becomes the caller's */
	return 0;
}

/* Check an existing inode against the open flags. */
static int open_check_existing(struct inode *inode, int flags)
{
	if ((flags & O_CREAT) && (flags & O_EXCL))
		return -EEXIST;
	if ((flags & O_DIRECTORY) && !S_ISDIR(inode->mode))
		return -ENOTDIR;
	if (S_ISLNK(inode->mode))
		return (flags & O_PATH) ? 0 : -ELOOP; /* reached only with O_NOFOLLOW */
	if (S_ISDIR(inode->mode) && (flags & (O_CREAT | O_TRUNC)))
		return -EISDIR;
	if (S_ISDIR(inode->mode) && !(flags & O_PATH) && (flags & O_ACCMODE) != O_RDONLY)
		return -EISDIR;
	return 0;
}

/* Resolve (or create) what open will open. Caller holds vfs_ns_lock. */
static int open_resolve(struct walk *w, const char *path, int flags, u32 mode, struct inode **out,
			bool *is_created)
{
	int r = walk_path(w, path);
	if ((flags & O_CREAT) && w->dir && w->has_trailing_slash)
		return -EISDIR;
	if ((flags & O_CREAT) && walk_can_create(w, r)) {
		*is_created = true;
		return open_create(w, mode, out);
	}
	if (r)
		return r;
	if ((r = open_check_existing(w->inode, flags)))
		return r;
	*out = inode_get(w->inode);
	return 0;
}

/* The ops a file opened on inode uses. */
static int open_pick_ops(struct inode *inode, int flags, const struct file_operations **ops)
{
	if (flags & O_PATH)
		*ops = &path_fops;
	else if (S_ISCHR(inode->mode))
		*ops = chrdev_fops(inode->rdev);
	else
		*ops = inode->fops;
	return *ops ? 0 : -ENXIO;
}

/* A struct file on inode, taking over the caller's inode reference either way. */
struct file *vfs_open_inode(struct inode *inode, int flags)
{
	const struct file_operations *ops;
	int r = open_pick_ops(inode, flags, &ops);
	struct file *f = r ? NULL : kzalloc(sizeof(*f));
	if (!f) {
		inode_put(inode);
		return ERR_PTR(r ? r : -ENOMEM);
	}
	atomic_set(&f->refcount, 1);
	f->inode = inode;
	f->ops = ops;
	f->flags = (flags & ~OPEN_ONLY_FLAGS) | O_LARGEFILE;
	spin_init(&f->lock, "file", LOCK_RANK_FILE);
	if (ops->open && (r = ops->open(inode, f))) {
		f->ops = &path_fops; /* no release for what never opened */
		file_put(f);
		return ERR_PTR(r);
	}
	return f;
}

/* Which symlinks the last component follows for these open flags. */
static unsigned open_walk_flags(int flags)
{
	if ((flags & O_NOFOLLOW) || ((flags & O_CREAT) && (flags & O_EXCL)))
		return 0;
	return WALK_FOLLOW;
}

struct file *vfs_openat(const struct path_start *at, const char *path, int flags, u32 mode)
{
	if (flags & O_PATH)
		flags &= O_PATH_FLAGS;
	if ((flags & O_TMPFILE) == O_TMPFILE)
		return ERR_PTR(-EOPNOTSUPP);
	if ((flags & O_CREAT) && (flags & O_DIRECTORY))
		return ERR_PTR(-EINVAL);
	struct walk w;
	struct inode *inode;
	bool is_created = false;
	walk_init(&w, at, open_walk_flags(flags));
	spin_lock(&vfs_ns_lock);
	int r = open_resolve(&w, path, flags, mode, &inode, &is_created);
	spin_unlock(&vfs_ns_lock);
	walk_end(&w);
	if (r)
		return ERR_PTR(r);
	if ((flags & O_TRUNC) && !(flags & O_PATH) && !is_created && S_ISREG(inode->mode) &&
	    (r = inode->iops->setsize(inode, 0))) {
		inode_put(inode);
		return ERR_PTR(r);
	}
	return vfs_open_inode(inode, flags);
}

/* current's root and cwd, or the global root for a task without an fs_struct. */
static void open_kernel_start(struct path_start *ps)
{
	struct task *t = current;
	if (t && t->fs) {
		fs_path_start(t->fs, ps);
		return;
	}
	ps->root = inode_get(vfs_root());
	ps->dir = inode_get(vfs_root());
}

struct file *vfs_open_kernel(const char *path, int flags)
{
	struct path_start ps;
	open_kernel_start(&ps);
	struct file *f = vfs_openat(&ps, path, flags, 0);
	path_start_put(&ps);
	return f;
}

struct file *vfs_open_exec(const char *path, u64 *len_bytes)
{
	struct file *f = vfs_open_kernel(path, O_RDONLY);
	if (IS_ERR(f))
		return f;
	int r = inode_may_exec(f->inode);
	if (r) {
		file_put(f);
		return ERR_PTR(r);
	}
	*len_bytes = READ_ONCE(f->inode->size_bytes);
	return f;
}
