/*
 * Claim: copy-on-write keeps two views exact under any pattern of writes.
 * Parent and child share a 4 MiB buffer; for 200 rounds each writes 32
 * random runs of random bytes at random places (each side seeded
 * differently), then each compares its whole view with a private model of
 * what it must hold. The models live in memory mapped after fork, so they
 * are never shared; the rounds are in lock step, so every write of one
 * side lands before the other side checks. MemFree is back at its baseline
 * once the child is reaped.
 */
#include <cowutil.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <tap.h>
#include <unistd.h>

#define BUF_SZ	(4 * COW_MIB)
#define ROUNDS	200
#define WRITES	32
#define MAX_RUN 64
#define SEED	81

static uint64_t next_random(uint64_t *state)
{
	uint64_t x = *state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *state = x;
}

static void write_round(unsigned char *buf, unsigned char *model, uint64_t *rng)
{
	for (int w = 0; w < WRITES; w++) {
		size_t off = next_random(rng) % (BUF_SZ - MAX_RUN);
		size_t len = 1 + next_random(rng) % MAX_RUN;
		for (size_t i = 0; i < len; i++)
			buf[off + i] = model[off + i] = (unsigned char)next_random(rng);
	}
}

/*
 * Whole-view comparison a word at a time: musl's memcmp goes byte by byte,
 * which under emulation made 200 rounds of 4 MiB checks take minutes.
 */
static bool views_equal(const unsigned char *a, const unsigned char *b)
{
	const uint64_t *x = (const uint64_t *)a, *y = (const uint64_t *)b;
	for (size_t i = 0; i < BUF_SZ / sizeof(uint64_t); i++)
		if (x[i] != y[i])
			return false;
	return true;
}

/* Run every round on one side; return how many rounds ended with a wrong view. */
static int run_side(unsigned char *buf, struct cow_barrier *b, uint64_t seed, const char *who)
{
	unsigned char *model = cow_map(BUF_SZ); /* fresh after fork: never shared */
	uint64_t rng = seed;
	int bad = 0;
	if (!model)
		return ROUNDS;
	cow_fill(model, BUF_SZ, SEED);
	for (int round = 0; round < ROUNDS; round++) {
		write_round(buf, model, &rng);
		if (cow_barrier_sync(b) != 0)
			return ROUNDS;
		if (!views_equal(buf, model) && bad++ == 0)
			tap_diag("%s: view differs from its model after round %d", who, round);
		if (cow_barrier_sync(b) != 0)
			return ROUNDS;
	}
	munmap(model, BUF_SZ); /* the MemFree check must not count our own model */
	return bad;
}

int main(void)
{
	struct cow_barrier b;
	unsigned char *buf = cow_map(BUF_SZ);
	if (!buf || cow_barrier_init(&b) != 0)
		tap_bail("mmap or pipe failed");
	cow_fill(buf, BUF_SZ, SEED);
	long baseline = cow_memfree_baseline();

	pid_t pid = fork();
	if (pid == 0) {
		cow_barrier_side(&b, true);
		int bad = run_side(buf, &b, 0x2545f4914f6cdd1dull, "child");
		_exit(bad > 100 ? 100 : bad);
	}
	cow_barrier_side(&b, false);
	if (CHECK_OK(pid, "fork") > 0)
		CHECK_EQ(run_side(buf, &b, 0x9e3779b97f4a7c15ull, "parent"), 0,
			 "the parent's view matches its model after each of %d rounds", ROUNDS);
	cow_barrier_close(&b);
	CHECK_EQ(cow_wait_exit(pid), 0, "the child's view matches its model after each round");
	cow_check_memfree_back(baseline, 2048, "after the child is reaped");
	return tap_done();
}
