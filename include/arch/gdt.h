/*
 * Segments and the TSS. GDT layout (fixed by SYSCALL/SYSRET's STAR rules):
 *   0x08 kernel code, 0x10 kernel data, 0x18|3 user data, 0x20|3 user code, 0x28 TSS.
 */
#pragma once
#include <types.h>

/* Load this CPU's GDT, TSS and IDT (the IDT is shared by all CPUs). */
void gdt_init_cpu(int cpu);
/* Kernel stack the CPU switches to on an interrupt from user mode. */
void tss_set_rsp0(u64 rsp0);
