/*
 * Kernel heap: size classes from 16 bytes to 2 KiB come from slabs (one
 * frame each, carved into equal objects); anything larger takes whole
 * frames from the buddy allocator. kfree finds the class from the frame.
 *
 * Objects are aligned to their size class (16 .. 2048 bytes); large blocks
 * are page aligned. kmalloc(0) returns a distinct 16-byte object. Heap locks
 * have rank HEAP: do not call kmalloc/kfree holding a lock of rank HEAP or
 * above (console, log), nor frame_lock.
 */
#pragma once
#include <types.h>

void kmalloc_init(void);
/* NULL when memory is exhausted. gfp: GFP_KERNEL, GFP_ZERO or GFP_NOINIT (mm/page.h). */
void *kmalloc(size_t len_bytes, unsigned gfp);
static inline void *kzalloc(size_t len_bytes)
{
	return kmalloc(len_bytes, 1u /* GFP_ZERO */);
}
/*
 * Free a kmalloc block. NULL is a no-op; a pointer kmalloc did not return
 * (or a double free) is refused with a warning.
 */
void kfree(void *p);
/* Give every cached empty slab back to the frame allocator. */
void kmalloc_shrink(void);
/* Bytes of frames the heap holds (for /proc/meminfo's Slab). */
u64 kmalloc_bytes_held(void);
