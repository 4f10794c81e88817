/*
 * Address spaces. A struct mm is a page-table root plus a sorted list of
 * mappings (struct vma): [start, end), protection, flags, and what backs them
 * (anonymous memory now; a file and offset once the page cache exists).
 *
 * Locking: mm->lock (rank MM) guards the VMA list, brk and the user half of
 * the page tables. It is never held across copy_to_user/copy_from_user.
 * mm->users counts tasks sharing the mm (CLONE_VM); the last mm_put frees it.
 */
#pragma once
#include <lib/atomic.h>
#include <lib/list.h>
#include <lib/spinlock.h>
#include <types.h>

/* Linux PROT_* and MAP_* values. */
#define PROT_NONE  0x0
#define PROT_READ  0x1
#define PROT_WRITE 0x2
#define PROT_EXEC  0x4
#define MAP_SHARED    0x01
#define MAP_PRIVATE   0x02
#define MAP_FIXED     0x10
#define MAP_ANONYMOUS 0x20
#define MAP_GROWSDOWN 0x0100
#define MAP_DENYWRITE 0x0800
#define MAP_NORESERVE 0x4000
#define MAP_POPULATE  0x8000
#define MAP_STACK     0x20000
#define MAP_FIXED_NOREPLACE 0x100000

/* vma->flags: the mapping's nature, independent of its current PTEs. */
#define VM_READ   0x1
#define VM_WRITE  0x2
#define VM_EXEC   0x4
#define VM_SHARED 0x8
#define VM_GROWSDOWN 0x100
#define VM_STACK  0x200   /* the main stack */
#define VM_HEAP   0x400   /* the brk area */

struct file;

struct vma {
	u64 start, end;       /* page aligned, end exclusive */
	u32 flags;            /* VM_* */
	struct file *file;    /* NULL for anonymous memory */
	u64 pgoff;            /* file offset of start, in pages */
	struct list_head node; /* in mm->vmas, sorted by start */
};

struct mm {
	struct spinlock lock;
	atomic_t users;
	phys_addr_t root;         /* PML4 */
	struct list_head vmas;    /* [lock] sorted, non-overlapping */
	u64 brk_start, brk;       /* [lock] heap bounds */
	u64 mmap_base;            /* [lock] top-down search starts below this */
	u64 stack_top;
	u64 rss_pages;            /* [lock] resident user pages */
};

struct mm *mm_create(void);              /* empty user half; NULL on OOM */
void mm_put(struct mm *mm);              /* drop a user; the last frees frames and tables */
static inline void mm_get(struct mm *mm)
{
	atomic_inc(&mm->users);
}
/*
 * Create a mapping (the core of mmap). addr is a hint unless MAP_FIXED /
 * MAP_FIXED_NOREPLACE. Returns the address or a negative errno.
 */
long mm_map(struct mm *mm, u64 addr, u64 len, int prot, int flags, struct file *file, u64 off);
int mm_unmap(struct mm *mm, u64 addr, u64 len);
int mm_protect(struct mm *mm, u64 addr, u64 len, int prot);
/* Find the VMA containing addr, or NULL. Caller holds mm->lock. */
struct vma *vma_find(struct mm *mm, u64 addr);
