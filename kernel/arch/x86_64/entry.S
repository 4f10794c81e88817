/*
 * Interrupt and exception entry. One small stub per vector pushes a dummy
 * error code where the CPU does not push one, then the vector, so every
 * path below sees the same struct trap_frame (include/arch/traps.h):
 *
 *   ss rsp rflags cs rip       pushed by the CPU (rsp is 16-byte aligned first)
 *   error_code vector          pushed by the stub
 *   rax rbx ... r14 r15        pushed here; r15 ends up at the lowest address
 *
 * 22 words in all, so the stack stays 16-byte aligned for the C call.
 *
 * GS: the kernel runs with GS_BASE = this CPU's struct cpu. Entry from user
 * mode (saved CS has RPL 3) does swapgs, and so does the exit to user mode.
 * #DF, NMI and #MC can arrive anywhere, even between a swapgs and the
 * instruction that leaves or enters the kernel, so they are "paranoid":
 * they read MSR_GS_BASE to learn which GS is loaded. That relies on a user
 * GS base never being a kernel address (arch_prctl must refuse one, and
 * CR4.FSGSBASE stays off).
 */
#include <arch/asm.h>
#include <arch/asm_offsets.h>

#define MSR_GS_BASE 0xc0000101


/*
 * The stubs, with their addresses collected in trap_stubs[] for idt.c.
 * Exceptions 8, 10-14, 17, 21, 29 and 30 push an error code themselves.
 */
	.section .rodata
	.p2align 3
	.globl trap_stubs
trap_stubs:
	.text
	.p2align 4
trap_stub_code:                         /* a name for backtraces and profiles */
	vector = 0
	.rept 256
	.pushsection .rodata
	.quad 1f
	.popsection
1:
	.if vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 || vector == 21 || vector == 29 || vector == 30
	.else
	pushq $0
	.endif
	pushq $vector
	.if vector == 2 || vector == 8 || vector == 18
	jmp trap_paranoid
	.else
	jmp trap_common
	.endif
	.p2align 4
	vector = vector + 1
	.endr

/*
 * Ordinary entry. From user mode: swapgs and cut the frame-pointer chain
 * (rbp is the user's). From kernel mode GS is already the kernel's, except
 * when the fault is the iretq to user mode itself (a bad user frame): then
 * the swapgs before it has already run, so undo it; trap_dispatch turns the
 * fault into one taken in user mode.
 */
	.text
trap_common:
	PUSH_GPRS
	cld
	testb $3, TF_CS(%rsp)
	jz 1f
	swapgs
	xorl %ebp, %ebp
	jmp 2f
1:	leaq trap_iret_user(%rip), %rax
	cmpq %rax, TF_RIP(%rsp)
	jne 2f
	swapgs
2:	movq %rsp, %rdi
	call trap_dispatch
	/* fall through */

/*
 * Leave through the frame at rsp (new tasks jump here too). Interrupts go
 * off first: proc_return_to_user is called with them off (it may enable
 * them while it works) and they must stay off from the user-mode swapgs to
 * the iretq, or an interrupt there would run with the user's GS.
 */
	.globl trap_return
trap_return:
	cli
	testb $3, TF_CS(%rsp)
	jz 3f
	movq %rsp, %rdi
	call proc_return_to_user
	cli
	POP_GPRS
	addq $16, %rsp                  /* vector, error_code */
	swapgs
	.globl trap_iret_user
trap_iret_user:
	iretq
3:	POP_GPRS
	addq $16, %rsp
	iretq

/*
 * #DF, NMI and #MC: ebx (callee-saved, so it survives the C call) records
 * whether we swapped GS and must swap back. No proc_return_to_user: these
 * either stop the machine or return to exactly where they interrupted.
 */
trap_paranoid:
	PUSH_GPRS
	cld
	movl $MSR_GS_BASE, %ecx
	rdmsr
	xorl %ebx, %ebx
	testl %edx, %edx
	js 1f                           /* a kernel GS base is already loaded */
	swapgs
	movl $1, %ebx
1:	movq %rsp, %rdi
	call trap_dispatch
	testl %ebx, %ebx
	jz 2f
	swapgs
2:	POP_GPRS
	addq $16, %rsp
	iretq
