/*
 * Claim: madvise(MADV_DONTNEED) throws pages away, and what comes back is
 * what backs the mapping: private anonymous memory (heap included) reads
 * zeroes again, a private file mapping re-reads the file (its private
 * copies are gone), a shared file mapping keeps what was stored (it is in
 * the file). Hints (NORMAL, RANDOM, SEQUENTIAL, WILLNEED) succeed and
 * change nothing. Errors as on Linux: unknown advice or an unaligned
 * address is EINVAL; a range with unmapped parts is ENOMEM (length 0 is
 * fine anywhere); MADV_WIPEONFORK and MADV_FREE on a file or shared
 * mapping are EINVAL.
 */
#include <fcntl.h>
#include <mmtest.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>

#define RW (PROT_READ | PROT_WRITE)

static void check_anonymous(void)
{
	unsigned char *p = mmap(NULL, 4 * MT_PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(p, 0x33, 4 * MT_PAGE);
	CHECK_OK(madvise(p + MT_PAGE, 2 * MT_PAGE, MADV_DONTNEED), "MADV_DONTNEED pages 1-2");
	CHECK(mt_all_zero(p + MT_PAGE, 2 * MT_PAGE), "private anonymous pages read zero after it");
	CHECK(p[0] == 0x33 && p[3 * MT_PAGE] == 0x33, "the pages around keep their data");
	for (int advice = MADV_NORMAL; advice <= MADV_WILLNEED; advice++)
		CHECK_OK(madvise(p, 4 * MT_PAGE, advice), "hint %d is accepted", advice);
	CHECK(p[0] == 0x33, "and changes nothing");
	munmap(p, 4 * MT_PAGE);

	uintptr_t cur = (uintptr_t)syscall(SYS_brk, 0);
	if ((uintptr_t)syscall(SYS_brk, cur + 2 * MT_PAGE) != cur + 2 * MT_PAGE)
		tap_bail("cannot grow the heap");
	unsigned char *heap = (unsigned char *)((cur + MT_PAGE - 1) & ~(MT_PAGE - 1));
	heap[0] = 7;
	CHECK_OK(madvise(heap, MT_PAGE, MADV_DONTNEED), "MADV_DONTNEED on a heap page");
	CHECK_EQ(heap[0], 0, "it reads zero again");
}

static void check_files(int fd)
{
	unsigned char *p = mmap(NULL, 2 * MT_PAGE, RW, MAP_PRIVATE, fd, 0);
	unsigned char *s = mmap(NULL, 2 * MT_PAGE, RW, MAP_SHARED, fd, 0);
	if (!CHECK(p != MAP_FAILED && s != MAP_FAILED, "map a file private and shared"))
		return;
	p[5] = 'x';
	p[MT_PAGE + 5] = 'y';
	CHECK_OK(madvise(p, 2 * MT_PAGE, MADV_DONTNEED), "MADV_DONTNEED on the private mapping");
	CHECK(p[5] == mt_byte(5) && p[MT_PAGE + 5] == mt_byte(MT_PAGE + 5),
	      "its private copies are gone: it shows the file again");
	s[7] = 'S';
	CHECK_OK(madvise(s, 2 * MT_PAGE, MADV_DONTNEED), "MADV_DONTNEED on the shared mapping");
	CHECK_EQ(s[7], 'S', "the shared mapping keeps what was stored");
	CHECK_EQ(p[7], 'S', "which the private one now shows too");
	CHECK_ERR(EINVAL, madvise(p, MT_PAGE, MADV_WIPEONFORK),
		  "MADV_WIPEONFORK on a file mapping");
	CHECK_ERR(EINVAL, madvise(s, MT_PAGE, MADV_FREE), "MADV_FREE on a shared file mapping");
	munmap(p, 2 * MT_PAGE);
	munmap(s, 2 * MT_PAGE);
}

static void check_errors(void)
{
	unsigned char *p = mmap(NULL, 3 * MT_PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char *sh = mmap(NULL, MT_PAGE, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	munmap(p + 2 * MT_PAGE, MT_PAGE);
	CHECK_ERR(EINVAL, madvise(p, MT_PAGE, 12345), "unknown advice");
	CHECK_ERR(EINVAL, madvise(p + 1, MT_PAGE, MADV_NORMAL), "an unaligned address");
	CHECK_ERR(EINVAL, madvise(p, -1ul, MADV_NORMAL), "a length that wraps");
	p[0] = 1;
	CHECK_ERR(ENOMEM, madvise(p, 3 * MT_PAGE, MADV_DONTNEED), "a range running into a hole");
	CHECK_EQ(p[0], 0, "the mapped part was still advised");
	CHECK_ERR(ENOMEM, madvise(ut_unmapped_page(), MT_PAGE, MADV_NORMAL), "an unmapped page");
	CHECK_OK(madvise(ut_unmapped_page(), 0, MADV_DONTNEED), "length 0 on an unmapped page");
	CHECK_ERR(EINVAL, madvise(sh, MT_PAGE, MADV_WIPEONFORK),
		  "MADV_WIPEONFORK on shared memory");
	CHECK_ERR(EINVAL, madvise(sh, MT_PAGE, MADV_FREE), "MADV_FREE on shared memory");
	CHECK_OK(madvise(p, MT_PAGE, MADV_FREE), "MADV_FREE on private anonymous memory");
	munmap(p, 2 * MT_PAGE);
	munmap(sh, MT_PAGE);
}

int main(void)
{
	ut_scratch_enter("mm_madvise");
	int fd = mt_fill_file("data", 2 * MT_PAGE);
	if (fd < 0)
		tap_bail("cannot create the data file");
	check_anonymous();
	check_files(fd);
	check_errors();
	close(fd);
	ut_scratch_leave();
	return tap_done();
}
