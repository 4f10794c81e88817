/*
 * Linux x86-64 signal ABI: numbers, sigaction flags, siginfo, the signal
 * frame (struct rt_sigframe with its ucontext and sigcontext), sigaltstack,
 * sigevent and the interval-timer structures, laid out byte for byte as
 * user space sees them. Sizes are checked with static asserts below.
 */
#pragma once
#include <types.h>

#define SIGHUP	  1
#define SIGINT	  2
#define SIGQUIT	  3
#define SIGILL	  4
#define SIGTRAP	  5
#define SIGABRT	  6
#define SIGBUS	  7
#define SIGFPE	  8
#define SIGKILL	  9
#define SIGUSR1	  10
#define SIGSEGV	  11
#define SIGUSR2	  12
#define SIGPIPE	  13
#define SIGALRM	  14
#define SIGTERM	  15
#define SIGSTKFLT 16
#define SIGCHLD	  17
#define SIGCONT	  18
#define SIGSTOP	  19
#define SIGTSTP	  20
#define SIGTTIN	  21
#define SIGTTOU	  22
#define SIGURG	  23
#define SIGXCPU	  24
#define SIGXFSZ	  25
#define SIGVTALRM 26
#define SIGPROF	  27
#define SIGWINCH  28
#define SIGIO	  29
#define SIGPWR	  30
#define SIGSYS	  31
#define SIGRTMIN  32
#define NSIG	  64

#define SIG_DFL 0ul
#define SIG_IGN 1ul

#define SIG_BLOCK   0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2

#define SA_NOCLDSTOP 0x00000001
#define SA_NOCLDWAIT 0x00000002
#define SA_SIGINFO   0x00000004
#define SA_RESTORER  0x04000000
#define SA_ONSTACK   0x08000000
#define SA_RESTART   0x10000000
#define SA_NODEFER   0x40000000
#define SA_RESETHAND 0x80000000

/* struct sigaction as the rt_sigaction system call passes it on x86-64. */
struct k_sigaction {
	u64 handler;
	u64 flags;
	u64 restorer;
	u64 mask;
};

static inline u64 sig_bit(int sig)
{
	return 1ull << (sig - 1);
}

/* si_code values (siginfo(7) / sigaction(2)). */
#define SI_USER	      0
#define SI_KERNEL     0x80
#define SI_QUEUE      (-1)
#define SI_TIMER      (-2)
#define SI_TKILL      (-6)
#define SEGV_MAPERR   1
#define SEGV_ACCERR   2
#define BUS_ADRALN    1
#define BUS_ADRERR    2
#define ILL_ILLOPN    2
#define FPE_INTDIV    1
#define TRAP_BRKPT    1
#define TRAP_TRACE    2
#define TRAP_HWBKPT   4
#define FPE_FLTDIV    3
#define FPE_FLTOVF    4
#define FPE_FLTUND    5
#define FPE_FLTRES    6
#define FPE_FLTINV    7
#define CLD_EXITED    1
#define CLD_KILLED    2
#define CLD_DUMPED    3
#define CLD_TRAPPED   4
#define CLD_STOPPED   5
#define CLD_CONTINUED 6

/*
 * siginfo_t: 128 bytes. The union starts at offset 16; which member is
 * valid depends on the signal and si_code.
 */
struct siginfo {
	s32 si_signo;
	s32 si_errno;
	s32 si_code;
	s32 pad0;
	union {
		u8 raw[112];
		struct {
			s32 pid;
			u32 uid;
			u64 value; /* sigval: rt_sigqueueinfo, SIGEV_SIGNAL timers */
		} rt;
		struct {
			s32 tid;
			s32 overrun;
			u64 value;
		} timer;
		struct {
			s32 pid;
			u32 uid;
			s32 status;
			s32 pad;
			s64 utime, stime; /* clock ticks */
		} chld;
		struct {
			u64 addr;
		} fault;
	};
};

/* stack_t (sigaltstack). */
struct sigaltstack_abi {
	u64 ss_sp;
	s32 ss_flags;
	s32 pad;
	u64 ss_size;
};
#define SS_ONSTACK    1
#define SS_DISABLE    2
#define SS_AUTODISARM (1u << 31)
#define MINSIGSTKSZ   2048

/* struct sigcontext, 64-bit: the register order Linux uses in uc_mcontext. */
struct sigcontext_abi {
	u64 r8, r9, r10, r11, r12, r13, r14, r15;
	u64 rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	u16 cs, gs, fs, ss;
	u64 err, trapno, oldmask, cr2;
	u64 fpstate; /* user address of a 512-byte fxsave image, or 0 */
	u64 reserved1[8];
};

/* The kernel's struct ucontext (libc's ucontext_t starts the same way). */
struct ucontext_abi {
	u64 uc_flags;
	u64 uc_link;
	struct sigaltstack_abi uc_stack;
	struct sigcontext_abi uc_mcontext;
	u64 uc_sigmask;
};
#define UC_FP_XSTATE	     0x1
#define UC_SIGCONTEXT_SS     0x2
#define UC_STRICT_RESTORE_SS 0x4

/*
 * What a handler finds at its rsp: the return address (the restorer, which
 * calls rt_sigreturn), then the ucontext, then the siginfo. The fxsave
 * image lies above it, 64-byte aligned, pointed to by uc_mcontext.fpstate.
 */
struct rt_sigframe_abi {
	u64 pretcode;
	struct ucontext_abi uc;
	struct siginfo info;
};

#define FXSAVE_BYTES 512

STATIC_ASSERT(sizeof(struct siginfo) == 128);
STATIC_ASSERT(sizeof(struct sigcontext_abi) == 256);
STATIC_ASSERT(sizeof(struct ucontext_abi) == 304);
STATIC_ASSERT(sizeof(struct rt_sigframe_abi) == 440);

/* struct sigevent (timer_create). */
struct sigevent_abi {
	u64 sigev_value;
	s32 sigev_signo;
	s32 sigev_notify;
	s32 sigev_tid; /* SIGEV_THREAD_ID */
	s32 pad[11];
};
#define SIGEV_SIGNAL	0
#define SIGEV_NONE	1
#define SIGEV_THREAD	2
#define SIGEV_THREAD_ID 4
STATIC_ASSERT(sizeof(struct sigevent_abi) == 64);
