/*
 * Resource accounting: process and children totals for getrusage, times,
 * wait4 and the CPU-time clocks (include/proc/rusage.h).
 *
 * A thread's counters are its own ([own] in struct task_acct); the leader
 * keeps what exited threads and reaped children left behind, under task_lock.
 */
#include <mm/mm.h>
#include <proc/rusage.h>
#include <proc/task.h>

#define PAGE_KIB 4

/* Raise t's peak RSS to what its address space holds now. */
void acct_sample_rss(struct task *t)
{
	struct mm *mm = READ_ONCE(t->mm);
	if (!mm)
		return;
	u64 kib = READ_ONCE(mm->rss_pages) * PAGE_KIB;
	if (kib > t->acct.maxrss_kib)
		t->acct.maxrss_kib = kib;
}

void acct_count_fault(void)
{
	struct task *t = current;
	if (!t)
		return;
	t->acct.minflt++;
	acct_sample_rss(t);
}

/* Add thread th's live counters to *tot. */
static void acct_add_thread(struct acct_totals *tot, struct task *th)
{
	tot->utime_ns += READ_ONCE(th->utime_ns);
	tot->stime_ns += READ_ONCE(th->stime_ns);
	tot->minflt += READ_ONCE(th->acct.minflt);
	tot->maxrss_kib = MAX(tot->maxrss_kib, READ_ONCE(th->acct.maxrss_kib));
}

struct acct_totals acct_process_locked(struct task *t)
{
	struct task *leader = t->group_leader;
	struct list_head *pos;
	struct acct_totals tot = {
		leader->acct.dead_utime_ns,
		leader->acct.dead_stime_ns,
		leader->acct.dead_minflt,
		leader->acct.maxrss_kib,
	};
	if (!leader->is_zombie)
		acct_add_thread(&tot, leader);
	list_for_each(pos, &leader->threads)
	{
		acct_add_thread(&tot, list_entry(pos, struct task, thread_node));
	}
	return tot;
}

u64 acct_process_cputime_ns(struct task *t)
{
	spin_lock(&task_lock);
	struct acct_totals tot = acct_process_locked(t);
	spin_unlock(&task_lock);
	return tot.utime_ns + tot.stime_ns;
}

void acct_thread_exit_locked(struct task *t)
{
	struct task *leader = t->group_leader;
	leader->acct.dead_utime_ns += t->utime_ns;
	leader->acct.dead_stime_ns += t->stime_ns;
	leader->acct.dead_minflt += t->acct.minflt;
	leader->acct.maxrss_kib = MAX(leader->acct.maxrss_kib, t->acct.maxrss_kib);
}

void acct_thread_take_over_locked(struct task *to, struct task *from)
{
	to->utime_ns = from->utime_ns;
	to->stime_ns = from->stime_ns;
	to->acct.minflt = from->acct.minflt;
	to->acct.maxrss_kib = MAX(to->acct.maxrss_kib, from->acct.maxrss_kib);
	from->utime_ns = from->stime_ns = from->acct.minflt = 0;
}

struct acct_totals acct_wait_totals_locked(struct task *child)
{
	struct acct_totals tot = acct_process_locked(child);
	tot.utime_ns += child->acct.child_utime_ns;
	tot.stime_ns += child->acct.child_stime_ns;
	tot.minflt += child->acct.child_minflt;
	tot.maxrss_kib = MAX(tot.maxrss_kib, child->acct.child_maxrss_kib);
	return tot;
}

void acct_reap_locked(struct task *parent, struct task *child)
{
	struct task_acct *a = &parent->group_leader->acct;
	struct acct_totals tot = acct_wait_totals_locked(child);
	a->child_utime_ns += tot.utime_ns;
	a->child_stime_ns += tot.stime_ns;
	a->child_minflt += tot.minflt;
	a->child_maxrss_kib = MAX(a->child_maxrss_kib, tot.maxrss_kib);
}
