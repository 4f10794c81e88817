/*
 * Spinlocks. Taking one disables interrupts on this CPU until the last lock
 * is released (irq_save_push/irq_restore_pop nest), so a lock shared with an
 * interrupt handler cannot deadlock its own CPU. Each lock has a rank: a CPU
 * may only take a lock of higher rank than every lock it already holds, which
 * spin_lock asserts, so lock-order inversions are caught on the first run
 * rather than the first deadlock.
 */
#pragma once
#include <types.h>

/* Lock ranks, lowest first: take locks in increasing rank. */
enum lock_rank {
	LOCK_RANK_NONE = 0, /* unranked: no ordering check */
	LOCK_RANK_PROC = 10,
	LOCK_RANK_MM = 20,
	LOCK_RANK_VFS = 30,
	LOCK_RANK_SCHED = 40,
	LOCK_RANK_THP = 45, /* a huge page's counts (mm/thp.c): under mm, above frame */
	LOCK_RANK_FRAME = 50,
	LOCK_RANK_HEAP = 60,
	LOCK_RANK_CONSOLE = 70,
	LOCK_RANK_LOG = 80,
};

struct spinlock {
	u32 locked;
	int rank;
	int owner_cpu; /* -1 when free; for diagnostics and held-by-me checks */
	const char *name;
};

#define SPINLOCK_INIT(n, r)                                                                        \
	{                                                                                          \
		0, (r), -1, (n)                                                                    \
	}

void spin_init(struct spinlock *l, const char *name, int rank);
void spin_lock(struct spinlock *l);
void spin_unlock(struct spinlock *l);
bool spin_trylock(struct spinlock *l);
bool spin_is_held(const struct spinlock *l);
