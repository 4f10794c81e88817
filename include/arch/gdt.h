/*
 * Segments and the TSS. GDT layout (fixed by SYSCALL/SYSRET's STAR rules):
 *   0x08 kernel code, 0x10 kernel data, 0x18|3 user data, 0x20|3 user code, 0x28 TSS.
 *
 * Each CPU has its own GDT (the TSS descriptor's busy bit is per CPU) and its
 * own TSS, reached through this_cpu()->tss. Interrupts from user mode switch
 * to tss->rsp[0]; #DF, NMI and #MC always switch to a dedicated IST stack, so
 * they can still report when the kernel stack is exhausted or corrupt.
 */
#pragma once
#include <types.h>

#define GDT_KERNEL_CS 0x08
#define GDT_KERNEL_DS 0x10
#define GDT_USER_DS   0x18 /* selector 0x1b with RPL 3 */
#define GDT_USER_CS   0x20 /* selector 0x23 with RPL 3 */
#define GDT_TSS	      0x28 /* a 16-byte system descriptor: two slots */
#define GDT_ENTRIES   7

/* Interrupt-stack-table slots (1-based, as IDT gates name them). */
#define IST_DOUBLE_FAULT  1
#define IST_NMI		  2
#define IST_MACHINE_CHECK 3
#define IST_STACK_SIZE	  (8 * 1024)

/* The 64-bit task-state segment: only stack pointers and the I/O map base matter. */
struct tss {
	u32 reserved0;
	u64 rsp[3]; /* stack for entry to ring 0/1/2 from a lower privilege */
	u64 reserved1;
	u64 ist[7]; /* ist[n-1] is IST slot n */
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base; /* beyond the limit: no I/O bitmap, every port denied to user */
} __packed;

/* Load this CPU's GDT, TSS and IDT (the IDT is shared by all CPUs). Call after percpu_init. */
void gdt_init_cpu(int cpu);
/*
 * Kernel stack the CPU switches to on an interrupt from user mode. Must be
 * 16-byte aligned (the trap frame is then aligned too). Call with
 * interrupts off, as a context switch does.
 */
void tss_set_rsp0(u64 rsp0);
