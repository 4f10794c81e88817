/*
 * Claim: madvise's fork advice works as on Linux. After MADV_DONTFORK a
 * range is absent in a fork child (touching it there is SIGSEGV) while the
 * rest of the same mapping is inherited as usual, and the parent keeps
 * everything; MADV_DOFORK undoes it. After MADV_WIPEONFORK a child sees
 * the range as fresh zero memory (it may write it), the advice is
 * inherited, so the child's own child sees zeroes again; the parent keeps
 * its data; MADV_KEEPONFORK undoes it.
 */
#include <mmtest.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>

#define RW (PROT_READ | PROT_WRITE)

/* In the child of a DONTFORK parent: page 1 is inherited as usual. */
static int sees_page1(void *arg)
{
	unsigned char *p = arg;
	return p[MT_PAGE] == 0x11 ? 0 : 1;
}

/* Child of a WIPEONFORK parent: zeroes, writable; its own child sees zeroes again. */
static int wiped_twice(void *arg)
{
	unsigned char *p = arg;
	if (!mt_all_zero(p, 2 * MT_PAGE))
		return 1;
	memset(p, 0x22, 2 * MT_PAGE);
	int status;
	pid_t pid = fork();
	if (pid == 0)
		_exit(mt_all_zero(p, 2 * MT_PAGE) ? 0 : 1);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 && p[0] == 0x22 ? 0 : 2;
}

static int sees_data(void *arg)
{
	unsigned char *p = arg;
	return p[0] == 0x11 && p[MT_PAGE] == 0x11 ? 0 : 1;
}

int main(void)
{
	unsigned char *p = mmap(NULL, 2 * MT_PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		tap_bail("mmap");
	memset(p, 0x11, 2 * MT_PAGE);

	CHECK_OK(madvise(p, MT_PAGE, MADV_DONTFORK), "MADV_DONTFORK on page 0");
	CHECK_EQ(mt_touch_in_child(p, false), SIGSEGV, "a fork child touching page 0: SIGSEGV");
	CHECK_EQ(ut_in_child(sees_page1, p), 0, "page 1 of the same mapping is inherited");
	CHECK_EQ(p[0], 0x11, "the parent keeps page 0");
	CHECK_OK(madvise(p, 2 * MT_PAGE, MADV_DOFORK), "MADV_DOFORK");
	CHECK_EQ(ut_in_child(sees_data, p), 0, "a child inherits all of it again");

	CHECK_OK(madvise(p, 2 * MT_PAGE, MADV_WIPEONFORK), "MADV_WIPEONFORK");
	CHECK_EQ(ut_in_child(wiped_twice, p), 0,
		 "a child sees zeroes, may write, and its own child sees zeroes again");
	CHECK(p[0] == 0x11 && p[MT_PAGE] == 0x11, "the parent keeps its data");
	CHECK_OK(madvise(p, 2 * MT_PAGE, MADV_KEEPONFORK), "MADV_KEEPONFORK");
	CHECK_EQ(ut_in_child(sees_data, p), 0, "a child inherits the data again");
	munmap(p, 2 * MT_PAGE);
	return tap_done();
}
