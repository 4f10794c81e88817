/*
 * The virtual address map.
 *
 *   0000000000000000 - 00007fffffffefff  user space (USER_TOP is exclusive)
 *   ffff888000000000 - ...               direct map of all physical RAM (NX)
 *   ffffffff80000000 - ...               kernel image, per-section permissions
 */
#pragma once
#include <types.h>

#define PAGE_SHIFT	12
#define PAGE_SIZE	4096ul
#define PAGE_MASK	(~(PAGE_SIZE - 1))
#define KERNEL_VMA	0xffffffff80000000ul
#define DIRECT_MAP_BASE 0xffff888000000000ul
#define USER_TOP	0x00007ffffffff000ul

static inline void *phys_to_virt(phys_addr_t pa)
{
	return (void *)(pa + DIRECT_MAP_BASE);
}
static inline phys_addr_t virt_to_phys(const void *va)
{
	uintptr_t v = (uintptr_t)va;
	return v >= KERNEL_VMA ? v - KERNEL_VMA : v - DIRECT_MAP_BASE;
}

/* Linker-script symbols bounding the kernel image sections. */
extern char _kernel_start[], _text_start[], _text_end[], _rodata_start[], _rodata_end[];
extern char _data_start[], _kernel_end[];
