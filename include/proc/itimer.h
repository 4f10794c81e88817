/*
 * Timer state of a process (kernel/proc/itimer.c), used by the timer system
 * calls in kernel/syscall/sys_timer.c. Everything here is guarded by task_lock.
 */
#pragma once
#include <lib/list.h>
#include <uapi/signal.h>
#include <types.h>

struct task;

#define POSIX_TIMERS_MAX 32

/* A wall-clock timer: ITIMER_REAL or a POSIX timer. */
struct ktimer {
	struct list_head node; /* on armed_timers while expires_ns != 0 */
	struct task *leader;   /* the process it belongs to */
	u64 expires_ns;	       /* clock_ns() deadline; 0 when disarmed */
	u64 interval_ns;       /* period, 0 for one-shot */
	int id;		       /* POSIX timer id, -1 for ITIMER_REAL */
	int clock;	       /* POSIX: the clock it was created on */
	int notify;	       /* SIGEV_SIGNAL, SIGEV_NONE or SIGEV_THREAD_ID */
	int tid;	       /* SIGEV_THREAD_ID: the thread to signal */
	int overrun;	       /* timer_getoverrun */
	struct siginfo info;   /* the signal it sends */
};

/* ITIMER_VIRTUAL / ITIMER_PROF: CPU time left, and the reload value. */
struct cpu_itimer {
	u64 value_ns, interval_ns;
};

struct itimers {
	struct ktimer real;
	struct cpu_itimer virt, prof;
	struct ktimer *posix[POSIX_TIMERS_MAX];
};

/* leader's timers, allocated on first use; NULL on OOM. */
struct itimers *itimers_get_locked(struct task *leader);
/* Arm k to expire at expires_ns (0: disarm) and then every interval_ns. */
void ktimer_arm_locked(struct ktimer *k, u64 expires_ns, u64 interval_ns);
void ktimer_disarm_locked(struct ktimer *k);
/* Time left before k expires; 0 if disarmed (never 0 while armed). */
u64 ktimer_remaining_locked(const struct ktimer *k);
/* Delete POSIX timer slot i. */
void posix_timer_free_locked(struct itimers *it, int i);
/* exec: the POSIX timers go, the itimers stay. */
void itimer_exec_locked(struct task *leader);
