/* Process-identity, exit, wait and exec system calls: thin decoders over proc/. */
#include <arch/cpu.h>
#include <arch/power.h>
#include <lib/printk.h>
#include <mm/layout.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <mm/usercopy.h>
#include <proc/exec.h>
#include <proc/futex.h>
#include <proc/task.h>
#include <syscall/syscall.h>
#include <uapi/errno.h>
#include <uapi/wait.h>


static long sys_getpid(void)
{
	return current->tgid;
}
SYSCALL_REGISTER(39, getpid, sys_getpid);

static long sys_gettid(void)
{
	return current->pid;
}
SYSCALL_REGISTER(186, gettid, sys_gettid);

static long sys_getppid(void)
{
	struct task *p = READ_ONCE(current->parent);
	return p ? p->tgid : 0;
}
SYSCALL_REGISTER(110, getppid, sys_getppid);

/* Everyone is root until credentials exist. */
static long sys_getuid(void)
{
	return 0;
}
SYSCALL_REGISTER(102, getuid, sys_getuid);
SYSCALL_REGISTER(104, getgid, sys_getuid);
SYSCALL_REGISTER(107, geteuid, sys_getuid);
SYSCALL_REGISTER(108, getegid, sys_getuid);

static long sys_exit(int code)
{
	do_exit(W_EXITCODE(code, 0));
}
SYSCALL_REGISTER(60, exit, sys_exit);

/* End every thread of the process with this status. */
static long sys_exit_group(int code)
{
	int status = W_EXITCODE(code, 0);
	struct task *leader = current->group_leader;
	spin_lock(&task_lock);
	thread_group_exit_locked(leader, status);
	spin_unlock(&task_lock);
	do_exit(status);
}
SYSCALL_REGISTER(231, exit_group, sys_exit_group);

static long sys_wait4(int pid, int __user *status, int options, void __user *rusage)
{
	return do_wait4(pid, status, options, rusage); /* proc/exit.c; declared in proc/signal.h */
}
SYSCALL_REGISTER(61, wait4, sys_wait4);

static long sys_execve(const char __user *upath, char *const __user *uargv,
		       char *const __user *uenvp)
{
	struct exec_args a;
	char *path = kmalloc(4096, 0);
	long r = path ? strncpy_from_user(path, upath, 4096) : -ENOMEM;
	if (r < 0)
		goto free_path;
	if ((r = exec_args_init(&a)))
		goto free_path;
	r = exec_args_copy_user(&a, uargv, false);
	if (!r)
		r = exec_args_copy_user(&a, uenvp, true);
	if (!r)
		r = do_execve(path, &a);
	exec_args_free(&a);
free_path:
	kfree(path);
	return r;
}
SYSCALL_REGISTER(59, execve, sys_execve);

#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004

static long sys_arch_prctl(int code, u64 addr)
{
	struct task *t = current;
	switch (code) {
	case ARCH_SET_FS:
		if (addr >= USER_TOP)
			return -EPERM;
		t->fs_base = addr;
		wrmsr(MSR_FS_BASE, addr);
		return 0;
	case ARCH_GET_FS:
		return copy_to_user((u64 __user *)addr, &t->fs_base, 8) ? -EFAULT : 0;
	case ARCH_SET_GS:
	case ARCH_GET_GS:
		return -EINVAL; /* user GS is not supported */
	default:
		return -EINVAL;
	}
}
SYSCALL_REGISTER(158, arch_prctl, sys_arch_prctl);

static long sys_set_tid_address(int __user *tidptr)
{
	current->clear_child_tid = (u64)tidptr;
	return current->pid;
}
SYSCALL_REGISTER(218, set_tid_address, sys_set_tid_address);

static long sys_set_robust_list(void __user *head, size_t len)
{
	if (len != 24)
		return -EINVAL;
	current->robust_list = (u64)head; /* recorded; robust-mutex cleanup at exit is not done */
	return 0;
}
SYSCALL_REGISTER(273, set_robust_list, sys_set_robust_list);

static long sys_sched_yield(void)
{
	schedule();
	return 0;
}
SYSCALL_REGISTER(24, sched_yield, sys_sched_yield);

static long sys_getresuid(u32 __user *r, u32 __user *e, u32 __user *s)
{
	u32 zero = 0;
	if (copy_to_user(r, &zero, 4) || copy_to_user(e, &zero, 4) || copy_to_user(s, &zero, 4))
		return -EFAULT;
	return 0;
}
SYSCALL_REGISTER(118, getresuid, sys_getresuid);
SYSCALL_REGISTER(120, getresgid, sys_getresuid);

#define PR_SET_NAME             15
#define PR_GET_NAME             16
#define PR_SET_CHILD_SUBREAPER  36
#define PR_GET_CHILD_SUBREAPER  37

static long sys_prctl(int option, u64 arg2)
{
	struct task *t = current;
	char name[16];
	switch (option) {
	case PR_SET_NAME:
		if (strncpy_from_user(name, (const char __user *)arg2, sizeof(name)) == -EFAULT)
			return -EFAULT;
		name[sizeof(name) - 1] = 0;
		memcpy(t->comm, name, sizeof(name));
		return 0;
	case PR_GET_NAME:
		return copy_to_user((void __user *)arg2, t->comm, sizeof(t->comm)) ? -EFAULT : 0;
	case PR_SET_CHILD_SUBREAPER:
		t->is_subreaper = arg2 != 0;
		return 0;
	case PR_GET_CHILD_SUBREAPER: {
		int v = t->is_subreaper;
		return copy_to_user((int __user *)arg2, &v, sizeof(v)) ? -EFAULT : 0;
	}
	default:
		return -EINVAL;
	}
}
SYSCALL_REGISTER(157, prctl, sys_prctl);

static long sys_futex(u64 uaddr, int op, u32 val, u64 timeout, u64 uaddr2, u32 val3)
{
	return do_futex(uaddr, op, val, timeout, uaddr2, val3);
}
SYSCALL_REGISTER(202, futex, sys_futex);

#define LINUX_REBOOT_MAGIC1      0xfee1dead
#define LINUX_REBOOT_MAGIC2      672274793
#define LINUX_REBOOT_MAGIC2A     85072278
#define LINUX_REBOOT_MAGIC2B     369367448
#define LINUX_REBOOT_MAGIC2C     537993216
#define LINUX_REBOOT_CMD_RESTART 0x01234567
#define LINUX_REBOOT_CMD_HALT    0xcdef0123
#define LINUX_REBOOT_CMD_POWER_OFF 0x4321fedc
#define LINUX_REBOOT_CMD_CAD_ON  0x89abcdef
#define LINUX_REBOOT_CMD_CAD_OFF 0x00000000

/*
 * reboot(2). Under QEMU every way down switches the machine off with
 * status 0: there is nothing to reboot into, and `make run` should end.
 */
static long sys_reboot(u32 magic1, u32 magic2, u32 cmd)
{
	if (magic1 != LINUX_REBOOT_MAGIC1 ||
	    (magic2 != LINUX_REBOOT_MAGIC2 && magic2 != LINUX_REBOOT_MAGIC2A &&
	     magic2 != LINUX_REBOOT_MAGIC2B && magic2 != LINUX_REBOOT_MAGIC2C))
		return -EINVAL;
	switch (cmd) {
	case LINUX_REBOOT_CMD_RESTART:
	case LINUX_REBOOT_CMD_HALT:
	case LINUX_REBOOT_CMD_POWER_OFF:
		printk("cowix: %s\n", cmd == LINUX_REBOOT_CMD_RESTART ? "reboot" : "power off");
		machine_poweroff(0);
	case LINUX_REBOOT_CMD_CAD_ON:
	case LINUX_REBOOT_CMD_CAD_OFF:
		return 0;
	default:
		return -EINVAL;
	}
}
SYSCALL_REGISTER(169, reboot, sys_reboot);
