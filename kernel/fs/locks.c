/*
 * File locks (include/fs/locks.h): POSIX and OFD byte-range locks, flock
 * locks, blocking with deadlock detection, and their release when fds
 * close and descriptions go away.
 *
 * An inode's lock context exists only while it holds a lock or has a
 * waiter; it is freed as soon as it holds neither. Every lock needs an open
 * file on the inode (POSIX locks go when their owner's fd closes, the
 * others with their description), so no context outlives its inode.
 * Records and contexts are allocated before locks_lock is taken or, for a
 * context, under it (the heap ranks above it), so a request either happens
 * whole or fails with nothing changed.
 */
#include <fs/locks.h>
#include <mm/kmalloc.h>
#include <proc/task.h>
#include <proc/wait.h>
#include <uapi/errno.h>

#define LOCK_OFFSET_MAX	   INT64_MAX /* the end of a lock "to the end of the file" */
#define DEADLOCK_MAX_STEPS 16	     /* owners followed before giving up on a cycle */

enum lock_kind { LOCK_POSIX, LOCK_OFD, LOCK_FLOCK };

struct file_lock {
	struct list_head node; /* [locks_lock] in ctx->ranges (POSIX, OFD) or ctx->flocks */
	enum lock_kind kind;
	int type;	/* F_RDLCK or F_WRLCK; F_UNLCK only in a request */
	s64 start, end; /* bytes [start, end]; end LOCK_OFFSET_MAX: to the end of the file */
	void *owner;	/* struct files_struct (POSIX) or struct file (OFD, FLOCK) */
	int pid;	/* what F_GETLK reports: the locker's tgid, or -1 */
};

struct lock_context {
	struct list_head ranges; /* POSIX and OFD locks, unordered */
	struct list_head flocks; /* FLOCK locks */
	struct wait_queue wq;	 /* requests waiting for a lock on this inode */
	int nwaiters;		 /* those requests: the context stays while any */
};

/* A request asleep in F_SETLKW, F_OFD_SETLKW or flock. */
struct lock_waiter {
	struct list_head node; /* [locks_lock] in blocked_requests */
	struct lock_context *ctx;
	const struct file_lock *req;
};

static struct spinlock locks_lock = SPINLOCK_INIT("locks", LOCK_RANK_LOCKS);
static LIST_HEAD(blocked_requests);

/* POSIX and OFD owners never match, even if the pointers did. */
static bool lock_same_owner(const struct file_lock *a, const struct file_lock *b)
{
	return a->owner == b->owner && (a->kind == LOCK_POSIX) == (b->kind == LOCK_POSIX);
}

static bool lock_overlaps(const struct file_lock *a, s64 start, s64 end)
{
	return a->start <= end && start <= a->end;
}

/* Do [start, end] and a's range overlap or sit side by side? */
static bool lock_touches(const struct file_lock *a, s64 start, s64 end)
{
	return (end == LOCK_OFFSET_MAX || a->start <= end + 1) &&
	       (a->end == LOCK_OFFSET_MAX || start <= a->end + 1);
}

static bool lock_conflicts(const struct file_lock *held, const struct file_lock *req)
{
	if (lock_same_owner(held, req) || (held->type != F_WRLCK && req->type != F_WRLCK))
		return false;
	return lock_overlaps(held, req->start, req->end);
}

/* The first lock in list that req conflicts with, or NULL. Caller holds locks_lock. */
static struct file_lock *lock_find_conflict(struct list_head *list, const struct file_lock *req)
{
	struct list_head *pos;
	if (req->type == F_UNLCK)
		return NULL;
	list_for_each(pos, list)
	{
		struct file_lock *l = list_entry(pos, struct file_lock, node);
		if (lock_conflicts(l, req))
			return l;
	}
	return NULL;
}

/* The list of ctx that req's kind lives in. */
static struct list_head *lock_list(struct lock_context *ctx, const struct file_lock *req)
{
	return req->kind == LOCK_FLOCK ? &ctx->flocks : &ctx->ranges;
}

/* inode's context, made if missing (NULL only on OOM). Caller holds locks_lock. */
static struct lock_context *lock_ctx_get(struct inode *inode)
{
	struct lock_context *ctx = inode->locks;
	if (ctx || !(ctx = kzalloc(sizeof(*ctx))))
		return ctx;
	list_init(&ctx->ranges);
	list_init(&ctx->flocks);
	wait_queue_init(&ctx->wq);
	WRITE_ONCE(inode->locks, ctx);
	return ctx;
}

/* Free inode's context if it holds no lock and no one waits. Caller holds locks_lock. */
static void lock_ctx_trim(struct inode *inode)
{
	struct lock_context *ctx = inode->locks;
	if (!ctx || ctx->nwaiters || !list_empty(&ctx->ranges) || !list_empty(&ctx->flocks))
		return;
	WRITE_ONCE(inode->locks, NULL);
	kfree(ctx);
}

/* The blocked POSIX request of owner, or NULL. Caller holds locks_lock. */
static struct lock_waiter *lock_waiter_of(void *owner)
{
	struct list_head *pos;
	list_for_each(pos, &blocked_requests)
	{
		struct lock_waiter *w = list_entry(pos, struct lock_waiter, node);
		if (w->req->kind == LOCK_POSIX && w->req->owner == owner)
			return w;
	}
	return NULL;
}

/*
 * Would req's owner, by waiting for blocker, close a cycle: blocker's
 * owner waits for a lock whose owner waits ... for req's owner? Followed
 * through POSIX owners only (OFD waits are not checked, as on Linux), at
 * most DEADLOCK_MAX_STEPS, so a cycle elsewhere cannot trap us. Caller
 * holds locks_lock.
 */
static bool lock_would_deadlock(const struct file_lock *req, const struct file_lock *blocker)
{
	for (int i = 0; i < DEADLOCK_MAX_STEPS && blocker->kind == LOCK_POSIX; i++) {
		if (blocker->owner == req->owner)
			return true;
		struct lock_waiter *w = lock_waiter_of(blocker->owner);
		if (!w || !(blocker = lock_find_conflict(&w->ctx->ranges, w->req)))
			return false;
	}
	return false;
}

struct lock_wait {
	struct lock_context *ctx;
	const struct file_lock *req;
};

/* wait_event condition (locks_lock held): nothing conflicts with the request any more. */
static bool lock_is_free(void *arg)
{
	struct lock_wait *w = arg;
	return !lock_find_conflict(lock_list(w->ctx, w->req), w->req);
}

/*
 * Wait until nothing in ctx conflicts with req: -EAGAIN without is_wait,
 * -EDEADLK if waiting would close a cycle, -ERESTARTSYS on a signal.
 * Caller holds locks_lock (dropped while asleep).
 */
static int lock_wait_free(struct lock_context *ctx, const struct file_lock *req, bool is_wait)
{
	struct lock_wait arg = { ctx, req };
	struct file_lock *blocker = lock_find_conflict(lock_list(ctx, req), req);
	if (!blocker)
		return 0;
	if (!is_wait)
		return -EAGAIN;
	if (req->kind == LOCK_POSIX && lock_would_deadlock(req, blocker))
		return -EDEADLK;
	struct lock_waiter w = { .ctx = ctx, .req = req };
	list_add_tail(&w.node, &blocked_requests);
	ctx->nwaiters++;
	int r = wait_event(&ctx->wq, lock_is_free, &arg, &locks_lock);
	ctx->nwaiters--;
	list_del(&w.node);
	return r;
}

/* Drop l from its list. Waiters are woken by the caller. Caller holds locks_lock. */
static void lock_delete(struct file_lock *l)
{
	list_del(&l->node);
	kfree(l);
}

/* Take one of the records allocated before locks_lock was taken. */
static struct file_lock *lock_take_spare(struct file_lock **spares)
{
	struct file_lock *l = spares[0] ? spares[0] : spares[1];
	if (l == spares[0])
		spares[0] = NULL;
	else
		spares[1] = NULL;
	return l;
}

/*
 * Cut req's range out of l (another type, same owner): trim it, split it
 * in two (using a spare), or delete it. Caller holds locks_lock.
 */
static void lock_cut(struct file_lock *l, const struct file_lock *req, struct file_lock **spares)
{
	if (l->start < req->start && l->end > req->end) {
		struct file_lock *right = lock_take_spare(spares);
		*right = *l;
		right->start = req->end + 1;
		list_add(&right->node, &l->node);
		l->end = req->start - 1;
	} else if (l->start < req->start) {
		l->end = req->start - 1;
	} else if (l->end > req->end) {
		l->start = req->end + 1;
	} else {
		lock_delete(l);
	}
}

/*
 * Make req's owner hold exactly req over req's range (nothing, for
 * F_UNLCK): its locks of the same type that overlap or touch the range
 * merge into the new one, those of another type lose the overlap. At most
 * two records are needed (a split and the new lock); spares has them.
 * Caller holds locks_lock and has made sure nothing conflicts.
 */
static void lock_apply(struct list_head *list, const struct file_lock *req,
		       struct file_lock **spares)
{
	s64 start = req->start, end = req->end;
	struct list_head *pos, *tmp;
	list_for_each_safe(pos, tmp, list)
	{
		struct file_lock *l = list_entry(pos, struct file_lock, node);
		if (!lock_same_owner(l, req))
			continue;
		if (l->type == req->type && lock_touches(l, start, end)) {
			start = MIN(start, l->start);
			end = MAX(end, l->end);
			lock_delete(l);
		} else if (l->type != req->type && lock_overlaps(l, req->start, req->end)) {
			lock_cut(l, req, spares);
		}
	}
	if (req->type == F_UNLCK)
		return;
	struct file_lock *l = lock_take_spare(spares);
	*l = *req;
	l->start = start;
	l->end = end;
	list_add_tail(&l->node, list);
}

/* The byte range a struct flock names in f: 0, -EINVAL or -EOVERFLOW. */
static int lock_range(struct file *f, const struct flock *fl, s64 *start, s64 *end)
{
	s64 base, at;
	if (fl->l_whence == SEEK_SET)
		base = 0;
	else if (fl->l_whence == SEEK_CUR)
		base = file_pos_get(f);
	else if (fl->l_whence == SEEK_END)
		base = READ_ONCE(f->inode->size_bytes);
	else
		return -EINVAL;
	if (__builtin_add_overflow(base, fl->l_start, &at))
		return -EOVERFLOW;
	if (at < 0)
		return -EINVAL;
	*start = at;
	*end = LOCK_OFFSET_MAX; /* l_len 0: to the end, however far the file grows */
	if (fl->l_len > 0 && fl->l_len - 1 > LOCK_OFFSET_MAX - at)
		return -EOVERFLOW;
	if (fl->l_len > 0)
		*end = at + (fl->l_len - 1);
	if (fl->l_len < 0 && at + fl->l_len < 0)
		return -EINVAL;
	if (fl->l_len < 0) { /* the l_len bytes before at */
		*start = at + fl->l_len;
		*end = at - 1;
	}
	return 0;
}

/* A request from a struct flock: who owns it, what type, which bytes. */
static int lock_request(struct file *f, bool is_ofd, const struct flock *fl, struct file_lock *req)
{
	if (fl->l_type != F_RDLCK && fl->l_type != F_WRLCK && fl->l_type != F_UNLCK)
		return -EINVAL;
	if (is_ofd && fl->l_pid != 0)
		return -EINVAL;
	*req = (struct file_lock){
		.kind = is_ofd ? LOCK_OFD : LOCK_POSIX,
		.type = fl->l_type,
		.owner = is_ofd ? (void *)f : (void *)current->files,
		.pid = is_ofd ? -1 : current->tgid,
	};
	return lock_range(f, fl, &req->start, &req->end);
}

/* F_OFD_GETLK with F_UNLCK: req's owner's own first lock in req's range, or NULL. */
static struct file_lock *lock_find_own(struct list_head *list, const struct file_lock *req)
{
	struct list_head *pos;
	list_for_each(pos, list)
	{
		struct file_lock *l = list_entry(pos, struct file_lock, node);
		if (lock_same_owner(l, req) && lock_overlaps(l, req->start, req->end))
			return l;
	}
	return NULL;
}

int locks_getlk(struct file *f, bool is_ofd, struct flock *fl)
{
	struct file_lock req;
	int r = lock_request(f, is_ofd, fl, &req);
	if (r)
		return r;
	if (req.type == F_UNLCK && !is_ofd)
		return -EINVAL;
	spin_lock(&locks_lock);
	struct lock_context *ctx = f->inode->locks;
	struct file_lock *l = !ctx		    ? NULL
			      : req.type == F_UNLCK ? lock_find_own(&ctx->ranges, &req)
						    : lock_find_conflict(&ctx->ranges, &req);
	if (l) {
		fl->l_type = l->type;
		fl->l_whence = SEEK_SET;
		fl->l_start = l->start;
		fl->l_len = l->end == LOCK_OFFSET_MAX ? 0 : l->end - l->start + 1;
		fl->l_pid = l->pid;
	} else {
		fl->l_type = F_UNLCK;
	}
	spin_unlock(&locks_lock);
	return 0;
}

/* Wait for req's range (or not), then apply it. Caller holds locks_lock. */
static int lock_set_locked(struct inode *inode, const struct file_lock *req, bool is_wait,
			   struct file_lock **spares)
{
	struct lock_context *ctx = req->type == F_UNLCK ? inode->locks : lock_ctx_get(inode);
	if (!ctx)
		return req->type == F_UNLCK ? 0 : -ENOLCK;
	int r = lock_wait_free(ctx, req, is_wait);
	if (!r) {
		lock_apply(lock_list(ctx, req), req, spares);
		wake_up(&ctx->wq); /* what was given up may be what someone waits for */
	}
	lock_ctx_trim(inode);
	return r;
}

int locks_setlk(struct file *f, bool is_ofd, bool is_wait, const struct flock *fl)
{
	struct file_lock req;
	int r = lock_request(f, is_ofd, fl, &req);
	if (r)
		return r;
	if ((req.type == F_RDLCK && !file_is_readable(f)) ||
	    (req.type == F_WRLCK && !file_is_writable(f)))
		return -EBADF;
	struct file_lock *spares[2] = { kmalloc(sizeof(req), 0), kmalloc(sizeof(req), 0) };
	if (spares[0] && spares[1]) {
		spin_lock(&locks_lock);
		r = lock_set_locked(f->inode, &req, is_wait, spares);
		spin_unlock(&locks_lock);
	} else {
		r = -ENOLCK;
	}
	kfree(spares[0]);
	kfree(spares[1]);
	return r;
}

/* f's own flock lock in ctx, or NULL. Caller holds locks_lock. */
static struct file_lock *flock_find(struct lock_context *ctx, struct file *f)
{
	struct list_head *pos;
	list_for_each(pos, &ctx->flocks)
	{
		struct file_lock *l = list_entry(pos, struct file_lock, node);
		if (l->owner == f)
			return l;
	}
	return NULL;
}

/*
 * Changing the type of a held lock is not atomic (flock(2)): the old lock
 * goes first, waking its waiters, then the new one is waited for. A failed
 * LOCK_NB conversion therefore leaves no lock, as on Linux. Caller holds
 * locks_lock.
 */
static int flock_locked(struct inode *inode, const struct file_lock *req, bool is_wait,
			struct file_lock **spares)
{
	struct lock_context *ctx = req->type == F_UNLCK ? inode->locks : lock_ctx_get(inode);
	if (!ctx)
		return req->type == F_UNLCK ? 0 : -ENOLCK;
	struct file_lock *held = flock_find(ctx, req->owner);
	if (held && held->type == req->type)
		return 0;
	if (held) {
		lock_delete(held);
		wake_up(&ctx->wq);
	}
	int r = req->type == F_UNLCK ? 0 : lock_wait_free(ctx, req, is_wait);
	if (!r && req->type != F_UNLCK)
		list_add_tail(&lock_take_spare(spares)->node, &ctx->flocks);
	lock_ctx_trim(inode);
	return r;
}

int locks_flock(struct file *f, int op)
{
	bool is_wait = !(op & LOCK_NB);
	op &= ~LOCK_NB;
	if (op != LOCK_SH && op != LOCK_EX && op != LOCK_UN)
		return -EINVAL;
	struct file_lock req = {
		.kind = LOCK_FLOCK,
		.type = op == LOCK_SH	? F_RDLCK
			: op == LOCK_EX ? F_WRLCK
					: F_UNLCK,
		.start = 0,
		.end = LOCK_OFFSET_MAX,
		.owner = f,
		.pid = -1,
	};
	struct file_lock *spares[2] = { kmalloc(sizeof(req), 0), NULL };
	if (!spares[0])
		return -ENOLCK;
	*spares[0] = req;
	spin_lock(&locks_lock);
	int r = flock_locked(f->inode, &req, is_wait, spares);
	spin_unlock(&locks_lock);
	kfree(spares[0]);
	return r;
}

/*
 * Delete the locks in list that match(l, owner) and say whether any went.
 * Caller holds locks_lock.
 */
static bool lock_delete_matching(struct list_head *list, bool (*match)(struct file_lock *, void *),
				 void *owner)
{
	struct list_head *pos, *tmp;
	bool is_any = false;
	list_for_each_safe(pos, tmp, list)
	{
		struct file_lock *l = list_entry(pos, struct file_lock, node);
		if (match(l, owner)) {
			lock_delete(l);
			is_any = true;
		}
	}
	return is_any;
}

static bool lock_is_posix_of(struct file_lock *l, void *owner)
{
	return l->kind == LOCK_POSIX && l->owner == owner;
}

static bool lock_is_description_of(struct file_lock *l, void *owner)
{
	return l->kind != LOCK_POSIX && l->owner == owner;
}

/*
 * The unlocked peek is enough: a lock set by owner through f is in place
 * before the fd can be closed, or (set by a racing thread after the close)
 * is removed again by fcntl_lock when it finds the fd gone.
 */
void locks_remove_posix(struct file *f, struct files_struct *owner)
{
	struct inode *inode = f->inode;
	if (!READ_ONCE(inode->locks))
		return;
	spin_lock(&locks_lock);
	struct lock_context *ctx = inode->locks;
	if (ctx && lock_delete_matching(&ctx->ranges, lock_is_posix_of, owner))
		wake_up(&ctx->wq);
	lock_ctx_trim(inode);
	spin_unlock(&locks_lock);
}

/* Nobody else holds f any more, so no lock of its can appear after the peek. */
void locks_remove_file(struct file *f)
{
	struct inode *inode = f->inode;
	if (!READ_ONCE(inode->locks))
		return;
	spin_lock(&locks_lock);
	struct lock_context *ctx = inode->locks;
	if (ctx) {
		bool is_ranges = lock_delete_matching(&ctx->ranges, lock_is_description_of, f);
		bool is_flocks = lock_delete_matching(&ctx->flocks, lock_is_description_of, f);
		if (is_ranges || is_flocks)
			wake_up(&ctx->wq);
	}
	lock_ctx_trim(inode);
	spin_unlock(&locks_lock);
}
