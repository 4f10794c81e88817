/* Ranked, interrupt-disabling spinlocks (see include/lib/spinlock.h). */
#include <arch/cpu.h>
#include <arch/percpu.h>
#include <lib/printk.h>
#include <lib/spinlock.h>

void spin_init(struct spinlock *l, const char *name, int rank)
{
	l->locked = 0;
	l->rank = rank;
	l->owner_cpu = -1;
	l->name = name;
}

/* Panic if taking l now would break the rank order. Interrupts are off. */
static void spin_check_rank(const struct spinlock *l, struct cpu *c)
{
	for (int i = 0; i < c->nheld; i++) {
		const struct spinlock *h = c->held[i];
		if (h == l)
			panic("spinlock %s: recursive acquire on cpu %d", l->name, c->id);
		if (l->rank != LOCK_RANK_NONE && h->rank != LOCK_RANK_NONE && h->rank >= l->rank)
			panic("lock order: %s (rank %d) taken while holding %s (rank %d)", l->name,
			      l->rank, h->name, h->rank);
	}
}

static void spin_note_acquired(struct spinlock *l, struct cpu *c)
{
	l->owner_cpu = c->id;
	if (c->nheld < (int)ARRAY_SIZE(c->held))
		c->held[c->nheld++] = l;
}

void spin_lock(struct spinlock *l)
{
	irq_save_push();
	struct cpu *c = this_cpu();
	if (!c->in_panic)
		spin_check_rank(l, c);
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (READ_ONCE(l->locked))
			cpu_relax();
	spin_note_acquired(l, c);
}

bool spin_trylock(struct spinlock *l)
{
	irq_save_push();
	if (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)) {
		irq_restore_pop();
		return false;
	}
	spin_note_acquired(l, this_cpu());
	return true;
}

void spin_unlock(struct spinlock *l)
{
	struct cpu *c = this_cpu();
	if (l->owner_cpu != c->id && !c->in_panic)
		panic("spinlock %s: released by cpu %d, held by %d", l->name, c->id, l->owner_cpu);
	for (int i = c->nheld - 1; i >= 0; i--) {
		if (c->held[i] == l) {
			c->held[i] = c->held[--c->nheld];
			break;
		}
	}
	l->owner_cpu = -1;
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	irq_restore_pop();
}

bool spin_is_held(const struct spinlock *l)
{
	return READ_ONCE(l->locked) && l->owner_cpu == this_cpu()->id;
}
