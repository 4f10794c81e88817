/*
 * Time: the TSC (calibrated against the PIT at boot) is the monotonic clock;
 * the local APIC timer gives HZ periodic ticks on each CPU.
 */
#pragma once
#include <types.h>

#define HZ 100

/*
 * Start this CPU's periodic tick on VEC_TIMER. The first call (the boot CPU,
 * before any other CPU starts) also masks the 8259 PICs, calibrates the TSC
 * and the LAPIC timer, and sets up the IOAPIC; later calls (application
 * processors) only program their own LAPIC. Interrupts stay as they were.
 */
void timer_init(void);
u64 clock_ns(void);	   /* nanoseconds since boot, monotonic */
extern u64 tsc_hz;	   /* TSC ticks per second */
extern u64 lapic_timer_hz; /* LAPIC timer counts per second, after its divider */
void apic_eoi(void);	   /* acknowledge the current interrupt at the local APIC */
/* Route legacy ISA irq (0-15) to vector on the boot CPU through the IOAPIC. */
void ioapic_route(int irq, int vector);
/* Route ISA irq as an NMI to every CPU that has run timer_init. False without an IOAPIC. */
bool ioapic_route_nmi(int irq);

/*
 * Start a periodic NMI at about hz (1..PIT_HZ / 2) on every CPU that has run
 * timer_init, for the profiler: PIT channel 0 through the IOAPIC. Returns
 * the rate it got, 0 if it cannot (no IOAPIC, hz out of range). Boot CPU,
 * once; it never stops, and the NMIs go to whoever handles vector 2.
 */
u32 timer_nmi_start(u32 hz);

/*
 * Run PIT channel 2 for pit_ticks (1..65535) of its 1.193182 MHz clock and
 * return the TSC cycles that took (0 if there is no PIT). Retries intervals
 * disturbed by host stalls. Polls with interrupts as they are; the caller
 * makes sure no other CPU uses the PIT at the same time.
 */
u64 pit_measure_tsc(u32 pit_ticks);
#define PIT_HZ 1193182u

/* Internal to arch/x86_64: the TSC half of timer_init(), and the LAPIC/IOAPIC half. */
void tsc_calibrate(void);
void apic_init_cpu(bool boot_cpu);
