/*
 * read, write, pread64, pwrite64, readv, writev, lseek. Data moves between
 * user memory and the file through a kernel bounce buffer (on the stack for
 * small transfers, else a page), so no
 * VFS lock is ever held across a user copy. A transfer that fails part way
 * returns the bytes already moved, as Linux does.
 */
#include <fs/fs_syscall.h>
#include <mm/kmalloc.h>
#include <mm/layout.h>
#include <syscall/syscall.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>

#define RW_MAX_BYTES	0x7ffff000ul /* the most one call moves (Linux's MAX_RW_COUNT) */
#define RW_SMALL_BYTES	512	     /* transfers this small bounce through the kernel stack */
#define RW_STREAM_BYTES (64ul << 10) /* one read of a stream takes up to a full pipe */
#define IOV_MAX		1024

struct iovec {
	void __user *iov_base;
	size_t iov_len;
};

/* Bytes done so far, or err if there were none. */
static ssize_t rw_result(size_t done, ssize_t err)
{
	return done ? (ssize_t)done : err;
}

/*
 * Copy as much as the user mapping allows: all of it, or byte by byte up
 * to the first inaccessible byte (so a buffer running off its mapping
 * still moves its accessible part, as on Linux). Returns the bytes copied.
 */
static size_t copy_to_user_prefix(char __user *dst, const char *src, size_t len)
{
	if (!copy_to_user(dst, src, len))
		return len;
	size_t done = 0;
	while (done < len && !copy_to_user(dst + done, src + done, 1))
		done++;
	return done;
}

static size_t copy_from_user_prefix(char *dst, const char __user *src, size_t len)
{
	if (!copy_from_user(dst, src, len))
		return len;
	size_t done = 0;
	while (done < len && !copy_from_user(dst + done, src + done, 1))
		done++;
	return done;
}

/*
 * The bounce buffer for a transfer of len bytes: small ones use the
 * caller's on-stack buffer (a pipe ping-pong then never touches the frame
 * allocator), others a page from the heap. NULL on OOM; rw_buf_put frees.
 */
static char *rw_buf_get(size_t len, char *small, size_t *size)
{
	*size = len <= RW_SMALL_BYTES ? RW_SMALL_BYTES : PAGE_SIZE;
	return len <= RW_SMALL_BYTES ? small : kmalloc(PAGE_SIZE, 0);
}

/*
 * A stream's read is one call to the file, which may block, so its buffer
 * must hold all that one read(2) may return: a whole pipe's worth (64 KiB,
 * the default pipe size) if that much is asked for and can be had, else
 * what rw_buf_get gives.
 */
static char *rw_stream_buf_get(size_t len, char *small, size_t *size)
{
	if (len > PAGE_SIZE) {
		*size = MIN(len, RW_STREAM_BYTES);
		char *kbuf = kmalloc(*size, 0);
		if (kbuf)
			return kbuf;
	}
	return rw_buf_get(len, small, size);
}

static void rw_buf_put(char *kbuf, const char *small)
{
	if (kbuf != small)
		kfree(kbuf);
}

/*
 * File to user, a bounce buffer at a time. *pos advances only over bytes
 * that reached the user. A stream (tty) gets a single read: it may block.
 */
static ssize_t rw_read_user(struct file *f, char __user *ubuf, size_t len, u64 *pos)
{
	char small[RW_SMALL_BYTES];
	size_t size;
	char *kbuf = f->ops->is_stream ? rw_stream_buf_get(len, small, &size)
				       : rw_buf_get(len, small, &size);
	size_t done = 0;
	ssize_t err = 0;
	while (kbuf && done < len) {
		size_t chunk = MIN(len - done, size);
		u64 at = *pos;
		ssize_t n = vfs_read(f, kbuf, chunk, &at);
		if (n < 0) {
			err = n;
			break;
		}
		size_t copied = copy_to_user_prefix(ubuf + done, kbuf, n);
		*pos += copied;
		done += copied;
		if (copied < (size_t)n) {
			err = -EFAULT;
			break;
		}
		if ((size_t)n < chunk || f->ops->is_stream)
			break;
	}
	rw_buf_put(kbuf, small);
	return kbuf ? rw_result(done, err) : -ENOMEM;
}

/* User to file, a bounce buffer at a time, until all is written or the file takes less. */
static ssize_t rw_write_user(struct file *f, const char __user *ubuf, size_t len, u64 *pos)
{
	char small[RW_SMALL_BYTES];
	size_t size;
	char *kbuf = rw_buf_get(len, small, &size);
	size_t done = 0;
	ssize_t err = 0;
	while (kbuf && done < len) {
		size_t chunk = MIN(len - done, size);
		size_t avail = copy_from_user_prefix(kbuf, ubuf + done, chunk);
		ssize_t n = avail ? vfs_write(f, kbuf, avail, pos) : -EFAULT;
		if (n < 0) {
			err = n;
			break;
		}
		done += n;
		if ((size_t)n < chunk)
			break;
	}
	rw_buf_put(kbuf, small);
	return kbuf ? rw_result(done, err) : -ENOMEM;
}

/* One transfer at pos (or at the file's own offset when pos is NULL). */
static ssize_t rw_transfer(struct file *f, void __user *ubuf, size_t len, u64 *pos, bool is_write)
{
	if (!(is_write ? file_is_writable(f) : file_is_readable(f)))
		return -EBADF;
	if (!user_range_ok((u64)ubuf, len))
		return -EFAULT;
	len = MIN(len, RW_MAX_BYTES);
	u64 at = pos ? *pos : file_pos_get(f);
	ssize_t n = is_write ? rw_write_user(f, ubuf, len, &at) : rw_read_user(f, ubuf, len, &at);
	if (pos)
		*pos = at;
	else if (n > 0)
		file_pos_set(f, at);
	return n;
}

static long sys_read(int fd, void __user *buf, size_t count)
{
	struct file *f = fd_file_io(fd);
	if (!f)
		return -EBADF;
	ssize_t n = rw_transfer(f, buf, count, NULL, false);
	file_put(f);
	return n;
}
SYSCALL_REGISTER(0, read, sys_read);

static long sys_write(int fd, const void __user *buf, size_t count)
{
	struct file *f = fd_file_io(fd);
	if (!f)
		return -EBADF;
	ssize_t n = rw_transfer(f, (void __user *)buf, count, NULL, true);
	file_put(f);
	return n;
}
SYSCALL_REGISTER(1, write, sys_write);

/* pread64/pwrite64: at an explicit offset, leaving the file's own alone. */
static long rw_positional(int fd, void __user *buf, size_t count, s64 off, bool is_write)
{
	struct file *f = fd_file_io(fd);
	if (!f)
		return -EBADF;
	ssize_t n = -EINVAL;
	u64 pos = off;
	if (!f->ops->llseek)
		n = -ESPIPE;
	else if (off >= 0)
		n = rw_transfer(f, buf, count, &pos, is_write);
	file_put(f);
	return n;
}

static long sys_pread64(int fd, void __user *buf, size_t count, s64 off)
{
	return rw_positional(fd, buf, count, off, false);
}
SYSCALL_REGISTER(17, pread64, sys_pread64);

static long sys_pwrite64(int fd, const void __user *buf, size_t count, s64 off)
{
	return rw_positional(fd, (void __user *)buf, count, off, true);
}
SYSCALL_REGISTER(18, pwrite64, sys_pwrite64);

/*
 * Copy in an iovec array and check it, its total length in *total:
 * -EINVAL for a bad count or total, -EFAULT.
 */
static struct iovec *rw_iov_get(const struct iovec __user *uiov, int iovcnt, size_t *total,
				long *err)
{
	*err = -EINVAL;
	if (iovcnt < 0 || iovcnt > IOV_MAX)
		return NULL;
	struct iovec *iov = kmalloc(MAX(iovcnt, 1) * sizeof(*iov), 0);
	*err = -ENOMEM;
	if (!iov)
		return NULL;
	*err = -EFAULT;
	if (copy_from_user(iov, uiov, iovcnt * sizeof(*iov)))
		goto free_iov;
	*total = 0;
	for (int i = 0; i < iovcnt; i++) {
		*err = -EINVAL;
		if (iov[i].iov_len > (size_t)INT64_MAX - *total)
			goto free_iov;
		*total += iov[i].iov_len;
		*err = -EFAULT;
		if (!user_range_ok((u64)iov[i].iov_base, iov[i].iov_len))
			goto free_iov;
	}
	return iov;
free_iov:
	kfree(iov);
	return NULL;
}

/*
 * A writev of at most a page is gathered into one buffer and written with
 * one call, so that a pipe sees one write: atomic up to PIPE_BUF, as on
 * Linux. A segment that faults part way ends the gathering there (the
 * bytes before it are written); nothing readable at all is -EFAULT.
 */
static long rw_writev_gathered(struct file *f, const struct iovec *iov, int iovcnt, size_t total)
{
	if (!file_is_writable(f))
		return -EBADF;
	char *kbuf = kmalloc(PAGE_SIZE, 0);
	if (!kbuf)
		return -ENOMEM;
	size_t got = 0;
	for (int i = 0; i < iovcnt; i++) {
		size_t n = copy_from_user_prefix(kbuf + got, iov[i].iov_base, iov[i].iov_len);
		got += n;
		if (n < iov[i].iov_len)
			break;
	}
	u64 at = file_pos_get(f);
	ssize_t r = got || !total ? vfs_write(f, kbuf, got, &at) : -EFAULT;
	if (r > 0)
		file_pos_set(f, at);
	kfree(kbuf);
	return r;
}

/* readv/writev: segment after segment, stopping at the first short one. */
static long rw_vector(int fd, const struct iovec __user *uiov, int iovcnt, bool is_write)
{
	struct file *f = fd_file_io(fd);
	if (!f)
		return -EBADF;
	long err;
	size_t total;
	struct iovec *iov = rw_iov_get(uiov, iovcnt, &total, &err);
	if (!iov)
		goto put_file;
	if (is_write && total <= PAGE_SIZE) {
		err = rw_writev_gathered(f, iov, iovcnt, total);
		goto free_iov;
	}
	size_t done = 0;
	err = 0;
	for (int i = 0; i < iovcnt; i++) {
		ssize_t n = rw_transfer(f, iov[i].iov_base, iov[i].iov_len, NULL, is_write);
		if (n < 0) {
			err = n;
			break;
		}
		done += n;
		if ((size_t)n < iov[i].iov_len)
			break;
	}
	err = rw_result(done, err);
free_iov:
	kfree(iov);
put_file:
	file_put(f);
	return err;
}

static long sys_readv(int fd, const struct iovec __user *iov, int iovcnt)
{
	return rw_vector(fd, iov, iovcnt, false);
}
SYSCALL_REGISTER(19, readv, sys_readv);

static long sys_writev(int fd, const struct iovec __user *iov, int iovcnt)
{
	return rw_vector(fd, iov, iovcnt, true);
}
SYSCALL_REGISTER(20, writev, sys_writev);

static long sys_lseek(int fd, s64 off, unsigned whence)
{
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	s64 r = vfs_llseek(f, off, whence);
	file_put(f);
	return r;
}
SYSCALL_REGISTER(8, lseek, sys_lseek);
