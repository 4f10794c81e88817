/*
 * Memory-management system calls: thin decoders from Linux's register
 * arguments to the mm_* functions of the calling task's address space
 * (kernel/mm/ has the semantics and the errno rules).
 */
#include <fs/fdtable.h>
#include <fs/vfs.h>
#include <mm/mm.h>
#include <proc/task.h>
#include <syscall/syscall.h>
#include <uapi/errno.h>

/*
 * The fd is resolved only for a file mapping (with MAP_ANONYMOUS Linux
 * ignores it). Our file reference lasts the call; the mapping takes its
 * own, so closing the fd afterwards leaves the mapping working.
 */
static long sys_mmap(u64 addr, u64 len, u64 prot, u64 flags, u64 fd, u64 off)
{
	if (!IS_ALIGNED(off, PAGE_SIZE))
		return -EINVAL;
	if (flags & MAP_ANONYMOUS)
		return mm_map(current->mm, addr, len, (int)prot, (int)flags, NULL, off);
	struct file *f = current->files ? fd_get(current->files, (int)fd) : NULL;
	if (!f)
		return -EBADF;
	long r = mm_map(current->mm, addr, len, (int)prot, (int)flags, f, off);
	file_put(f);
	return r;
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

static long sys_mremap(u64 addr, u64 old_len, u64 new_len, u64 flags, u64 new_addr)
{
	return mm_remap(current->mm, addr, old_len, new_len, (int)flags, new_addr);
}
SYSCALL_REGISTER(25, mremap, sys_mremap);

static long sys_msync(u64 addr, u64 len, u64 flags)
{
	return mm_sync(current->mm, addr, len, (int)flags);
}
SYSCALL_REGISTER(26, msync, sys_msync);

static long sys_madvise(u64 addr, u64 len, u64 advice)
{
	return mm_advise(current->mm, addr, len, (int)advice);
}
SYSCALL_REGISTER(28, madvise, sys_madvise);
