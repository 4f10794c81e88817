/*
 * Calls from the architecture's trap code up into policy (mm/, proc/, lib/).
 * arch/ never decides what a fault means; it asks these.
 */
#pragma once
#include <arch/traps.h>
#include <types.h>
#include <uapi/signal.h> /* signal numbers and si_codes for proc_user_fault */

/* What became of a page fault on a user address (mm/fault.c decides). */
enum fault_result {
	FAULT_HANDLED,	   /* PTE fixed up: retry the instruction */
	FAULT_SEGV_MAPERR, /* no mapping there: SIGSEGV, si_code SEGV_MAPERR */
	FAULT_SEGV_ACCERR, /* mapping forbids the access: SIGSEGV, SEGV_ACCERR */
	FAULT_SIGBUS,	   /* beyond the end of a file mapping: SIGBUS */
	FAULT_OOM,	   /* no frame to resolve it: the task is OOM-killed */
	FAULT_FALLBACK,	   /* mm/ internal: not resolved as a 2 MiB page, retry at 4 KiB */
};

/*
 * A page fault at addr (< USER_TOP, error code err) raised by the user or by
 * the kernel touching user memory through usercopy. Called with interrupts
 * enabled if they were enabled at the fault, and no spinlock held.
 */
enum fault_result mm_handle_user_fault(struct trap_frame *tf, u64 addr, u64 err);
/*
 * A user-mode exception that must become a signal (SIGSEGV, SIGILL, SIGFPE,
 * SIGBUS, SIGTRAP, or SIGKILL for OOM). Marks it pending on current; it is
 * acted on in proc_return_to_user.
 */
void proc_user_fault(struct trap_frame *tf, int signo, int si_code, u64 addr);
/* Timer tick on this CPU (scheduler accounting and preemption). Interrupts off. */
void sched_tick(struct trap_frame *tf);
/* Last thing before any return to user mode: pending signals, rescheduling. */
void proc_return_to_user(struct trap_frame *tf);
/*
 * An NMI interrupted tf, anywhere (interrupts off, locks held, entry code).
 * Returns true if it was the profiler's sample (lib/profile.c), false if
 * the profiler is off and the NMI is someone else's. Takes no lock.
 */
bool profile_nmi(const struct trap_frame *tf);

/* Page-fault error-code bits. */
#define PF_ERR_PRESENT (1u << 0)
#define PF_ERR_WRITE   (1u << 1)
#define PF_ERR_USER    (1u << 2)
#define PF_ERR_RSVD    (1u << 3)
#define PF_ERR_FETCH   (1u << 4)
