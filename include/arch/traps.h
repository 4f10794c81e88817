/* Trap frames, exception dispatch and kernel backtraces. */
#pragma once
#include <types.h>

/*
 * Saved user/kernel state at interrupt, exception or system-call entry, in
 * the order entry.S pushes it. System calls build the same frame, so signal
 * delivery, fork and exec all deal with one layout.
 */
struct trap_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error_code;
	/* pushed by the CPU (or faked by the syscall entry) */
	u64 rip, cs, rflags, rsp, ss;
};

#define KERNEL_CS 0x08
#define KERNEL_DS 0x10
#define USER_DS   0x1b /* GDT index 3 | RPL 3 */
#define USER_CS   0x23 /* GDT index 4 | RPL 3 */

static inline bool trap_from_user(const struct trap_frame *tf)
{
	return (tf->cs & 3) == 3;
}

void traps_init(void);
/* Print a frame-pointer backtrace starting at frame pointer rbp. */
void backtrace_print(u64 rbp);
/* Name of the kernel function containing addr ("?" if unknown), offset in *off. */
const char *ksym_lookup(u64 addr, u64 *off);

/* Per-vector handler for device interrupts (vector >= 32). */
typedef void (*irq_handler_t)(struct trap_frame *tf);
void irq_register(int vector, irq_handler_t h);

#define VEC_TIMER    32
#define VEC_UART     36
#define VEC_SPURIOUS 255
