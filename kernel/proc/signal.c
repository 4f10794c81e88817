/*
 * Signals: posting, pending sets, job control, and delivery at the return
 * to user mode. The frame a handler runs on is built in signal_frame.c;
 * the system calls are thin decoders in syscall/sys_signal.c.
 *
 * The life of a signal:
 *   send     signal_send_info_locked() applies the side effects Linux applies
 *            at send time (SIGCONT resumes a stopped process and drops
 *            pending stop signals, a stop signal drops a pending SIGCONT),
 *            discards it if it is ignored and not blocked, queues it on the
 *            thread's or the process's set, and wakes the threads that could
 *            take it (a sleeper's wait_event then returns -ERESTARTSYS).
 *   deliver  proc_return_to_user() dequeues unblocked signals one by one:
 *            a handler gets a frame, a default action terminates (maybe with
 *            the core flag), stops, or does nothing.
 *   restart  a system call that returned -ERESTART* is restarted (rip back
 *            over the 2-byte syscall instruction, rax = its number) or fails
 *            with EINTR, depending on the handler's SA_RESTART.
 *
 * Locking: see include/proc/signal.h (task_lock guards it all). Stopped
 * threads sleep on stop_wq, whose lock ranks below the run-queue lock.
 */
#include <arch/cpu.h>
#include <hooks.h>
#include <lib/printk.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <proc/fork.h>
#include <proc/itimer.h>
#include <proc/signal.h>
#include <proc/task.h>
#include <proc/wait.h>
#include <uapi/errno.h>
#include <uapi/signal.h>
#include <uapi/wait.h>

#define SIG_UNBLOCKABLE (sig_bit(SIGKILL) | sig_bit(SIGSTOP))
#define SIG_STOP_MASK	(sig_bit(SIGSTOP) | sig_bit(SIGTSTP) | sig_bit(SIGTTIN) | sig_bit(SIGTTOU))
/* Signals raised by the faulting instruction itself: taken before the others. */
#define SIG_SYNC_MASK                                                                              \
	(sig_bit(SIGSEGV) | sig_bit(SIGBUS) | sig_bit(SIGILL) | sig_bit(SIGTRAP) |                 \
	 sig_bit(SIGFPE) | sig_bit(SIGSYS))
#define SIGQUEUE_MAX	1024 /* queued instances per set; more real-time ones get EAGAIN */
#define RLIMIT_CORE_IDX 4
#define CORE_FLAG	0x80

enum sig_default_action { SIGACT_TERM, SIGACT_CORE, SIGACT_IGNORE, SIGACT_STOP };

static struct wait_queue stop_wq = WAIT_QUEUE_INIT(stop_wq);

static const char *const signal_names[] = {
	[SIGILL] = "SIGILL", [SIGTRAP] = "SIGTRAP", [SIGBUS] = "SIGBUS",
	[SIGFPE] = "SIGFPE", [SIGKILL] = "SIGKILL", [SIGSEGV] = "SIGSEGV",
};

/* What SIG_DFL means for sig (signal(7)). */
static enum sig_default_action sig_default(int sig)
{
	switch (sig) {
	case SIGQUIT:
	case SIGILL:
	case SIGTRAP:
	case SIGABRT:
	case SIGBUS:
	case SIGFPE:
	case SIGSEGV:
	case SIGXCPU:
	case SIGXFSZ:
	case SIGSYS:
		return SIGACT_CORE;
	case SIGCHLD:
	case SIGCONT:
	case SIGURG:
	case SIGWINCH:
		return SIGACT_IGNORE;
	case SIGSTOP:
	case SIGTSTP:
	case SIGTTIN:
	case SIGTTOU:
		return SIGACT_STOP;
	default:
		return SIGACT_TERM;
	}
}

/* The process-wide disposition of sig. Caller holds task_lock. */
static struct k_sigaction *sig_action(struct task *t, int sig)
{
	return &t->group_leader->sigactions[sig - 1];
}

/* The next live thread of leader's process after th (NULL: the first). Caller holds task_lock. */
static struct task *thread_next(struct task *leader, struct task *th)
{
	struct list_head *n;
	if (!th && !leader->is_zombie)
		return leader;
	if (!th || th == leader)
		n = leader->threads.next;
	else
		n = th->thread_node.next;
	return n == &leader->threads ? NULL : list_entry(n, struct task, thread_node);
}

/* ---- pending sets ------------------------------------------------------ */

/* Queue info on p; a standard signal already pending is not queued twice. 0 or -EAGAIN. */
static int sigpending_add(struct sigpending *p, const struct siginfo *info)
{
	int sig = info->si_signo;
	bool is_rt = sig >= SIGRTMIN;
	if (!is_rt && (p->set & sig_bit(sig)))
		return 0;
	struct sigqueue *q = p->nr_queued < SIGQUEUE_MAX ? kmalloc(sizeof(*q), 0) : NULL;
	if (!q) {
		if (is_rt && info->si_code != SI_USER && info->si_code != SI_KERNEL)
			return -EAGAIN; /* sigqueue and friends report a full queue */
		p->set |= sig_bit(sig); /* still pending, with a synthesized siginfo */
		return 0;
	}
	q->info = *info;
	q->next = NULL;
	struct sigqueue **pp = &p->head;
	while (*pp)
		pp = &(*pp)->next;
	*pp = q;
	p->nr_queued++;
	p->set |= sig_bit(sig);
	return 0;
}

/* Take the oldest instance of sig off p into *info (synthesized if none was queued). */
static void sigpending_take(struct sigpending *p, int sig, struct siginfo *info)
{
	struct sigqueue **pp = &p->head, *found = NULL;
	bool has_more = false;
	for (; *pp; pp = &(*pp)->next) {
		if ((*pp)->info.si_signo != sig)
			continue;
		if (found) {
			has_more = true;
			break;
		}
		found = *pp;
		*pp = found->next;
		p->nr_queued--;
		if (!*pp)
			break;
	}
	if (!has_more) {
		for (struct sigqueue *q = p->head; q; q = q->next)
			has_more |= q->info.si_signo == sig;
	}
	if (!has_more)
		p->set &= ~sig_bit(sig);
	if (found) {
		*info = found->info;
		kfree(found);
	} else {
		memset(info, 0, sizeof(*info));
		info->si_signo = sig;
		info->si_code = SI_KERNEL;
	}
}

/* Drop every instance of the signals in mask from p. */
static void sigpending_flush_mask(struct sigpending *p, u64 mask)
{
	struct sigqueue **pp = &p->head;
	while (*pp) {
		struct sigqueue *q = *pp;
		if (mask & sig_bit(q->info.si_signo)) {
			*pp = q->next;
			p->nr_queued--;
			kfree(q);
		} else {
			pp = &q->next;
		}
	}
	p->set &= ~mask;
}

/* Drop the signals in mask from every pending set of leader's process. Caller holds task_lock. */
static void process_flush_mask_locked(struct task *leader, u64 mask)
{
	struct task *th;
	sigpending_flush_mask(&leader->sig.shared, mask);
	for (th = thread_next(leader, NULL); th; th = thread_next(leader, th))
		sigpending_flush_mask(&th->sig.pending, mask);
}

/* The lowest-numbered signal of set, synchronous ones first; 0 if empty. */
static int sig_pick(u64 set)
{
	if (!set)
		return 0;
	if (set & SIG_SYNC_MASK)
		set &= SIG_SYNC_MASK;
	return __builtin_ctzll(set) + 1;
}

bool signal_pending(struct task *t)
{
	struct task *leader = t->group_leader;
	if (!leader)
		return false; /* a boot CPU's idle task (ktests run user code on it): no signals */
	u64 pending = READ_ONCE(t->sig.pending.set) | READ_ONCE(leader->sig.shared.set);
	return READ_ONCE(t->pending_kill_signal) || READ_ONCE(leader->sig.is_stopped) ||
	       (pending & ~READ_ONCE(t->sigmask));
}

/* ---- sending ----------------------------------------------------------- */

/* Wake t so it notices a signal: from a wait_event, or from a stop. Caller holds task_lock. */
static void signal_wake_locked(struct task *t)
{
	sched_wake(t);
	if (t->group_leader->sig.is_stopped && t->pending_kill_signal)
		wake_up(&stop_wq);
}

void signal_kill_thread_locked(struct task *t)
{
	if (!t->pending_kill_signal)
		t->pending_kill_signal = SIGKILL;
	signal_wake_locked(t);
}

/* SIGKILL: every thread ends at its next return to user mode. Caller holds task_lock. */
static void signal_kill_process_locked(struct task *leader, int sig)
{
	struct task *th;
	if (leader->nr_live_threads > 1)
		thread_group_exit_locked(leader, sig);
	for (th = thread_next(leader, NULL); th; th = thread_next(leader, th)) {
		if (!th->pending_kill_signal)
			th->pending_kill_signal = sig;
		sched_wake(th);
	}
	wake_up(&stop_wq);
}

/* Tell leader's parent (wait and SIGCHLD) that the process stopped or continued. */
static void signal_notify_parent_stop_locked(struct task *leader, int why, int sig)
{
	struct task *parent = leader->parent;
	if (!parent)
		return;
	atomic_inc(&parent->child_events);
	wake_up(&parent->child_wq);
	if (sig_action(parent, SIGCHLD)->flags & SA_NOCLDSTOP)
		return;
	struct siginfo info = { .si_signo = SIGCHLD, .si_code = why };
	info.chld.pid = leader->tgid;
	info.chld.status = sig;
	signal_send_info_locked(parent, &info, false);
}

/* SIGCONT's side effect at send time: resume a stopped process. Caller holds task_lock. */
static void signal_continue_locked(struct task *leader)
{
	process_flush_mask_locked(leader, SIG_STOP_MASK);
	if (!leader->sig.is_stopped)
		return;
	leader->sig.is_stopped = false;
	leader->sig.wait_report = SIG_REPORT_CONTINUED;
	signal_notify_parent_stop_locked(leader, CLD_CONTINUED, SIGCONT);
	wake_up(&stop_wq);
}

/* Is sig ignored by t (and so discarded at once)? Blocked signals never are. */
static bool sig_ignored_locked(struct task *t, int sig)
{
	if (t->sigmask & sig_bit(sig))
		return false;
	u64 h = sig_action(t, sig)->handler;
	if (h == SIG_IGN)
		return true;
	if (h != SIG_DFL)
		return false;
	/* init only gets the signals it has handlers for, as on Linux. */
	return sig_default(sig) == SIGACT_IGNORE || t->tgid == 1;
}

int signal_send_info_locked(struct task *t, const struct siginfo *info, bool is_thread)
{
	struct task *leader = t->group_leader, *th;
	int sig = info->si_signo;
	if (sig < 1 || sig > NSIG)
		return -EINVAL;
	if (leader->nr_live_threads == 0 || leader->is_group_exiting ||
	    (is_thread && t->sig.is_exiting))
		return -ESRCH;
	if (sig == SIGKILL && leader->tgid != 1) {
		signal_kill_process_locked(leader, SIGKILL);
		return 0;
	}
	if (sig_bit(sig) & SIG_STOP_MASK)
		process_flush_mask_locked(leader, sig_bit(SIGCONT));
	if (sig == SIGCONT)
		signal_continue_locked(leader);
	if (sig_ignored_locked(t, sig))
		return 0;
	int r = sigpending_add(is_thread ? &t->sig.pending : &leader->sig.shared, info);
	if (r)
		return r;
	if (is_thread) {
		if (!(t->sigmask & sig_bit(sig)))
			signal_wake_locked(t);
		return 0;
	}
	for (th = thread_next(leader, NULL); th; th = thread_next(leader, th))
		if (!(th->sigmask & sig_bit(sig)))
			signal_wake_locked(th);
	return 0;
}

int signal_send(struct task *t, int sig)
{
	struct siginfo info = signal_info_kernel(sig);
	spin_lock(&task_lock);
	int r = signal_send_info_locked(t, &info, false);
	spin_unlock(&task_lock);
	return r;
}

void signal_send_current(int sig)
{
	struct siginfo info = signal_info_kernel(sig);
	spin_lock(&task_lock);
	signal_send_info_locked(current, &info, true);
	spin_unlock(&task_lock);
}

/*
 * A signal the current thread cannot refuse (a fault, a bad frame): if it
 * is blocked or ignored, it is unblocked and reset to SIG_DFL first, so
 * the process dies rather than re-running the faulting instruction.
 */
static void signal_force_locked(struct task *t, const struct siginfo *info)
{
	int sig = info->si_signo;
	struct k_sigaction *ka = sig_action(t, sig);
	if ((t->sigmask & sig_bit(sig)) || ka->handler == SIG_IGN) {
		ka->handler = SIG_DFL;
		t->sigmask &= ~sig_bit(sig);
	}
	if (sigpending_add(&t->sig.pending, info))
		t->sig.pending.set |= sig_bit(sig);
}

/* Force SIGSEGV on current (a frame that cannot be written or read back). */
static void signal_force_segv(int failed_sig)
{
	struct task *t = current;
	struct siginfo info = signal_info_kernel(SIGSEGV);
	spin_lock(&task_lock);
	if (failed_sig == SIGSEGV)
		sig_action(t, SIGSEGV)->handler = SIG_DFL; /* its own handler cannot run */
	signal_force_locked(t, &info);
	spin_unlock(&task_lock);
}

void signal_sigreturn_failed(void)
{
	signal_force_segv(0);
}

void proc_user_fault(struct trap_frame *tf, int signo, int si_code, u64 addr)
{
	struct task *t = current;
	struct siginfo info = { .si_signo = signo, .si_code = si_code };
	info.fault.addr = addr;
	spin_lock(&task_lock);
	if (signo == SIGKILL) { /* out of memory: nothing to deliver, just end */
		signal_kill_process_locked(t->group_leader, SIGKILL);
		spin_unlock(&task_lock);
		return;
	}
	bool is_fatal = sig_action(t, signo)->handler <= SIG_IGN || (t->sigmask & sig_bit(signo));
	signal_force_locked(t, &info);
	spin_unlock(&task_lock);
	if (is_fatal) {
		const char *name = signo < (int)ARRAY_SIZE(signal_names) && signal_names[signo]
				       ? signal_names[signo]
				       : "signal";
		printk("cowix: %s[%d]: %s (code %d) at %#lx ip %#lx\n", t->comm, t->pid, name,
		       si_code, addr, tf->rip);
	}
}

/* ---- job control -------------------------------------------------------- */

/* Stop leader's process with sig: tell the parent, pull every thread in. Caller holds task_lock. */
static void signal_stop_process_locked(struct task *leader, int sig)
{
	struct task *th;
	if (leader->sig.is_stopped)
		return;
	leader->sig.is_stopped = true;
	leader->sig.stop_sig = sig;
	leader->sig.wait_report = SIG_REPORT_STOPPED;
	signal_notify_parent_stop_locked(leader, CLD_STOPPED, sig);
	for (th = thread_next(leader, NULL); th; th = thread_next(leader, th))
		sched_wake(th); /* interrupt their waits: they stop on the way out */
}

static bool signal_stop_over(void *arg)
{
	struct task *t = arg;
	return !READ_ONCE(t->group_leader->sig.is_stopped) || READ_ONCE(t->pending_kill_signal);
}

/*
 * Sleep while the process is stopped. Not a wait_event: pending signals
 * must not end it, only SIGCONT or SIGKILL. Both change what
 * signal_stop_over reads and then wake stop_wq, and the re-check happens
 * under the wait queue's lock, so neither can be missed.
 */
static void signal_stop_wait(struct task *t)
{
	struct wait_entry e = { .task = t };
	while (!signal_stop_over(t)) {
		spin_lock(&stop_wq.lock);
		list_add_tail(&e.node, &stop_wq.sleepers);
		if (!signal_stop_over(t)) {
			sched_sleep_locked_prepare(0);
			spin_unlock(&stop_wq.lock);
			sched_sleep_commit();
			spin_lock(&stop_wq.lock);
		}
		list_del(&e.node);
		spin_unlock(&stop_wq.lock);
	}
}

bool signal_wait_report_locked(struct task *c, int options, int *status)
{
	u8 r = c->sig.wait_report;
	if (r == SIG_REPORT_STOPPED && (options & WUNTRACED) && c->sig.is_stopped)
		*status = (c->sig.stop_sig << 8) | 0x7f;
	else if (r == SIG_REPORT_CONTINUED && (options & WCONTINUED))
		*status = 0xffff;
	else
		return false;
	if (!(options & WNOWAIT))
		c->sig.wait_report = 0;
	return true;
}

/* ---- delivery ---------------------------------------------------------- */

/*
 * Take the next unblocked signal for t into *info: its own first, then the
 * process's. 0 if none. Caller holds task_lock.
 */
static int signal_dequeue_locked(struct task *t, u64 blocked, struct siginfo *info)
{
	struct sigpending *own = &t->sig.pending, *shared = &t->group_leader->sig.shared;
	int sig = sig_pick(own->set & ~blocked);
	if (sig) {
		sigpending_take(own, sig, info);
		return sig;
	}
	sig = sig_pick(shared->set & ~blocked);
	if (sig)
		sigpending_take(shared, sig, info);
	return sig;
}

/* The wait status a default-action death by sig leaves. */
static int signal_death_status(struct task *t, int sig)
{
	bool dumps = sig_default(sig) == SIGACT_CORE && t->rlim_cur[RLIMIT_CORE_IDX] != 0;
	return sig | (dumps ? CORE_FLAG : 0);
}

/*
 * A handler is about to run for a system call that was interrupted: fail
 * it with EINTR or set it up to run again (SA_RESTART), as x86-64 Linux does.
 */
static void signal_restart_for_handler(struct task *t, struct trap_frame *tf, u64 sa_flags)
{
	long r = (long)tf->rax;
	if (t->sig.syscall_nr < 0)
		return;
	if (r == -ERESTARTNOHAND || r == -ERESTART_RESTARTBLOCK ||
	    (r == -ERESTARTSYS && !(sa_flags & SA_RESTART))) {
		tf->rax = (u64)-EINTR;
	} else if (r == -ERESTARTSYS || r == -ERESTARTNOINTR) {
		tf->rax = t->sig.syscall_nr;
		tf->rip -= 2;
	}
	t->sig.syscall_nr = -1;
}

/* No handler ran: an interrupted system call runs again (restart_syscall for RESTARTBLOCK). */
static void signal_restart_no_handler(struct task *t, struct trap_frame *tf)
{
	long r = (long)tf->rax;
	if (t->sig.syscall_nr < 0)
		return;
	if (r == -ERESTARTSYS || r == -ERESTARTNOINTR || r == -ERESTARTNOHAND) {
		tf->rax = t->sig.syscall_nr;
		tf->rip -= 2;
	} else if (r == -ERESTART_RESTARTBLOCK) {
		tf->rax = NR_restart_syscall;
		tf->rip -= 2;
	}
	t->sig.syscall_nr = -1;
}

/* Run the handler for ks: restart decision, frame, then the handler's mask. */
static void signal_handle(struct task *t, struct trap_frame *tf, struct ksignal *ks)
{
	int sig = ks->info.si_signo;
	signal_restart_for_handler(t, tf, ks->ka.flags);
	u64 old_mask = t->sig.has_saved_mask ? t->sig.saved_mask : t->sigmask;
	if (signal_frame_setup(t, tf, ks, old_mask)) {
		signal_force_segv(sig);
		return;
	}
	spin_lock(&task_lock);
	t->sigmask = old_mask | ks->ka.mask;
	if (!(ks->ka.flags & SA_NODEFER))
		t->sigmask |= sig_bit(sig);
	t->sigmask &= ~SIG_UNBLOCKABLE;
	spin_unlock(&task_lock);
	t->sig.has_saved_mask = false;
}

/*
 * Act on one signal for current. Returns true if a handler frame was set
 * up. Does not return if the signal ends the process.
 */
static bool signal_deliver_one(struct task *t, struct trap_frame *tf)
{
	struct task *leader = t->group_leader;
	struct ksignal ks;
	spin_lock(&task_lock);
	if (t->pending_kill_signal) {
		int sig = t->pending_kill_signal;
		spin_unlock(&task_lock);
		do_exit(sig & 0x7f);
	}
	if (leader->sig.is_stopped) {
		spin_unlock(&task_lock);
		signal_stop_wait(t);
		return false;
	}
	int sig = signal_dequeue_locked(t, t->sigmask, &ks.info);
	if (!sig) {
		spin_unlock(&task_lock);
		return false;
	}
	struct k_sigaction *ka = sig_action(t, sig);
	ks.ka = *ka;
	if (ka->handler == SIG_IGN) {
		spin_unlock(&task_lock);
		return false;
	}
	if (ka->handler != SIG_DFL) {
		if (ka->flags & SA_RESETHAND)
			ka->handler = SIG_DFL;
		spin_unlock(&task_lock);
		signal_handle(t, tf, &ks);
		return true;
	}
	enum sig_default_action act = sig_default(sig);
	if (act == SIGACT_IGNORE || (t->tgid == 1 && ks.info.si_code <= 0)) {
		spin_unlock(&task_lock);
		return false;
	}
	if (act == SIGACT_STOP) {
		if (sig == SIGSTOP || !pgrp_is_orphaned_locked(leader->sig.pgid))
			signal_stop_process_locked(leader, sig);
		spin_unlock(&task_lock);
		return false;
	}
	int status = signal_death_status(t, sig);
	spin_unlock(&task_lock);
	do_exit(status);
}

void proc_return_to_user(struct trap_frame *tf)
{
	struct task *t = current;
	bool has_handler = false;
	for (;;) {
		if (t->need_resched)
			schedule();
		if (!signal_pending(t))
			break;
		irq_enable(); /* frames are written with usercopy, which may fault */
		has_handler |= signal_deliver_one(t, tf);
	}
	if (has_handler)
		return;
	signal_restart_no_handler(t, tf);
	if (t->sig.has_saved_mask) {
		spin_lock(&task_lock);
		t->sigmask = t->sig.saved_mask;
		spin_unlock(&task_lock);
		t->sig.has_saved_mask = false;
	}
}

/* ---- life cycle --------------------------------------------------------- */

void signal_fork(struct task *child, struct task *parent, u64 clone_flags)
{
	struct task *pleader = parent->group_leader;
	memset(&child->sig, 0, sizeof(child->sig));
	child->sig.syscall_nr = -1;
	child->sigmask = parent->sigmask;
	child->pending_kill_signal = 0;
	if (clone_flags & CLONE_THREAD)
		return; /* dispositions, group and timers are the leader's */
	spin_lock(&task_lock);
	memcpy(child->sigactions, pleader->sigactions, sizeof(child->sigactions));
	child->sig.pgid = pleader->sig.pgid;
	child->sig.sid = pleader->sig.sid;
	spin_unlock(&task_lock);
	child->sig.exit_signal = clone_flags & 0xff;
	/* A fork keeps the alternate stack (same addresses); a new address space sharer does not.
	 */
	if (!(clone_flags & CLONE_VM) || (clone_flags & CLONE_VFORK)) {
		child->sig.ss_sp = parent->sig.ss_sp;
		child->sig.ss_size = parent->sig.ss_size;
		child->sig.ss_flags = parent->sig.ss_flags;
	}
}

void signal_exit_locked(struct task *t, bool is_group_dead)
{
	struct task *leader = t->group_leader;
	t->sig.is_exiting = true;
	sigpending_flush_mask(&t->sig.pending, ~0ull);
	acct_thread_exit_locked(t);
	if (!is_group_dead)
		return;
	sigpending_flush_mask(&leader->sig.shared, ~0ull);
	itimer_exit_locked(leader);
}

bool signal_notify_parent_exit_locked(struct task *leader, int status)
{
	struct task *parent = leader->parent;
	if (!parent)
		return false;
	struct k_sigaction *ka = sig_action(parent, SIGCHLD);
	bool autoreap = ka->handler == SIG_IGN || (ka->flags & SA_NOCLDWAIT);
	int sig = leader->sig.exit_signal;
	if (sig && !(sig == SIGCHLD && ka->handler == SIG_IGN)) {
		struct siginfo info = { .si_signo = sig };
		struct acct_totals tot = acct_process_locked(leader);
		info.chld.pid = leader->tgid;
		if (status & 0x7f) {
			info.si_code = status & CORE_FLAG ? CLD_DUMPED : CLD_KILLED;
			info.chld.status = status & 0x7f;
		} else {
			info.si_code = CLD_EXITED;
			info.chld.status = (status >> 8) & 0xff;
		}
		info.chld.utime = tot.utime_ns / (1000000000 / 100);
		info.chld.stime = tot.stime_ns / (1000000000 / 100);
		signal_send_info_locked(parent, &info, false);
	}
	return autoreap;
}

/* exec: caught signals to SIG_DFL, ignored ones stay ignored; no flags, no masks. */
static void signal_reset_actions_locked(struct task *leader)
{
	for (int i = 0; i < NSIG; i++) {
		struct k_sigaction *ka = &leader->sigactions[i];
		u64 handler = ka->handler == SIG_IGN ? SIG_IGN : SIG_DFL;
		*ka = (struct k_sigaction){ .handler = handler };
	}
}

void signal_exec(struct task *t)
{
	struct task *leader = t->group_leader;
	t->sig.ss_sp = t->sig.ss_size = 0;
	t->sig.ss_flags = 0;
	spin_lock(&task_lock);
	signal_reset_actions_locked(leader);
	leader->sig.exit_signal = SIGCHLD;
	leader->sig.did_exec = true;
	itimer_exec_locked(leader);
	spin_unlock(&task_lock);
}

void signal_thread_take_over_locked(struct task *to, struct task *from)
{
	sigpending_flush_mask(&to->sig.pending, ~0ull);
	to->sig.pending = from->sig.pending;
	from->sig.pending = (struct sigpending){ 0 };
	to->sigmask = from->sigmask;
	to->sig.is_exiting = false;
	to->sig.has_saved_mask = false;
	to->sig.syscall_nr = -1;
	to->sig.restart = (struct restart_block){ 0 };
	to->pending_kill_signal = from->pending_kill_signal;
}

/* ---- services for the system calls (syscall/sys_signal.c) --------------- */

int signal_action(int sig, const struct k_sigaction *act, struct k_sigaction *oact)
{
	struct task *t = current;
	if (sig < 1 || sig > NSIG || (act && (sig == SIGKILL || sig == SIGSTOP)))
		return -EINVAL;
	spin_lock(&task_lock);
	struct k_sigaction *ka = sig_action(t, sig);
	if (oact)
		*oact = *ka;
	if (act) {
		*ka = *act;
		ka->mask &= ~SIG_UNBLOCKABLE;
		/* POSIX: ignoring a signal discards its pending instances. */
		if (ka->handler == SIG_IGN ||
		    (ka->handler == SIG_DFL && sig_default(sig) == SIGACT_IGNORE))
			process_flush_mask_locked(t->group_leader, sig_bit(sig));
	}
	spin_unlock(&task_lock);
	return 0;
}

int signal_mask_change(int how, const u64 *set, u64 *old)
{
	struct task *t = current;
	int r = 0;
	spin_lock(&task_lock);
	*old = t->sigmask;
	if (set) {
		if (how == SIG_BLOCK)
			t->sigmask |= *set;
		else if (how == SIG_UNBLOCK)
			t->sigmask &= ~*set;
		else if (how == SIG_SETMASK)
			t->sigmask = *set;
		else
			r = -EINVAL;
		t->sigmask &= ~SIG_UNBLOCKABLE;
	}
	spin_unlock(&task_lock);
	return r;
}

u64 signal_pending_blocked(void)
{
	struct task *t = current;
	spin_lock(&task_lock);
	u64 set = (t->sig.pending.set | t->group_leader->sig.shared.set) & t->sigmask;
	spin_unlock(&task_lock);
	return set;
}

/* Take a pending signal of set (blocked or not) into *info; 0 if none. Caller holds task_lock. */
static int signal_dequeue_set_locked(struct task *t, u64 set, struct siginfo *info)
{
	return signal_dequeue_locked(t, ~set, info);
}

static bool never_true(void *arg)
{
	(void)arg;
	return false;
}

int signal_wait_set(u64 set, struct siginfo *info, u64 deadline_ns)
{
	struct task *t = current;
	struct wait_queue wq;
	set &= ~SIG_UNBLOCKABLE;
	spin_lock(&task_lock);
	int sig = signal_dequeue_set_locked(t, set, info);
	u64 blocked = t->sigmask;
	if (!sig && deadline_ns) /* let the signals waited for wake us */
		t->sigmask &= ~set;
	spin_unlock(&task_lock);
	if (sig)
		return sig;
	if (!deadline_ns)
		return -EAGAIN;
	wait_queue_init(&wq);
	int r = wait_event_timeout(&wq, never_true, NULL, NULL, deadline_ns);
	spin_lock(&task_lock);
	t->sigmask = blocked;
	sig = signal_dequeue_set_locked(t, set, info);
	spin_unlock(&task_lock);
	if (sig)
		return sig;
	return r == -ETIMEDOUT ? -EAGAIN : -EINTR;
}

int signal_sleep_interruptible(void)
{
	struct wait_queue wq;
	wait_queue_init(&wq);
	wait_event(&wq, never_true, NULL, NULL);
	return -ERESTARTNOHAND;
}

int signal_suspend(u64 mask)
{
	struct task *t = current;
	spin_lock(&task_lock);
	t->sig.saved_mask = t->sigmask;
	t->sig.has_saved_mask = true;
	t->sigmask = mask & ~SIG_UNBLOCKABLE;
	spin_unlock(&task_lock);
	return signal_sleep_interruptible();
}

struct siginfo *signal_timer_queued_locked(struct task *t, bool is_thread,
					   const struct siginfo *info)
{
	struct sigpending *p = is_thread ? &t->sig.pending : &t->group_leader->sig.shared;
	for (struct sigqueue *q = p->head; q; q = q->next)
		if (q->info.si_signo == info->si_signo && q->info.si_code == SI_TIMER &&
		    q->info.timer.tid == info->timer.tid)
			return &q->info;
	return NULL;
}
