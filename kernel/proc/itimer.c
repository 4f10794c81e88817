/*
 * Timers that send signals: alarm and setitimer (ITIMER_REAL, VIRTUAL,
 * PROF) and POSIX timers (timer_create with SIGEV_SIGNAL, SIGEV_NONE or
 * SIGEV_THREAD_ID). They belong to a process (its leader's sig.itimers),
 * are not inherited by fork, and die with the process; exec keeps the
 * itimers and deletes the POSIX timers.
 *
 * Wall-clock timers (ITIMER_REAL, POSIX) sit on armed_timers with a
 * deadline on the clock_ns() clock; every timer tick fires the expired
 * ones, so they run late by up to one tick (10 ms). The CPU-time itimers
 * count down by the ticks charged to the process's threads.
 *
 * Locking: task_lock guards everything here, armed_timers included; the
 * tick takes it from interrupt context (spinlocks keep interrupts off, so
 * a CPU holding it is never interrupted by its own tick).
 */
#include <arch/timer.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <proc/itimer.h>
#include <proc/signal.h>
#include <proc/task.h>
#include <uapi/errno.h>

static LIST_HEAD(armed_timers); /* [task_lock] struct ktimer.node */

/* The process's timer block, allocated on first use; NULL on OOM. Caller holds task_lock. */
struct itimers *itimers_get_locked(struct task *leader)
{
	if (!leader->sig.itimers) {
		leader->sig.itimers = kzalloc(sizeof(struct itimers));
		if (leader->sig.itimers) {
			list_init(&leader->sig.itimers->real.node);
			leader->sig.itimers->real.id = -1;
			leader->sig.itimers->real.leader = leader;
		}
	}
	return leader->sig.itimers;
}

void ktimer_disarm_locked(struct ktimer *k)
{
	if (k->expires_ns)
		list_del(&k->node);
	k->expires_ns = 0;
}

void ktimer_arm_locked(struct ktimer *k, u64 expires_ns, u64 interval_ns)
{
	ktimer_disarm_locked(k);
	k->interval_ns = interval_ns;
	if (!expires_ns)
		return;
	k->expires_ns = expires_ns;
	list_add_tail(&k->node, &armed_timers);
}

u64 ktimer_remaining_locked(const struct ktimer *k)
{
	if (!k->expires_ns)
		return 0;
	u64 now = clock_ns();
	return k->expires_ns > now ? k->expires_ns - now : 1; /* armed: never report 0 */
}

/* Send k's signal, or count an overrun if its last one is still queued. */
static void ktimer_signal_locked(struct ktimer *k)
{
	struct task *target = k->leader;
	bool is_thread = k->notify == SIGEV_THREAD_ID;
	if (k->notify == SIGEV_NONE)
		return;
	if (is_thread) {
		target = task_find(k->tid);
		if (!target || target->tgid != k->leader->tgid)
			return;
	}
	if (k->id >= 0) {
		struct siginfo *queued = signal_timer_queued_locked(target, is_thread, &k->info);
		if (queued) {
			queued->timer.overrun++;
			k->overrun = queued->timer.overrun;
			return;
		}
		k->overrun = 0;
	}
	signal_send_info_locked(target, &k->info, is_thread);
}

/* k expired at now: signal, then re-arm a periodic timer past now. */
static void ktimer_fire_locked(struct ktimer *k, u64 now)
{
	u64 missed = 0;
	ktimer_signal_locked(k);
	if (!k->interval_ns) {
		ktimer_disarm_locked(k);
		return;
	}
	k->expires_ns += k->interval_ns;
	if (k->expires_ns <= now) {
		missed = (now - k->expires_ns) / k->interval_ns + 1;
		k->expires_ns += missed * k->interval_ns;
	}
	(void)missed; /* expirations inside one tick collapse into one signal */
}

/* Count one CPU tick down on a VIRTUAL or PROF itimer; signal when it runs out. */
static void itimer_cpu_count_locked(struct task *leader, struct cpu_itimer *c, int sig, u64 tick_ns)
{
	if (!c->value_ns)
		return;
	if (c->value_ns > tick_ns) {
		c->value_ns -= tick_ns;
		return;
	}
	c->value_ns = c->interval_ns;
	struct siginfo info = { .si_signo = sig, .si_code = SI_KERNEL };
	signal_send_info_locked(leader, &info, false);
}

void itimer_tick(struct trap_frame *tf, u64 tick_ns)
{
	struct task *t = current;
	bool is_user_task = !t->is_kthread && t->mm;
	if (list_empty(&armed_timers) && !(is_user_task && READ_ONCE(t->group_leader->sig.itimers)))
		return; /* unlocked peek: at worst a timer fires one tick later */
	spin_lock(&task_lock);
	u64 now = clock_ns();
	struct list_head *pos, *tmp;
	list_for_each_safe(pos, tmp, &armed_timers)
	{
		struct ktimer *k = list_entry(pos, struct ktimer, node);
		if (k->expires_ns <= now)
			ktimer_fire_locked(k, now);
	}
	struct itimers *it = is_user_task ? t->group_leader->sig.itimers : NULL;
	if (it && !t->group_leader->is_group_exiting) {
		if (trap_from_user(tf))
			itimer_cpu_count_locked(t->group_leader, &it->virt, SIGVTALRM, tick_ns);
		itimer_cpu_count_locked(t->group_leader, &it->prof, SIGPROF, tick_ns);
	}
	spin_unlock(&task_lock);
}

/* Delete POSIX timer slot i of it. Caller holds task_lock. */
void posix_timer_free_locked(struct itimers *it, int i)
{
	struct ktimer *k = it->posix[i];
	if (!k)
		return;
	ktimer_disarm_locked(k);
	it->posix[i] = NULL;
	kfree(k);
}

void itimer_exec_locked(struct task *leader)
{
	struct itimers *it = leader->sig.itimers;
	for (int i = 0; it && i < POSIX_TIMERS_MAX; i++)
		posix_timer_free_locked(it, i);
}

void itimer_exit_locked(struct task *leader)
{
	struct itimers *it = leader->sig.itimers;
	if (!it)
		return;
	itimer_exec_locked(leader);
	ktimer_disarm_locked(&it->real);
	leader->sig.itimers = NULL;
	kfree(it);
}
