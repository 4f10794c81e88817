/*
 * Claim: a MAP_SHARED file mapping IS the file: a store through it is what
 * read() returns at once, a write() is what the mapping shows at once; two
 * mappings of the file (one frame: the same PFN) see each other's stores;
 * so do a parent and its fork child, for pages touched before or only
 * after the fork, and a process that mapped the file on its own; stores
 * survive munmap; a store past end of file in the last page does not
 * change the file's size or contents; ftruncate growing the file makes
 * more of the mapping usable, reading zeroes.
 */
#include <fcntl.h>
#include <mmtest.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>

#define NPAGES	 4
#define MAP_LEN	 (NPAGES * MT_PAGE)
#define FILE_LEN (NPAGES * MT_PAGE - 50)
#define RW	 (PROT_READ | PROT_WRITE)

static unsigned char file_byte(int fd, off_t off)
{
	unsigned char c = 0;
	return pread(fd, &c, 1, off) == 1 ? c : 0;
}

static void check_read_write(int fd, unsigned char *p)
{
	p[100] = 'M';
	CHECK_EQ(file_byte(fd, 100), 'M', "a store through the mapping is what read() returns");
	CHECK_EQ(pwrite(fd, "Q", 1, 2 * MT_PAGE + 7), 1, "pwrite a byte");
	CHECK_EQ(p[2 * MT_PAGE + 7], 'Q', "the mapping shows it at once");
	unsigned char *q = mmap(NULL, MAP_LEN, RW, MAP_SHARED, fd, 0);
	if (!CHECK(q != MAP_FAILED, "map the file a second time"))
		return;
	q[3 * MT_PAGE + 1] = 'S';
	CHECK_EQ(p[3 * MT_PAGE + 1], 'S', "a store through one mapping shows in the other");
	CHECK_EQ(q[100], 'M', "the second mapping shows the first one's store");
	if (mt_pfns_ok())
		CHECK(mt_pfn(p) && mt_pfn(p) == mt_pfn(q), "both map the same frame");
	else
		tap_skip("no PFNs in pagemap", "both map the same frame");
	munmap(q, MAP_LEN);
}

/* Runs in a fork child: store into pages 1 (touched before the fork) and 2 (not). */
static void child_store(unsigned char *p)
{
	p[MT_PAGE + 1] = 'c';
	p[2 * MT_PAGE + 1] = 'd';
	_exit(0);
}

static void check_fork(int fd)
{
	unsigned char *p = mmap(NULL, MAP_LEN, RW, MAP_SHARED, fd, 0);
	if (!CHECK(p != MAP_FAILED, "map the file for the fork check"))
		return;
	(void)p[MT_PAGE];
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0)
		child_store(p);
	int status = -1;
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status), "the child stored and exited");
	CHECK_EQ(p[MT_PAGE + 1], 'c', "the parent sees the child's store to a page it had touched");
	CHECK_EQ(p[2 * MT_PAGE + 1], 'd', "and to a page first touched in the child");
	CHECK_EQ(file_byte(fd, 2 * MT_PAGE + 1), 'd', "so does the file");

	pid = fork();
	if (pid == 0) {
		int fd2 = open("data", O_RDWR);
		unsigned char *m = mmap(NULL, MAP_LEN, RW, MAP_SHARED, fd2, 0);
		if (m == MAP_FAILED)
			_exit(1);
		m[3 * MT_PAGE + 9] = 'i';
		_exit(0);
	}
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "a child maps the file on its own");
	CHECK_EQ(p[3 * MT_PAGE + 9], 'i', "its store shows in the parent's mapping");
	munmap(p, MAP_LEN);
}

static void check_persist_and_eof(int fd)
{
	unsigned char *p = mmap(NULL, MAP_LEN, RW, MAP_SHARED, fd, 0);
	if (!CHECK(p != MAP_FAILED, "map the file again"))
		return;
	CHECK(p[100] == 'M' && p[MT_PAGE + 1] == 'c', "stores made through old mappings persist");
	p[FILE_LEN + 10] = 'E'; /* past end of file, inside the last page */
	struct stat st;
	fstat(fd, &st);
	CHECK_EQ(st.st_size, FILE_LEN, "a store past end of file leaves the size alone");
	unsigned char buf[64];
	CHECK_EQ(pread(fd, buf, sizeof(buf), FILE_LEN), 0, "and read() still ends at end of file");
	munmap(p, MAP_LEN);

	ftruncate(fd, 2 * MT_PAGE);
	p = mmap(NULL, MAP_LEN, RW, MAP_SHARED, fd, 0);
	if (!CHECK(p != MAP_FAILED, "shrink the file to 2 pages and map 4"))
		return;
	CHECK_EQ(mt_touch_in_child(p + 2 * MT_PAGE, false), SIGBUS, "page 2 is past end: SIGBUS");
	CHECK_OK(ftruncate(fd, 3 * MT_PAGE), "grow the file to 3 pages");
	CHECK_EQ(mt_touch_in_child(p + 2 * MT_PAGE, false), 0, "page 2 is now usable");
	CHECK(mt_all_zero(p + 2 * MT_PAGE, MT_PAGE), "and reads as zeroes");
	CHECK_EQ(mt_touch_in_child(p + 3 * MT_PAGE, false), SIGBUS, "page 3 is still past end");
	munmap(p, MAP_LEN);
}

int main(void)
{
	ut_scratch_enter("mm_file_shared");
	int fd = mt_fill_file("data", FILE_LEN);
	if (fd < 0)
		tap_bail("cannot create the data file");
	unsigned char *p = mmap(NULL, MAP_LEN, RW, MAP_SHARED, fd, 0);
	if (!CHECK(p != MAP_FAILED, "mmap the file shared, read/write"))
		return tap_done();
	CHECK_EQ(mt_find_bad(p, FILE_LEN, 0), -1, "it shows the file's bytes");
	check_read_write(fd, p);
	munmap(p, MAP_LEN);
	check_fork(fd);
	check_persist_and_eof(fd);
	close(fd);
	ut_scratch_leave();
	return tap_done();
}
