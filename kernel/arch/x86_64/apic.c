/*
 * Interrupt controllers: the local APIC of each CPU (its timer gives the
 * scheduler tick) and the IOAPIC that delivers ISA device interrupts, and
 * the profiler's sampling NMI to every CPU. The legacy 8259 PICs are
 * masked for good.
 *
 * The LAPIC is used in xAPIC mode through MMIO (QEMU's TCG has no x2APIC).
 * Every CPU sees its own LAPIC at the same physical address, so one mapping
 * serves all of them. The IOAPIC's register window (select, then access) is
 * a two-step protocol, so ioapic_lock keeps CPUs from interleaving.
 */
#include <arch/cpu.h>
#include <arch/io.h>
#include <arch/mmu.h>
#include <arch/percpu.h>
#include <arch/timer.h>
#include <arch/traps.h>
#include <hooks.h>
#include <lib/printk.h>
#include <lib/spinlock.h>
#include <mm/layout.h>
#include <proc/task.h>

#define LAPIC_ID	 0x020
#define LAPIC_TPR	 0x080
#define LAPIC_LDR	 0x0d0
#define LAPIC_DFR	 0x0e0
#define LAPIC_EOI	 0x0b0
#define LAPIC_SVR	 0x0f0
#define LAPIC_ESR	 0x280
#define LAPIC_LVT_TIMER	 0x320
#define LAPIC_LVT_LINT0	 0x350
#define LAPIC_LVT_LINT1	 0x360
#define LAPIC_LVT_ERROR	 0x370
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR	 0x390
#define LAPIC_TIMER_DIV	 0x3e0
#define SVR_ENABLE	 (1u << 8)
#define LVT_MASKED	 (1u << 16)
#define LVT_PERIODIC	 (1u << 17)
#define LVT_DELIVERY_NMI (4u << 8)
#define DFR_FLAT	 0xffffffffu /* logical destinations are a bitmap of up to 8 CPUs */
#define TIMER_DIV_16	 0x3
#define APIC_BASE_ENABLE (1ul << 11)
#define APIC_BASE_X2APIC (1ul << 10)
#define APIC_BASE_ADDR	 0x000ffffffffff000ul
#define LAPIC_CAL_NS	 10000000ull /* calibrate over 10 ms */
#define LAPIC_CAL_TRIES	 20
#define NS_PER_SEC	 1000000000ull

#define IOAPIC_PHYS	 0xfec00000ul
#define IOAPIC_SEL	 0x00 /* u32 index of the select register */
#define IOAPIC_WIN	 0x04 /* u32 index of the data window (byte offset 0x10) */
#define IOAPIC_REG_VER	 0x01
#define IOAPIC_REDTBL(p) (0x10 + 2 * (p))
#define IOAPIC_MASKED	 (1u << 16)
#define IOAPIC_DM_NMI	 (4u << 8)
#define IOAPIC_DEST_LOG	 (1u << 11) /* the destination is a logical one (flat bitmap) */
#define IOAPIC_ALL_CPUS	 0xffu	    /* logical destination: every CPU whose LDR has a bit */

STATIC_ASSERT(MAX_CPUS <= 8); /* one LDR bit per CPU in the flat model */

#define PIC1_CMD  0x20
#define PIC1_DATA 0x21
#define PIC2_CMD  0xa0
#define PIC2_DATA 0xa1

u64 lapic_timer_hz;
static volatile u32 *lapic;  /* set once by the boot CPU */
static volatile u32 *ioapic; /* set once by the boot CPU */
static int ioapic_pins;
/* A leaf lock (nothing is taken under it); it shares the console's rank. */
static struct spinlock ioapic_lock = SPINLOCK_INIT("ioapic", LOCK_RANK_CONSOLE);

static u32 lapic_read(u32 reg)
{
	return lapic[reg / 4];
}

static void lapic_write(u32 reg, u32 v)
{
	lapic[reg / 4] = v;
}

void apic_eoi(void)
{
	if (lapic)
		lapic_write(LAPIC_EOI, 0);
}

/*
 * Reprogram both 8259s to VEC_PIC_BASE..+15, then mask every line. The
 * remap matters only for a spurious IRQ 7/15 they might still raise: at the
 * firmware's vectors it would look like a CPU exception.
 */
static void pic_disable(void)
{
	outb(PIC1_CMD, 0x11); /* ICW1: init, ICW4 follows */
	outb(PIC2_CMD, 0x11);
	outb(PIC1_DATA, VEC_PIC_BASE); /* ICW2: vector base */
	outb(PIC2_DATA, VEC_PIC_BASE + 8);
	outb(PIC1_DATA, 1 << 2); /* ICW3: slave on IRQ 2 */
	outb(PIC2_DATA, 2);
	outb(PIC1_DATA, 0x01); /* ICW4: 8086 mode */
	outb(PIC2_DATA, 0x01);
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
}

/*
 * The timer tick: count it and let the scheduler account it. The trap
 * dispatcher sends the EOI after this returns; any task switch waits for
 * the way out of the interrupt.
 */
static void apic_timer_irq(struct trap_frame *tf)
{
	this_cpu()->ticks++;
	if (current_task())
		sched_tick(tf);
}

/* Map the LAPIC (boot CPU) and make sure it is enabled in xAPIC mode. */
static bool lapic_map(bool boot_cpu)
{
	u64 base = rdmsr(MSR_APIC_BASE);
	if (base & APIC_BASE_X2APIC)
		panic("apic: firmware left the LAPIC in x2APIC mode; only xAPIC is supported");
	wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
	if (boot_cpu)
		lapic = mmio_map(base & APIC_BASE_ADDR, PAGE_SIZE);
	return lapic != NULL;
}

/*
 * Count the LAPIC timer (divided by 16) for 10 ms of clock_ns(). The start
 * and end each lie between two clock reads; *slop_ns gets the width of
 * both brackets, which a host stall of the vCPU widens. Counts (< 2^32)
 * times 10^9 fits in 64 bits.
 */
static u64 lapic_timer_try_hz(u64 *slop_ns)
{
	u64 start_lo = clock_ns();
	lapic_write(LAPIC_TIMER_INIT, 0xffffffffu);
	u64 start_hi = clock_ns();
	while (clock_ns() - start_hi < LAPIC_CAL_NS)
		cpu_relax();
	u64 end_lo = clock_ns();
	u32 left = lapic_read(LAPIC_TIMER_CUR);
	u64 end_hi = clock_ns();
	lapic_write(LAPIC_TIMER_INIT, 0);
	*slop_ns = (start_hi - start_lo) + (end_hi - end_lo);
	u64 elapsed_ns = (end_lo + end_hi) / 2 - (start_lo + start_hi) / 2;
	return (0xffffffffull - left) * NS_PER_SEC / elapsed_ns;
}

/*
 * The LAPIC timer's rate: every CPU's runs from the same bus clock, so the
 * boot CPU measures it once. Retries a measurement whose brackets exceed
 * 1% of it (each LAPIC access costs microseconds under TCG; a host stall
 * costs milliseconds); after LAPIC_CAL_TRIES, keeps the tightest.
 */
static u64 lapic_timer_measure_hz(void)
{
	u64 best = 0, best_slop = ~0ull;
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	lapic_write(LAPIC_TIMER_DIV, TIMER_DIV_16);
	for (int i = 0; i < LAPIC_CAL_TRIES; i++) {
		u64 slop, hz = lapic_timer_try_hz(&slop);
		if (slop < best_slop) {
			best = hz;
			best_slop = slop;
		}
		if (slop * 100 < LAPIC_CAL_NS)
			break;
	}
	return best;
}

/*
 * Local interrupt sources: only the timer (and NMI on the boot CPU) are
 * live. The logical ID, bit `id` in the flat model, makes this CPU one of
 * IOAPIC_ALL_CPUS: from here on it may get broadcast NMIs (its IDT is loaded).
 */
static void lapic_setup_lvt(bool boot_cpu)
{
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_DFR, DFR_FLAT);
	lapic_write(LAPIC_LDR, (1u << this_cpu()->id) << 24);
	lapic_write(LAPIC_LVT_LINT0, LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT1, boot_cpu ? LVT_DELIVERY_NMI : LVT_MASKED);
	lapic_write(LAPIC_LVT_ERROR, LVT_MASKED);
	lapic_write(LAPIC_ESR, 0); /* the ESR latches on write: twice clears it */
	lapic_write(LAPIC_ESR, 0);
	lapic_write(LAPIC_SVR, SVR_ENABLE | VEC_SPURIOUS);
}

/* Periodic tick at HZ on VEC_TIMER. */
static void lapic_timer_start(void)
{
	lapic_write(LAPIC_TIMER_DIV, TIMER_DIV_16);
	lapic_write(LAPIC_LVT_TIMER, VEC_TIMER | LVT_PERIODIC);
	lapic_write(LAPIC_TIMER_INIT, (u32)(lapic_timer_hz / HZ));
}

static u32 ioapic_read(u32 reg)
{
	ioapic[IOAPIC_SEL] = reg;
	return ioapic[IOAPIC_WIN];
}

static void ioapic_write(u32 reg, u32 v)
{
	ioapic[IOAPIC_SEL] = reg;
	ioapic[IOAPIC_WIN] = v;
}

/* Map the IOAPIC and mask every pin until a driver routes it. Boot CPU, once. */
static void ioapic_init(void)
{
	ioapic = mmio_map(IOAPIC_PHYS, PAGE_SIZE);
	if (!ioapic) {
		printk("apic: cannot map the IOAPIC: no device interrupts\n");
		return;
	}
	ioapic_pins = ((ioapic_read(IOAPIC_REG_VER) >> 16) & 0xff) + 1;
	for (int pin = 0; pin < ioapic_pins; pin++)
		ioapic_write(IOAPIC_REDTBL(pin), IOAPIC_MASKED);
}

/*
 * ISA IRQ to IOAPIC pin. QEMU's pc machine moves only IRQ 0 (the PIT) among
 * the edge-triggered ISA lines, to pin 2; its level-triggered overrides are
 * for PCI and ACPI lines this kernel does not route.
 */
static int ioapic_isa_pin(int irq)
{
	return irq == 0 ? 2 : irq;
}

/*
 * Point ISA irq's pin at destination dest with the low word low (vector,
 * delivery and destination modes; edge-triggered and active-high, as ISA
 * interrupts are). False if there is no such pin. Caller checked ioapic.
 */
static bool ioapic_program(int irq, u32 dest, u32 low)
{
	int pin = ioapic_isa_pin(irq);
	if (irq < 0 || pin >= ioapic_pins)
		return false;
	spin_lock(&ioapic_lock);
	ioapic_write(IOAPIC_REDTBL(pin) + 1, dest << 24);
	ioapic_write(IOAPIC_REDTBL(pin), low); /* low word last: this unmasks */
	spin_unlock(&ioapic_lock);
	return true;
}

/*
 * Fixed delivery to the boot CPU. Without an IOAPIC mapping (no mmio_map
 * yet) the IRQ simply stays off, so the console still works for output.
 */
void ioapic_route(int irq, int vector)
{
	if (!ioapic) {
		printk("apic: no IOAPIC: IRQ %d stays off\n", irq);
		return;
	}
	if (!ioapic_program(irq, cpus[0].apic_id, (u32)vector))
		panic("ioapic_route: no IOAPIC pin for IRQ %d", irq);
}

/*
 * Edge-triggered NMIs to every CPU that has run apic_init_cpu (logical
 * destination, see lapic_setup_lvt); an NMI has no vector and takes no EOI.
 */
bool ioapic_route_nmi(int irq)
{
	return ioapic && ioapic_program(irq, IOAPIC_ALL_CPUS, IOAPIC_DM_NMI | IOAPIC_DEST_LOG);
}

/* This CPU's LAPIC; on the boot CPU also the PICs, the IOAPIC and the calibration. */
void apic_init_cpu(bool boot_cpu)
{
	if (boot_cpu)
		pic_disable();
	if (!lapic_map(boot_cpu)) {
		printk("apic: cannot map the local APIC: no timer interrupts\n");
		return;
	}
	this_cpu()->apic_id = lapic_read(LAPIC_ID) >> 24;
	lapic_setup_lvt(boot_cpu);
	if (boot_cpu) {
		irq_register(VEC_TIMER, apic_timer_irq);
		lapic_timer_hz = lapic_timer_measure_hz();
		printk(
		    "apic: LAPIC timer %lu Hz after divide-by-16, %lu counts per tick at HZ=%d\n",
		    lapic_timer_hz, lapic_timer_hz / HZ, HZ);
		ioapic_init();
	}
	lapic_timer_start();
}

void timer_init(void)
{
	static bool calibrated; /* the boot CPU's call runs before any other CPU's */
	bool boot_cpu = !calibrated;
	if (boot_cpu) {
		tsc_calibrate();
		calibrated = true;
	}
	apic_init_cpu(boot_cpu);
}
