/*
 * Wall-clock time. The CMOS RTC is read once at boot (realtime_init) and
 * the monotonic clock_ns() carries it forward, so realtime never jumps
 * unless someone sets it.
 */
#pragma once
#include <types.h>

/* Read the RTC and fix the boot epoch. Idempotent; call after timer_init(). */
void realtime_init(void);
/* Nanoseconds since 1970-01-01 00:00:00 UTC. */
s64 realtime_ns(void);
/* Set the wall clock to ns since the epoch (clock_settime, settimeofday). */
void realtime_set_ns(s64 ns);
/* Seconds since the epoch of a UTC calendar date (month 1-12, day 1-31). */
s64 realtime_from_civil(int year, int month, int day, int hour, int min, int sec);
