/*
 * Wait queues: a task sleeps on one until a condition it cannot spin on
 * becomes true. The waker changes the condition first, then calls
 * wake_up(); the sleeper re-checks the condition after every wake-up, so
 * spurious or racing wake-ups are harmless.
 *
 * wq->lock (rank SCHED-1) guards the list of sleepers only.
 */
#pragma once
#include <lib/list.h>
#include <lib/spinlock.h>
#include <types.h>

struct wait_queue {
	struct spinlock lock;
	struct list_head sleepers;
};

#define WAIT_QUEUE_INIT(name) { SPINLOCK_INIT(#name, LOCK_RANK_SCHED - 1), LIST_HEAD_INIT((name).sleepers) }

void wait_queue_init(struct wait_queue *wq);
/* Wake every sleeper. Safe from interrupt handlers. */
void wake_up(struct wait_queue *wq);

/*
 * Sleep until cond() (called with arg) is true or a signal is pending.
 * Returns 0 when cond holds, -ERESTARTSYS if interrupted by a signal.
 * If lock is given, it is held on entry and exit and released while asleep.
 */
int wait_event(struct wait_queue *wq, bool (*cond)(void *arg), void *arg, struct spinlock *lock);
/* As wait_event, with a deadline on the clock_ns() clock; -ETIMEDOUT when it passes. */
int wait_event_timeout(struct wait_queue *wq, bool (*cond)(void *arg), void *arg,
		       struct spinlock *lock, u64 deadline_ns);
