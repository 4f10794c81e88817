/*
 * Claim: msync(2) behaves as on Linux: MS_SYNC, MS_ASYNC and
 * MS_INVALIDATE succeed on a shared file mapping, whose stores read() sees
 * (before and after the call), and on anonymous memory; flags outside the
 * three, or MS_SYNC with MS_ASYNC, are EINVAL, as is an unaligned address;
 * a range that is partly unmapped, or a length that wraps, is ENOMEM;
 * length 0 succeeds even where nothing is mapped.
 */
#include <fcntl.h>
#include <mmtest.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>

#define RW (PROT_READ | PROT_WRITE)

int main(void)
{
	ut_scratch_enter("mm_file_msync");
	int fd = mt_fill_file("data", 2 * MT_PAGE);
	unsigned char *p = mmap(NULL, 3 * MT_PAGE, RW, MAP_SHARED, fd, 0);
	if (fd < 0 || p == MAP_FAILED || munmap(p + 2 * MT_PAGE, MT_PAGE))
		tap_bail("cannot map a data file with a hole after it");
	unsigned char c = 0;
	p[MT_PAGE + 3] = 'z';
	CHECK(pread(fd, &c, 1, MT_PAGE + 3) == 1 && c == 'z', "read() sees a store before msync");
	CHECK_OK(msync(p, 2 * MT_PAGE, MS_SYNC), "msync MS_SYNC");
	CHECK(pread(fd, &c, 1, MT_PAGE + 3) == 1 && c == 'z', "and after it");
	CHECK_OK(msync(p, MT_PAGE, MS_ASYNC), "msync MS_ASYNC");
	CHECK_OK(msync(p, MT_PAGE, MS_INVALIDATE), "msync MS_INVALIDATE");
	CHECK_OK(msync(p, MT_PAGE, MS_SYNC | MS_INVALIDATE), "msync MS_SYNC|MS_INVALIDATE");
	CHECK_OK(msync(p, 1, 0), "msync with no flags, length rounded up");
	CHECK_EQ(p[MT_PAGE + 3], 'z', "the mapping still holds the store");

	CHECK_ERR(EINVAL, msync(p, MT_PAGE, 8), "an unknown flag");
	CHECK_ERR(EINVAL, msync(p, MT_PAGE, MS_SYNC | MS_ASYNC), "MS_SYNC with MS_ASYNC");
	CHECK_ERR(EINVAL, msync(p + 1, MT_PAGE, MS_SYNC), "an unaligned address");
	CHECK_ERR(ENOMEM, msync(p, 3 * MT_PAGE, MS_SYNC), "a range running past the mapping");
	void *hole = ut_unmapped_page();
	CHECK_ERR(ENOMEM, msync(hole, MT_PAGE, MS_SYNC), "an unmapped page");
	CHECK_OK(msync(hole, 0, MS_SYNC), "length 0 on an unmapped page");
	CHECK_ERR(ENOMEM, syscall(SYS_msync, p, -MT_PAGE, MS_SYNC), "a length that wraps");

	unsigned char *a = mmap(NULL, MT_PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	a[0] = 1;
	CHECK_OK(msync(a, MT_PAGE, MS_SYNC), "msync on anonymous memory");
	munmap(a, MT_PAGE);
	munmap(p, 2 * MT_PAGE);
	close(fd);
	ut_scratch_leave();
	return tap_done();
}
