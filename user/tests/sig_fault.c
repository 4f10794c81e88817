/*
 * Claim: faults become the signals Linux sends, with si_code and si_addr:
 * a read of an unmapped page is SIGSEGV/SEGV_MAPERR at that address, a
 * write to a read-only page SIGSEGV/SEGV_ACCERR, an integer division by
 * zero SIGFPE/FPE_INTDIV at the instruction, ud2 SIGILL/ILL_ILLOPN, int3
 * SIGTRAP. A handler can recover by moving the saved rip past the fault.
 * A fault whose signal is blocked or ignored, or that happens again in its
 * own handler, kills the process with that signal, as Linux forces it.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <ucontext.h>
#include <unistd.h>

/* Each probe faults at label X_fault and resumes at X_done, returning 1 if it got there. */
extern int probe_read(void *addr);
extern int probe_write(void *addr);
extern int probe_div0(void);
extern int probe_ud2(void);
extern char probe_read_fault[], probe_read_done[], probe_write_fault[], probe_write_done[];
extern char probe_div0_fault[], probe_div0_done[], probe_ud2_fault[], probe_ud2_done[];
__asm__(".text\n"
	"probe_read:\n\txor %eax, %eax\n"
	".globl probe_read_fault\nprobe_read_fault:\n\tmovb (%rdi), %cl\n"
	".globl probe_read_done\nprobe_read_done:\n\tret\n"
	"probe_write:\n\txor %eax, %eax\n"
	".globl probe_write_fault\nprobe_write_fault:\n\tmovb $1, (%rdi)\n"
	".globl probe_write_done\nprobe_write_done:\n\tret\n"
	"probe_div0:\n\txor %eax, %eax\n\txor %ecx, %ecx\n\txor %edx, %edx\n"
	".globl probe_div0_fault\nprobe_div0_fault:\n\tdivl %ecx\n"
	".globl probe_div0_done\nprobe_div0_done:\n\tret\n"
	"probe_ud2:\n\txor %eax, %eax\n"
	".globl probe_ud2_fault\nprobe_ud2_fault:\n\tud2\n"
	".globl probe_ud2_done\nprobe_ud2_done:\n\tret\n");

static volatile int got_sig, got_code;
static void *volatile got_addr;
static volatile uintptr_t got_rip;
static char *resume_at;

static void on_fault(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	got_sig = sig;
	got_code = si->si_code;
	got_addr = si->si_addr;
	got_rip = uc->uc_mcontext.gregs[REG_RIP];
	uc->uc_mcontext.gregs[REG_RIP] = (greg_t)resume_at;
	uc->uc_mcontext.gregs[REG_RAX] = 1;
}

static void catch (int sig)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO;
	sigaction(sig, &sa, NULL);
}

static void check_recoverable(void)
{
	char *ro = mmap(NULL, UT_PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *gone = ut_unmapped_page();
	catch (SIGSEGV);
	catch (SIGFPE);
	catch (SIGILL);

	resume_at = probe_read_done;
	CHECK_EQ(probe_read(gone), 1, "a read of an unmapped page is caught and skipped");
	CHECK(got_sig == SIGSEGV && got_code == SEGV_MAPERR && got_addr == gone &&
		  got_rip == (uintptr_t)probe_read_fault,
	      "SIGSEGV, SEGV_MAPERR, si_addr the page, rip the load (code %d)", got_code);

	resume_at = probe_write_done;
	CHECK_EQ(probe_write(ro), 1, "a write to a PROT_READ page is caught");
	CHECK(got_sig == SIGSEGV && got_code == SEGV_ACCERR && got_addr == ro,
	      "SIGSEGV, SEGV_ACCERR at that address (code %d)", got_code);

	resume_at = probe_div0_done;
	CHECK_EQ(probe_div0(), 1, "a division by zero is caught");
	CHECK(got_sig == SIGFPE && got_code == FPE_INTDIV && got_addr == probe_div0_fault,
	      "SIGFPE, FPE_INTDIV, si_addr the div instruction (code %d)", got_code);

	resume_at = probe_ud2_done;
	CHECK_EQ(probe_ud2(), 1, "ud2 is caught");
	CHECK(got_sig == SIGILL && got_code == ILL_ILLOPN && got_addr == probe_ud2_fault,
	      "SIGILL, ILL_ILLOPN at ud2 (code %d)", got_code);
}

static void trap_handler(int sig)
{
	got_sig = sig;
}

static void check_int3(void)
{
	signal(SIGTRAP, trap_handler);
	got_sig = 0;
	__asm__ volatile("int3");
	CHECK_EQ(got_sig, SIGTRAP, "int3 raises SIGTRAP, and execution continues after it");
}

static void fault_blocked(void *arg)
{
	sigset_t s;
	(void)arg;
	catch (SIGSEGV);
	sigemptyset(&s);
	sigaddset(&s, SIGSEGV);
	sigprocmask(SIG_BLOCK, &s, NULL);
	probe_read(NULL);
}

static void fault_ignored(void *arg)
{
	(void)arg;
	signal(SIGSEGV, SIG_IGN);
	probe_read(NULL);
}

static void fault_again(int sig)
{
	(void)sig;
	probe_read(NULL); /* SIGSEGV is blocked in its own handler */
}

static void fault_in_handler(void *arg)
{
	(void)arg;
	signal(SIGSEGV, fault_again);
	probe_read(NULL);
}

static void fpe_ignored(void *arg)
{
	(void)arg;
	signal(SIGFPE, SIG_IGN);
	probe_div0();
}

static void check_forced(const char *what, void (*fn)(void *), int sig)
{
	int st = ut_fork_wait(fn, NULL);
	CHECK(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == sig, "%s kills with signal %d (%#x)",
	      what, sig, st);
}

int main(void)
{
	struct rlimit no_core = { 0, 0 };
	setrlimit(RLIMIT_CORE, &no_core);
	check_recoverable();
	check_int3();
	check_forced("a fault with SIGSEGV blocked", fault_blocked, SIGSEGV);
	check_forced("a fault with SIGSEGV ignored", fault_ignored, SIGSEGV);
	check_forced("a second fault inside the SIGSEGV handler", fault_in_handler, SIGSEGV);
	check_forced("a division by zero with SIGFPE ignored", fpe_ignored, SIGFPE);
	return tap_done();
}
