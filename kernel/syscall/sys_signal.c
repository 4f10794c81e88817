/* Signal system calls: thin decoders over proc/signal.c and proc/signal_frame.c. */
#include <arch/timer.h>
#include <mm/usercopy.h>
#include <proc/signal.h>
#include <proc/task.h>
#include <syscall/syscall.h>
#include <uapi/errno.h>
#include <uapi/signal.h>

#define NSEC_PER_SEC 1000000000ll

struct timespec_abi {
	s64 tv_sec, tv_nsec;
};

static long sys_rt_sigaction(int sig, const struct k_sigaction __user *act,
			     struct k_sigaction __user *oact, size_t sigsetsize)
{
	struct k_sigaction k, old;
	if (sigsetsize != sizeof(u64))
		return -EINVAL;
	if (act && copy_from_user(&k, act, sizeof(k)))
		return -EFAULT;
	int r = signal_action(sig, act ? &k : NULL, &old);
	if (r)
		return r;
	return oact && copy_to_user(oact, &old, sizeof(old)) ? -EFAULT : 0;
}
SYSCALL_REGISTER(13, rt_sigaction, sys_rt_sigaction);

static long sys_rt_sigprocmask(int how, const u64 __user *set, u64 __user *oset, size_t sigsetsize)
{
	u64 s, old;
	if (sigsetsize != sizeof(u64))
		return -EINVAL;
	if (set && copy_from_user(&s, set, sizeof(s)))
		return -EFAULT;
	if (set && how != SIG_BLOCK && how != SIG_UNBLOCK && how != SIG_SETMASK)
		return -EINVAL;
	signal_mask_change(how, set ? &s : NULL, &old);
	return oset && copy_to_user(oset, &old, sizeof(old)) ? -EFAULT : 0;
}
SYSCALL_REGISTER(14, rt_sigprocmask, sys_rt_sigprocmask);

static long sys_rt_sigreturn(void)
{
	return signal_sigreturn(current->tf);
}
SYSCALL_REGISTER(15, rt_sigreturn, sys_rt_sigreturn);

static long sys_pause(void)
{
	return signal_sleep_interruptible();
}
SYSCALL_REGISTER(34, pause, sys_pause);

/* A sender's siginfo for kill-like calls: who sent it. */
static struct siginfo siginfo_from_current(int sig, int code)
{
	struct siginfo info = { .si_signo = sig, .si_code = code };
	info.rt.pid = current->tgid;
	return info;
}

static long sys_kill(int pid, int sig)
{
	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	struct siginfo info = siginfo_from_current(sig, SI_USER);
	return signal_kill(pid, &info);
}
SYSCALL_REGISTER(62, kill, sys_kill);

static long sys_tkill(int tid, int sig)
{
	if (sig < 0 || sig > NSIG || tid <= 0)
		return -EINVAL;
	struct siginfo info = siginfo_from_current(sig, SI_TKILL);
	return signal_tkill(0, tid, &info);
}
SYSCALL_REGISTER(200, tkill, sys_tkill);

static long sys_tgkill(int tgid, int tid, int sig)
{
	if (sig < 0 || sig > NSIG || tid <= 0 || tgid <= 0)
		return -EINVAL;
	struct siginfo info = siginfo_from_current(sig, SI_TKILL);
	return signal_tkill(tgid, tid, &info);
}
SYSCALL_REGISTER(234, tgkill, sys_tgkill);

/*
 * The siginfo of rt_sigqueueinfo: the caller's, except that another
 * process may not pretend to be the kernel or kill() (si_code >= 0, or tkill).
 */
static int siginfo_from_user(struct siginfo *info, int tgid, int sig,
			     const struct siginfo __user *uinfo)
{
	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	if (copy_from_user(info, uinfo, sizeof(*info)))
		return -EFAULT;
	if ((info->si_code >= 0 || info->si_code == SI_TKILL) && tgid != current->tgid)
		return -EPERM;
	info->si_signo = sig;
	return 0;
}

static long sys_rt_sigqueueinfo(int tgid, int sig, const struct siginfo __user *uinfo)
{
	struct siginfo info;
	int r = siginfo_from_user(&info, tgid, sig, uinfo);
	if (r)
		return r;
	return tgid > 0 ? signal_kill(tgid, &info) : -ESRCH;
}
SYSCALL_REGISTER(129, rt_sigqueueinfo, sys_rt_sigqueueinfo);

static long sys_rt_tgsigqueueinfo(int tgid, int tid, int sig, const struct siginfo __user *uinfo)
{
	struct siginfo info;
	if (tgid <= 0 || tid <= 0)
		return -EINVAL;
	int r = siginfo_from_user(&info, tgid, sig, uinfo);
	return r ? r : signal_tkill(tgid, tid, &info);
}
SYSCALL_REGISTER(297, rt_tgsigqueueinfo, sys_rt_tgsigqueueinfo);

static long sys_rt_sigpending(u64 __user *uset, size_t sigsetsize)
{
	if (sigsetsize > sizeof(u64))
		return -EINVAL;
	u64 set = signal_pending_blocked();
	return copy_to_user(uset, &set, sigsetsize) ? -EFAULT : 0;
}
SYSCALL_REGISTER(127, rt_sigpending, sys_rt_sigpending);

static long sys_rt_sigsuspend(const u64 __user *umask, size_t sigsetsize)
{
	u64 mask;
	if (sigsetsize != sizeof(u64))
		return -EINVAL;
	if (copy_from_user(&mask, umask, sizeof(mask)))
		return -EFAULT;
	return signal_suspend(mask);
}
SYSCALL_REGISTER(130, rt_sigsuspend, sys_rt_sigsuspend);

static long sys_rt_sigtimedwait(const u64 __user *uset, struct siginfo __user *uinfo,
				const struct timespec_abi __user *uts, size_t sigsetsize)
{
	u64 set, deadline = ~0ull;
	struct timespec_abi ts;
	struct siginfo info;
	if (sigsetsize != sizeof(u64))
		return -EINVAL;
	if (copy_from_user(&set, uset, sizeof(set)))
		return -EFAULT;
	if (uts) {
		if (copy_from_user(&ts, uts, sizeof(ts)))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= NSEC_PER_SEC)
			return -EINVAL;
		u64 ns = (u64)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
		deadline = ns ? clock_ns() + ns : 0;
	}
	int sig = signal_wait_set(set, &info, deadline);
	if (sig > 0 && uinfo && copy_to_user(uinfo, &info, sizeof(info)))
		return -EFAULT;
	return sig;
}
SYSCALL_REGISTER(128, rt_sigtimedwait, sys_rt_sigtimedwait);

/* sigaltstack's report of the current settings. */
static struct sigaltstack_abi altstack_get(struct task *t)
{
	u64 sp = t->tf->rsp;
	struct sigaltstack_abi ss = { t->sig.ss_sp, 0, 0, t->sig.ss_size };
	if (!t->sig.ss_size)
		ss.ss_flags = SS_DISABLE;
	else if (sp > t->sig.ss_sp && sp - t->sig.ss_sp <= t->sig.ss_size)
		ss.ss_flags = SS_ONSTACK;
	ss.ss_flags |= (s32)t->sig.ss_flags;
	return ss;
}

static long sys_sigaltstack(const struct sigaltstack_abi __user *uss,
			    struct sigaltstack_abi __user *uoss)
{
	struct task *t = current;
	struct sigaltstack_abi ss, old = altstack_get(t);
	if (uss) {
		if (copy_from_user(&ss, uss, sizeof(ss)))
			return -EFAULT;
		if (old.ss_flags & SS_ONSTACK)
			return -EPERM;
		int mode = ss.ss_flags & ~(s32)SS_AUTODISARM;
		if (mode != 0 && mode != SS_ONSTACK && mode != SS_DISABLE)
			return -EINVAL;
		if (mode == SS_DISABLE) {
			t->sig.ss_sp = t->sig.ss_size = 0;
			t->sig.ss_flags = 0;
		} else {
			if (ss.ss_size < MINSIGSTKSZ)
				return -ENOMEM;
			t->sig.ss_sp = ss.ss_sp;
			t->sig.ss_size = ss.ss_size;
			t->sig.ss_flags = (u32)ss.ss_flags & SS_AUTODISARM;
		}
	}
	return uoss && copy_to_user(uoss, &old, sizeof(old)) ? -EFAULT : 0;
}
SYSCALL_REGISTER(131, sigaltstack, sys_sigaltstack);

static long sys_setpgid(int pid, int pgid)
{
	return pgrp_setpgid(pid, pgid);
}
SYSCALL_REGISTER(109, setpgid, sys_setpgid);

static long sys_getpgid(int pid)
{
	return pgrp_get_id(pid, false);
}
SYSCALL_REGISTER(121, getpgid, sys_getpgid);

static long sys_getpgrp(void)
{
	return pgrp_get_id(0, false);
}
SYSCALL_REGISTER(111, getpgrp, sys_getpgrp);

static long sys_getsid(int pid)
{
	return pgrp_get_id(pid, true);
}
SYSCALL_REGISTER(124, getsid, sys_getsid);

static long sys_setsid(void)
{
	return pgrp_setsid();
}
SYSCALL_REGISTER(112, setsid, sys_setsid);

/* Resume what a -ERESTART_RESTARTBLOCK call left in current's restart block. */
static long sys_restart_syscall(void)
{
	struct restart_block *rb = &current->sig.restart;
	long (*fn)(struct restart_block *) = rb->fn;
	rb->fn = NULL;
	return fn ? fn(rb) : -EINTR;
}
SYSCALL_REGISTER(NR_restart_syscall, restart_syscall, sys_restart_syscall);
