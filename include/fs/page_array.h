/*
 * A sparse array of struct page *, indexed by page number within a file:
 * a radix tree of 512-way nodes, as tall as the highest index needs.
 * ramfs keeps file data in one; the page cache and file mmap reuse it.
 * Each stored page holds one reference (page_get) owned by the array.
 *
 * Locking: none inside; the owner (inode->lock for ramfs) serialises
 * every call. Nodes are kmalloc'd, so callers may hold spinlocks of rank
 * below HEAP.
 */
#pragma once
#include <types.h>

struct page;

struct page_array {
	void *root;	 /* a node, or NULL when empty */
	unsigned height; /* levels of nodes; covers indices < 512^height */
	u64 nr_pages;	 /* pages stored */
};

void page_array_init(struct page_array *pa);
/* The page at index, or NULL for a hole. No reference is taken. */
struct page *page_array_lookup(const struct page_array *pa, u64 index);
/* Store page at an empty index, taking over the caller's reference. -ENOMEM. */
int page_array_insert(struct page_array *pa, u64 index, struct page *page);
/* Drop every page at index >= first, freeing nodes that become empty. */
void page_array_truncate(struct page_array *pa, u64 first);
