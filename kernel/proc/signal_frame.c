/*
 * The signal frame: what a handler finds on its stack, and rt_sigreturn,
 * which puts the interrupted context back from it.
 *
 * Layout (Linux x86-64, top of the stack first):
 *
 *   user rsp - 128           the red zone is left alone (or: top of the altstack)
 *   fxsave image, 512 bytes  64-byte aligned; uc_mcontext.fpstate points here
 *   struct rt_sigframe_abi   pretcode, ucontext, siginfo; starts at a
 *                            16-byte boundary minus 8, as if the handler
 *                            had been called, pretcode being its return
 *                            address (the SA_RESTORER trampoline)
 *
 * The handler runs with rdi = signal, rsi = &info, rdx = &uc, rax = 0,
 * direction and trap flags clear, and a fresh FPU state.
 *
 * rt_sigreturn trusts nothing in the frame: CS and SS are forced to the
 * user selectors, rip must be canonical, only the arithmetic and
 * direction/trap/alignment flags come from the frame, and the MXCSR
 * reserved bits are cleared before fxrstor (which would #GP on them).
 */
#include <arch/asm_offsets.h>
#include <arch/cpu.h>
#include <arch/traps.h>
#include <lib/string.h>
#include <mm/layout.h>
#include <mm/usercopy.h>
#include <proc/signal.h>
#include <proc/task.h>
#include <uapi/errno.h>

#define RED_ZONE_BYTES 128
#define FPSTATE_ALIGN  64
/* rflags bits user code may set through a frame: CF PF AF ZF SF TF DF OF AC. */
#define RFLAGS_USER_MASK   0x40dd5ul
#define RFLAGS_TF	   (1ul << 8)
#define RFLAGS_DF	   (1ul << 10)
#define RFLAGS_RF	   (1ul << 16)
#define FX_MXCSR_OFF	   24
#define FX_MXCSR_MASK_OFF  28
#define FX_SW_RESERVED_OFF 464
#define USER_CANONICAL_END 0x800000000000ul

/* syscall.S compares these slots to choose between SYSRET and IRETQ. */
STATIC_ASSERT(offsetof(struct trap_frame, rcx) == TF_RCX);
STATIC_ASSERT(offsetof(struct trap_frame, r11) == TF_R11);

/* Is sp on t's alternate signal stack (which is never so when it auto-disarms)? */
static bool sas_on_stack(struct task *t, u64 sp)
{
	return t->sig.ss_size && sp > t->sig.ss_sp && sp - t->sig.ss_sp <= t->sig.ss_size;
}

/* sigaltstack's view of t's stack for a context whose rsp is sp. */
static void sas_save(struct task *t, u64 sp, struct sigaltstack_abi *ss)
{
	ss->ss_sp = t->sig.ss_sp;
	ss->ss_size = t->sig.ss_size;
	ss->pad = 0;
	if (!t->sig.ss_size)
		ss->ss_flags = SS_DISABLE;
	else
		ss->ss_flags = (sas_on_stack(t, sp) ? SS_ONSTACK : 0) | (s32)t->sig.ss_flags;
}

/* The MXCSR bits this CPU accepts (fxsave's MXCSR_MASK; 0 there means the default). */
static u32 fpu_mxcsr_mask(void)
{
	static u32 mask;
	if (!READ_ONCE(mask)) {
		u8 fx[FXSAVE_BYTES] __aligned(16);
		__asm__ volatile("fxsave64 %0" : "=m"(fx));
		u32 m;
		memcpy(&m, fx + FX_MXCSR_MASK_OFF, sizeof(m));
		WRITE_ONCE(mask, m ? m : 0xffbf);
	}
	return mask;
}

/* Where the frame and the FPU image go, or 0 if the stack cannot take them. */
static u64 frame_place(struct task *t, struct trap_frame *tf, u64 sa_flags, u64 *fp)
{
	u64 sp = tf->rsp - RED_ZONE_BYTES;
	bool was_on = sas_on_stack(t, tf->rsp);
	bool use_alt = (sa_flags & SA_ONSTACK) && t->sig.ss_size && !was_on;
	if (use_alt)
		sp = t->sig.ss_sp + t->sig.ss_size;
	*fp = ALIGN_DOWN(sp - FXSAVE_BYTES, FPSTATE_ALIGN);
	u64 frame = ALIGN_DOWN(*fp - sizeof(struct rt_sigframe_abi), 16) - 8;
	/* Running off the bottom of the altstack would trample whatever lies below it. */
	if ((use_alt || was_on) && frame < t->sig.ss_sp)
		return 0;
	if (frame > tf->rsp && !use_alt)
		return 0; /* wrapped around below address 0 */
	return frame;
}

/* The interrupted user context into sc. */
static void sigcontext_fill(struct sigcontext_abi *sc, const struct trap_frame *tf,
			    const struct ksignal *ks, u64 old_mask, u64 fp)
{
	*sc = (struct sigcontext_abi){
		.r8 = tf->r8,
		.r9 = tf->r9,
		.r10 = tf->r10,
		.r11 = tf->r11,
		.r12 = tf->r12,
		.r13 = tf->r13,
		.r14 = tf->r14,
		.r15 = tf->r15,
		.rdi = tf->rdi,
		.rsi = tf->rsi,
		.rbp = tf->rbp,
		.rbx = tf->rbx,
		.rdx = tf->rdx,
		.rax = tf->rax,
		.rcx = tf->rcx,
		.rsp = tf->rsp,
		.rip = tf->rip,
		.eflags = tf->rflags,
		.cs = (u16)tf->cs,
		.ss = (u16)tf->ss,
		.oldmask = old_mask,
		.fpstate = fp,
	};
	if (tf->vector < NUM_EXCEPTIONS) {
		sc->trapno = tf->vector;
		sc->err = tf->error_code;
	}
	int sig = ks->info.si_signo;
	if ((sig == SIGSEGV || sig == SIGBUS) && ks->info.si_code > 0)
		sc->cr2 = ks->info.fault.addr;
}

int signal_frame_setup(struct task *t, struct trap_frame *tf, struct ksignal *ks, u64 old_mask)
{
	struct rt_sigframe_abi f;
	u8 fx[FXSAVE_BYTES] __aligned(16);
	u64 fp;
	u64 addr = frame_place(t, tf, ks->ka.flags, &fp);
	if (!addr || !(ks->ka.flags & SA_RESTORER))
		return -EFAULT; /* x86-64 has no default trampoline: musl always supplies one */
	memset(&f, 0, sizeof(f));
	f.pretcode = ks->ka.restorer;
	f.uc.uc_flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
	sas_save(t, tf->rsp, &f.uc.uc_stack);
	sigcontext_fill(&f.uc.uc_mcontext, tf, ks, old_mask, fp);
	f.uc.uc_sigmask = old_mask;
	f.info = ks->info;
	__asm__ volatile("fxsave64 %0" : "=m"(fx));
	memset(fx + FX_SW_RESERVED_OFF, 0, FXSAVE_BYTES - FX_SW_RESERVED_OFF);
	if (copy_to_user((void __user *)fp, fx, sizeof(fx)) ||
	    copy_to_user((void __user *)addr, &f, sizeof(f)))
		return -EFAULT;
	if (t->sig.ss_flags & SS_AUTODISARM)
		t->sig.ss_sp = t->sig.ss_size = 0;
	tf->rip = ks->ka.handler;
	tf->rsp = addr;
	tf->rdi = ks->info.si_signo;
	tf->rsi = addr + offsetof(struct rt_sigframe_abi, info);
	tf->rdx = addr + offsetof(struct rt_sigframe_abi, uc);
	tf->rax = 0;
	tf->rflags &= ~(RFLAGS_DF | RFLAGS_TF | RFLAGS_RF);
	tf->cs = USER_CS;
	tf->ss = USER_DS;
	task_fpu_reset(t); /* the handler starts from the default FPU state */
	__asm__ volatile("fxrstor64 %0" ::"m"(t->fpu));
	return 0;
}

/* Load the FPU image at user address fp (0: the default state). 0 or -EFAULT. */
static int sigreturn_fpu(struct task *t, u64 fp)
{
	u8 fx[FXSAVE_BYTES] __aligned(16);
	if (!fp) {
		task_fpu_reset(t);
		__asm__ volatile("fxrstor64 %0" ::"m"(t->fpu));
		return 0;
	}
	if (copy_from_user(fx, (const void __user *)fp, sizeof(fx)))
		return -EFAULT;
	u32 mxcsr;
	memcpy(&mxcsr, fx + FX_MXCSR_OFF, sizeof(mxcsr));
	mxcsr &= fpu_mxcsr_mask();
	memcpy(fx + FX_MXCSR_OFF, &mxcsr, sizeof(mxcsr));
	__asm__ volatile("fxrstor64 %0" ::"m"(fx));
	return 0;
}

/* sigaltstack settings back from uc_stack (an auto-disarmed stack is re-armed). */
static void sigreturn_altstack(struct task *t, const struct sigaltstack_abi *ss, u64 sp)
{
	if (sas_on_stack(t, sp))
		return; /* as sigaltstack would refuse with EPERM: keep what is there */
	if (ss->ss_flags & SS_DISABLE) {
		t->sig.ss_sp = t->sig.ss_size = 0;
		t->sig.ss_flags = 0;
	} else if (ss->ss_size >= MINSIGSTKSZ) {
		t->sig.ss_sp = ss->ss_sp;
		t->sig.ss_size = ss->ss_size;
		t->sig.ss_flags = (u32)ss->ss_flags & SS_AUTODISARM;
	}
}

/* Registers back from a sigcontext, with the checks that keep a forged one harmless. */
static void sigreturn_regs(struct trap_frame *tf, const struct sigcontext_abi *sc)
{
	tf->r8 = sc->r8, tf->r9 = sc->r9, tf->r10 = sc->r10, tf->r11 = sc->r11;
	tf->r12 = sc->r12, tf->r13 = sc->r13, tf->r14 = sc->r14, tf->r15 = sc->r15;
	tf->rdi = sc->rdi, tf->rsi = sc->rsi, tf->rbp = sc->rbp, tf->rbx = sc->rbx;
	tf->rdx = sc->rdx, tf->rax = sc->rax, tf->rcx = sc->rcx, tf->rsp = sc->rsp;
	tf->rip = sc->rip;
	tf->rflags = (tf->rflags & ~RFLAGS_USER_MASK) | (sc->eflags & RFLAGS_USER_MASK);
	tf->cs = USER_CS;
	tf->ss = USER_DS;
}

long signal_sigreturn(struct trap_frame *tf)
{
	struct task *t = current;
	struct rt_sigframe_abi f;
	u64 addr = tf->rsp - 8; /* the handler's ret popped pretcode */
	t->sig.syscall_nr = -1; /* whatever rax comes back, it is no restart request */
	if (copy_from_user(&f, (const void __user *)addr, sizeof(f)))
		goto bad;
	const struct sigcontext_abi *sc = &f.uc.uc_mcontext;
	if (sc->rip >= USER_CANONICAL_END)
		goto bad;
	if (sigreturn_fpu(t, sc->fpstate))
		goto bad;
	sigreturn_regs(tf, sc);
	spin_lock(&task_lock);
	t->sigmask = f.uc.uc_sigmask & ~(sig_bit(SIGKILL) | sig_bit(SIGSTOP));
	spin_unlock(&task_lock);
	sigreturn_altstack(t, &f.uc.uc_stack, tf->rsp);
	return (long)tf->rax;
bad:
	signal_sigreturn_failed();
	return (long)tf->rax;
}
