/*
 * getdents64, getcwd, chdir, fchdir: directory listing and the current
 * directory.
 */
#include <fs/fs_syscall.h>
#include <mm/kmalloc.h>
#include <mm/layout.h>
#include <proc/task.h>
#include <syscall/syscall.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>

/* One page of records per call; the offset moves only if they reach the user. */
static long sys_getdents64(int fd, void __user *dirp, unsigned count)
{
	struct file *f = fd_file_io(fd);
	if (!f)
		return -EBADF;
	size_t len = MIN(count, PAGE_SIZE);
	char *kbuf = NULL;
	ssize_t n = -EFAULT;
	if (!user_range_ok((u64)dirp, count))
		goto put_file;
	n = -ENOMEM;
	if (!(kbuf = kmalloc(MAX(len, 1), 0)))
		goto put_file;
	u64 pos = file_pos_get(f);
	n = vfs_getdents(f, kbuf, len, &pos);
	if (n > 0 && copy_to_user(dirp, kbuf, n))
		n = -EFAULT;
	else if (n >= 0)
		file_pos_set(f, pos);
put_file:
	kfree(kbuf);
	file_put(f);
	return n;
}
SYSCALL_REGISTER(217, getdents64, sys_getdents64);

/* The length of the path including its NUL, like the Linux system call. */
static long sys_getcwd(char __user *buf, size_t size)
{
	struct path_start ps;
	char *kbuf = kmalloc(PATH_MAX, 0);
	if (!kbuf)
		return -ENOMEM;
	fs_path_start(current->fs, &ps);
	ssize_t n = vfs_getcwd(ps.root, ps.dir, kbuf, MIN(size, PATH_MAX));
	path_start_put(&ps);
	if (n > 0 && copy_to_user(buf, kbuf, n))
		n = -EFAULT;
	kfree(kbuf);
	return n;
}
SYSCALL_REGISTER(79, getcwd, sys_getcwd);

/* Make inode the cwd if it is a directory; the caller's reference is dropped. */
static long fs_chdir_inode(struct inode *inode)
{
	long r = 0;
	if (S_ISDIR(inode->mode))
		fs_set_cwd(current->fs, inode);
	else
		r = -ENOTDIR;
	inode_put(inode);
	return r;
}

static long sys_chdir(const char __user *upath)
{
	struct at_path ap;
	int r = at_path_get(AT_FDCWD, upath, false, &ap);
	if (r)
		return r;
	struct inode *inode = vfs_lookupat(&ap.ps, ap.path, 0);
	at_path_put(&ap);
	if (IS_ERR(inode))
		return PTR_ERR(inode);
	return fs_chdir_inode(inode);
}
SYSCALL_REGISTER(80, chdir, sys_chdir);

/* O_PATH directories work too. */
static long sys_fchdir(int fd)
{
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	struct inode *inode = inode_get(f->inode);
	file_put(f);
	return fs_chdir_inode(inode);
}
SYSCALL_REGISTER(81, fchdir, sys_fchdir);
