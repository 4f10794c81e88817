/*
 * Claim: a caught signal runs its handler as Linux x86-64 does: with the
 * signal number, a siginfo saying who sent it and a ucontext; on a stack
 * aligned as at a call (rsp % 16 == 8); with the signal itself and sa_mask
 * blocked (not with SA_NODEFER), and the old mask back afterwards;
 * SA_RESETHAND resets the action to SIG_DFL; the FPU state the program had
 * (an SSE register, MXCSR) survives a handler that changes it, and the
 * handler starts with the default MXCSR; a handler that edits the saved
 * registers in uc_mcontext changes the context it returns to.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <tap.h>
#include <ucontext.h>
#include <unistd.h>

static volatile int hits, last_sig, info_code, info_pid, was_blocked_self, was_blocked_usr2;
static volatile uint64_t handler_rsp, handler_mxcsr;

static void on_usr1(int sig, siginfo_t *si, void *ucv)
{
	sigset_t cur;
	(void)ucv;
	hits++;
	last_sig = sig;
	info_code = si->si_code;
	info_pid = si->si_pid;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	was_blocked_self = sigismember(&cur, sig);
	was_blocked_usr2 = sigismember(&cur, SIGUSR2);
}

/* A handler that records rsp at its first instruction, then returns. */
extern void rsp_probe(int);
__asm__(".text\n.globl rsp_probe\nrsp_probe:\n"
	"\tmov %rsp, handler_rsp(%rip)\n"
	"\tstmxcsr handler_mxcsr(%rip)\n"
	"\tret\n");

static void install(int sig, void (*fn)(int, siginfo_t *, void *), int flags, int also_block)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO | flags;
	sigemptyset(&sa.sa_mask);
	if (also_block)
		sigaddset(&sa.sa_mask, also_block);
	if (sigaction(sig, &sa, NULL))
		tap_bail("sigaction(%d) failed", sig);
}

static void check_basic(void)
{
	sigset_t cur;
	install(SIGUSR1, on_usr1, 0, SIGUSR2);
	hits = 0;
	CHECK_OK(kill(getpid(), SIGUSR1), "kill(self, SIGUSR1)");
	CHECK_EQ(hits, 1, "the handler ran once, before kill returned");
	CHECK_EQ(last_sig, SIGUSR1, "it got the signal number");
	CHECK_EQ(info_code, SI_USER, "si_code is SI_USER for kill");
	CHECK_EQ(info_pid, getpid(), "si_pid is the sender");
	CHECK(was_blocked_self, "the signal is blocked inside its handler");
	CHECK(was_blocked_usr2, "and so is sa_mask (SIGUSR2)");
	sigprocmask(SIG_BLOCK, NULL, &cur);
	CHECK(!sigismember(&cur, SIGUSR1) && !sigismember(&cur, SIGUSR2),
	      "after the handler the old mask is back");

	install(SIGUSR1, on_usr1, SA_NODEFER, 0);
	raise(SIGUSR1);
	CHECK(!was_blocked_self, "with SA_NODEFER the signal is not blocked in its handler");

	install(SIGUSR1, on_usr1, SA_RESETHAND, 0);
	hits = 0;
	raise(SIGUSR1);
	struct sigaction old;
	sigaction(SIGUSR1, NULL, &old);
	CHECK(hits == 1 && old.sa_handler == SIG_DFL, "SA_RESETHAND: ran once, then SIG_DFL");
	CHECK_EQ(syscall(SYS_tgkill, getpid(), gettid(), 0), 0, "tgkill with signal 0 just checks");
}

static void check_stack_alignment(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = rsp_probe;
	sigaction(SIGUSR2, &sa, NULL);
	unsigned mxcsr = 0x7f80 | 0x6000; /* all masked, round toward zero */
	__asm__ volatile("ldmxcsr %0" ::"m"(mxcsr));
	raise(SIGUSR2);
	unsigned after;
	__asm__ volatile("stmxcsr %0" : "=m"(after));
	CHECK_EQ(handler_rsp % 16, 8, "the handler starts with rsp %% 16 == 8, as after a call");
	CHECK_EQ(handler_mxcsr & 0xffbf, 0x1f80, "the handler starts with the default MXCSR");
	CHECK_EQ(after, mxcsr, "the program's MXCSR is back after the handler");
	mxcsr = 0x1f80;
	__asm__ volatile("ldmxcsr %0" ::"m"(mxcsr));
}

/* SSE: xmm7 holds a value across a handler that clobbers xmm7. */
static void clobber_xmm(int sig)
{
	(void)sig;
	__asm__ volatile("pcmpeqd %%xmm7, %%xmm7" ::: "xmm7");
}

static void check_fpu(void)
{
	static const uint64_t pattern[2]
	    __attribute__((aligned(16))) = { 0x0123456789abcdefull, 0xfedcba9876543210ull };
	uint64_t out[2] __attribute__((aligned(16)));
	signal(SIGUSR2, clobber_xmm);
	long ret;
	__asm__ volatile("movdqa %2, %%xmm7\n\t"
			 "syscall\n\t" /* kill(getpid(), SIGUSR2) with xmm7 live */
			 "movdqa %%xmm7, %0"
			 : "=m"(out), "=a"(ret)
			 : "m"(pattern), "a"(SYS_kill), "D"(getpid()), "S"(SIGUSR2)
			 : "rcx", "r11", "xmm7", "memory");
	(void)ret;
	CHECK(out[0] == pattern[0] && out[1] == pattern[1],
	      "an SSE register survives a handler that overwrites it");
}

/* The handler moves the saved r12 and lets the program see the change. */
static void edit_r12(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	(void)sig;
	(void)si;
	uc->uc_mcontext.gregs[REG_R12] += 0x1000;
}

static void check_ucontext_edit(void)
{
	long r12;
	install(SIGUSR1, edit_r12, 0, 0);
	long ret;
	__asm__ volatile("mov $0x5000, %%r12\n\t"
			 "syscall\n\t"
			 "mov %%r12, %0"
			 : "=r"(r12), "=a"(ret)
			 : "a"(SYS_kill), "D"(getpid()), "S"(SIGUSR1)
			 : "rcx", "r11", "r12", "memory");
	(void)ret;
	CHECK_EQ(r12, 0x6000, "a register edited in uc_mcontext is what the program resumes with");
}

int main(void)
{
	check_basic();
	check_stack_alignment();
	check_fpu();
	check_ucontext_edit();
	return tap_done();
}
