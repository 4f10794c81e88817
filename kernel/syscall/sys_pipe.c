/*
 * pipe, pipe2 and the pipe-size fcntls: thin decoders over fs/pipe.c.
 */
#include <fs/fs_syscall.h>
#include <fs/pipe.h>
#include <proc/task.h>
#include <syscall/syscall.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>

/*
 * Both fds are reserved before the user array is written and committed
 * only after, so a bad pointer (-EFAULT) or a full table (-EMFILE) leaves
 * the table as it was; putting the ends then frees the pipe.
 */
static long do_pipe2(int __user *ufds, int flags)
{
	struct files_struct *files = current->files;
	struct file *ends[2];
	if (flags & ~(O_CLOEXEC | O_NONBLOCK))
		return -EINVAL; /* O_DIRECT (packet mode) is not supported */
	long r = pipe_create(flags, &ends[0], &ends[1]);
	if (r)
		return r;
	int fds[2];
	fds[0] = fd_reserve(files, 0, fd_limit(), flags & O_CLOEXEC);
	fds[1] = fds[0] < 0 ? -1 : fd_reserve(files, 0, fd_limit(), flags & O_CLOEXEC);
	r = fds[0] < 0 ? fds[0] : MIN(fds[1], 0);
	if (!r && copy_to_user(ufds, fds, sizeof(fds)))
		r = -EFAULT;
	for (int i = 0; i < 2; i++) {
		if (!r) {
			fd_commit(files, fds[i], ends[i]);
			continue;
		}
		if (fds[i] >= 0)
			fd_unreserve(files, fds[i]);
		file_put(ends[i]);
	}
	return r;
}

static long sys_pipe(int __user *fds)
{
	return do_pipe2(fds, 0);
}
SYSCALL_REGISTER(22, pipe, sys_pipe);

static long sys_pipe2(int __user *fds, int flags)
{
	return do_pipe2(fds, flags);
}
SYSCALL_REGISTER(293, pipe2, sys_pipe2);

long fcntl_pipe(int fd, int cmd, u64 arg)
{
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	long r = pipe_fcntl(f, cmd, arg);
	file_put(f);
	return r;
}
