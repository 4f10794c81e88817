/* Linux x86-64 signal numbers and the kernel's struct sigaction layout. */
#pragma once
#include <types.h>

#define SIGHUP    1
#define SIGINT    2
#define SIGQUIT   3
#define SIGILL    4
#define SIGTRAP   5
#define SIGABRT   6
#define SIGBUS    7
#define SIGFPE    8
#define SIGKILL   9
#define SIGUSR1   10
#define SIGSEGV   11
#define SIGUSR2   12
#define SIGPIPE   13
#define SIGALRM   14
#define SIGTERM   15
#define SIGCHLD   17
#define SIGCONT   18
#define SIGSTOP   19
#define SIGTSTP   20
#define NSIG      64

#define SIG_DFL 0ul
#define SIG_IGN 1ul

#define SIG_BLOCK   0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2

#define SA_SIGINFO  0x00000004
#define SA_ONSTACK  0x08000000
#define SA_RESTART  0x10000000
#define SA_NODEFER  0x40000000
#define SA_RESETHAND 0x80000000
#define SA_RESTORER 0x04000000

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
