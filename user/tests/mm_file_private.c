/*
 * Claim: a MAP_PRIVATE file mapping shows the file through the page cache
 * and never changes it: the mapping reads the file's bytes (from the page
 * holding the offset on), zeroes past end of file in the last page; until a
 * page is written, a write() to the file shows through it (it maps the
 * page-cache page itself: the same PFN a MAP_SHARED mapping has); the
 * first write gives this mapping a private copy (a new PFN) that read(),
 * other mappings and later write()s to the file no longer see or change;
 * a fork child's writes stay in the child; PROT_WRITE works on a file
 * opened O_RDONLY; the mapping outlives close() and unlink().
 */
#include <fcntl.h>
#include <mmtest.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>

#define NPAGES	 4
#define FILE_LEN (3 * MT_PAGE + 100) /* the last page is partly beyond EOF */

static void check_contents(int fd)
{
	unsigned char *p = mmap(NULL, NPAGES * MT_PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	if (!CHECK(p != MAP_FAILED, "mmap the file read-only, private"))
		return;
	CHECK_EQ(mt_find_bad(p, FILE_LEN, 0), -1, "the mapping shows the file's bytes");
	CHECK(mt_all_zero(p + FILE_LEN, NPAGES * MT_PAGE - FILE_LEN),
	      "the rest of the last page reads as zeroes");
	unsigned char *q = mmap(NULL, 2 * MT_PAGE, PROT_READ, MAP_PRIVATE, fd, 2 * MT_PAGE);
	if (CHECK(q != MAP_FAILED, "mmap at offset 2 pages"))
		CHECK_EQ(mt_find_bad(q, FILE_LEN - 2 * MT_PAGE, 2 * MT_PAGE), -1,
			 "shows the file from byte 8192 on");
	munmap(q, 2 * MT_PAGE);
	munmap(p, NPAGES * MT_PAGE);
}

/* Put the file's original byte back at off. */
static void restore(int fd, size_t off)
{
	unsigned char c = mt_byte(off);
	if (pwrite(fd, &c, 1, off) != 1)
		tap_bail("cannot restore byte %zu of the data file", off);
}

/* Until written, a private page is the page-cache page: file writes show through. */
static void check_shares_page_cache(int fd)
{
	unsigned char *p = mmap(NULL, NPAGES * MT_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	unsigned char *s = mmap(NULL, NPAGES * MT_PAGE, PROT_READ, MAP_SHARED, fd, 0);
	if (!CHECK(p != MAP_FAILED && s != MAP_FAILED, "map it private (read/write) and shared"))
		return;
	CHECK_EQ(p[10], mt_byte(10), "page 0 faulted in for reading");
	CHECK_EQ(s[10], mt_byte(10), "and in the shared mapping");
	if (mt_pfns_ok())
		CHECK(mt_pfn(p) && mt_pfn(p) == mt_pfn(s), "both map the same frame (pfn %#llx)",
		      (unsigned long long)mt_pfn(p));
	else
		tap_skip("no PFNs in pagemap", "both map the same frame");
	CHECK_EQ(pwrite(fd, "W", 1, 10), 1, "pwrite a byte into page 0");
	CHECK_EQ(p[10], 'W', "the unwritten private page shows it");

	uint64_t before = mt_pfn(p + MT_PAGE);
	p[MT_PAGE + 5] = 'P';
	CHECK_EQ(p[MT_PAGE + 5], 'P', "a write to the private page 1 sticks");
	if (mt_pfns_ok())
		CHECK(mt_pfn(p + MT_PAGE) && mt_pfn(p + MT_PAGE) != mt_pfn(s + MT_PAGE),
		      "it now has a frame of its own (was %#llx, now %#llx)",
		      (unsigned long long)before, (unsigned long long)mt_pfn(p + MT_PAGE));
	else
		tap_skip("no PFNs in pagemap", "it now has a frame of its own");
	unsigned char c = 0;
	CHECK(pread(fd, &c, 1, MT_PAGE + 5) == 1 && c == mt_byte(MT_PAGE + 5),
	      "read() of the file does not see it");
	CHECK_EQ(s[MT_PAGE + 5], mt_byte(MT_PAGE + 5), "nor does the shared mapping");
	CHECK_EQ(mt_find_bad(p + MT_PAGE, 5, MT_PAGE), -1, "the copy kept the page's other bytes");
	CHECK_EQ(pwrite(fd, "F", 1, MT_PAGE + 6), 1, "pwrite into page 1 of the file");
	CHECK_EQ(p[MT_PAGE + 6], mt_byte(MT_PAGE + 6), "the private copy no longer sees the file");
	CHECK_EQ(s[MT_PAGE + 6], 'F', "the shared mapping does");
	restore(fd, 10);
	restore(fd, MT_PAGE + 6);
	munmap(p, NPAGES * MT_PAGE);
	munmap(s, NPAGES * MT_PAGE);
}

/* A child's writes to a private file mapping reach neither the parent nor the file. */
static void check_fork(int fd)
{
	unsigned char *p = mmap(NULL, NPAGES * MT_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (!CHECK(p != MAP_FAILED, "map it private for the fork check"))
		return;
	p[0] = 'A'; /* a private copy made before the fork */
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		p[0] = 'C';
		p[2 * MT_PAGE] = 'C'; /* never touched by the parent */
		_exit(p[0] == 'C' && p[2 * MT_PAGE] == 'C' ? 0 : 1);
	}
	int status = -1;
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child wrote its copy");
	CHECK_EQ(p[0], 'A', "the parent keeps its own copy");
	CHECK_EQ(p[2 * MT_PAGE], mt_byte(2 * MT_PAGE),
		 "and sees the file in the page the child wrote");
	unsigned char c = 0;
	CHECK(pread(fd, &c, 1, 2 * MT_PAGE) == 1 && c == mt_byte(2 * MT_PAGE),
	      "the file is unchanged");
	munmap(p, NPAGES * MT_PAGE);
}

/* Private mappings may be written even when the file may not. */
static void check_rdonly_and_lifetime(void)
{
	int fd = open("data", O_RDONLY);
	unsigned char *p = mmap(NULL, NPAGES * MT_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (!CHECK(p != MAP_FAILED, "PROT_WRITE private mapping of an O_RDONLY fd"))
		return;
	p[1] = 'x';
	CHECK_EQ(p[1], 'x', "is writable");
	close(fd);
	CHECK_OK(unlink("data"), "close the fd and unlink the file");
	CHECK_EQ(mt_find_bad(p + 2, FILE_LEN - 2, 2), -1, "the mapping still shows the data");
	munmap(p, NPAGES * MT_PAGE);
}

int main(void)
{
	ut_scratch_enter("mm_file_private");
	int fd = mt_fill_file("data", FILE_LEN);
	if (fd < 0)
		tap_bail("cannot create the data file");
	check_contents(fd);
	check_shares_page_cache(fd);
	check_fork(fd);
	close(fd);
	check_rdonly_and_lifetime();
	ut_scratch_leave();
	return tap_done();
}
