/*
 * Pieces of the Linux x86-64 system-call ABI that musl 1.2.3's headers do
 * not provide, written from the man pages (statx(2), arch_prctl(2),
 * rename(2)). Tests call these through syscall(2).
 */
#pragma once
#include <stdint.h>

/* arch_prctl(2) codes. */
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003

/* renameat2(2) flags. */
#define RENAME_NOREPLACE (1u << 0)
#define RENAME_EXCHANGE	 (1u << 1)

/* statx(2) mask bits. */
#define STATX_TYPE	  0x001u
#define STATX_MODE	  0x002u
#define STATX_NLINK	  0x004u
#define STATX_UID	  0x008u
#define STATX_GID	  0x010u
#define STATX_ATIME	  0x020u
#define STATX_MTIME	  0x040u
#define STATX_CTIME	  0x080u
#define STATX_INO	  0x100u
#define STATX_SIZE	  0x200u
#define STATX_BLOCKS	  0x400u
#define STATX_BASIC_STATS 0x7ffu

struct statx_timestamp {
	int64_t tv_sec;
	uint32_t tv_nsec;
	int32_t reserved;
};

/* The 256-byte record statx(2) fills in. */
struct statx {
	uint32_t stx_mask;
	uint32_t stx_blksize;
	uint64_t stx_attributes;
	uint32_t stx_nlink;
	uint32_t stx_uid;
	uint32_t stx_gid;
	uint16_t stx_mode;
	uint16_t spare0;
	uint64_t stx_ino;
	uint64_t stx_size;
	uint64_t stx_blocks;
	uint64_t stx_attributes_mask;
	struct statx_timestamp stx_atime, stx_btime, stx_ctime, stx_mtime;
	uint32_t stx_rdev_major, stx_rdev_minor;
	uint32_t stx_dev_major, stx_dev_minor;
	uint64_t spare[14];
};
_Static_assert(sizeof(struct statx) == 256, "struct statx is 256 bytes");
