/*
 * Claim: when the kernel itself writes into copy-on-write memory, it breaks
 * the sharing just as a user write does. After fork, the child read()s from
 * a pipe into pages 0-1 and from a file into pages 2-3 of a buffer it
 * shares with its parent, each read starting mid-page and crossing a page
 * boundary. The child sees the data, the rest of its buffer keeps the old
 * contents, its four pages have new frames; the parent's buffer and frames
 * are unchanged. MemFree is back at its baseline once the child is reaped.
 */
#include <cowutil.h>
#include <fcntl.h>
#include <string.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>

#define PAGES	  4
#define BUF_SZ	  (PAGES * COW_PAGE)
#define SEED	  61
#define PIPE_AT	  2504			/* bytes [2504, 5504): pages 0 and 1 */
#define PIPE_LEN  3000			/* under PIPE_BUF, so one write fits any pipe */
#define FILE_AT	  (2 * COW_PAGE + 1000) /* pages 2 and 3 */
#define FILE_LEN  5000
#define FILE_NAME "data"

struct child_report {
	long pipe_read, file_read; /* read()'s results */
	int pipe_data, file_data;  /* did the child see the data? */
	long bad_rest;	      /* first byte outside the reads not holding the old data, or -1 */
	uint64_t pfns[PAGES]; /* after the reads */
};

static void make_data(char *out, size_t len, char salt)
{
	for (size_t i = 0; i < len; i++)
		out[i] = (char)(salt + i * 7 + i / 251);
}

static long read_pipe(char *dst)
{
	char data[PIPE_LEN];
	int p[2];
	make_data(data, PIPE_LEN, 'p');
	if (pipe(p) != 0 || write(p[1], data, PIPE_LEN) != PIPE_LEN)
		return -1;
	long n = read(p[0], dst, PIPE_LEN);
	close(p[0]);
	close(p[1]);
	return n;
}

static long read_file(char *dst)
{
	int fd = open(FILE_NAME, O_RDONLY);
	if (fd < 0)
		return -1;
	long n = read(fd, dst, FILE_LEN);
	close(fd);
	return n;
}

/* First byte outside the two reads that lost its old data, or -1. */
static long find_bad_rest(const char *buf)
{
	long bad = cow_find_bad_at(buf, 0, PIPE_AT, SEED);
	size_t gap = PIPE_AT + PIPE_LEN;
	if (bad < 0)
		bad = cow_find_bad_at(buf, gap, FILE_AT - gap, SEED);
	if (bad < 0)
		bad = cow_find_bad_at(buf, FILE_AT + FILE_LEN, BUF_SZ - FILE_AT - FILE_LEN, SEED);
	return bad;
}

static int write_data_file(void)
{
	char data[FILE_LEN];
	make_data(data, FILE_LEN, 'f');
	int fd = open(FILE_NAME, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	int r = cow_send(fd, data, FILE_LEN);
	close(fd);
	return r;
}

static void child(char *buf, int out)
{
	struct child_report r;
	char want[FILE_LEN];
	r.pipe_read = read_pipe(buf + PIPE_AT);
	make_data(want, PIPE_LEN, 'p');
	r.pipe_data = memcmp(buf + PIPE_AT, want, PIPE_LEN) == 0;
	r.file_read = read_file(buf + FILE_AT);
	make_data(want, FILE_LEN, 'f');
	r.file_data = memcmp(buf + FILE_AT, want, FILE_LEN) == 0;
	cow_pfns(buf, PAGES, r.pfns);
	r.bad_rest = find_bad_rest(buf);
	_exit(cow_send(out, &r, sizeof(r)) == 0 ? 0 : 3);
}

static int count_same(const uint64_t *a, const uint64_t *b)
{
	int n = 0;
	for (int i = 0; i < PAGES; i++)
		n += a[i] == b[i];
	return n;
}

static void check_frames(const struct child_report *r, const char *buf, const uint64_t *before)
{
	uint64_t now[PAGES];
	CHECK_EQ(count_same(r->pfns, before), 0, "all four pages have new frames in the child");
	cow_pfns(buf, PAGES, now);
	CHECK_EQ(count_same(now, before), PAGES, "the parent keeps its four frames");
}

static void check_report(const struct child_report *r, const char *buf, const uint64_t *before,
			 bool pfns)
{
	CHECK_EQ(r->pipe_read, PIPE_LEN, "the child's read() from a pipe into shared pages 0-1");
	CHECK(r->pipe_data, "the child sees the pipe's data");
	CHECK_EQ(r->file_read, FILE_LEN, "the child's read() from a file into shared pages 2-3");
	CHECK(r->file_data, "the child sees the file's data");
	CHECK_EQ(r->bad_rest, -1, "the rest of the child's pages kept the old data");
	if (pfns)
		check_frames(r, buf, before);
	else
		tap_skip("PFNs are hidden here", "the child's pages have new frames");
	CHECK_EQ(cow_find_bad(buf, BUF_SZ, SEED), -1,
		 "the parent's buffer is unchanged: the kernel's writes broke the sharing");
}

int main(void)
{
	struct child_report r;
	uint64_t before[PAGES];
	int p[2];
	bool pfns = cow_pfns_visible();
	ut_scratch_enter("cow_read");
	char *buf = cow_map(BUF_SZ);
	if (!buf || pipe(p) != 0 || write_data_file() != 0)
		tap_bail("mmap, pipe or writing the data file failed");
	cow_fill(buf, BUF_SZ, SEED);
	cow_pfns(buf, PAGES, before);
	long baseline = cow_memfree_baseline();

	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		child(buf, p[1]);
	}
	close(p[1]);
	if (CHECK_OK(pid, "fork") > 0 &&
	    CHECK_OK(cow_recv(p[0], &r, sizeof(r)), "receive the child's report") == 0)
		check_report(&r, buf, before, pfns);
	close(p[0]);
	CHECK_EQ(cow_wait_exit(pid), 0, "the child exits 0");
	cow_check_memfree_back(baseline, 2048, "after the child is reaped");
	ut_scratch_leave();
	return tap_done();
}
