/*
 * Helpers shared by assembly files and inline asm.
 *
 * Exception-table entries (see arch/extable.h): "if the instruction at insn
 * faults and the fault cannot be resolved, resume at fixup". In a .S file:
 *
 *	1:	movq (%rsi), %rax
 *		EXTABLE 1b, 2f
 *
 * In C inline asm: "1: movq (%1), %0\n" EXTABLE_ENTRY(1b, 2f)
 */
#pragma once

#ifdef __ASSEMBLY__
/* clang-format off */
/*
 * Save / restore the general registers in struct trap_frame's order
 * (include/arch/traps.h): rax pushed first, r15 last (lowest address).
 */
.macro PUSH_GPRS
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
.endm

.macro POP_GPRS
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
.endm

.macro EXTABLE insn, fixup
	.pushsection __ex_table, "a"
	.balign 8
	.quad \insn, \fixup
	.popsection
.endm
/* clang-format on */
#else
#define EXTABLE_ENTRY(insn, fixup)                                                                 \
	"\n.pushsection __ex_table, \"a\"\n.balign 8\n.quad " #insn ", " #fixup "\n.popsection\n"
#endif
