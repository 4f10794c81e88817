/*
 * Claim: copy-on-write stays correct with many processes at once. The
 * parent fills a 1 MiB region and forks 8 children, each of which forks 4
 * grandchildren; all 40 then start together, check they inherited the
 * parent's data, overwrite the whole region with their own pattern, wait
 * until all 40 have written, and check their region holds exactly their
 * pattern. Meanwhile the parent's region is untouched. Every process exits
 * 0, and MemFree is back at its baseline once all are reaped.
 */
#include <cowutil.h>
#include <tap.h>
#include <unistd.h>

#define CHILDREN      8
#define GRANDCHILDREN 4
#define WORKERS	      (CHILDREN * (1 + GRANDCHILDREN))
#define REGION_SZ     COW_MIB
#define SEED	      0

/* go: closed to start everyone; written: one byte per worker; verify: closed to let them check. */
static int go[2], written[2], verify[2];

/* Block until every copy of the pipe's write end is closed. */
static void wait_eof(int fd)
{
	char c;
	while (read(fd, &c, 1) > 0)
		;
}

/* One process's part: returns the number of things that went wrong. */
static int work(char *region, int id)
{
	int bad = 0;
	wait_eof(go[0]);
	if (cow_find_bad(region, REGION_SZ, SEED) >= 0) {
		tap_diag("worker %d: did not inherit the parent's data", id);
		bad++;
	}
	cow_fill(region, REGION_SZ, id);
	bad += write(written[1], "w", 1) != 1;
	wait_eof(verify[0]);
	if (cow_find_bad(region, REGION_SZ, id) >= 0) {
		tap_diag("worker %d: its region lost its pattern", id);
		bad++;
	}
	return bad;
}

/* A child: fork its grandchildren, work, reap them; exit with the count of failures. */
static _Noreturn void child(char *region, int c)
{
	pid_t pids[GRANDCHILDREN];
	int bad = 0;
	close(go[1]);
	close(verify[1]);
	close(written[0]);
	for (int g = 0; g < GRANDCHILDREN; g++) {
		pids[g] = fork();
		if (pids[g] == 0)
			_exit(work(region, 1 + c * (1 + GRANDCHILDREN) + 1 + g) ? 1 : 0);
		bad += pids[g] < 0;
	}
	bad += work(region, 1 + c * (1 + GRANDCHILDREN));
	for (int g = 0; g < GRANDCHILDREN; g++)
		bad += pids[g] > 0 && cow_wait_exit(pids[g]) != 0;
	_exit(bad > 100 ? 100 : bad);
}

/* Start the workers, wait until all have written, then let them verify. */
static void run(char *region)
{
	char bytes[WORKERS];
	close(go[1]);
	int got = cow_recv(written[0], bytes, WORKERS);
	CHECK_OK(got, "all %d processes wrote their pattern", WORKERS);
	CHECK_EQ(cow_find_bad(region, REGION_SZ, SEED), -1,
		 "while all %d live, the parent's region is untouched", WORKERS);
	close(verify[1]);
}

int main(void)
{
	pid_t pids[CHILDREN];
	char *region = cow_map(REGION_SZ);
	if (!region || pipe(go) != 0 || pipe(written) != 0 || pipe(verify) != 0)
		tap_bail("mmap or pipe failed");
	cow_fill(region, REGION_SZ, SEED);
	long baseline = cow_memfree_baseline();
	int forked = 0, good = 0;
	for (int c = 0; c < CHILDREN; c++) {
		pids[c] = fork();
		if (pids[c] == 0)
			child(region, c);
		forked += pids[c] > 0;
	}
	close(go[0]);
	close(verify[0]);
	close(written[1]);
	CHECK_EQ(forked, CHILDREN, "fork %d children", CHILDREN);
	run(region);
	for (int c = 0; c < CHILDREN; c++)
		good += pids[c] > 0 && cow_wait_exit(pids[c]) == 0;
	CHECK_EQ(good, CHILDREN,
		 "every child and grandchild inherited the parent's data and kept "
		 "its own pattern");
	CHECK_EQ(cow_find_bad(region, REGION_SZ, SEED), -1, "the parent's region is intact");
	cow_check_memfree_back(baseline, 2048, "after all 40 are reaped");
	return tap_done();
}
