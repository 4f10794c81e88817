/*
 * System-call registration. Each sys_<name> lives beside its subsystem's
 * syscall file and registers itself with its Linux x86-64 number:
 *
 *	static long sys_getpid(void) { ... }
 *	SYSCALL_REGISTER(39, getpid, sys_getpid);
 *
 * Arguments arrive as Linux passes them (rdi, rsi, rdx, r10, r8, r9); the
 * handler declares the real C types. Return a value or a negative errno.
 * Unregistered numbers return -ENOSYS and are logged once by name.
 */
#pragma once
#include <types.h>

typedef long (*syscall_fn_t)(u64, u64, u64, u64, u64, u64);

struct syscall_desc {
	u32 nr;
	const char *name;
	syscall_fn_t fn;
};

#define SYSCALL_REGISTER(nr_, name_, fn_)                                                          \
	static const struct syscall_desc syscall_desc_##name_                                      \
		__attribute__((used, aligned(8), section(".syscalls"))) = { (nr_), #name_,                     \
								 (syscall_fn_t)(void (*)(void))(fn_) }

#define NR_SYSCALLS 512

struct trap_frame;
/* Entry from arch: dispatch tf->rax with the argument registers; result into tf->rax. */
void syscall_dispatch(struct trap_frame *tf);
/* Name of a Linux x86-64 syscall number, or NULL. */
const char *syscall_name(unsigned nr);
