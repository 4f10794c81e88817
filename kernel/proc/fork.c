/*
 * fork(), vfork() and clone(): make a new task that is a copy of the
 * caller, sharing what the clone flags say and duplicating the rest.
 *
 * The interesting part, the address space, is not copied here: for a
 * fork, cow_dup_mm() in mm/cow.c copies the page tables and shares every
 * frame copy-on-write. Read that file next.
 *
 * What a child does NOT inherit (the seeds' list): its pid and parent
 * differ; CPU times start at zero; pending signals are cleared; record
 * locks and alarms belong to the parent (they live outside the task and
 * are not copied).
 */
#include <arch/asm_offsets.h>
#include <arch/cpu.h>
#include <fs/fdtable.h>
#include <fs/fs_struct.h>
#include <fs/procfs.h>
#include <fs/vfs.h>
#include <lib/printk.h>
#include <lib/string.h>
#include <mm/cow.h>
#include <mm/mm.h>
#include <mm/usercopy.h>
#include <proc/fork.h>
#include <proc/signal.h>
#include <proc/task.h>
#include <uapi/errno.h>

/* Flag combinations Linux refuses, and features not built yet. */
static int clone_check_flags(u64 flags)
{
	if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
		return -EINVAL;
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return -EINVAL;
	if ((flags & CLONE_FS) && (flags & CLONE_NEWNS))
		return -EINVAL;
	if (flags & (CLONE_NEWNS | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC |
		     CLONE_NEWUTS | CLONE_NEWCGROUP | CLONE_PIDFD))
		return -EINVAL; /* namespaces and pidfds are not built */
	return 0;
}

/* The child's address space: shared for CLONE_VM, else a copy-on-write duplicate. */
static int fork_mm(struct task *child, struct task *parent, u64 flags)
{
	if (!parent->mm)
		return 0;
	if (flags & CLONE_VM) {
		mm_get(parent->mm);
		child->mm = parent->mm;
		return 0;
	}
	struct mm *mm = mm_create();
	if (!mm)
		return -ENOMEM;
	int r = cow_dup_mm(parent->mm, mm);
	if (r) {
		mm_put(mm);
		return r;
	}
	child->mm = mm;
	return 0;
}

/* fd table and cwd: shared or duplicated by CLONE_FILES / CLONE_FS. */
static int fork_files(struct task *child, struct task *parent, u64 flags)
{
	if (parent->files)
		child->files = flags & CLONE_FILES ? files_get(parent->files)
						   : files_dup(parent->files);
	if (parent->fs)
		child->fs = flags & CLONE_FS ? fs_get(parent->fs) : fs_dup(parent->fs);
	if ((parent->files && !child->files) || (parent->fs && !child->fs))
		return -ENOMEM;
	return 0;
}

/* Registers, FPU, TLS, signal state and limits the child starts with. */
static void fork_cpu_state(struct task *child, struct task *parent, u64 flags, u64 newsp, u64 tls)
{
	*child->tf = *parent->tf;
	child->tf->rax = 0; /* the child's fork() returns 0 */
	if (newsp)
		child->tf->rsp = newsp;
	__asm__ volatile("fxsave64 %0" : "=m"(child->fpu)); /* the parent's live FPU state */
	child->fs_base = flags & CLONE_SETTLS ? tls : rdmsr(MSR_FS_BASE);
	signal_fork(child, parent, flags); /* mask, dispositions; nothing pending, no timers */
	memcpy(child->rlim_cur, parent->rlim_cur, sizeof(child->rlim_cur));
	memcpy(child->rlim_max, parent->rlim_max, sizeof(child->rlim_max));
	memcpy(child->comm, parent->comm, sizeof(child->comm));
}

/* Undo a half-built child (never ran, never linked to a parent). */
static void fork_abort(struct task *child)
{
	task_drop_resources(child); /* /proc may see the child already */
	task_free(child);
}

/*
 * Link child under parent (a new process) or into parent's thread group
 * (CLONE_THREAD: same tgid, same parent as the leader, not a child), then
 * let it run. -EINTR if parent is being killed (exit_group, an execve in
 * another thread, SIGKILL): a child made now would escape that kill.
 */
static int fork_publish(struct task *child, struct task *parent, u64 flags)
{
	task_setup_start(child, NULL, NULL);
	spin_lock(&task_lock);
	if (parent->pending_kill_signal) {
		spin_unlock(&task_lock);
		return -EINTR;
	}
	if (flags & CLONE_VFORK) {
		child->vfork_parent = parent;
		parent->is_vfork_waiting = true;
	}
	if (flags & CLONE_THREAD) {
		struct task *leader = parent->group_leader;
		child->tgid = leader->tgid;
		child->group_leader = leader;
		child->parent = leader->parent;
		list_add_tail(&child->thread_node, &leader->threads);
		leader->nr_live_threads++;
		procfs_pid_thread(child->pid); /* /proc lists processes, not threads */
	} else {
		child->parent = parent;
		list_add_tail(&child->sibling, &parent->children);
	}
	sched_make_runnable(child); /* under task_lock: a kill that finds it may wake it at once */
	spin_unlock(&task_lock);
	return 0;
}

static bool vfork_released(void *arg)
{
	return !READ_ONCE(((struct task *)arg)->is_vfork_waiting);
}

/*
 * vfork: sleep until the child execs or exits. Killable only: a handler
 * must not run on the stack the child is using. Killed first, we cut the
 * child's link to us, so it never wakes a task that may be freed by then.
 */
static void vfork_wait(struct task *parent, int child_pid)
{
	if (!wait_event_killable(&parent->child_wq, vfork_released, parent))
		return;
	spin_lock(&task_lock);
	struct task *c = task_find(child_pid);
	if (c && c->vfork_parent == parent)
		c->vfork_parent = NULL;
	parent->is_vfork_waiting = false;
	spin_unlock(&task_lock);
}

long do_clone(u64 flags, u64 newsp, int __user *parent_tid, int __user *child_tid, u64 tls)
{
	struct task *parent = current, *child;
	int r = clone_check_flags(flags);
	if (r)
		return r;
	if (!(child = task_alloc()))
		return -EAGAIN;
	fork_cpu_state(child, parent, flags, newsp, tls);
	if ((r = fork_mm(child, parent, flags)) || (r = fork_files(child, parent, flags)))
		goto abort;
	int pid = child->pid;
	if ((flags & CLONE_PARENT_SETTID) && copy_to_user(parent_tid, &pid, sizeof(pid))) {
		r = -EFAULT;
		goto abort;
	}
	if ((flags & CLONE_CHILD_SETTID) && child->mm &&
	    (r = mm_copy_in(child->mm, (u64)child_tid, &pid, sizeof(pid))))
		goto abort;
	if (flags & CLONE_CHILD_CLEARTID)
		child->clear_child_tid = (u64)child_tid;
	if ((r = fork_publish(child, parent, flags)))
		goto abort;
	if (flags & CLONE_VFORK)
		vfork_wait(parent, pid);
	return pid;
abort:
	fork_abort(child);
	return r;
}

/* A vfork child has exec'd or exited: its parent may run again. */
void fork_release_vfork_parent(struct task *t)
{
	if (!READ_ONCE(t->vfork_parent))
		return; /* set before we first ran; from then on it only goes back to NULL */
	spin_lock(&task_lock);
	struct task *p = t->vfork_parent;
	t->vfork_parent = NULL;
	if (p) {
		p->is_vfork_waiting = false;
		wake_up(&p->child_wq);
	}
	spin_unlock(&task_lock);
}
