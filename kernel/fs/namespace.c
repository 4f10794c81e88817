/*
 * Operations that change the namespace: mkdir, mknod, symlink, link,
 * unlink, rmdir, rename. Each one walks its path(s) and acts under a
 * single hold of vfs_ns_lock, so it is atomic with respect to every other
 * lookup and change. nlink, parent links and timestamps are kept here; the
 * filesystem's directory ops only add and remove entries.
 */
#include <fs/namei.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>

struct spinlock vfs_ns_lock = SPINLOCK_INIT("vfs_ns", LOCK_RANK_VFS);

void dir_set_parent(struct inode *dir, struct inode *parent)
{
	struct inode *old = dir->dir.parent;
	dir->dir.parent = inode_get(parent);
	if (old)
		inode_put(old); /* linked or still held: never the last reference */
}

int ns_attach(struct inode *dir, const char *name, size_t len, struct inode *child)
{
	if (dir_is_dead(dir))
		return -ENOENT;
	if (!dir->iops->link)
		return -EPERM; /* a filesystem that makes its own names (/proc) */
	int r = dir->iops->link(dir, name, len, child);
	if (r)
		return r;
	child->nlink++;
	if (S_ISDIR(child->mode)) {
		child->nlink++; /* its own "." */
		dir_set_parent(child, dir);
		dir->nlink++; /* the child's ".." */
	}
	inode_touch(child, false);
	inode_touch(dir, true);
	return 0;
}

/* Remove the entry name -> child from dir; may free child. Caller holds vfs_ns_lock. */
static void ns_detach(struct inode *dir, const char *name, size_t len, struct inode *child)
{
	child->nlink--;
	if (S_ISDIR(child->mode)) {
		child->nlink = 0;
		child->dir.is_dead = true; /* creation in it now fails */
		dir->nlink--;
	}
	inode_touch(child, false);
	inode_touch(dir, true);
	dir->iops->unlink(dir, name, len);
}

/* Link a freshly created inode at the walk's missing last name. */
static int ns_create(struct walk *w, struct inode *inode)
{
	if (w->has_trailing_slash && !S_ISDIR(inode->mode))
		return -ENOENT;
	return ns_attach(w->dir, w->last, w->last_len, inode);
}

/* Create an inode of mode at the walk's last name, which must be missing. */
static int ns_mknod(struct walk *w, int r, u32 mode, u64 rdev)
{
	if (!r)
		return -EEXIST;
	if (!walk_can_create(w, r))
		return r;
	if (!w->dir->iops->create)
		return -EPERM; /* nothing can be created here (/proc) */
	struct inode *inode = w->dir->iops->create(w->dir, mode, rdev);
	if (!inode)
		return -ENOMEM;
	r = ns_create(w, inode);
	inode_put(inode);
	return r;
}

int vfs_mknodat(const struct path_start *at, const char *path, u32 mode, u64 rdev)
{
	struct walk w;
	walk_init(&w, at, WALK_PARENT);
	spin_lock(&vfs_ns_lock);
	int r = ns_mknod(&w, walk_path(&w, path), mode, rdev);
	spin_unlock(&vfs_ns_lock);
	walk_end(&w);
	return r;
}

int vfs_mkdirat(const struct path_start *at, const char *path, u32 mode)
{
	return vfs_mknodat(at, path, S_IFDIR | (mode & 07777), 0);
}

/* Create a symlink holding target (kmalloc'd; consumed on success). */
static int ns_symlink(struct walk *w, int r, char **target)
{
	if (!r)
		return -EEXIST;
	if (!walk_can_create(w, r))
		return r;
	if (!w->dir->iops->create)
		return -EPERM;
	struct inode *inode = w->dir->iops->create(w->dir, S_IFLNK | 0777, 0);
	if (!inode)
		return -ENOMEM;
	inode->symlink = *target;
	inode->size_bytes = strlen(*target);
	*target = NULL;
	r = ns_create(w, inode);
	inode_put(inode);
	return r;
}

int vfs_symlinkat(const char *target, const struct path_start *at, const char *path)
{
	size_t len = strnlen(target, PATH_MAX);
	if (!len)
		return -ENOENT;
	if (len >= PATH_MAX)
		return -ENAMETOOLONG;
	char *copy = kmalloc(len + 1, 0);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, target, len + 1);
	struct walk w;
	walk_init(&w, at, WALK_PARENT);
	spin_lock(&vfs_ns_lock);
	int r = ns_symlink(&w, walk_path(&w, path), &copy);
	spin_unlock(&vfs_ns_lock);
	walk_end(&w);
	kfree(copy);
	return r;
}

/* unlink(2) of what the walk found. */
static int ns_unlink(struct walk *w)
{
	if (w->last_type != LAST_NORMAL || S_ISDIR(w->inode->mode))
		return -EISDIR;
	if (w->has_trailing_slash)
		return -ENOTDIR;
	if (!w->dir->iops->unlink)
		return -EPERM; /* names the filesystem keeps itself (/proc) */
	ns_detach(w->dir, w->last, w->last_len, w->inode);
	return 0;
}

/* rmdir(2) of what the walk found. */
static int ns_rmdir(struct walk *w)
{
	if (w->last_type == LAST_DOT)
		return -EINVAL;
	if (w->last_type == LAST_DOTDOT)
		return -ENOTEMPTY;
	if (w->last_type == LAST_ROOT)
		return -EBUSY;
	if (!S_ISDIR(w->inode->mode))
		return -ENOTDIR;
	if (w->inode->dir.nentries)
		return -ENOTEMPTY;
	if (!w->dir->iops->unlink)
		return -EPERM;
	ns_detach(w->dir, w->last, w->last_len, w->inode);
	return 0;
}

int vfs_unlinkat(const struct path_start *at, const char *path, int flags)
{
	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	struct walk w;
	walk_init(&w, at, WALK_PARENT);
	spin_lock(&vfs_ns_lock);
	int r = walk_path(&w, path);
	if (!r)
		r = (flags & AT_REMOVEDIR) ? ns_rmdir(&w) : ns_unlink(&w);
	spin_unlock(&vfs_ns_lock);
	walk_end(&w);
	return r;
}

/* Hard link: ow found the existing file, nw the (missing) new name. */
static int ns_link(struct walk *ow, struct walk *nw, int rn)
{
	struct inode *src = ow->inode;
	if (S_ISDIR(src->mode))
		return -EPERM;
	if (!rn)
		return -EEXIST;
	if (!walk_can_create(nw, rn))
		return rn;
	if (src->dev != nw->dir->dev)
		return -EXDEV; /* a link cannot cross filesystems (ramfs, /proc) */
	if (src->nlink == 0)
		return -ENOENT; /* already unlinked: cannot come back */
	return ns_create(nw, src);
}

int vfs_linkat(const struct path_start *old_at, const char *old_path,
	       const struct path_start *new_at, const char *new_path, int flags)
{
	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	unsigned oflags = ((flags & AT_SYMLINK_FOLLOW) ? WALK_FOLLOW : 0) |
			  ((flags & AT_EMPTY_PATH) ? WALK_EMPTY_OK : 0);
	struct walk ow, nw;
	walk_init(&ow, old_at, oflags);
	walk_init(&nw, new_at, WALK_PARENT);
	spin_lock(&vfs_ns_lock);
	int r = walk_path(&ow, old_path);
	if (!r)
		r = ns_link(&ow, &nw, walk_path(&nw, new_path));
	spin_unlock(&vfs_ns_lock);
	walk_end(&ow);
	walk_end(&nw);
	return r;
}

/* True if dir is anc or lies somewhere below it. Caller holds vfs_ns_lock. */
static bool ns_is_within(struct inode *dir, struct inode *anc)
{
	for (;;) {
		if (dir == anc)
			return true;
		if (dir->dir.parent == dir)
			return false;
		dir = dir->dir.parent;
	}
}

/* The checks rename(2) makes before moving src over dst (which may be NULL). */
static int ns_rename_check(struct walk *ow, struct walk *nw)
{
	struct inode *src = ow->inode, *dst = nw->inode;
	bool is_dir = S_ISDIR(src->mode);
	if (!is_dir && (ow->has_trailing_slash || nw->has_trailing_slash))
		return -ENOTDIR;
	if (is_dir && ns_is_within(nw->dir, src))
		return -EINVAL; /* into itself */
	if (!dst || dst == src)
		return 0;
	if (is_dir && !S_ISDIR(dst->mode))
		return -ENOTDIR;
	if (!is_dir && S_ISDIR(dst->mode))
		return -EISDIR;
	if (is_dir && dst->dir.nentries)
		return -ENOTEMPTY;
	return 0;
}

/* After a move: fix the replaced inode, the moved directory's parent and counts. */
static void ns_rename_fixup(struct inode *odir, struct inode *ndir, struct inode *src,
			    struct inode *dst)
{
	if (dst) {
		dst->nlink--;
		if (S_ISDIR(dst->mode)) {
			dst->nlink = 0;
			dst->dir.is_dead = true;
			ndir->nlink--;
		}
		inode_touch(dst, false);
	}
	if (S_ISDIR(src->mode)) {
		dir_set_parent(src, ndir);
		odir->nlink--;
		ndir->nlink++;
	}
	inode_touch(src, false);
	inode_touch(odir, true);
	inode_touch(ndir, true);
}

/* Move ow's entry to nw's name. dst is kept alive until its counts are fixed. */
static int ns_move(struct walk *ow, struct walk *nw)
{
	struct inode *src = ow->inode, *dst = nw->inode;
	if (dir_is_dead(nw->dir))
		return -ENOENT;
	if (dst)
		inode_get(dst);
	int r = ow->dir->iops->rename(ow->dir, ow->last, ow->last_len, nw->dir, nw->last,
				      nw->last_len, false);
	if (!r)
		ns_rename_fixup(ow->dir, nw->dir, src, dst);
	if (dst)
		inode_put(dst);
	return r;
}

/* RENAME_EXCHANGE: both exist; swap them, moving directories' parents. */
static int ns_exchange(struct walk *ow, struct walk *nw)
{
	struct inode *a = ow->inode, *b = nw->inode, *adir = ow->dir, *bdir = nw->dir;
	bool a_is_dir = S_ISDIR(a->mode), b_is_dir = S_ISDIR(b->mode);
	if ((!a_is_dir && (ow->has_trailing_slash)) || (!b_is_dir && nw->has_trailing_slash))
		return -ENOTDIR;
	if ((a_is_dir && ns_is_within(bdir, a)) || (b_is_dir && ns_is_within(adir, b)))
		return -EINVAL;
	if (a == b)
		return 0;
	int r =
	    adir->iops->rename(adir, ow->last, ow->last_len, bdir, nw->last, nw->last_len, true);
	if (r)
		return r;
	if (a_is_dir) {
		dir_set_parent(a, bdir);
		adir->nlink--, bdir->nlink++;
	}
	if (b_is_dir) {
		dir_set_parent(b, adir);
		bdir->nlink--, adir->nlink++;
	}
	inode_touch(a, false);
	inode_touch(b, false);
	inode_touch(adir, true);
	inode_touch(bdir, true);
	return 0;
}

/* rename(2) once both paths are walked: rn is the new path's walk result. */
static int ns_rename(struct walk *ow, struct walk *nw, int rn, unsigned flags)
{
	if (rn && !walk_can_create(nw, rn))
		return rn;
	if (ow->last_type != LAST_NORMAL || nw->last_type != LAST_NORMAL)
		return -EBUSY;
	if (ow->dir->dev != nw->dir->dev)
		return -EXDEV; /* a rename cannot cross filesystems (ramfs, /proc) */
	if (!ow->dir->iops->rename)
		return -EPERM;
	if (nw->inode && (flags & RENAME_NOREPLACE))
		return -EEXIST;
	if (flags & RENAME_EXCHANGE)
		return nw->inode ? ns_exchange(ow, nw) : -ENOENT;
	int r = ns_rename_check(ow, nw);
	if (r || nw->inode == ow->inode)
		return r;
	return ns_move(ow, nw);
}

int vfs_renameat(const struct path_start *old_at, const char *old_path,
		 const struct path_start *new_at, const char *new_path, unsigned flags)
{
	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE))
		return -EINVAL; /* RENAME_WHITEOUT is for overlay filesystems */
	if ((flags & RENAME_NOREPLACE) && (flags & RENAME_EXCHANGE))
		return -EINVAL;
	struct walk ow, nw;
	walk_init(&ow, old_at, WALK_PARENT);
	walk_init(&nw, new_at, WALK_PARENT);
	spin_lock(&vfs_ns_lock);
	int r = walk_path(&ow, old_path);
	if (!r)
		r = ns_rename(&ow, &nw, walk_path(&nw, new_path), flags);
	spin_unlock(&vfs_ns_lock);
	walk_end(&ow);
	walk_end(&nw);
	return r;
}
