/*
 * Process exit and wait.
 *
 * An exiting task releases its address space and files at once, hands its
 * children to another live thread of its process or else to init (or a
 * subreaper), records its wait status and becomes a zombie; its parent's
 * wait4() reaps it and frees what is left (task struct, kernel stack).
 * PID 1's exit ends the machine: under tools/qrun its status is the run's
 * exit status.
 */
#include <arch/mmu.h>
#include <arch/power.h>
#include <fs/fdtable.h>
#include <fs/fs_struct.h>
#include <fs/vfs.h>
#include <lib/printk.h>
#include <mm/mm.h>
#include <mm/usercopy.h>
#include <proc/exec.h>
#include <proc/fork.h>
#include <proc/futex.h>
#include <proc/signal.h>
#include <proc/task.h>
#include <uapi/errno.h>
#include <uapi/wait.h>

/*
 * Who adopts t's orphans: the nearest ancestor that asked to be a
 * subreaper (prctl PR_SET_CHILD_SUBREAPER), else init. Caller holds task_lock.
 */
static struct task *reaper_for_locked(struct task *t)
{
	for (struct task *a = t->group_leader->parent; a; a = a->parent)
		if (a->is_subreaper && !a->is_zombie)
			return a;
	return task_find(1);
}

/*
 * Who adopts exiting t's children: as on Linux, another live thread of its
 * process, so the process keeps them; else the reaper. A thread found
 * here has not passed its own children on yet: that happens in the same
 * task_lock section as the is_exiting / is_zombie marks. Caller holds task_lock.
 */
static struct task *heir_for_locked(struct task *t)
{
	struct task *leader = t->group_leader;
	struct list_head *pos;
	if (leader != t && !leader->is_zombie)
		return leader;
	list_for_each(pos, &leader->threads)
	{
		struct task *th = list_entry(pos, struct task, thread_node);
		if (th != t && !th->sig.is_exiting)
			return th;
	}
	return reaper_for_locked(t);
}

/* c and its threads now have parent p. Caller holds task_lock. */
static void set_parent_locked(struct task *c, struct task *p)
{
	struct list_head *pos;
	c->parent = p;
	list_for_each(pos, &c->threads)
	{
		list_entry(pos, struct task, thread_node)->parent = p;
	}
}

void reparent_children_locked(struct task *from, struct task *new_parent)
{
	bool has_zombie = false;
	while (!list_empty(&from->children)) {
		struct task *c = list_first_entry(&from->children, struct task, sibling);
		list_del(&c->sibling);
		set_parent_locked(c, new_parent);
		list_add_tail(&c->sibling, &new_parent->children);
		has_zombie |= c->is_zombie;
	}
	if (has_zombie) {
		atomic_inc(&new_parent->child_events);
		wake_up(&new_parent->child_wq);
	}
}

/*
 * Drop everything a zombie does not need: address space, files, cwd. The
 * pointers are cleared under task_lock, so a reader holding task_lock
 * (/proc) may take its own reference on whatever it still sees.
 */
static void exit_release_resources(struct task *t)
{
	if (t->mm)
		mmu_switch(kernel_root); /* leave the page tables before they are freed under us */
	task_drop_resources(t);
}

/* PID 1 is gone: report its status the way a shell would and stop. */
static __noreturn void exit_init(int status)
{
	int code = (status & 0x7f) ? 128 + (status & 0x7f) : (status >> 8) & 0xff;
	if (status & 0x7f)
		printk("cowix: init killed by signal %d\n", status & 0x7f);
	machine_poweroff(code);
}

void thread_group_kill_locked(struct task *leader, struct task *except)
{
	struct list_head *pos;
	if (leader != except && !leader->is_zombie)
		signal_kill_thread_locked(leader);
	list_for_each(pos, &leader->threads)
	{
		struct task *th = list_entry(pos, struct task, thread_node);
		if (th != except)
			signal_kill_thread_locked(th);
	}
}

void thread_group_exit_locked(struct task *leader, int status)
{
	if (leader->is_group_exiting)
		return;
	if (current->group_leader == leader && exec_group_is_victim_locked(current))
		return;
	leader->is_group_exiting = true;
	leader->group_exit_status = status;
	thread_group_kill_locked(leader, current);
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

/*
 * The process (all its threads) is gone: send the parent its exit signal
 * and let its wait4 see it. Returns true if nobody waits (no parent, as
 * for the husk an execve leaves, exec_group.c; or SIGCHLD ignored or
 * SA_NOCLDWAIT): leader is then unlinked, to be freed at once. Caller
 * holds task_lock.
 */
static bool exit_notify_parent_locked(struct task *leader)
{
	struct task *parent = leader->parent;
	if (leader->is_group_exiting) /* the leader may have exited before the group did */
		leader->exit_status = leader->group_exit_status;
	if (!parent)
		return true;
	bool autoreap = signal_notify_parent_exit_locked(leader, leader->exit_status);
	if (autoreap)
		list_del(&leader->sibling);
	atomic_inc(&parent->child_events);
	wake_up(&parent->child_wq);
	return autoreap;
}

static void wait_free_zombie(struct task *c);

void do_exit(int status)
{
	struct task *t = current, *leader = t->group_leader;
	spin_lock(&task_lock);
	/* A fatal signal on any thread ends the whole process, as on Linux. */
	if ((status & 0x7f) && leader->nr_live_threads > 1)
		thread_group_exit_locked(leader, status);
	if (leader->is_group_exiting)
		status = leader->group_exit_status;
	bool is_exec_victim = exec_group_is_victim_locked(t);
	spin_unlock(&task_lock);
	if (t->pid == 1 && !is_exec_victim) /* an execve in another thread lives on as PID 1 */
		exit_init(status);
	exit_clear_child_tid(t);
	exit_release_resources(t);
	fork_release_vfork_parent(t);
	spin_lock(&task_lock);
	reparent_children_locked(t, heir_for_locked(t));
	bool is_group_dead = --leader->nr_live_threads == 0;
	exec_group_thread_gone_locked(leader);
	signal_exit_locked(t, is_group_dead);
	struct task *autoreaped = NULL;
	if (t != leader) {
		list_del(&t->thread_node);
		if (is_group_dead && leader->is_zombie && exit_notify_parent_locked(leader))
			autoreaped = leader;
	} else {
		t->exit_status = status;
		t->is_zombie = true;
		if (is_group_dead && exit_notify_parent_locked(t))
			autoreaped = t;
	}
	spin_unlock(&task_lock);
	if (autoreaped && autoreaped != t)
		wait_free_zombie(autoreaped); /* the leader exited before us */
	/* schedule() never returns to a zombie; a dead task is freed by the next task. */
	t->state = t == leader && autoreaped != t ? TASK_ZOMBIE : TASK_DEAD;
	schedule();
	panic("exited task %d rescheduled", t->pid);
}

/* Does child c match the request (as seen from parent p)? */
static bool wait_matches(struct task *p, struct task *c, const struct wait_req *w)
{
	switch (w->which) {
	case P_PID:
		return c->tgid == w->id;
	case P_PGID:
		return c->sig.pgid == (w->id ? w->id : p->group_leader->sig.pgid);
	default:
		return true;
	}
}

/*
 * Look for a child with news: a zombie (reaped into *reaped unless
 * WNOWAIT), or, if asked, a stop or continue not yet reported. Returns its
 * pid, 0 if matching children exist but none has news, -ECHILD if none
 * match. Caller holds task_lock.
 */
static int wait_find_locked(struct task *p, struct wait_req *w, struct task **reaped)
{
	struct list_head *pos;
	bool has_match = false;
	list_for_each(pos, &p->children)
	{
		struct task *c = list_entry(pos, struct task, sibling);
		if (!wait_matches(p, c, w))
			continue;
		has_match = true;
		if (c->is_zombie && !c->nr_live_threads) { /* a leader waits for its last thread */
			if (!(w->options & WEXITED))
				continue;
			w->status = c->exit_status;
			w->ru = acct_wait_totals_locked(c);
			if (!(w->options & WNOWAIT)) {
				acct_reap_locked(p, c);
				list_del(&c->sibling);
				*reaped = c;
			}
			return c->pid;
		}
		if (signal_wait_report_locked(c, w->options, &w->status)) {
			w->ru = acct_wait_totals_locked(c);
			return c->pid;
		}
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
	sched_wait_off_cpu(c);
	task_free(c);
}

long do_wait(struct wait_req *w)
{
	struct task *self = current;
	for (;;) {
		struct child_event_wait ev = { self, atomic_read(&self->child_events) };
		struct task *reaped = NULL;
		spin_lock(&task_lock);
		int r = wait_find_locked(self, w, &reaped);
		spin_unlock(&task_lock);
		if (reaped)
			wait_free_zombie(reaped);
		if (r != 0 || (w->options & WNOHANG))
			return r;
		if (wait_event(&self->child_wq, child_event_happened, &ev, NULL))
			return -ERESTARTSYS;
	}
}

long do_wait4(int pid, int __user *ustatus, int options, void __user *urusage)
{
	struct wait_req w = { .which = P_ALL, .options = options | WEXITED };
	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WALL | __WCLONE | __WNOTHREAD))
		return -EINVAL;
	if (pid == (int)0x80000000)
		return -ESRCH; /* -INT_MIN has no group */
	if (pid > 0)
		w.which = P_PID, w.id = pid;
	else if (pid == 0 || pid < -1)
		w.which = P_PGID, w.id = -pid;
	long r = do_wait(&w);
	if (r <= 0)
		return r;
	if (ustatus && copy_to_user(ustatus, &w.status, sizeof(w.status)))
		return -EFAULT;
	if (urusage && rusage_copy_to_user(urusage, &w.ru))
		return -EFAULT;
	return r;
}
