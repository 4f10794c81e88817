/* alarm, setitimer/getitimer and the POSIX timer calls: thin decoders over proc/itimer.c. */
#include <arch/timer.h>
#include <lib/realtime.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <mm/usercopy.h>
#include <proc/itimer.h>
#include <proc/signal.h>
#include <proc/task.h>
#include <syscall/syscall.h>
#include <uapi/errno.h>

#define ITIMER_REAL	0
#define ITIMER_VIRTUAL	1
#define ITIMER_PROF	2
#define CLOCK_REALTIME	0
#define CLOCK_MONOTONIC 1
#define CLOCK_BOOTTIME	7
#define TIMER_ABSTIME	1
#define NSEC_PER_SEC	1000000000ull
#define NSEC_PER_USEC	1000ull

struct timeval_abi {
	s64 tv_sec, tv_usec;
};
struct itimerval_abi {
	struct timeval_abi interval, value;
};
struct timespec_abi {
	s64 tv_sec, tv_nsec;
};
struct itimerspec_abi {
	struct timespec_abi interval, value;
};

static int timeval_to_ns(const struct timeval_abi *tv, u64 *ns)
{
	if (tv->tv_sec < 0 || tv->tv_usec < 0 || tv->tv_usec >= 1000000)
		return -EINVAL;
	*ns = (u64)tv->tv_sec * NSEC_PER_SEC + (u64)tv->tv_usec * NSEC_PER_USEC;
	return 0;
}

static struct timeval_abi ns_to_timeval(u64 ns)
{
	/* Round up: a pending timer must not read as 0 µs left. */
	u64 us = (ns + NSEC_PER_USEC - 1) / NSEC_PER_USEC;
	return (struct timeval_abi){ us / 1000000, us % 1000000 };
}

static int timespec_to_ns(const struct timespec_abi *ts, u64 *ns)
{
	if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= (s64)NSEC_PER_SEC)
		return -EINVAL;
	*ns = (u64)ts->tv_sec * NSEC_PER_SEC + ts->tv_nsec;
	return 0;
}

static struct timespec_abi ns_to_timespec(u64 ns)
{
	return (struct timespec_abi){ ns / NSEC_PER_SEC, ns % NSEC_PER_SEC };
}

/* Read and optionally set itimer `which` of the current process, in ns. */
static int itimer_swap(int which, const u64 *new_value, const u64 *new_interval, u64 *old_value,
		       u64 *old_interval)
{
	struct task *leader = current->group_leader;
	if (which != ITIMER_REAL && which != ITIMER_VIRTUAL && which != ITIMER_PROF)
		return -EINVAL;
	spin_lock(&task_lock);
	struct itimers *it = itimers_get_locked(leader);
	if (!it) {
		spin_unlock(&task_lock);
		return -ENOMEM;
	}
	if (which == ITIMER_REAL) {
		*old_value = ktimer_remaining_locked(&it->real);
		*old_interval = it->real.interval_ns;
		if (new_value) {
			it->real.info =
			    (struct siginfo){ .si_signo = SIGALRM, .si_code = SI_KERNEL };
			it->real.notify = SIGEV_SIGNAL;
			ktimer_arm_locked(&it->real, *new_value ? clock_ns() + *new_value : 0,
					  *new_interval);
		}
	} else {
		struct cpu_itimer *c = which == ITIMER_VIRTUAL ? &it->virt : &it->prof;
		*old_value = c->value_ns;
		*old_interval = c->interval_ns;
		if (new_value)
			*c = (struct cpu_itimer){ *new_value, *new_value ? *new_interval : 0 };
	}
	spin_unlock(&task_lock);
	return 0;
}

static long sys_getitimer(int which, struct itimerval_abi __user *ucur)
{
	u64 value, interval;
	int r = itimer_swap(which, NULL, NULL, &value, &interval);
	if (r)
		return r;
	struct itimerval_abi cur = { ns_to_timeval(interval), ns_to_timeval(value) };
	return copy_to_user(ucur, &cur, sizeof(cur)) ? -EFAULT : 0;
}
SYSCALL_REGISTER(36, getitimer, sys_getitimer);

static long sys_setitimer(int which, const struct itimerval_abi __user *unew,
			  struct itimerval_abi __user *uold)
{
	struct itimerval_abi nv = { 0 };
	u64 value = 0, interval = 0, old_value, old_interval;
	if (unew && copy_from_user(&nv, unew, sizeof(nv)))
		return -EFAULT;
	if (timeval_to_ns(&nv.value, &value) || timeval_to_ns(&nv.interval, &interval))
		return -EINVAL;
	int r = itimer_swap(which, &value, &interval, &old_value, &old_interval);
	if (r)
		return r;
	struct itimerval_abi old = { ns_to_timeval(old_interval), ns_to_timeval(old_value) };
	return uold && copy_to_user(uold, &old, sizeof(old)) ? -EFAULT : 0;
}
SYSCALL_REGISTER(38, setitimer, sys_setitimer);

/* alarm(2): seconds left on the previous alarm, rounded to the nearest, never 0 if one was set. */
static long sys_alarm(unsigned seconds)
{
	u64 value = (u64)seconds * NSEC_PER_SEC, interval = 0, old_value, old_interval;
	itimer_swap(ITIMER_REAL, &value, &interval, &old_value, &old_interval);
	u64 sec = old_value / NSEC_PER_SEC, rest = old_value % NSEC_PER_SEC;
	if (rest >= NSEC_PER_SEC / 2 || (!sec && rest))
		sec++;
	return sec;
}
SYSCALL_REGISTER(37, alarm, sys_alarm);

/* ---- POSIX timers -------------------------------------------------------- */

/* The event a new timer sends: sigevent from the user, or SIGALRM with the id. */
static int timer_event(struct ktimer *k, const struct sigevent_abi __user *uev)
{
	struct sigevent_abi ev = { .sigev_signo = SIGALRM, .sigev_notify = SIGEV_SIGNAL };
	if (uev && copy_from_user(&ev, uev, sizeof(ev)))
		return -EFAULT;
	if (!uev)
		ev.sigev_value = k->id;
	if (ev.sigev_notify != SIGEV_SIGNAL && ev.sigev_notify != SIGEV_NONE &&
	    ev.sigev_notify != SIGEV_THREAD_ID)
		return -EINVAL;
	if (ev.sigev_notify != SIGEV_NONE && (ev.sigev_signo < 1 || ev.sigev_signo > NSIG))
		return -EINVAL;
	k->notify = ev.sigev_notify;
	k->tid = ev.sigev_tid;
	k->info = (struct siginfo){ .si_signo = ev.sigev_signo, .si_code = SI_TIMER };
	k->info.timer.tid = k->id;
	k->info.timer.value = ev.sigev_value;
	return 0;
}

/* Is tid a thread of the current process? */
static bool timer_tid_ok(int tid)
{
	spin_lock(&task_lock);
	struct task *t = task_find(tid);
	bool ok = t && t->tgid == current->tgid;
	spin_unlock(&task_lock);
	return ok;
}

static long sys_timer_create(int clock, const struct sigevent_abi __user *uev, int __user *uid)
{
	struct task *leader = current->group_leader;
	if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC && clock != CLOCK_BOOTTIME)
		return -EINVAL; /* CPU-time clocks: not built */
	struct ktimer *k = kzalloc(sizeof(*k));
	if (!k)
		return -EAGAIN;
	list_init(&k->node);
	k->leader = leader;
	k->clock = clock;
	spin_lock(&task_lock);
	struct itimers *it = itimers_get_locked(leader);
	int id = -1;
	for (int i = 0; it && i < POSIX_TIMERS_MAX && id < 0; i++)
		if (!it->posix[i])
			id = i;
	if (id >= 0)
		it->posix[id] = k; /* reserved; disarmed until timer_settime */
	spin_unlock(&task_lock);
	if (id < 0) {
		kfree(k);
		return -EAGAIN;
	}
	k->id = id;
	int r = timer_event(k, uev);
	if (!r && k->notify == SIGEV_THREAD_ID && !timer_tid_ok(k->tid))
		r = -EINVAL;
	if (!r && copy_to_user(uid, &id, sizeof(id)))
		r = -EFAULT;
	if (r) {
		spin_lock(&task_lock);
		posix_timer_free_locked(it, id);
		spin_unlock(&task_lock);
	}
	return r;
}
SYSCALL_REGISTER(222, timer_create, sys_timer_create);

/* The current process's POSIX timer id, or NULL. Caller holds task_lock. */
static struct ktimer *timer_find_locked(int id)
{
	struct itimers *it = current->group_leader->sig.itimers;
	if (!it || id < 0 || id >= POSIX_TIMERS_MAX)
		return NULL;
	return it->posix[id];
}

/* A timer's clock now, in ns. */
static u64 timer_clock_now(int clock)
{
	return clock == CLOCK_REALTIME ? (u64)realtime_ns() : clock_ns();
}

static long sys_timer_settime(int id, int flags, const struct itimerspec_abi __user *unew,
			      struct itimerspec_abi __user *uold)
{
	struct itimerspec_abi nv;
	u64 value, interval;
	if (copy_from_user(&nv, unew, sizeof(nv)))
		return -EFAULT;
	if (timespec_to_ns(&nv.value, &value) || timespec_to_ns(&nv.interval, &interval))
		return -EINVAL;
	spin_lock(&task_lock);
	struct ktimer *k = timer_find_locked(id);
	if (!k) {
		spin_unlock(&task_lock);
		return -EINVAL;
	}
	struct itimerspec_abi old = { ns_to_timespec(k->interval_ns),
				      ns_to_timespec(ktimer_remaining_locked(k)) };
	u64 expires = 0;
	if (value) {
		u64 now = clock_ns(), clk_now = timer_clock_now(k->clock);
		u64 delta =
		    (flags & TIMER_ABSTIME) ? (value > clk_now ? value - clk_now : 0) : value;
		expires = now + (delta ? delta : 1);
	}
	ktimer_arm_locked(k, expires, value ? interval : 0);
	k->overrun = 0;
	spin_unlock(&task_lock);
	return uold && copy_to_user(uold, &old, sizeof(old)) ? -EFAULT : 0;
}
SYSCALL_REGISTER(223, timer_settime, sys_timer_settime);

static long sys_timer_gettime(int id, struct itimerspec_abi __user *ucur)
{
	spin_lock(&task_lock);
	struct ktimer *k = timer_find_locked(id);
	struct itimerspec_abi cur = { 0 };
	if (k)
		cur = (struct itimerspec_abi){ ns_to_timespec(k->interval_ns),
					       ns_to_timespec(ktimer_remaining_locked(k)) };
	spin_unlock(&task_lock);
	if (!k)
		return -EINVAL;
	return copy_to_user(ucur, &cur, sizeof(cur)) ? -EFAULT : 0;
}
SYSCALL_REGISTER(224, timer_gettime, sys_timer_gettime);

static long sys_timer_getoverrun(int id)
{
	spin_lock(&task_lock);
	struct ktimer *k = timer_find_locked(id);
	int r = k ? k->overrun : -EINVAL;
	spin_unlock(&task_lock);
	return r;
}
SYSCALL_REGISTER(225, timer_getoverrun, sys_timer_getoverrun);

static long sys_timer_delete(int id)
{
	spin_lock(&task_lock);
	struct ktimer *k = timer_find_locked(id);
	if (k)
		posix_timer_free_locked(current->group_leader->sig.itimers, id);
	spin_unlock(&task_lock);
	return k ? 0 : -EINVAL;
}
SYSCALL_REGISTER(226, timer_delete, sys_timer_delete);
