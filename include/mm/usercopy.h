/*
 * The only way kernel code touches user memory. Each helper checks that the
 * range lies below USER_TOP, opens the SMAP window, and copies with
 * instructions that have exception-table fixups: a fault that the mm cannot
 * resolve (unmapped, wrong protection) makes the helper return -EFAULT
 * instead of oopsing. A write through copy_to_user/clear_user faults and
 * breaks copy-on-write exactly as a user write would.
 *
 * Never call these while holding a spinlock: a fault may need to allocate.
 */
#pragma once
#include <types.h>

#define __user

/* 0 on success, -EFAULT if any byte was inaccessible. */
int copy_from_user(void *dst, const void __user *src, size_t len_bytes);
int copy_to_user(void __user *dst, const void *src, size_t len_bytes);
int clear_user(void __user *dst, size_t len_bytes);
/*
 * Copy a NUL-terminated string of at most max bytes including the NUL.
 * Returns its length (without NUL), -EFAULT, or -ENAMETOOLONG if no NUL
 * was found within max bytes.
 */
long strncpy_from_user(char *dst, const char __user *src, size_t max);
/* True if [addr, addr+len) is a plausible user range (no overflow, below USER_TOP). */
bool user_range_ok(u64 addr, size_t len_bytes);
