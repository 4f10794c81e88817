/*
 * The 8254 PIT: a reference clock to calibrate the TSC, and the profiler's
 * sampling clock. Channel 2's gate is under software control (port 0x61
 * bit 0) and its output can be read back (bit 5), so it can time an
 * interval by polling, with no interrupt. Channel 0 (ISA IRQ 0) is unused
 * unless the profiler makes it a periodic NMI (timer_nmi_start). Under
 * QEMU the PIT follows the virtual clock, which with -icount advances with
 * guest instructions, so calibration stays consistent with the TSC in that
 * mode too, and profiling samples come at a steady rate of guest time.
 */
#include <arch/cpu.h>
#include <arch/io.h>
#include <arch/timer.h>

#define PIT_CH0_DATA	  0x40
#define PIT_CH2_DATA	  0x42
#define PIT_CMD		  0x43
#define PIT_CMD_CH2_MODE0 0xb0 /* channel 2, lobyte/hibyte, mode 0 (count down once), binary */
#define PIT_CMD_CH0_MODE2 0x34 /* channel 0, lobyte/hibyte, mode 2 (rate generator), binary */
#define PIT_IRQ		  0    /* channel 0's ISA IRQ */
#define PORT_B		  0x61
#define PORT_B_GATE2	  (1u << 0) /* channel 2 counts while set */
#define PORT_B_SPKR	  (1u << 1) /* speaker data enable: keep off */
#define PORT_B_OUT2	  (1u << 5) /* channel 2 output: goes high at terminal count */
#define PIT_TRIES	  20
#define PIT_GIVE_UP_TSC	  (1ull << 36) /* tens of seconds at any plausible TSC rate */

/*
 * One timed interval, bracketed by TSC reads. Mode 0 holds OUT2 low from the
 * control word until the count (started by its second byte) reaches zero.
 * The start lies between the TSC reads around that byte; the end between
 * the reads around the last poll that saw OUT2 low and the first that saw
 * it high. *slop gets the width of both brackets: a host that stalls the
 * vCPU at either end widens them. Returns 0 if OUT2 never rises (no PIT).
 */
static u64 pit_interval(u32 pit_ticks, u64 *slop)
{
	u8 b = inb(PORT_B);
	outb(PORT_B, (b & ~PORT_B_SPKR) | PORT_B_GATE2);
	outb(PIT_CMD, PIT_CMD_CH2_MODE0);
	outb(PIT_CH2_DATA, pit_ticks & 0xff);
	u64 start_lo = rdtsc();
	outb(PIT_CH2_DATA, (pit_ticks >> 8) & 0xff);
	u64 start_hi = rdtsc(), end_lo = start_hi, end_hi;
	bool fired;
	for (;;) {
		u64 before = rdtsc();
		fired = inb(PORT_B) & PORT_B_OUT2;
		end_hi = rdtsc();
		if (fired || end_hi - start_lo > PIT_GIVE_UP_TSC)
			break;
		end_lo = before;
	}
	outb(PORT_B, b & ~(PORT_B_SPKR | PORT_B_GATE2));
	*slop = (start_hi - start_lo) + (end_hi - end_lo);
	return fired ? (end_lo + end_hi) / 2 - (start_lo + start_hi) / 2 : 0;
}

/*
 * Retry until an interval's brackets are within 0.1% of its length, so a
 * host stall shows up as a retry rather than as a wrong answer; after
 * PIT_TRIES, settle for the tightest interval seen.
 */
u64 pit_measure_tsc(u32 pit_ticks)
{
	u64 best = 0, best_slop = ~0ull;
	for (int i = 0; i < PIT_TRIES; i++) {
		u64 slop, cycles = pit_interval(pit_ticks, &slop);
		if (!cycles)
			return 0;
		if (slop < best_slop) {
			best = cycles;
			best_slop = slop;
		}
		if (slop * 1000 < cycles)
			break;
	}
	return best;
}

/*
 * Channel 0 as a rate generator: OUT0 pulses once per divisor ticks, one
 * rising edge per period on IRQ 0. Program the rate before unmasking the
 * pin, so the first NMI already comes at the new rate.
 */
u32 timer_nmi_start(u32 hz)
{
	if (hz == 0 || hz > PIT_HZ / 2)
		return 0;
	u32 divisor = MIN(PIT_HZ / hz, 65535u);
	outb(PIT_CMD, PIT_CMD_CH0_MODE2);
	outb(PIT_CH0_DATA, divisor & 0xff);
	outb(PIT_CH0_DATA, (divisor >> 8) & 0xff);
	return ioapic_route_nmi(PIT_IRQ) ? PIT_HZ / divisor : 0;
}
