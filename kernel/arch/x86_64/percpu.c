/* Per-CPU areas through GS, and the interrupt-disable nesting that spinlocks use. */
#include <arch/cpu.h>
#include <arch/percpu.h>
#include <lib/printk.h>
#include <lib/string.h>

struct cpu cpus[MAX_CPUS];
int ncpus = 1;

void percpu_init(struct cpu *c, int id)
{
	memset(c, 0, sizeof(*c));
	c->self = c;
	c->id = id;
	wrmsr(MSR_GS_BASE, (u64)c);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
}

void irq_save_push(void)
{
	bool was_enabled = irq_is_enabled();
	irq_disable();
	struct cpu *c = this_cpu();
	if (c->irq_depth++ == 0)
		c->irq_was_enabled = was_enabled;
}

void irq_restore_pop(void)
{
	struct cpu *c = this_cpu();
	if (irq_is_enabled())
		panic("irq_restore_pop with interrupts enabled");
	if (c->irq_depth <= 0)
		panic("irq_restore_pop without push");
	if (--c->irq_depth == 0 && c->irq_was_enabled)
		irq_enable();
}
