/*
 * Kernel heap (see include/mm/kmalloc.h). Requests up to 2 KiB go to one of
 * eight power-of-two slab caches (mm/slab.c); bigger ones take a whole
 * buddy block. Both kinds mark their head page PG_SLAB; page->owner is the
 * cache for a slab and &kmalloc_large_owner for a large block, whose order
 * sits in page->order. So kfree needs nothing but the pointer.
 *
 * Frames come to the heap zeroed (a new slab, a large block), as Linux does
 * with init_on_alloc=1: nothing a frame held before (a process's data)
 * reaches a kernel object. Under QEMU's TCG it matters for speed too:
 * a frame the firmware or a process once ran code from keeps QEMU's
 * translations until each byte they cover is written, and until then every
 * write to that frame takes QEMU's slow self-modifying-code path. A kernel
 * stack landing there made fork 10-25 times slower in wall time with the
 * same instruction count; zeroing the frame once drops the translations.
 * A big scratch buffer the caller fills before reading (exec's argument
 * copy, 256 KiB) asks for GFP_NOINIT and skips it.
 *
 * Locking: each class has its own lock (rank HEAP). frame_alloc/frame_free
 * take frame_lock, of lower rank, so they are only ever called with no
 * class lock held: a slab is allocated before taking the lock and an empty
 * one is freed after dropping it.
 */
#include <lib/printk.h>
#include <lib/spinlock.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <mm/page.h>
#include <mm/slab.h>
#include <uapi/errno.h>

#define KMALLOC_MIN_SHIFT 4 /* 16 bytes */
#define KMALLOC_MAX_SMALL 2048
#define KMALLOC_NCLASSES  8 /* 16 .. 2048 */
#define KMALLOC_MAX_LARGE (PAGE_SIZE << (MAX_ORDER - 1))

struct kmalloc_class {
	struct spinlock lock;
	struct slab_cache cache; /* [lock] */
};

#define KMALLOC_CLASS(i, name)                                                                     \
	[i] = { .lock = SPINLOCK_INIT(name, LOCK_RANK_HEAP),                                       \
		.cache = SLAB_CACHE_INIT(kmalloc_classes[i].cache, name,                           \
					 1u << (KMALLOC_MIN_SHIFT + i)) }

/* Statically initialised, so kmalloc works as soon as frame_init has run. */
static struct kmalloc_class kmalloc_classes[KMALLOC_NCLASSES] = {
	KMALLOC_CLASS(0, "kmalloc-16"),	  KMALLOC_CLASS(1, "kmalloc-32"),
	KMALLOC_CLASS(2, "kmalloc-64"),	  KMALLOC_CLASS(3, "kmalloc-128"),
	KMALLOC_CLASS(4, "kmalloc-256"),  KMALLOC_CLASS(5, "kmalloc-512"),
	KMALLOC_CLASS(6, "kmalloc-1024"), KMALLOC_CLASS(7, "kmalloc-2048"),
};

/* page->owner of a large block: an address no cache can have. */
static const char kmalloc_large_owner;

static atomic64_t kmalloc_held_bytes;

STATIC_ASSERT(KMALLOC_MAX_SMALL == 1u << (KMALLOC_MIN_SHIFT + KMALLOC_NCLASSES - 1));
STATIC_ASSERT(KMALLOC_MAX_SMALL <= PAGE_SIZE / 2);

/* Nothing to do: the classes are static, so the heap works from frame_init on. */
void kmalloc_init(void)
{
}

/* ceil(log2(n)) for n >= 1. */
static unsigned kmalloc_log2_up(u64 n)
{
	return n <= 1 ? 0 : 64 - __builtin_clzl(n - 1);
}

/* The class serving len_bytes (<= KMALLOC_MAX_SMALL). */
static struct kmalloc_class *kmalloc_class_for(size_t len_bytes)
{
	unsigned shift = kmalloc_log2_up(len_bytes);
	return &kmalloc_classes[shift <= KMALLOC_MIN_SHIFT ? 0 : shift - KMALLOC_MIN_SHIFT];
}

/* Add a fresh frame to k's cache and allocate from it. Called without k->lock. */
static void *kmalloc_grow(struct kmalloc_class *k)
{
	struct page *pg = frame_alloc(0, GFP_ZERO);
	if (!pg)
		return NULL;
	atomic64_add_return(&kmalloc_held_bytes, PAGE_SIZE);
	spin_lock(&k->lock);
	slab_grow(&k->cache, pg, page_to_virt(pg));
	void *obj = slab_alloc(&k->cache);
	spin_unlock(&k->lock);
	return obj;
}

/* One object of class k, or NULL when out of frames. */
static void *kmalloc_small(struct kmalloc_class *k)
{
	spin_lock(&k->lock);
	void *obj = slab_alloc(&k->cache);
	spin_unlock(&k->lock);
	return obj ? obj : kmalloc_grow(k);
}

/* A whole buddy block for len_bytes > KMALLOC_MAX_SMALL, or NULL. */
static void *kmalloc_large(size_t len_bytes, unsigned gfp)
{
	if (len_bytes > KMALLOC_MAX_LARGE)
		return NULL;
	unsigned order = kmalloc_log2_up(ALIGN_UP(len_bytes, PAGE_SIZE) >> PAGE_SHIFT);
	struct page *pg = frame_alloc(order, gfp & GFP_NOINIT ? gfp : gfp | GFP_ZERO);
	if (!pg)
		return NULL;
	pg->flags = PG_SLAB;
	pg->owner = (void *)&kmalloc_large_owner;
	atomic64_add_return(&kmalloc_held_bytes, PAGE_SIZE << order);
	return page_to_virt(pg);
}

void *kmalloc(size_t len_bytes, unsigned gfp)
{
	if (len_bytes > KMALLOC_MAX_SMALL)
		return kmalloc_large(len_bytes, gfp);
	struct kmalloc_class *k = kmalloc_class_for(len_bytes);
	void *obj = kmalloc_small(k);
	if (obj && (gfp & GFP_ZERO))
		memset(obj, 0, k->cache.obj_bytes);
	return obj;
}

/* Give a slab the cache no longer needs back to the frame allocator. */
static void kmalloc_release_slab(struct page *pg)
{
	atomic64_add_return(&kmalloc_held_bytes, -(s64)PAGE_SIZE);
	frame_free(pg, 0);
}

/* The class whose cache is owner, or NULL if owner is not one of ours. */
static struct kmalloc_class *kmalloc_class_of(const void *owner)
{
	for (int i = 0; i < KMALLOC_NCLASSES; i++)
		if (owner == &kmalloc_classes[i].cache)
			return &kmalloc_classes[i];
	return NULL;
}

/* Free p from slab pg; -EINVAL if it is not an allocated object. Takes the class lock. */
static int kfree_small(struct page *pg, void *p)
{
	struct kmalloc_class *k = kmalloc_class_of(READ_ONCE(pg->owner));
	if (!k)
		return -EINVAL;
	struct page *release;
	spin_lock(&k->lock);
	int err = slab_free(&k->cache, pg, p, &release);
	spin_unlock(&k->lock);
	if (release)
		kmalloc_release_slab(release);
	return err;
}

/* Free the large block headed by pg; p must be its start. */
static int kfree_large(struct page *pg, void *p)
{
	if (p != page_to_virt(pg))
		return -EINVAL;
	unsigned order = pg->order;
	atomic64_add_return(&kmalloc_held_bytes, -(s64)(PAGE_SIZE << order));
	frame_free(pg, order);
	return 0;
}

/* The kmalloc head page of p, or NULL if p cannot have come from kmalloc. */
static struct page *kmalloc_page_of(const void *p)
{
	if ((uintptr_t)p < DIRECT_MAP_BASE || (uintptr_t)p >= KERNEL_VMA)
		return NULL;
	u64 pfn = virt_to_phys(p) >> PAGE_SHIFT;
	if (pfn >= frame_max_pfn)
		return NULL;
	struct page *pg = pfn_to_page(pfn);
	return READ_ONCE(pg->flags) & PG_SLAB ? pg : NULL;
}

void kfree(void *p)
{
	if (!p)
		return;
	struct page *pg = kmalloc_page_of(p);
	int err = -EINVAL;
	if (pg)
		err = READ_ONCE(pg->owner) == &kmalloc_large_owner ? kfree_large(pg, p)
								   : kfree_small(pg, p);
	if (err)
		printk("kfree: %p is not an allocated kmalloc block, ignored\n", p);
}

u64 kmalloc_bytes_held(void)
{
	return (u64)atomic64_read(&kmalloc_held_bytes);
}

void kmalloc_shrink(void)
{
	for (int i = 0; i < KMALLOC_NCLASSES; i++) {
		struct kmalloc_class *k = &kmalloc_classes[i];
		struct page *pg;
		do {
			spin_lock(&k->lock);
			pg = slab_take_empty(&k->cache);
			spin_unlock(&k->lock);
			if (pg)
				kmalloc_release_slab(pg);
		} while (pg);
	}
}
