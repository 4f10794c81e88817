/*
 * Claim: regular files behave as on Linux: create, write, read back, lseek
 * with SEEK_SET/CUR/END, a hole of zeros after seeking past the end, data
 * spanning several pages, O_APPEND, O_EXCL, O_TRUNC, truncate/ftruncate,
 * pread64/pwrite64 without moving the offset, readv/writev, /dev/null and
 * /dev/zero. Works in a fresh directory under /tmp.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>

static off_t size_of(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? st.st_size : -1;
}

static bool all_bytes(const char *buf, size_t len, char c)
{
	for (size_t i = 0; i < len; i++)
		if (buf[i] != c)
			return false;
	return true;
}

static void check_create_write_read(void)
{
	char buf[64] = { 0 };
	int fd = CHECK_OK(open("f", O_CREAT | O_WRONLY, 0644), "open(O_CREAT) makes a new file");
	CHECK_EQ(write(fd, "hello world", 11), 11, "write 11 bytes");
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 11, "the offset moved past them");
	CHECK_OK(close(fd), "close");
	fd = CHECK_OK(open("f", O_RDONLY), "open it again for reading");
	CHECK_EQ(read(fd, buf, sizeof(buf)), 11, "read returns the 11 bytes");
	CHECK(memcmp(buf, "hello world", 11) == 0, "and they are the bytes written");
	CHECK_EQ(read(fd, buf, sizeof(buf)), 0, "read at end of file returns 0");
	CHECK_EQ(lseek(fd, 6, SEEK_SET), 6, "lseek(6, SEEK_SET)");
	CHECK_EQ(read(fd, buf, 5), 5, "read 5 bytes there");
	CHECK(memcmp(buf, "world", 5) == 0, "they are \"world\"");
	CHECK_EQ(lseek(fd, -5, SEEK_CUR), 6, "lseek(-5, SEEK_CUR) goes back");
	CHECK_EQ(lseek(fd, -3, SEEK_END), 8, "lseek(-3, SEEK_END) is 3 before the end");
	CHECK_EQ(lseek(fd, 100, SEEK_END), 111, "lseek past the end is allowed");
	CHECK_EQ(size_of("f"), 11, "and does not change the size");
	CHECK_ERR(EINVAL, lseek(fd, -1, SEEK_SET), "lseek to a negative offset");
	CHECK_ERR(EINVAL, lseek(fd, 0, 42), "lseek with an unknown whence");
	close(fd);
}

static void check_hole(void)
{
	static char buf[10000];
	int fd = CHECK_OK(open("f", O_RDWR), "open f read-write");
	CHECK_EQ(lseek(fd, 10000, SEEK_SET), 10000, "seek to 10000, past the end");
	CHECK_EQ(write(fd, "end", 3), 3, "write there");
	CHECK_EQ(size_of("f"), 10003, "the file grew to 10003 bytes");
	CHECK_EQ(pread(fd, buf, sizeof(buf), 0), 10000, "read the first 10000 bytes back");
	CHECK(memcmp(buf, "hello world", 11) == 0, "the old data is still there");
	CHECK(all_bytes(buf + 11, 10000 - 11, 0), "the hole reads as zeros");
	close(fd);
}

/* Data spanning several pages, at an offset that is not page aligned. */
static void check_multipage(void)
{
	static char out[3 * 4096 + 100], in[sizeof(out)];
	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (char)(i * 7 + 1);
	int fd = CHECK_OK(open("big", O_CREAT | O_RDWR | O_TRUNC, 0600), "create big");
	CHECK_EQ(pwrite(fd, out, sizeof(out), 1000), sizeof(out), "pwrite 3 pages + 100 at 1000");
	CHECK_EQ(pread(fd, in, sizeof(in), 1000), sizeof(in), "pread them back");
	CHECK(memcmp(in, out, sizeof(in)) == 0, "byte for byte");
	close(fd);
}

static void check_append(void)
{
	char buf[32] = { 0 };
	int fd = CHECK_OK(open("f", O_WRONLY | O_APPEND), "open f with O_APPEND");
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0, "seek to the start");
	CHECK_EQ(write(fd, "X", 1), 1, "write one byte");
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 10004, "the offset is now at the new end");
	CHECK_EQ(size_of("f"), 10004, "the byte went to the end, not the start");
	close(fd);
	fd = open("f", O_RDONLY);
	CHECK_EQ(pread(fd, buf, 5, 0), 5, "read the start");
	CHECK(memcmp(buf, "hello", 5) == 0, "the start was not overwritten");
	CHECK_EQ(pread(fd, buf, 4, 10000), 4, "read the end");
	CHECK(memcmp(buf, "endX", 4) == 0, "the end is \"endX\"");
	close(fd);
}

static void check_excl_trunc(void)
{
	CHECK_ERR(EEXIST, open("f", O_CREAT | O_EXCL | O_WRONLY, 0644),
		  "O_EXCL on an existing file");
	int fd = CHECK_OK(open("g", O_CREAT | O_EXCL | O_WRONLY, 0644), "O_EXCL on a new name");
	close(fd);
	fd = CHECK_OK(open("f", O_WRONLY | O_TRUNC), "open f with O_TRUNC");
	CHECK_EQ(size_of("f"), 0, "O_TRUNC emptied it");
	close(fd);
}

static void check_truncate(void)
{
	char buf[16];
	memset(buf, 'x', sizeof(buf));
	int fd = CHECK_OK(open("t", O_CREAT | O_RDWR, 0644), "create t");
	CHECK_EQ(write(fd, "abcdef", 6), 6, "write 6 bytes");
	CHECK_OK(ftruncate(fd, 3), "ftruncate to 3");
	CHECK_EQ(size_of("t"), 3, "size is 3");
	CHECK_OK(truncate("t", 8), "truncate (by path) to 8");
	CHECK_EQ(size_of("t"), 8, "size is 8");
	CHECK_EQ(pread(fd, buf, sizeof(buf), 0), 8, "read all 8");
	CHECK(memcmp(buf, "abc\0\0\0\0\0", 8) == 0, "the cut bytes came back as zeros");
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 6, "truncation did not move the offset");
	CHECK_ERR(EINVAL, ftruncate(fd, -1), "ftruncate to a negative length");
	close(fd);
	fd = open("t", O_RDONLY);
	CHECK_ERR(EINVAL, ftruncate(fd, 0), "ftruncate of a read-only descriptor");
	close(fd);
}

static void check_pread_pwrite(void)
{
	char buf[8] = { 0 };
	int fd = CHECK_OK(open("p", O_CREAT | O_RDWR | O_TRUNC, 0644), "create p");
	CHECK_EQ(write(fd, "0123456789", 10), 10, "write 10 bytes");
	CHECK_EQ(lseek(fd, 3, SEEK_SET), 3, "seek to 3");
	CHECK_EQ(pread(fd, buf, 4, 5), 4, "pread 4 bytes at 5");
	CHECK(memcmp(buf, "5678", 4) == 0, "pread read at its own offset");
	CHECK_EQ(pwrite(fd, "ab", 2, 0), 2, "pwrite 2 bytes at 0");
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 3, "neither moved the file offset");
	CHECK_EQ(read(fd, buf, 2), 2, "read at the offset");
	CHECK(memcmp(buf, "34", 2) == 0, "finds \"34\"");
	CHECK_EQ(pread(fd, buf, 3, 0), 3, "pread the start");
	CHECK(memcmp(buf, "ab2", 3) == 0, "pwrite's bytes are there");
	CHECK_ERR(EINVAL, pread(fd, buf, 1, -1), "pread at a negative offset");
	close(fd);
}

static void check_vectors(void)
{
	char a[4] = { 0 }, b[4] = { 0 };
	struct iovec out[] = { { "ab", 2 }, { "cde", 3 }, { "", 0 }, { "f", 1 } };
	struct iovec in[] = { { a, 4 }, { b, 4 } };
	int fd = CHECK_OK(open("v", O_CREAT | O_RDWR | O_TRUNC, 0644), "create v");
	CHECK_EQ(writev(fd, out, 4), 6, "writev of 4 pieces (one empty) writes 6 bytes");
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0, "seek back");
	CHECK_EQ(readv(fd, in, 2), 6, "readv into 4+4 bytes reads 6");
	CHECK(memcmp(a, "abcd", 4) == 0 && memcmp(b, "ef", 2) == 0,
	      "the first buffer filled before the second");
	CHECK_ERR(EINVAL, readv(fd, in, -1), "readv with a negative count");
	close(fd);
}

static void check_devices(void)
{
	char buf[4096];
	int fd = CHECK_OK(open("/dev/null", O_RDWR), "open /dev/null");
	CHECK_EQ(write(fd, "gone", 4), 4, "/dev/null swallows writes");
	CHECK_EQ(read(fd, buf, sizeof(buf)), 0, "/dev/null reads as end of file");
	close(fd);
	fd = CHECK_OK(open("/dev/zero", O_RDWR), "open /dev/zero");
	memset(buf, 0xff, sizeof(buf));
	CHECK_EQ(read(fd, buf, sizeof(buf)), sizeof(buf), "/dev/zero fills the whole buffer");
	CHECK(all_bytes(buf, sizeof(buf), 0), "with zeros");
	CHECK_EQ(write(fd, buf, 10), 10, "/dev/zero swallows writes");
	close(fd);
}

int main(void)
{
	ut_scratch_enter("fs_basic");
	check_create_write_read();
	check_hole();
	check_multipage();
	check_append();
	check_excl_trunc();
	check_truncate();
	check_pread_pwrite();
	check_vectors();
	check_devices();
	ut_scratch_leave();
	return tap_done();
}
