/* Program this CPU's SYSCALL/SYSRET MSRs (entry point in syscall.S). */
#include <arch/asm_offsets.h>
#include <arch/cpu.h>
#include <arch/traps.h>

void syscall_entry(void);

void syscall_cpu_init(void)
{
	/*
	 * STAR[47:32]: kernel CS (SS = CS+8). STAR[63:48]: base for SYSRET,
	 * which loads CS = base+16 and SS = base+8 (both with RPL 3), hence
	 * the GDT order kernel code, kernel data, user data, user code.
	 */
	wrmsr(MSR_STAR, ((u64)(USER_DS_SEL - 8 - 3) << 48) | ((u64)KERNEL_CS << 32));
	wrmsr(MSR_LSTAR, (u64)syscall_entry);
	/* Entry runs with IF, DF, TF and AC clear: no interrupt before the stack switch. */
	wrmsr(MSR_SFMASK, RFLAGS_IF | (1ul << 10) | (1ul << 8) | RFLAGS_AC);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
}
