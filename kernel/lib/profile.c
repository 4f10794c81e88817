/*
 * The sampling profiler behind profile=N and /proc/profile; the model,
 * the format and the locking rules are in include/lib/profile.h.
 *
 * The sampling clock is arch's (timer_nmi_start: a periodic NMI on every
 * CPU); profile_nmi, called from the NMI path, is the only code that runs
 * per sample. It may interrupt anything, the entry code and every lock
 * holder included, so it takes no lock, allocates nothing and touches no
 * per-CPU data: one relaxed atomic add into a preallocated array.
 */
#include <arch/timer.h>
#include <hooks.h>
#include <lib/cmdline.h>
#include <lib/printk.h>
#include <lib/profile.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <mm/layout.h>
#include <uapi/errno.h>

#define PROFILE_ARG_MAX 32 /* longest profile= value we look at */

static struct profile_buf profile_main; /* set once by profile_init, before is_on */
static bool profile_is_on; /* set (release) after profile_main; cleared only if no NMI starts */

/* --- the bucket arithmetic ------------------------------------------------- */

u32 profile_bucket(const struct profile_buf *p, u64 pc)
{
	u64 i = (pc - p->text_start) >> p->shift; /* below the start wraps to huge */
	return i < p->nbuckets ? (u32)i : p->nbuckets - 1;
}

void profile_buf_hit(struct profile_buf *p, u64 pc)
{
	__atomic_fetch_add(&p->hits[profile_bucket(p, pc)], 1, __ATOMIC_RELAXED);
}

/* Word w of the image: the step, then the buckets. Caller checks w <= nbuckets. */
static u32 profile_image_word(const struct profile_buf *p, u64 w)
{
	if (w == 0)
		return (u32)(1ull << p->shift);
	return __atomic_load_n(&p->hits[w - 1], __ATOMIC_RELAXED);
}

/* Copy nw live counters from src to dst (any alignment): the bulk of a read. */
static void profile_copy_words(u8 *dst, const u32 *src, size_t nw)
{
	for (size_t i = 0; i < nw; i++) {
		u32 v = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
		__builtin_memcpy(dst + i * sizeof(u32), &v, sizeof(u32));
	}
}

/*
 * Bytes [off, off + len) of the image: whole counters in bulk, the step
 * word and any partial word byte by byte.
 */
size_t profile_buf_read(const struct profile_buf *p, void *buf, size_t len, u64 off)
{
	u64 size = ((u64)p->nbuckets + 1) * sizeof(u32);
	size_t done = 0;
	if (off >= size)
		return 0;
	len = MIN((u64)len, size - off);
	while (done < len) {
		u64 at = off + done, w = at / sizeof(u32);
		size_t skip = at % sizeof(u32), nw = (len - done) / sizeof(u32);
		if (w > 0 && skip == 0 && nw > 0) {
			profile_copy_words((u8 *)buf + done, &p->hits[w - 1], nw);
			done += nw * sizeof(u32);
			continue;
		}
		u32 word = profile_image_word(p, w);
		size_t n = MIN(sizeof(u32) - skip, len - done);
		memcpy((u8 *)buf + done, (const u8 *)&word + skip, n);
		done += n;
	}
	return done;
}

void profile_buf_reset(struct profile_buf *p)
{
	for (u32 i = 0; i < p->nbuckets; i++)
		__atomic_store_n(&p->hits[i], 0, __ATOMIC_RELAXED);
}

/* --- profile= ------------------------------------------------------------------ */

/* Is val Linux's name for another kind of profiling, alone or followed by ",N"? */
static bool profile_is_other_kind(const char *val)
{
	static const char *const kinds[] = { "schedule", "sleep", "kvm" };
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		size_t n = strlen(kinds[i]);
		if (!strncmp(val, kinds[i], n) && (val[n] == 0 || val[n] == ','))
			return true;
	}
	return false;
}

int profile_parse(const char *val, unsigned *shift)
{
	u64 n = ~0ull; /* kept on -ERANGE: a huge N is clamped like any other */
	if (profile_is_other_kind(val))
		return -EOPNOTSUPP;
	if (cmdline_parse_u64(val, &n) == -EINVAL)
		return -EINVAL;
	*shift = n > PROFILE_SHIFT_MAX ? PROFILE_SHIFT_MAX : (unsigned)n; /* -ERANGE: clamped too */
	return 0;
}

/* The shift profile= asks for: 0 and *shift set, or an error already reported. */
static int profile_read_cmdline(unsigned *shift)
{
	char val[PROFILE_ARG_MAX];
	int r = cmdline_get("profile", val, sizeof(val));
	if (r == -ENOENT)
		return r;
	if (r >= 0)
		r = profile_parse(val, shift);
	if (r == -EOPNOTSUPP)
		printk("profile: only CPU profiling (profile=N) is supported; profiling off\n");
	else if (r < 0)
		printk("profile: bad value in profile=%s; profiling off\n",
		       r == -ERANGE ? "..." : val);
	return r;
}

/* Make profile_main's buckets for 2^shift-byte steps over the kernel text: 0 or -errno. */
static int profile_alloc(unsigned shift)
{
	u64 text = (u64)_text_end - (u64)_text_start;
	u64 nbuckets = text >> shift;
	if (!nbuckets) {
		printk("profile: shift %u leaves no bucket in %lu bytes of text; profiling off\n",
		       shift, text);
		return -EINVAL;
	}
	u32 *hits = kzalloc(nbuckets * sizeof(u32));
	if (!hits) {
		printk("profile: no memory for %lu buckets; profiling off\n", nbuckets);
		return -ENOMEM;
	}
	profile_main = (struct profile_buf){ (u64)_text_start, shift, (u32)nbuckets, hits };
	return 0;
}

void profile_init(void)
{
	unsigned shift;
	if (profile_read_cmdline(&shift) < 0 || profile_alloc(shift) < 0)
		return;
	/* On before the first NMI: every NMI from here on is a sample. */
	__atomic_store_n(&profile_is_on, true, __ATOMIC_RELEASE);
	u32 hz = timer_nmi_start(PROFILE_HZ);
	if (!hz) {
		__atomic_store_n(&profile_is_on, false, __ATOMIC_RELEASE);
		printk("profile: no NMI source for sampling; profiling off\n");
		return; /* the buckets stay allocated: an NMI may still be reading the pointer */
	}
	printk("profile: kernel profiling enabled (shift: %u), %u buckets, %u samples/s per CPU\n",
	       shift, profile_main.nbuckets, hz);
}

/* --- the running profiler ------------------------------------------------------- */

bool profile_is_enabled(void)
{
	return __atomic_load_n(&profile_is_on, __ATOMIC_ACQUIRE);
}

u64 profile_image_bytes(void)
{
	return profile_is_enabled() ? ((u64)profile_main.nbuckets + 1) * sizeof(u32) : 0;
}

size_t profile_image_read(void *buf, size_t len, u64 off)
{
	return profile_is_enabled() ? profile_buf_read(&profile_main, buf, len, off) : 0;
}

void profile_reset(void)
{
	if (profile_is_enabled())
		profile_buf_reset(&profile_main);
}

/* In NMI context, on any CPU, anywhere: see the top of this file. */
bool profile_nmi(const struct trap_frame *tf)
{
	if (!profile_is_enabled())
		return false;
	if (!trap_from_user(tf))
		profile_buf_hit(&profile_main, tf->rip);
	return true;
}
