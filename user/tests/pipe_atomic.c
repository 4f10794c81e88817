/*
 * Claim: a write of at most PIPE_BUF (4096) bytes to a pipe is atomic:
 * with several processes writing records of 4096 bytes (and, separately,
 * of 1000 bytes) at once through one pipe, the reader sees every record
 * whole, never interleaved with another writer's bytes, and none lost.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <tap.h>
#include <unistd.h>

enum { WRITERS = 4, RECORDS = 200 };

/* Each writer fills its records with its own letter. */
static void writer(int fd, int id, size_t size)
{
	char *rec = malloc(size);
	memset(rec, 'A' + id, size);
	for (int i = 0; i < RECORDS; i++)
		if (write(fd, rec, size) != (ssize_t)size)
			_exit(1);
	_exit(0);
}

static void check_records(size_t size)
{
	int p[2];
	pipe(p);
	pid_t pids[WRITERS];
	for (int i = 0; i < WRITERS; i++)
		if ((pids[i] = fork()) == 0) {
			close(p[0]);
			writer(p[1], i, size);
		}
	close(p[1]);
	size_t total = (size_t)WRITERS * RECORDS * size;
	char *all = malloc(total + 1);
	size_t got = 0;
	ssize_t n;
	while (got <= total && (n = read(p[0], all + got, total + 1 - got)) > 0)
		got += n;
	int ok_writers = 0;
	for (int i = 0; i < WRITERS; i++) {
		int status;
		waitpid(pids[i], &status, 0);
		ok_writers += WIFEXITED(status) && WEXITSTATUS(status) == 0;
	}
	CHECK_EQ(ok_writers, WRITERS, "%d writers of %zu-byte records all succeeded", WRITERS,
		 size);
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
	check_records(PIPE_BUF);
	check_records(1000);
	return tap_done();
}
