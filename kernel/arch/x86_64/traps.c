/*
 * trap_dispatch: what entry.S calls for every interrupt and exception.
 *
 * Policy lives elsewhere: a page fault on a user address goes to mm/
 * (mm_handle_user_fault), a user-mode exception becomes a signal through
 * proc/ (proc_user_fault), a device interrupt goes to its registered
 * handler. What stays here is the mechanism: decoding the fault, the
 * exception-table fixups that let usercopy fail with -EFAULT, and the oops
 * report for kernel bugs.
 *
 * Runs with interrupts off (all IDT gates are interrupt gates) unless it
 * re-enables them for a page fault that interrupted code running with them on.
 */
#include <arch/asm_offsets.h>
#include <arch/cpu.h>
#include <arch/extable.h>
#include <arch/mmu.h>
#include <arch/percpu.h>
#include <arch/power.h>
#include <arch/timer.h>
#include <arch/traps.h>
#include <hooks.h>
#include <lib/printk.h>
#include <lib/spinlock.h>
#include <lib/string.h>
#include <mm/layout.h>
#include <proc/task.h>

#define RFLAGS_TF	 (1ul << 8)
#define DR6_TRAP_BITS	 0xful	     /* B0-B3: a hardware breakpoint matched */
#define DR6_SINGLESTEP	 (1ul << 14) /* BS */
#define DR6_RESET	 0xffff0ff0ul
#define NULL_GUARD_BYTES 0x10000ul /* faults this low are NULL dereferences */
#define GP_DIAGNOSIS                                                                               \
	"a non-canonical address (a corrupt pointer?), a bad segment or a privileged instruction"

STATIC_ASSERT(offsetof(struct trap_frame, rax) == TF_RAX);
STATIC_ASSERT(offsetof(struct trap_frame, vector) == TF_VECTOR);
STATIC_ASSERT(offsetof(struct trap_frame, rip) == TF_RIP);
STATIC_ASSERT(offsetof(struct trap_frame, cs) == TF_CS);
STATIC_ASSERT(offsetof(struct trap_frame, rflags) == TF_RFLAGS);
STATIC_ASSERT(offsetof(struct trap_frame, rsp) == TF_RSP);
STATIC_ASSERT(sizeof(struct trap_frame) == TF_SIZE);
STATIC_ASSERT(USER_CS == USER_CS_SEL && USER_DS == USER_DS_SEL);

/* What an exception is called, and the signal it means when user mode raises it. */
struct trap_info {
	const char *name;
	const char *mnemonic;
	int signo;	 /* 0: never turned into a signal */
	int si_code;	 /* refined at run time for #DB, #MF and #XM */
	bool addr_is_ip; /* si_addr is the faulting rip (else 0) */
};

static const struct trap_info trap_infos[NUM_EXCEPTIONS] = {
	[VEC_DE] = { "divide error", "#DE", SIGFPE, FPE_INTDIV, true },
	[VEC_DB] = { "debug", "#DB", SIGTRAP, TRAP_BRKPT, true },
	[VEC_NMI] = { "non-maskable interrupt", "NMI", 0, 0, false },
	[VEC_BP] = { "breakpoint", "#BP", SIGTRAP, SI_KERNEL, false },
	[VEC_OF] = { "overflow", "#OF", SIGSEGV, SI_KERNEL, false },
	[VEC_BR] = { "bound range exceeded", "#BR", SIGSEGV, SI_KERNEL, false },
	[VEC_UD] = { "invalid opcode", "#UD", SIGILL, ILL_ILLOPN, true },
	[VEC_NM] = { "device not available", "#NM", SIGSEGV, SI_KERNEL, false },
	[VEC_DF] = { "double fault", "#DF", 0, 0, false },
	[9] = { "coprocessor segment overrun", "#CSO", SIGFPE, SI_KERNEL, false },
	[VEC_TS] = { "invalid TSS", "#TS", SIGSEGV, SI_KERNEL, false },
	[VEC_NP] = { "segment not present", "#NP", SIGBUS, SI_KERNEL, false },
	[VEC_SS] = { "stack segment fault", "#SS", SIGBUS, SI_KERNEL, false },
	[VEC_GP] = { "general protection fault", "#GP", SIGSEGV, SI_KERNEL, false },
	[VEC_PF] = { "page fault", "#PF", SIGSEGV, SEGV_MAPERR, false },
	[VEC_MF] = { "x87 floating-point exception", "#MF", SIGFPE, 0, true },
	[VEC_AC] = { "alignment check", "#AC", SIGBUS, BUS_ADRALN, false },
	[VEC_MC] = { "machine check", "#MC", 0, 0, false },
	[VEC_XM] = { "SIMD floating-point exception", "#XM", SIGFPE, 0, true },
	[20] = { "virtualization exception", "#VE", SIGSEGV, SI_KERNEL, false },
	[21] = { "control protection", "#CP", SIGSEGV, SI_KERNEL, false },
};

static const struct trap_info trap_info_reserved = { "reserved exception", "#??", SIGSEGV,
						     SI_KERNEL, false };

static irq_handler_t irq_handlers[256];
static u8 irq_unexpected_seen[256]; /* report each unexpected vector once */

static trap_user_fault_fn trap_user_fault_hook; /* tests only; see traps_set_user_fault_hook */

extern char trap_iret_user[];

void traps_set_user_fault_hook(trap_user_fault_fn fn)
{
	WRITE_ONCE(trap_user_fault_hook, fn);
}

/* Report a fault that must become a signal: to proc/, or to a test's hook. */
static void trap_signal(struct trap_frame *tf, int signo, int si_code, u64 addr)
{
	trap_user_fault_fn fn = READ_ONCE(trap_user_fault_hook);
	if (fn)
		fn(tf, signo, si_code, addr);
	else
		proc_user_fault(tf, signo, si_code, addr);
}

static const struct trap_info *trap_info_of(u64 vector)
{
	if (vector < NUM_EXCEPTIONS && trap_infos[vector].name)
		return &trap_infos[vector];
	return &trap_info_reserved;
}

/* --- the oops report ----------------------------------------------------- */

/* "[kernel write, protection]" style decoding of a page-fault error code into buf. */
static const char *pf_err_describe(u64 err, char *buf, size_t len)
{
	const char *access = (err & PF_ERR_FETCH)   ? "fetch"
			     : (err & PF_ERR_WRITE) ? "write"
						    : "read";
	snprintf(buf, len, "%s %s, %s%s", (err & PF_ERR_USER) ? "user" : "kernel", access,
		 (err & PF_ERR_PRESENT) ? "protection violation" : "page not present",
		 (err & PF_ERR_RSVD) ? ", reserved bit" : "");
	return buf;
}

/* Every register in the frame, with the symbol rip falls in. */
static void trap_print_regs(const struct trap_frame *tf)
{
	u64 off = 0;
	const char *sym = ksym_lookup(tf->rip, &off);
	printk("RIP: %04lx:%016lx %s+%#lx\n", tf->cs, tf->rip, sym, off);
	printk("RSP: %04lx:%016lx RFLAGS: %08lx\n", tf->ss, tf->rsp, tf->rflags);
	printk("RAX: %016lx RBX: %016lx RCX: %016lx\n", tf->rax, tf->rbx, tf->rcx);
	printk("RDX: %016lx RSI: %016lx RDI: %016lx\n", tf->rdx, tf->rsi, tf->rdi);
	printk("RBP: %016lx R08: %016lx R09: %016lx\n", tf->rbp, tf->r8, tf->r9);
	printk("R10: %016lx R11: %016lx R12: %016lx\n", tf->r10, tf->r11, tf->r12);
	printk("R13: %016lx R14: %016lx R15: %016lx\n", tf->r13, tf->r14, tf->r15);
	printk("CR0: %016lx CR3: %016lx CR4: %016lx\n", read_cr0(), read_cr3(), read_cr4());
}

/*
 * Report a fatal exception and stop. why (may be NULL) says what it looks
 * like. in_panic is set first so a fault while reporting stops at once, and
 * so panic() does not print a second backtrace.
 */
static __noreturn void trap_oops(struct trap_frame *tf, u64 cr2, const char *why)
{
	const struct trap_info *ti = trap_info_of(tf->vector);
	struct cpu *c = this_cpu();
	char err[80];
	if (c->in_panic) {
		printk("\nnested %s at %#lx while reporting a fatal error\n", ti->mnemonic,
		       tf->rip);
		machine_panic_exit();
	}
	c->in_panic = true;
	printk("\nOops: %s (%s, vector %lu) in %s mode on cpu %d, error code %#lx\n", ti->name,
	       ti->mnemonic, tf->vector, trap_from_user(tf) ? "user" : "kernel", c->id,
	       tf->error_code);
	if (why)
		printk("  %s\n", why);
	if (tf->vector == VEC_PF)
		printk("CR2: %016lx [%s]\n", cr2,
		       pf_err_describe(tf->error_code, err, sizeof(err)));
	else if (tf->vector == VEC_DF)
		printk("CR2: %016lx (from the fault that could not be delivered, if any)\n", cr2);
	trap_print_regs(tf);
	if (!trap_from_user(tf))
		backtrace_print(tf->rbp);
	panic("fatal %s in %s mode", ti->mnemonic, trap_from_user(tf) ? "user" : "kernel");
}

/* --- page faults ------------------------------------------------------------- */

static bool cpu_has_smap_on(void)
{
	return read_cr4() & CR4_SMAP;
}

/* What a fatal kernel-mode fault on a user address most likely is. */
static const char *pf_user_addr_diagnosis(const struct trap_frame *tf, u64 addr, u64 fixup)
{
	bool fetch = tf->error_code & PF_ERR_FETCH;
	if (!fixup && addr < NULL_GUARD_BYTES)
		return fetch ? "call through a NULL function pointer" : "NULL pointer dereference";
	if (fetch)
		return "SMEP: the kernel tried to execute user memory";
	if (cpu_has_smap_on() && !(tf->rflags & RFLAGS_AC))
		return "SMAP: the kernel touched user memory outside stac/clac";
	if (!fixup)
		return "kernel access to user memory outside a usercopy helper";
	return "page fault on user memory while holding a spinlock";
}

/*
 * A kernel-mode access to a user address is legitimate only from a usercopy
 * instruction (it has a fixup), inside its stac/clac window, with no
 * spinlock held (the mm may need to sleep or allocate). Anything else is a
 * kernel bug: oops.
 */
static void pf_check_kernel_access(struct trap_frame *tf, u64 addr, u64 fixup)
{
	bool smap_bad = cpu_has_smap_on() && !(tf->rflags & RFLAGS_AC);
	if (!fixup || smap_bad || (tf->error_code & PF_ERR_FETCH) || this_cpu()->nheld > 0)
		trap_oops(tf, addr, pf_user_addr_diagnosis(tf, addr, fixup));
}

/* Ask the mm; a kernel thread or early boot has no user address space to fault in. */
static enum fault_result pf_ask_mm(struct trap_frame *tf, u64 addr)
{
	struct task *t = current;
	if (!t || !t->mm)
		return FAULT_SEGV_MAPERR;
	return mm_handle_user_fault(tf, addr, tf->error_code);
}

/* Turn an unresolved user-mode fault into its signal. */
static void pf_signal(struct trap_frame *tf, enum fault_result r, u64 addr)
{
	switch (r) {
	case FAULT_SEGV_ACCERR:
		trap_signal(tf, SIGSEGV, SEGV_ACCERR, addr);
		break;
	case FAULT_SIGBUS:
		trap_signal(tf, SIGBUS, BUS_ADRERR, addr);
		break;
	case FAULT_OOM:
		trap_signal(tf, SIGKILL, 0, addr);
		break;
	default:
		trap_signal(tf, SIGSEGV, SEGV_MAPERR, addr);
		break;
	}
}

/*
 * A fault on a user address, from user mode or from a usercopy helper.
 * Interrupts come back on (if they were on) before the mm is asked, since
 * resolving the fault may allocate or sleep. Unresolved: a signal for user
 * mode; the fixup (-EFAULT) for the kernel, and for OOM also a SIGKILL
 * that takes effect at the next return to user mode.
 */
static void pf_user_addr(struct trap_frame *tf, u64 addr)
{
	bool user = trap_from_user(tf);
	u64 fixup = user ? 0 : extable_search(tf->rip);
	if (!user)
		pf_check_kernel_access(tf, addr, fixup);
	if (tf->rflags & RFLAGS_IF)
		irq_enable();
	enum fault_result r = pf_ask_mm(tf, addr);
	if (r == FAULT_HANDLED)
		return;
	if (user) {
		pf_signal(tf, r, addr);
		return;
	}
	tf->rip = fixup;
	if (r == FAULT_OOM)
		trap_signal(tf, SIGKILL, 0, addr);
}

/* What a fatal kernel-mode fault on a kernel address most likely is. */
static const char *pf_kernel_addr_diagnosis(const struct trap_frame *tf, u64 addr)
{
	u64 err = tf->error_code;
	if (mmu_is_guard(addr))
		return "kernel stack overflow: hit a guard page";
	if ((err & PF_ERR_FETCH) && (err & PF_ERR_PRESENT))
		return "the kernel tried to execute a non-executable page";
	if ((err & PF_ERR_WRITE) && (err & PF_ERR_PRESENT))
		return "write to a read-only kernel page";
	return "unable to handle kernel paging request";
}

/* #PF: CR2 is read before anything can fault again or re-enable interrupts. */
static void pf_dispatch(struct trap_frame *tf)
{
	u64 addr = read_cr2();
	if (tf->error_code & PF_ERR_RSVD)
		trap_oops(tf, addr, "reserved bit set in a page-table entry: corrupt page table");
	if (addr < USER_TOP) {
		pf_user_addr(tf, addr);
	} else if (trap_from_user(tf)) {
		trap_signal(tf, SIGSEGV, SEGV_MAPERR, addr);
	} else {
		u64 fixup = extable_search(tf->rip);
		if (!fixup)
			trap_oops(tf, addr, pf_kernel_addr_diagnosis(tf, addr));
		tf->rip = fixup;
	}
}

/* --- other exceptions ------------------------------------------------------ */

/* si_code of a pending x87 (#MF) or SSE (#XM) exception; 0 if none is pending (spurious). */
static int trap_fpu_si_code(u64 vector)
{
	u32 status, masked;
	if (vector == VEC_MF) {
		u16 sw, cw;
		__asm__ volatile("fnstsw %0\n\tfnstcw %1" : "=m"(sw), "=m"(cw));
		status = sw;
		masked = cw;
	} else {
		u32 mxcsr;
		__asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
		status = mxcsr;
		masked = mxcsr >> 7;
	}
	u32 pending = status & ~masked & 0x3f;
	if (pending & 0x01)
		return FPE_FLTINV;
	if (pending & 0x04)
		return FPE_FLTDIV;
	if (pending & 0x08)
		return FPE_FLTOVF;
	if (pending & 0x12)
		return FPE_FLTUND;
	return (pending & 0x20) ? FPE_FLTRES : 0;
}

/* si_code for a user #DB from DR6, which is then reset for the next one. */
static int trap_debug_si_code(void)
{
	u64 dr6;
	__asm__ volatile("mov %%dr6, %0" : "=r"(dr6));
	__asm__ volatile("mov %0, %%dr6" ::"r"(DR6_RESET));
	if (dr6 & DR6_SINGLESTEP)
		return TRAP_TRACE;
	return (dr6 & DR6_TRAP_BITS) ? TRAP_HWBKPT : TRAP_BRKPT;
}

/* A user-mode exception other than #PF: the signal Linux sends for it. */
static void trap_user_exception(struct trap_frame *tf)
{
	const struct trap_info *ti = trap_info_of(tf->vector);
	int code = ti->si_code;
	if (tf->vector == VEC_DB)
		code = trap_debug_si_code();
	if (tf->vector == VEC_MF || tf->vector == VEC_XM) {
		code = trap_fpu_si_code(tf->vector);
		if (!code)
			return;
	}
	if (tf->vector == VEC_NM)
		printk("traps: unexpected #NM from user mode at %#lx\n", tf->rip);
	trap_signal(tf, ti->signo, code, ti->addr_is_ip ? tf->rip : 0);
}

/*
 * The faulting instruction is our own iretq to user mode: the frame it was
 * given is bad (a non-canonical rip from sigreturn, say). entry.S already
 * switched back to the kernel GS. The general registers in tf are the
 * user's (they had all been restored), and tf->rsp points at the iret frame
 * that failed: make tf that user context, so the fault is handled as the
 * user's own and a signal ends up killing or redirecting it.
 */
static void trap_bad_iret(struct trap_frame *tf)
{
	memmove(&tf->rip, (const void *)tf->rsp, 5 * sizeof(u64));
}

/*
 * stac/clac fault with #UD on CPUs without SMAP; there they have nothing to
 * do, so step over them. Returns true if it did.
 */
static bool trap_emulate_smap_insn(struct trap_frame *tf)
{
	const u8 *p = (const u8 *)tf->rip;
	if (cpu_has_smap_on() || p[0] != 0x0f || p[1] != 0x01 || (p[2] != 0xca && p[2] != 0xcb))
		return false;
	tf->rip += 3;
	return true;
}

/*
 * A kernel-mode exception. int3 and #DB are reported and survived (a
 * stray breakpoint should not kill the machine); a fixup handles the rest
 * if the instruction has one; anything else is a kernel bug.
 */
static void trap_kernel_exception(struct trap_frame *tf)
{
	u64 off = 0;
	const char *sym = ksym_lookup(tf->rip, &off);
	if (tf->vector == VEC_BP) {
		printk("traps: int3 in the kernel at %s+%#lx, continuing\n", sym, off);
		return;
	}
	if (tf->vector == VEC_DB) {
		printk("traps: #DB in the kernel at %s+%#lx, single-step off\n", sym, off);
		trap_debug_si_code(); /* resets DR6 */
		tf->rflags &= ~RFLAGS_TF;
		return;
	}
	if (tf->vector == VEC_UD && trap_emulate_smap_insn(tf))
		return;
	u64 fixup = extable_search(tf->rip);
	if (!fixup)
		trap_oops(tf, read_cr2(), tf->vector == VEC_GP ? GP_DIAGNOSIS : NULL);
	tf->rip = fixup;
}

/* An NMI that is not the profiler's sample: report and carry on. */
static void trap_nmi(struct trap_frame *tf)
{
	u64 off = 0;
	const char *sym = ksym_lookup(tf->rip, &off);
	printk("traps: NMI on cpu %d at %s+%#lx, ignored\n", this_cpu()->id, sym, off);
}

/* #DF: the stack is probably gone; the report runs on the IST stack. */
static __noreturn void trap_double_fault(struct trap_frame *tf)
{
	u64 cr2 = read_cr2();
	const char *why = "double fault: an exception could not be delivered";
	if (mmu_is_guard(cr2) || mmu_is_guard(tf->rsp) || mmu_is_guard(tf->rsp - 8))
		why = "kernel stack overflow: the CPU could not push onto a guard page";
	trap_oops(tf, cr2, why);
}

/* --- device interrupts ----------------------------------------------------- */

void irq_register(int vector, irq_handler_t h)
{
	if (vector < NUM_EXCEPTIONS || vector > VEC_SPURIOUS) {
		printk("irq_register: vector %d is not a device vector\n", vector);
		return;
	}
	WRITE_ONCE(irq_handlers[vector], h);
}

/* A vector nobody registered: say so once. A masked legacy PIC can still send a spurious one. */
static void irq_unexpected(int vector)
{
	if (vector >= VEC_PIC_BASE && vector < VEC_PIC_BASE + 16)
		return;
	if (!irq_unexpected_seen[vector]) {
		irq_unexpected_seen[vector] = 1;
		printk("traps: unexpected interrupt on vector %d (cpu %d)\n", vector,
		       this_cpu()->id);
	}
}

/* True for vectors whose interrupts are never acknowledged at the local APIC. */
static bool irq_takes_no_eoi(int vector, bool handled)
{
	if (vector == VEC_SPURIOUS)
		return true; /* the APIC did not mark it in service */
	return !handled && vector >= VEC_PIC_BASE && vector < VEC_PIC_BASE + 16;
}

/*
 * Device interrupt: run the handler with interrupts off, then EOI at the
 * local APIC. Handlers must not switch tasks; preemption happens on the way
 * out (proc_return_to_user). The APIC's spurious vector takes no EOI, nor
 * does a stray interrupt from the masked legacy PICs, which bypass the APIC.
 */
static void irq_dispatch(struct trap_frame *tf)
{
	int vector = (int)tf->vector;
	irq_handler_t h = READ_ONCE(irq_handlers[vector]);
	if (h)
		h(tf);
	else if (vector != VEC_SPURIOUS)
		irq_unexpected(vector);
	if (!irq_takes_no_eoi(vector, h != NULL))
		apic_eoi();
}

/* --- the dispatcher ------------------------------------------------------------ */

void trap_dispatch(struct trap_frame *tf)
{
	if (tf->vector > 255)
		trap_oops(tf, 0, "trap frame with an impossible vector");
	if (tf->vector >= NUM_EXCEPTIONS) {
		irq_dispatch(tf);
		return;
	}
	switch (tf->vector) {
	case VEC_PF:
		pf_dispatch(tf);
		return;
	case VEC_NMI:
		if (!profile_nmi(tf))
			trap_nmi(tf);
		return;
	case VEC_DF:
		trap_double_fault(tf);
	case VEC_MC:
		trap_oops(tf, 0, "machine check: the hardware reports an uncorrectable error");
	}
	if (!trap_from_user(tf) && tf->rip == (u64)trap_iret_user)
		trap_bad_iret(tf);
	if (trap_from_user(tf))
		trap_user_exception(tf);
	else
		trap_kernel_exception(tf);
}
