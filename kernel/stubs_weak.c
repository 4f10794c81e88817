/*
 * TEMPORARY: weak placeholders so the kernel links while subsystems land in
 * parallel. Each strong definition elsewhere replaces its stub. This file is
 * deleted once every subsystem is in.
 */
#include <arch/gdt.h>
#include <arch/mmu.h>
#include <arch/timer.h>
#include <drivers/console.h>
#include <hooks.h>
#include <lib/printk.h>
#include <mm/kmalloc.h>
#include <mm/page.h>
#include <mm/usercopy.h>
#include <proc/wait.h>
#include <uapi/errno.h>

#define WEAK __attribute__((weak))
u64 tsc_hz WEAK;
WEAK void gdt_init_cpu(int cpu) { (void)cpu; }
WEAK void frame_init(void) {}
WEAK void frame_init_late(void) {}
WEAK u64 frame_free_count(void) { return 0; }
WEAK u64 frame_total_count(void) { return 0; }
WEAK struct page *frame_alloc(unsigned o, unsigned g) { (void)o; (void)g; return NULL; }
WEAK void frame_free(struct page *p, unsigned o) { (void)p; (void)o; }
WEAK void page_put(struct page *p) { (void)p; }
WEAK void mmu_init(void) {}
WEAK void *mmio_map(phys_addr_t pa, u64 l) { (void)pa; (void)l; return NULL; }
WEAK void kmalloc_init(void) {}
WEAK void *kmalloc(size_t n, unsigned g) { (void)n; (void)g; return NULL; }
WEAK void kfree(void *p) { (void)p; }
WEAK void timer_init(void) {}
WEAK void apic_eoi(void) {}
WEAK u64 clock_ns(void) { return 0; }
WEAK void console_init(void) {}
WEAK enum fault_result mm_handle_user_fault(struct trap_frame *tf, u64 a, u64 e)
{
	(void)tf; (void)a; (void)e;
	return FAULT_SEGV_MAPERR;
}
WEAK void proc_user_fault(struct trap_frame *tf, int s, int c, u64 a)
{
	(void)tf;
	panic("user fault: signal %d code %d addr %#lx (no processes yet)", s, c, a);
}
WEAK void sched_tick(struct trap_frame *tf) { (void)tf; }
WEAK void proc_return_to_user(struct trap_frame *tf) { (void)tf; }
WEAK void wake_up(struct wait_queue *wq) { (void)wq; }
WEAK void wait_queue_init(struct wait_queue *wq) { (void)wq; }
