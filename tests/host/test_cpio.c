// HOSTSRC: kernel/lib/cpio.c
/*
 * Host unit test of the initramfs reader (kernel/lib/cpio.c), built with
 * ASan and UBSan. Every archive under test sits in a heap block of exactly
 * its own length, so any read past the end is caught by ASan, not just by
 * the assertions. The memcmp the reader uses comes from the host libc.
 */
#include <lib/cpio.h>
#include <uapi/errno.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"

#define HDR_LEN	     110
#define MAX_ENTRIES  64
#define FIELD_NAMESZ 11 /* index of c_namesize among the 13 header fields */
#define FIELD_FILESZ 6	/* index of c_filesize */

static volatile unsigned byte_sink; /* keeps walk()'s reads from being optimised away */

struct archive {
	unsigned char *buf;
	size_t len;
};

/* A heap copy of bytes[0, len) with nothing readable after it. */
static unsigned char *exact_copy(const void *bytes, size_t len)
{
	unsigned char *p = malloc(len ? len : 1);
	if (!p)
		abort();
	memcpy(p, bytes, len);
	return p;
}

/* Append a newc header, name and data for one entry (fields given in order). */
static void put_entry(struct archive *a, const char *name, u32 mode, const void *data, size_t len)
{
	size_t namesz = strlen(name) + 1;
	size_t need = a->len + HDR_LEN + namesz + 3 + len + 3;
	a->buf = realloc(a->buf, need);
	if (!a->buf)
		abort();
	int n = sprintf((char *)a->buf + a->len,
			"070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X", 1u, mode,
			0u, 0u, 1u, 0u, len, 0u, 0u, 0u, 0u, namesz, 0u);
	a->len += n;
	memcpy(a->buf + a->len, name, namesz);
	a->len += namesz;
	while (a->len % 4)
		a->buf[a->len++] = 0;
	memcpy(a->buf + a->len, data, len);
	a->len += len;
	while (a->len % 4)
		a->buf[a->len++] = 0;
}

static void put_trailer(struct archive *a)
{
	put_entry(a, "TRAILER!!!", 0, "", 0);
}

/* Overwrite header field idx (0-based, after the magic) of the entry at off. */
static void set_field(unsigned char *buf, size_t off, int idx, const char *eight)
{
	memcpy(buf + off + 6 + 8 * idx, eight, 8);
}

/*
 * Walk the whole archive. Touches every byte of every entry's name and data,
 * so an entry pointing outside the buffer trips ASan. Returns the final
 * cpio_next result (0 at the trailer, -EINVAL if malformed); *nentries gets
 * the entries seen. Bounded: a reader that never advances is a failure.
 */
static int walk(const unsigned char *buf, size_t len, int *nentries)
{
	size_t off = 0;
	struct cpio_entry e;
	unsigned sum = 0;
	int r, n = 0;
	while ((r = cpio_next(buf, len, &off, &e)) > 0) {
		for (size_t i = 0; i < e.name_len; i++)
			sum += (unsigned char)e.name[i];
		for (size_t i = 0; i < e.len_bytes; i++)
			sum += ((const unsigned char *)e.data)[i];
		if (++n > 100000)
			return -1000;
	}
	byte_sink += sum;
	*nentries = n;
	return r;
}

/* Run `cpio -o -H newc` in a fresh directory holding a few kinds of file. */
static int make_real_archive(struct archive *a, char *dir)
{
	char cmd[512];
	if (!mkdtemp(dir))
		return -1;
	snprintf(cmd, sizeof(cmd),
		 "cd %s && mkdir sub && printf hello > sub/five && : > empty && "
		 "head -c 1001 /dev/zero | tr '\\0' x > big && ln -s sub/five link && "
		 "printf '%%s\\n' sub sub/five empty big link | cpio -o -H newc --quiet",
		 dir);
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1;
	unsigned char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0) {
		a->buf = realloc(a->buf, a->len + n);
		memcpy(a->buf + a->len, chunk, n);
		a->len += n;
	}
	return pclose(p) == 0 && a->len > 0 ? 0 : -1;
}

/* The entry named name in the archive, or a zeroed entry. */
static struct cpio_entry find_entry(const struct archive *a, const char *name)
{
	size_t off = 0;
	struct cpio_entry e;
	while (cpio_next(a->buf, a->len, &off, &e) > 0)
		if (e.name_len == strlen(name) && memcmp(e.name, name, e.name_len) == 0)
			return e;
	memset(&e, 0, sizeof(e));
	return e;
}

static void test_real_archive(const struct archive *a)
{
	int n = 0;
	TAP_OK(walk(a->buf, a->len, &n) == 0 && n == 5, "real archive: 5 entries, then trailer");
	struct cpio_entry e = find_entry(a, "sub/five");
	TAP_OK(S_ISREG(e.mode) && e.len_bytes == 5 && memcmp(e.data, "hello", 5) == 0,
	       "real archive: regular file contents");
	e = find_entry(a, "sub");
	TAP_OK(S_ISDIR(e.mode) && e.len_bytes == 0, "real archive: directory");
	e = find_entry(a, "link");
	TAP_OK(S_ISLNK(e.mode) && e.len_bytes == 8 && memcmp(e.data, "sub/five", 8) == 0,
	       "real archive: symlink target");
	e = find_entry(a, "big");
	TAP_OK(S_ISREG(e.mode) && e.len_bytes == 1001 && ((const char *)e.data)[1000] == 'x',
	       "real archive: unpadded 1001-byte file");
	e = find_entry(a, "empty");
	TAP_OK(S_ISREG(e.mode) && e.len_bytes == 0, "real archive: empty file");
}

/* Offset just past the trailer's padded name: the shortest complete archive. */
static size_t complete_len(const struct archive *a)
{
	size_t off = 0;
	struct cpio_entry e;
	while (cpio_next(a->buf, a->len, &off, &e) > 0)
		;
	return (size_t)((const unsigned char *)e.data - a->buf);
}

/* Every prefix of the archive: -EINVAL while incomplete, 0 once the trailer fits. */
static void test_truncations(const char *what, const struct archive *a)
{
	size_t need = complete_len(a), bad = 0;
	for (size_t len = 0; len <= a->len; len++) {
		unsigned char *p = exact_copy(a->buf, len);
		int n, r = walk(p, len, &n);
		if (r != (len >= need ? 0 : -EINVAL)) {
			if (!bad++)
				printf("#   length %zu: got %d\n", len, r);
		}
		free(p);
	}
	TAP_OK(bad == 0, "%s: all %zu truncations rejected or complete", what, a->len + 1);
}

/* A small valid archive built by hand: one file then the trailer. */
static struct archive tiny_archive(void)
{
	struct archive a = { 0 };
	put_entry(&a, "etc/qrun.argv", 0100644, "ktest", 6);
	put_trailer(&a);
	return a;
}

/* Result of reading the first entry of a modified copy of the tiny archive. */
static int first_entry_after(void (*mutate)(struct archive *a), size_t *off_after)
{
	struct archive a = tiny_archive();
	mutate(&a);
	unsigned char *p = exact_copy(a.buf, a.len);
	struct cpio_entry e;
	size_t off = 0;
	int r = cpio_next(p, a.len, &off, &e);
	if (off_after)
		*off_after = off;
	free(p);
	free(a.buf);
	return r;
}

static void mut_none(struct archive *a)
{
	(void)a;
}
static void mut_crc_magic(struct archive *a)
{
	memcpy(a->buf, "070702", 6);
}
static void mut_odc_magic(struct archive *a)
{
	memcpy(a->buf, "070707", 6);
}
static void mut_namesize_zero(struct archive *a)
{
	set_field(a->buf, 0, FIELD_NAMESZ, "00000000");
}
static void mut_namesize_huge(struct archive *a)
{
	set_field(a->buf, 0, FIELD_NAMESZ, "FFFFFFFF");
}
/* Name size reaching exactly one byte past the end of the buffer. */
static void mut_namesize_past_end(struct archive *a)
{
	char f[9];
	snprintf(f, sizeof(f), "%08zX", a->len - HDR_LEN + 1);
	set_field(a->buf, 0, FIELD_NAMESZ, f);
}
static void mut_name_no_nul(struct archive *a)
{
	a->buf[HDR_LEN + strlen("etc/qrun.argv")] = 'X';
}
static void mut_filesize_huge(struct archive *a)
{
	set_field(a->buf, 0, FIELD_FILESZ, "FFFFFFFF");
}
static void mut_upper_hex(struct archive *a)
{
	set_field(a->buf, 0, 0, "0000ABCD");
}
static void mut_lower_hex(struct archive *a)
{
	set_field(a->buf, 0, 0, "0000abcd");
}

static void test_malformed_headers(void)
{
	size_t off;
	TAP_OK(first_entry_after(mut_none, &off) == 1 && off == 132, "hand-built entry reads");
	TAP_OK(first_entry_after(mut_crc_magic, &off) == -EINVAL && off == 0,
	       "crc magic 070702 rejected, offset unchanged");
	TAP_OK(first_entry_after(mut_odc_magic, NULL) == -EINVAL, "odc magic 070707 rejected");
	TAP_OK(first_entry_after(mut_namesize_zero, NULL) == -EINVAL, "zero name size rejected");
	TAP_OK(first_entry_after(mut_namesize_huge, NULL) == -EINVAL,
	       "name size 0xffffffff rejected");
	TAP_OK(first_entry_after(mut_namesize_past_end, NULL) == -EINVAL,
	       "name size one past the end rejected");
	TAP_OK(first_entry_after(mut_name_no_nul, NULL) == -EINVAL, "name without NUL rejected");
	TAP_OK(first_entry_after(mut_filesize_huge, NULL) == -EINVAL,
	       "file size past the end rejected");
	TAP_OK(first_entry_after(mut_upper_hex, NULL) == 1 &&
		   first_entry_after(mut_lower_hex, NULL) == 1,
	       "upper- and lower-case hex accepted");
}

/* Each of the 13 fields with one bad digit, in each of 8 positions. */
static void test_non_hex_fields(void)
{
	static const char bad[] = { 'g', ' ', 'x', '-', '\0', 'G', '/', ':' };
	struct archive a = tiny_archive();
	int wrong = 0;
	for (int field = 0; field < 13; field++) {
		for (int pos = 0; pos < 8; pos++) {
			unsigned char *p = exact_copy(a.buf, a.len);
			p[6 + 8 * field + pos] = bad[(field + pos) % sizeof(bad)];
			struct cpio_entry e;
			size_t off = 0;
			wrong += cpio_next(p, a.len, &off, &e) != -EINVAL;
			free(p);
		}
	}
	free(a.buf);
	TAP_OK(wrong == 0, "a non-hex digit in any of the 13 fields is rejected");
}

static void test_offsets_and_trailer(void)
{
	struct archive a = tiny_archive();
	unsigned char *p = exact_copy(a.buf, a.len);
	struct cpio_entry e;
	size_t off = a.len;
	TAP_OK(cpio_next(p, a.len, &off, &e) == -EINVAL, "offset at the end rejected");
	off = a.len + 1;
	TAP_OK(cpio_next(p, a.len, &off, &e) == -EINVAL, "offset past the end rejected");
	off = SIZE_MAX;
	TAP_OK(cpio_next(p, a.len, &off, &e) == -EINVAL, "offset SIZE_MAX rejected");
	TAP_OK(cpio_next(NULL, 0, &(size_t){ 0 }, &e) == -EINVAL, "empty archive rejected");
	off = 132; /* 110-byte header, 14-byte name, 6 bytes of data padded to 8 */
	TAP_OK(cpio_next(p, a.len, &off, &e) == 0 && off == 132, "trailer returns 0, offset kept");
	free(p);
	free(a.buf);
}

static void test_missing_trailer(void)
{
	struct archive a = { 0 };
	put_entry(&a, "a", 0100644, "abc", 3);
	put_entry(&a, "b", 040755, "", 0);
	unsigned char *p = exact_copy(a.buf, a.len);
	int n = 0;
	TAP_OK(walk(p, a.len, &n) == -EINVAL && n == 2,
	       "missing trailer: both entries read, then -EINVAL");
	free(p);
	free(a.buf);
}

/* Random byte corruption of a real archive: must terminate, never overread. */
static void test_corruption(const struct archive *a)
{
	int bad = 0;
	srand(12345);
	for (int round = 0; round < 5000; round++) {
		unsigned char *p = exact_copy(a->buf, a->len);
		for (int k = 0; k < 1 + round % 4; k++)
			p[(size_t)rand() % a->len] = (unsigned char)rand();
		int n, r = walk(p, a->len, &n);
		bad += r != 0 && r != -EINVAL;
		free(p);
	}
	TAP_OK(bad == 0, "5000 randomly corrupted archives: each ends in 0 or -EINVAL");
}

int main(void)
{
	char dir[] = "/tmp/test_cpio.XXXXXX";
	struct archive real = { 0 };
	struct archive tiny = tiny_archive();
	test_malformed_headers();
	test_non_hex_fields();
	test_offsets_and_trailer();
	test_missing_trailer();
	test_truncations("hand-built archive", &tiny);
	if (make_real_archive(&real, dir) == 0) {
		test_real_archive(&real);
		test_truncations("real archive", &real);
		test_corruption(&real);
	} else {
		TAP_OK(0, "cpio -o -H newc produced an archive (is cpio installed?)");
	}
	char cmd[64];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	free(real.buf);
	free(tiny.buf);
	return tap_done();
}
