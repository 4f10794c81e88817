/* panic(): say why, show where, and stop the machine with a failure status. */
#include <arch/cpu.h>
#include <arch/percpu.h>
#include <arch/power.h>
#include <arch/traps.h>
#include <lib/printk.h>

void panic(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	irq_disable();
	struct cpu *c = this_cpu();
	bool nested = c->in_panic;
	c->in_panic = true;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printk("\nKERNEL PANIC on cpu %d: %s\n", c->id, buf);
	if (!nested)
		backtrace_print((u64)__builtin_frame_address(0));
	machine_panic_exit();
}
