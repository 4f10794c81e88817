/*
 * Signals (proc/signal.c, proc/signal_frame.c) and job control (proc/pgrp.c).
 *
 * Pending state has two levels, as on Linux: each thread's own set
 * (tkill, tgkill, faults) and the process's shared set, kept in the thread
 * group leader (kill, timers, SIGCHLD). A thread takes signals from its own
 * set first, then from the shared one. Dispositions are per process too:
 * they live in the leader's sigactions[]. The blocked mask is per thread.
 *
 * Standard signals (1-31) are pending at most once; real-time ones queue
 * every instance. Each queued instance carries its siginfo.
 *
 * Locking: task_lock (rank PROC) guards every pending set, the dispositions,
 * the masks as other tasks read them, and the job-control and timer state.
 * It is never held across usercopy: delivery dequeues under the lock, then
 * drops it to write the frame.
 *
 * Delivery happens in proc_return_to_user(): a thread about to enter user
 * mode takes one unblocked signal at a time and acts on it (handler frame,
 * stop, exit, or nothing).
 *
 * Threads: a process-directed signal wakes every thread that does not
 * block it; whichever dequeues it first handles it, the others find
 * nothing and restart what they were doing. A group stop is reported to
 * the parent when its first thread stops (Linux waits for the last).
 * CLONE_SIGHAND without CLONE_THREAD gives a copy of the dispositions, not
 * a shared table.
 */
#pragma once
#include <mm/usercopy.h>
#include <proc/rusage.h>
#include <uapi/signal.h>
#include <types.h>

#define ERESTART_RESTARTBLOCK 516 /* kernel-internal: restart through restart_syscall */
#define NR_restart_syscall    219

struct task;
struct trap_frame;

/* One queued instance of a signal, with what the receiver will see. */
struct sigqueue {
	struct sigqueue *next;
	struct siginfo info;
};

/* A set of pending signals; zero-filled means empty. */
struct sigpending {
	u64 set;	       /* signals with at least one instance queued */
	struct sigqueue *head; /* instances, oldest first; may lack some in set (OOM) */
	int nr_queued;	       /* instances on the list */
};

struct itimers;

/*
 * What restart_syscall (219) resumes after a call returned
 * -ERESTART_RESTARTBLOCK and no handler ran (a stop and continue, say):
 * a relative nanosleep goes on to its original deadline.
 */
struct restart_block {
	long (*fn)(struct restart_block *rb); /* NULL: restart_syscall fails with EINTR */
	u64 deadline_ns;
	u64 uaddr;
};

/* Signal, job-control and timer state of a task (embedded in struct task). */
struct task_signal {
	struct sigpending pending;    /* [task_lock] sent to this thread */
	struct sigpending shared;     /* [task_lock] leader only: sent to the process */
	u64 saved_mask;		      /* [own] rt_sigsuspend: mask to put back after the handler */
	bool has_saved_mask;	      /* [own] */
	bool is_exiting;	      /* [task_lock] exited: nothing more is queued */
	long syscall_nr;	      /* [own] system call under way (for restarts), -1 none */
	struct restart_block restart; /* [own] for restart_syscall */
	u64 ss_sp, ss_size;	      /* [own] sigaltstack; size 0 when disabled */
	u32 ss_flags;		      /* [own] SS_AUTODISARM or 0 */
	int exit_signal;	      /* [own] sent to the parent when the process ends; 0 none */
	bool did_exec; /* [task_lock] leader: has exec'd since fork (setpgid EACCES) */
	/* Job control; leader only, [task_lock]. */
	int pgid, sid;		 /* process group and session */
	bool is_stopped;	 /* stopped by SIGSTOP/SIGTSTP/SIGTTIN/SIGTTOU */
	int stop_sig;		 /* the signal that stopped it */
	u8 wait_report;		 /* SIG_REPORT_*: a change its parent's wait has not seen */
	struct itimers *itimers; /* [task_lock] leader only: alarm, setitimer, timer_create */
};

#define SIG_REPORT_STOPPED   1
#define SIG_REPORT_CONTINUED 2

/* ---- sending ---------------------------------------------------------- */

/* A siginfo as the kernel sends it (SI_KERNEL, no sender). */
static inline struct siginfo signal_info_kernel(int sig)
{
	return (struct siginfo){ .si_signo = sig, .si_code = SI_KERNEL };
}

/* Post sig to the process t belongs to. Takes task_lock. 0 or -EINVAL/-ESRCH. */
int signal_send(struct task *t, int sig);
/* Post sig to the calling thread itself (synchronous: SIGPIPE, faults). */
void signal_send_current(int sig);
/* Post sig to every process in process group pgid. 0 or -ESRCH. */
int signal_send_pgrp(int pgid, int sig);
/*
 * Post a signal with its siginfo to t's process (is_thread false) or to
 * thread t alone. info->si_signo says which; 0 or -ESRCH (exited), -EAGAIN
 * (real-time queue full). Caller holds task_lock.
 */
int signal_send_info_locked(struct task *t, const struct siginfo *info, bool is_thread);
/* Same, to every process in group pgid; 0 if any got it, else -ESRCH. Caller holds task_lock. */
int signal_send_pgrp_info_locked(int pgid, const struct siginfo *info);
/* Is any signal deliverable to t (or is it being killed or stopped)? Lock-free hint. */
bool signal_pending(struct task *t);

/* ---- process life cycle (called by fork.c and exit.c) ----------------- */

/*
 * A new task's signal state: dispositions and mask inherited, nothing
 * pending, no timers; process group and session inherited (CLONE_THREAD
 * shares the leader's). Called before the child is published.
 */
void signal_fork(struct task *child, struct task *parent, u64 clone_flags);
/*
 * t is exiting (is_group_dead: it was the last thread): flush what is
 * queued for it, stop the process's timers, fold its CPU times into the
 * group's. Caller holds task_lock.
 */
void signal_exit_locked(struct task *t, bool is_group_dead);
/*
 * leader's process has ended: send its parent the exit signal (SIGCHLD
 * with CLD_EXITED/KILLED/DUMPED). Returns true if the parent asked for
 * children to be reaped at once (SIGCHLD ignored or SA_NOCLDWAIT). Caller
 * holds task_lock.
 */
bool signal_notify_parent_exit_locked(struct task *leader, int status);
/*
 * wait4/waitid on child leader c: a stop (WUNTRACED) or continue
 * (WCONTINUED) its parent has not seen. Fills *status (wait-status word)
 * and returns true; consumes the report unless WNOWAIT. Caller holds task_lock.
 */
bool signal_wait_report_locked(struct task *c, int options, int *status);
/*
 * exec, in t (the task the new image runs in): caught signals go back to
 * SIG_DFL (ignored stay ignored), the altstack and POSIX timers go, the
 * exit signal becomes SIGCHLD. Pending signals and the mask are kept.
 */
void signal_exec(struct task *t);
/*
 * exec from thread from, whose image will run in its leader to (a zombie
 * off its CPU): to gets from's signal mask, pending signals and pending
 * kill, and starts with no system call to restart. Caller holds task_lock.
 */
void signal_thread_take_over_locked(struct task *to, struct task *from);
/*
 * Kill thread t: it exits at its next return to user mode (woken if asleep
 * or stopped). Caller holds task_lock.
 */
void signal_kill_thread_locked(struct task *t);

/* ---- delivery (signal_frame.c), internal to proc/ ---------------------- */

struct ksignal {
	struct siginfo info;
	struct k_sigaction ka;
};
/* Build the rt_sigframe for ks on t's user stack and point tf at the handler. 0 or -EFAULT. */
int signal_frame_setup(struct task *t, struct trap_frame *tf, struct ksignal *ks, u64 old_mask);
/* rt_sigreturn found a frame it cannot read or use: SIGSEGV for current. */
void signal_sigreturn_failed(void);

/* ---- services for the system calls (current's view) --------------------- */

/* rt_sigaction on the process's dispositions (either pointer may be NULL). 0 or -EINVAL. */
int signal_action(int sig, const struct k_sigaction *act, struct k_sigaction *oact);
/* rt_sigprocmask: *old gets the previous mask; set NULL only reads. 0 or -EINVAL. */
int signal_mask_change(int how, const u64 *set, u64 *old);
/* rt_sigpending: blocked signals pending for the thread or its process. */
u64 signal_pending_blocked(void);
/*
 * rt_sigtimedwait: take a pending signal of set into *info; sleep until one
 * comes or clock_ns() reaches deadline_ns (0: do not sleep). The signal, or
 * -EAGAIN (timeout) or -EINTR (another signal, to be handled).
 */
int signal_wait_set(u64 set, struct siginfo *info, u64 deadline_ns);
/* pause: sleep until a signal is pending; returns -ERESTARTNOHAND. */
int signal_sleep_interruptible(void);
/* rt_sigsuspend: sleep with mask until a signal; the old mask returns after its handler. */
int signal_suspend(u64 mask);
/* kill(pid, ...) for pid > 0, 0 (own group), -1 (all but init and self), < -1 (group). */
int signal_kill(int pid, const struct siginfo *info);
/* tgkill (tgid > 0) or tkill (tgid <= 0) to one thread. 0, -ESRCH or -EAGAIN. */
int signal_tkill(int tgid, int tid, const struct siginfo *info);
/* rt_sigreturn: restore the context saved by the frame at tf->rsp - 8; returns its rax. */
long signal_sigreturn(struct trap_frame *tf);

/* ---- wait4 / waitid (exit.c) --------------------------------------------- */

/* What a wait asks for and what it found. */
struct wait_req {
	int which, id;	       /* P_ALL, P_PID (id), P_PGID (id; 0: the caller's group) */
	int options;	       /* WNOHANG, WEXITED, WUNTRACED, WCONTINUED, WNOWAIT */
	int status;	       /* out: wait-status word */
	struct acct_totals ru; /* out: the child's usage, its own children's included */
};
/* Wait for a child with news. Its pid, 0 (WNOHANG, none yet), -ECHILD or -ERESTARTSYS. */
long do_wait(struct wait_req *w);
/* wait4(2): status and rusage copied out (rusage may be NULL). */
long do_wait4(int pid, int __user *ustatus, int options, void __user *urusage);

/* A POSIX timer's signal (info: its si_signo, SI_TIMER, timer id) still queued, or NULL. Caller
 * holds task_lock. */
struct siginfo *signal_timer_queued_locked(struct task *t, bool is_thread,
					   const struct siginfo *info);

/* ---- job control (pgrp.c) ------------------------------------------------ */

/*
 * Is process group pgid orphaned: does no member have a parent in another
 * group of the same session? Stop signals other than SIGSTOP are then
 * discarded. Caller holds task_lock.
 */
bool pgrp_is_orphaned_locked(int pgid);
/* setpgid(2): pid 0 is the caller, pgid 0 is pid. 0, -EINVAL, -ESRCH, -EPERM or -EACCES. */
int pgrp_setpgid(int pid, int pgid);
/* getpgid(2) or (want_sid) getsid(2) of pid, 0 for the caller; -ESRCH. */
int pgrp_get_id(int pid, bool want_sid);
/* setsid(2): the new session id, or -EPERM for a process-group leader. */
int pgrp_setsid(void);

/* ---- timers (itimer.c) --------------------------------------------------- */

/* Timer tick on this CPU (from sched_tick, no lock held): fire expired timers. */
void itimer_tick(struct trap_frame *tf, u64 tick_ns);
/* leader's process has ended: disarm and free its timers. Caller holds task_lock. */
void itimer_exit_locked(struct task *leader);
