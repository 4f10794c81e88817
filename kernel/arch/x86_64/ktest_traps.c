/*
 * Self-tests of segments, the IDT, entry/exit and exception fixups. Each
 * fault provoked here has a fixup or is one the kernel survives, so a
 * failure shows up as "not ok" or, if entry itself is broken, as a panic.
 */
#include <arch/asm.h>
#include <arch/cpu.h>
#include <arch/extable.h>
#include <arch/gdt.h>
#include <arch/mmu.h>
#include <arch/percpu.h>
#include <arch/traps.h>
#include <hooks.h>
#include <lib/string.h>
#include <mm/layout.h>
#include <mm/page.h>
#include <test/ktest.h>
#include <uapi/errno.h>

#define KTEST_IRQ_VEC	    0xd1
#define KTEST_USER_VEC	    0xd2
#define KTEST_USER_CODE_VA  0x400000ul
#define KTEST_USER_STACK_VA 0x800000ul

/* Divide hi:lo by d through an instruction with a fixup: 0, or -1 if it faulted. */
static int ktest_divide(u64 lo, u64 hi, u64 d)
{
	int err = 0;
	__asm__ volatile("1:	divq %[d]\n"
			 "2:\n"
			 ".pushsection .text.fixup, \"ax\"\n"
			 "3:	movl $-1, %[err]\n"
			 "	jmp 2b\n"
			 ".popsection\n" EXTABLE_ENTRY(1b, 3b)
			 : "+a"(lo), "+d"(hi), [err] "+r"(err)
			 : [d] "r"(d));
	return err;
}

KTEST(traps_segments_loaded)
{
	u16 cs, ss, tr;
	struct __packed {
		u16 limit;
		u64 base;
	} gdtr;
	__asm__ volatile("mov %%cs, %0; mov %%ss, %1; str %2; sgdt %3"
			 : "=r"(cs), "=r"(ss), "=r"(tr), "=m"(gdtr));
	struct tss *tss = this_cpu()->tss;
	KT_EXPECT(cs == KERNEL_CS);
	KT_EXPECT(ss == KERNEL_DS || ss == 0);
	KT_EXPECT(tr == GDT_TSS);
	KT_EXPECT(gdtr.limit == GDT_ENTRIES * 8 - 1);
	KT_EXPECT(tss != NULL);
	for (int i = 0; tss && i < 3; i++)
		KT_EXPECT(tss->ist[i] != 0 && IS_ALIGNED(tss->ist[i], 16));
	KT_EXPECT(this_cpu() == &cpus[0] && (u64)this_cpu() == rdmsr(MSR_GS_BASE));
}

KTEST(traps_extable_noncanonical)
{
	u64 v = 1;
	/* #GP: not a canonical address. */
	KT_EXPECT(kernel_read_nofault(0x8000000000000000ul, &v) == -EFAULT);
	KT_EXPECT(kernel_read_nofault(0xffff7fffffff0000ul, &v) == -EFAULT);
}

KTEST(traps_extable_unmapped)
{
	u64 v = 1;
	/* #PF on a kernel address: the far end of the MMIO window is never mapped. */
	KT_EXPECT(kernel_read_nofault(MMIO_BASE + MMIO_LIMIT_PA - PAGE_SIZE, &v) == -EFAULT);
	/* And a good read goes through untouched. */
	static const u64 magic = 0x5eed5eed5eed5eedul;
	KT_EXPECT(kernel_read_nofault((u64)&magic, &v) == 0 && v == magic);
	/* User addresses are refused without touching them. */
	KT_EXPECT(kernel_read_nofault(0x1000, &v) == -EFAULT);
}

KTEST(traps_extable_divide_error)
{
	KT_EXPECT(ktest_divide(100, 0, 7) == 0);
	KT_EXPECT(ktest_divide(100, 0, 0) == -1); /* #DE */
	KT_EXPECT(ktest_divide(0, 5, 2) == -1);	  /* quotient overflow is #DE too */
}

/* A kernel touching user memory from a usercopy-style instruction gets its fixup, not an oops. */
KTEST(traps_extable_user_address)
{
	int err = 0;
	u64 v = 0;
	stac();
	__asm__ volatile("1:	movq (%[addr]), %[v]\n"
			 "2:\n"
			 ".pushsection .text.fixup, \"ax\"\n"
			 "3:	movl $-1, %[err]\n"
			 "	jmp 2b\n"
			 ".popsection\n" EXTABLE_ENTRY(1b, 3b)
			 : [err] "+r"(err), [v] "+r"(v)
			 : [addr] "r"(0x1000ul)
			 : "memory");
	clac();
	KT_EXPECT(err == -1);
}

KTEST(traps_int3_kernel_survives)
{
	volatile int after = 0;
	__asm__ volatile("int3" ::: "memory");
	after = 1;
	KT_EXPECT(after == 1);
}

static struct trap_frame ktest_irq_seen;
static int ktest_irq_calls;

static void ktest_irq_handler(struct trap_frame *tf)
{
	ktest_irq_seen = *tf;
	ktest_irq_calls++;
}

/* A software interrupt reaches its registered handler with the registers in their frame slots. */
KTEST(traps_irq_frame_layout)
{
	ktest_irq_calls = 0;
	irq_register(KTEST_IRQ_VEC, ktest_irq_handler);
	__asm__ volatile("movq $0x1111, %%rbx\n\t"
			 "movq $0x2222, %%r12\n\t"
			 "movq $0x3333, %%r15\n\t"
			 "int %0" ::"i"(KTEST_IRQ_VEC)
			 : "rbx", "r12", "r15", "memory");
	irq_register(KTEST_IRQ_VEC, NULL);
	__asm__ volatile("int %0" ::"i"(KTEST_IRQ_VEC) : "memory"); /* unregistered: ignored */
	KT_EXPECT(ktest_irq_calls == 1);
	KT_EXPECT(ktest_irq_seen.vector == KTEST_IRQ_VEC && ktest_irq_seen.error_code == 0);
	KT_EXPECT(ktest_irq_seen.rbx == 0x1111 && ktest_irq_seen.r12 == 0x2222);
	KT_EXPECT(ktest_irq_seen.r15 == 0x3333);
	KT_EXPECT(ktest_irq_seen.cs == KERNEL_CS);
	KT_EXPECT(ktest_irq_seen.rip >= (u64)_text_start && ktest_irq_seen.rip < (u64)_text_end);
	KT_EXPECT(IS_ALIGNED((u64)&ktest_irq_seen, 8));
}

/*
 * Ring 3: iretq into a user page holding one of the snippets below, with
 * interrupts off. The snippet ends in a fault or in `int KTEST_USER_VEC`;
 * the test's handler (irq handler or user-fault hook) records what arrived
 * and turns the frame into a return to ktest_user_resume in ring 0.
 */
void ktest_enter_user(u64 rip, u64 rsp);
extern char ktest_user_resume[];
u64 ktest_user_saved_rsp;

__asm__(".pushsection .text\n"
	".globl ktest_enter_user\n"
	"ktest_enter_user:\n"
	"	pushq %rbp\n"
	"	pushq %rbx\n"
	"	pushq %r12\n"
	"	pushq %r13\n"
	"	pushq %r14\n"
	"	pushq %r15\n"
	"	movq %rsp, ktest_user_saved_rsp(%rip)\n"
	"	pushq $0x1b\n" /* ss: USER_DS */
	"	pushq %rsi\n"
	"	pushq $0x2\n"  /* rflags: interrupts off in user mode */
	"	pushq $0x23\n" /* cs: USER_CS */
	"	pushq %rdi\n"
	"	swapgs\n"
	"	iretq\n"
	".globl ktest_user_resume\n"
	"ktest_user_resume:\n"
	"	movq ktest_user_saved_rsp(%rip), %rsp\n"
	"	popq %r15\n"
	"	popq %r14\n"
	"	popq %r13\n"
	"	popq %r12\n"
	"	popq %rbx\n"
	"	popq %rbp\n"
	"	ret\n"
	".popsection\n");

/* User code snippets, copied to a user page; `at` labels the instruction expected to trap. */
#define KTEST_USER_SNIPPET(name, before, at)                                                       \
	extern char ktest_uc_##name[], ktest_uc_##name##_at[], ktest_uc_##name##_end[];            \
	__asm__(".pushsection .rodata\n"                                                           \
		"ktest_uc_" #name ":\n" before "\n"                                                \
		"ktest_uc_" #name "_at:\n" at "\n"                                                 \
		"ktest_uc_" #name "_end:\n"                                                        \
		".popsection\n")

KTEST_USER_SNIPPET(int,
		   "movabsq $0x1234567890abcdef, %rbx\n movq $0x5a5a, %r12\n"
		   "movq %rbx, -8(%rsp)\n int $0xd2",
		   "ud2");
KTEST_USER_SNIPPET(ud2, "movq $7, %rbx", "ud2");
KTEST_USER_SNIPPET(int3, "", "int3\n ud2");
KTEST_USER_SNIPPET(hlt, "", "hlt");
KTEST_USER_SNIPPET(div0, "xorl %ecx, %ecx", "divl %ecx");
KTEST_USER_SNIPPET(null, "", "movq 0x10, %rax");
KTEST_USER_SNIPPET(kaddr, "movabsq $0xffffffff80000000, %rax", "movq (%rax), %rax");
KTEST_USER_SNIPPET(rocode, "leaq ktest_uc_rocode(%rip), %rax", "movb $0, (%rax)");

struct ktest_user_result {
	struct trap_frame tf; /* as it arrived */
	u64 tf_addr;
	int signo, si_code;
	u64 addr;
	bool gs_ok;
};

static struct ktest_user_result ktest_ur;
static bool ktest_user_corrupt_rip; /* the irq handler makes the return to user fail */
static u8 ktest_user_kstack[8192] __aligned(16);

/* Record tf, then make it return to ktest_user_resume in ring 0. */
static void ktest_user_record(struct trap_frame *tf)
{
	ktest_ur.tf = *tf;
	ktest_ur.tf_addr = (u64)tf;
	ktest_ur.gs_ok = this_cpu() == &cpus[0];
	tf->rip = (u64)ktest_user_resume;
	tf->cs = KERNEL_CS;
	tf->ss = KERNEL_DS;
	tf->rsp = ktest_user_saved_rsp;
	tf->rflags = 0x2;
}

static void ktest_user_irq(struct trap_frame *tf)
{
	if (ktest_user_corrupt_rip) {
		tf->rip = 0x0000800000000000ul; /* non-canonical: the iretq to user faults */
		return;
	}
	ktest_user_record(tf);
}

static void ktest_user_fault(struct trap_frame *tf, int signo, int si_code, u64 addr)
{
	ktest_ur.signo = signo;
	ktest_ur.si_code = si_code;
	ktest_ur.addr = addr;
	ktest_user_record(tf);
}

/* Install the test's vector, hooks and rsp0 stack (or put everything back). */
static void ktest_user_hooks(bool on, u64 *saved_rsp0)
{
	struct tss *tss = this_cpu()->tss;
	u64 stack_top = (u64)ktest_user_kstack + sizeof(ktest_user_kstack);
	u64 old = tss->rsp[0];
	tss_set_rsp0(on ? stack_top : *saved_rsp0);
	*saved_rsp0 = old;
	irq_register(KTEST_USER_VEC, on ? ktest_user_irq : NULL);
	idt_set_dpl(KTEST_USER_VEC, on ? 3 : 0);
	traps_set_user_fault_hook(on ? ktest_user_fault : NULL);
}

/* Run code [start, end) at KTEST_USER_CODE_VA in root; the result lands in ktest_ur. */
static void ktest_user_run(phys_addr_t root, struct page *code, const char *start, const char *end)
{
	u64 old_cr3 = read_cr3(), rsp0 = 0;
	bool irqs = irq_is_enabled();
	memset(page_to_virt(code), 0, PAGE_SIZE);
	memcpy(page_to_virt(code), start, end - start);
	memset(&ktest_ur, 0, sizeof(ktest_ur));
	irq_disable();
	ktest_user_hooks(true, &rsp0);
	mmu_switch(root);
	ktest_enter_user(KTEST_USER_CODE_VA, KTEST_USER_STACK_VA + PAGE_SIZE);
	mmu_switch(old_cr3);
	ktest_user_hooks(false, &rsp0);
	if (irqs)
		irq_enable();
}

struct ktest_user_env {
	phys_addr_t root;
	struct page *code, *stack;
};

/* A root with the user code page (read-only, executable) and a stack page; false on OOM. */
static bool ktest_user_env_init(struct ktest_user_env *env)
{
	env->root = pt_root_alloc();
	env->code = frame_alloc(0, GFP_ZERO);
	env->stack = frame_alloc(0, GFP_ZERO);
	return env->root && env->code && env->stack &&
	       pt_map(env->root, KTEST_USER_CODE_VA, page_to_phys(env->code), PTE_U) == 0 &&
	       pt_map(env->root, KTEST_USER_STACK_VA, page_to_phys(env->stack),
		      PTE_U | PTE_W | PTE_NX) == 0;
}

static void ktest_user_env_free(struct ktest_user_env *env)
{
	if (env->root)
		pt_root_free(env->root);
	if (env->code)
		frame_free(env->code, 0);
	if (env->stack)
		frame_free(env->stack, 0);
}

/* The user address of label inside snippet start. */
static u64 ktest_user_va(const char *start, const char *label)
{
	return KTEST_USER_CODE_VA + (label - start);
}

KTEST(traps_user_mode_round_trip)
{
	struct ktest_user_env env;
	bool ok = ktest_user_env_init(&env);
	KT_EXPECT(ok);
	if (ok) {
		ktest_user_run(env.root, env.code, ktest_uc_int, ktest_uc_int_end);
		const struct trap_frame *tf = &ktest_ur.tf;
		u64 frame = (u64)ktest_user_kstack + sizeof(ktest_user_kstack) - sizeof(*tf);
		KT_EXPECT(ktest_ur.tf_addr == frame); /* entered on the TSS rsp0 stack */
		KT_EXPECT(tf->vector == KTEST_USER_VEC);
		KT_EXPECT(tf->cs == USER_CS && tf->ss == USER_DS);
		KT_EXPECT(tf->rip == ktest_user_va(ktest_uc_int, ktest_uc_int_at));
		KT_EXPECT(tf->rsp == KTEST_USER_STACK_VA + PAGE_SIZE);
		KT_EXPECT(tf->rbx == 0x1234567890abcdeful && tf->r12 == 0x5a5a);
		KT_EXPECT(ktest_ur.gs_ok && ktest_ur.signo == 0);
		u64 *stack_top = (u64 *)((u8 *)page_to_virt(env.stack) + PAGE_SIZE);
		KT_EXPECT(stack_top[-1] == 0x1234567890abcdeful);
	}
	ktest_user_env_free(&env);
}

struct ktest_user_case {
	const char *start, *at, *end;
	u64 vector;
	int signo, si_code;
	int addr_kind; /* 0: si_addr 0, 1: the faulting rip, 2: the given addr */
	u64 addr;
};

/* Each user-mode exception arrives as the signal Linux would send. */
KTEST(traps_user_exceptions_to_signals)
{
	const struct ktest_user_case cases[] = {
		{ ktest_uc_ud2, ktest_uc_ud2_at, ktest_uc_ud2_end, VEC_UD, SIGILL, ILL_ILLOPN, 1,
		  0 },
		{ ktest_uc_int3, ktest_uc_int3_at, ktest_uc_int3_end, VEC_BP, SIGTRAP, 0x80, 0, 0 },
		{ ktest_uc_hlt, ktest_uc_hlt_at, ktest_uc_hlt_end, VEC_GP, SIGSEGV, 0x80, 0, 0 },
		{ ktest_uc_div0, ktest_uc_div0_at, ktest_uc_div0_end, VEC_DE, SIGFPE, FPE_INTDIV, 1,
		  0 },
		{ ktest_uc_null, ktest_uc_null_at, ktest_uc_null_end, VEC_PF, SIGSEGV, SEGV_MAPERR,
		  2, 0x10 },
		{ ktest_uc_kaddr, ktest_uc_kaddr_at, ktest_uc_kaddr_end, VEC_PF, SIGSEGV,
		  SEGV_MAPERR, 2, KERNEL_VMA },
		{ ktest_uc_rocode, ktest_uc_rocode_at, ktest_uc_rocode_end, VEC_PF, SIGSEGV,
		  SEGV_MAPERR, 2, KTEST_USER_CODE_VA },
	};
	struct ktest_user_env env;
	bool ok = ktest_user_env_init(&env);
	KT_EXPECT(ok);
	for (size_t i = 0; ok && i < ARRAY_SIZE(cases); i++) {
		const struct ktest_user_case *c = &cases[i];
		u64 rip = ktest_user_va(c->start, c->at);
		u64 addr = c->addr_kind == 1 ? rip : c->addr;
		ktest_user_run(env.root, env.code, c->start, c->end);
		KT_EXPECT(ktest_ur.tf.vector == c->vector && ktest_ur.signo == c->signo);
		KT_EXPECT(ktest_ur.si_code == c->si_code && ktest_ur.addr == addr);
		/* int3 is a trap: rip is past it. The others are faults: rip is at them. */
		KT_EXPECT(ktest_ur.tf.rip == rip + (c->vector == VEC_BP));
		KT_EXPECT(ktest_ur.tf.cs == USER_CS && ktest_ur.gs_ok);
	}
	ktest_user_env_free(&env);
}

/* An iretq to a bad user frame faults in the kernel and becomes the user's own #GP. */
KTEST(traps_bad_iret_becomes_user_fault)
{
	struct ktest_user_env env;
	bool ok = ktest_user_env_init(&env);
	KT_EXPECT(ok);
	if (ok) {
		ktest_user_corrupt_rip = true;
		ktest_user_run(env.root, env.code, ktest_uc_int, ktest_uc_int_end);
		ktest_user_corrupt_rip = false;
		KT_EXPECT(ktest_ur.tf.vector == VEC_GP && ktest_ur.signo == SIGSEGV);
		KT_EXPECT(ktest_ur.tf.cs == USER_CS && ktest_ur.tf.rip == 0x0000800000000000ul);
		KT_EXPECT(ktest_ur.tf.rsp == KTEST_USER_STACK_VA + PAGE_SIZE);
		KT_EXPECT(ktest_ur.tf.rbx == 0x1234567890abcdeful && ktest_ur.gs_ok);
	}
	ktest_user_env_free(&env);
}
