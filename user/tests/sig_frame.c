/*
 * Claim: the signal frame is Linux's and the kernel survives bad ones.
 * A handler's ucontext has the user CS, the fault's trap number, error
 * code and CR2 for a page fault, an FPU image (16-byte aligned) holding the
 * program's MXCSR, and the blocked mask of before the signal. rt_sigreturn
 * from a forged frame cannot hurt the kernel: an unreadable frame, one of
 * all-ones bytes or all zeros kills the process with SIGSEGV; a frame whose
 * eflags try to set privileged bits (IOPL, VM, NT...) resumes harmlessly.
 * A handler installed without SA_RESTORER, or a signal arriving on a stack
 * that cannot take the frame, kills with SIGSEGV.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <ucontext.h>
#include <unistd.h>

static ucontext_t saved_uc;
static volatile uint64_t saved_cs;
static volatile unsigned saved_mxcsr;
static volatile int seen_mask_usr2;
static volatile uintptr_t fp_addr;

extern int read_probe(void *addr);
extern char read_probe_done[];
__asm__(
    ".text\nread_probe:\n\tmovb (%rdi), %al\n.globl read_probe_done\nread_probe_done:\n\tret\n");

static void on_segv(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	(void)sig;
	(void)si;
	saved_uc = *uc;
	uint16_t cs;
	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	saved_cs = cs;
	fp_addr = (uintptr_t)uc->uc_mcontext.fpregs;
	saved_mxcsr = uc->uc_mcontext.fpregs ? uc->uc_mcontext.fpregs->mxcsr : 0;
	seen_mask_usr2 = sigismember(&uc->uc_sigmask, SIGUSR2);
	uc->uc_mcontext.gregs[REG_RIP] = (greg_t)read_probe_done;
}

static void check_context(void)
{
	struct sigaction sa;
	sigset_t s;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	sigprocmask(SIG_BLOCK, &s, NULL);
	unsigned mxcsr = 0x1f80 | 0x2000; /* round down */
	__asm__ volatile("ldmxcsr %0" ::"m"(mxcsr));
	void *gone = ut_unmapped_page();
	read_probe(gone);
	unsigned def = 0x1f80;
	__asm__ volatile("ldmxcsr %0" ::"m"(def));
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	greg_t *g = saved_uc.uc_mcontext.gregs;
	CHECK_EQ(g[REG_CSGSFS] & 0xffff, saved_cs, "uc_mcontext has the user CS");
	CHECK_EQ(g[REG_TRAPNO], 14, "trapno is 14 (page fault)");
	CHECK(g[REG_ERR] & 4, "the error code says user mode (%#llx)", (long long)g[REG_ERR]);
	CHECK_EQ((uintptr_t)g[REG_CR2], (uintptr_t)gone, "cr2 is the faulting address");
	CHECK(fp_addr && fp_addr % 16 == 0, "fpregs points at an aligned FPU image (%#lx)",
	      (unsigned long)fp_addr);
	CHECK_EQ(saved_mxcsr, mxcsr, "which holds the program's MXCSR");
	CHECK(seen_mask_usr2, "uc_sigmask is the mask from before the signal");
	signal(SIGSEGV, SIG_DFL);
}

/* Point rsp at frame + 8 (where the handler's return leaves it) and call rt_sigreturn. */
static __attribute__((noreturn)) void sigreturn_at(void *frame)
{
	__asm__ volatile("mov %0, %%rsp\n\t"
			 "mov %1, %%eax\n\t"
			 "syscall\n\t"
			 "ud2" ::"r"((char *)frame + 8),
			 "i"(SYS_rt_sigreturn)
			 : "memory");
	__builtin_unreachable();
}

static unsigned char frame_buf[4096] __attribute__((aligned(64)));

static void forge_ones(void *arg)
{
	(void)arg;
	memset(frame_buf, 0xff, sizeof(frame_buf));
	sigreturn_at(frame_buf);
}

static void forge_zeros(void *arg)
{
	(void)arg;
	memset(frame_buf, 0, sizeof(frame_buf));
	sigreturn_at(frame_buf);
}

static void forge_unreadable(void *arg)
{
	(void)arg;
	sigreturn_at(ut_unmapped_page());
}

static unsigned char exit_stack[16384] __attribute__((aligned(16)));

static void exit_77(void)
{
	_exit(77);
}

/* A real context (saved_uc) resumed at exit_77 with eflags asking for privileged bits. */
static void forge_eflags(void *arg)
{
	(void)arg;
	struct {
		uint64_t pretcode;
		ucontext_t uc;
	} *f = (void *)frame_buf;
	memset(frame_buf, 0, sizeof(frame_buf));
	f->uc = saved_uc;
	f->uc.uc_mcontext.fpregs = NULL;
	sigemptyset(&f->uc.uc_sigmask);
	greg_t *g = f->uc.uc_mcontext.gregs;
	g[REG_RIP] = (greg_t)exit_77;
	g[REG_RSP] = (greg_t)(exit_stack + sizeof(exit_stack) - 8);
	/* CF PF AF ZF SF OF, IOPL 3, NT, RF, VM, VIF, VIP, ID */
	g[REG_EFL] = 0x3b78d5;
	sigreturn_at(f);
}

static void no_restorer(void *arg)
{
	(void)arg;
	struct {
		unsigned long handler, flags, restorer, mask;
	} ka = { (unsigned long)exit_77, 0, 0, 0 };
	syscall(SYS_rt_sigaction, SIGUSR1, &ka, NULL, 8);
	raise(SIGUSR1);
}

static void handler_77(int sig)
{
	(void)sig;
	_exit(77);
}

/* kill(self, SIGUSR1) with rsp pointing into an unmapped page. */
static void bad_stack(void *arg)
{
	signal(SIGUSR1, handler_77);
	if (arg)
		signal(SIGSEGV, handler_77); /* its frame cannot be written either */
	void *gone = ut_unmapped_page();
	__asm__ volatile("mov %0, %%rsp\n\t"
			 "syscall\n\t"
			 "ud2" ::"r"((char *)gone + 2048),
			 "a"(SYS_kill), "D"(getpid()), "S"(SIGUSR1)
			 : "memory");
}

static void expect(const char *what, void (*fn)(void *), void *arg, int sig, int code)
{
	int st = ut_fork_wait(fn, arg);
	if (sig)
		CHECK(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == sig,
		      "%s: killed by signal %d (%#x)", what, sig, st);
	else
		CHECK(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == code, "%s: exits %d (%#x)",
		      what, code, st);
}

int main(void)
{
	check_context();
	expect("rt_sigreturn from an unreadable frame", forge_unreadable, NULL, SIGSEGV, 0);
	expect("rt_sigreturn from an all-ones frame", forge_ones, NULL, SIGSEGV, 0);
	expect("rt_sigreturn from an all-zeros frame", forge_zeros, NULL, SIGSEGV, 0);
	expect("rt_sigreturn with privileged eflags bits", forge_eflags, NULL, 0, 77);
	expect("a handler without SA_RESTORER", no_restorer, NULL, SIGSEGV, 0);
	expect("a signal on an unwritable stack", bad_stack, NULL, SIGSEGV, 0);
	expect("the same with a SIGSEGV handler", bad_stack, (void *)1, SIGSEGV, 0);
	return tap_done();
}
