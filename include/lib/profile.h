/*
 * The kernel's sampling profiler: Linux's `profile=N` boot option and its
 * /proc/profile (readprofile(8) reads it), so "where does the kernel spend
 * its time" has the answer Linux gives. docs/profiling.md has the how-to.
 *
 * Booted with profile=N, the kernel samples itself PROFILE_HZ times a
 * second on every CPU and counts each sample that interrupted kernel mode
 * in the bucket of its instruction address: bucket i covers the 2^N bytes
 * of kernel text from _text_start + i * 2^N. As on Linux, user-mode
 * samples are not counted, and a kernel address outside the text lands in
 * the last bucket.
 *
 * The samples come from a non-maskable interrupt, not from the timer
 * interrupt as on Linux: cowix's spinlocks turn interrupts off, so a
 * timer sample could never land inside a lock (fork copies page tables
 * under mm->lock) and would all pile up where the lock is released.
 *
 * /proc/profile is an array of u32: entry 0 is the step, 2^N (the bytes
 * per bucket, which Linux calls sample_step), then one count per bucket.
 * Without profile=N it does not exist.
 *
 * Locking: none. Buckets are u32 counters changed only by atomic adds
 * (samples, on any CPU, in NMI context) and atomic stores (reset); a read
 * sees each counter before or after any given sample, and a sample racing
 * with a reset may survive it. The layout (step, bucket count, array) is
 * written once by profile_init before the first sample and never again.
 */
#pragma once
#include <types.h>

#define PROFILE_HZ	  10000 /* samples per second per CPU (Linux: HZ, often 250) */
#define PROFILE_SHIFT_MAX 63	/* profile=N beyond this is clamped, as on Linux */

/* A set of buckets over a range of kernel text. */
struct profile_buf {
	u64 text_start; /* the address bucket 0 starts at */
	unsigned shift; /* each bucket covers 2^shift bytes */
	u32 nbuckets;	/* > 0 */
	u32 *hits;	/* nbuckets counters, changed atomically */
};

/*
 * Boot, once, after kmalloc_init and timer_init, before procfs_init: read
 * profile= from the command line and, if it asks for CPU profiling, make
 * the buckets and start the sampling NMI. Anything it cannot do (a bad
 * value, no memory, no NMI source) is reported and leaves profiling off.
 */
void profile_init(void);
/* Is the profiler on (and /proc/profile there)? Lock-free. */
bool profile_is_enabled(void);
/* The size of /proc/profile in bytes: (1 + buckets) * 4, or 0 when off. */
u64 profile_image_bytes(void);
/*
 * Copy bytes [off, off + len) of /proc/profile into buf (kernel memory);
 * any offset and length, as on Linux. Returns the bytes copied (0 at or
 * past the end, or when off).
 */
size_t profile_image_read(void *buf, size_t len, u64 off);
/* Set every bucket to zero (a write to /proc/profile). */
void profile_reset(void);

/* --- the bucket arithmetic, on any profile_buf (ktests use their own) --- */

/* The bucket pc counts in: past either end of the text, the last one. */
u32 profile_bucket(const struct profile_buf *p, u64 pc);
/* Count one sample at pc. Lock-free, NMI-safe. */
void profile_buf_hit(struct profile_buf *p, u64 pc);
/* profile_image_read of p. */
size_t profile_buf_read(const struct profile_buf *p, void *buf, size_t len, u64 off);
/* Zero every bucket of p. */
void profile_buf_reset(struct profile_buf *p);
/*
 * Parse the value of profile=: "N" asks for CPU profiling with 2^N-byte
 * buckets (*shift = N, clamped to PROFILE_SHIFT_MAX). Returns 0;
 * -EOPNOTSUPP for Linux's other kinds ("schedule", "sleep", "kvm"),
 * -EINVAL for anything else.
 */
int profile_parse(const char *val, unsigned *shift);
