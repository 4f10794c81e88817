/*
 * cpio "newc" reader. Each entry is a 110-byte ASCII header (magic "070701"
 * then 13 eight-digit hex fields), the NUL-terminated name padded to 4
 * bytes, then the data padded to 4 bytes. The archive ends at "TRAILER!!!".
 * Every length is checked against the archive's end before it is used,
 * so a truncated or hostile archive yields -EINVAL, never a wild read.
 */
#include <lib/cpio.h>
#include <lib/string.h>
#include <uapi/errno.h>

#define CPIO_HDR_LEN   110
#define CPIO_NFIELDS   13

enum cpio_field {
	F_INO, F_MODE, F_UID, F_GID, F_NLINK, F_MTIME, F_FILESIZE,
	F_DEVMAJOR, F_DEVMINOR, F_RDEVMAJOR, F_RDEVMINOR, F_NAMESIZE, F_CHECK,
};

/* Parse 8 hex digits; false if any is not hex. */
static bool cpio_hex8(const char *s, u32 *out)
{
	u32 v = 0;
	for (int i = 0; i < 8; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9' ? c - '0'
			: c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10
					       : -1;
		if (d < 0)
			return false;
		v = v << 4 | (u32)d;
	}
	*out = v;
	return true;
}

static size_t cpio_pad4(size_t x)
{
	return (x + 3) & ~(size_t)3;
}

int cpio_next(const void *archive, size_t len, size_t *off, struct cpio_entry *e)
{
	const char *base = archive;
	u32 f[CPIO_NFIELDS];
	size_t pos = *off;
	if (pos > len || len - pos < CPIO_HDR_LEN || memcmp(base + pos, "070701", 6) != 0)
		return -EINVAL;
	for (int i = 0; i < CPIO_NFIELDS; i++)
		if (!cpio_hex8(base + pos + 6 + 8 * i, &f[i]))
			return -EINVAL;
	size_t name_end = pos + CPIO_HDR_LEN + f[F_NAMESIZE];
	if (f[F_NAMESIZE] == 0 || f[F_NAMESIZE] > len || name_end > len || base[name_end - 1] != 0)
		return -EINVAL;
	size_t data = cpio_pad4(name_end);
	if (data > len || f[F_FILESIZE] > len - data)
		return -EINVAL;
	*e = (struct cpio_entry){
		.name = base + pos + CPIO_HDR_LEN,
		.name_len = f[F_NAMESIZE] - 1,
		.mode = f[F_MODE],
		.uid = f[F_UID],
		.gid = f[F_GID],
		.nlink = f[F_NLINK],
		.mtime = f[F_MTIME],
		.ino = f[F_INO],
		.data = base + data,
		.len_bytes = f[F_FILESIZE],
	};
	if (e->name_len == 10 && memcmp(e->name, "TRAILER!!!", 10) == 0)
		return 0;
	*off = cpio_pad4(data + f[F_FILESIZE]);
	return 1;
}
