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

struct task;

struct wait_queue {
	struct spinlock lock;
	struct list_head sleepers; /* struct wait_entry, in arrival order */
};

/*
 * One sleeper's place on a queue. wait_event keeps one on its stack; a
 * task watching several queues at once (poll, select) puts one on each,
 * all pointing at the same woken flag, which any of them may set.
 */
struct wait_entry {
	struct list_head node; /* [wq->lock] on wq->sleepers */
	struct task *task;     /* the task wake_up wakes */
	bool *woken;	       /* if not NULL, wake_up sets *woken = true before waking task */
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
/*
 * As wait_event, but only a fatal signal (SIGKILL) ends it early: for
 * waits a handler must not cut short, such as a vfork parent's.
 */
int wait_event_killable(struct wait_queue *wq, bool (*cond)(void *arg), void *arg);
/* As wait_event, with a deadline on the clock_ns() clock; -ETIMEDOUT when it passes. */
int wait_event_timeout(struct wait_queue *wq, bool (*cond)(void *arg), void *arg,
		       struct spinlock *lock, u64 deadline_ns);

/* Sleeping on several queues (fs/poll.c): add and remove entries one by one. */
void wait_entry_add(struct wait_queue *wq, struct wait_entry *e);
void wait_entry_del(struct wait_queue *wq, struct wait_entry *e);
/*
 * Sleep until *woken is true (set by wake_up through an entry pointing at
 * it), a signal is pending or deadline_ns (clock_ns(); 0: none) passes.
 * 0, -ERESTARTSYS or -ETIMEDOUT. To lose no wake-up, the caller clears
 * *woken, then checks what it waits for, then calls this.
 */
int wait_woken(bool *woken, u64 deadline_ns);
