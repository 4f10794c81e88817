/*
 * Host unit tests of the slab core, under ASan and UBSan: every size class
 * fills a slab with distinct aligned objects, the partial/full/empty lists
 * follow the counts, empty slabs beyond SLAB_KEEP_EMPTY are handed back,
 * bad and double frees are refused, and a randomized run keeps object
 * contents intact.
 */
// HOSTSRC: kernel/mm/slab.c
#include <mm/slab.h>
#include <uapi/errno.h>
#include <stdlib.h>
#include <string.h>
#include "tap.h"

#define POOL_FRAMES 64

/* A pool of page-aligned "frames" with their struct pages, standing in for the frame allocator. */
static u8 *pool_mem;
static struct page pool_pages[POOL_FRAMES];
static bool pool_used[POOL_FRAMES];
static int pool_limit; /* frames pool_get may hand out */

static void pool_init(void)
{
	pool_mem = aligned_alloc(PAGE_SIZE, POOL_FRAMES * PAGE_SIZE);
	memset(pool_pages, 0, sizeof(pool_pages));
	memset(pool_used, 0, sizeof(pool_used));
	pool_limit = POOL_FRAMES;
}

static struct page *pool_get(void)
{
	for (int i = 0; i < pool_limit; i++) {
		if (!pool_used[i]) {
			pool_used[i] = true;
			return &pool_pages[i];
		}
	}
	return NULL;
}

static void pool_put(struct page *pg)
{
	pool_used[pg - pool_pages] = false;
}

static void *pool_mem_of(struct page *pg)
{
	return pool_mem + (pg - pool_pages) * PAGE_SIZE;
}

/* The struct page of the frame holding obj (what virt_to_page does in the kernel). */
static struct page *pool_page_of(void *obj)
{
	return &pool_pages[((u8 *)obj - pool_mem) / PAGE_SIZE];
}

static int pool_in_use(void)
{
	int n = 0;
	for (int i = 0; i < POOL_FRAMES; i++)
		n += pool_used[i];
	return n;
}

static u64 list_len(const struct list_head *h)
{
	u64 n = 0;
	struct list_head *pos;
	list_for_each(pos, h)
	{
		n++;
	}
	return n;
}

/* The cache's lists agree with its counts and each slab's state; NULL or what is wrong. */
static const char *cache_check(const struct slab_cache *c)
{
	u64 np = list_len(&c->partial), nf = list_len(&c->full), ne = list_len(&c->empty);
	if (np + nf + ne != c->nslabs || ne != c->nempty)
		return "slab counts disagree with the lists";
	u64 inuse = 0;
	struct list_head *pos;
	list_for_each(pos, &c->partial)
	{
		struct page *pg = list_entry(pos, struct page, lru);
		if (!pg->slab_inuse || !pg->slab_freelist)
			return "a partial slab is empty or full";
		inuse += pg->slab_inuse;
	}
	list_for_each(pos, &c->full)
	{
		struct page *pg = list_entry(pos, struct page, lru);
		if (pg->slab_inuse != c->objs_per_slab || pg->slab_freelist)
			return "a full slab has free objects";
		inuse += pg->slab_inuse;
	}
	list_for_each(pos, &c->empty)
	{
		struct page *pg = list_entry(pos, struct page, lru);
		if (pg->slab_inuse)
			return "an empty slab has objects in use";
	}
	return inuse == c->inuse_objs ? NULL : "inuse_objs disagrees with the slabs";
}

/* Allocate, growing from the pool when the cache asks for it. */
static void *cache_alloc(struct slab_cache *c)
{
	void *obj = slab_alloc(c);
	if (obj)
		return obj;
	struct page *pg = pool_get();
	if (!pg)
		return NULL;
	slab_grow(c, pg, pool_mem_of(pg));
	return slab_alloc(c);
}

/* Free, returning any released slab to the pool. */
static int cache_free(struct slab_cache *c, void *obj)
{
	struct page *release;
	int err = slab_free(c, pool_page_of(obj), obj, &release);
	if (release)
		pool_put(release);
	return err;
}

static void test_one_class(u32 size)
{
	struct slab_cache c;
	pool_init();
	slab_cache_init(&c, "test", size);
	u32 n = c.objs_per_slab;
	void **objs = calloc(n + 1, sizeof(void *));
	bool ok = true;
	for (u32 i = 0; i < n; i++) {
		objs[i] = cache_alloc(&c);
		ok &= objs[i] && (uintptr_t)objs[i] % size == 0;
		ok &= objs[i] && pool_page_of(objs[i]) == &pool_pages[0];
		if (objs[i])
			memset(objs[i], (int)i, size);
	}
	for (u32 i = 0; i < n && ok; i++)
		for (u32 b = 0; b < size; b++)
			ok &= ((u8 *)objs[i])[b] == (u8)i;
	TAP_OK(ok, "size %u: %u distinct aligned objects fill one slab", size, n);
	TAP_OK(c.nslabs == 1 && list_len(&c.full) == 1 && slab_alloc(&c) == NULL,
	       "size %u: the full slab asks for a new one", size);
	TAP_OK(cache_free(&c, objs[n / 2]) == 0 && list_len(&c.partial) == 1,
	       "size %u: one free makes it partial", size);
	TAP_OK(cache_free(&c, objs[n / 2]) == -EINVAL, "size %u: double free refused", size);
	TAP_OK(cache_alloc(&c) == objs[n / 2], "size %u: the freed object is reused", size);
	for (u32 i = 0; i < n; i++)
		ok &= cache_free(&c, objs[i]) == 0;
	TAP_OK(ok && c.nempty == 1 && c.inuse_objs == 0 && pool_in_use() == 1,
	       "size %u: all freed, the slab is kept empty", size);
	TAP_OK(cache_check(&c) == NULL, "size %u: lists consistent", size);
	struct page *pg = slab_take_empty(&c);
	TAP_OK(pg == &pool_pages[0] && pg->flags == 0 && pg->owner == NULL && c.nslabs == 0,
	       "size %u: take_empty hands the frame back clean", size);
	free(objs);
	free(pool_mem);
}

static void test_keep_one_empty(void)
{
	struct slab_cache c;
	pool_init();
	slab_cache_init(&c, "test", 2048);
	void *a = cache_alloc(&c), *b = cache_alloc(&c), *d = cache_alloc(&c);
	TAP_OK(c.nslabs == 2 && pool_in_use() == 2, "three 2 KiB objects take two slabs");
	cache_free(&c, a);
	cache_free(&c, b);
	TAP_OK(c.nempty == 1 && pool_in_use() == 2, "first slab empty and kept");
	struct page *release;
	int err = slab_free(&c, pool_page_of(d), d, &release);
	TAP_OK(err == 0 && release != NULL && c.nempty == SLAB_KEEP_EMPTY,
	       "second empty slab beyond the keep limit is released");
	if (release)
		pool_put(release);
	TAP_OK(cache_check(&c) == NULL && c.nslabs == 1, "lists consistent");
	free(pool_mem);
}

static void test_bad_frees(void)
{
	struct slab_cache c, other;
	pool_init();
	slab_cache_init(&c, "test", 64);
	slab_cache_init(&other, "other", 64);
	u8 *a = cache_alloc(&c);
	u8 *b = cache_alloc(&c);
	struct page *pg = pool_page_of(a), *release;
	TAP_OK(slab_free(&c, pg, a + 8, &release) == -EINVAL, "pointer inside an object refused");
	TAP_OK(slab_free(&other, pg, a, &release) == -EINVAL, "free to the wrong cache refused");
	TAP_OK(slab_free(&c, pg, a + 128, &release) == -EINVAL, "never-allocated object refused");
	TAP_OK(slab_free(&c, &pool_pages[5], pool_mem + 5 * PAGE_SIZE, &release) == -EINVAL,
	       "a page that is not a slab refused");
	/* An allocated object whose data happens to look free is still freeable. */
	((u64 *)b)[1] = SLAB_FREE_MAGIC;
	TAP_OK(slab_free(&c, pg, b, &release) == 0, "magic in live data does not fool the check");
	TAP_OK(slab_free(&c, pg, b, &release) == -EINVAL, "but a real double free is caught");
	TAP_OK(c.inuse_objs == 1 && cache_check(&c) == NULL, "refusals changed nothing");
	TAP_OK(slab_free(&c, pg, a, &release) == 0 && c.inuse_objs == 0, "the good free works");
	TAP_OK(slab_free(&c, pg, a, &release) == -EINVAL, "free into an empty slab refused");
	free(pool_mem);
}

/* Random alloc/free across classes; contents must survive, lists stay consistent. */
static void test_random(void)
{
	enum { NCLASS = 8, SLOTS = 600 };
	struct slab_cache caches[NCLASS];
	struct {
		u8 *p;
		int cls;
	} slot[SLOTS] = { { 0 } };
	pool_init();
	pool_limit = 24; /* small enough to run out now and then */
	for (int i = 0; i < NCLASS; i++)
		slab_cache_init(&caches[i], "rand", 16u << i);
	int bad = 0, nofull = 0;
	srand(777);
	for (int step = 0; step < 300000; step++) {
		int i = rand() % SLOTS;
		if (slot[i].p) {
			struct slab_cache *c = &caches[slot[i].cls];
			for (u32 b = 0; b < c->obj_bytes; b++)
				bad += slot[i].p[b] != (u8)i;
			bad += cache_free(c, slot[i].p) != 0;
			slot[i].p = NULL;
			continue;
		}
		int cls = rand() % NCLASS;
		u8 *p = cache_alloc(&caches[cls]);
		if (!p) {
			nofull++;
			continue;
		}
		memset(p, i, 16u << cls);
		slot[i].p = p;
		slot[i].cls = cls;
		if (step % 10000 == 0)
			for (int k = 0; k < NCLASS; k++)
				bad += cache_check(&caches[k]) != NULL;
	}
	printf("# %d allocations failed with the pool exhausted\n", nofull);
	TAP_OK(bad == 0, "contents intact, frees accepted, lists consistent");
	for (int i = 0; i < SLOTS; i++)
		if (slot[i].p)
			bad += cache_free(&caches[slot[i].cls], slot[i].p) != 0;
	int kept = 0;
	for (int k = 0; k < NCLASS; k++) {
		bad += cache_check(&caches[k]) != NULL || caches[k].inuse_objs != 0;
		kept += (int)caches[k].nslabs;
	}
	TAP_OK(bad == 0 && kept <= NCLASS * SLAB_KEEP_EMPTY && pool_in_use() == kept,
	       "all freed: only the kept empty slabs remain (%d)", kept);
	free(pool_mem);
}

int main(void)
{
	for (u32 size = SLAB_MIN_OBJ_BYTES; size <= PAGE_SIZE / 2; size <<= 1)
		test_one_class(size);
	test_keep_one_empty();
	test_bad_frees();
	test_random();
	return tap_done();
}
