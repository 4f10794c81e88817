/*
 * Sparse page arrays (include/fs/page_array.h): a radix tree whose nodes
 * are one page of 512 slots each. Level 1 slots hold struct page *; higher
 * levels hold nodes. The tree grows upward (a new root whose slot 0 is the
 * old root) when an index does not fit, so a file's first pages never move.
 */
#include <fs/page_array.h>
#include <mm/kmalloc.h>
#include <mm/page.h>
#include <uapi/errno.h>

#define PA_SHIFT      9
#define PA_FANOUT     (1u << PA_SHIFT)
#define PA_MAX_HEIGHT 7 /* 7 * 9 = 63 index bits */

/* Number of indices a tree of this height covers (saturating). */
static u64 pa_capacity(unsigned height)
{
	return height >= PA_MAX_HEIGHT ? ~0ull : 1ull << (PA_SHIFT * height);
}

/* Slot of index within a node at level (1 = leaf level). */
static unsigned pa_slot(u64 index, unsigned level)
{
	return (index >> (PA_SHIFT * (level - 1))) & (PA_FANOUT - 1);
}

void page_array_init(struct page_array *pa)
{
	pa->root = NULL;
	pa->height = 0;
	pa->nr_pages = 0;
}

struct page *page_array_lookup(const struct page_array *pa, u64 index)
{
	void *node = pa->root;
	if (!node || index >= pa_capacity(pa->height))
		return NULL;
	for (unsigned level = pa->height; level > 0 && node; level--)
		node = ((void **)node)[pa_slot(index, level)];
	return node;
}

/* Make the tree tall enough for index. Each step leaves a valid tree. */
static int pa_grow(struct page_array *pa, u64 index)
{
	while (!pa->root || index >= pa_capacity(pa->height)) {
		void **node = kzalloc(PA_FANOUT * sizeof(void *));
		if (!node)
			return -ENOMEM;
		node[0] = pa->root;
		pa->root = node;
		pa->height++;
	}
	return 0;
}

int page_array_insert(struct page_array *pa, u64 index, struct page *page)
{
	int r = pa_grow(pa, index);
	if (r)
		return r;
	void **node = pa->root;
	for (unsigned level = pa->height; level > 1; level--) {
		void **slot = &node[pa_slot(index, level)];
		if (!*slot && !(*slot = kzalloc(PA_FANOUT * sizeof(void *))))
			return -ENOMEM;
		node = *slot;
	}
	if (node[pa_slot(index, 1)])
		return -EEXIST;
	node[pa_slot(index, 1)] = page;
	pa->nr_pages++;
	return 0;
}

/*
 * Drop everything at index >= first below a node covering indices from
 * base. Returns true if the node is now empty (the caller frees it).
 */
static bool pa_truncate_node(struct page_array *pa, void **node, unsigned level, u64 base,
			     u64 first)
{
	u64 span = 1ull << (PA_SHIFT * (level - 1)); /* indices per slot */
	bool is_empty = true;
	for (unsigned i = 0; i < PA_FANOUT; i++) {
		u64 slot_base = base + i * span;
		if (!node[i])
			continue;
		if (slot_base + span <= first) {
			is_empty = false;
		} else if (level == 1) {
			page_put(node[i]);
			node[i] = NULL;
			pa->nr_pages--;
		} else if (pa_truncate_node(pa, node[i], level - 1, slot_base, first)) {
			kfree(node[i]);
			node[i] = NULL;
		} else {
			is_empty = false;
		}
	}
	return is_empty;
}

void page_array_truncate(struct page_array *pa, u64 first)
{
	if (!pa->root || first >= pa_capacity(pa->height))
		return;
	if (pa_truncate_node(pa, pa->root, pa->height, 0, first)) {
		kfree(pa->root);
		pa->root = NULL;
		pa->height = 0;
	}
}
