/*
 * /proc/PID files about the process itself: status, stat, statm, comm,
 * cmdline and environ, in proc(5)'s formats.
 *
 * A generator first copies what it needs out of the task under task_lock
 * (struct procfs_task), taking a reference on the address space, then
 * drops task_lock and reads the mm under mm->lock. task->mm, ->files and
 * ->fs are safe to follow under task_lock because exit and exec change
 * them under task_lock.
 */
#include <arch/timer.h>
#include <fs/fdtable.h>
#include <fs/fs_struct.h>
#include <fs/procfs.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <proc/rusage.h>
#include <proc/signal.h>
#include <proc/task.h>
#include <uapi/errno.h>

#define NS_PER_TICK  (1000000000ul / HZ) /* USER_HZ is HZ (100) */
#define PF_KTHREAD   0x00200000u	 /* Linux's task flag, for the flags field of stat */
#define RLIMIT_RSS   5
#define ARGS_MAX_LEN (1ul << 20) /* most of cmdline/environ we copy out */

/* What the generators need of a task, copied under task_lock. */
struct procfs_task {
	int pid, tgid, ppid, pgid, sid;
	char state; /* R, S, T, Z or X */
	bool is_kthread, is_zombie;
	char comm[16];
	struct acct_totals self, children; /* the process's usage; its reaped children's */
	u64 start_ns, rsslim;
	u64 sigpnd, shdpnd, sigblk, sigign, sigcgt;
	int exit_status, exit_signal, nr_threads;
	int umask, fd_size; /* -1: no fs_struct / fd table (kernel thread, zombie) */
	struct mm *mm;	    /* reference, or NULL (kernel thread, zombie) */
};

/* Address-space figures, read under mm->lock. Sizes in pages. */
struct procfs_mm_stats {
	u64 total_vm, rss, data_vm, stack_vm, exec_vm;
	u64 start_code, end_code;
	u64 start_brk, brk, stack_top, arg_start, arg_end, env_start, env_end;
	u64 cow_faults, cow_copies, cow_reuses;
};

/* One letter for ps and a word for status. Caller holds task_lock. */
static char procfs_task_state(const struct task *t)
{
	if (t->is_zombie)
		return 'Z';
	if (t->group_leader->sig.is_stopped)
		return 'T';
	switch (READ_ONCE(t->state)) {
	case TASK_RUNNABLE:
	case TASK_RUNNING:
		return 'R';
	case TASK_SLEEPING:
		return 'S';
	case TASK_ZOMBIE:
		return 'Z';
	default:
		return 'X';
	}
}

static const char *procfs_state_name(char state)
{
	switch (state) {
	case 'R':
		return "running";
	case 'S':
		return "sleeping";
	case 'T':
		return "stopped";
	case 'Z':
		return "zombie";
	default:
		return "dead";
	}
}

/*
 * Pending (the thread's own, the process's shared), blocked, ignored and
 * caught signals as bitmaps, bit n-1 for signal n. Dispositions are the
 * process's, kept in the leader. Caller holds task_lock.
 */
static void procfs_task_signals(const struct task *t, struct procfs_task *pt)
{
	const struct task *leader = t->group_leader;
	pt->sigpnd = t->sig.pending.set;
	pt->shdpnd = leader->sig.shared.set;
	pt->sigblk = t->sigmask;
	for (int i = 0; i < 64; i++) {
		u64 h = leader->sigactions[i].handler;
		if (h == SIG_IGN)
			pt->sigign |= 1ull << i;
		else if (h != SIG_DFL)
			pt->sigcgt |= 1ull << i;
	}
}

/*
 * Usage as getrusage sees it: a process (its leader's directory) sums all
 * its threads, live and exited; a thread (/proc/TID) shows its own. Caller
 * holds task_lock.
 */
static void procfs_task_acct(struct task *t, struct procfs_task *pt)
{
	const struct task_acct *a = &t->group_leader->acct;
	if (t->group_leader == t)
		pt->self = acct_process_locked(t);
	else
		pt->self = (struct acct_totals){ t->utime_ns, t->stime_ns, t->acct.minflt,
						 t->acct.maxrss_kib };
	pt->children = (struct acct_totals){ a->child_utime_ns, a->child_stime_ns, a->child_minflt,
					     a->child_maxrss_kib };
}

/* Identity, state and limits of t into *pt. Caller holds task_lock. */
static void procfs_task_ids(struct task *t, struct procfs_task *pt)
{
	const struct task *leader = t->group_leader;
	pt->pid = t->pid;
	pt->tgid = t->tgid;
	pt->ppid = t->parent ? t->parent->tgid : 0;
	pt->pgid = leader->sig.pgid;
	pt->sid = leader->sig.sid;
	pt->state = procfs_task_state(t);
	pt->is_kthread = t->is_kthread;
	pt->is_zombie = t->is_zombie;
	memcpy(pt->comm, t->comm, sizeof(pt->comm));
	pt->comm[sizeof(pt->comm) - 1] = 0; /* exec may be rewriting it: stay bounded */
	pt->nr_threads = leader->nr_live_threads;
	pt->start_ns = t->start_ns;
	pt->rsslim = t->rlim_cur[RLIMIT_RSS];
	pt->exit_status = t->is_zombie ? t->exit_status : 0;
	pt->exit_signal = t->sig.exit_signal;
}

/*
 * The umask and the fd table's size. t->fs and t->files are cleared under
 * task_lock at exit, so under it they are alive; their own locks rank above.
 */
static void procfs_task_files(struct task *t, struct procfs_task *pt)
{
	pt->umask = pt->fd_size = -1;
	if (t->fs)
		pt->umask = fs_umask(t->fs);
	if (t->files) {
		spin_lock(&t->files->lock);
		pt->fd_size = t->files->capacity;
		spin_unlock(&t->files->lock);
	}
}

/* Copy pid's task into *pt (its mm referenced). 0 or -ESRCH. Takes task_lock. */
static int procfs_task_get(int pid, struct procfs_task *pt)
{
	*pt = (struct procfs_task){ 0 };
	spin_lock(&task_lock);
	struct task *t = task_find(pid);
	if (!t) {
		spin_unlock(&task_lock);
		return -ESRCH;
	}
	procfs_task_ids(t, pt);
	procfs_task_acct(t, pt);
	procfs_task_signals(t, pt);
	procfs_task_files(t, pt);
	if (t->mm && !t->is_zombie) {
		mm_get(t->mm);
		pt->mm = t->mm;
	}
	spin_unlock(&task_lock);
	return 0;
}

static void procfs_task_put(struct procfs_task *pt)
{
	if (pt->mm)
		mm_put(pt->mm);
	pt->mm = NULL;
}

struct mm *procfs_task_mm(int pid)
{
	struct mm *mm = NULL;
	spin_lock(&task_lock);
	struct task *t = task_find(pid);
	if (t && t->mm && !t->is_zombie) {
		mm = t->mm;
		mm_get(mm);
	}
	spin_unlock(&task_lock);
	return t ? mm : ERR_PTR(-ESRCH);
}

/* Add v to the Linux-style per-kind sizes (stack, exec, data). Caller holds mm->lock. */
static void procfs_mm_count_vma(struct procfs_mm_stats *s, const struct vma *v)
{
	u64 n = vma_npages(v);
	bool is_stack = v->flags & (VM_STACK | VM_GROWSDOWN);
	if (is_stack)
		s->stack_vm += n;
	else if ((v->flags & VM_WRITE) && !(v->flags & VM_SHARED))
		s->data_vm += n;
	else if ((v->flags & VM_EXEC) && !(v->flags & VM_WRITE))
		s->exec_vm += n;
	if ((v->flags & VM_EXEC) && !s->end_code) {
		s->start_code = v->start; /* no ELF bounds are kept: the first code mapping */
		s->end_code = v->end;
	}
}

/* Fill *s from mm. Takes mm->lock. */
static void procfs_mm_stats(struct mm *mm, struct procfs_mm_stats *s)
{
	struct list_head *pos;
	*s = (struct procfs_mm_stats){ 0 };
	spin_lock(&mm->lock);
	list_for_each(pos, &mm->vmas)
	{
		procfs_mm_count_vma(s, list_entry(pos, struct vma, node));
	}
	s->total_vm = mm->total_vm_pages;
	s->rss = mm->rss_pages;
	s->start_brk = mm->brk_start;
	s->brk = mm->brk;
	s->stack_top = mm->stack_top;
	s->arg_start = mm->arg_start;
	s->arg_end = mm->arg_end;
	s->env_start = mm->env_start;
	s->env_end = mm->env_end;
	s->cow_faults = mm->cow_faults;
	s->cow_copies = mm->cow_copies;
	s->cow_reuses = mm->cow_reuses;
	spin_unlock(&mm->lock);
}

/* "VmRSS:\t    1234 kB" */
static void procfs_status_kb(struct procfs_buf *b, const char *label, u64 pages)
{
	procfs_printf(b, "%s\t%8lu kB\n", label, pages * (PAGE_SIZE / 1024));
}

/*
 * The memory part of status; absent for kernel threads and zombies, as on
 * Linux. The Rss split comes from a walk of the page tables, like smaps.
 */
static void procfs_status_mm(struct procfs_buf *b, struct mm *mm, const struct procfs_mm_stats *s,
			     u64 hwm_kib)
{
	u64 anon, file, shmem;
	procfs_mm_rss(mm, &anon, &file, &shmem);
	procfs_status_kb(b, "VmSize:", s->total_vm);
	procfs_status_kb(b, "VmLck:", 0);
	procfs_status_kb(b, "VmPin:", 0);
	procfs_printf(b, "VmHWM:\t%8lu kB\n", MAX(hwm_kib, s->rss * (PAGE_SIZE / 1024)));
	procfs_status_kb(b, "VmRSS:", s->rss);
	procfs_status_kb(b, "RssAnon:", anon);
	procfs_status_kb(b, "RssFile:", file);
	procfs_status_kb(b, "RssShmem:", shmem);
	procfs_status_kb(b, "VmData:", s->data_vm);
	procfs_status_kb(b, "VmStk:", s->stack_vm);
	procfs_status_kb(b, "VmExe:", s->exec_vm);
	procfs_status_kb(b, "VmLib:", 0);
	procfs_status_kb(b, "VmSwap:", 0);
}

/* Name through Groups; Umask and FDSize only while the process has them. */
static void procfs_status_ids(struct procfs_buf *b, const struct procfs_task *pt)
{
	procfs_printf(b, "Name:\t%s\n", pt->comm);
	if (pt->umask >= 0)
		procfs_printf(b, "Umask:\t%04o\n", pt->umask);
	procfs_printf(b, "State:\t%c (%s)\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\n", pt->state,
		      procfs_state_name(pt->state), pt->tgid, pt->pid, pt->ppid);
	procfs_printf(b, "TracerPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n");
	if (pt->fd_size >= 0)
		procfs_printf(b, "FDSize:\t%d\n", pt->fd_size);
	procfs_printf(b, "Groups:\t\n");
}

/* Threads and the signal masks. */
static void procfs_status_signals(struct procfs_buf *b, const struct procfs_task *pt)
{
	procfs_printf(b, "Threads:\t%d\n", pt->nr_threads);
	procfs_printf(b, "SigPnd:\t%016lx\nShdPnd:\t%016lx\nSigBlk:\t%016lx\n", pt->sigpnd,
		      pt->shdpnd, pt->sigblk);
	procfs_printf(b, "SigIgn:\t%016lx\nSigCgt:\t%016lx\n", pt->sigign, pt->sigcgt);
}

/* Linux's fields, then cowix's own: the address space's copy-on-write faults and outcomes. */
int procfs_show_pid_status(struct procfs_buf *b, int pid)
{
	struct procfs_task pt;
	struct procfs_mm_stats s;
	int r = procfs_task_get(pid, &pt);
	if (r)
		return r;
	if (pt.mm)
		procfs_mm_stats(pt.mm, &s);
	procfs_status_ids(b, &pt);
	if (pt.mm)
		procfs_status_mm(b, pt.mm, &s, pt.self.maxrss_kib);
	procfs_status_signals(b, &pt);
	if (pt.mm)
		procfs_printf(b, "cow_faults:\t%lu\ncow_copies:\t%lu\ncow_reuses:\t%lu\n",
			      s.cow_faults, s.cow_copies, s.cow_reuses);
	procfs_task_put(&pt);
	return 0;
}

/* Fields 1-22 of stat: identity, state, faults and times. */
static void procfs_stat_head(struct procfs_buf *b, const struct procfs_task *pt)
{
	procfs_printf(b, "%d (%s) %c %d %d %d 0 -1 %u ", pt->pid, pt->comm, pt->state, pt->ppid,
		      pt->pgid, pt->sid, pt->is_kthread ? PF_KTHREAD : 0);
	procfs_printf(b, "%lu %lu 0 0 %lu %lu %lu %lu 20 0 %d 0 %lu ", pt->self.minflt,
		      pt->children.minflt, pt->self.utime_ns / NS_PER_TICK,
		      pt->self.stime_ns / NS_PER_TICK, pt->children.utime_ns / NS_PER_TICK,
		      pt->children.stime_ns / NS_PER_TICK, pt->nr_threads,
		      pt->start_ns / NS_PER_TICK);
}

/* Fields 23-52 of stat: memory, signals, scheduling and the mm's layout. */
static void procfs_stat_tail(struct procfs_buf *b, const struct procfs_task *pt,
			     const struct procfs_mm_stats *s)
{
	procfs_printf(b, "%lu %lu %lu %lu %lu %lu 0 0 ", s->total_vm * PAGE_SIZE, s->rss,
		      pt->rsslim, s->start_code, s->end_code, s->stack_top);
	procfs_printf(b, "%lu %lu %lu %lu 0 0 0 %d 0 0 0 0 0 0 ", pt->sigpnd | pt->shdpnd,
		      pt->sigblk, pt->sigign, pt->sigcgt, pt->exit_signal);
	procfs_printf(b, "0 0 %lu %lu %lu %lu %lu %d\n", s->start_brk, s->arg_start, s->arg_end,
		      s->env_start, s->env_end, pt->exit_status);
}

int procfs_show_pid_stat(struct procfs_buf *b, int pid)
{
	struct procfs_task pt;
	struct procfs_mm_stats s = { 0 };
	int r = procfs_task_get(pid, &pt);
	if (r)
		return r;
	if (pt.mm)
		procfs_mm_stats(pt.mm, &s);
	procfs_stat_head(b, &pt);
	procfs_stat_tail(b, &pt, &s);
	procfs_task_put(&pt);
	return 0;
}

/* size resident shared text lib data dt, in pages. */
int procfs_show_pid_statm(struct procfs_buf *b, int pid)
{
	struct procfs_task pt;
	struct procfs_mm_stats s = { 0 };
	int r = procfs_task_get(pid, &pt);
	if (r)
		return r;
	u64 anon = 0, file = 0, shmem = 0;
	if (pt.mm) {
		procfs_mm_stats(pt.mm, &s);
		procfs_mm_rss(pt.mm, &anon, &file, &shmem);
	}
	procfs_printf(b, "%lu %lu %lu %lu 0 %lu 0\n", s.total_vm, s.rss, file + shmem, s.exec_vm,
		      s.data_vm + s.stack_vm);
	procfs_task_put(&pt);
	return 0;
}

int procfs_show_pid_comm(struct procfs_buf *b, int pid)
{
	struct procfs_task pt;
	int r = procfs_task_get(pid, &pt);
	if (r)
		return r;
	procfs_printf(b, "%s\n", pt.comm);
	procfs_task_put(&pt);
	return 0;
}

/*
 * Copy [start, end) of mm's user memory into b through the direct map,
 * stopping at the first page with no frame (Linux would fault it in; exec
 * wrote these pages, so they are there unless the process unmapped them).
 * Another process's memory: never through a user pointer. Takes mm->lock.
 */
static void procfs_copy_user_range(struct procfs_buf *b, struct mm *mm, u64 start, u64 end)
{
	end = MIN(end, start + ARGS_MAX_LEN);
	spin_lock(&mm->lock);
	for (u64 va = start; va < end && va < USER_TOP && !b->err;) {
		pte_t e = mm_lookup_pte(mm, va);
		if (!mm_pte_has_frame(e))
			break;
		size_t off = va & (PAGE_SIZE - 1), n = MIN(end - va, PAGE_SIZE - off);
		procfs_write(b, (const char *)phys_to_virt(pte_phys(e)) + off, n);
		va += n;
	}
	spin_unlock(&mm->lock);
}

/* cmdline (is_env false) or environ: the strings exec placed, NUL-separated. */
static int procfs_show_args(struct procfs_buf *b, int pid, bool is_env)
{
	struct procfs_task pt;
	int r = procfs_task_get(pid, &pt);
	if (r || !pt.mm)
		return r; /* a kernel thread or a zombie: empty */
	spin_lock(&pt.mm->lock);
	u64 start = is_env ? pt.mm->env_start : pt.mm->arg_start;
	u64 end = is_env ? pt.mm->env_end : pt.mm->arg_end;
	spin_unlock(&pt.mm->lock);
	if (start < end)
		procfs_copy_user_range(b, pt.mm, start, end);
	procfs_task_put(&pt);
	return 0;
}

int procfs_show_pid_cmdline(struct procfs_buf *b, int pid)
{
	return procfs_show_args(b, pid, false);
}

int procfs_show_pid_environ(struct procfs_buf *b, int pid)
{
	return procfs_show_args(b, pid, true);
}
