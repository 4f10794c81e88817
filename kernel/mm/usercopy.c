/*
 * The user-memory access helpers (include/mm/usercopy.h). The range check
 * keeps kernel addresses out; the exception-table fixups in
 * arch/x86_64/usercopy.S turn unresolvable faults into -EFAULT; the page
 * fault handler resolves the rest exactly as for a user access, so a
 * copy_to_user into a copy-on-write page breaks the sharing first.
 */
#include <arch/cpu.h>
#include <mm/layout.h>
#include <mm/usercopy.h>
#include <uapi/errno.h>

size_t arch_copy_user(void *dst, const void *src, size_t n);
size_t arch_clear_user(void *dst, size_t n);
long arch_strncpy_user(char *dst, const char *src, size_t max);

bool user_range_ok(u64 addr, size_t len_bytes)
{
	return addr <= USER_TOP && len_bytes <= USER_TOP - addr;
}

int copy_from_user(void *dst, const void __user *src, size_t len_bytes)
{
	if (!user_range_ok((u64)src, len_bytes))
		return -EFAULT;
	stac();
	size_t left = arch_copy_user(dst, src, len_bytes);
	clac();
	return left ? -EFAULT : 0;
}

int copy_to_user(void __user *dst, const void *src, size_t len_bytes)
{
	if (!user_range_ok((u64)dst, len_bytes))
		return -EFAULT;
	stac();
	size_t left = arch_copy_user(dst, src, len_bytes);
	clac();
	return left ? -EFAULT : 0;
}

int clear_user(void __user *dst, size_t len_bytes)
{
	if (!user_range_ok((u64)dst, len_bytes))
		return -EFAULT;
	stac();
	size_t left = arch_clear_user(dst, len_bytes);
	clac();
	return left ? -EFAULT : 0;
}

long strncpy_from_user(char *dst, const char __user *src, size_t max)
{
	u64 addr = (u64)src;
	if (addr >= USER_TOP || !max)
		return -EFAULT;
	/* Never read past USER_TOP: the kernel half starts right above it. */
	size_t limit = MIN(max, USER_TOP - addr);
	stac();
	long n = arch_strncpy_user(dst, src, limit);
	clac();
	if (n < 0)
		return -EFAULT;
	if ((size_t)n == limit)
		return limit < max ? -EFAULT : -ENAMETOOLONG;
	return n;
}
