/*
 * The TSC as the kernel's monotonic clock. Its rate is measured once at boot
 * against the PIT; clock_ns() then scales TSC cycles since boot to
 * nanoseconds with a 64x64->128-bit multiply by a 32.32 fixed-point factor,
 * which cannot overflow and loses about one part in 10^9.
 *
 * All of this state is written once by the boot CPU before interrupts are
 * enabled or other CPUs start, and only read afterwards.
 */
#include <arch/cpu.h>
#include <arch/percpu.h>
#include <arch/timer.h>
#include <lib/printk.h>

#define CAL_PIT_TICKS 11932 /* 10 ms of the PIT's 1.193182 MHz clock */
#define NS_PER_SEC    1000000000ull

u64 tsc_hz;
static u64 tsc_at_boot;	     /* the TSC value clock_ns() calls zero */
static u64 ns_per_cycle_q32; /* nanoseconds per TSC cycle << 32; 0 until calibrated */

u64 clock_ns(void)
{
	u64 cycles = rdtsc() - tsc_at_boot;
	return (u64)(((unsigned __int128)cycles * ns_per_cycle_q32) >> 32);
}

/*
 * Boot CPU only, once: measure tsc_hz and start clock_ns() at zero. One
 * interval is enough: pit_measure_tsc() retries one that a host stall
 * disturbed at either end, and a stall in the middle is harmless because
 * the PIT and the TSC keep the same time through it (both real time under
 * plain TCG; under -icount both count instructions, so neither moves).
 */
void tsc_calibrate(void)
{
	irq_save_push();
	tsc_at_boot = rdtsc();
	u64 cycles = pit_measure_tsc(CAL_PIT_TICKS);
	if (!cycles)
		panic("tsc: the PIT never counted down; cannot calibrate the clock");
	tsc_hz = cycles * PIT_HZ / CAL_PIT_TICKS;
	ns_per_cycle_q32 = (NS_PER_SEC << 32) / tsc_hz;
	irq_restore_pop();
	printk("tsc: %lu.%06lu MHz (%lu cycles in 10 ms of the PIT)\n", tsc_hz / 1000000,
	       tsc_hz % 1000000, cycles);
}
