/*
 * flock and the fcntl lock commands: thin decoders over fs/locks.c.
 */
#include <fs/fs_syscall.h>
#include <fs/locks.h>
#include <proc/task.h>
#include <syscall/syscall.h>
#include <uapi/errno.h>

/* F_GETLK / F_OFD_GETLK: read the question, write back the answer. */
static long fcntl_getlk(struct file *f, bool is_ofd, struct flock __user *ufl)
{
	struct flock fl;
	if (copy_from_user(&fl, ufl, sizeof(fl)))
		return -EFAULT;
	long r = locks_getlk(f, is_ofd, &fl);
	if (!r && copy_to_user(ufl, &fl, sizeof(fl)))
		r = -EFAULT;
	return r;
}

/*
 * F_SETLK, F_SETLKW and the OFD forms. A POSIX lock set while another
 * thread closed fd would miss the release that close does: if fd no
 * longer refers to f afterwards, the release is done again here.
 */
static long fcntl_setlk(int fd, struct file *f, int cmd, struct flock __user *ufl)
{
	bool is_ofd = cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;
	struct flock fl;
	if (copy_from_user(&fl, ufl, sizeof(fl)))
		return -EFAULT;
	long r = locks_setlk(f, is_ofd, cmd == F_SETLKW || cmd == F_OFD_SETLKW, &fl);
	if (r || is_ofd)
		return r;
	struct file *now = fd_get(current->files, fd);
	if (now != f)
		locks_remove_posix(f, current->files);
	if (now)
		file_put(now);
	return r;
}

/* O_PATH descriptors cannot lock (-EBADF), as on Linux. */
long fcntl_lock(int fd, int cmd, u64 arg)
{
	struct file *f = fd_file_io(fd);
	if (!f)
		return -EBADF;
	struct flock __user *ufl = (struct flock __user *)arg;
	long r;
	if (cmd == F_GETLK || cmd == F_OFD_GETLK)
		r = fcntl_getlk(f, cmd == F_OFD_GETLK, ufl);
	else
		r = fcntl_setlk(fd, f, cmd, ufl);
	file_put(f);
	return r;
}

static long sys_flock(int fd, int op)
{
	struct file *f = fd_file_io(fd);
	if (!f)
		return -EBADF;
	long r = locks_flock(f, op);
	file_put(f);
	return r;
}
SYSCALL_REGISTER(73, flock, sys_flock);
