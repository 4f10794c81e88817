/*
 * Claim: fork() does not copy the heap. Touching 64 MiB of heap lowers
 * MemFree by about 64 MiB; after fork, while the child lives, MemFree has
 * fallen by less than 8 MiB (the child's page tables, about 128 KiB for
 * 64 MiB, plus process overhead), and still so after the child has read
 * and checked every byte of the heap; a kernel that copied the heap would
 * lose 64 MiB. Once the child is reaped MemFree is back at its baseline.
 * (On Linux "MemFree" here adds the free pages on per-CPU lists, which
 * MemFree leaves out: see cow_memfree_kib() in cowutil.h.)
 */
#include <cowutil.h>
#include <stdlib.h>
#include <string.h>
#include <tap.h>
#include <unistd.h>

#define HEAP_MIB  64
#define HEAP_SIZE (HEAP_MIB * COW_MIB)
#define MAX_DROP  (8 * 1024l) /* KiB */
#define ATTEMPTS  3

/* What the child saw: MemFree right after fork and after reading the heap. */
struct child_report {
	long after_fork_kib, after_read_kib;
	long bad_offset; /* first heap word that differed, or -1 */
};

/* Highest MemFree seen over up to ~0.5 s, stopping once it is within limit of before. */
static long best_memfree(long before, long limit)
{
	long best = cow_memfree_kib();
	for (int i = 0; i < 20 && before - best >= limit; i++) {
		usleep(25000);
		long now = cow_memfree_kib();
		best = now > best ? now : best;
	}
	return best;
}

static void child(int fd, const void *heap, long before)
{
	struct child_report r;
	r.after_fork_kib = best_memfree(before, MAX_DROP);
	r.bad_offset = cow_find_bad(heap, HEAP_SIZE, 64);
	r.after_read_kib = best_memfree(before, MAX_DROP);
	_exit(cow_send(fd, &r, sizeof(r)) == 0 ? 0 : 1);
}

/* Fork once; fill *r from the child. Returns false if that failed. */
static bool one_fork(const void *heap, struct child_report *r, long *before)
{
	int p[2];
	if (pipe(p) != 0)
		return false;
	*before = cow_memfree_kib();
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		child(p[1], heap, *before);
	}
	close(p[1]);
	bool ok = pid > 0 && cow_recv(p[0], r, sizeof(*r)) == 0;
	close(p[0]);
	ok = pid > 0 && cow_wait_exit(pid) == 0 && ok;
	return ok;
}

static long worst_drop(const struct child_report *r, long before)
{
	long a = before - r->after_fork_kib, b = before - r->after_read_kib;
	return a > b ? a : b;
}

static void check_fork(const void *heap)
{
	struct child_report r = { 0, 0, -1 }, best = { 0, 0, -1 };
	long before = 0, best_before = 0, best_drop = -1;
	bool forked = false;
	for (int i = 0; i < ATTEMPTS && (best_drop < 0 || best_drop >= MAX_DROP); i++) {
		if (!one_fork(heap, &r, &before))
			continue;
		forked = true;
		tap_diag("attempt %d: %ld KiB free before fork, %ld in the child, %ld after it "
			 "read the heap",
			 i + 1, before, r.after_fork_kib, r.after_read_kib);
		if (best_drop < 0 || worst_drop(&r, before) < best_drop) {
			best = r;
			best_before = before;
			best_drop = worst_drop(&r, before);
		}
	}
	if (!CHECK(forked, "fork a child that reports MemFree through a pipe"))
		return;
	CHECK(best_before - best.after_fork_kib < MAX_DROP,
	      "in the child, MemFree fell by %ld KiB: less than 8 MiB for a 64 MiB heap",
	      best_before - best.after_fork_kib);
	CHECK_EQ(best.bad_offset, -1, "the child sees the parent's whole heap");
	CHECK(best_before - best.after_read_kib < MAX_DROP,
	      "after the child read all 64 MiB, MemFree is still down by only %ld KiB",
	      best_before - best.after_read_kib);
}

/* How far free memory falls while 64 MiB of heap are touched (lowest of a few samples). */
static long touch_drop_kib(void)
{
	long before = cow_memfree_kib(), low = before;
	char *p = malloc(HEAP_SIZE);
	if (!p)
		return 0;
	cow_fill(p, HEAP_SIZE, 1);
	for (int i = 0; i < 10 && before - low < (HEAP_MIB - 8) * 1024; i++) {
		long now = cow_memfree_kib();
		low = now < low ? now : low;
		usleep(20000);
	}
	free(p);
	return before - low;
}

/*
 * Touching a heap must lower MemFree by nearly its size, or MemFree proves
 * nothing. Others on a busy machine may free memory meanwhile: try 3 times.
 */
static void check_touch_counts(void)
{
	long best = 0;
	for (int i = 0; i < 3 && best < (HEAP_MIB - 8) * 1024; i++) {
		long drop = touch_drop_kib();
		best = drop > best ? drop : best;
	}
	CHECK(best >= (HEAP_MIB - 8) * 1024, "touching 64 MiB of heap lowers MemFree by %ld KiB",
	      best);
}

int main(void)
{
	long start = cow_memfree_kib();
	if (!CHECK(start > 0, "MemFree is readable in /proc/meminfo (%ld KiB)", start))
		return tap_done();
	check_touch_counts();
	char *heap = malloc(HEAP_SIZE);
	if (!heap)
		tap_bail("malloc(64 MiB) failed");
	cow_fill(heap, HEAP_SIZE, 64);

	long baseline = cow_memfree_baseline();
	check_fork(heap);
	cow_check_memfree_back(baseline, 2048, "after the child is reaped");
	free(heap);
	return tap_done();
}
