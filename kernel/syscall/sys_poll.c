/*
 * poll, ppoll, select and pselect6: decode the fd arrays and sets, the
 * timeouts and the temporary signal masks, and let the poll engine
 * (fs/poll.h) wait. The fds are looked up afresh on every scan.
 *
 * As on Linux, select, pselect6 and ppoll write back how much of their
 * timeout is left, and a signal ends the wait with -ERESTARTNOHAND (EINTR
 * once a handler has run).
 */
#include <fs/fs_syscall.h>
#include <fs/poll.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <proc/task.h>
#include <syscall/syscall.h>
#include <uapi/errno.h>
#include <uapi/poll.h>
#include <uapi/signal.h>
#include <uapi/time.h>

#define NS_PER_SEC  1000000000ll
#define NS_PER_USEC 1000ll
#define NS_PER_MSEC 1000000ll

/* What select reports for each of its three sets, as Linux maps poll bits. */
#define SELECT_IN_BITS	(POLLIN | POLLRDNORM | POLLRDBAND | POLLHUP | POLLERR)
#define SELECT_OUT_BITS (POLLOUT | POLLWRNORM | POLLWRBAND | POLLERR)
#define SELECT_EX_BITS	POLLPRI

/* select's timeout, a struct timeval. */
struct select_timeval {
	s64 tv_sec;
	s64 tv_usec;
};

/* ---- the temporary signal mask of ppoll and pselect6 ---------------- */

/* Block mask (never SIGKILL or SIGSTOP) for the wait; returns the mask to restore. */
static u64 poll_mask_begin(u64 mask)
{
	struct task *t = current;
	spin_lock(&task_lock);
	u64 old = t->sigmask;
	t->sigmask = mask & ~(sig_bit(SIGKILL) | sig_bit(SIGSTOP));
	spin_unlock(&task_lock);
	return old;
}

/*
 * After the wait. Interrupted by a signal, the temporary mask stays until
 * the handler is set up, which saves old as the mask sigreturn restores
 * (the signal code's saved-mask protocol, as rt_sigsuspend uses); otherwise
 * old comes back now.
 */
static void poll_mask_end(u64 old, long r)
{
	struct task *t = current;
	if (r == -ERESTARTNOHAND) {
		t->sig.saved_mask = old;
		t->sig.has_saved_mask = true;
		return;
	}
	spin_lock(&task_lock);
	t->sigmask = old;
	spin_unlock(&task_lock);
}

/* Copy in a sigset_t of sigsetsize bytes (it must be 8): 0, -EINVAL or -EFAULT. */
static int poll_mask_get(const u64 __user *umask, size_t sigsetsize, u64 *mask)
{
	if (sigsetsize != sizeof(u64))
		return -EINVAL;
	return copy_from_user(mask, umask, sizeof(*mask)) ? -EFAULT : 0;
}

/* ---- timeouts -------------------------------------------------------- */

/* A timeout as given (a timespec, or select's timeval) and where its rest is reported. */
struct poll_timeout {
	void __user *user; /* NULL: wait forever, nothing to report */
	bool is_timeval;
	bool is_zero; /* poll once; Linux leaves such a timeout alone */
	u64 deadline; /* clock_ns(), or POLL_FOREVER */
};

/*
 * Read a relative timeout. A timespec needs tv_sec >= 0 and 0 <= tv_nsec
 * < 1 s; in a timeval, whole seconds in tv_usec carry over and only a
 * negative result is -EINVAL. Centuries count as forever.
 */
static int poll_timeout_get(struct poll_timeout *to, void __user *ut, bool is_timeval)
{
	s64 t[2], ns; /* seconds, then nanoseconds or microseconds */
	*to = (struct poll_timeout){ ut, is_timeval, false, POLL_FOREVER };
	if (!ut)
		return 0;
	if (copy_from_user(t, ut, sizeof(t)))
		return -EFAULT;
	if (is_timeval) {
		if (__builtin_add_overflow(t[0], t[1] / 1000000, &t[0]))
			return t[1] < 0 ? -EINVAL : 0;
		t[1] = t[1] % 1000000 * NS_PER_USEC;
	}
	if (t[0] < 0 || t[1] < 0 || t[1] >= NS_PER_SEC)
		return -EINVAL;
	to->is_zero = !t[0] && !t[1];
	if (!__builtin_mul_overflow(t[0], NS_PER_SEC, &ns) &&
	    !__builtin_add_overflow(ns, t[1], &ns))
		to->deadline = poll_deadline(ns);
	return 0;
}

/*
 * Write the rest of the timeout back, in the form it came in. If that
 * fails, the call cannot be restarted with it: -ERESTARTNOHAND becomes
 * -EINTR; any other result stands.
 */
static long poll_timeout_report(const struct poll_timeout *to, long r)
{
	if (!to->user || to->is_zero || to->deadline == POLL_FOREVER)
		return r;
	u64 left = poll_time_left(to->deadline);
	s64 t[2] = { left / NS_PER_SEC, left % NS_PER_SEC };
	if (to->is_timeval)
		t[1] /= NS_PER_USEC;
	if (copy_to_user(to->user, t, sizeof(t)) && r == -ERESTARTNOHAND)
		r = -EINTR;
	return r;
}

/* ---- poll and ppoll --------------------------------------------------- */

struct poll_request {
	struct pollfd *fds;
	u32 nfds;
};

/* One pollfd: a negative fd is skipped, a closed one is POLLNVAL; POLLERR/POLLHUP always count. */
static s16 poll_one(struct poll_table *pt, int fd, s16 events)
{
	if (fd < 0)
		return 0;
	struct file *f = fd_file_io(fd);
	if (!f)
		return POLLNVAL;
	u32 mask = poll_file(pt, f);
	file_put(f);
	return mask & ((u16)events | POLLERR | POLLHUP);
}

static int poll_scan(void *arg, struct poll_table *pt)
{
	struct poll_request *req = arg;
	int nready = 0;
	for (u32 i = 0; i < req->nfds; i++) {
		struct pollfd *p = &req->fds[i];
		p->revents = poll_one(pt, p->fd, p->events);
		nready += p->revents != 0;
	}
	return nready;
}

/* The array is copied in whole and written back whole, revents filled. */
static long do_poll(struct pollfd __user *ufds, u32 nfds, u64 deadline)
{
	if (nfds > (u32)fd_limit())
		return -EINVAL;
	struct poll_request req = { kmalloc(MAX(nfds, 1u) * sizeof(struct pollfd), 0), nfds };
	if (!req.fds)
		return -ENOMEM;
	long r = -EFAULT;
	if (!copy_from_user(req.fds, ufds, nfds * sizeof(struct pollfd)))
		r = poll_wait_ready(poll_scan, &req, deadline);
	if (r >= 0 && copy_to_user(ufds, req.fds, nfds * sizeof(struct pollfd)))
		r = -EFAULT;
	kfree(req.fds);
	return r;
}

static long sys_poll(struct pollfd __user *ufds, u32 nfds, int timeout_ms)
{
	return do_poll(ufds, nfds, poll_deadline(timeout_ms < 0 ? -1 : timeout_ms * NS_PER_MSEC));
}
SYSCALL_REGISTER(7, poll, sys_poll);

static long sys_ppoll(struct pollfd __user *ufds, u32 nfds, struct timespec __user *uts,
		      const u64 __user *umask, size_t sigsetsize)
{
	struct poll_timeout to;
	u64 mask, old = 0;
	long r = poll_timeout_get(&to, uts, false);
	if (!r && umask)
		r = poll_mask_get(umask, sigsetsize, &mask);
	if (r)
		return r;
	if (umask)
		old = poll_mask_begin(mask);
	r = do_poll(ufds, nfds, to.deadline);
	if (umask)
		poll_mask_end(old, r);
	return poll_timeout_report(&to, r);
}
SYSCALL_REGISTER(271, ppoll, sys_ppoll);

/* ---- select and pselect6 --------------------------------------------- */

#define FDSET_WORDS(n) (((n) + 63) / 64)

struct select_request {
	int n;	       /* fds 0 .. n-1 */
	u64 *want[3];  /* read, write, except sets asked for; NULL: not given */
	u64 *ready[3]; /* the answers */
};

static const u32 select_bits[3] = { SELECT_IN_BITS, SELECT_OUT_BITS, SELECT_EX_BITS };

/* The sets fd is asked about, as bits 0..2; 0 if none. */
static unsigned select_wanted(const struct select_request *req, int fd)
{
	unsigned sets = 0;
	for (int i = 0; i < 3; i++)
		if (req->want[i] && (req->want[i][fd / 64] >> (fd % 64) & 1))
			sets |= 1u << i;
	return sets;
}

/* A closed fd in any set fails the whole call with -EBADF. */
static int select_scan(void *arg, struct poll_table *pt)
{
	struct select_request *req = arg;
	int nready = 0;
	for (int i = 0; i < 3; i++)
		memset(req->ready[i], 0, FDSET_WORDS(req->n) * sizeof(u64));
	for (int fd = 0; fd < req->n; fd++) {
		unsigned sets = select_wanted(req, fd);
		if (!sets)
			continue;
		struct file *f = fd_file_io(fd);
		if (!f)
			return -EBADF;
		u32 mask = poll_file(pt, f);
		file_put(f);
		for (int i = 0; i < 3; i++) {
			if ((sets >> i & 1) && (mask & select_bits[i])) {
				req->ready[i][fd / 64] |= 1ull << (fd % 64);
				nready++;
			}
		}
	}
	return nready;
}

/*
 * Point req's six sets into buf (bytes each) and copy in the three given
 * ones, n bits each in whole 64-bit words, as Linux reads them.
 */
static int select_sets_get(struct select_request *req, char *buf, size_t bytes,
			   u64 __user *const usets[3])
{
	for (int i = 0; i < 3; i++) {
		req->want[i] = usets[i] ? (u64 *)(buf + i * bytes) : NULL;
		req->ready[i] = (u64 *)(buf + (3 + i) * bytes);
		if (usets[i] && copy_from_user(req->want[i], usets[i], bytes))
			return -EFAULT;
	}
	return 0;
}

/*
 * nfds past the fd limit is cut down to it (Linux cuts it to its table
 * size). The sets are written back only on success, a timeout included.
 */
static long do_select(int n, u64 __user *const usets[3], u64 deadline)
{
	if (n < 0)
		return -EINVAL;
	struct select_request req = { .n = MIN(n, fd_limit()) };
	size_t bytes = FDSET_WORDS(req.n) * sizeof(u64);
	char *buf = kmalloc(MAX(6 * bytes, 1ul), 0);
	if (!buf)
		return -ENOMEM;
	long r = select_sets_get(&req, buf, bytes, usets);
	if (!r)
		r = poll_wait_ready(select_scan, &req, deadline);
	for (int i = 0; i < 3 && r >= 0; i++)
		if (usets[i] && copy_to_user(usets[i], req.ready[i], bytes))
			r = -EFAULT;
	kfree(buf);
	return r;
}

static long sys_select(int n, u64 __user *in, u64 __user *out, u64 __user *ex,
		       struct select_timeval __user *utv)
{
	u64 __user *const usets[3] = { in, out, ex };
	struct poll_timeout to;
	long r = poll_timeout_get(&to, utv, true);
	if (r)
		return r;
	return poll_timeout_report(&to, do_select(n, usets, to.deadline));
}
SYSCALL_REGISTER(23, select, sys_select);

/* pselect6's sixth argument: where the mask is and how big it is. */
struct pselect_sigdata {
	const u64 __user *mask;
	size_t sigsetsize;
};

static long sys_pselect6(int n, u64 __user *in, u64 __user *out, u64 __user *ex,
			 struct timespec __user *uts, const struct pselect_sigdata __user *usig)
{
	u64 __user *const usets[3] = { in, out, ex };
	struct pselect_sigdata sig = { NULL, 0 };
	struct poll_timeout to;
	u64 mask, old = 0;
	long r = poll_timeout_get(&to, uts, false);
	if (!r && usig && copy_from_user(&sig, usig, sizeof(sig)))
		r = -EFAULT;
	if (!r && sig.mask)
		r = poll_mask_get(sig.mask, sig.sigsetsize, &mask);
	if (r)
		return r;
	if (sig.mask)
		old = poll_mask_begin(mask);
	r = do_select(n, usets, to.deadline);
	if (sig.mask)
		poll_mask_end(old, r);
	return poll_timeout_report(&to, r);
}
SYSCALL_REGISTER(270, pselect6, sys_pselect6);
