/*
 * Per-CPU data, reached through the GS base. In kernel mode GS_BASE points at
 * this CPU's struct cpu; user GS lives in KERNEL_GS_BASE and the entry paths
 * swapgs. Only the owning CPU writes its struct cpu (with interrupts off where
 * an interrupt handler also touches the field).
 */
#pragma once
#include <arch/asm_offsets.h>
#include <types.h>

struct task;
struct spinlock;
struct tss;

struct cpu {
	struct cpu *self;        /* gs:0  must stay first: this_cpu() reads it */
	u64 syscall_rsp;         /* gs:8  kernel stack top for SYSCALL entry */
	u64 user_rsp_scratch;    /* gs:16 user rsp parked during SYSCALL entry */
	struct task *cur_task;   /* gs:24 running task (read it as `current`) */
	int id;                  /* logical CPU number */
	u32 apic_id;
	int irq_depth;           /* nesting of irq_save_push() (spinlocks) */
	bool irq_was_enabled;    /* IF state before the outermost push */
	bool in_panic;
	u64 ticks;               /* timer interrupts seen on this CPU */
	const struct spinlock *held[16]; /* spinlocks this CPU holds, for rank checks */
	int nheld;
	struct tss *tss;
	struct task *idle;       /* this CPU's idle task */
	struct task *prev;       /* task switched away from, until finish_switch */
};


#define MAX_CPUS 8
extern struct cpu cpus[MAX_CPUS];
extern int ncpus;

static inline struct cpu *this_cpu(void)
{
	struct cpu *c;
	__asm__ volatile("mov %%gs:0, %0" : "=r"(c));
	return c;
}

/* Install c as this CPU's per-CPU area (GS_BASE). */
void percpu_init(struct cpu *c, int id);

/*
 * Interrupt-disable nesting, as spinlocks use it: the outermost push records
 * whether interrupts were on; the matching pop restores that.
 */
void irq_save_push(void);
void irq_restore_pop(void);
