/*
 * Task allocation, pids and the task list.
 *
 * task_lock (rank PROC) guards the global task list, pid allocation and
 * every parent/children link (see include/proc/task.h).
 */
#include <arch/asm_offsets.h>
#include <arch/timer.h>
#include <fs/procfs.h>
#include <fs/fdtable.h>
#include <fs/fs_struct.h>
#include <mm/mm.h>
#include <lib/printk.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <proc/task.h>

#define PID_MAX 32768

struct spinlock task_lock = SPINLOCK_INIT("task", LOCK_RANK_PROC);
static LIST_HEAD(all_tasks);
static int pid_last;

/* A default FPU image (FCW 0x37f, MXCSR 0x1f80) that new user tasks start from. */
static u8 fpu_initial[512] __aligned(16);

void task_fpu_init_default(void)
{
	__asm__ volatile("fninit; fxsave64 %0" : "=m"(fpu_initial));
	*(u32 *)&fpu_initial[24] = 0x1f80; /* MXCSR: all exceptions masked */
}

void task_fpu_reset(struct task *t)
{
	memcpy(t->fpu, fpu_initial, sizeof(t->fpu));
}

struct task *task_find(int pid)
{
	struct list_head *pos;
	list_for_each(pos, &all_tasks)
	{
		struct task *t = list_entry(pos, struct task, all);
		if (t->pid == pid)
			return t;
	}
	return NULL;
}

struct task *task_next_locked(struct task *t)
{
	struct list_head *n = t ? t->all.next : all_tasks.next;
	return n == &all_tasks ? NULL : list_entry(n, struct task, all);
}

/* Next free pid, wrapping at PID_MAX like Linux. Caller holds task_lock. */
static int pid_alloc_locked(void)
{
	for (int tries = 0; tries < PID_MAX; tries++) {
		pid_last = pid_last >= PID_MAX - 1 ? 300 : pid_last + 1;
		if (!task_find(pid_last))
			return pid_last;
	}
	return -1;
}

struct task *task_alloc(void)
{
	struct task *t = kzalloc(sizeof(*t));
	if (!t)
		return NULL;
	t->kstack = kmalloc(KSTACK_SIZE, 0);
	if (!t->kstack)
		goto free_task;
	t->kstack_top = (u64)t->kstack + KSTACK_SIZE;
	t->tf = (struct trap_frame *)(t->kstack_top - sizeof(struct trap_frame));
	list_init(&t->children);
	list_init(&t->sibling);
	list_init(&t->rq);
	list_init(&t->timed);
	list_init(&t->threads);
	list_init(&t->thread_node);
	t->group_leader = t;
	t->nr_live_threads = 1;
	wait_queue_init(&t->child_wq);
	task_fpu_reset(t);
	t->start_ns = clock_ns();
	t->state = TASK_SLEEPING;
	spin_lock(&task_lock);
	t->pid = t->tgid = pid_alloc_locked();
	if (t->pid > 0) {
		list_add_tail(&t->all, &all_tasks);
		procfs_pid_alloc(t->pid);
	}
	spin_unlock(&task_lock);
	if (t->pid < 0)
		goto free_stack;
	return t;
free_stack:
	kfree(t->kstack);
free_task:
	kfree(t);
	return NULL;
}

void task_free(struct task *t)
{
	spin_lock(&task_lock);
	list_del(&t->all);
	procfs_pid_free(t->pid); /* before the pid can be reused */
	spin_unlock(&task_lock);
	kfree(t->kstack);
	kfree(t);
}

/*
 * Detach t's address space, fd table and fs context and drop them. The
 * pointers are cleared under task_lock, because /proc readers take their
 * own references under it; the puts happen after, outside the lock.
 */
void task_drop_resources(struct task *t)
{
	struct mm *mm = t->mm;
	struct files_struct *files = t->files;
	struct fs_struct *fs = t->fs;
	spin_lock(&task_lock);
	t->mm = NULL;
	t->files = NULL;
	t->fs = NULL;
	spin_unlock(&task_lock);
	if (mm)
		mm_put(mm);
	if (files)
		files_put(files);
	if (fs)
		fs_put(fs);
}

void task_first_run(void);

/*
 * Lay out t's kernel stack so the first context_switch() to it "returns"
 * into task_first_run with fn/arg in r12/r13 and rsp at the trap frame.
 */
void task_setup_start(struct task *t, void (*fn)(void *), void *arg)
{
	u64 *sp = (u64 *)t->tf;
	*--sp = (u64)task_first_run;
	*--sp = 0;         /* rbp */
	*--sp = 0;         /* rbx */
	*--sp = (u64)fn;   /* r12 */
	*--sp = (u64)arg;  /* r13 */
	*--sp = 0;         /* r14 */
	*--sp = 0;         /* r15 */
	t->ctx.rsp = (u64)sp;
}
