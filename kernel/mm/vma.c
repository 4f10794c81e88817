/*
 * The VMA list of an mm: sorted by address, non-overlapping, with adjacent
 * compatible VMAs always merged, plus a one-entry cache of the last lookup.
 * A plain list keeps every operation obviously correct; the cache makes the
 * common case (many faults in one mapping) cheap. A tree can replace the list
 * behind these functions without changing their callers.
 *
 * Every function here expects mm->lock held by the caller.
 */
#include <fs/vfs.h>
#include <lib/printk.h>
#include <mm/kmalloc.h>
#include <mm/mm.h>
#include <mm/thp.h>
#include <uapi/errno.h>

static struct vma *vma_of(struct list_head *n)
{
	return list_entry(n, struct vma, node);
}

struct vma *vma_alloc(u64 start, u64 end, u32 flags)
{
	struct vma *v = kzalloc(sizeof(*v));
	if (!v)
		return NULL;
	v->start = start;
	v->end = end;
	v->flags = flags;
	list_init(&v->node);
	return v;
}

/*
 * v must be unlinked (the cache may not point at it any more). Only regular
 * files are ever mapped, whose release does nothing and whose freeing takes
 * only the frame and heap locks, so this is safe with mm->lock held.
 */
void vma_free(struct vma *v)
{
	if (v->file)
		file_put(v->file);
	kfree(v);
}

void vma_set_file(struct vma *v, struct file *file, u64 pgoff)
{
	v->file = file_get(file);
	v->pgoff = pgoff;
}

/*
 * Because VMAs are sorted and disjoint, the first one ending above addr is
 * the only one that can contain it; a cache hit is therefore also the answer.
 */
struct vma *vma_find_first(struct mm *mm, u64 addr)
{
	struct vma *c = mm->vma_cache;
	if (c && c->start <= addr && addr < c->end)
		return c;
	struct list_head *n;
	list_for_each(n, &mm->vmas)
	{
		struct vma *v = vma_of(n);
		if (v->end > addr)
			return v;
	}
	return NULL;
}

struct vma *vma_find(struct mm *mm, u64 addr)
{
	struct vma *v = vma_find_first(mm, addr);
	if (!v || v->start > addr)
		return NULL;
	mm->vma_cache = v;
	return v;
}

struct vma *vma_next(struct mm *mm, struct vma *v)
{
	return v->node.next == &mm->vmas ? NULL : vma_of(v->node.next);
}

struct vma *vma_prev(struct mm *mm, struct vma *v)
{
	return v->node.prev == &mm->vmas ? NULL : vma_of(v->node.prev);
}

bool vma_range_is_free(struct mm *mm, u64 start, u64 end)
{
	struct vma *v = vma_find_first(mm, start);
	return !v || v->start >= end;
}

/* An overlap here is a bug in the caller, which must have cleared the range. */
void vma_insert(struct mm *mm, struct vma *v)
{
	struct vma *next = vma_find_first(mm, v->start);
	BUG_ON(next && next->start < v->end);
	list_add_tail(&v->node, next ? &next->node : &mm->vmas);
	mm->nvmas++;
	mm->total_vm_pages += vma_npages(v);
}

void vma_unlink(struct mm *mm, struct vma *v)
{
	if (mm->vma_cache == v)
		mm->vma_cache = NULL;
	list_del(&v->node);
	mm->nvmas--;
	mm->total_vm_pages -= vma_npages(v);
}

/*
 * The new upper half inherits everything; a file mapping's offset moves with
 * its start. Fails when the mm already holds MM_MAX_VMAS, as Linux does. A
 * huge page across addr is split first: none may straddle two VMAs.
 */
int vma_split(struct mm *mm, struct vma *v, u64 addr)
{
	BUG_ON(addr <= v->start || addr >= v->end || !IS_ALIGNED(addr, PAGE_SIZE));
	if (mm->nvmas >= MM_MAX_VMAS)
		return -ENOMEM;
	if (!IS_ALIGNED(addr, HPAGE_SIZE) && thp_split_at(mm, addr))
		return -ENOMEM;
	struct vma *hi = vma_alloc(addr, v->end, v->flags);
	if (!hi)
		return -ENOMEM;
	if (v->file)
		vma_set_file(hi, v->file, vma_pgoff_of(v, addr));
	v->end = addr;
	list_add(&hi->node, &v->node);
	mm->nvmas++;
	return 0;
}

/*
 * a and b may become one VMA: they touch, behave the same, and (for files)
 * map consecutive file pages.
 */
static bool vma_can_merge(const struct vma *a, const struct vma *b)
{
	if (a->end != b->start || ((a->flags ^ b->flags) & ~VM_ANON_PAGES) || a->file != b->file)
		return false;
	return !a->file || a->pgoff + vma_npages(a) == b->pgoff;
}

/* a swallows its successor b, which is freed. */
static void vma_absorb_next(struct mm *mm, struct vma *a, struct vma *b)
{
	u64 end = b->end;
	a->flags |= b->flags & VM_ANON_PAGES;
	vma_unlink(mm, b);
	vma_free(b);
	mm->total_vm_pages += (end - a->end) >> PAGE_SHIFT;
	a->end = end;
}

struct vma *vma_merge(struct mm *mm, struct vma *v)
{
	struct vma *next = vma_next(mm, v), *prev = vma_prev(mm, v);
	if (next && vma_can_merge(v, next))
		vma_absorb_next(mm, v, next);
	if (prev && vma_can_merge(prev, v)) {
		vma_absorb_next(mm, prev, v);
		v = prev;
	}
	return v;
}
