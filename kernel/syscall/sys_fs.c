/*
 * System calls on paths: open, mkdir, unlink, rmdir, rename, link,
 * symlink, readlink, chmod, access, truncate, umask and their *at()
 * forms. Each copies its path(s) in, calls the VFS and copies results out.
 */
#include <fs/fs_syscall.h>
#include <mm/kmalloc.h>
#include <proc/task.h>
#include <syscall/syscall.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>

/* Permission bits a new file or directory gets: mode less the umask. */
static u32 fs_create_mode(u32 mode, u32 allowed)
{
	return mode & allowed & ~fs_umask(current->fs);
}

/* The fd is reserved before the open, so a full table fails before a file is created. */
static long sys_openat(int dirfd, const char __user *upath, int flags, u32 mode)
{
	struct at_path ap;
	int r = at_path_get(dirfd, upath, false, &ap);
	if (r)
		return r;
	int fd = fd_reserve(current->files, 0, fd_limit(), flags & O_CLOEXEC);
	if (fd < 0)
		goto put_path;
	u32 perm = (flags & O_CREAT) ? fs_create_mode(mode, 07777) : 0;
	struct file *f = vfs_openat(&ap.ps, ap.path, flags, perm);
	if (IS_ERR(f)) {
		fd_unreserve(current->files, fd);
		fd = PTR_ERR(f);
	} else {
		fd_commit(current->files, fd, f);
	}
put_path:
	at_path_put(&ap);
	return fd;
}
SYSCALL_REGISTER(257, openat, sys_openat);

static long sys_open(const char __user *path, int flags, u32 mode)
{
	return sys_openat(AT_FDCWD, path, flags, mode);
}
SYSCALL_REGISTER(2, open, sys_open);

static long sys_mkdirat(int dirfd, const char __user *upath, u32 mode)
{
	struct at_path ap;
	int r = at_path_get(dirfd, upath, false, &ap);
	if (r)
		return r;
	r = vfs_mkdirat(&ap.ps, ap.path, fs_create_mode(mode, 01777));
	at_path_put(&ap);
	return r;
}
SYSCALL_REGISTER(258, mkdirat, sys_mkdirat);

static long sys_mkdir(const char __user *path, u32 mode)
{
	return sys_mkdirat(AT_FDCWD, path, mode);
}
SYSCALL_REGISTER(83, mkdir, sys_mkdir);

static long sys_unlinkat(int dirfd, const char __user *upath, int flags)
{
	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	struct at_path ap;
	int r = at_path_get(dirfd, upath, false, &ap);
	if (r)
		return r;
	r = vfs_unlinkat(&ap.ps, ap.path, flags);
	at_path_put(&ap);
	return r;
}
SYSCALL_REGISTER(263, unlinkat, sys_unlinkat);

static long sys_unlink(const char __user *path)
{
	return sys_unlinkat(AT_FDCWD, path, 0);
}
SYSCALL_REGISTER(87, unlink, sys_unlink);

static long sys_rmdir(const char __user *path)
{
	return sys_unlinkat(AT_FDCWD, path, AT_REMOVEDIR);
}
SYSCALL_REGISTER(84, rmdir, sys_rmdir);

static long sys_renameat2(int olddirfd, const char __user *oldpath, int newdirfd,
			  const char __user *newpath, unsigned flags)
{
	struct at_path from, to;
	int r = at_path_get(olddirfd, oldpath, false, &from);
	if (r)
		return r;
	if (!(r = at_path_get(newdirfd, newpath, false, &to))) {
		r = vfs_renameat(&from.ps, from.path, &to.ps, to.path, flags);
		at_path_put(&to);
	}
	at_path_put(&from);
	return r;
}
SYSCALL_REGISTER(316, renameat2, sys_renameat2);

static long sys_renameat(int olddirfd, const char __user *oldpath, int newdirfd,
			 const char __user *newpath)
{
	return sys_renameat2(olddirfd, oldpath, newdirfd, newpath, 0);
}
SYSCALL_REGISTER(264, renameat, sys_renameat);

static long sys_rename(const char __user *oldpath, const char __user *newpath)
{
	return sys_renameat2(AT_FDCWD, oldpath, AT_FDCWD, newpath, 0);
}
SYSCALL_REGISTER(82, rename, sys_rename);

static long sys_linkat(int olddirfd, const char __user *oldpath, int newdirfd,
		       const char __user *newpath, int flags)
{
	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	struct at_path from, to;
	int r = at_path_get(olddirfd, oldpath, flags & AT_EMPTY_PATH, &from);
	if (r)
		return r;
	if (!(r = at_path_get(newdirfd, newpath, false, &to))) {
		r = vfs_linkat(&from.ps, from.path, &to.ps, to.path, flags);
		at_path_put(&to);
	}
	at_path_put(&from);
	return r;
}
SYSCALL_REGISTER(265, linkat, sys_linkat);

static long sys_link(const char __user *oldpath, const char __user *newpath)
{
	return sys_linkat(AT_FDCWD, oldpath, AT_FDCWD, newpath, 0);
}
SYSCALL_REGISTER(86, link, sys_link);

static long sys_symlinkat(const char __user *utarget, int newdirfd, const char __user *linkpath)
{
	char *target;
	int r = user_path_get(utarget, false, &target);
	if (r)
		return r;
	struct at_path ap;
	if (!(r = at_path_get(newdirfd, linkpath, false, &ap))) {
		r = vfs_symlinkat(target, &ap.ps, ap.path);
		at_path_put(&ap);
	}
	user_path_put(target);
	return r;
}
SYSCALL_REGISTER(266, symlinkat, sys_symlinkat);

static long sys_symlink(const char __user *target, const char __user *linkpath)
{
	return sys_symlinkat(target, AT_FDCWD, linkpath);
}
SYSCALL_REGISTER(88, symlink, sys_symlink);

/* An empty path reads the symlink dirfd names (opened with O_PATH|O_NOFOLLOW). */
static long sys_readlinkat(int dirfd, const char __user *upath, char __user *buf, int bufsiz)
{
	if (bufsiz <= 0)
		return -EINVAL;
	struct at_path ap;
	int r = at_path_get(dirfd, upath, dirfd != AT_FDCWD, &ap);
	if (r)
		return r;
	size_t len = MIN((size_t)bufsiz, PATH_MAX);
	char *kbuf = kmalloc(len, 0);
	ssize_t n = kbuf ? vfs_readlinkat(&ap.ps, ap.path, kbuf, len) : -ENOMEM;
	if (n > 0 && copy_to_user(buf, kbuf, n))
		n = -EFAULT;
	kfree(kbuf);
	at_path_put(&ap);
	return n;
}
SYSCALL_REGISTER(267, readlinkat, sys_readlinkat);

static long sys_readlink(const char __user *path, char __user *buf, int bufsiz)
{
	return sys_readlinkat(AT_FDCWD, path, buf, bufsiz);
}
SYSCALL_REGISTER(89, readlink, sys_readlink);

static long sys_fchmodat(int dirfd, const char __user *upath, u32 mode)
{
	struct at_path ap;
	int r = at_path_get(dirfd, upath, false, &ap);
	if (r)
		return r;
	r = vfs_chmodat(&ap.ps, ap.path, mode, 0);
	at_path_put(&ap);
	return r;
}
SYSCALL_REGISTER(268, fchmodat, sys_fchmodat);

static long sys_chmod(const char __user *path, u32 mode)
{
	return sys_fchmodat(AT_FDCWD, path, mode);
}
SYSCALL_REGISTER(90, chmod, sys_chmod);

static long sys_fchmod(int fd, u32 mode)
{
	struct file *f = fd_file_io(fd);
	if (!f)
		return -EBADF;
	int r = vfs_chmod_inode(f->inode, mode);
	file_put(f);
	return r;
}
SYSCALL_REGISTER(91, fchmod, sys_fchmod);

static long sys_faccessat2(int dirfd, const char __user *upath, int mode, int flags)
{
	if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (mode & ~(R_OK | W_OK | X_OK))
		return -EINVAL;
	struct at_path ap;
	int r = at_path_get(dirfd, upath, flags & AT_EMPTY_PATH, &ap);
	if (r)
		return r;
	r = vfs_accessat(&ap.ps, ap.path, mode, flags & (AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH));
	at_path_put(&ap);
	return r;
}
SYSCALL_REGISTER(439, faccessat2, sys_faccessat2);

static long sys_faccessat(int dirfd, const char __user *path, int mode)
{
	return sys_faccessat2(dirfd, path, mode, 0);
}
SYSCALL_REGISTER(269, faccessat, sys_faccessat);

static long sys_access(const char __user *path, int mode)
{
	return sys_faccessat2(AT_FDCWD, path, mode, 0);
}
SYSCALL_REGISTER(21, access, sys_access);

static long sys_truncate(const char __user *upath, s64 length)
{
	if (length < 0)
		return -EINVAL;
	struct at_path ap;
	int r = at_path_get(AT_FDCWD, upath, false, &ap);
	if (r)
		return r;
	r = vfs_truncateat(&ap.ps, ap.path, length);
	at_path_put(&ap);
	return r;
}
SYSCALL_REGISTER(76, truncate, sys_truncate);

static long sys_ftruncate(int fd, s64 length)
{
	struct file *f = fd_file_io(fd);
	if (!f)
		return -EBADF;
	int r = vfs_ftruncate(f, length);
	file_put(f);
	return r;
}
SYSCALL_REGISTER(77, ftruncate, sys_ftruncate);

static long sys_umask(u32 mask)
{
	return fs_umask_swap(current->fs, mask);
}
SYSCALL_REGISTER(95, umask, sys_umask);
