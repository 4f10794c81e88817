/*
 * Futexes. A waiter sleeps on a user address only if the word there still
 * holds the value it expects; a waker changes the word first and then calls
 * FUTEX_WAKE. Both sides meet in a hash bucket keyed by the address:
 *   - private futexes (FUTEX_PRIVATE_FLAG, threads of one process): the
 *     pair (address space, virtual address);
 *   - shared futexes (e.g. in MAP_SHARED memory across fork): the physical
 *     address of the word, the only name both processes agree on.
 *
 * No lost wake-ups: the waiter re-reads the word and queues itself under
 * futex_lock, and a waker takes the same lock to find waiters. One lock
 * guards every bucket: simple, and requeue never orders two locks; split
 * it per bucket if contention ever shows up. The
 * word is read under the lock through the direct map (translating through
 * the page tables under mm->lock), never with a faulting user access;
 * if the page is not present we drop the lock, fault it in, and retry.
 *
 * Lock order: futex_lock (rank FUTEX) < mm->lock (MM) < wait queue.
 */
#include <arch/mmu.h>
#include <arch/timer.h>
#include <lib/list.h>
#include <lib/realtime.h>
#include <lib/spinlock.h>
#include <mm/mm.h>
#include <mm/usercopy.h>
#include <proc/futex.h>
#include <proc/task.h>
#include <proc/wait.h>
#include <uapi/errno.h>

#define FUTEX_BUCKETS    64
#define LOCK_RANK_FUTEX  (LOCK_RANK_MM - 5)
#define NSEC_PER_SEC     1000000000ll

struct futex_key {
	u64 space; /* struct mm * for private futexes, 0 for shared */
	u64 addr;  /* virtual (private) or physical (shared) address of the word */
};

struct futex_waiter {
	struct list_head node; /* [bucket lock] */
	struct futex_key key;  /* [bucket lock] changes on requeue */
	u32 bitset;
	bool is_woken;         /* [bucket lock] */
	struct wait_queue wq;
};

struct futex_bucket {
	struct list_head waiters; /* [futex_lock] */
};

static struct spinlock futex_lock = SPINLOCK_INIT("futex", LOCK_RANK_FUTEX);
static struct futex_bucket futex_table[FUTEX_BUCKETS];

/* The bucket for k. Caller holds futex_lock (the lists are set up on first use). */
static struct futex_bucket *futex_bucket_of(const struct futex_key *k)
{
	static bool is_ready;
	if (!is_ready) {
		for (int i = 0; i < FUTEX_BUCKETS; i++)
			list_init(&futex_table[i].waiters);
		is_ready = true;
	}
	u64 h = (k->addr >> 2) ^ (k->space >> 6) ^ (k->addr >> 17);
	return &futex_table[h % FUTEX_BUCKETS];
}

static bool futex_key_eq(const struct futex_key *a, const struct futex_key *b)
{
	return a->space == b->space && a->addr == b->addr;
}

/*
 * Translate uaddr in mm to a kernel pointer to the word (through the
 * direct map), or NULL if it is not mapped readable right now.
 */
static u32 *futex_word(struct mm *mm, u64 uaddr)
{
	u64 page_bytes;
	spin_lock(&mm->lock);
	pte_t e = pt_lookup(mm->root, uaddr, &page_bytes);
	spin_unlock(&mm->lock);
	if (!pte_present(e) || !(e & PTE_U))
		return NULL;
	return phys_to_virt(pte_phys(e) + (uaddr & (page_bytes - 1)));
}

/* Work out the key of uaddr; -EFAULT if it cannot be read. */
static int futex_key_of(u64 uaddr, bool is_private, struct futex_key *k)
{
	struct mm *mm = current->mm;
	u32 v;
	if (!mm || (uaddr & 3))
		return !mm ? -EFAULT : -EINVAL;
	if (copy_from_user(&v, (const u32 __user *)uaddr, sizeof(v)))
		return -EFAULT;
	if (is_private) {
		*k = (struct futex_key){ (u64)mm, uaddr };
		return 0;
	}
	u32 *w = futex_word(mm, uaddr);
	if (!w)
		return -EFAULT;
	*k = (struct futex_key){ 0, virt_to_phys(w) };
	return 0;
}

static bool futex_is_woken(void *arg)
{
	return READ_ONCE(((struct futex_waiter *)arg)->is_woken);
}

/*
 * Queue w if the word still equals val. Returns 0 when queued (futex_lock
 * held), -EAGAIN if the value differs, 1 if the page must be faulted in.
 */
static int futex_queue_if_equal(struct futex_waiter *w, u64 uaddr, u32 val)
{
	spin_lock(&futex_lock);
	u32 *word = futex_word(current->mm, uaddr);
	if (!word) {
		spin_unlock(&futex_lock);
		return 1;
	}
	if (READ_ONCE(*word) != val) {
		spin_unlock(&futex_lock);
		return -EAGAIN;
	}
	list_add_tail(&w->node, &futex_bucket_of(&w->key)->waiters);
	return 0;
}

static int futex_wait(u64 uaddr, bool is_private, u32 val, u32 bitset, u64 deadline_ns)
{
	struct futex_waiter w = { .bitset = bitset };
	u32 probe;
	int r;
	if (!bitset)
		return -EINVAL;
	wait_queue_init(&w.wq);
	do {
		if ((r = futex_key_of(uaddr, is_private, &w.key)))
			return r;
		r = futex_queue_if_equal(&w, uaddr, val);
		if (r == 1 && copy_from_user(&probe, (const u32 __user *)uaddr, sizeof(probe)))
			return -EFAULT;
	} while (r == 1);
	if (r)
		return r;
	/* Sleep with futex_lock released; a requeue may move us to another bucket meanwhile. */
	r = wait_event_timeout(&w.wq, futex_is_woken, &w, &futex_lock, deadline_ns);
	if (!w.is_woken)
		list_del(&w.node);
	spin_unlock(&futex_lock);
	return w.is_woken ? 0 : r;
}

/* Wake up to n waiters matching key and bitset. Caller holds futex_lock. */
static int futex_wake_locked(const struct futex_key *k, int n, u32 bitset)
{
	struct list_head *pos, *tmp;
	int woken = 0;
	list_for_each_safe(pos, tmp, &futex_bucket_of(k)->waiters)
	{
		struct futex_waiter *w = list_entry(pos, struct futex_waiter, node);
		if (woken >= n)
			break;
		if (!futex_key_eq(&w->key, k) || !(w->bitset & bitset))
			continue;
		list_del(&w->node);
		WRITE_ONCE(w->is_woken, true);
		wake_up(&w->wq);
		woken++;
	}
	return woken;
}

static int futex_wake(u64 uaddr, bool is_private, int n, u32 bitset)
{
	struct futex_key k;
	int r = futex_key_of(uaddr, is_private, &k);
	if (r)
		return r;
	if (!bitset)
		return -EINVAL;
	spin_lock(&futex_lock);
	r = futex_wake_locked(&k, n, bitset);
	spin_unlock(&futex_lock);
	return r;
}

int futex_wake_addr(u64 uaddr, int n)
{
	int r = futex_wake(uaddr, true, n, FUTEX_BITSET_MATCH_ANY);
	int s = futex_wake(uaddr, false, n, FUTEX_BITSET_MATCH_ANY);
	return (r > 0 ? r : 0) + (s > 0 ? s : 0);
}

/*
 * Wake nr_wake waiters on uaddr and move up to nr_requeue others to
 * uaddr2 (pthread_cond_broadcast without a thundering herd). For
 * CMP_REQUEUE, only if *uaddr still equals cmpval.
 */
static int futex_requeue(u64 uaddr, bool is_private, int nr_wake, int nr_requeue, u64 uaddr2,
			 bool has_cmp, u32 cmpval)
{
	struct futex_key k1, k2;
	int r;
	if ((r = futex_key_of(uaddr, is_private, &k1)) || (r = futex_key_of(uaddr2, is_private, &k2)))
		return r;
	spin_lock(&futex_lock);
	u32 *word = futex_word(current->mm, uaddr);
	if (has_cmp && (!word || READ_ONCE(*word) != cmpval)) {
		r = word ? -EAGAIN : -EFAULT;
		goto unlock;
	}
	r = futex_wake_locked(&k1, nr_wake, FUTEX_BITSET_MATCH_ANY);
	struct list_head *pos, *tmp;
	int moved = 0;
	list_for_each_safe(pos, tmp, &futex_bucket_of(&k1)->waiters)
	{
		struct futex_waiter *w = list_entry(pos, struct futex_waiter, node);
		if (moved >= nr_requeue)
			break;
		if (!futex_key_eq(&w->key, &k1))
			continue;
		list_del(&w->node);
		w->key = k2;
		list_add_tail(&w->node, &futex_bucket_of(&k2)->waiters);
		moved++;
	}
	r += moved;
unlock:
	spin_unlock(&futex_lock);
	return r;
}

/* Deadline on the clock_ns() clock for a futex timeout (0: none). */
static int futex_deadline(int cmd, int op, u64 utime, s64 *deadline)
{
	struct {
		s64 sec, nsec;
	} ts;
	*deadline = 0;
	if (!utime)
		return 0;
	if (copy_from_user(&ts, (const void __user *)utime, sizeof(ts)))
		return -EFAULT;
	if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= NSEC_PER_SEC)
		return -EINVAL;
	s64 t = ts.sec * NSEC_PER_SEC + ts.nsec;
	if (cmd == FUTEX_WAIT) /* relative */
		*deadline = clock_ns() + t;
	else if (op & FUTEX_CLOCK_REALTIME) /* absolute realtime */
		*deadline = clock_ns() + (t - (s64)realtime_ns());
	else /* absolute monotonic */
		*deadline = t;
	if (*deadline <= 0)
		*deadline = 1; /* already passed: time out at once */
	return 0;
}

long do_futex(u64 uaddr, int op, u32 val, u64 timeout_or_val2, u64 uaddr2, u32 val3)
{
	int cmd = op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
	bool is_private = op & FUTEX_PRIVATE_FLAG;
	s64 deadline;
	int r;
	switch (cmd) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		if ((r = futex_deadline(cmd, op, timeout_or_val2, &deadline)))
			return r;
		return futex_wait(uaddr, is_private, val, cmd == FUTEX_WAIT ? FUTEX_BITSET_MATCH_ANY : val3,
				  deadline);
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
		return futex_wake(uaddr, is_private, (int)val,
				  cmd == FUTEX_WAKE ? FUTEX_BITSET_MATCH_ANY : val3);
	case FUTEX_REQUEUE:
	case FUTEX_CMP_REQUEUE:
		return futex_requeue(uaddr, is_private, (int)val, (int)timeout_or_val2, uaddr2,
				     cmd == FUTEX_CMP_REQUEUE, val3);
	default:
		return -ENOSYS;
	}
}
