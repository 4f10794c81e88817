/* getrusage, times and waitid: thin decoders over proc/rusage.c and proc/exit.c. */
#include <arch/timer.h>
#include <lib/string.h>
#include <mm/usercopy.h>
#include <proc/rusage.h>
#include <proc/signal.h>
#include <proc/task.h>
#include <syscall/syscall.h>
#include <uapi/errno.h>
#include <uapi/wait.h>

#define RUSAGE_SELF	0
#define RUSAGE_CHILDREN (-1)
#define RUSAGE_THREAD	1
#define USER_HZ		100
#define NS_PER_TICK	(1000000000ull / USER_HZ)

struct timeval_abi {
	s64 tv_sec, tv_usec;
};

/* struct rusage on x86-64: two timevals and fourteen longs. */
struct rusage_abi {
	struct timeval_abi utime, stime;
	s64 maxrss, ixrss, idrss, isrss, minflt, majflt, nswap;
	s64 inblock, oublock, msgsnd, msgrcv, nsignals, nvcsw, nivcsw;
};
STATIC_ASSERT(sizeof(struct rusage_abi) == 144);

static struct timeval_abi ns_to_timeval(u64 ns)
{
	return (struct timeval_abi){ ns / 1000000000ull, (ns % 1000000000ull) / 1000 };
}

int rusage_copy_to_user(void __user *urusage, const struct acct_totals *tot)
{
	struct rusage_abi ru;
	memset(&ru, 0, sizeof(ru));
	ru.utime = ns_to_timeval(tot->utime_ns);
	ru.stime = ns_to_timeval(tot->stime_ns);
	ru.maxrss = tot->maxrss_kib;
	ru.minflt = tot->minflt;
	return copy_to_user(urusage, &ru, sizeof(ru)) ? -EFAULT : 0;
}

/* The totals getrusage(who) reports for current; -EINVAL for an unknown who. */
static int rusage_totals(int who, struct acct_totals *tot)
{
	struct task *t = current;
	struct task_acct *a = &t->group_leader->acct;
	acct_sample_rss(t);
	spin_lock(&task_lock);
	if (who == RUSAGE_SELF)
		*tot = acct_process_locked(t);
	else if (who == RUSAGE_CHILDREN)
		*tot = (struct acct_totals){ a->child_utime_ns, a->child_stime_ns, a->child_minflt,
					     a->child_maxrss_kib };
	else if (who == RUSAGE_THREAD)
		*tot = (struct acct_totals){ t->utime_ns, t->stime_ns, t->acct.minflt,
					     t->acct.maxrss_kib };
	spin_unlock(&task_lock);
	return who == RUSAGE_SELF || who == RUSAGE_CHILDREN || who == RUSAGE_THREAD ? 0 : -EINVAL;
}

static long sys_getrusage(int who, void __user *urusage)
{
	struct acct_totals tot;
	int r = rusage_totals(who, &tot);
	return r ? r : rusage_copy_to_user(urusage, &tot);
}
SYSCALL_REGISTER(98, getrusage, sys_getrusage);

struct tms_abi {
	s64 utime, stime, cutime, cstime;
};

static long sys_times(struct tms_abi __user *ubuf)
{
	struct acct_totals self, children;
	rusage_totals(RUSAGE_SELF, &self);
	rusage_totals(RUSAGE_CHILDREN, &children);
	struct tms_abi k = { self.utime_ns / NS_PER_TICK, self.stime_ns / NS_PER_TICK,
			     children.utime_ns / NS_PER_TICK, children.stime_ns / NS_PER_TICK };
	if (ubuf && copy_to_user(ubuf, &k, sizeof(k)))
		return -EFAULT;
	return clock_ns() / NS_PER_TICK; /* ticks since boot */
}
SYSCALL_REGISTER(100, times, sys_times);

/* The siginfo waitid reports for a wait-status word from child pid. */
static struct siginfo waitid_info(int pid, int status)
{
	struct siginfo info = { .si_signo = SIGCHLD };
	info.chld.pid = pid;
	if ((status & 0xff) == 0x7f) {
		info.si_code = CLD_STOPPED;
		info.chld.status = (status >> 8) & 0xff;
	} else if (status == 0xffff) {
		info.si_code = CLD_CONTINUED;
		info.chld.status = SIGCONT;
	} else if (status & 0x7f) {
		info.si_code = status & 0x80 ? CLD_DUMPED : CLD_KILLED;
		info.chld.status = status & 0x7f;
	} else {
		info.si_code = CLD_EXITED;
		info.chld.status = (status >> 8) & 0xff;
	}
	return info;
}

static long sys_waitid(int which, int id, struct siginfo __user *uinfo, int options,
		       void __user *urusage)
{
	struct wait_req w = { .which = which, .id = id, .options = options };
	if (options & ~(WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED | __WALL | __WCLONE |
			__WNOTHREAD))
		return -EINVAL;
	if (!(options & (WEXITED | WSTOPPED | WCONTINUED)))
		return -EINVAL;
	if ((which != P_ALL && which != P_PID && which != P_PGID) || (which == P_PID && id <= 0) ||
	    (which == P_PGID && id < 0))
		return -EINVAL;
	long r = do_wait(&w);
	if (r < 0)
		return r;
	struct siginfo info;
	if (r > 0)
		info = waitid_info(r, w.status);
	else
		memset(&info, 0, sizeof(info)); /* WNOHANG and nothing yet: si_pid 0 */
	if (uinfo && copy_to_user(uinfo, &info, sizeof(info)))
		return -EFAULT;
	if (urusage && rusage_copy_to_user(urusage, &w.ru))
		return -EFAULT;
	return 0;
}
SYSCALL_REGISTER(247, waitid, sys_waitid);
