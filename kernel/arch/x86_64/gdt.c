/*
 * Per-CPU GDT and TSS. The layout is fixed by SYSCALL/SYSRET (see
 * include/arch/gdt.h); every CPU gets its own copy because loading the task
 * register marks that CPU's TSS descriptor busy, and its own TSS because
 * rsp0 and the IST stacks are per CPU.
 *
 * Everything here is written only by the CPU that owns it (gdt_init_cpu at
 * bring-up, tss_set_rsp0 at context switch with interrupts off), so no lock.
 */
#include <arch/cpu.h>
#include <arch/gdt.h>
#include <arch/percpu.h>
#include <arch/traps.h>
#include <lib/printk.h>
#include <lib/string.h>

/* Flat 64-bit descriptors: code has L=1, data is writable; both present. */
#define DESC_KERNEL_CODE 0x00af9a000000fffful
#define DESC_KERNEL_DATA 0x00cf92000000fffful
#define DESC_USER_DATA	 0x00cff2000000fffful
#define DESC_USER_CODE	 0x00affa000000fffful
#define DESC_TSS_TYPE	 0x89ul /* present, DPL 0, available 64-bit TSS */

struct gdt_cpu {
	u64 gdt[GDT_ENTRIES];
	struct tss tss;
} __aligned(64);

struct gdt_ptr {
	u16 limit;
	u64 base;
} __packed;

STATIC_ASSERT(sizeof(struct tss) == 104);
STATIC_ASSERT(GDT_TSS / 8 + 2 == GDT_ENTRIES);

static struct gdt_cpu gdt_cpus[MAX_CPUS];
static u8 ist_stacks[MAX_CPUS][3][IST_STACK_SIZE] __aligned(16);

/* The two GDT slots of a 64-bit TSS descriptor for tss. */
static void gdt_set_tss(u64 *slot, const struct tss *tss)
{
	u64 base = (u64)tss;
	u64 limit = sizeof(*tss) - 1;
	slot[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (DESC_TSS_TYPE << 40) |
		  (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	slot[1] = base >> 32;
}

/* Fill cpu's GDT and TSS. The TSS descriptor is rebuilt "available", so ltr works again. */
static void gdt_build(struct gdt_cpu *g, int cpu)
{
	memset(g, 0, sizeof(*g));
	g->gdt[GDT_KERNEL_CS / 8] = DESC_KERNEL_CODE;
	g->gdt[GDT_KERNEL_DS / 8] = DESC_KERNEL_DATA;
	g->gdt[GDT_USER_DS / 8] = DESC_USER_DATA;
	g->gdt[GDT_USER_CS / 8] = DESC_USER_CODE;
	gdt_set_tss(&g->gdt[GDT_TSS / 8], &g->tss);
	for (int i = 0; i < 3; i++)
		g->tss.ist[i] = (u64)ist_stacks[cpu][i] + IST_STACK_SIZE;
	g->tss.iomap_base = sizeof(struct tss);
}

/*
 * Load g's GDT and reload every segment register from it. CS needs a far
 * return. Loading a selector into GS may clear the GS base on some CPUs, so
 * the per-CPU base (already set by percpu_init) is saved and written back.
 */
static void gdt_load(struct gdt_cpu *g)
{
	struct gdt_ptr p = { sizeof(g->gdt) - 1, (u64)g->gdt };
	u64 gs_base = rdmsr(MSR_GS_BASE);
	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movl %2, %%eax\n\t"
			 "movl %%eax, %%ss\n\t"
			 "xorl %%eax, %%eax\n\t"
			 "movl %%eax, %%ds\n\t"
			 "movl %%eax, %%es\n\t"
			 "movl %%eax, %%fs\n\t"
			 "movl %%eax, %%gs\n\t"
			 :
			 : "m"(p), "i"(GDT_KERNEL_CS), "i"(GDT_KERNEL_DS)
			 : "rax", "memory");
	wrmsr(MSR_GS_BASE, gs_base);
	__asm__ volatile("ltr %w0" ::"r"(GDT_TSS));
}

void gdt_init_cpu(int cpu)
{
	if (cpu < 0 || cpu >= MAX_CPUS)
		panic("gdt_init_cpu: cpu %d out of range", cpu);
	struct gdt_cpu *g = &gdt_cpus[cpu];
	gdt_build(g, cpu);
	gdt_load(g);
	cpus[cpu].tss = &g->tss;
	traps_init();
	idt_load();
}

void tss_set_rsp0(u64 rsp0)
{
	this_cpu()->tss->rsp[0] = rsp0;
}
