/* fork, vfork and clone: thin decoders over do_clone() (proc/fork.c). */
#include <proc/fork.h>
#include <syscall/syscall.h>
#include <uapi/signal.h>

static long sys_fork(void)
{
	return do_clone(SIGCHLD, 0, NULL, NULL, 0);
}
SYSCALL_REGISTER(57, fork, sys_fork);

static long sys_vfork(void)
{
	return do_clone(CLONE_VM | CLONE_VFORK | SIGCHLD, 0, NULL, NULL, 0);
}
SYSCALL_REGISTER(58, vfork, sys_vfork);

/* x86-64 argument order: flags, newsp, parent_tid, child_tid, tls. */
static long sys_clone(u64 flags, u64 newsp, int __user *parent_tid, int __user *child_tid, u64 tls)
{
	return do_clone(flags, newsp, parent_tid, child_tid, tls);
}
SYSCALL_REGISTER(56, clone, sys_clone);
