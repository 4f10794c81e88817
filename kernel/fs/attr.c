/*
 * Path operations that look at or change one inode without touching the
 * namespace: lookup (for chdir), stat, chmod, access, truncate, readlink,
 * and getcwd's walk back up to the root.
 */
#include <fs/namei.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <uapi/dirent.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>

/* Walk flags for an *at() call's AT_SYMLINK_NOFOLLOW and AT_EMPTY_PATH. */
static unsigned attr_walk_flags(int at_flags)
{
	return ((at_flags & AT_SYMLINK_NOFOLLOW) ? 0 : WALK_FOLLOW) |
	       ((at_flags & AT_EMPTY_PATH) ? WALK_EMPTY_OK : 0);
}

/* Resolve path to an inode with a reference of its own. */
static struct inode *attr_lookup(const struct path_start *at, const char *path, unsigned wflags)
{
	struct walk w;
	walk_init(&w, at, wflags);
	spin_lock(&vfs_ns_lock);
	int r = walk_path(&w, path);
	struct inode *inode = r ? ERR_PTR(r) : inode_get(w.inode);
	spin_unlock(&vfs_ns_lock);
	walk_end(&w);
	return inode;
}

struct inode *vfs_lookupat(const struct path_start *at, const char *path, int flags)
{
	return attr_lookup(at, path, attr_walk_flags(flags));
}

int vfs_statat(const struct path_start *at, const char *path, int flags, struct kstat *st)
{
	struct inode *inode = attr_lookup(at, path, attr_walk_flags(flags));
	if (IS_ERR(inode))
		return PTR_ERR(inode);
	inode_stat(inode, st);
	inode_put(inode);
	return 0;
}

int vfs_chmod_inode(struct inode *inode, u32 mode)
{
	spin_lock(&vfs_ns_lock);
	inode->mode = (inode->mode & S_IFMT) | (mode & 07777);
	spin_unlock(&vfs_ns_lock);
	inode_touch(inode, false);
	return 0;
}

int vfs_chmodat(const struct path_start *at, const char *path, u32 mode, int flags)
{
	struct inode *inode = attr_lookup(at, path, attr_walk_flags(flags));
	if (IS_ERR(inode))
		return PTR_ERR(inode);
	int r = S_ISLNK(inode->mode) ? -EOPNOTSUPP : vfs_chmod_inode(inode, mode);
	inode_put(inode);
	return r;
}

int vfs_chown_inode(struct inode *inode, u32 uid, u32 gid)
{
	spin_lock(&vfs_ns_lock);
	if (uid != (u32)-1)
		inode->uid = uid;
	if (gid != (u32)-1)
		inode->gid = gid;
	if (S_ISREG(inode->mode) && (uid != (u32)-1 || gid != (u32)-1)) {
		inode->mode &= ~S_ISUID;
		if (inode->mode & S_IXGRP)
			inode->mode &= ~S_ISGID;
	}
	spin_unlock(&vfs_ns_lock);
	inode_touch(inode, false);
	return 0;
}

int vfs_utimes_inode(struct inode *inode, const struct timespec *atime,
		     const struct timespec *mtime)
{
	struct timespec now = vfs_now();
	spin_lock(&inode->lock);
	if (atime)
		inode->atime = *atime;
	if (mtime)
		inode->mtime = *mtime;
	inode->ctime = now;
	spin_unlock(&inode->lock);
	return 0;
}

/* Everyone is root: reading and writing are allowed, exec needs an x bit. */
int vfs_accessat(const struct path_start *at, const char *path, int mode, int flags)
{
	if (mode & ~(R_OK | W_OK | X_OK))
		return -EINVAL;
	struct inode *inode = attr_lookup(at, path, attr_walk_flags(flags));
	if (IS_ERR(inode))
		return PTR_ERR(inode);
	u32 m = READ_ONCE(inode->mode);
	int r = 0;
	if ((mode & X_OK) && !S_ISDIR(m) && !(m & (S_IXUSR | S_IXGRP | S_IXOTH)))
		r = -EACCES;
	inode_put(inode);
	return r;
}

/* truncate(2)/ftruncate(2) on an inode: regular files only. */
static int attr_setsize(struct inode *inode, s64 len_bytes)
{
	if (len_bytes < 0)
		return -EINVAL;
	if (S_ISDIR(inode->mode))
		return -EISDIR;
	if (!S_ISREG(inode->mode) || !inode->iops || !inode->iops->setsize)
		return -EINVAL;
	return inode->iops->setsize(inode, len_bytes);
}

int vfs_truncateat(const struct path_start *at, const char *path, s64 len_bytes)
{
	struct inode *inode = attr_lookup(at, path, WALK_FOLLOW);
	if (IS_ERR(inode))
		return PTR_ERR(inode);
	int r = attr_setsize(inode, len_bytes);
	inode_put(inode);
	return r;
}

int vfs_ftruncate(struct file *f, s64 len_bytes)
{
	if (len_bytes < 0 || !file_is_writable(f))
		return -EINVAL;
	if (!S_ISREG(f->inode->mode))
		return -EINVAL;
	return attr_setsize(f->inode, len_bytes);
}

/* A symlink's target is immutable, so it can be copied without vfs_ns_lock. */
ssize_t vfs_readlinkat(const struct path_start *at, const char *path, char *buf, size_t len)
{
	struct inode *inode = attr_lookup(at, path, WALK_EMPTY_OK);
	if (IS_ERR(inode))
		return PTR_ERR(inode);
	ssize_t n = -EINVAL;
	if (S_ISLNK(inode->mode)) {
		n = MIN(len, strlen(inode->symlink));
		memcpy(buf, inode->symlink, n);
	}
	inode_put(inode);
	return n;
}

/* A dir_iter that looks for the entry naming one inode. */
struct name_search {
	struct dir_iter it;
	u64 ino;
	char *name; /* NAME_MAX + 1 bytes */
	size_t len;
};

static bool name_search_emit(struct dir_iter *it, const char *name, size_t len, u64 ino,
			     unsigned dtype)
{
	struct name_search *s = container_of(it, struct name_search, it);
	(void)dtype;
	if (ino != s->ino)
		return true;
	memcpy(s->name, name, len);
	s->len = len;
	return false; /* found: stop */
}

/* Prepend "/" and dir's name in its parent to the path ending at buf[*pos]. */
static int getcwd_prepend(struct inode *dir, char *buf, size_t *pos)
{
	char name[NAME_MAX + 1];
	struct name_search s = { .it = { .pos = 2, .emit = name_search_emit },
				 .ino = dir->ino,
				 .name = name };
	struct inode *parent = dir->dir.parent;
	parent->iops->iterate(parent, &s.it);
	if (!s.len)
		return -ENOENT;
	if (*pos < s.len + 1)
		return -ENAMETOOLONG;
	*pos -= s.len;
	memcpy(buf + *pos, name, s.len);
	buf[--*pos] = '/';
	return 0;
}

/*
 * Build the path right-aligned in buf (PATH_MAX bytes), then move it to
 * the front. Caller holds vfs_ns_lock.
 */
static ssize_t getcwd_locked(struct inode *root, struct inode *dir, char *buf)
{
	size_t pos = PATH_MAX - 1;
	buf[pos] = 0;
	if (dir_is_dead(dir))
		return -ENOENT;
	for (; dir != root && dir->dir.parent != dir; dir = dir->dir.parent) {
		int r = getcwd_prepend(dir, buf, &pos);
		if (r)
			return r;
	}
	if (pos == PATH_MAX - 1)
		buf[--pos] = '/';
	memmove(buf, buf + pos, PATH_MAX - pos);
	return PATH_MAX - pos;
}

ssize_t vfs_getcwd(struct inode *root, struct inode *dir, char *buf, size_t len)
{
	char *tmp = kmalloc(PATH_MAX, 0);
	if (!tmp)
		return -ENOMEM;
	spin_lock(&vfs_ns_lock);
	ssize_t n = getcwd_locked(root, dir, tmp);
	spin_unlock(&vfs_ns_lock);
	if (n > 0 && (size_t)n > len)
		n = -ERANGE;
	if (n > 0)
		memcpy(buf, tmp, n);
	kfree(tmp);
	return n;
}
