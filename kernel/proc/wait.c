/*
 * Wait queues (include/proc/wait.h).
 *
 * No lost wake-ups: the sleeper re-checks its condition while holding
 * wq->lock and marks itself asleep (taking the run-queue lock) before it
 * lets go of wq->lock. A waker changes the condition first and then takes
 * wq->lock in wake_up(), so it either runs before that re-check (and the
 * sleeper sees the new condition) or after the sleeper is marked asleep
 * (and wakes it).
 */
#include <arch/timer.h>
#include <proc/task.h>
#include <proc/wait.h>
#include <uapi/errno.h>

void wait_queue_init(struct wait_queue *wq)
{
	spin_init(&wq->lock, "waitqueue", LOCK_RANK_SCHED - 1);
	list_init(&wq->sleepers);
}

void wake_up(struct wait_queue *wq)
{
	struct list_head *pos;
	spin_lock(&wq->lock);
	list_for_each(pos, &wq->sleepers)
	{
		struct wait_entry *e = list_entry(pos, struct wait_entry, node);
		if (e->woken)
			__atomic_store_n(e->woken, true, __ATOMIC_RELEASE);
		sched_wake(e->task);
	}
	spin_unlock(&wq->lock);
}

/* Why a sleeper should stop waiting, or 1 to keep waiting. */
static int wait_check(bool (*cond)(void *), void *arg, u64 deadline_ns)
{
	if (cond(arg))
		return 0;
	if (signal_pending(current))
		return -ERESTARTSYS;
	if (deadline_ns && clock_ns() >= deadline_ns)
		return -ETIMEDOUT;
	return 1;
}

int wait_event_timeout(struct wait_queue *wq, bool (*cond)(void *arg), void *arg,
		       struct spinlock *lock, u64 deadline_ns)
{
	struct wait_entry e = { .task = current };
	int r;
	while ((r = wait_check(cond, arg, deadline_ns)) == 1) {
		spin_lock(&wq->lock);
		list_add_tail(&e.node, &wq->sleepers);
		if (cond(arg)) { /* re-check under wq->lock: see the header comment */
			list_del(&e.node);
			spin_unlock(&wq->lock);
			return 0;
		}
		sched_sleep_locked_prepare(deadline_ns);
		if (signal_pending(e.task)) {
			/* Posted after wait_check: its wake-up found us awake and did nothing. */
			sched_sleep_cancel();
			list_del(&e.node);
			spin_unlock(&wq->lock);
			continue;
		}
		spin_unlock(&wq->lock);
		if (lock)
			spin_unlock(lock);
		sched_sleep_commit();
		if (lock)
			spin_lock(lock);
		spin_lock(&wq->lock);
		list_del(&e.node);
		spin_unlock(&wq->lock);
	}
	return r;
}

int wait_event(struct wait_queue *wq, bool (*cond)(void *arg), void *arg, struct spinlock *lock)
{
	return wait_event_timeout(wq, cond, arg, lock, 0);
}

/* Only a fatal signal (SIGKILL, a group exit) ends a killable wait. */
static bool wait_killed(struct task *t)
{
	return READ_ONCE(t->pending_kill_signal) != 0;
}

int wait_event_killable(struct wait_queue *wq, bool (*cond)(void *arg), void *arg)
{
	struct wait_entry e = { .task = current };
	for (;;) {
		if (cond(arg))
			return 0;
		if (wait_killed(e.task))
			return -ERESTARTSYS;
		spin_lock(&wq->lock);
		list_add_tail(&e.node, &wq->sleepers);
		if (!cond(arg)) {
			sched_sleep_locked_prepare(0);
			if (wait_killed(e.task)) { /* the kill's wake-up found us still awake */
				sched_sleep_cancel();
			} else {
				spin_unlock(&wq->lock);
				sched_sleep_commit();
				spin_lock(&wq->lock);
			}
		}
		list_del(&e.node);
		spin_unlock(&wq->lock);
	}
}

void wait_entry_add(struct wait_queue *wq, struct wait_entry *e)
{
	spin_lock(&wq->lock);
	list_add_tail(&e->node, &wq->sleepers);
	spin_unlock(&wq->lock);
}

void wait_entry_del(struct wait_queue *wq, struct wait_entry *e)
{
	spin_lock(&wq->lock);
	list_del(&e->node);
	spin_unlock(&wq->lock);
}

static bool wait_flag_is_set(void *flag)
{
	return __atomic_load_n((bool *)flag, __ATOMIC_ACQUIRE);
}

/*
 * The flag is re-checked by the scheduler under its run-queue lock, after
 * current is marked asleep but before it switches away: a waker that set
 * it earlier is seen there, a later one finds current asleep and wakes it.
 */
int wait_woken(bool *woken, u64 deadline_ns)
{
	int r;
	while ((r = wait_check(wait_flag_is_set, woken, deadline_ns)) == 1)
		sched_sleep_unless(woken, deadline_ns);
	return r;
}
