/* Reader for cpio "newc" archives (the initramfs format). Pure: no allocation. */
#pragma once
#include <types.h>

struct cpio_entry {
	const char *name;  /* not NUL-terminated beyond name_len; leading "./" kept */
	size_t name_len;   /* without the terminating NUL */
	u32 mode;          /* st_mode: type and permission bits */
	u32 uid, gid, nlink;
	u64 mtime;
	u32 ino;
	const void *data;  /* file contents or symlink target */
	size_t len_bytes;
};

/*
 * Decode the entry at *off in archive[0, len). Returns 1 and advances *off on
 * success, 0 at the TRAILER!!! entry, -EINVAL if the archive is malformed
 * (bad magic, a field that is not hex, sizes that run past the end).
 */
int cpio_next(const void *archive, size_t len, size_t *off, struct cpio_entry *e);
