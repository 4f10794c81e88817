/*
 * Slab core (see include/mm/slab.h). Pure: the caller holds whatever lock
 * protects the cache for the duration of each call.
 */
#include <mm/slab.h>
#include <uapi/errno.h>

void slab_cache_init(struct slab_cache *c, const char *name, u32 obj_bytes)
{
	c->name = name;
	c->obj_bytes = obj_bytes;
	c->objs_per_slab = PAGE_SIZE / obj_bytes;
	list_init(&c->partial);
	list_init(&c->full);
	list_init(&c->empty);
	c->nslabs = 0;
	c->nempty = 0;
	c->inuse_objs = 0;
}

/* Move slab pg from whichever list it is on to list. */
static void slab_move(struct page *pg, struct list_head *list)
{
	list_del(&pg->lru);
	list_add(&pg->lru, list);
}

/* Push obj on pg's free chain and mark it free. */
static void slab_push(struct page *pg, void **obj)
{
	obj[0] = pg->slab_freelist;
	obj[1] = (void *)SLAB_FREE_MAGIC;
	pg->slab_freelist = obj;
}

void slab_grow(struct slab_cache *c, struct page *pg, void *mem)
{
	pg->flags = PG_SLAB;
	pg->owner = c;
	pg->slab_inuse = 0;
	pg->slab_freelist = NULL;
	/* Push from the top so that objects are handed out in address order. */
	for (u32 i = c->objs_per_slab; i-- > 0;)
		slab_push(pg, (void **)((char *)mem + (size_t)i * c->obj_bytes));
	list_init(&pg->lru);
	list_add(&pg->lru, &c->empty);
	c->nslabs++;
	c->nempty++;
}

/* The slab to allocate from: a partial one, else an empty one, else NULL. */
static struct page *slab_pick(struct slab_cache *c)
{
	if (!list_empty(&c->partial))
		return list_first_entry(&c->partial, struct page, lru);
	if (list_empty(&c->empty))
		return NULL;
	struct page *pg = list_first_entry(&c->empty, struct page, lru);
	slab_move(pg, &c->partial);
	c->nempty--;
	return pg;
}

void *slab_alloc(struct slab_cache *c)
{
	struct page *pg = slab_pick(c);
	if (!pg)
		return NULL;
	void **obj = pg->slab_freelist;
	pg->slab_freelist = obj[0];
	obj[1] = NULL; /* no longer looks free */
	pg->slab_inuse++;
	c->inuse_objs++;
	if (!pg->slab_freelist)
		slab_move(pg, &c->full);
	return obj;
}

/* True if obj is on pg's free chain. Only walked when the magic matches. */
static bool slab_on_freelist(const struct page *pg, void **obj)
{
	for (void **o = pg->slab_freelist; o; o = o[0])
		if (o == obj)
			return true;
	return false;
}

/* True if obj is an object of slab pg of cache c that is currently allocated. */
static bool slab_obj_allocated(const struct slab_cache *c, const struct page *pg, void **obj)
{
	uintptr_t off = (uintptr_t)obj & (PAGE_SIZE - 1);
	if (!(pg->flags & PG_SLAB) || pg->owner != c || off % c->obj_bytes || !pg->slab_inuse)
		return false;
	return obj[1] != (void *)SLAB_FREE_MAGIC || !slab_on_freelist(pg, obj);
}

int slab_free(struct slab_cache *c, struct page *pg, void *obj, struct page **release)
{
	*release = NULL;
	if (!slab_obj_allocated(c, pg, obj))
		return -EINVAL;
	bool was_full = !pg->slab_freelist;
	slab_push(pg, obj);
	pg->slab_inuse--;
	c->inuse_objs--;
	if (pg->slab_inuse == 0) {
		slab_move(pg, &c->empty);
		c->nempty++;
		if (c->nempty > SLAB_KEEP_EMPTY)
			*release = slab_take_empty(c);
	} else if (was_full) {
		slab_move(pg, &c->partial);
	}
	return 0;
}

struct page *slab_take_empty(struct slab_cache *c)
{
	if (list_empty(&c->empty))
		return NULL;
	/* The tail is the slab that has been empty longest: the coldest. */
	struct page *pg = list_entry(c->empty.prev, struct page, lru);
	list_del(&pg->lru);
	c->nempty--;
	c->nslabs--;
	pg->flags = 0;
	pg->owner = NULL;
	pg->slab_inuse = 0;
	pg->slab_freelist = NULL;
	return pg;
}
