/*
 * Argument helpers for the file system calls (include/fs/fs_syscall.h).
 */
#include <fs/fs_syscall.h>
#include <mm/kmalloc.h>
#include <proc/task.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>

#define RLIMIT_NOFILE 7 /* index of the open-files limit in task->rlim_cur */

int user_path_get(const char __user *upath, bool is_empty_ok, char **out)
{
	char *path = kmalloc(PATH_MAX, 0);
	if (!path)
		return -ENOMEM;
	long n = 0;
	if (upath || !is_empty_ok)
		n = strncpy_from_user(path, upath, PATH_MAX);
	else
		path[0] = 0;
	if (n == 0 && !is_empty_ok)
		n = -ENOENT;
	if (n < 0) {
		kfree(path);
		return n;
	}
	*out = path;
	return 0;
}

void user_path_put(char *path)
{
	kfree(path);
}

/* Replace ps->dir with dirfd's inode, which must be a directory unless the path is "". */
static int at_start_from_fd(int dirfd, const char *path, struct path_start *ps)
{
	struct file *f = fd_file(dirfd);
	if (!f)
		return -EBADF;
	int r = 0;
	if (path[0] && !S_ISDIR(f->inode->mode)) {
		r = -ENOTDIR;
	} else {
		inode_put(ps->dir);
		ps->dir = inode_get(f->inode);
	}
	file_put(f);
	return r;
}

int at_path_get(int dirfd, const char __user *upath, bool is_empty_ok, struct at_path *ap)
{
	int r = user_path_get(upath, is_empty_ok, &ap->path);
	if (r)
		return r;
	fs_path_start(current->fs, &ap->ps);
	if (ap->path[0] == '/' || dirfd == AT_FDCWD)
		return 0;
	if ((r = at_start_from_fd(dirfd, ap->path, &ap->ps))) {
		at_path_put(ap);
		return r;
	}
	return 0;
}

void at_path_put(struct at_path *ap)
{
	path_start_put(&ap->ps);
	user_path_put(ap->path);
}

int fd_limit(void)
{
	u64 lim = current->rlim_cur[RLIMIT_NOFILE];
	return lim > FD_MAX ? FD_MAX : (int)lim;
}

struct file *fd_file(int fd)
{
	return fd_get(current->files, fd);
}

struct file *fd_file_io(int fd)
{
	struct file *f = fd_get(current->files, fd);
	if (f && (READ_ONCE(f->flags) & O_PATH)) {
		file_put(f);
		return NULL;
	}
	return f;
}
