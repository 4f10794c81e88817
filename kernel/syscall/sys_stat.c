/*
 * stat, fstat, lstat, newfstatat and statx: look the inode up, take its
 * metadata as a struct kstat, lay it out as Linux x86-64 does and copy it
 * out.
 */
#include <fs/fs_syscall.h>
#include <lib/string.h>
#include <syscall/syscall.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>

#define FSTATAT_FLAGS (AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT)
#define STATX_FLAGS   (FSTATAT_FLAGS | AT_STATX_SYNC_TYPE)
/* What statx always reports: everything but the birth time. */
#define STATX_PROVIDED (STATX_BASIC_STATS | STATX_MNT_ID)
#define RAMFS_MNT_ID   1 /* the one mount */

static int stat_copy_out(const struct kstat *k, struct stat __user *ubuf)
{
	struct stat st;
	memset(&st, 0, sizeof(st));
	st.st_dev = k->dev;
	st.st_ino = k->ino;
	st.st_nlink = k->nlink;
	st.st_mode = k->mode;
	st.st_uid = k->uid;
	st.st_gid = k->gid;
	st.st_rdev = k->rdev;
	st.st_size = k->size;
	st.st_blksize = k->blksize;
	st.st_blocks = k->blocks;
	st.st_atime_sec = k->atime.tv_sec;
	st.st_atime_nsec = k->atime.tv_nsec;
	st.st_mtime_sec = k->mtime.tv_sec;
	st.st_mtime_nsec = k->mtime.tv_nsec;
	st.st_ctime_sec = k->ctime.tv_sec;
	st.st_ctime_nsec = k->ctime.tv_nsec;
	return copy_to_user(ubuf, &st, sizeof(st)) ? -EFAULT : 0;
}

/* The kstat of dirfd + path, per AT_SYMLINK_NOFOLLOW and AT_EMPTY_PATH. */
static int stat_at(int dirfd, const char __user *upath, int flags, struct kstat *k)
{
	struct at_path ap;
	int r = at_path_get(dirfd, upath, flags & AT_EMPTY_PATH, &ap);
	if (r)
		return r;
	r = vfs_statat(&ap.ps, ap.path, flags & (AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH), k);
	at_path_put(&ap);
	return r;
}

static long sys_newfstatat(int dirfd, const char __user *path, struct stat __user *buf, int flags)
{
	struct kstat k;
	if (flags & ~FSTATAT_FLAGS)
		return -EINVAL;
	int r = stat_at(dirfd, path, flags, &k);
	return r ? r : stat_copy_out(&k, buf);
}
SYSCALL_REGISTER(262, newfstatat, sys_newfstatat);

static long sys_stat(const char __user *path, struct stat __user *buf)
{
	return sys_newfstatat(AT_FDCWD, path, buf, 0);
}
SYSCALL_REGISTER(4, stat, sys_stat);

static long sys_lstat(const char __user *path, struct stat __user *buf)
{
	return sys_newfstatat(AT_FDCWD, path, buf, AT_SYMLINK_NOFOLLOW);
}
SYSCALL_REGISTER(6, lstat, sys_lstat);

/* fstat works on O_PATH files too. */
static long sys_fstat(int fd, struct stat __user *buf)
{
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	struct kstat k;
	inode_stat(f->inode, &k);
	file_put(f);
	return stat_copy_out(&k, buf);
}
SYSCALL_REGISTER(5, fstat, sys_fstat);

static struct statx_timestamp statx_time(struct timespec t)
{
	return (struct statx_timestamp){ .tv_sec = t.tv_sec, .tv_nsec = t.tv_nsec };
}

static int statx_copy_out(const struct kstat *k, struct statx __user *ubuf)
{
	struct statx sx;
	memset(&sx, 0, sizeof(sx));
	sx.stx_mask = STATX_PROVIDED;
	sx.stx_blksize = k->blksize;
	sx.stx_nlink = k->nlink;
	sx.stx_uid = k->uid;
	sx.stx_gid = k->gid;
	sx.stx_mode = k->mode;
	sx.stx_ino = k->ino;
	sx.stx_size = k->size;
	sx.stx_blocks = k->blocks;
	sx.stx_atime = statx_time(k->atime);
	sx.stx_ctime = statx_time(k->ctime);
	sx.stx_mtime = statx_time(k->mtime);
	sx.stx_rdev_major = dev_major(k->rdev);
	sx.stx_rdev_minor = dev_minor(k->rdev);
	sx.stx_dev_major = dev_major(k->dev);
	sx.stx_dev_minor = dev_minor(k->dev);
	sx.stx_mnt_id = RAMFS_MNT_ID;
	return copy_to_user(ubuf, &sx, sizeof(sx)) ? -EFAULT : 0;
}

static long sys_statx(int dirfd, const char __user *path, int flags, u32 mask,
		      struct statx __user *buf)
{
	if ((flags & ~STATX_FLAGS) || (flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE)
		return -EINVAL;
	if (mask & STATX__RESERVED)
		return -EINVAL;
	struct kstat k;
	int r = stat_at(dirfd, path, flags, &k);
	return r ? r : statx_copy_out(&k, buf);
}
SYSCALL_REGISTER(332, statx, sys_statx);
