/*
 * Random bytes for AT_RANDOM and getrandom(2). Not a CSPRNG: a splitmix64
 * stream seeded from RDRAND (if present) and the TSC, reseeded with the TSC
 * on every call so two boots or two calls do not repeat. rng_lock guards
 * the state.
 */
#include <arch/cpu.h>
#include <lib/random.h>
#include <lib/spinlock.h>
#include <lib/string.h>

static struct spinlock rng_lock = SPINLOCK_INIT("rng", LOCK_RANK_LOG - 1);
static u64 rng_state;

static bool cpu_has_rdrand(void)
{
	u32 a, b, c, d;
	cpuid(1, 0, &a, &b, &c, &d);
	return c & (1u << 30);
}

static u64 rdrand_or_tsc(void)
{
	u64 v;
	unsigned char ok = 0;
	if (cpu_has_rdrand())
		__asm__ volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok));
	return ok ? v ^ rdtsc() : rdtsc() * 0x9e3779b97f4a7c15ull;
}

static u64 splitmix64_next(void)
{
	u64 z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void random_bytes(void *buf, size_t len_bytes)
{
	u8 *out = buf;
	u64 seed = rdrand_or_tsc();
	spin_lock(&rng_lock);
	rng_state ^= seed;
	for (size_t i = 0; i < len_bytes; i += 8) {
		u64 v = splitmix64_next();
		memcpy(out + i, &v, MIN(8, len_bytes - i));
	}
	spin_unlock(&rng_lock);
}
