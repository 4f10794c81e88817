/*
 * execve in a process with more than one thread, as on Linux: every other
 * thread is killed, and the new image starts only once they are gone.
 *
 * The process keeps its identity across the exec: pid, parent, process
 * group, dispositions, timers, shared pending signals, children. All of
 * that lives in the thread group leader's struct task, so the new image
 * always runs in the leader's task:
 *   - the leader execs: it just outlives the others;
 *   - another thread T execs: the leader is killed like the rest. Once it
 *     is a zombie off its CPU, T moves its own per-thread state into it
 *     (fd table, cwd, signal mask and pending signals, CPU times,
 *     children), the exec loads the image into it, and it is restarted on
 *     a fresh kernel stack. T leaves the process as a parentless husk and
 *     dies at its return to user mode, freed at once.
 * Either way getpid() == gettid() == the old tgid afterwards, and the
 * parent sees no exit: a zombie leader is reaped only with its last thread.
 *
 * Two execs at once: the first to set leader->exec_task wins and kills
 * the other, whose exec fails with -EAGAIN (it never returns to user
 * mode). A thread an exec kills does not start a group exit when it dies
 * (thread_group_exit_locked), so its fatal status is not the process's; a
 * SIGKILL from outside still kills the exec'ing thread too, and then the
 * exec fails and the process dies. Killed threads exit through do_exit as
 * usual: clear_child_tid is written and futex waiters woken in the old
 * address space, and their children go to a live thread (in the end, the
 * exec'ing one).
 *
 * Locking: task_lock guards exec_task and everything moved at the take-over.
 * Every exit in a group with an exec under way wakes exec_wq.
 */
#include <lib/string.h>
#include <proc/exec.h>
#include <proc/rusage.h>
#include <proc/signal.h>
#include <proc/task.h>
#include <proc/wait.h>
#include <uapi/errno.h>

static struct wait_queue exec_wq = WAIT_QUEUE_INIT(exec_wq);

bool exec_group_is_victim_locked(struct task *t)
{
	struct task *exec_task = t->group_leader->exec_task;
	return exec_task && exec_task != t;
}

void exec_group_thread_gone_locked(struct task *leader)
{
	if (leader->exec_task)
		wake_up(&exec_wq);
}

/* wait_event condition: thread arg is the last live thread of its process. */
static bool exec_is_alone(void *arg)
{
	struct task *t = arg;
	return READ_ONCE(t->group_leader->nr_live_threads) == 1;
}

/*
 * Claim the process for current's exec and kill the other threads. Returns
 * false if current is doomed instead (an exec or group exit under way, a
 * SIGKILL). Caller holds task_lock.
 */
static bool exec_claim_locked(struct task *t)
{
	struct task *leader = t->group_leader;
	if (leader->is_group_exiting || leader->exec_task || t->pending_kill_signal)
		return false;
	leader->exec_task = t;
	thread_group_kill_locked(leader, t);
	return true;
}

int exec_group_kill_others(void)
{
	struct task *t = current, *leader = t->group_leader;
	spin_lock(&task_lock);
	bool is_single = t == leader && leader->nr_live_threads == 1;
	bool is_claimed = !is_single && exec_claim_locked(t);
	spin_unlock(&task_lock);
	if (is_single)
		return 0;
	if (!is_claimed)
		return -EAGAIN;
	int r = wait_event_killable(&exec_wq, exec_is_alone, t) ? -EAGAIN : 0;
	spin_lock(&task_lock);
	leader->exec_task = NULL; /* done: the others have passed every check of it */
	spin_unlock(&task_lock);
	return r;
}

/*
 * Bring the zombie leader back with thread t's per-thread state; its own
 * CPU times and pending signals were folded in or dropped at its exit, its
 * mm, fd table and cwd dropped. The live-thread count stays 1: the leader
 * replaces t. Caller holds task_lock.
 */
static void exec_revive_leader_locked(struct task *leader, struct task *t)
{
	leader->is_zombie = false;
	leader->exit_status = 0;
	leader->files = t->files;
	leader->fs = t->fs;
	t->files = NULL;
	t->fs = NULL;
	memcpy(leader->rlim_cur, t->rlim_cur, sizeof(leader->rlim_cur));
	memcpy(leader->rlim_max, t->rlim_max, sizeof(leader->rlim_max));
	signal_thread_take_over_locked(leader, t); /* a SIGKILL t got meanwhile too */
	acct_thread_take_over_locked(leader, t);
	reparent_children_locked(t, leader);
}

/*
 * t leaves its process as a group of its own with no parent, killed: it
 * dies at its return to user mode and nobody is told. Caller holds task_lock.
 */
static void exec_detach_husk_locked(struct task *t)
{
	list_del(&t->thread_node);
	list_init(&t->thread_node);
	t->group_leader = t;
	t->tgid = t->pid;
	t->parent = NULL;
	t->nr_live_threads = 1;
	t->pending_kill_signal = SIGKILL;
}

struct task *exec_group_take_over(void)
{
	struct task *t = current, *leader = t->group_leader;
	if (t == leader)
		return t;
	/* t is the last live thread, so the leader is a zombie; wait until it has switched away. */
	sched_wait_off_cpu(leader);
	spin_lock(&task_lock);
	exec_revive_leader_locked(leader, t);
	exec_detach_husk_locked(t);
	spin_unlock(&task_lock);
	return leader;
}

void exec_group_start(struct task *t)
{
	if (t == current)
		return;
	task_setup_start(t, NULL, NULL); /* its old stack ended in do_exit's schedule() */
	sched_make_runnable(t);
}
