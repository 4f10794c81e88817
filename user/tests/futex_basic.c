/*
 * Claim: futex(2) as musl and glibc use it: WAIT sleeps only while the word
 * holds the expected value (else EAGAIN), times out (ETIMEDOUT) on a
 * relative timeout for FUTEX_WAIT and an absolute CLOCK_MONOTONIC one for
 * WAIT_BITSET, WAKE reports how many it woke, and shared (non-private)
 * futexes in MAP_SHARED memory work across fork. Bad addresses: EINVAL
 * (misaligned) and EFAULT (unmapped).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <time.h>
#include <unistd.h>

/* Linux's futex operations (musl ships no <linux/futex.h>). */
#define FUTEX_WAIT		  0
#define FUTEX_WAKE		  1
#define FUTEX_WAIT_BITSET	  9
#define FUTEX_PRIVATE_FLAG	  128
#define FUTEX_WAIT_PRIVATE	  (FUTEX_WAIT | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_PRIVATE	  (FUTEX_WAKE | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAIT_BITSET_PRIVATE (FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG)
#define FUTEX_BITSET_MATCH_ANY	  0xffffffffu

static long futex(void *uaddr, int op, uint32_t val, const struct timespec *ts, uint32_t val3)
{
	return syscall(SYS_futex, uaddr, op, val, ts, NULL, val3);
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static void check_private(void)
{
	static uint32_t word = 5;
	struct timespec t0, rel = { 0, 50 * 1000000 };
	CHECK_ERR(EAGAIN, futex(&word, FUTEX_WAIT_PRIVATE, 6, NULL, 0),
		  "WAIT with the wrong value returns EAGAIN at once");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_ERR(ETIMEDOUT, futex(&word, FUTEX_WAIT_PRIVATE, 5, &rel, 0),
		  "WAIT with a 50 ms relative timeout times out");
	long ms = ms_since(&t0);
	CHECK(ms >= 49 && ms < 5000, "...after at least 50 ms (%ld ms)", ms);
	struct timespec abs;
	clock_gettime(CLOCK_MONOTONIC, &abs);
	abs.tv_nsec += 30 * 1000000;
	if (abs.tv_nsec >= 1000000000)
		abs.tv_sec++, abs.tv_nsec -= 1000000000;
	CHECK_ERR(ETIMEDOUT,
		  futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 5, &abs, FUTEX_BITSET_MATCH_ANY),
		  "WAIT_BITSET with an absolute monotonic deadline times out");
	CHECK_EQ(futex(&word, FUTEX_WAKE_PRIVATE, 1, NULL, 0), 0, "WAKE with no waiters wakes 0");
	CHECK_ERR(EINVAL, futex((char *)&word + 1, FUTEX_WAIT_PRIVATE, 5, NULL, 0),
		  "a misaligned futex is EINVAL");
	CHECK_ERR(EFAULT, futex(ut_unmapped_page(), FUTEX_WAIT_PRIVATE, 0, NULL, 0),
		  "an unmapped futex is EFAULT");
}

/* A child sleeps on a shared word; the parent changes it and wakes it. */
static void check_shared_across_fork(void)
{
	uint32_t *word =
	    mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (word == MAP_FAILED)
		tap_bail("mmap shared");
	*word = 0;
	pid_t pid = fork();
	if (pid == 0) {
		struct timespec limit = { 10, 0 };
		while (__atomic_load_n(word, __ATOMIC_SEQ_CST) == 0)
			if (futex(word, FUTEX_WAIT, 0, &limit, 0) < 0 && errno == ETIMEDOUT)
				_exit(2);
		_exit(*word == 1 ? 0 : 3);
	}
	long woken = 0;
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* Wait until the child sleeps (a wake finds it), at most 5 s. */
	while (woken == 0 && ms_since(&t0) < 5000) {
		usleep(10000);
		__atomic_store_n(word, 1, __ATOMIC_SEQ_CST);
		woken = futex(word, FUTEX_WAKE, 1, NULL, 0);
		if (woken == 0)
			__atomic_store_n(word, 0, __ATOMIC_SEQ_CST);
	}
	CHECK_EQ(woken, 1, "WAKE on a shared futex wakes the other process's waiter");
	int status = 0;
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "the child woke with the new value (%#x)", status);
	munmap(word, 4096);
}

int main(void)
{
	check_private();
	check_shared_across_fork();
	return tap_done();
}
