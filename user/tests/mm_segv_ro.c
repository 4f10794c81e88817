/*
 * Claim: a write to a PROT_READ page kills the process with SIGSEGV.
 *
 * This program is meant to die. After its checks it prints
 * "# expect signal 11 (SIGSEGV)" and writes to a read-only page; the runner
 * passes it only if it then dies of signal 11 (exit status 139 through
 * tools/qrun). If the write is allowed it prints "not ok" and exits 1. It
 * needs neither fork nor signal handlers, so it works before either exists;
 * mm_segv proves the same and more with fork.
 */
#include <signal.h>
#include <sys/mman.h>
#include <tap.h>
#include <testutil.h>

int main(void)
{
	volatile char *p = (void *)CHECK_OK(
	    mmap(NULL, UT_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
	    "mmap a read-write page");
	if (p == MAP_FAILED)
		return tap_done();
	p[0] = 1;
	CHECK_OK(mprotect((void *)p, UT_PAGE, PROT_READ), "mprotect it PROT_READ");
	CHECK_EQ(p[0], 1, "it still reads");
	if (tap_failures())
		return tap_done();
	tap_expect_signal(SIGSEGV, "SIGSEGV");
	p[0] = 2;
	CHECK(0, "a write to a PROT_READ page must raise SIGSEGV, but it was allowed");
	return tap_done();
}
