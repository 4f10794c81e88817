/*
 * Ownership, timestamps, device nodes, syncing and filesystem statistics:
 * chown family, utimensat, mknod(at), fsync family, statfs/fstatfs.
 * Everything lives in memory, so syncing has nothing to do.
 */
#include <fs/fs_syscall.h>
#include <lib/string.h>
#include <mm/page.h>
#include <proc/task.h>
#include <syscall/syscall.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>

#define UTIME_NOW   ((1l << 30) - 1)
#define UTIME_OMIT  ((1l << 30) - 2)
#define RAMFS_MAGIC 0x858458f6

struct statfs {
	s64 f_type;
	s64 f_bsize;
	u64 f_blocks, f_bfree, f_bavail, f_files, f_ffree;
	s32 f_fsid[2];
	s64 f_namelen;
	s64 f_frsize;
	s64 f_flags;
	s64 f_spare[4];
};
STATIC_ASSERT(sizeof(struct statfs) == 120);

/* The inode dirfd + path names (AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH honoured). */
static struct inode *attr_inode_at(int dirfd, const char __user *upath, int flags)
{
	struct at_path ap;
	int r = at_path_get(dirfd, upath, flags & AT_EMPTY_PATH, &ap);
	if (r)
		return ERR_PTR(r);
	struct inode *inode =
	    vfs_lookupat(&ap.ps, ap.path, flags & (AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH));
	at_path_put(&ap);
	return inode;
}

static long sys_fchownat(int dirfd, const char __user *path, u32 uid, u32 gid, int flags)
{
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	struct inode *inode = attr_inode_at(dirfd, path, flags);
	if (IS_ERR(inode))
		return PTR_ERR(inode);
	int r = vfs_chown_inode(inode, uid, gid);
	inode_put(inode);
	return r;
}
SYSCALL_REGISTER(260, fchownat, sys_fchownat);

static long sys_chown(const char __user *path, u32 uid, u32 gid)
{
	return sys_fchownat(AT_FDCWD, path, uid, gid, 0);
}
SYSCALL_REGISTER(92, chown, sys_chown);

static long sys_lchown(const char __user *path, u32 uid, u32 gid)
{
	return sys_fchownat(AT_FDCWD, path, uid, gid, AT_SYMLINK_NOFOLLOW);
}
SYSCALL_REGISTER(94, lchown, sys_lchown);

static long sys_fchown(int fd, u32 uid, u32 gid)
{
	struct file *f = fd_file_io(fd);
	if (!f)
		return -EBADF;
	int r = vfs_chown_inode(f->inode, uid, gid);
	file_put(f);
	return r;
}
SYSCALL_REGISTER(93, fchown, sys_fchown);

/* Resolve one utimensat time: UTIME_NOW, UTIME_OMIT (NULL) or a valid time. */
static int utime_decode(struct timespec *t, struct timespec now, struct timespec **out)
{
	if (t->tv_nsec == UTIME_OMIT) {
		*out = NULL;
		return 0;
	}
	if (t->tv_nsec == UTIME_NOW)
		*t = now;
	else if (t->tv_nsec < 0 || t->tv_nsec >= 1000000000)
		return -EINVAL;
	*out = t;
	return 0;
}

/* Both times from the user (NULL: both now); set_a and set_m are NULL when omitted. */
static int utime_get(const struct timespec __user *utimes, struct timespec t[2],
		     struct timespec **set_a, struct timespec **set_m)
{
	struct timespec now = vfs_now();
	if (!utimes) {
		t[0] = t[1] = now;
		*set_a = &t[0], *set_m = &t[1];
		return 0;
	}
	if (copy_from_user(t, utimes, 2 * sizeof(*t)))
		return -EFAULT;
	int r = utime_decode(&t[0], now, set_a);
	return r ? r : utime_decode(&t[1], now, set_m);
}

/* A NULL path means dirfd itself (futimens). */
static long sys_utimensat(int dirfd, const char __user *path, const struct timespec __user *utimes,
			  int flags)
{
	struct timespec t[2], *set_a, *set_m;
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	int r = utime_get(utimes, t, &set_a, &set_m);
	if (r)
		return r;
	if (!path)
		flags |= AT_EMPTY_PATH;
	struct inode *inode = attr_inode_at(dirfd, path, flags);
	if (IS_ERR(inode))
		return PTR_ERR(inode);
	r = vfs_utimes_inode(inode, set_a, set_m);
	inode_put(inode);
	return r;
}
SYSCALL_REGISTER(280, utimensat, sys_utimensat);

/* Regular files and device nodes; FIFOs and sockets need pipes and sockets first. */
static long sys_mknodat(int dirfd, const char __user *upath, u32 mode, u32 dev)
{
	u32 type = mode & S_IFMT;
	if (type == 0)
		type = S_IFREG;
	if (type != S_IFREG && type != S_IFCHR && type != S_IFBLK)
		return type == S_IFIFO || type == S_IFSOCK ? -EPERM : -EINVAL;
	struct at_path ap;
	int r = at_path_get(dirfd, upath, false, &ap);
	if (r)
		return r;
	u32 perm = mode & 07777 & ~fs_umask(current->fs);
	/* The 32-bit dev argument is already in st_rdev's encoding. */
	r = vfs_mknodat(&ap.ps, ap.path, type | perm, type == S_IFREG ? 0 : dev);
	at_path_put(&ap);
	return r;
}
SYSCALL_REGISTER(259, mknodat, sys_mknodat);

static long sys_mknod(const char __user *path, u32 mode, u32 dev)
{
	return sys_mknodat(AT_FDCWD, path, mode, dev);
}
SYSCALL_REGISTER(133, mknod, sys_mknod);

/* fsync, fdatasync, syncfs: only the fd is checked; the data is already in memory. */
static long sys_fsync(int fd)
{
	struct file *f = fd_file_io(fd);
	if (!f)
		return -EBADF;
	file_put(f);
	return 0;
}
SYSCALL_REGISTER(74, fsync, sys_fsync);
SYSCALL_REGISTER(75, fdatasync, sys_fsync);
SYSCALL_REGISTER(306, syncfs, sys_fsync);

static long sys_sync(void)
{
	return 0;
}
SYSCALL_REGISTER(162, sync, sys_sync);

/* ramfs can use all of RAM: report frames as blocks. */
static int statfs_copy_out(struct statfs __user *ubuf)
{
	struct statfs st;
	memset(&st, 0, sizeof(st));
	st.f_type = RAMFS_MAGIC;
	st.f_bsize = st.f_frsize = PAGE_SIZE;
	st.f_blocks = frame_total_count();
	st.f_bfree = st.f_bavail = frame_free_count();
	st.f_namelen = NAME_MAX;
	return copy_to_user(ubuf, &st, sizeof(st)) ? -EFAULT : 0;
}

static long sys_statfs(const char __user *path, struct statfs __user *buf)
{
	struct inode *inode = attr_inode_at(AT_FDCWD, path, 0);
	if (IS_ERR(inode))
		return PTR_ERR(inode);
	inode_put(inode);
	return statfs_copy_out(buf);
}
SYSCALL_REGISTER(137, statfs, sys_statfs);

static long sys_fstatfs(int fd, struct statfs __user *buf)
{
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	file_put(f);
	return statfs_copy_out(buf);
}
SYSCALL_REGISTER(138, fstatfs, sys_fstatfs);
