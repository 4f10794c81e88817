/*
 * context_switch(struct context *old, struct context *new):
 * save the callee-saved registers on the current kernel stack, park rsp in
 * old->rsp, load new->rsp and pop the new task's registers. Everything else
 * (caller-saved registers, user state) is already on the stacks.
 *
 * A task that has never run starts at task_first_run (its stack is laid
 * out by task_setup_stack in proc/task.c): it calls sched_first_run(), which
 * releases the run-queue lock held across the switch, then either runs a
 * kernel thread body or enters user mode through trap_return.
 */
	.text
	.globl context_switch
context_switch:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq (%rsi), %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret

	.globl task_first_run
task_first_run:
	/* r12 = kernel thread body or 0, r13 = its argument (see task_setup_stack) */
	call sched_first_run
	testq %r12, %r12
	jz 1f
	movq %r13, %rdi
	call *%r12
	/* A kernel thread body that returns enters user mode (init after exec). */
1:	cli
	jmp trap_return
