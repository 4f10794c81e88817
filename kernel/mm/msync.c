/*
 * msync(2). A shared mapping here maps the file's own pages (ramfs keeps
 * no other copy), so every write through a mapping is already the file's
 * contents, and a private mapping's unwritten pages are the file's pages
 * too: MS_SYNC and MS_ASYNC have nothing to write back and MS_INVALIDATE
 * nothing to refetch. What remains is Linux's argument checking.
 */
#include <mm/mm.h>
#include <uapi/errno.h>
#include "internal.h"

int mm_sync(struct mm *mm, u64 addr, u64 len, int flags)
{
	if (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC))
		return -EINVAL;
	if (!IS_ALIGNED(addr, PAGE_SIZE) || ((flags & MS_ASYNC) && (flags & MS_SYNC)))
		return -EINVAL;
	u64 alen = ALIGN_UP(len, PAGE_SIZE), end = addr + alen;
	if ((len && !alen) || end < addr || end > USER_TOP)
		return -ENOMEM;
	if (end == addr)
		return 0;
	spin_lock(&mm->lock);
	bool is_mapped = mm_range_is_mapped(mm, addr, end);
	spin_unlock(&mm->lock);
	return is_mapped ? 0 : -ENOMEM;
}
