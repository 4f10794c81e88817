/* Linux x86-64 file types, mode bits, struct stat and struct statx. */
#pragma once
#include <types.h>

#define S_IFMT	 0170000
#define S_IFSOCK 0140000
#define S_IFLNK	 0120000
#define S_IFREG	 0100000
#define S_IFBLK	 0060000
#define S_IFDIR	 0040000
#define S_IFCHR	 0020000
#define S_IFIFO	 0010000
#define S_ISUID	 04000
#define S_ISGID	 02000
#define S_ISVTX	 01000
#define S_IRWXU	 00700
#define S_IXUSR	 00100
#define S_IXGRP	 00010
#define S_IXOTH	 00001

#define S_ISLNK(m)  (((m)&S_IFMT) == S_IFLNK)
#define S_ISREG(m)  (((m)&S_IFMT) == S_IFREG)
#define S_ISDIR(m)  (((m)&S_IFMT) == S_IFDIR)
#define S_ISCHR(m)  (((m)&S_IFMT) == S_IFCHR)
#define S_ISBLK(m)  (((m)&S_IFMT) == S_IFBLK)
#define S_ISFIFO(m) (((m)&S_IFMT) == S_IFIFO)
#define S_ISSOCK(m) (((m)&S_IFMT) == S_IFSOCK)

/* Device numbers as Linux encodes them in st_dev/st_rdev (new_encode_dev). */
static inline u64 makedev(u32 major, u32 minor)
{
	return (minor & 0xffu) | ((u64)major << 8) | ((u64)(minor & ~0xffu) << 12);
}
static inline u32 dev_major(u64 dev)
{
	return (dev >> 8) & 0xfff;
}
static inline u32 dev_minor(u64 dev)
{
	return (dev & 0xff) | ((dev >> 12) & 0xfff00);
}

/* struct stat for x86-64 (stat, fstat, lstat, newfstatat): 144 bytes. */
struct stat {
	u64 st_dev;
	u64 st_ino;
	u64 st_nlink;
	u32 st_mode;
	u32 st_uid;
	u32 st_gid;
	u32 __pad0;
	u64 st_rdev;
	s64 st_size;
	s64 st_blksize;
	s64 st_blocks; /* 512-byte units */
	s64 st_atime_sec;
	u64 st_atime_nsec;
	s64 st_mtime_sec;
	u64 st_mtime_nsec;
	s64 st_ctime_sec;
	u64 st_ctime_nsec;
	s64 __reserved[3];
};
STATIC_ASSERT(sizeof(struct stat) == 144);

struct statx_timestamp {
	s64 tv_sec;
	u32 tv_nsec;
	s32 __reserved;
};

/* struct statx: 256 bytes. */
struct statx {
	u32 stx_mask;
	u32 stx_blksize;
	u64 stx_attributes;
	u32 stx_nlink;
	u32 stx_uid;
	u32 stx_gid;
	u16 stx_mode;
	u16 __spare0;
	u64 stx_ino;
	u64 stx_size;
	u64 stx_blocks;
	u64 stx_attributes_mask;
	struct statx_timestamp stx_atime;
	struct statx_timestamp stx_btime;
	struct statx_timestamp stx_ctime;
	struct statx_timestamp stx_mtime;
	u32 stx_rdev_major;
	u32 stx_rdev_minor;
	u32 stx_dev_major;
	u32 stx_dev_minor;
	u64 stx_mnt_id;
	u32 stx_dio_mem_align;
	u32 stx_dio_offset_align;
	u64 __spare3[12];
};
STATIC_ASSERT(sizeof(struct statx) == 256);

#define STATX_TYPE	  0x0001u
#define STATX_MODE	  0x0002u
#define STATX_NLINK	  0x0004u
#define STATX_UID	  0x0008u
#define STATX_GID	  0x0010u
#define STATX_ATIME	  0x0020u
#define STATX_MTIME	  0x0040u
#define STATX_CTIME	  0x0080u
#define STATX_INO	  0x0100u
#define STATX_SIZE	  0x0200u
#define STATX_BLOCKS	  0x0400u
#define STATX_BASIC_STATS 0x07ffu
#define STATX_BTIME	  0x0800u
#define STATX_MNT_ID	  0x1000u
#define STATX__RESERVED	  0x80000000u
