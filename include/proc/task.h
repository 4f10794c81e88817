/*
 * Tasks. A task is one thread of execution with its own kernel stack; a
 * process is a thread group sharing an address space (struct mm), fd table
 * (struct files_struct) and filesystem context (struct fs_struct, cwd and
 * umask), each reference counted so clone() flags can share them.
 *
 * Locking:
 *   task_lock (rank PROC, global) guards the task list, pid allocation,
 *     parent/children links, state transitions to/from ZOMBIE, exit_status.
 *   sched's run-queue lock guards state RUNNABLE/RUNNING/SLEEPING and the
 *     run queue links.
 *   Fields marked [own] are touched only by the task itself (or by its
 *     creator before it first runs, or by the thread whose execve
 *     restarts a zombie leader off its CPU: exec_group.c).
 */
#pragma once
#include <arch/percpu.h>
#include <arch/traps.h>
#include <lib/atomic.h>
#include <lib/list.h>
#include <proc/rusage.h>
#include <proc/signal.h>
#include <proc/wait.h>
#include <uapi/signal.h>
#include <types.h>

struct mm;
struct files_struct;
struct fs_struct;

enum task_state {
	TASK_RUNNABLE,
	TASK_RUNNING,
	TASK_SLEEPING,
	TASK_ZOMBIE,
	TASK_DEAD,
};

/* Callee-saved registers kept across context_switch(). */
struct context {
	u64 rsp;
};

#define KSTACK_SIZE (16 * 1024)

struct task {
	int pid;                   /* thread id (gettid) */
	int tgid;                  /* thread-group id (getpid) */
	enum task_state state;     /* [run-queue lock / task_lock for ZOMBIE] */
	struct task *parent;       /* [task_lock] */
	struct list_head children; /* [task_lock] */
	struct list_head sibling;  /* [task_lock] entry in parent->children */
	struct list_head all;      /* [task_lock] entry in the global task list */
	struct list_head rq;       /* [run-queue lock] */
	int exit_status;           /* [task_lock] wait-status encoding, valid once is_zombie */
	bool is_zombie;            /* [task_lock] exited, waiting to be reaped */
	/*
	 * Thread groups (CLONE_THREAD). The leader is the process as its
	 * parent sees it: it is reaped only when every thread has exited.
	 * Other threads reap themselves (TASK_DEAD) when they exit. An execve
	 * in a thread always ends up running in the leader's task (exec_group.c).
	 */
	struct task *group_leader;    /* [own, task_lock to change] the first thread, or itself */
	struct list_head thread_node; /* [task_lock] entry in group_leader->threads */
	struct list_head threads;     /* [task_lock] leader only: the other threads */
	int nr_live_threads;          /* [task_lock] leader only: threads not yet exited, leader included */
	bool is_group_exiting;        /* [task_lock] leader only: exit_group or a fatal signal under way */
	int group_exit_status;        /* [task_lock] leader only: the status every thread exits with */
	struct task *exec_task;       /* [task_lock] leader only: thread whose execve kills the rest */
	bool on_cpu;               /* [run-queue lock] still running on a CPU (not yet switched away) */
	bool is_kthread;           /* [own] kernel thread: no user half */
	bool is_subreaper;         /* [own] PR_SET_CHILD_SUBREAPER: adopts orphaned descendants */
	atomic_t child_events;     /* bumped on every child exit; wait4 sleeps on a change */
	struct wait_queue child_wq; /* wait4 sleepers in this task */
	struct task *vfork_parent; /* [task_lock] parent blocked in vfork until we exec or exit */
	bool is_vfork_waiting;     /* [task_lock] blocked in vfork; cleared when the child lets go */
	u64 wake_deadline_ns;      /* [run-queue lock] timed sleep: wake at this clock_ns(), 0 none */
	struct list_head timed;    /* [run-queue lock] entry in the timed-sleepers list */

	struct mm *mm;             /* [own] address space, NULL for kernel threads */
	struct files_struct *files; /* [own] fd table */
	struct fs_struct *fs;      /* [own] cwd, root, umask */

	void *kstack;              /* [own] KSTACK_SIZE bytes */
	u64 kstack_top;            /* [own] initial rsp; the user trap frame sits just below */
	struct trap_frame *tf;     /* [own] user state at the top of kstack */
	struct context ctx;        /* [own] saved kernel rsp while switched out */
	u64 fs_base;               /* [own] user FS base (TLS) */
	u64 clear_child_tid;       /* [own] set_tid_address */
	u64 robust_list;           /* [own] set_robust_list head (recorded only) */
	u8 fpu[512] __aligned(16); /* [own] fxsave image of user FPU/SSE state */
	char comm[16];             /* [own] executable name */

	u64 sigmask;               /* [own, task_lock to write] blocked signals of this thread */
	struct k_sigaction sigactions[64]; /* [task_lock] leader's: the process's dispositions, by signal-1 */
	struct task_signal sig;    /* pending signals, job control, timers: proc/signal.h */
	struct task_acct acct;     /* rusage counters: proc/rusage.h */
	int pending_kill_signal;   /* [task_lock] fatal signal to act on at return to user */
	u64 timeslice_ticks;       /* [run-queue lock] ticks left before preemption */
	bool need_resched;         /* [own CPU] set by tick/wake-up, acted on at return */
	u64 utime_ns, stime_ns;    /* [own] */
	u64 rlim_cur[16], rlim_max[16]; /* [own] resource limits, indexed by RLIMIT_* */
	u64 start_ns;
};

static inline struct task *current_task(void)
{
	struct task *t;
	__asm__ volatile("mov %%gs:%c1, %0" : "=r"(t) : "i"(CPU_OFF_CURRENT));
	return t;
}
#define current (current_task())

extern struct spinlock task_lock;

/* Find a task (live or zombie) by pid, or NULL. Caller holds task_lock. */
struct task *task_find(int pid);
/* The task after t on the task list (NULL: the first), NULL at the end. Caller holds task_lock. */
struct task *task_next_locked(struct task *t);
/* A new task with a kernel stack and a fresh pid, not yet runnable; NULL on OOM. */
struct task *task_alloc(void);
/* Detach and drop t's mm, fd table and fs context (exit, failed fork). */
void task_drop_resources(struct task *t);
/* Free a task that never ran or has been reaped. */
void task_free(struct task *t);
/* Arrange for t to start in fn(arg) (kernel), then enter user mode with t->tf. */
void task_setup_start(struct task *t, void (*fn)(void *), void *arg);
/* Start a kernel thread that execs path as PID 1. */
void task_start_init(const char *path, char *const argv[], char *const envp[]);

/* FPU images: capture the default at boot, reset a task to it (exec). */
void task_fpu_init_default(void);
void task_fpu_reset(struct task *t);

/* Scheduler (proc/sched.c). */
void sched_init_cpu(struct task *idle);
void sched_make_runnable(struct task *t); /* first start of a new task */
void sched_wake(struct task *t);          /* SLEEPING -> RUNNABLE; no-op otherwise */
void schedule(void);                      /* give up the CPU; current->state says why */
__noreturn void sched_idle_loop(void);
/* Put current to sleep; the run-queue lock is taken here and released by the switch. */
void sched_sleep_locked_prepare(u64 deadline_ns);
/* Do not sleep after all: undo sched_sleep_locked_prepare(), release the run-queue lock. */
void sched_sleep_cancel(void);
/* Switch away after sched_sleep_locked_prepare(); returns when woken (rq_lock released). */
void sched_sleep_commit(void);
/* Sleep unless *woken is true or a signal is pending, checked once marked asleep (wait_woken). */
void sched_sleep_unless(const bool *woken, u64 deadline_ns);
/* Spin until t, which will not run again (a zombie, a reaped task), is off its CPU. */
void sched_wait_off_cpu(struct task *t);

/* Exit (proc/exit.c). status is the wait-status word (code << 8 or signal). */
__noreturn void do_exit(int status);
/*
 * Start ending every thread of leader's group with status. A no-op when
 * current is a thread an execve in its own group has already doomed: the
 * exec decides what happens to the process. Caller holds task_lock.
 */
void thread_group_exit_locked(struct task *leader, int status);
/*
 * Kill every live thread of leader's group but except: each acts on it at
 * its next return to user mode (a sleeper is woken for it). Caller holds task_lock.
 */
void thread_group_kill_locked(struct task *leader, struct task *except);
/*
 * Give every child of from to new_parent (their threads' parent links
 * too); wake new_parent's wait4 if one is already a zombie. Caller holds task_lock.
 */
void reparent_children_locked(struct task *from, struct task *new_parent);
bool signal_pending(struct task *t);
