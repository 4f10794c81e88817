/*
 * Claim: fork, exit and wait give everything back. In 1000 rounds the
 * parent forks a child that writes 4 pages of a shared region (taking
 * copies) and exits with a code of its round, and the parent reaps it and
 * sees that code. Afterwards no child is left, not even a zombie
 * (waitpid(-1, WNOHANG) fails with ECHILD), the parent's region is intact,
 * and MemFree is back within 1 MiB of its baseline: a kernel that kept
 * one page per child would be about 4 MiB short, one that kept the
 * children's copies about 16 MiB.
 */
#include <cowutil.h>
#include <sys/wait.h>
#include <tap.h>
#include <unistd.h>

#define ROUNDS	  1000
#define PAGES	  16
#define REGION_SZ (PAGES * COW_PAGE)
#define SEED	  71

static _Noreturn void child(char *region, int round)
{
	for (int i = 0; i < 4; i++)
		region[(round + i * 4) % PAGES * COW_PAGE] = (char)(0x80 | round);
	_exit(round % 200);
}

/* Fork, exit and reap ROUNDS children; return how many exited with their code. */
static int run_rounds(char *region)
{
	int good = 0;
	for (int round = 0; round < ROUNDS; round++) {
		pid_t pid = fork();
		if (pid == 0)
			child(region, round);
		if (pid < 0) {
			tap_diag("round %d: fork failed", round);
			break;
		}
		int code = cow_wait_exit(pid);
		if (code == round % 200)
			good++;
		else if (good == round)
			tap_diag("round %d: exit code %d", round, code);
	}
	return good;
}

int main(void)
{
	int status;
	char *region = cow_map(REGION_SZ);
	if (!region)
		tap_bail("mmap failed");
	cow_fill(region, REGION_SZ, SEED);
	long baseline = cow_memfree_baseline();
	CHECK_EQ(run_rounds(region), ROUNDS,
		 "%d children forked, exited with their code and reaped", ROUNDS);
	CHECK_ERR(ECHILD, waitpid(-1, &status, WNOHANG), "no child is left, not even a zombie");
	CHECK_EQ(cow_find_bad(region, REGION_SZ, SEED), -1, "the parent's region is intact");
	cow_check_memfree_back(baseline, 1024, "after 1000 forks");
	return tap_done();
}
