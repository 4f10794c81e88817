/*
 * Time: the TSC (calibrated against the PIT at boot) is the monotonic clock;
 * the local APIC timer gives HZ periodic ticks on each CPU.
 */
#pragma once
#include <types.h>

#define HZ 100

void timer_init(void);         /* calibrate, start this CPU's tick */
u64 clock_ns(void);            /* nanoseconds since boot, monotonic */
extern u64 tsc_hz;             /* TSC ticks per second */
void apic_eoi(void);           /* acknowledge the current interrupt at the local APIC */
/* Route legacy ISA irq (0-15) to vector on the boot CPU through the IOAPIC. */
void ioapic_route(int irq, int vector);
