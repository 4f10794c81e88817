/*
 * Signals, first cut: dispositions and the mask are recorded as Linux
 * expects (rt_sigaction, rt_sigprocmask), and fatal signals raised by
 * faults or the kernel terminate the task at its next return to user mode.
 * Handler delivery, kill() and friends come with the signals work.
 */
#include <hooks.h>
#include <lib/printk.h>
#include <mm/usercopy.h>
#include <proc/signal.h>
#include <proc/task.h>
#include <syscall/syscall.h>
#include <uapi/errno.h>
#include <uapi/signal.h>

static const char *const signal_names[] = {
	[SIGILL] = "SIGILL",   [SIGTRAP] = "SIGTRAP", [SIGBUS] = "SIGBUS",
	[SIGFPE] = "SIGFPE",   [SIGKILL] = "SIGKILL", [SIGSEGV] = "SIGSEGV",
};

bool signal_pending(struct task *t)
{
	return READ_ONCE(t->pending_kill_signal) || (READ_ONCE(t->sigpending) & ~t->sigmask);
}

void proc_user_fault(struct trap_frame *tf, int signo, int si_code, u64 addr)
{
	struct task *t = current;
	const char *name = signo < (int)ARRAY_SIZE(signal_names) && signal_names[signo]
				   ? signal_names[signo]
				   : "signal";
	printk("cowix: %s[%d]: %s (code %d) at %#lx ip %#lx\n", t->comm, t->pid, name, si_code,
	       addr, tf->rip);
	if (!t->pending_kill_signal)
		t->pending_kill_signal = signo;
}

void proc_return_to_user(struct trap_frame *tf)
{
	(void)tf;
	struct task *t = current;
	if (t->pending_kill_signal)
		do_exit(t->pending_kill_signal & 0x7f);
	if (t->need_resched)
		schedule();
}

static long sys_rt_sigaction(int sig, const struct k_sigaction __user *act,
			     struct k_sigaction __user *oact, size_t sigsetsize)
{
	struct task *t = current;
	struct k_sigaction k;
	if (sigsetsize != sizeof(u64) || sig < 1 || sig > NSIG)
		return -EINVAL;
	if (act && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	if (act && copy_from_user(&k, act, sizeof(k)))
		return -EFAULT;
	if (oact && copy_to_user(oact, &t->sigactions[sig - 1], sizeof(k)))
		return -EFAULT;
	if (act) {
		k.mask &= ~(sig_bit(SIGKILL) | sig_bit(SIGSTOP));
		t->sigactions[sig - 1] = k;
	}
	return 0;
}
SYSCALL_REGISTER(13, rt_sigaction, sys_rt_sigaction);

static long sys_rt_sigprocmask(int how, const u64 __user *set, u64 __user *oset, size_t sigsetsize)
{
	struct task *t = current;
	u64 s = 0, old = t->sigmask;
	if (sigsetsize != sizeof(u64))
		return -EINVAL;
	if (set && copy_from_user(&s, set, sizeof(s)))
		return -EFAULT;
	if (set) {
		if (how == SIG_BLOCK)
			t->sigmask |= s;
		else if (how == SIG_UNBLOCK)
			t->sigmask &= ~s;
		else if (how == SIG_SETMASK)
			t->sigmask = s;
		else
			return -EINVAL;
		t->sigmask &= ~(sig_bit(SIGKILL) | sig_bit(SIGSTOP));
	}
	if (oset && copy_to_user(oset, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}
SYSCALL_REGISTER(14, rt_sigprocmask, sys_rt_sigprocmask);

/* Signals whose default action is to do nothing. */
static bool sig_default_ignored(int sig)
{
	return sig == SIGCHLD || sig == SIGCONT || sig == 23 /* SIGURG */ || sig == 28 /* SIGWINCH */;
}

/*
 * Post sig to t. Until handlers are delivered, a signal whose action is the
 * default terminates the task at its next return to user mode (waking it
 * if it sleeps); an ignored one is dropped; a caught one stays pending.
 * Caller holds task_lock.
 */
static void signal_send_locked(struct task *t, int sig)
{
	u64 handler = t->sigactions[sig - 1].handler;
	if (sig != SIGKILL && (handler == SIG_IGN || (handler == SIG_DFL && sig_default_ignored(sig))))
		return;
	if (sig == SIGKILL || handler == SIG_DFL) {
		if (!t->pending_kill_signal)
			t->pending_kill_signal = sig;
	} else {
		t->sigpending |= sig_bit(sig);
	}
	sched_wake(t);
}

int signal_send(struct task *t, int sig)
{
	if (sig < 1 || sig > NSIG)
		return -EINVAL;
	spin_lock(&task_lock);
	if (t->is_zombie) {
		spin_unlock(&task_lock);
		return -ESRCH;
	}
	signal_send_locked(t, sig);
	spin_unlock(&task_lock);
	return 0;
}

void signal_send_current(int sig)
{
	signal_send(current, sig);
}

int signal_send_pgrp(int pgid, int sig)
{
	(void)pgid;
	(void)sig;
	return -ESRCH; /* process groups come with job control */
}

static long sys_kill(int pid, int sig)
{
	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	if (pid <= 0)
		return -ESRCH; /* process groups and broadcast come with job control */
	spin_lock(&task_lock);
	struct task *t = task_find(pid);
	if (!t || t->is_zombie) {
		spin_unlock(&task_lock);
		return -ESRCH;
	}
	if (sig)
		signal_send_locked(t, sig);
	spin_unlock(&task_lock);
	return 0;
}
SYSCALL_REGISTER(62, kill, sys_kill);
