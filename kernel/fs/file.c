/*
 * Open file descriptions: reference counting, reads and writes through the
 * file's ops with access checks, seeking, directory listing and the
 * kernel-buffer read that exec uses.
 */
#include <fs/locks.h>
#include <fs/namei.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <uapi/dirent.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>

#define KERNEL_READ_CHUNK (64 * 1024) /* bound on the time one ramfs read holds its lock */

struct file *file_get(struct file *f)
{
	atomic_inc(&f->refcount);
	return f;
}

/*
 * The last put drops the file's OFD and flock locks (fs/locks.h), then
 * releases it; the inode reference goes with it.
 */
void file_put(struct file *f)
{
	if (!atomic_dec_and_test(&f->refcount))
		return;
	locks_remove_file(f);
	if (f->ops && f->ops->release)
		f->ops->release(f);
	inode_put(f->inode);
	kfree(f);
}

u64 file_pos_get(struct file *f)
{
	spin_lock(&f->lock);
	u64 pos = f->pos;
	spin_unlock(&f->lock);
	return pos;
}

void file_pos_set(struct file *f, u64 pos)
{
	spin_lock(&f->lock);
	f->pos = pos;
	spin_unlock(&f->lock);
}

bool file_is_readable(const struct file *f)
{
	u32 flags = READ_ONCE(f->flags);
	u32 acc = flags & O_ACCMODE;
	return !(flags & O_PATH) && (acc == O_RDONLY || acc == O_RDWR);
}

bool file_is_writable(const struct file *f)
{
	u32 flags = READ_ONCE(f->flags);
	u32 acc = flags & O_ACCMODE;
	return !(flags & O_PATH) && (acc == O_WRONLY || acc == O_RDWR);
}

ssize_t vfs_read(struct file *f, void *buf, size_t len, u64 *pos)
{
	if (!file_is_readable(f))
		return -EBADF;
	if (!f->ops->read)
		return -EINVAL;
	return f->ops->read(f, buf, len, pos);
}

ssize_t vfs_write(struct file *f, const void *buf, size_t len, u64 *pos)
{
	if (!file_is_writable(f))
		return -EBADF;
	if (!f->ops->write)
		return -EINVAL;
	return f->ops->write(f, buf, len, pos);
}

ssize_t kernel_read(struct file *f, void *buf, size_t len, u64 off)
{
	size_t done = 0;
	while (done < len) {
		size_t n = MIN(len - done, KERNEL_READ_CHUNK);
		ssize_t r = vfs_read(f, (char *)buf + done, n, &off);
		if (r < 0)
			return done ? (ssize_t)done : r;
		done += r;
		if ((size_t)r < n)
			break;
	}
	return done;
}

s64 vfs_llseek(struct file *f, s64 off, int whence)
{
	if (READ_ONCE(f->flags) & O_PATH)
		return -EBADF;
	if (!f->ops->llseek)
		return -ESPIPE;
	return f->ops->llseek(f, off, whence);
}

/* Where whence/off lead in a file of size bytes now at pos: 0 and *to, or -errno. */
static int llseek_target(s64 pos, s64 size, s64 off, int whence, s64 *to)
{
	bool is_overflow = false;
	switch (whence) {
	case SEEK_SET:
		*to = off;
		break;
	case SEEK_CUR:
		is_overflow = __builtin_add_overflow(pos, off, to);
		break;
	case SEEK_END:
		is_overflow = __builtin_add_overflow(size, off, to);
		break;
	case SEEK_DATA: /* no holes are reported: all of the file is data */
	case SEEK_HOLE:
		if (off >= size)
			return off < 0 ? -EINVAL : -ENXIO;
		*to = whence == SEEK_DATA ? off : size;
		break;
	default:
		return -EINVAL;
	}
	return is_overflow || *to < 0 ? -EINVAL : 0;
}

/* The size is read before f->lock: inode->lock ranks below it. */
s64 generic_llseek(struct file *f, s64 off, int whence)
{
	s64 size = READ_ONCE(f->inode->size_bytes), to;
	spin_lock(&f->lock);
	int r = llseek_target(f->pos, size, off, whence, &to);
	if (!r)
		f->pos = to;
	spin_unlock(&f->lock);
	return r ? r : to;
}

long vfs_ioctl(struct file *f, unsigned cmd, u64 arg)
{
	if (READ_ONCE(f->flags) & O_PATH)
		return -EBADF;
	if (!f->ops->ioctl)
		return -ENOTTY;
	return f->ops->ioctl(f, cmd, arg);
}

u32 vfs_poll(struct file *f, struct wait_queue **wq)
{
	*wq = NULL;
	if (!f->ops->poll)
		return POLLIN | POLLOUT;
	return f->ops->poll(f, wq);
}

/* getdents64 output: records packed into buf. */
struct dirent_fill {
	struct dir_iter it;
	char *buf;
	size_t len, used;
	bool is_full; /* an entry did not fit */
};

/* One linux_dirent64 record; d_off is where reading resumes after it. */
static bool dirent_emit(struct dir_iter *it, const char *name, size_t len, u64 ino, unsigned dtype)
{
	struct dirent_fill *d = container_of(it, struct dirent_fill, it);
	size_t reclen = ALIGN_UP(offsetof(struct linux_dirent64, d_name) + len + 1, 8);
	if (d->len - d->used < reclen) {
		d->is_full = true;
		return false;
	}
	struct linux_dirent64 *de = (struct linux_dirent64 *)(d->buf + d->used);
	memset(de, 0, reclen);
	de->d_ino = ino;
	de->d_off = it->pos + 1;
	de->d_reclen = reclen;
	de->d_type = dtype;
	memcpy(de->d_name, name, len);
	d->used += reclen;
	return true;
}

/* "." and ".." at positions 0 and 1, then the directory's own entries. */
static void getdents_locked(struct inode *dir, struct dirent_fill *d)
{
	if (d->it.pos == 0 && dirent_emit(&d->it, ".", 1, dir->ino, DT_DIR))
		d->it.pos = 1;
	if (d->it.pos == 1 && dirent_emit(&d->it, "..", 2, dir->dir.parent->ino, DT_DIR))
		d->it.pos = 2;
	if (d->it.pos >= 2)
		dir->iops->iterate(dir, &d->it);
}

ssize_t vfs_getdents(struct file *f, void *buf, size_t len, u64 *pos)
{
	struct inode *dir = f->inode;
	if (!S_ISDIR(dir->mode))
		return -ENOTDIR;
	struct dirent_fill d = { .it = { .pos = *pos, .emit = dirent_emit },
				 .buf = buf,
				 .len = len };
	spin_lock(&vfs_ns_lock);
	bool is_dead = dir_is_dead(dir);
	if (!is_dead)
		getdents_locked(dir, &d);
	spin_unlock(&vfs_ns_lock);
	if (is_dead)
		return -ENOENT;
	if (!d.used && d.is_full)
		return -EINVAL; /* buffer too small for even one entry */
	*pos = d.it.pos;
	return d.used;
}
