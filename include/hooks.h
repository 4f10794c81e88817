/*
 * Calls from the architecture's trap code up into policy (mm/, proc/).
 * arch/ never decides what a fault means; it asks these.
 */
#pragma once
#include <arch/traps.h>
#include <types.h>

/*
 * A page fault at addr (error code err) in user space, raised by the user or
 * by the kernel touching user memory. Returns true if it was resolved and the
 * instruction can be retried. Called with interrupts enabled.
 */
bool mm_handle_user_fault(struct trap_frame *tf, u64 addr, u64 err);
/* A user-mode exception that must become a signal (SIGSEGV, SIGILL, SIGFPE, ...). */
void proc_user_fault(struct trap_frame *tf, int signo, int si_code, u64 addr);
/* Timer tick on this CPU (scheduler accounting and preemption). */
void sched_tick(struct trap_frame *tf);
/* Last thing before returning to user mode: pending signals, rescheduling. */
void proc_return_to_user(struct trap_frame *tf);
