/*
 * The scheduler: one global round-robin run queue, preemption by timer
 * tick at return to user mode, an idle task per CPU.
 *
 * Locking: rq_lock (rank SCHED) guards the run queue, the timed-sleeper
 * list and every task's state / on_cpu / timeslice. It is held across
 * context_switch(): the task switched to releases it (finish_switch), so a
 * task that is going to sleep cannot be woken and picked by another CPU
 * while it is still running on this one.
 */
#include <arch/asm_offsets.h>
#include <arch/cpu.h>
#include <arch/gdt.h>
#include <arch/mmu.h>
#include <arch/percpu.h>
#include <arch/timer.h>
#include <hooks.h>
#include <lib/printk.h>
#include <mm/mm.h>
#include <proc/task.h>

#define TIMESLICE_TICKS 5 /* 50 ms at HZ=100 */

STATIC_ASSERT(offsetof(struct cpu, syscall_rsp) == CPU_OFF_SYSCALL_RSP);
STATIC_ASSERT(offsetof(struct cpu, user_rsp_scratch) == CPU_OFF_USER_RSP);
STATIC_ASSERT(offsetof(struct cpu, cur_task) == CPU_OFF_CURRENT);

static struct spinlock rq_lock = SPINLOCK_INIT("runqueue", LOCK_RANK_SCHED);
static LIST_HEAD(run_queue);
static LIST_HEAD(timed_sleepers);

void context_switch(struct context *old, struct context *new_);

static void fpu_save(struct task *t)
{
	__asm__ volatile("fxsave64 %0" : "=m"(t->fpu));
}

static void fpu_restore(struct task *t)
{
	__asm__ volatile("fxrstor64 %0" ::"m"(t->fpu));
}

/* Load next's per-task CPU state: stacks, address space, FS base, FPU. */
static void switch_cpu_state(struct task *prev, struct task *next)
{
	struct cpu *c = this_cpu();
	tss_set_rsp0(next->kstack_top);
	c->syscall_rsp = next->kstack_top;
	phys_addr_t root = next->mm ? next->mm->root : kernel_root;
	if (read_cr3() != root)
		mmu_switch(root);
	if (!prev->is_kthread) {
		prev->fs_base = rdmsr(MSR_FS_BASE);
		fpu_save(prev);
	}
	if (!next->is_kthread) {
		wrmsr(MSR_FS_BASE, next->fs_base);
		fpu_restore(next);
	}
	c->cur_task = next;
}

/*
 * Called by the task that has just been switched to (rq_lock held): the
 * previous task is now off this CPU, so it may be reaped or run elsewhere.
 */
static void finish_switch(void)
{
	struct cpu *c = this_cpu();
	struct task *dead = NULL;
	if (c->prev) {
		c->prev->on_cpu = false;
		if (c->prev->state == TASK_DEAD)
			dead = c->prev; /* an exited thread that reaps itself */
		c->prev = NULL;
	}
	spin_unlock(&rq_lock);
	/* Freeing takes task_lock and the heap lock: only after rq_lock is released. */
	if (dead)
		task_free(dead);
}

/* First code a new task runs, from task_first_run in switch.S. */
void sched_first_run(void)
{
	finish_switch();
}

static struct task *pick_next(struct cpu *c)
{
	if (list_empty(&run_queue))
		return c->idle;
	struct task *t = list_first_entry(&run_queue, struct task, rq);
	list_del(&t->rq);
	return t;
}

/* Switch away from current. rq_lock held on entry; released on return. */
static void schedule_locked(void)
{
	struct cpu *c = this_cpu();
	struct task *prev = c->cur_task;
	if (prev->state == TASK_RUNNING) {
		prev->state = TASK_RUNNABLE;
		if (prev != c->idle)
			list_add_tail(&prev->rq, &run_queue);
	}
	struct task *next = pick_next(c);
	if (next == prev) {
		prev->state = TASK_RUNNING;
		/* A fresh slice, or sched_tick would never preempt it again. */
		prev->timeslice_ticks = TIMESLICE_TICKS;
		spin_unlock(&rq_lock);
		return;
	}
	next->state = TASK_RUNNING;
	next->on_cpu = true;
	next->timeslice_ticks = TIMESLICE_TICKS;
	c->prev = prev;
	switch_cpu_state(prev, next);
	/* The interrupt-enable state to restore belongs to this task, not the CPU. */
	bool was_enabled = c->irq_was_enabled;
	context_switch(&prev->ctx, &next->ctx);
	this_cpu()->irq_was_enabled = was_enabled;
	finish_switch();
}

void schedule(void)
{
	spin_lock(&rq_lock);
	current->need_resched = false;
	schedule_locked();
}

/* Mark current asleep (rq_lock must then be held until it switches away). */
void sched_sleep_locked_prepare(u64 deadline_ns)
{
	spin_lock(&rq_lock);
	struct task *t = current;
	t->state = TASK_SLEEPING;
	t->wake_deadline_ns = deadline_ns;
	if (deadline_ns)
		list_add_tail(&t->timed, &timed_sleepers);
}

/* Stay awake after all: undo sched_sleep_locked_prepare() and release rq_lock. */
void sched_sleep_cancel(void)
{
	struct task *t = current;
	if (t->wake_deadline_ns) {
		list_del(&t->timed);
		t->wake_deadline_ns = 0;
	}
	t->state = TASK_RUNNING;
	spin_unlock(&rq_lock);
}

/* Sleep: called after sched_sleep_locked_prepare(); returns once woken. */
void sched_sleep_commit(void)
{
	schedule_locked();
}

/*
 * As prepare + commit, but *woken and pending signals are looked at once
 * current is marked asleep, under rq_lock: a waker sets the flag (a sender
 * posts the signal) before its sched_wake(), so either we see it here and
 * stay awake, or that sched_wake() finds us asleep.
 */
void sched_sleep_unless(const bool *woken, u64 deadline_ns)
{
	sched_sleep_locked_prepare(deadline_ns);
	if (__atomic_load_n(woken, __ATOMIC_ACQUIRE) || signal_pending(current))
		sched_sleep_cancel();
	else
		schedule_locked();
}

void sched_wait_off_cpu(struct task *t)
{
	while (READ_ONCE(t->on_cpu))
		cpu_relax();
}

/* SLEEPING -> RUNNABLE. Caller holds rq_lock. */
static void wake_locked(struct task *t)
{
	if (t->state != TASK_SLEEPING)
		return;
	if (t->wake_deadline_ns) {
		list_del(&t->timed);
		t->wake_deadline_ns = 0;
	}
	t->state = TASK_RUNNABLE;
	list_add_tail(&t->rq, &run_queue);
}

void sched_wake(struct task *t)
{
	spin_lock(&rq_lock);
	wake_locked(t);
	spin_unlock(&rq_lock);
}

void sched_make_runnable(struct task *t)
{
	spin_lock(&rq_lock);
	t->state = TASK_RUNNABLE;
	list_add_tail(&t->rq, &run_queue);
	spin_unlock(&rq_lock);
}

/* Wake timed sleepers whose deadline has passed. Caller holds rq_lock. */
static void wake_expired_locked(u64 now_ns)
{
	struct list_head *pos, *tmp;
	list_for_each_safe(pos, tmp, &timed_sleepers)
	{
		struct task *t = list_entry(pos, struct task, timed);
		if (t->wake_deadline_ns <= now_ns)
			wake_locked(t);
	}
}

/* Timer interrupt: charge the tick, wake expired sleepers, ask for preemption. */
void sched_tick(struct trap_frame *tf)
{
	struct task *t = current;
	u64 tick_ns = 1000000000ull / HZ;
	if (trap_from_user(tf))
		t->utime_ns += tick_ns;
	else if (t != this_cpu()->idle)
		t->stime_ns += tick_ns;
	itimer_tick(tf, tick_ns); /* takes task_lock: before rq_lock, which ranks above it */
	spin_lock(&rq_lock);
	wake_expired_locked(clock_ns());
	if (t->timeslice_ticks && --t->timeslice_ticks == 0)
		t->need_resched = true;
	if (t == this_cpu()->idle && !list_empty(&run_queue))
		t->need_resched = true;
	spin_unlock(&rq_lock);
}

void sched_init_cpu(struct task *idle)
{
	struct cpu *c = this_cpu();
	idle->state = TASK_RUNNING;
	idle->on_cpu = true;
	idle->is_kthread = true;
	c->idle = idle;
	c->cur_task = idle;
}

/* The idle task: halt until an interrupt makes something runnable. */
void sched_idle_loop(void)
{
	for (;;) {
		irq_disable();
		if (!list_empty(&run_queue)) {
			irq_enable();
			schedule();
			continue;
		}
		/* sti;hlt is atomic: a wake-up interrupt cannot slip in between. */
		__asm__ volatile("sti; hlt" ::: "memory");
	}
}
