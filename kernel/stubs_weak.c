/*
 * TEMPORARY: weak placeholders so the kernel links while subsystems land in
 * parallel. Each strong definition elsewhere replaces its stub. This file is
 * deleted once every subsystem is in.
 */
#include <arch/gdt.h>
#include <arch/mmu.h>
#include <arch/timer.h>
#include <lib/cpio.h>
#include <lib/printk.h>
#include <mm/kmalloc.h>
#include <mm/page.h>
#include <test/ktest.h>
#include <uapi/errno.h>

#define WEAK __attribute__((weak))
u64 tsc_hz WEAK;
WEAK void gdt_init_cpu(int cpu) { (void)cpu; }
WEAK void frame_init(void) {}
WEAK u64 frame_free_count(void) { return 0; }
WEAK void mmu_init(void) {}
WEAK void kmalloc_init(void) {}
WEAK void timer_init(void) {}
WEAK void frame_init_late(void) {}
