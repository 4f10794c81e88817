/*
 * Unpacking the initramfs (cpio newc) into ramfs. Names are taken
 * relative to the target directory ("./" and "/" prefixes dropped);
 * missing parent directories are created 0755. Directories that already
 * exist (such as /dev and /tmp) are kept and get the archive's mode;
 * anything else already there is replaced. Device nodes, fifos and
 * sockets are skipped (newc's device numbers are not decoded).
 *
 * Hard links: newc stores a multiply-linked file once per name, with the
 * data only on the last of them. The first name of an inode number is
 * created as a file and remembered; later names become links to it, and
 * data arriving with one of them is written into the shared file.
 */
#include <fs/vfs.h>
#include <lib/cpio.h>
#include <lib/printk.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>

/* The first name unpacked for an archive inode number with nlink > 1. */
struct hardlink {
	u32 ino;
	char *name;
};

/* One unpacking in progress. */
struct unpack {
	struct path_start at;
	char *name; /* PATH_MAX bytes: the current entry's name */
	struct hardlink *links;
	size_t nlinks, links_cap;
};

/* The entry's name, NUL-terminated in name (PATH_MAX bytes); 0 for the top itself. */
static ssize_t initramfs_name(const struct cpio_entry *e, char *name)
{
	const char *n = e->name;
	size_t len = e->name_len;
	for (;;) {
		if (len >= 2 && n[0] == '.' && n[1] == '/')
			n += 2, len -= 2;
		else if (len >= 1 && n[0] == '/')
			n++, len--;
		else
			break;
	}
	if (len == 1 && n[0] == '.')
		len = 0;
	if (len >= PATH_MAX)
		return -ENAMETOOLONG;
	memcpy(name, n, len);
	name[len] = 0;
	return len;
}

/* mkdir -p of every directory above name (errors show up on the retry). */
static void initramfs_mkdir_parents(const struct path_start *at, char *name)
{
	for (char *slash = strchr(name, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = 0;
		vfs_mkdirat(at, name, 0755);
		*slash = '/';
	}
}

/* Clear the way for a new non-directory at name. */
static int initramfs_remove(const struct path_start *at, const char *name)
{
	int r = vfs_unlinkat(at, name, 0);
	if (r == -EISDIR)
		r = vfs_unlinkat(at, name, AT_REMOVEDIR);
	return r == -ENOENT ? 0 : r;
}

static int initramfs_dir(const struct path_start *at, const char *name, u32 mode)
{
	int r = vfs_mkdirat(at, name, mode);
	if (r != -EEXIST)
		return r;
	struct kstat st;
	if ((r = vfs_statat(at, name, AT_SYMLINK_NOFOLLOW, &st)))
		return r;
	if (S_ISDIR(st.mode))
		return vfs_chmodat(at, name, mode, AT_SYMLINK_NOFOLLOW);
	if ((r = initramfs_remove(at, name)))
		return r;
	return vfs_mkdirat(at, name, mode);
}

/* Write data at offset 0 of the existing file name (no truncation). */
static int initramfs_write(const struct path_start *at, const char *name, const void *data,
			   size_t len)
{
	struct file *f = vfs_openat(at, name, O_WRONLY, 0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	u64 pos = 0;
	ssize_t n = len ? vfs_write(f, data, len, &pos) : 0;
	file_put(f);
	if (n < 0)
		return n;
	return (size_t)n == len ? 0 : -ENOSPC;
}

static int initramfs_file(const struct path_start *at, const char *name, u32 mode, const void *data,
			  size_t len)
{
	int r = initramfs_remove(at, name);
	if (r)
		return r;
	struct file *f = vfs_openat(at, name, O_WRONLY | O_CREAT | O_EXCL, mode);
	if (IS_ERR(f))
		return PTR_ERR(f);
	file_put(f);
	return initramfs_write(at, name, data, len);
}

static int initramfs_symlink(const struct path_start *at, const char *name, const void *data,
			     size_t len)
{
	if (len >= PATH_MAX)
		return -ENAMETOOLONG;
	char *target = kmalloc(len + 1, 0);
	if (!target)
		return -ENOMEM;
	memcpy(target, data, len);
	target[len] = 0;
	int r = initramfs_remove(at, name);
	if (!r)
		r = vfs_symlinkat(target, at, name);
	kfree(target);
	return r;
}

/* Owner and times from the archive; mtime is what tools like make look at. */
static void initramfs_set_attrs(const struct path_start *at, const char *name,
				const struct cpio_entry *e)
{
	struct inode *inode = vfs_lookupat(at, name, AT_SYMLINK_NOFOLLOW);
	if (IS_ERR(inode))
		return;
	spin_lock(&vfs_ns_lock);
	inode->uid = e->uid;
	inode->gid = e->gid;
	spin_unlock(&vfs_ns_lock);
	spin_lock(&inode->lock);
	inode->mtime = inode->atime = (struct timespec){ .tv_sec = e->mtime };
	spin_unlock(&inode->lock);
	inode_put(inode);
}

/* The name remembered for ino, or NULL. */
static const char *hardlink_find(struct unpack *u, u32 ino)
{
	for (size_t i = 0; i < u->nlinks; i++)
		if (u->links[i].ino == ino)
			return u->links[i].name;
	return NULL;
}

/* Remember the current name for ino. On OOM later names become separate files. */
static void hardlink_remember(struct unpack *u, u32 ino)
{
	if (u->nlinks == u->links_cap) {
		size_t cap = u->links_cap ? 2 * u->links_cap : 16;
		struct hardlink *links = kmalloc(cap * sizeof(*links), 0);
		if (!links)
			return;
		if (u->nlinks)
			memcpy(links, u->links, u->nlinks * sizeof(*links));
		kfree(u->links);
		u->links = links;
		u->links_cap = cap;
	}
	char *copy = kmalloc(strlen(u->name) + 1, 0);
	if (!copy)
		return;
	memcpy(copy, u->name, strlen(u->name) + 1);
	u->links[u->nlinks++] = (struct hardlink){ ino, copy };
}

static void hardlinks_free(struct unpack *u)
{
	for (size_t i = 0; i < u->nlinks; i++)
		kfree(u->links[i].name);
	kfree(u->links);
}

/* A regular file: a new one, or another name for one already unpacked. */
static int initramfs_regular(struct unpack *u, const struct cpio_entry *e)
{
	const char *first = e->nlink > 1 ? hardlink_find(u, e->ino) : NULL;
	int r;
	if (!first) {
		r = initramfs_file(&u->at, u->name, e->mode & 07777, e->data, e->len_bytes);
		if (!r && e->nlink > 1)
			hardlink_remember(u, e->ino);
		return r;
	}
	if ((r = initramfs_remove(&u->at, u->name)))
		return r;
	if ((r = vfs_linkat(&u->at, first, &u->at, u->name, 0)))
		return r;
	return e->len_bytes ? initramfs_write(&u->at, u->name, e->data, e->len_bytes) : 0;
}

/* Create one entry by type; unsupported types are skipped. */
static int initramfs_create(struct unpack *u, const struct cpio_entry *e)
{
	u32 mode = e->mode & 07777;
	switch (e->mode & S_IFMT) {
	case S_IFDIR:
		return initramfs_dir(&u->at, u->name, mode);
	case S_IFREG:
		return initramfs_regular(u, e);
	case S_IFLNK:
		return initramfs_symlink(&u->at, u->name, e->data, e->len_bytes);
	default:
		printk("initramfs: %s: type %#o skipped\n", u->name, e->mode & S_IFMT);
		return -EOPNOTSUPP;
	}
}

/* One archive entry, creating missing parents if the first try says ENOENT. */
static int initramfs_entry(struct unpack *u, const struct cpio_entry *e)
{
	ssize_t len = initramfs_name(e, u->name);
	if (len <= 0)
		return len;
	int r = initramfs_create(u, e);
	if (r == -ENOENT) {
		initramfs_mkdir_parents(&u->at, u->name);
		r = initramfs_create(u, e);
	}
	if (r && r != -EOPNOTSUPP)
		printk("initramfs: %s: error %d\n", u->name, r);
	else if (!r && !S_ISDIR(e->mode))
		initramfs_set_attrs(&u->at, u->name, e);
	return r;
}

/* Directory times last: creating entries inside a directory changes its mtime. */
static void initramfs_dir_times(struct unpack *u, const void *cpio, size_t len)
{
	struct cpio_entry e;
	size_t off = 0;
	while (cpio_next(cpio, len, &off, &e) > 0)
		if (S_ISDIR(e.mode) && initramfs_name(&e, u->name) > 0)
			initramfs_set_attrs(&u->at, u->name, &e);
}

int initramfs_unpack_at(struct inode *dir, const void *cpio, size_t len_bytes)
{
	struct unpack u = { .at = { .root = vfs_root(), .dir = dir } };
	struct cpio_entry e;
	size_t off = 0;
	int r;
	if (!(u.name = kmalloc(PATH_MAX, 0)))
		return -ENOMEM;
	while ((r = cpio_next(cpio, len_bytes, &off, &e)) > 0) {
		if (initramfs_entry(&u, &e) == -ENOMEM)
			break;
	}
	initramfs_dir_times(&u, cpio, len_bytes);
	hardlinks_free(&u);
	kfree(u.name);
	if (r > 0)
		return -ENOMEM;
	return r < 0 ? -EINVAL : 0;
}

int initramfs_unpack(const void *cpio, size_t len_bytes)
{
	return initramfs_unpack_at(vfs_root(), cpio, len_bytes);
}
