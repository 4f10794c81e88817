/*
 * Claim: a write of at most PIPE_BUF (4096) bytes to a pipe is atomic:
 * with several processes writing records of 4096 bytes (and, separately,
 * of 1000 bytes) at once through one pipe, the reader sees every record
 * whole, never interleaved with another writer's bytes, and none lost.
 * The same holds for writev of a record in 8 to 64 pieces, read back in
 * small reads that keep the pipe nearly full: the total is what counts.
 */
#include <limits.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <tap.h>
#include <unistd.h>

enum { WRITERS = 4, RECORDS = 200, MAX_PIECES = 64 };
#define MIN(a, b) ((a) < (b) ? (a) : (b))

/*
 * One record: with write(2), or with writev(2) in npieces pieces (writers
 * use different piece sizes, so a kernel that wrote the pieces one by one
 * would let a writer with small pieces fill a gap another's larger piece
 * is waiting for).
 */
static ssize_t put_record(int fd, char *rec, size_t size, int npieces)
{
	if (!npieces)
		return write(fd, rec, size);
	struct iovec iov[MAX_PIECES];
	for (int i = 0; i < npieces; i++)
		iov[i] = (struct iovec){ rec + i * (size / npieces), size / npieces };
	return writev(fd, iov, npieces);
}

/* Each writer fills its records with its own letter. */
static void writer(int fd, int id, size_t size, bool is_writev)
{
	char *rec = malloc(size);
	memset(rec, 'A' + id, size);
	for (int i = 0; i < RECORDS; i++)
		if (put_record(fd, rec, size, is_writev ? 8 << id : 0) != (ssize_t)size)
			_exit(1);
	_exit(0);
}

static void check_records(size_t size, bool is_writev)
{
	int p[2];
	pipe(p);
	pid_t pids[WRITERS];
	for (int i = 0; i < WRITERS; i++)
		if ((pids[i] = fork()) == 0) {
			close(p[0]);
			writer(p[1], i, size, is_writev);
		}
	close(p[1]);
	size_t total = (size_t)WRITERS * RECORDS * size;
	char *all = malloc(total + 1);
	size_t got = 0;
	ssize_t n;
	/* Small reads, each followed by a yield, keep the pipe nearly full. */
	size_t chunk = is_writev ? 100 : total + 1;
	while (got <= total && (n = read(p[0], all + got, MIN(chunk, total + 1 - got))) > 0) {
		got += n;
		if (is_writev)
			sched_yield();
	}
	int ok_writers = 0;
	for (int i = 0; i < WRITERS; i++) {
		int status;
		waitpid(pids[i], &status, 0);
		ok_writers += WIFEXITED(status) && WEXITSTATUS(status) == 0;
	}
	CHECK_EQ(ok_writers, WRITERS, "%d writers of %zu-byte records (%s) all succeeded", WRITERS,
		 size, is_writev ? "writev" : "write");
	CHECK_EQ(got, total, "every byte arrived");
	long mixed = 0, per_writer[WRITERS] = { 0 };
	for (size_t r = 0; r + size <= got; r += size) {
		char c = all[r];
		if (c < 'A' || c >= 'A' + WRITERS) {
			mixed++;
			continue;
		}
		for (size_t i = 1; i < size; i++)
			if (all[r + i] != c) {
				mixed++;
				break;
			}
		per_writer[c - 'A']++;
	}
	CHECK_EQ(mixed, 0, "no %zu-byte record was interleaved with another", size);
	int complete = 0;
	for (int i = 0; i < WRITERS; i++)
		complete += per_writer[i] == RECORDS;
	CHECK_EQ(complete, WRITERS, "each writer's %d records are all there", RECORDS);
	free(all);
	close(p[0]);
}

int main(void)
{
	CHECK_EQ(PIPE_BUF, 4096, "PIPE_BUF is 4096");
	check_records(PIPE_BUF, false);
	check_records(1000, false);
	check_records(PIPE_BUF, true);
	return tap_done();
}
