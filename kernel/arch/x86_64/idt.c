/*
 * The interrupt descriptor table: one gate per vector, each pointing at its
 * entry.S stub. All gates are interrupt gates (IF cleared on entry), so the
 * C dispatcher decides when to re-enable interrupts. Only int3 and into may
 * be raised from user mode with `int`; #DF, NMI and #MC run on IST stacks.
 *
 * The table is built once by the boot CPU before any other CPU starts and
 * is read-only afterwards (idt_set_dpl is for single-CPU tests).
 */
#include <arch/gdt.h>
#include <arch/traps.h>
#include <lib/printk.h>

#define GATE_INTERRUPT 0xe
#define GATE_PRESENT   0x80

struct idt_gate {
	u16 offset_lo;
	u16 selector;
	u8 ist;
	u8 type_attr;
	u16 offset_mid;
	u32 offset_hi;
	u32 reserved;
} __packed;

struct idt_ptr {
	u16 limit;
	u64 base;
} __packed;

STATIC_ASSERT(sizeof(struct idt_gate) == 16);

/* Entry stub addresses, one per vector (entry.S). */
extern const u64 trap_stubs[256];

static struct idt_gate idt[256] __aligned(16);
static bool idt_built;

/* Point vector's gate at handler, switching to IST slot ist (0: none), callable from ring dpl. */
static void idt_set_gate(int vector, u64 handler, int ist, int dpl)
{
	struct idt_gate *g = &idt[vector];
	g->offset_lo = handler & 0xffff;
	g->selector = KERNEL_CS;
	g->ist = ist;
	g->type_attr = GATE_PRESENT | (dpl << 5) | GATE_INTERRUPT;
	g->offset_mid = (handler >> 16) & 0xffff;
	g->offset_hi = handler >> 32;
	g->reserved = 0;
}

/* The IST slot a vector runs on: the ones that must work with a broken kernel stack. */
static int idt_ist_for(int vector)
{
	switch (vector) {
	case VEC_DF:
		return IST_DOUBLE_FAULT;
	case VEC_NMI:
		return IST_NMI;
	case VEC_MC:
		return IST_MACHINE_CHECK;
	default:
		return 0;
	}
}

void traps_init(void)
{
	if (idt_built)
		return;
	for (int v = 0; v < 256; v++)
		idt_set_gate(v, trap_stubs[v], idt_ist_for(v), 0);
	/* int3 (debuggers, assert-like traps) and into may come from user code. */
	idt_set_gate(VEC_BP, trap_stubs[VEC_BP], 0, 3);
	idt_set_gate(VEC_OF, trap_stubs[VEC_OF], 0, 3);
	idt_built = true;
}

void idt_load(void)
{
	struct idt_ptr p = { sizeof(idt) - 1, (u64)idt };
	__asm__ volatile("lidt %0" ::"m"(p));
}

void idt_set_dpl(int vector, int dpl)
{
	if (vector < 0 || vector > 255 || (dpl != 0 && dpl != 3)) {
		printk("idt_set_dpl: bad vector %d or dpl %d\n", vector, dpl);
		return;
	}
	idt_set_gate(vector, trap_stubs[vector], idt_ist_for(vector), dpl);
}
