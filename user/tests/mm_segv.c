/*
 * Claim: every bad memory access from user space kills the process with
 * SIGSEGV (and only that process): a write to a PROT_READ page, a read of an
 * unmapped page, a read of a PROT_NONE page, a write to NULL, reads of kernel
 * addresses that the kernel itself has mapped (its direct map and its image),
 * a read of a non-canonical address (a #GP, not a page fault), a jump into a
 * readable but non-executable page, and a write into the program's own code.
 * Each runs in a forked child; the parent checks WTERMSIG == SIGSEGV. Where
 * fork() is not implemented yet (ENOSYS) every case is reported as a SKIP;
 * mm_segv_ro proves the first case without fork.
 */
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>

#define RW   (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

static void read_at(void *addr)
{
	(void)*(volatile char *)addr;
}

static void write_at(void *addr)
{
	*(volatile char *)addr = 1;
}

static void write_read_only_page(void *unused)
{
	(void)unused;
	char *p = mmap(NULL, UT_PAGE, PROT_READ, ANON, -1, 0);
	write_at(p);
}

static void read_unmapped_page(void *unused)
{
	(void)unused;
	read_at(ut_unmapped_page());
}

static void read_prot_none_page(void *unused)
{
	(void)unused;
	char *p = mmap(NULL, UT_PAGE, RW, ANON, -1, 0);
	p[0] = 1;
	mprotect(p, UT_PAGE, PROT_NONE);
	read_at(p);
}

static void write_null(void *unused)
{
	(void)unused;
	write_at(NULL);
}

static void read_address(void *addr)
{
	read_at(addr);
}

static void run_data_page(void *unused)
{
	(void)unused;
	unsigned char *p = mmap(NULL, UT_PAGE, RW, ANON, -1, 0);
	p[0] = 0xc3; /* ret */
	((void (*)(void))p)();
}

static void write_own_code(void *unused)
{
	(void)unused;
	write_at((void *)(uintptr_t)write_own_code);
}

static const struct segv_case {
	const char *what;
	void (*fn)(void *);
	uintptr_t arg;
} cases[] = {
	{ "a write to a PROT_READ page", write_read_only_page, 0 },
	{ "a read of an unmapped page", read_unmapped_page, 0 },
	{ "a read of a PROT_NONE page", read_prot_none_page, 0 },
	{ "a write to NULL", write_null, 0 },
	{ "a read of the kernel's direct map (0xffff888000100000)", read_address,
	  0xffff888000100000ul },
	{ "a read of the kernel image (0xffffffff80100000)", read_address, 0xffffffff80100000ul },
	{ "a read of a non-canonical address (0x0000800000000000)", read_address,
	  0x0000800000000000ul },
	{ "a call into a non-executable page", run_data_page, 0 },
	{ "a write into the program's own code", write_own_code, 0 },
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

static void run_case(const struct segv_case *c)
{
	int status = ut_fork_wait(c->fn, (void *)c->arg);
	if (status == -1 && errno == ENOSYS) {
		tap_skip("fork() not implemented (ENOSYS)", "%s raises SIGSEGV", c->what);
		return;
	}
	if (!CHECK(status != -1 && WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV,
		   "%s raises SIGSEGV", c->what)) {
		if (status == -1)
			tap_diag("fork/wait failed: %s", strerror(errno));
		else if (WIFSIGNALED(status))
			tap_diag("the child died of signal %d", WTERMSIG(status));
		else
			tap_diag("the child exited with status %d", WEXITSTATUS(status));
	}
}

int main(void)
{
	struct rlimit no_core = { 0, 0 };
	setrlimit(RLIMIT_CORE, &no_core); /* no core files from the children */
	for (size_t i = 0; i < NCASES; i++)
		run_case(&cases[i]);
	return tap_done();
}
