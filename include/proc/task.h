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
 *     creator before it first runs).
 */
#pragma once
#include <arch/percpu.h>
#include <arch/traps.h>
#include <lib/list.h>
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
	struct list_head wait;     /* [wq->lock] entry on a wait queue */
	int exit_status;           /* [task_lock] wait-status encoding, valid in ZOMBIE */

	struct mm *mm;             /* [own] address space, NULL for kernel threads */
	struct files_struct *files; /* [own] fd table */
	struct fs_struct *fs;      /* [own] cwd, root, umask */

	void *kstack;              /* [own] KSTACK_SIZE bytes */
	struct trap_frame *tf;     /* [own] user state at the top of kstack */
	struct context ctx;        /* [own] saved kernel rsp while switched out */
	u64 fs_base;               /* [own] user FS base (TLS) */
	u64 clear_child_tid;       /* [own] set_tid_address */
	u8 fpu[512] __aligned(16); /* [own] fxsave image of user FPU/SSE state */
	char comm[16];             /* [own] executable name */

	u64 sigmask;               /* [own] blocked signals (recorded; delivery later) */
	u64 sigpending;            /* [task_lock] */
	int pending_kill_signal;   /* [task_lock] fatal signal to act on at return to user */
	u64 timeslice_ticks;       /* [run-queue lock] ticks left before preemption */
	bool need_resched;         /* [own CPU] set by tick/wake-up, acted on at return */
	u64 utime_ns, stime_ns;    /* [own] */
	u64 start_ns;
};

static inline struct task *current_task(void)
{
	struct task *t;
	__asm__ volatile("mov %%gs:%c1, %0" : "=r"(t) : "i"(CPU_OFF_CURRENT));
	return t;
}
#define current (current_task())

/* Find a live task by pid, or NULL. Caller holds task_lock. */
struct task *task_find(int pid);
