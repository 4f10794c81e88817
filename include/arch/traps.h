/* Trap frames, exception dispatch and kernel backtraces. */
#pragma once
#include <types.h>

/*
 * Saved user/kernel state at interrupt, exception or system-call entry, in
 * the order entry.S pushes it. System calls build the same frame, so signal
 * delivery, fork and exec all deal with one layout. The byte offsets are in
 * arch/asm_offsets.h for assembly; traps.c checks them.
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
#define USER_DS	  0x1b /* GDT index 3 | RPL 3 */
#define USER_CS	  0x23 /* GDT index 4 | RPL 3 */

static inline bool trap_from_user(const struct trap_frame *tf)
{
	return (tf->cs & 3) == 3;
}

/* CPU exception vectors. */
#define VEC_DE	       0 /* divide error */
#define VEC_DB	       1 /* debug */
#define VEC_NMI	       2
#define VEC_BP	       3  /* int3 */
#define VEC_OF	       4  /* into */
#define VEC_BR	       5  /* bound */
#define VEC_UD	       6  /* invalid opcode */
#define VEC_NM	       7  /* device not available */
#define VEC_DF	       8  /* double fault */
#define VEC_TS	       10 /* invalid TSS */
#define VEC_NP	       11 /* segment not present */
#define VEC_SS	       12 /* stack-segment fault */
#define VEC_GP	       13 /* general protection */
#define VEC_PF	       14 /* page fault */
#define VEC_MF	       16 /* x87 floating point */
#define VEC_AC	       17 /* alignment check */
#define VEC_MC	       18 /* machine check */
#define VEC_XM	       19 /* SIMD floating point */
#define NUM_EXCEPTIONS 32

/* Build the shared IDT (once; later calls do nothing). */
void traps_init(void);
/* Load the shared IDT on this CPU (gdt_init_cpu does this). */
void idt_load(void);
/* Let user mode raise vector with `int` (dpl 3) or not (dpl 0). For tests; not SMP-safe. */
void idt_set_dpl(int vector, int dpl);
/* The C half of every interrupt and exception: entry.S calls it with the saved frame. */
void trap_dispatch(struct trap_frame *tf);
/*
 * Pop a trap_frame from the current stack and iretq to it, calling
 * proc_return_to_user first if it returns to user mode. New tasks jump
 * here (not call) with rsp pointing at their frame, interrupts off.
 */
extern char trap_return[];

/*
 * For self-tests only: while fn is set, faults that would become signals go
 * to fn (same arguments as proc_user_fault) instead of proc/. Set and clear
 * it with interrupts off on a single CPU.
 */
typedef void (*trap_user_fault_fn)(struct trap_frame *tf, int signo, int si_code, u64 addr);
void traps_set_user_fault_hook(trap_user_fault_fn fn);

/* Print a frame-pointer backtrace starting at frame pointer rbp. */
void backtrace_print(u64 rbp);
/* Name of the kernel function containing addr ("?" if unknown), offset in *off. */
const char *ksym_lookup(u64 addr, u64 *off);

/*
 * Per-vector handler for device interrupts (vectors 32-255), called with
 * interrupts off; the dispatcher then sends the local APIC its EOI (except
 * for VEC_SPURIOUS, which the APIC never marks in service). irq_register(v,
 * NULL) removes it. Registering is one pointer store: a concurrent interrupt
 * on that vector sees the old or the new handler.
 */
typedef void (*irq_handler_t)(struct trap_frame *tf);
void irq_register(int vector, irq_handler_t h);

#define VEC_TIMER    32
#define VEC_UART     36
#define VEC_PIC_BASE 0xe0 /* the masked legacy 8259s, remapped out of the way */
#define VEC_SPURIOUS 255
