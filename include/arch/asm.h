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
