/*
 * Memory-management system calls: thin decoders from Linux's register
 * arguments to the mm_* functions of the calling task's address space
 * (kernel/mm/mmap.c has the semantics and the errno rules).
 */
#include <mm/mm.h>
#include <proc/task.h>
#include <syscall/syscall.h>
#include <uapi/errno.h>

/*
 * Anonymous memory only for now. A file mapping needs the fd table: that is
 * where fget(fd) goes, handing the struct file to mm_map; until then every
 * real descriptor gets -ENODEV (no mmap support), a bad one -EBADF.
 */
static long sys_mmap(u64 addr, u64 len, u64 prot, u64 flags, u64 fd, u64 off)
{
	if (!IS_ALIGNED(off, PAGE_SIZE))
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS))
		return (int)fd < 0 ? -EBADF : -ENODEV;
	return mm_map(current->mm, addr, len, (int)prot, (int)flags, NULL, off);
}
SYSCALL_REGISTER(9, mmap, sys_mmap);

static long sys_mprotect(u64 addr, u64 len, u64 prot)
{
	return mm_protect(current->mm, addr, len, (int)prot);
}
SYSCALL_REGISTER(10, mprotect, sys_mprotect);

static long sys_munmap(u64 addr, u64 len)
{
	return mm_unmap(current->mm, addr, len);
}
SYSCALL_REGISTER(11, munmap, sys_munmap);

/* brk never fails with an errno: it returns the new break, or the old one. */
static long sys_brk(u64 brk)
{
	return (long)mm_brk(current->mm, brk);
}
SYSCALL_REGISTER(12, brk, sys_brk);
