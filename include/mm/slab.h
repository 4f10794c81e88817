/*
 * Slab core, pure: a cache of equal power-of-two objects carved out of
 * one-frame slabs. No locking and no frame allocation here; kmalloc.c owns
 * the locks and gets and returns the frames, so the host tests run exactly
 * this code.
 *
 * A slab is described by its struct page: PG_SLAB, owner = the cache,
 * slab_inuse = objects handed out, slab_freelist = first free object. Free
 * objects are chained through their first word; their second word holds
 * SLAB_FREE_MAGIC so that a double free is caught without walking the chain
 * in the common case. Each slab sits on exactly one of the cache's lists:
 * partial (some objects free), full (none free) or empty (all free).
 */
#pragma once
#include <lib/list.h>
#include <mm/page.h>
#include <types.h>

#define SLAB_MIN_OBJ_BYTES 16
#define SLAB_KEEP_EMPTY	   1 /* empty slabs a cache holds on to before giving frames back */
#define SLAB_FREE_MAGIC	   0xf4eec0de5ab1f4eeul

struct slab_cache {
	const char *name;
	u32 obj_bytes;	   /* power of two, SLAB_MIN_OBJ_BYTES .. PAGE_SIZE / 2 */
	u32 objs_per_slab; /* PAGE_SIZE / obj_bytes */
	struct list_head partial, full, empty;
	u64 nslabs;	/* slabs on all three lists */
	u64 nempty;	/* slabs on the empty list */
	u64 inuse_objs; /* objects handed out */
};

/* Static initialiser for the cache c (an lvalue naming the cache itself). */
#define SLAB_CACHE_INIT(c, cname, size)                                                            \
	{                                                                                          \
		.name = (cname), .obj_bytes = (size), .objs_per_slab = PAGE_SIZE / (size),         \
		.partial = LIST_HEAD_INIT((c).partial), .full = LIST_HEAD_INIT((c).full),          \
		.empty = LIST_HEAD_INIT((c).empty),                                                \
	}

/* Empty cache of obj_bytes objects (a power of two in the range above). */
void slab_cache_init(struct slab_cache *c, const char *name, u32 obj_bytes);
/* An object from a partial or empty slab, or NULL if the cache needs slab_grow. */
void *slab_alloc(struct slab_cache *c);
/*
 * Carve the frame pg (mapped at mem, page aligned) into free objects and add
 * it to the cache. pg is now the cache's until it comes back from slab_free
 * or slab_take_empty.
 */
void slab_grow(struct slab_cache *c, struct page *pg, void *mem);
/*
 * Return obj, which lies in slab pg, to the cache. -EINVAL (nothing changed)
 * if pg is not a slab of this cache or obj is not one of its allocated
 * objects. *release is set to a slab the caller must give back to the frame
 * allocator (the cache kept too many empty ones), else NULL.
 */
int slab_free(struct slab_cache *c, struct page *pg, void *obj, struct page **release);
/* Detach an empty slab (flags and owner cleared) for the caller to free; NULL if none. */
struct page *slab_take_empty(struct slab_cache *c);
