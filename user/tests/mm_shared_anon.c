/*
 * Claim: MAP_SHARED|MAP_ANONYMOUS memory is one object shared by every
 * process that inherits it, whenever its pages are first touched: a page
 * the parent wrote before fork, a page only the child touches after fork,
 * a page only a grandchild touches, and a page the parent first writes
 * while the child is running are all seen by everyone (and, where pagemap
 * shows PFNs, are one frame). It starts zeroed; MADV_DONTNEED drops only
 * this process's mapping of it, not the data.
 */
#include <cowutil.h>
#include <mmtest.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <tap.h>
#include <unistd.h>

#define NPAGES 8
#define LEN    (NPAGES * MT_PAGE)

static volatile unsigned char *shm;

/* The grandchild writes page 4, which nobody has touched yet. */
static void grandchild(void)
{
	shm[4 * MT_PAGE] = 'g';
	_exit(0);
}

/*
 * The child writes page 2 (untouched so far) and reads page 0, forks the
 * grandchild, then waits at the barrier while the parent first writes
 * page 6, and reports what it sees there.
 */
static void child(struct cow_barrier *b, int report)
{
	cow_barrier_side(b, true);
	shm[2 * MT_PAGE] = 'c';
	unsigned char seen[3] = { shm[0], 0, 0 };
	pid_t pid = fork();
	if (pid == 0)
		grandchild();
	seen[1] = cow_wait_exit(pid) == 0 ? shm[4 * MT_PAGE] : 0;
	cow_barrier_sync(b); /* the parent writes page 6 now */
	cow_barrier_sync(b);
	seen[2] = shm[6 * MT_PAGE];
	uint64_t pfn = mt_pfn((const void *)shm);
	cow_send(report, seen, sizeof(seen));
	cow_send(report, &pfn, sizeof(pfn));
	_exit(0);
}

int main(void)
{
	struct cow_barrier b;
	int report[2];
	shm = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shm == MAP_FAILED || cow_barrier_init(&b) || pipe(report))
		tap_bail("setup");
	/* Pages 2, 4 and 6 must stay untouched here: each is first touched later. */
	CHECK(mt_all_zero(shm, MT_PAGE) && mt_all_zero(shm + 7 * MT_PAGE, MT_PAGE),
	      "fresh shared anonymous memory reads zero");
	shm[0] = 'p';
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0)
		child(&b, report[1]);
	cow_barrier_side(&b, false);
	cow_barrier_sync(&b);
	shm[6 * MT_PAGE] = 'P'; /* first touch, while the child runs */
	cow_barrier_sync(&b);
	unsigned char seen[3] = { 0 };
	uint64_t child_pfn = 0;
	bool got = cow_recv(report[0], seen, sizeof(seen)) == 0 &&
		   cow_recv(report[0], &child_pfn, sizeof(child_pfn)) == 0;
	CHECK(got && cow_wait_exit(pid) == 0, "the child reported and exited");
	CHECK_EQ(seen[0], 'p', "the child sees the parent's write made before fork");
	CHECK_EQ(shm[2 * MT_PAGE], 'c', "the parent sees the child's first write to page 2");
	CHECK_EQ(seen[1], 'g', "the child sees the grandchild's first write to page 4");
	CHECK_EQ(shm[4 * MT_PAGE], 'g', "and so does the parent");
	CHECK_EQ(seen[2], 'P', "the child sees the parent's first write, made after fork");
	if (mt_pfns_ok())
		CHECK(child_pfn && child_pfn == mt_pfn((const void *)shm),
		      "parent and child map one frame");
	else
		tap_skip("no PFNs in pagemap", "parent and child map one frame");
	CHECK_OK(madvise((void *)shm, LEN, MADV_DONTNEED), "MADV_DONTNEED on it");
	CHECK(shm[0] == 'p' && shm[2 * MT_PAGE] == 'c' && shm[6 * MT_PAGE] == 'P',
	      "the data is still there");
	munmap((void *)shm, LEN);
	return tap_done();
}
