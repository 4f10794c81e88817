/*
 * System-call dispatch. The table is filled at boot from the
 * SYSCALL_REGISTER entries that each subsystem's sys_*.c file places in the
 * .syscalls section, so adding a call touches one file. Unknown numbers
 * return -ENOSYS and are logged once each, so gaps show up in the log.
 */
#include <arch/traps.h>
#include <lib/printk.h>
#include <proc/task.h>
#include <syscall/syscall.h>
#include <uapi/errno.h>

extern const struct syscall_desc __syscalls_start[], __syscalls_end[];

static syscall_fn_t syscall_table[NR_SYSCALLS];
static u8 syscall_enosys_logged[NR_SYSCALLS / 8]; /* racy bit set: at worst a second log line */

void syscall_init(void)
{
	for (const struct syscall_desc *d = __syscalls_start; d < __syscalls_end; d++) {
		if (d->nr >= NR_SYSCALLS || syscall_table[d->nr])
			panic("syscall %s: bad or duplicate number %u", d->name, d->nr);
		syscall_table[d->nr] = d->fn;
	}
}

static long syscall_enosys(unsigned nr)
{
	if (nr < NR_SYSCALLS && !(syscall_enosys_logged[nr / 8] & (1 << (nr % 8)))) {
		syscall_enosys_logged[nr / 8] |= 1 << (nr % 8);
		const char *name = syscall_name(nr);
		printk("cowix: unimplemented system call %s (%u)\n", name ? name : "?", nr);
	}
	return -ENOSYS;
}

void syscall_dispatch(struct trap_frame *tf)
{
	u64 nr = tf->rax;
	syscall_fn_t fn = nr < NR_SYSCALLS ? syscall_table[nr] : NULL;
	if (!fn) {
		tf->rax = syscall_enosys(nr);
		return;
	}
	/* Kept for proc_return_to_user: an -ERESTART* result re-runs this call (proc/signal.c). */
	current->sig.syscall_nr = nr;
	long r = fn(tf->rdi, tf->rsi, tf->rdx, tf->r10, tf->r8, tf->r9);
	tf->rax = r;
}
