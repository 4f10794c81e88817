/*
 * Self-tests of the frame allocator on the real frame map. Each test leaves
 * the allocator exactly as it found it, which is itself checked: the free
 * count, and after a full exhaust-and-free cycle the free block count of
 * every order (coalescing must rebuild the same maximal blocks).
 */
#include <arch/cpu.h>
#include <arch/timer.h>
#include <lib/printk.h>
#include <lib/string.h>
#include <mm/page.h>
#include <test/ktest.h>

#define STRESS_SLOTS  512
#define STRESS_ROUNDS 20000
#define BENCH_ITERS   100000
#define BENCH_BATCH   1000

/* xorshift64: deterministic, good enough to shuffle allocation patterns. */
static u64 kt_rand(u64 *state)
{
	u64 x = *state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *state = x;
}

/* True if the free block count of every order matches snap[]. */
static bool buddy_counts_equal(const u64 *snap)
{
	for (unsigned k = 0; k < MAX_ORDER; k++)
		if (frame_free_blocks(k) != snap[k])
			return false;
	return true;
}

static void buddy_counts_snapshot(u64 *snap)
{
	for (unsigned k = 0; k < MAX_ORDER; k++)
		snap[k] = frame_free_blocks(k);
}

KTEST(frame_alloc_free_roundtrip)
{
	u64 base = frame_free_count();
	KT_EXPECT(base > 0 && base <= frame_total_count());
	struct page *p = frame_alloc(0, GFP_KERNEL);
	KT_EXPECT(p != NULL);
	if (!p)
		return;
	KT_EXPECT(frame_free_count() == base - 1);
	KT_EXPECT(page_refcount(p) == 1 && p->flags == 0 && p->order == 0);
	KT_EXPECT(page_to_pfn(p) >= 256 && page_to_pfn(p) < frame_max_pfn);
	memset(page_to_virt(p), 0x5a, PAGE_SIZE);
	frame_free(p, 0);
	KT_EXPECT(frame_free_count() == base);
	KT_EXPECT(page_refcount(p) == 0);
}

KTEST(frame_refcount_get_put)
{
	u64 base = frame_free_count();
	struct page *p = frame_alloc(0, GFP_KERNEL);
	KT_EXPECT(p != NULL);
	if (!p)
		return;
	page_get(p);
	KT_EXPECT(page_refcount(p) == 2);
	page_put(p);
	KT_EXPECT(page_refcount(p) == 1 && frame_free_count() == base - 1);
	page_put(p);
	KT_EXPECT(page_refcount(p) == 0 && frame_free_count() == base);
	/* The last put of a higher-order head frees the whole block. */
	struct page *q = frame_alloc(3, GFP_KERNEL);
	KT_EXPECT(q != NULL && frame_free_count() == base - 8);
	if (q)
		page_put(q);
	KT_EXPECT(frame_free_count() == base);
}

KTEST(frame_orders_aligned)
{
	u64 base = frame_free_count();
	for (unsigned order = 0; order < MAX_ORDER; order++) {
		struct page *p = frame_alloc(order, GFP_KERNEL);
		KT_EXPECT(p != NULL);
		if (!p)
			continue;
		u64 pfn = page_to_pfn(p);
		KT_EXPECT(IS_ALIGNED(pfn, 1ul << order));
		KT_EXPECT(p->order == order && page_refcount(p) == 1);
		KT_EXPECT(frame_free_count() == base - (1ul << order));
		/* Every frame of the block is ours to write. */
		memset(page_to_virt(p), 0xc3, PAGE_SIZE << order);
		frame_free(p, order);
		KT_EXPECT(frame_free_count() == base);
	}
	KT_EXPECT(frame_alloc(MAX_ORDER, GFP_KERNEL) == NULL);
	KT_EXPECT(frame_alloc(~0u, GFP_KERNEL) == NULL);
	KT_EXPECT(frame_free_count() == base);
}

/* True if all len bytes at p are zero. */
static bool kt_all_zero(const void *p, size_t len)
{
	const u64 *w = p;
	for (size_t i = 0; i < len / 8; i++)
		if (w[i])
			return false;
	return true;
}

KTEST(frame_gfp_zero)
{
	for (unsigned order = 0; order <= 4; order += 2) {
		struct page *p = frame_alloc(order, GFP_KERNEL);
		KT_EXPECT(p != NULL);
		if (!p)
			continue;
		memset(page_to_virt(p), 0xa5, PAGE_SIZE << order);
		frame_free(p, order);
		/* The free lists are LIFO, so this very likely reuses the dirty block. */
		struct page *q = frame_alloc(order, GFP_ZERO);
		KT_EXPECT(q != NULL);
		if (!q)
			continue;
		KT_EXPECT(kt_all_zero(page_to_virt(q), PAGE_SIZE << order));
		frame_free(q, order);
	}
}

KTEST(frame_bad_free_refused)
{
	u64 base = frame_free_count();
	struct page *p = frame_alloc(1, GFP_KERNEL);
	KT_EXPECT(p != NULL);
	if (!p)
		return;
	printk("# expect three refused frees:\n");
	frame_free(p + 1, 1); /* misaligned */
	KT_EXPECT(frame_free_count() == base - 2);
	frame_free(p, 1);
	KT_EXPECT(frame_free_count() == base);
	frame_free(p, 1); /* double free */
	KT_EXPECT(frame_free_count() == base);
	page_put(p); /* put of a free frame */
	KT_EXPECT(frame_free_count() == base && page_refcount(p) == 0);
	/* The free lists survived: the block can be had again. */
	struct page *q = frame_alloc(1, GFP_KERNEL);
	KT_EXPECT(q != NULL);
	if (q)
		frame_free(q, 1);
	KT_EXPECT(frame_free_count() == base);
}

KTEST(frame_release_range_skips_non_reserved)
{
	u64 base = frame_free_count(), total = frame_total_count();
	frame_release_range(0, 0x100000);				 /* firmware */
	frame_release_range(virt_to_phys(_kernel_start), PAGE_SIZE * 4); /* kernel image */
	frame_release_range(virt_to_phys(frame_map), PAGE_SIZE);	 /* the frame map */
	frame_release_range(~0ul - PAGE_SIZE, 2 * PAGE_SIZE);		 /* wraps */
	frame_release_range(frame_max_pfn << PAGE_SHIFT, 1ul << 30);	 /* beyond RAM */
	struct page *p = frame_alloc(0, GFP_KERNEL);
	KT_EXPECT(p != NULL);
	if (p) {
		frame_release_range(page_to_phys(p), PAGE_SIZE); /* allocated, not reserved */
		KT_EXPECT(page_refcount(p) == 1 && frame_free_count() == base - 1);
		frame_free(p, 0);
	}
	KT_EXPECT(frame_free_count() == base && frame_total_count() == total);
}

/* Allocate order-order blocks until none is left, chained through their first word. */
static void *kt_exhaust(unsigned order, void *chain, u64 *nframes)
{
	struct page *p;
	while ((p = frame_alloc(order, GFP_KERNEL))) {
		void **v = page_to_virt(p);
		*v = chain;
		chain = v;
		*nframes += 1ul << order;
	}
	return chain;
}

/* Free a chain built by kt_exhaust (blocks of any order; the head page knows). */
static void kt_free_chain(void *chain)
{
	while (chain) {
		void *next = *(void **)chain;
		struct page *p = virt_to_page(chain);
		frame_free(p, p->order);
		chain = next;
	}
}

KTEST(frame_exhaust_order0)
{
	u64 snap[MAX_ORDER], base = frame_free_count(), got = 0;
	buddy_counts_snapshot(snap);
	void *chain = kt_exhaust(0, NULL, &got);
	KT_EXPECT(got == base);
	KT_EXPECT(frame_free_count() == 0);
	KT_EXPECT(frame_alloc(0, GFP_ZERO) == NULL);
	KT_EXPECT(frame_alloc(5, GFP_KERNEL) == NULL);
	kt_free_chain(chain);
	KT_EXPECT(frame_free_count() == base);
	KT_EXPECT(buddy_counts_equal(snap));
}

KTEST(frame_exhaust_mixed_orders)
{
	u64 snap[MAX_ORDER], base = frame_free_count(), got = 0;
	buddy_counts_snapshot(snap);
	void *chain = NULL;
	for (unsigned order = MAX_ORDER; order-- > 0;)
		chain = kt_exhaust(order, chain, &got);
	KT_EXPECT(got == base && frame_free_count() == 0);
	kt_free_chain(chain);
	KT_EXPECT(frame_free_count() == base);
	KT_EXPECT(buddy_counts_equal(snap));
}

static struct page *stress_slot[STRESS_SLOTS];

/* Check and clear slot i: its first word must still carry its own pfn. */
static void stress_release(int i)
{
	struct page *p = stress_slot[i];
	KT_EXPECT(*(u64 *)page_to_virt(p) == page_to_pfn(p));
	frame_free(p, p->order);
	stress_slot[i] = NULL;
}

KTEST(frame_stress_random)
{
	u64 snap[MAX_ORDER], base = frame_free_count(), seed = 0x9e3779b97f4a7c15ul;
	buddy_counts_snapshot(snap);
	for (int round = 0; round < STRESS_ROUNDS; round++) {
		int i = kt_rand(&seed) % STRESS_SLOTS;
		if (stress_slot[i]) {
			stress_release(i);
			continue;
		}
		struct page *p = frame_alloc(kt_rand(&seed) % 6, GFP_KERNEL);
		KT_EXPECT(p != NULL);
		if (!p)
			break;
		*(u64 *)page_to_virt(p) = page_to_pfn(p);
		stress_slot[i] = p;
	}
	for (int i = 0; i < STRESS_SLOTS; i++)
		if (stress_slot[i])
			stress_release(i);
	KT_EXPECT(frame_free_count() == base);
	KT_EXPECT(buddy_counts_equal(snap));
}

static struct page *bench_batch[BENCH_BATCH];

/* Cycles per operation, to one decimal place, as "N.M". */
static void kt_print_rate(const char *what, u64 cycles, u64 n)
{
	u64 tenths = cycles * 10 / n;
	printk("# %s: %lu.%lu cycles", what, tenths / 10, tenths % 10);
	if (tsc_hz)
		printk(" (%lu ns)", cycles * 1000000000ul / tsc_hz / n);
	printk("\n");
}

KTEST(frame_bench_order0)
{
	u64 base = frame_free_count();
	for (int i = 0; i < BENCH_BATCH; i++) /* warm up caches (and an emulator's JIT) */
		page_put(frame_alloc(0, GFP_KERNEL));
	u64 t0 = rdtsc();
	for (int i = 0; i < BENCH_ITERS; i++)
		page_put(frame_alloc(0, GFP_KERNEL));
	u64 t1 = rdtsc();
	kt_print_rate("frame_alloc(0)+page_put pair (hot)", t1 - t0, BENCH_ITERS);
	t0 = rdtsc();
	for (int i = 0; i < BENCH_ITERS; i++)
		page_put(frame_alloc(0, GFP_ZERO));
	kt_print_rate("frame_alloc(0, GFP_ZERO)+page_put pair", rdtsc() - t0, BENCH_ITERS);
	u64 alloc_cycles = 0, put_cycles = 0;
	for (int round = 0; round < BENCH_ITERS / BENCH_BATCH; round++) {
		u64 a = rdtsc();
		for (int i = 0; i < BENCH_BATCH; i++)
			bench_batch[i] = frame_alloc(0, GFP_KERNEL);
		u64 b = rdtsc();
		for (int i = 0; i < BENCH_BATCH; i++)
			page_put(bench_batch[i]);
		put_cycles += rdtsc() - b;
		alloc_cycles += b - a;
	}
	kt_print_rate("frame_alloc(0) in batches of 1000", alloc_cycles, BENCH_ITERS);
	kt_print_rate("page_put (last ref) in batches of 1000", put_cycles, BENCH_ITERS);
	KT_EXPECT(frame_free_count() == base);
}
