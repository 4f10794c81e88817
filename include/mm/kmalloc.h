/*
 * Kernel heap: size classes from 16 bytes to 2 KiB come from slabs (one
 * frame each, carved into equal objects); anything larger takes whole
 * frames from the buddy allocator. kfree finds the class from the frame.
 */
#pragma once
#include <types.h>

void kmalloc_init(void);
/* NULL when memory is exhausted. gfp: GFP_KERNEL or GFP_ZERO (mm/page.h). */
void *kmalloc(size_t len_bytes, unsigned gfp);
static inline void *kzalloc(size_t len_bytes)
{
	return kmalloc(len_bytes, 1u /* GFP_ZERO */);
}
void kfree(void *p);
/* Bytes of frames the heap holds (for /proc/meminfo's Slab). */
u64 kmalloc_bytes_held(void);
