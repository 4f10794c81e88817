/*
 * Process exit and wait.
 *
 * An exiting task releases its address space and files at once, hands its
 * children to init, records its wait status and becomes a zombie; its
 * parent's wait4() reaps it and frees what is left (task struct, kernel
 * stack). PID 1's exit ends the machine: under tools/qrun its status is the
 * run's exit status.
 */
#include <arch/mmu.h>
#include <arch/power.h>
#include <fs/fdtable.h>
#include <fs/fs_struct.h>
#include <fs/vfs.h>
#include <lib/printk.h>
#include <mm/mm.h>
#include <mm/usercopy.h>
#include <proc/fork.h>
#include <proc/futex.h>
#include <proc/task.h>
#include <uapi/errno.h>
#include <uapi/wait.h>

/*
 * Who adopts t's orphans: the nearest ancestor that asked to be a
 * subreaper (prctl PR_SET_CHILD_SUBREAPER), else init. Caller holds task_lock.
 */
static struct task *reaper_for_locked(struct task *t)
{
	for (struct task *a = t->parent; a; a = a->parent)
		if (a->is_subreaper && !a->is_zombie)
			return a;
	return task_find(1);
}

/* Give t's children to their reaper; wake it if any is already a zombie. Caller holds task_lock. */
static void reparent_children_locked(struct task *t)
{
	struct task *init = reaper_for_locked(t);
	bool has_zombie = false;
	while (!list_empty(&t->children)) {
		struct task *c = list_first_entry(&t->children, struct task, sibling);
		list_del(&c->sibling);
		c->parent = init;
		list_add_tail(&c->sibling, &init->children);
		has_zombie |= c->is_zombie;
	}
	if (has_zombie) {
		atomic_inc(&init->child_events);
		wake_up(&init->child_wq);
	}
}

/* Drop everything a zombie does not need: address space, files, cwd. */
static void exit_release_resources(struct task *t)
{
	if (t->mm) {
		/* Leave the page tables before they are freed under us. */
		mmu_switch(kernel_root);
		struct mm *mm = t->mm;
		t->mm = NULL;
		mm_put(mm);
	}
	if (t->files) {
		files_put(t->files);
		t->files = NULL;
	}
	if (t->fs) {
		fs_put(t->fs);
		t->fs = NULL;
	}
}

/* PID 1 is gone: report its status the way a shell would and stop. */
static __noreturn void exit_init(int status)
{
	int code = (status & 0x7f) ? 128 + (status & 0x7f) : (status >> 8) & 0xff;
	if (status & 0x7f)
		printk("cowix: init killed by signal %d\n", status & 0x7f);
	machine_poweroff(code);
}

/*
 * Make every thread of leader's group exit with status: each is sent a
 * kill that it acts on at its next return to user mode (a sleeping one is
 * woken for it). Caller holds task_lock.
 */
void thread_group_exit_locked(struct task *leader, int status)
{
	struct list_head *pos;
	if (leader->is_group_exiting)
		return;
	leader->is_group_exiting = true;
	leader->group_exit_status = status;
	list_for_each(pos, &leader->threads)
	{
		struct task *th = list_entry(pos, struct task, thread_node);
		th->pending_kill_signal = SIGKILL;
		sched_wake(th);
	}
	if (leader != current) {
		leader->pending_kill_signal = SIGKILL;
		sched_wake(leader);
	}
}

/*
 * Thread exit: zero *clear_child_tid and wake one futex waiter on it, as
 * pthread_join expects. Done while the address space is still ours.
 */
static void exit_clear_child_tid(struct task *t)
{
	int zero = 0;
	if (!t->clear_child_tid || !t->mm)
		return;
	if (!copy_to_user((int __user *)t->clear_child_tid, &zero, sizeof(zero)))
		futex_wake_addr(t->clear_child_tid, 1);
	t->clear_child_tid = 0;
}

/* The process (all its threads) is gone: let the parent's wait4 see it. Caller holds task_lock. */
static void exit_notify_parent_locked(struct task *leader)
{
	struct task *parent = leader->parent;
	if (!parent)
		return;
	atomic_inc(&parent->child_events);
	wake_up(&parent->child_wq);
}

void do_exit(int status)
{
	struct task *t = current, *leader = t->group_leader;
	spin_lock(&task_lock);
	/* A fatal signal on any thread ends the whole process, as on Linux. */
	if ((status & 0x7f) && leader->nr_live_threads > 1)
		thread_group_exit_locked(leader, status);
	if (leader->is_group_exiting)
		status = leader->group_exit_status;
	spin_unlock(&task_lock);
	if (t->pid == 1)
		exit_init(status);
	exit_clear_child_tid(t);
	exit_release_resources(t);
	fork_release_vfork_parent(t);
	spin_lock(&task_lock);
	reparent_children_locked(t);
	bool is_group_dead = --leader->nr_live_threads == 0;
	if (t != leader) {
		list_del(&t->thread_node);
		if (is_group_dead && leader->is_zombie)
			exit_notify_parent_locked(leader);
	} else {
		t->exit_status = status;
		t->is_zombie = true;
		if (is_group_dead)
			exit_notify_parent_locked(t);
	}
	spin_unlock(&task_lock);
	/* schedule() never returns to a zombie; a dead thread is freed by the next task. */
	t->state = t == leader ? TASK_ZOMBIE : TASK_DEAD;
	schedule();
	panic("exited task %d rescheduled", t->pid);
}

/* Does child c match wait4's pid argument (as seen from parent p)? */
static bool wait_matches(struct task *p, struct task *c, int pid)
{
	(void)p;
	if (pid > 0)
		return c->pid == pid;
	return true; /* pid -1 (any); process groups come with job control */
}

/*
 * Look for a matching zombie child; reap it into *status. Returns its pid,
 * 0 if matching children exist but none has exited, -ECHILD if none match.
 * Caller holds task_lock.
 */
static int wait_reap_locked(struct task *p, int pid, int *status, struct task **reaped)
{
	struct list_head *pos;
	bool has_match = false;
	list_for_each(pos, &p->children)
	{
		struct task *c = list_entry(pos, struct task, sibling);
		if (!wait_matches(p, c, pid))
			continue;
		has_match = true;
		if (!c->is_zombie || c->nr_live_threads)
			continue; /* a leader waits for its last thread */
		*status = c->exit_status;
		list_del(&c->sibling);
		*reaped = c;
		return c->pid;
	}
	return has_match ? 0 : -ECHILD;
}

struct child_event_wait {
	struct task *t;
	int seen;
};

static bool child_event_happened(void *arg)
{
	struct child_event_wait *w = arg;
	return atomic_read(&w->t->child_events) != w->seen;
}

/* Free a reaped zombie once it is certainly off its CPU. */
static void wait_free_zombie(struct task *c)
{
	while (READ_ONCE(c->on_cpu))
		__asm__ volatile("pause");
	task_free(c);
}

long do_wait4(int pid, int __user *ustatus, int options)
{
	struct task *self = current;
	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WALL | __WCLONE | __WNOTHREAD))
		return -EINVAL;
	for (;;) {
		struct child_event_wait w = { self, atomic_read(&self->child_events) };
		struct task *reaped = NULL;
		int status = 0;
		spin_lock(&task_lock);
		int r = wait_reap_locked(self, pid, &status, &reaped);
		spin_unlock(&task_lock);
		if (reaped) {
			wait_free_zombie(reaped);
			if (ustatus && copy_to_user(ustatus, &status, sizeof(status)))
				return -EFAULT;
			return r;
		}
		if (r < 0 || (options & WNOHANG))
			return r;
		if (wait_event(&self->child_wq, child_event_happened, &w, NULL))
			return -ERESTARTSYS;
	}
}
