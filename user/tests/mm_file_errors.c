/*
 * Claim: file mappings refuse what Linux refuses, with its errnos: a file
 * opened O_WRONLY cannot be mapped at all (EACCES), one opened O_RDONLY
 * cannot be mapped shared and writable (EACCES) nor be made so later with
 * mprotect (EACCES), though it can be mapped shared read-only, and private
 * read/write; a directory has no pages (ENODEV); a bad or O_PATH fd is
 * EBADF; an unaligned offset EINVAL; an offset near 2^63 EOVERFLOW;
 * MAP_SHARED_VALIDATE with an unknown flag EOPNOTSUPP. Touching a page
 * wholly past end of file raises SIGBUS (reading or writing), while the
 * tail of the last file page reads zeroes; past the mapping it is
 * SIGSEGV. /dev/zero maps as private zero-filled memory.
 */
#include <fcntl.h>
#include <mmtest.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>

#define FILE_LEN (MT_PAGE + MT_PAGE / 2)
#define RW	 (PROT_READ | PROT_WRITE)

static long mmap_raw(size_t len, int prot, int flags, int fd, unsigned long off)
{
	return syscall(SYS_mmap, 0, len, prot, flags, fd, off);
}

static void check_access_modes(void)
{
	int ro = open("data", O_RDONLY), wo = open("data", O_WRONLY);
	CHECK_ERR(EACCES, mmap(NULL, MT_PAGE, PROT_READ, MAP_PRIVATE, wo, 0),
		  "private mapping of an O_WRONLY fd");
	CHECK_ERR(EACCES, mmap(NULL, MT_PAGE, PROT_WRITE, MAP_SHARED, wo, 0),
		  "shared writable mapping of an O_WRONLY fd");
	CHECK_ERR(EACCES, mmap(NULL, MT_PAGE, RW, MAP_SHARED, ro, 0),
		  "shared writable mapping of an O_RDONLY fd");
	void *p = mmap(NULL, MT_PAGE, PROT_READ, MAP_SHARED, ro, 0);
	CHECK(p != MAP_FAILED, "shared read-only mapping of an O_RDONLY fd works");
	CHECK_ERR(EACCES, mprotect(p, MT_PAGE, RW), "mprotect it writable");
	CHECK_OK(mprotect(p, MT_PAGE, PROT_READ | PROT_EXEC), "mprotect it read+exec");
	munmap(p, MT_PAGE);
	p = mmap(NULL, MT_PAGE, RW, MAP_PRIVATE, ro, 0);
	CHECK(p != MAP_FAILED, "private read/write mapping of an O_RDONLY fd works");
	munmap(p, MT_PAGE);
	close(ro);
	close(wo);
}

static void check_bad_files(int fd)
{
	int dir = open(".", O_RDONLY | O_DIRECTORY), path = open("data", O_PATH);
	CHECK_ERR(ENODEV, mmap(NULL, MT_PAGE, PROT_READ, MAP_PRIVATE, dir, 0), "map a directory");
	CHECK_ERR(EBADF, mmap(NULL, MT_PAGE, PROT_READ, MAP_PRIVATE, path, 0), "map an O_PATH fd");
	CHECK_ERR(EBADF, mmap(NULL, MT_PAGE, PROT_READ, MAP_PRIVATE, 999, 0), "map fd 999");
	CHECK_ERR(EBADF, mmap(NULL, MT_PAGE, PROT_READ, MAP_PRIVATE, -1, 0), "map fd -1");
	CHECK_ERR(EINVAL, mmap_raw(MT_PAGE, PROT_READ, MAP_PRIVATE, fd, 100), "unaligned offset");
	CHECK_ERR(EOVERFLOW, mmap_raw(MT_PAGE, PROT_READ, MAP_PRIVATE, fd, 1ul << 63),
		  "offset 2^63");
	CHECK_ERR(EOVERFLOW,
		  mmap_raw(2 * MT_PAGE, PROT_READ, MAP_PRIVATE, fd, (1ul << 63) - MT_PAGE),
		  "mapping that would end past 2^63");
	CHECK_ERR(EOPNOTSUPP, mmap_raw(MT_PAGE, PROT_READ, MAP_SHARED_VALIDATE | 0x400000, fd, 0),
		  "MAP_SHARED_VALIDATE with an unknown flag");
	close(dir);
	close(path);
}

static void check_sigbus(int fd)
{
	unsigned char *p = mmap(NULL, 3 * MT_PAGE, RW, MAP_SHARED, fd, 0);
	if (!CHECK(p != MAP_FAILED, "map 3 pages of a 1.5-page file"))
		return;
	CHECK_EQ(mt_find_bad(p, FILE_LEN, 0), -1, "the file's bytes are there");
	CHECK(mt_all_zero(p + FILE_LEN, MT_PAGE / 2), "the rest of page 1 reads zeroes");
	CHECK_EQ(mt_touch_in_child(p + 2 * MT_PAGE, false), SIGBUS, "reading page 2: SIGBUS");
	CHECK_EQ(mt_touch_in_child(p + 2 * MT_PAGE + 99, true), SIGBUS, "writing page 2: SIGBUS");
	munmap(p + 2 * MT_PAGE, MT_PAGE);
	CHECK_EQ(mt_touch_in_child(p + 2 * MT_PAGE, false), SIGSEGV,
		 "with page 2 unmapped, reading there: SIGSEGV");
	unsigned char *q = mmap(NULL, 3 * MT_PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK_EQ(mt_touch_in_child(q + 2 * MT_PAGE, false), SIGBUS,
		 "a private mapping past end of file: SIGBUS too");
	munmap(q, 3 * MT_PAGE);
	munmap(p, 2 * MT_PAGE);
}

static void check_dev_zero(void)
{
	int z = open("/dev/zero", O_RDWR);
	unsigned char *p = mmap(NULL, 2 * MT_PAGE, RW, MAP_PRIVATE, z, 0);
	if (!CHECK(p != MAP_FAILED, "map /dev/zero private"))
		return;
	CHECK(mt_all_zero(p, 2 * MT_PAGE), "it reads zeroes");
	p[5] = 9;
	CHECK_EQ(p[5], 9, "and is writable");
	CHECK_EQ(mt_touch_in_child(p + 5, true), 0, "a child may write it");
	CHECK_EQ(p[5], 9, "privately");
	munmap(p, 2 * MT_PAGE);
	close(z);
}

int main(void)
{
	ut_scratch_enter("mm_file_errors");
	int fd = mt_fill_file("data", FILE_LEN);
	if (fd < 0)
		tap_bail("cannot create the data file");
	check_access_modes();
	check_bad_files(fd);
	check_sigbus(fd);
	check_dev_zero();
	close(fd);
	ut_scratch_leave();
	return tap_done();
}
