/*
 * close, dup, dup2, dup3, fcntl, ioctl: thin decoders over the fd table
 * (fs/fdtable.h) and the file's own ioctl.
 */
#include <fs/fs_syscall.h>
#include <fs/locks.h>
#include <fs/pipe.h>
#include <proc/task.h>
#include <syscall/syscall.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>
#include <uapi/termios.h>

/* Status flags F_SETFL may change; the access mode and the rest stay. */
#define SETFL_MASK (O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME)

static long sys_close(int fd)
{
	return fd_close(current->files, fd);
}
SYSCALL_REGISTER(3, close, sys_close);

/* dup and F_DUPFD: oldfd's file in the lowest free slot >= min_fd (-EINVAL past the limit). */
static long fd_dup_from(int oldfd, int min_fd, bool is_cloexec)
{
	struct file *f = fd_file(oldfd);
	if (!f)
		return -EBADF;
	int limit = fd_limit();
	if (min_fd < 0 || min_fd >= limit) {
		file_put(f);
		return -EINVAL;
	}
	int fd = fd_install(current->files, f, min_fd, limit, is_cloexec);
	if (fd < 0)
		file_put(f);
	return fd;
}

static long sys_dup(int oldfd)
{
	return fd_dup_from(oldfd, 0, false);
}
SYSCALL_REGISTER(32, dup, sys_dup);

static long sys_dup2(int oldfd, int newfd)
{
	if (oldfd != newfd)
		return fd_dup_to(current->files, oldfd, newfd, fd_limit(), false);
	struct file *f = fd_file(oldfd); /* dup2(fd, fd) only checks that fd is open */
	if (!f)
		return -EBADF;
	file_put(f);
	return newfd;
}
SYSCALL_REGISTER(33, dup2, sys_dup2);

static long sys_dup3(int oldfd, int newfd, int flags)
{
	if ((flags & ~O_CLOEXEC) || oldfd == newfd)
		return -EINVAL;
	return fd_dup_to(current->files, oldfd, newfd, fd_limit(), flags & O_CLOEXEC);
}
SYSCALL_REGISTER(292, dup3, sys_dup3);

/* F_GETFL / F_SETFL on an open file. */
static long fcntl_flags(int fd, int cmd, u64 arg)
{
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	spin_lock(&f->lock);
	long r = f->flags;
	if (cmd == F_SETFL) {
		f->flags = (f->flags & ~SETFL_MASK) | (arg & SETFL_MASK);
		r = 0;
	}
	spin_unlock(&f->lock);
	file_put(f);
	return r;
}

/* Unknown commands: -EBADF for a closed fd comes first, as in Linux. */
static long fcntl_unknown(int fd)
{
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	file_put(f);
	return -EINVAL;
}

static long sys_fcntl(int fd, int cmd, u64 arg)
{
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		return fd_dup_from(fd, arg > INT32_MAX ? -1 : (int)arg, cmd == F_DUPFD_CLOEXEC);
	case F_GETFD:
		return fd_get_cloexec(current->files, fd);
	case F_SETFD:
		return fd_set_cloexec(current->files, fd, arg & FD_CLOEXEC);
	case F_GETFL:
	case F_SETFL:
		return fcntl_flags(fd, cmd, arg);
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_GETLK:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		return fcntl_lock(fd, cmd, arg);
	case F_GETPIPE_SZ:
	case F_SETPIPE_SZ:
		return fcntl_pipe(fd, cmd, arg);
	default:
		return fcntl_unknown(fd);
	}
}
SYSCALL_REGISTER(72, fcntl, sys_fcntl);

/* FIONBIO: *arg != 0 sets O_NONBLOCK. */
static long ioctl_fionbio(struct file *f, u64 arg)
{
	int on;
	if (copy_from_user(&on, (const void __user *)arg, sizeof(on)))
		return -EFAULT;
	spin_lock(&f->lock);
	f->flags = on ? f->flags | O_NONBLOCK : f->flags & ~O_NONBLOCK;
	spin_unlock(&f->lock);
	return 0;
}

/* FIONREAD on a regular file: bytes between the offset and the end. */
static long ioctl_fionread_file(struct file *f, u64 arg)
{
	s64 left = (s64)READ_ONCE(f->inode->size_bytes) - (s64)file_pos_get(f);
	int n = left < 0 ? 0 : left > INT32_MAX ? INT32_MAX : (int)left;
	return copy_to_user((void __user *)arg, &n, sizeof(n)) ? -EFAULT : 0;
}

/* The requests every file answers; the rest go to the file's own ioctl. */
static long ioctl_dispatch(int fd, struct file *f, unsigned cmd, u64 arg)
{
	switch (cmd) {
	case FIOCLEX:
	case FIONCLEX:
		return fd_set_cloexec(current->files, fd, cmd == FIOCLEX);
	case FIONBIO:
		return ioctl_fionbio(f, arg);
	case FIONREAD:
		if (S_ISREG(f->inode->mode))
			return ioctl_fionread_file(f, arg);
		return vfs_ioctl(f, cmd, arg);
	default:
		return vfs_ioctl(f, cmd, arg);
	}
}

static long sys_ioctl(int fd, unsigned cmd, u64 arg)
{
	struct file *f = fd_file_io(fd);
	if (!f)
		return -EBADF;
	long r = ioctl_dispatch(fd, f, cmd, arg);
	file_put(f);
	return r;
}
SYSCALL_REGISTER(16, ioctl, sys_ioctl);
