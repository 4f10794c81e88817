/*
 * Helpers shared by the file system calls (kernel/syscall/sys_*.c): user
 * paths copied into kernel buffers, *at() starting points, and fd lookups
 * in current's table. All of them run without any lock held.
 */
#pragma once
#include <fs/vfs.h>
#include <mm/usercopy.h>

/* A user path and where its lookup starts; release with at_path_put. */
struct at_path {
	char *path; /* kmalloc'd copy, NUL-terminated, < PATH_MAX bytes */
	struct path_start ps;
};

/*
 * Copy a user path (-EFAULT, -ENAMETOOLONG; "" is -ENOENT unless
 * is_empty_ok, and then a NULL pointer means "" too) into a PATH_MAX
 * kernel buffer.
 */
int user_path_get(const char __user *upath, bool is_empty_ok, char **out);
void user_path_put(char *path);
/*
 * Copy upath and set up its lookup from current's root and cwd, or from
 * dirfd's directory for a relative path (-EBADF, -ENOTDIR). With an empty
 * path (is_empty_ok: AT_EMPTY_PATH) dirfd may name any file.
 */
int at_path_get(int dirfd, const char __user *upath, bool is_empty_ok, struct at_path *ap);
void at_path_put(struct at_path *ap);

/* current's RLIMIT_NOFILE, capped at FD_MAX: fds must be below it. */
int fd_limit(void);
/* current's open file at fd with a reference, or NULL (the caller's -EBADF). */
struct file *fd_file(int fd);
/* As fd_file, but an O_PATH file does not count: it cannot be read, written or ioctl'd. */
struct file *fd_file_io(int fd);
