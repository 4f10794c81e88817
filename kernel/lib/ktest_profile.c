/*
 * Self-tests of the profiler (lib/profile.c): the bucket arithmetic and the
 * /proc/profile image on private buffers, profile= parsing, and, when the
 * kernel was booted with profile=N (tests/scripts/profile.sh does that),
 * that samples land inside code running with interrupts off.
 */
#include <arch/percpu.h>
#include <arch/timer.h>
#include <lib/printk.h>
#include <lib/profile.h>
#include <lib/string.h>
#include <mm/layout.h>
#include <test/ktest.h>
#include <uapi/errno.h>

#define KT_BASE	       0xffffffff80200000ull
#define KT_NBUCKETS    8
#define KT_SPIN_NS     20000000ull /* 20 ms: about 200 samples at PROFILE_HZ */
#define KT_SPIN_SPAN   0x100	   /* bytes of text after kt_profile_spin counted as its own */
#define KT_MIN_SAMPLES 20	   /* a tenth of those: the test is that they arrive at all */

/* A private profile of KT_NBUCKETS buckets of 2^shift bytes at KT_BASE. */
static struct profile_buf kt_buf(u32 *hits, unsigned shift)
{
	memset(hits, 0, KT_NBUCKETS * sizeof(u32));
	return (struct profile_buf){ KT_BASE, shift, KT_NBUCKETS, hits };
}

KTEST(profile_bucket_arithmetic)
{
	u32 hits[KT_NBUCKETS];
	struct profile_buf p = kt_buf(hits, 2);
	KT_EXPECT(profile_bucket(&p, KT_BASE) == 0);
	KT_EXPECT(profile_bucket(&p, KT_BASE + 3) == 0);
	KT_EXPECT(profile_bucket(&p, KT_BASE + 4) == 1);
	KT_EXPECT(profile_bucket(&p, KT_BASE + 4 * KT_NBUCKETS - 1) == KT_NBUCKETS - 1);
	/* Outside the text, above or below: the last bucket, as Linux does. */
	KT_EXPECT(profile_bucket(&p, KT_BASE + 4 * KT_NBUCKETS) == KT_NBUCKETS - 1);
	KT_EXPECT(profile_bucket(&p, KT_BASE - 1) == KT_NBUCKETS - 1);
	KT_EXPECT(profile_bucket(&p, 0) == KT_NBUCKETS - 1);
	KT_EXPECT(profile_bucket(&p, ~0ull) == KT_NBUCKETS - 1);
	p.shift = 0;
	KT_EXPECT(profile_bucket(&p, KT_BASE + 5) == 5);
	p.shift = 63;
	KT_EXPECT(profile_bucket(&p, KT_BASE + (1ull << 62)) == 0);
}

KTEST(profile_hits_and_image)
{
	u32 hits[KT_NBUCKETS], img[KT_NBUCKETS + 1];
	struct profile_buf p = kt_buf(hits, 4);
	profile_buf_hit(&p, KT_BASE + 0x11);
	profile_buf_hit(&p, KT_BASE + 0x1f);
	profile_buf_hit(&p, KT_BASE - 0x1000);
	KT_EXPECT(hits[1] == 2 && hits[KT_NBUCKETS - 1] == 1 && hits[0] == 0);
	KT_EXPECT(profile_buf_read(&p, img, sizeof(img), 0) == sizeof(img));
	KT_EXPECT(img[0] == 16 && img[2] == 2 && img[KT_NBUCKETS] == 1);
	KT_EXPECT(profile_buf_read(&p, img, sizeof(img), sizeof(img)) == 0);
	KT_EXPECT(profile_buf_read(&p, img, 100, sizeof(img) - 2) == 2);
	profile_buf_reset(&p);
	KT_EXPECT(profile_buf_read(&p, img, sizeof(img), 0) == sizeof(img));
	KT_EXPECT(img[0] == 16 && img[2] == 0 && img[KT_NBUCKETS] == 0);
}

/* Reads at any byte offset and length give the same bytes as one whole read. */
KTEST(profile_image_unaligned_reads)
{
	u32 hits[KT_NBUCKETS], whole[KT_NBUCKETS + 1];
	u8 part[sizeof(whole)];
	struct profile_buf p = kt_buf(hits, 3);
	for (int i = 0; i < KT_NBUCKETS; i++)
		hits[i] = 0x01020304u * (i + 1);
	profile_buf_read(&p, whole, sizeof(whole), 0);
	for (size_t off = 0; off < sizeof(whole); off++) {
		for (size_t len = 1; len <= 6; len++) {
			size_t want = MIN(len, sizeof(whole) - off);
			size_t n = profile_buf_read(&p, part, len, off);
			KT_EXPECT(n == want && !memcmp(part, (u8 *)whole + off, n));
		}
	}
}

KTEST(profile_parse_values)
{
	unsigned shift = 99;
	KT_EXPECT(profile_parse("2", &shift) == 0 && shift == 2);
	KT_EXPECT(profile_parse("0", &shift) == 0 && shift == 0);
	KT_EXPECT(profile_parse("0x10", &shift) == 0 && shift == 16);
	KT_EXPECT(profile_parse("64", &shift) == 0 && shift == PROFILE_SHIFT_MAX);
	KT_EXPECT(profile_parse("99999999999999999999999", &shift) == 0 &&
		  shift == PROFILE_SHIFT_MAX);
	KT_EXPECT(profile_parse("schedule,2", &shift) == -EOPNOTSUPP);
	KT_EXPECT(profile_parse("sleep", &shift) == -EOPNOTSUPP);
	KT_EXPECT(profile_parse("kvm,1", &shift) == -EOPNOTSUPP);
	KT_EXPECT(profile_parse("", &shift) == -EINVAL);
	KT_EXPECT(profile_parse("two", &shift) == -EINVAL);
	KT_EXPECT(profile_parse("2,4", &shift) == -EINVAL);
	KT_EXPECT(profile_parse("-1", &shift) == -EINVAL);
	KT_EXPECT(profile_parse("schedules", &shift) == -EINVAL);
}

/* Spin for ns with nothing but a counter; noinline so its text is its own. */
static __attribute__((noinline)) void kt_profile_spin(u64 ns)
{
	u64 end = clock_ns() + ns;
	do {
		for (volatile int i = 0; i < 10000; i++)
			;
	} while (clock_ns() < end);
}

/* The live counts of the buckets covering [from, from + len) of kernel text. */
static u64 kt_profile_count(u64 from, u64 len)
{
	u64 sum = 0, start = (u64)_text_start;
	u32 step, c;
	profile_image_read(&step, sizeof(step), 0);
	for (u64 a = ALIGN_DOWN(from - start, step); a < from + len - start; a += step) {
		profile_image_read(&c, sizeof(c), (1 + a / step) * sizeof(u32));
		sum += c;
	}
	return sum;
}

/*
 * Booted with profile=N: a spin with interrupts off (as under any
 * spinlock) still collects samples, since they come from an NMI. Booted
 * without: /proc/profile's image is empty.
 */
KTEST(profile_samples_with_interrupts_off)
{
	u8 b;
	if (!profile_is_enabled()) {
		KT_EXPECT(profile_image_bytes() == 0 && profile_image_read(&b, 1, 0) == 0);
		return;
	}
	u64 before = kt_profile_count((u64)kt_profile_spin, KT_SPIN_SPAN);
	irq_save_push();
	kt_profile_spin(KT_SPIN_NS);
	irq_restore_pop();
	u64 after = kt_profile_count((u64)kt_profile_spin, KT_SPIN_SPAN);
	printk("# %lu samples in 20 ms of spinning with interrupts off\n", after - before);
	KT_EXPECT(after >= before + KT_MIN_SAMPLES);
}
