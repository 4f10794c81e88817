/*
 * Process groups and sessions (credentials(7), setpgid(2), setsid(2)).
 *
 * A process's group and session ids live in its leader's task_signal
 * (pgid, sid), guarded by task_lock. There are no group objects: a group
 * is the set of processes carrying its id, found by walking the task list,
 * which is short on this kernel. A fork inherits both ids (signal_fork).
 *
 * Also here: whom a kill-like call reaches (a process, a group, everyone,
 * one thread); posting to each is signal_send_info_locked's job.
 */
#include <proc/signal.h>
#include <proc/task.h>
#include <uapi/errno.h>

/* The live process (leader) with this pid, or NULL. Caller holds task_lock. */
static struct task *pgrp_find_process_locked(int pid)
{
	struct task *t = task_find(pid);
	if (!t || t->is_kthread || t->group_leader->nr_live_threads == 0)
		return NULL;
	return t->group_leader;
}

/* Does any process (zombies too, as their ids stay in use) belong to group pgid? */
static bool pgrp_exists_locked(int pgid, int sid)
{
	for (struct task *p = task_next_locked(NULL); p; p = task_next_locked(p))
		if (p->group_leader == p && !p->is_kthread && p->sig.pgid == pgid &&
		    (sid < 0 || p->sig.sid == sid))
			return true;
	return false;
}

bool pgrp_is_orphaned_locked(int pgid)
{
	for (struct task *p = task_next_locked(NULL); p; p = task_next_locked(p)) {
		if (p->group_leader != p || p->is_kthread || p->sig.pgid != pgid ||
		    p->nr_live_threads == 0)
			continue;
		struct task *parent = p->parent ? p->parent->group_leader : NULL;
		if (parent && parent->tgid != 1 && parent->sig.pgid != pgid &&
		    parent->sig.sid == p->sig.sid)
			return false;
	}
	return true;
}

int pgrp_setpgid(int pid, int pgid)
{
	struct task *self = current->group_leader;
	int r = 0;
	if (pgid < 0)
		return -EINVAL;
	spin_lock(&task_lock);
	struct task *p = pid ? pgrp_find_process_locked(pid) : self;
	pid = p ? p->tgid : pid;
	pgid = pgid ? pgid : pid;
	if (!p || (p != self && (!p->parent || p->parent->group_leader != self)))
		r = -ESRCH; /* only the caller or its own children */
	else if (p != self && p->sig.sid != self->sig.sid)
		r = -EPERM;
	else if (p != self && p->sig.did_exec)
		r = -EACCES;
	else if (p->sig.sid == p->tgid)
		r = -EPERM; /* a session leader stays in its group */
	else if (pgid != pid && !pgrp_exists_locked(pgid, self->sig.sid))
		r = -EPERM;
	else
		p->sig.pgid = pgid;
	spin_unlock(&task_lock);
	return r;
}

/* getpgid (want_sid false) or getsid of process pid (0: the caller). */
int pgrp_get_id(int pid, bool want_sid)
{
	spin_lock(&task_lock);
	struct task *p = pid ? task_find(pid) : current;
	int r = -ESRCH;
	if (p && !p->is_kthread)
		r = want_sid ? p->group_leader->sig.sid : p->group_leader->sig.pgid;
	spin_unlock(&task_lock);
	return r;
}

int pgrp_setsid(void)
{
	struct task *self = current->group_leader;
	int r;
	spin_lock(&task_lock);
	if (pgrp_exists_locked(self->tgid, -1)) {
		r = -EPERM; /* already a group leader, or its pid names someone's group */
	} else {
		self->sig.pgid = self->sig.sid = self->tgid;
		r = self->tgid;
	}
	spin_unlock(&task_lock);
	return r;
}

/* ---- addressing signals ------------------------------------------------- */

/* Post info to the process with pid (any thread id of it); -ESRCH if none. Caller holds task_lock.
 */
static int signal_kill_pid_locked(int pid, const struct siginfo *info)
{
	struct task *t = task_find(pid);
	if (!t || t->is_kthread)
		return -ESRCH;
	if (!info->si_signo)
		return 0;
	int r = signal_send_info_locked(t, info, false);
	return r == -ESRCH ? 0 : r; /* a zombie still exists for kill() */
}

int signal_send_pgrp_info_locked(int pgid, const struct siginfo *info)
{
	int r = -ESRCH;
	for (struct task *p = task_next_locked(NULL); p; p = task_next_locked(p)) {
		if (p->group_leader != p || p->is_kthread || p->sig.pgid != pgid)
			continue;
		if (p->nr_live_threads == 0 && r == -ESRCH)
			r = 0;
		if (p->nr_live_threads == 0)
			continue;
		int e = info->si_signo ? signal_send_info_locked(p, info, false) : 0;
		if (r != 0)
			r = e == -ESRCH ? 0 : e;
	}
	return r;
}

/* kill(-1): every process but init and the caller. Caller holds task_lock. */
static int signal_kill_all_locked(const struct siginfo *info)
{
	int r = -ESRCH;
	for (struct task *p = task_next_locked(NULL); p; p = task_next_locked(p)) {
		if (p->group_leader != p || p->is_kthread || p->tgid == 1 ||
		    p->tgid == current->tgid || p->nr_live_threads == 0)
			continue;
		if (info->si_signo)
			signal_send_info_locked(p, info, false);
		r = 0;
	}
	return r;
}

int signal_kill(int pid, const struct siginfo *info)
{
	int r;
	spin_lock(&task_lock);
	if (pid > 0)
		r = signal_kill_pid_locked(pid, info);
	else if (pid == 0)
		r = signal_send_pgrp_info_locked(current->group_leader->sig.pgid, info);
	else if (pid == -1)
		r = signal_kill_all_locked(info);
	else
		r = signal_send_pgrp_info_locked(-pid, info);
	spin_unlock(&task_lock);
	return r;
}

int signal_send_pgrp(int pgid, int sig)
{
	struct siginfo info = signal_info_kernel(sig);
	spin_lock(&task_lock);
	int r = signal_send_pgrp_info_locked(pgid, &info);
	spin_unlock(&task_lock);
	return r;
}

int signal_tkill(int tgid, int tid, const struct siginfo *info)
{
	int r = 0;
	spin_lock(&task_lock);
	struct task *t = task_find(tid);
	if (!t || t->is_kthread || (tgid > 0 && t->tgid != tgid) || t->sig.is_exiting)
		r = -ESRCH;
	else if (info->si_signo && signal_send_info_locked(t, info, true) == -EAGAIN)
		r = -EAGAIN;
	spin_unlock(&task_lock);
	return r;
}
