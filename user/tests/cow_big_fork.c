/*
 * Claim: a process using more than half of RAM can still fork, because
 * fork shares its memory instead of copying it. The test fills 60% of
 * MemAvailable (at most 1 GiB, so it stays fast on a large host) with a
 * pattern and forks; parent and child each read and check all of it; then
 * the child overwrites 4 MiB in the middle, sees its new data, and the
 * parent's copy is untouched. Where the 1 GiB cap keeps the region below
 * half of RAM (a big host) the "more than half" check is skipped, visibly.
 * MemFree is back at its baseline once the child is reaped.
 */
#include <cowutil.h>
#include <tap.h>
#include <unistd.h>

#define CAP_MIB	   1024l
#define WRITE_SZ   (4 * COW_MIB)
#define SEED	   41
#define CHILD_SEED 42

struct child_report {
	long bad_before;  /* first word that differed before the child wrote, or -1 */
	long bad_written; /* the same in the 4 MiB it wrote */
	long bad_rest;	  /* the same in the rest */
};

static size_t region_size(long total_kib, long avail_kib)
{
	long mib = avail_kib / 1024 * 6 / 10;
	if (mib > CAP_MIB) {
		tap_diag("60%% of MemAvailable is %ld MiB; capped at %ld MiB", mib, CAP_MIB);
		mib = CAP_MIB;
	}
	tap_diag("MemTotal %ld MiB, MemAvailable %ld MiB: using %ld MiB", total_kib / 1024,
		 avail_kib / 1024, mib);
	return (size_t)mib * COW_MIB;
}

static void child(char *region, size_t size, struct cow_barrier *b)
{
	struct child_report r;
	size_t mid = size / 2;
	cow_barrier_side(b, true);
	r.bad_before = cow_find_bad(region, size, SEED);
	cow_fill(region + mid, WRITE_SZ, CHILD_SEED);
	r.bad_written = cow_find_bad(region + mid, WRITE_SZ, CHILD_SEED);
	r.bad_rest = cow_find_bad(region, mid, SEED);
	if (r.bad_rest < 0)
		r.bad_rest = cow_find_bad_at(region, mid + WRITE_SZ, size - mid - WRITE_SZ, SEED);
	if (cow_send(b->out, &r, sizeof(r)) != 0)
		_exit(3);
	_exit(cow_barrier_sync(b) == 0 ? 0 : 4); /* live on while the parent checks */
}

static void check_both_sides(char *region, size_t size, struct cow_barrier *b)
{
	struct child_report r;
	CHECK_EQ(cow_find_bad(region, size, SEED), -1, "the parent reads all of it back intact");
	if (CHECK_OK(cow_recv(b->in, &r, sizeof(r)), "receive the child's report") < 0)
		return;
	CHECK_EQ(r.bad_before, -1, "the child reads all of it intact");
	CHECK_EQ(r.bad_written, -1, "the child sees the 4 MiB it wrote");
	CHECK_EQ(r.bad_rest, -1, "and the rest unchanged");
	CHECK_EQ(cow_find_bad(region, size, SEED), -1,
		 "the parent's whole region is untouched by the child's write");
}

int main(void)
{
	struct cow_barrier b;
	long total = cow_meminfo_kib("MemTotal"), avail = cow_meminfo_kib("MemAvailable");
	if (!CHECK(total > 0 && avail > 0, "MemTotal and MemAvailable are in /proc/meminfo"))
		return tap_done();
	size_t size = region_size(total, avail);
	if (size == CAP_MIB * COW_MIB && (long)(size / 1024) * 2 <= total)
		tap_skip("capped at 1 GiB on this large machine",
			 "the region (%zu MiB) is more "
			 "than half of RAM",
			 size / COW_MIB);
	else
		CHECK((long)(size / 1024) * 2 > total,
		      "the region (%zu MiB) is more than half of RAM", size / COW_MIB);
	char *region = cow_map(size);
	if (!region || cow_barrier_init(&b) != 0)
		tap_bail("mmap of %zu MiB or pipe failed", size / COW_MIB);
	cow_fill(region, size, SEED);
	long baseline = cow_memfree_baseline();

	pid_t pid = fork();
	if (pid == 0)
		child(region, size, &b);
	cow_barrier_side(&b, false);
	if (CHECK_OK(pid, "fork with %zu MiB in use", size / COW_MIB) > 0)
		check_both_sides(region, size, &b);
	cow_barrier_sync(&b);
	cow_barrier_close(&b);
	CHECK_EQ(cow_wait_exit(pid), 0, "the child exits 0");
	cow_check_memfree_back(baseline, 2048, "after the child is reaped");
	return tap_done();
}
