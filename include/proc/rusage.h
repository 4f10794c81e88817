/*
 * Resource accounting (kernel/syscall/sys_rusage.c): what getrusage,
 * times and the CPU-time clocks report.
 *
 * sched_tick charges each tick to the running task's utime_ns or stime_ns
 * (struct task). The fault path counts minor faults and samples the peak
 * RSS. When a thread exits its counts are folded into its group leader
 * (dead_*); when a process is reaped, its totals are added to its parent's
 * child_* (RUSAGE_CHILDREN), whose maxrss is the largest child's.
 */
#pragma once
#include <types.h>

struct task;

struct task_acct {
	u64 minflt;	/* [own; others read it racily] page faults resolved without I/O */
	u64 maxrss_kib; /* [own] largest RSS this task has seen its mm reach */
	/* Leader only, [task_lock]. */
	u64 dead_utime_ns, dead_stime_ns, dead_minflt;
	u64 child_utime_ns, child_stime_ns, child_minflt, child_maxrss_kib;
};

/* Totals of a process (every thread, live or exited) or of its reaped children. */
struct acct_totals {
	u64 utime_ns, stime_ns, minflt, maxrss_kib;
};

/* A page fault of current's was resolved: count it, sample the RSS. */
void acct_count_fault(void);
/* Sample current's RSS into its peak (called by getrusage and at exit). */
void acct_sample_rss(struct task *t);
/* Process totals of t's thread group. Caller holds task_lock. */
struct acct_totals acct_process_locked(struct task *t);
/* CPU time of t's whole process in ns (CLOCK_PROCESS_CPUTIME_ID). Takes task_lock. */
u64 acct_process_cputime_ns(struct task *t);
/* A child's totals as wait4 reports them: its process's plus its reaped children's. Caller holds
 * task_lock. */
struct acct_totals acct_wait_totals_locked(struct task *child);
/* Copy totals out as a struct rusage (144 bytes). 0 or -EFAULT. */
int rusage_copy_to_user(void *urusage, const struct acct_totals *tot);
/* Thread t exits: fold its counts into its leader. Caller holds task_lock. */
void acct_thread_exit_locked(struct task *t);
/*
 * exec from thread from, running on in its leader to (whose own counts
 * were folded in at its exit): to's counts become from's, from's zero.
 * Caller holds task_lock.
 */
void acct_thread_take_over_locked(struct task *to, struct task *from);
/* parent reaps child (a whole process): add its totals to parent's children totals. Caller holds
 * task_lock. */
void acct_reap_locked(struct task *parent, struct task *child);
