/* Clocks and sleeping: thin decoders over the TSC clock and timed waits. */
#include <arch/timer.h>
#include <lib/realtime.h>
#include <mm/usercopy.h>
#include <proc/task.h>
#include <proc/wait.h>
#include <syscall/syscall.h>
#include <uapi/errno.h>

#define CLOCK_REALTIME           0
#define CLOCK_MONOTONIC          1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID  3
#define CLOCK_MONOTONIC_RAW      4
#define CLOCK_REALTIME_COARSE    5
#define CLOCK_MONOTONIC_COARSE   6
#define CLOCK_BOOTTIME           7
#define TIMER_ABSTIME            1
#define NSEC_PER_SEC             1000000000ll

struct timespec_abi {
	s64 tv_sec, tv_nsec;
};

/* Current value of a clock in ns, or -EINVAL for clocks we do not have. */
static s64 clock_read_ns(int clk)
{
	struct task *t = current;
	switch (clk) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
		return realtime_ns();
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
		return clock_ns();
	case CLOCK_PROCESS_CPUTIME_ID:
		return acct_process_cputime_ns(t); /* every thread, live or exited */
	case CLOCK_THREAD_CPUTIME_ID:
		return t->utime_ns + t->stime_ns;
	default:
		return -EINVAL;
	}
}

static struct timespec_abi ns_to_timespec(s64 ns)
{
	return (struct timespec_abi){ ns / NSEC_PER_SEC, ns % NSEC_PER_SEC };
}

static long sys_clock_gettime(int clk, struct timespec_abi __user *tp)
{
	s64 ns = clock_read_ns(clk);
	if (ns < 0)
		return ns;
	struct timespec_abi ts = ns_to_timespec(ns);
	return copy_to_user(tp, &ts, sizeof(ts)) ? -EFAULT : 0;
}
SYSCALL_REGISTER(228, clock_gettime, sys_clock_gettime);

static long sys_clock_getres(int clk, struct timespec_abi __user *tp)
{
	if (clock_read_ns(clk) < 0)
		return -EINVAL;
	struct timespec_abi ts = { 0, 1 };
	return tp && copy_to_user(tp, &ts, sizeof(ts)) ? -EFAULT : 0;
}
SYSCALL_REGISTER(229, clock_getres, sys_clock_getres);

static long sys_gettimeofday(struct timespec_abi __user *tv, void __user *tz)
{
	s64 ns = realtime_ns();
	struct timespec_abi t = { ns / NSEC_PER_SEC, (ns % NSEC_PER_SEC) / 1000 };
	if (tv && copy_to_user(tv, &t, sizeof(t)))
		return -EFAULT;
	if (tz && clear_user(tz, 8))
		return -EFAULT;
	return 0;
}
SYSCALL_REGISTER(96, gettimeofday, sys_gettimeofday);

static long sys_time(s64 __user *tloc)
{
	s64 sec = realtime_ns() / NSEC_PER_SEC;
	if (tloc && copy_to_user(tloc, &sec, sizeof(sec)))
		return -EFAULT;
	return sec;
}
SYSCALL_REGISTER(201, time, sys_time);

static bool never(void *arg)
{
	(void)arg;
	return false;
}

static long sleep_until(s64 deadline_ns, struct timespec_abi __user *rem, bool is_relative);

/* restart_syscall after a relative sleep was interrupted without a handler: sleep on. */
static long sleep_restart(struct restart_block *rb)
{
	return sleep_until(rb->deadline_ns, (struct timespec_abi __user *)rb->uaddr, true);
}

/*
 * Sleep until clock_ns() reaches deadline. An interrupted sleep reports the
 * time left in *rem and asks to be resumed if no handler runs: a relative
 * one through restart_syscall (same deadline), an absolute one by running
 * again; with a handler the caller sees EINTR (proc/signal.c).
 */
static long sleep_until(s64 deadline_ns, struct timespec_abi __user *rem, bool is_relative)
{
	struct wait_queue wq;
	wait_queue_init(&wq);
	int r = wait_event_timeout(&wq, never, NULL, NULL, deadline_ns > 0 ? deadline_ns : 1);
	if (r != -ERESTARTSYS)
		return 0;
	s64 left = deadline_ns - (s64)clock_ns();
	struct timespec_abi ts = ns_to_timespec(left > 0 ? left : 0);
	if (rem && copy_to_user(rem, &ts, sizeof(ts)))
		return -EFAULT;
	if (!is_relative)
		return -ERESTARTNOHAND;
	current->sig.restart = (struct restart_block){ sleep_restart, deadline_ns, (u64)rem };
	return -ERESTART_RESTARTBLOCK;
}

static int timespec_from_user(struct timespec_abi *ts, const struct timespec_abi __user *u)
{
	if (copy_from_user(ts, u, sizeof(*ts)))
		return -EFAULT;
	if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= NSEC_PER_SEC)
		return -EINVAL;
	return 0;
}

static long sys_nanosleep(const struct timespec_abi __user *req, struct timespec_abi __user *rem)
{
	struct timespec_abi ts;
	int r = timespec_from_user(&ts, req);
	if (r)
		return r;
	return sleep_until(clock_ns() + ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec, rem, true);
}
SYSCALL_REGISTER(35, nanosleep, sys_nanosleep);

static long sys_clock_nanosleep(int clk, int flags, const struct timespec_abi __user *req,
				struct timespec_abi __user *rem)
{
	struct timespec_abi ts;
	s64 now = clock_read_ns(clk);
	if (now < 0 || clk == CLOCK_THREAD_CPUTIME_ID)
		return -EINVAL;
	int r = timespec_from_user(&ts, req);
	if (r)
		return r;
	s64 req_ns = ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
	/* Deadlines are kept on the monotonic clock; convert an absolute time. */
	s64 delta = flags & TIMER_ABSTIME ? req_ns - now : req_ns;
	bool is_relative = !(flags & TIMER_ABSTIME);
	return sleep_until(clock_ns() + (delta > 0 ? delta : 0), is_relative ? rem : NULL,
			   is_relative);
}
SYSCALL_REGISTER(230, clock_nanosleep, sys_clock_nanosleep);
