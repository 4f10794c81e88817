/*
 * SYSCALL entry. The CPU has put the user rip in rcx and rflags in r11,
 * masked IF/DF/TF/AC (SFMASK) and switched to kernel CS/SS, but not the
 * stack or GS. We swap to the kernel GS, park the user rsp, switch to this
 * task's kernel stack, and build a struct trap_frame laid out exactly like
 * an interrupt's, so everything downstream (signals, fork, exec) sees one
 * format. Return is by SYSRET when the frame still describes an ordinary
 * 64-bit user context, else through the interrupt path's iretq.
 */
#include <arch/asm.h>
#include <arch/asm_offsets.h>

	.text
	.globl syscall_entry
syscall_entry:
	swapgs
	movq %rsp, %gs:CPU_OFF_USER_RSP
	movq %gs:CPU_OFF_SYSCALL_RSP, %rsp
	pushq $USER_DS_SEL              /* ss */
	pushq %gs:CPU_OFF_USER_RSP      /* rsp */
	pushq %r11                      /* rflags */
	pushq $USER_CS_SEL              /* cs */
	pushq %rcx                      /* rip */
	pushq $0                        /* error_code */
	pushq $SYSCALL_VECTOR           /* vector: marks a syscall frame */
	PUSH_GPRS
	xorl %ebp, %ebp                 /* backtraces stop here */
	sti
	movq %rsp, %rdi
	call syscall_dispatch
	movq %rsp, %rdi
	call proc_return_to_user
	cli
	/* SYSRET needs a canonical rip (else it faults in kernel mode) and a plain user CS. */
	movq TF_RIP(%rsp), %rcx
	movq %rcx, %r11
	sarq $47, %r11
	jnz 2f
	cmpq $USER_CS_SEL, TF_CS(%rsp)
	jne 2f
	/*
	 * SYSRET loads rcx and r11 with rip and rflags: exact only if the frame
	 * already holds them there. A signal frame or rt_sigreturn changed them.
	 */
	cmpq TF_RCX(%rsp), %rcx
	jne 2f
	movq TF_RFLAGS(%rsp), %r11
	cmpq TF_R11(%rsp), %r11
	jne 2f
	POP_GPRS                        /* rcx and r11 are overwritten below */
	addq $16, %rsp                  /* vector, error_code */
	popq %rcx                       /* rip */
	addq $8, %rsp                   /* cs */
	popq %r11                       /* rflags */
	popq %rsp                       /* user rsp: the kernel stack is done with */
	swapgs
	sysretq
2:	jmp trap_return
