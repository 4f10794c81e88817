/*
 * Address spaces. A struct mm is a page-table root plus a sorted list of
 * mappings (struct vma): [start, end), protection, flags, and what backs them:
 * anonymous memory, or a file and a page offset into it (include/mm/filemap.h;
 * shared anonymous memory is a file too, an unlinked shmem inode).
 *
 * Locking: mm->lock (rank MM) guards the VMA list, brk and the user half of
 * the page tables. It is never held across copy_to_user/copy_from_user.
 * It may be held across frame_alloc/kmalloc (ranks FRAME and HEAP are higher).
 * mm->users counts tasks sharing the mm (CLONE_VM); the last mm_put frees it.
 *
 * User PTEs (mm/ policy; arch/mmu.h only flips bits):
 *   - every PTE that owns a frame holds one reference (page_get/page_put)
 *     and one mapcount on it, and counts in rss_pages. The one exception is
 *     the zero page (include/mm/zero_page.h): PTEs mapping it are always
 *     read-only and hold no reference, mapcount or rss;
 *   - a private file mapping maps page-cache pages read-only; the first
 *     write copies (cow.c), so the file never changes. A shared one maps
 *     them writable: every mapper and read()/write() see the same frame;
 *   - a present PTE is PTE_P|PTE_U, plus PTE_W only if the VMA is writable
 *     AND the frame is exclusively ours (a read-only PTE in a writable
 *     private VMA is copy-on-write: the write fault decides);
 *   - PTE_NX unless the VMA is executable;
 *   - PTE_PROTNONE: a PROT_NONE page keeps its frame in a non-present PTE
 *     (P and W clear, frame address kept) so its contents survive until
 *     mprotect makes it accessible again. Anything walking PTEs (fork,
 *     teardown) must treat such a PTE as owning its frame: mm_pte_has_frame.
 *   - PTE_SW1 is left to the copy-on-write code (kernel/mm/cow.c).
 *
 * TLB: whoever clears or downgrades a present PTE flushes it (mm_flush_page)
 * BEFORE dropping the frame reference, so no stale translation can write into
 * a frame that has been reused.
 */
#pragma once
#include <arch/mmu.h>
#include <hooks.h>
#include <lib/atomic.h>
#include <lib/list.h>
#include <lib/spinlock.h>
#include <mm/layout.h>
#include <types.h>

/* Linux PROT_* and MAP_* values. */
#define PROT_NONE      0x0
#define PROT_READ      0x1
#define PROT_WRITE     0x2
#define PROT_EXEC      0x4
#define PROT_GROWSDOWN 0x01000000
#define PROT_GROWSUP   0x02000000

#define MAP_SHARED	    0x01
#define MAP_PRIVATE	    0x02
#define MAP_SHARED_VALIDATE 0x03 /* MAP_SHARED, but unknown flags fail EOPNOTSUPP */
#define MAP_TYPE	    0x0f /* the bits that hold the mapping type */
#define MAP_FIXED	    0x10
#define MAP_ANONYMOUS	    0x20
#define MAP_32BIT	    0x40
#define MAP_GROWSDOWN	    0x0100
#define MAP_DENYWRITE	    0x0800
#define MAP_EXECUTABLE	    0x1000
#define MAP_LOCKED	    0x2000
#define MAP_NORESERVE	    0x4000
#define MAP_POPULATE	    0x8000
#define MAP_NONBLOCK	    0x10000
#define MAP_STACK	    0x20000
#define MAP_HUGETLB	    0x40000
#define MAP_SYNC	    0x80000
#define MAP_FIXED_NOREPLACE 0x100000

/* vma->flags: the mapping's nature, independent of its current PTEs. */
#define VM_READ		0x1
#define VM_WRITE	0x2
#define VM_EXEC		0x4
#define VM_SHARED	0x8
#define VM_ACCESS	(VM_READ | VM_WRITE | VM_EXEC)
#define VM_GROWSDOWN	0x100
#define VM_STACK	0x200	/* the main stack */
#define VM_HEAP		0x400	/* the brk area */
#define VM_DONTFORK	0x800	/* madvise(MADV_DONTFORK): absent from a fork child */
#define VM_WIPEONFORK	0x1000	/* madvise(MADV_WIPEONFORK): a fork child sees it empty */
#define VM_WRITE_DENIED 0x2000	/* shared mapping of a file opened without write: never VM_WRITE */
#define VM_HUGEPAGE	0x4000	/* madvise(MADV_HUGEPAGE): huge pages even in "madvise" mode */
#define VM_NOHUGEPAGE	0x8000	/* madvise(MADV_NOHUGEPAGE): never a new huge page here */
#define VM_ANON_PAGES	0x10000 /* a file VMA that holds private copies: fork copies its PTEs */

/* A PROT_NONE page that still owns its frame (see the comment at the top). */
#define PTE_PROTNONE PTE_SW2

/* mremap(2) flags. */
#define MREMAP_MAYMOVE	 1
#define MREMAP_FIXED	 2
#define MREMAP_DONTUNMAP 4

/* madvise(2) advice. */
#define MADV_NORMAL	 0
#define MADV_RANDOM	 1
#define MADV_SEQUENTIAL	 2
#define MADV_WILLNEED	 3
#define MADV_DONTNEED	 4
#define MADV_FREE	 8
#define MADV_DONTFORK	 10
#define MADV_DOFORK	 11
#define MADV_MERGEABLE	 12
#define MADV_UNMERGEABLE 13
#define MADV_HUGEPAGE	 14
#define MADV_NOHUGEPAGE	 15
#define MADV_DONTDUMP	 16
#define MADV_DODUMP	 17
#define MADV_WIPEONFORK	 18
#define MADV_KEEPONFORK	 19
#define MADV_COLD	 20
#define MADV_PAGEOUT	 21

/* msync(2) flags. */
#define MS_ASYNC      1
#define MS_INVALIDATE 2
#define MS_SYNC	      4

/* Lowest address a fixed mapping may use (Linux's default vm.mmap_min_addr). */
#define MMAP_MIN_ADDR 0x10000ul
/*
 * Default top of the top-down mmap search: 128 MiB below the top of user
 * space, where Linux puts it without address randomisation (the smallest
 * gap it leaves for the stack), so mappings share upper page-table levels
 * with the stack as they do on Linux.
 */
#define MMAP_BASE (USER_TOP - (128ul << 20))
/* Most mappings one mm may hold (Linux's vm.max_map_count). */
#define MM_MAX_VMAS 65530
/* A growing stack may not reach an existing mapping closer than this. */
#define STACK_GUARD_GAP (256 * PAGE_SIZE)
/* How far a VM_GROWSDOWN stack may grow in total (RLIMIT_STACK's default). */
#define STACK_LIMIT_BYTES (8ul << 20)

struct file;
struct page;

struct vma {
	u64 start, end;	       /* page aligned, end exclusive */
	u32 flags;	       /* VM_* */
	struct file *file;     /* NULL for anonymous memory; else a reference held */
	u64 pgoff;	       /* file offset of start, in pages; 0 for anonymous */
	struct list_head node; /* in mm->vmas, sorted by start */
};

struct mm {
	struct spinlock lock;
	atomic_t users;
	phys_addr_t root;	/* PML4 */
	struct list_head vmas;	/* [lock] sorted, non-overlapping */
	struct vma *vma_cache;	/* [lock] last vma_find hit, or NULL */
	u32 nvmas;		/* [lock] entries in vmas */
	u64 brk_start, brk;	/* [lock] heap bounds; brk is the user's (unaligned) value */
	u64 mmap_base;		/* [lock] top-down search starts below this */
	u64 stack_top;		/* set by exec */
	u64 arg_start, arg_end; /* set by exec: argv strings, for /proc/PID/cmdline */
	u64 env_start, env_end; /* set by exec: envp strings, for /proc/PID/environ */
	u64 rss_pages;		/* [lock] resident user pages (PTEs owning a frame) */
	u64 total_vm_pages;	/* [lock] pages covered by VMAs */
	u64 cow_faults;		/* [lock] write faults on copy-on-write PTEs (cow.c) */
	u64 cow_copies;		/* [lock] ... resolved by copying the frame */
	u64 cow_reuses;		/* [lock] ... resolved by reusing it (last sharer) */
};

/* The PTE maps a frame: present, or kept under PROT_NONE (the zero page included). */
static inline bool mm_pte_has_frame(pte_t e)
{
	return (e & PTE_P) || (e & PTE_PROTNONE);
}

/* Byte length of a VMA and its size in pages. */
static inline u64 vma_len_bytes(const struct vma *v)
{
	return v->end - v->start;
}
static inline u64 vma_npages(const struct vma *v)
{
	return (v->end - v->start) >> PAGE_SHIFT;
}

struct mm *mm_create(void); /* empty user half; NULL on OOM */
void mm_put(struct mm *mm); /* drop a user; the last frees frames and tables */
static inline void mm_get(struct mm *mm)
{
	atomic_inc(&mm->users);
}

/*
 * Create a mapping (the core of mmap). addr is a hint unless MAP_FIXED /
 * MAP_FIXED_NOREPLACE. A file mapping takes its own reference on file;
 * MAP_SHARED|MAP_ANONYMOUS gets a fresh shmem file. Returns the address or
 * a negative errno (EACCES, ENODEV, EOVERFLOW for files). Takes mm->lock.
 */
long mm_map(struct mm *mm, u64 addr, u64 len, int prot, int flags, struct file *file, u64 off);
/*
 * mremap(2): resize [addr, addr + old_len), moving it (its PTEs, not its
 * data) if MREMAP_MAYMOVE allows, to new_addr with MREMAP_FIXED. Returns
 * the new address or -EINVAL/-EFAULT/-ENOMEM. Takes mm->lock.
 */
long mm_remap(struct mm *mm, u64 addr, u64 old_len, u64 new_len, int flags, u64 new_addr);
/* madvise(2): 0, -EINVAL (bad advice or range), -ENOMEM (part unmapped). Takes mm->lock. */
int mm_advise(struct mm *mm, u64 addr, u64 len, int advice);
/* msync(2): validates; ramfs is the backing, so mappings are always in sync. Takes mm->lock. */
int mm_sync(struct mm *mm, u64 addr, u64 len, int flags);
/* munmap: 0 or -EINVAL/-ENOMEM. Holes in the range are fine. Takes mm->lock. */
int mm_unmap(struct mm *mm, u64 addr, u64 len);
/* mprotect: 0, -EINVAL, or -ENOMEM if part of the range is unmapped. Takes mm->lock. */
int mm_protect(struct mm *mm, u64 addr, u64 len, int prot);
/* brk(2): move the break to new_brk; returns the (possibly unchanged) break. */
u64 mm_brk(struct mm *mm, u64 new_brk);
/* For exec: the heap starts (empty) at addr rounded up to a page. 0 or -EINVAL. */
int mm_set_brk_start(struct mm *mm, u64 addr);
/*
 * For exec: map the main stack [top - len_bytes, top) read/write, growing
 * down, and record top as mm->stack_top. 0 or a negative errno.
 */
int mm_map_stack(struct mm *mm, u64 top, u64 len_bytes);
/*
 * Fault in every page of [start, start + len_bytes) that its VMA allows
 * access to (MAP_POPULATE), as a write in private writable mappings.
 * 0, -ENOMEM on a hole or out of memory, -EFAULT past end of a file.
 */
int mm_populate(struct mm *mm, u64 start, u64 len_bytes);
/*
 * Copy len_bytes from a kernel buffer to va in mm, which need not be the
 * current address space (exec fills a new mm, fork writes the child's tid).
 * A forced write, as a loader or ptrace makes: it ignores the VMA's write
 * protection; a private page still shared copy-on-write is unshared first,
 * a shared mapping's page is written in place. -EFAULT for holes and
 * PROT_NONE mappings, -ENOMEM when out of frames. Takes mm->lock.
 */
int mm_copy_in(struct mm *mm, u64 va, const void *src, size_t len_bytes);
/*
 * Resolve a fault at va in mm, as mm_handle_user_fault does for current->mm.
 * err is the x86 page-fault error code (PF_ERR_*). Takes mm->lock.
 */
enum fault_result mm_fault(struct mm *mm, u64 va, u64 err);

/*
 * Drop every translation of va in mm that a TLB may hold. Caller holds
 * mm->lock. Today: this CPU only, and only if mm is loaded here.
 */
void mm_flush_page(struct mm *mm, u64 va);
/*
 * Clear every PTE in [start, end) (page aligned, inside VMAs or holes),
 * flushing and dropping each frame. 0, or -ENOMEM if a huge page only
 * partly in the range could not be split (the pages before it are gone).
 * Never fails on whole VMAs. Caller holds mm->lock.
 */
int mm_zap_range(struct mm *mm, u64 start, u64 end);
/*
 * What maps va, as a 4 KiB PTE value (a huge page's entry is translated to
 * the PTE of the 4 KiB page inside it); 0 if nothing. Caller holds mm->lock.
 */
pte_t mm_lookup_pte(struct mm *mm, u64 va);
/*
 * Map page at va with pte_flags (PTE_P added), taking over the caller's
 * reference and counting a mapcount and an rss page. 0, or -ENOMEM if a
 * page table cannot be allocated (the reference is then still the
 * caller's). The slot must be empty: no flush. Caller holds mm->lock.
 */
int mm_install_page(struct mm *mm, u64 va, struct page *page, u64 pte_flags);
/* Atomically replace bits of a PTE (hardware may set A/D concurrently); returns the old value. */
pte_t mm_pte_update(pte_t *ptep, u64 set, u64 clear);
/* The PTE flags a freshly faulted, exclusively owned page of v gets. */
u64 vma_pte_flags(const struct vma *v);

/*
 * VMA list (kernel/mm/vma.c). All take mm->lock held by the caller.
 */
/* Find the VMA containing addr, or NULL. */
struct vma *vma_find(struct mm *mm, u64 addr);
/* The first VMA ending above addr (it may start above addr), or NULL. */
struct vma *vma_find_first(struct mm *mm, u64 addr);
/* Neighbours in address order, or NULL. */
struct vma *vma_next(struct mm *mm, struct vma *v);
struct vma *vma_prev(struct mm *mm, struct vma *v);
/* A new unlinked VMA, or NULL on OOM. vma_free releases an unlinked one (and its file). */
struct vma *vma_alloc(u64 start, u64 end, u32 flags);
void vma_free(struct vma *v);
/* Make v map file (a new reference is taken) from page pgoff on. */
void vma_set_file(struct vma *v, struct file *file, u64 pgoff);
/* The file page that va (inside v) maps. */
static inline u64 vma_pgoff_of(const struct vma *v, u64 va)
{
	return v->pgoff + ((va - v->start) >> PAGE_SHIFT);
}
/* True if no VMA overlaps [start, end). */
bool vma_range_is_free(struct mm *mm, u64 start, u64 end);
/* Link v into the sorted list (it must not overlap anything). */
void vma_insert(struct mm *mm, struct vma *v);
/* Unlink v (its PTEs must already be gone); the caller frees it. */
void vma_unlink(struct mm *mm, struct vma *v);
/* Split v at page-aligned addr inside it: v keeps [start, addr). 0 or -ENOMEM. */
int vma_split(struct mm *mm, struct vma *v, u64 addr);
/* Merge v with compatible neighbours; returns the VMA now covering v's range. */
struct vma *vma_merge(struct mm *mm, struct vma *v);
