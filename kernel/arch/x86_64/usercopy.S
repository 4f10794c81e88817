/*
 * Raw user-memory copies. Each faulting instruction has an exception-table
 * entry: if the page fault cannot be resolved, the trap handler resumes at
 * the fixup, which reports how many bytes were NOT done. The C wrappers in
 * mm/usercopy.c check ranges and open the SMAP window (stac/clac).
 */
	.macro extable insn, fixup
	.pushsection __ex_table, "a"
	.balign 8
	.quad \insn, \fixup
	.popsection
	.endm

	.text
/* size_t arch_copy_user(void *dst, const void *src, size_t n): bytes left uncopied. */
	.globl arch_copy_user
arch_copy_user:
	movq %rdx, %rcx
1:	rep movsb
	xorl %eax, %eax
	ret
2:	movq %rcx, %rax
	ret
	extable 1b, 2b

/* size_t arch_clear_user(void *dst, size_t n): bytes left unzeroed. */
	.globl arch_clear_user
arch_clear_user:
	movq %rsi, %rcx
	xorl %eax, %eax
3:	rep stosb
	ret
4:	movq %rcx, %rax
	ret
	extable 3b, 4b

/*
 * long arch_strncpy_user(char *dst, const char *src, size_t max):
 * copies up to max bytes, stopping after a NUL; returns the string length,
 * max if no NUL was found, or -1 if a byte could not be read.
 */
	.globl arch_strncpy_user
arch_strncpy_user:
	xorl %eax, %eax
5:	cmpq %rdx, %rax
	je 7f
6:	movb (%rsi, %rax), %cl
	movb %cl, (%rdi, %rax)
	testb %cl, %cl
	jz 7f
	incq %rax
	jmp 5b
7:	ret
8:	movq $-1, %rax
	ret
	extable 6b, 8b
