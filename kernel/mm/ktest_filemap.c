/*
 * Self-tests of what backs memory beyond plain anonymous pages: the zero
 * page, file mappings through the page cache (private and shared), shmem
 * behind shared anonymous memory, madvise's zapping and fork advice, and
 * mremap moving PTEs. Each test builds its own mms (never loaded in CR3),
 * drives them through mm_fault/cow_dup_mm, inspects PTEs and frames
 * directly, and checks that every frame and file reference comes back.
 */
#include <fs/vfs.h>
#include <lib/string.h>
#include <mm/cow.h>
#include <mm/kmalloc.h>
#include <mm/mm.h>
#include <mm/page.h>
#include <mm/zero_page.h>
#include <test/ktest.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>

#define KB	  0x20000000ul /* test mappings start here */
#define P(n)	  ((u64)(n)*PAGE_SIZE)
#define RW	  (PROT_READ | PROT_WRITE)
#define READ	  PF_ERR_USER
#define WRITE	  (PF_ERR_USER | PF_ERR_WRITE)
#define FILE_NAME "/tmp/ktest-filemap"

static pte_t kf_pte(struct mm *mm, u64 va)
{
	pte_t *p = pt_walk(mm->root, va, false);
	return p ? *p : 0;
}

static u8 *kf_bytes(struct mm *mm, u64 va)
{
	pte_t e = kf_pte(mm, va);
	return mm_pte_has_frame(e) ? (u8 *)phys_to_virt(pte_phys(e)) + (va & (PAGE_SIZE - 1))
				   : NULL;
}

/* Frames free once the heap has returned its empty slabs. */
static u64 kf_free_frames(void)
{
	kmalloc_shrink();
	return frame_free_count();
}

/* A fresh file of len bytes, byte i = (u8)(i * 7 + 1), opened with flags (O_RDWR if 0). */
static struct file *kf_file(u64 len, int flags)
{
	struct file *f = vfs_open_kernel(FILE_NAME, O_RDWR | O_CREAT | O_TRUNC);
	if (IS_ERR(f))
		return NULL;
	u8 buf[256];
	u64 pos = 0;
	while (pos < len) {
		size_t n = MIN(sizeof(buf), len - pos);
		for (size_t i = 0; i < n; i++)
			buf[i] = (u8)((pos + i) * 7 + 1);
		if (vfs_write(f, buf, n, &pos) != (ssize_t)n)
			break;
	}
	if (flags) {
		file_put(f);
		f = vfs_open_kernel(FILE_NAME, flags);
		return IS_ERR(f) ? NULL : f;
	}
	return f;
}

/* The page-cache page at index of f, or NULL. */
static struct page *kf_cache_page(struct file *f, u64 index)
{
	return page_array_lookup(&f->inode->pages, index);
}

KTEST(vm_zero_page_costs_nothing)
{
	struct page *zp = phys_to_page(zero_page_phys());
	int zref = page_refcount(zp);
	u64 base = kf_free_frames();
	struct mm *mm = mm_create(), *child = mm_create();
	KT_EXPECT(mm && child && (zp->flags & PG_ZERO));
	if (!mm || !child)
		return;
	KT_EXPECT(mm_map(mm, KB, P(64), RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0) ==
		  (long)KB);
	u64 mapped = kf_free_frames();
	bool all_zero = true;
	for (int i = 0; i < 64; i++)
		all_zero = all_zero && mm_fault(mm, KB + P(i), READ) == FAULT_HANDLED &&
			   zero_page_is_pte(kf_pte(mm, KB + P(i))) &&
			   !(kf_pte(mm, KB + P(i)) & PTE_W);
	KT_EXPECT(all_zero && mm->rss_pages == 0);
	KT_EXPECT(mapped - kf_free_frames() <= 3); /* page tables only */
	KT_EXPECT(cow_dup_mm(mm, child) == 0);
	KT_EXPECT(zero_page_is_pte(kf_pte(child, KB + P(9))) && child->rss_pages == 0);
	KT_EXPECT(mm_fault(child, KB + P(9), WRITE | PF_ERR_PRESENT) == FAULT_HANDLED);
	KT_EXPECT(!zero_page_is_pte(kf_pte(child, KB + P(9))) && child->rss_pages == 1);
	KT_EXPECT(zero_page_is_pte(kf_pte(mm, KB + P(9))));
	KT_EXPECT(page_refcount(zp) == zref);
	mm_put(child);
	mm_put(mm);
	KT_EXPECT(kf_free_frames() == base && page_refcount(zp) == zref);
}

KTEST(vm_file_private_maps_page_cache)
{
	struct file *f = kf_file(P(2) + 100, 0);
	struct mm *mm = mm_create();
	KT_EXPECT(f && mm);
	if (!f || !mm)
		return;
	KT_EXPECT(mm_map(mm, KB, P(4), RW, MAP_PRIVATE | MAP_FIXED, f, 0) == (long)KB);
	KT_EXPECT(atomic_read(&f->refcount) == 2); /* ours and the VMA's */
	struct page *p0 = kf_cache_page(f, 0), *p1 = kf_cache_page(f, 1);
	KT_EXPECT(mm_fault(mm, KB + 5, READ) == FAULT_HANDLED);
	pte_t e = kf_pte(mm, KB);
	KT_EXPECT(pte_phys(e) == page_to_phys(p0) && !(e & PTE_W) && page_refcount(p0) == 2);
	KT_EXPECT(*kf_bytes(mm, KB + 5) == (u8)(5 * 7 + 1));
	/* Writes copy: to a page never touched, and to the mapped page-cache page. */
	KT_EXPECT(mm_fault(mm, KB + P(1), WRITE) == FAULT_HANDLED);
	KT_EXPECT(pte_phys(kf_pte(mm, KB + P(1))) != page_to_phys(p1) && page_refcount(p1) == 1);
	KT_EXPECT(memcmp(kf_bytes(mm, KB + P(1)), page_to_virt(p1), PAGE_SIZE) == 0);
	KT_EXPECT(mm_fault(mm, KB, WRITE | PF_ERR_PRESENT) == FAULT_HANDLED);
	KT_EXPECT(pte_phys(kf_pte(mm, KB)) != page_to_phys(p0) && page_refcount(p0) == 1);
	*kf_bytes(mm, KB + 5) = 0xee;
	KT_EXPECT(((u8 *)page_to_virt(p0))[5] == (u8)(5 * 7 + 1)); /* the file is untouched */
	/* The tail of the last file page is zero; the page after it is past end of file. */
	KT_EXPECT(mm_fault(mm, KB + P(2), READ) == FAULT_HANDLED &&
		  *kf_bytes(mm, KB + P(2) + 100) == 0);
	KT_EXPECT(mm_fault(mm, KB + P(3), READ) == FAULT_SIGBUS);
	KT_EXPECT(mm_fault(mm, KB + P(3), WRITE) == FAULT_SIGBUS);
	KT_EXPECT(mm->rss_pages == 3);
	mm_put(mm);
	KT_EXPECT(atomic_read(&f->refcount) == 1 && page_refcount(kf_cache_page(f, 2)) == 1);
	file_put(f);
}

KTEST(vm_file_shared_is_the_file)
{
	struct file *f = kf_file(P(3), 0), *ro = vfs_open_kernel(FILE_NAME, O_RDONLY);
	struct mm *mm = mm_create(), *child = mm_create();
	KT_EXPECT(f && !IS_ERR(ro) && mm && child);
	if (!f || IS_ERR(ro) || !mm || !child)
		return;
	KT_EXPECT(mm_map(mm, KB, P(3), RW, MAP_SHARED | MAP_FIXED, f, 0) == (long)KB);
	KT_EXPECT(mm_fault(mm, KB, WRITE) == FAULT_HANDLED);
	pte_t e = kf_pte(mm, KB);
	KT_EXPECT(pte_phys(e) == page_to_phys(kf_cache_page(f, 0)) && (e & PTE_W));
	*kf_bytes(mm, KB + 9) = 'S';
	char c = 0;
	KT_EXPECT(kernel_read(f, &c, 1, 9) == 1 && c == 'S');
	/*
	 * A fork child shares pages touched before and after the fork. Its PTEs
	 * are not copied (a file VMA without private copies): it refaults them.
	 */
	KT_EXPECT(cow_dup_mm(mm, child) == 0 && kf_pte(child, KB) == 0);
	KT_EXPECT(mm_fault(child, KB, READ) == FAULT_HANDLED &&
		  kf_pte(child, KB) == kf_pte(mm, KB));
	KT_EXPECT(mm_fault(child, KB + P(2), WRITE) == FAULT_HANDLED);
	KT_EXPECT(mm_fault(mm, KB + P(2), READ) == FAULT_HANDLED);
	KT_EXPECT(pte_phys(kf_pte(mm, KB + P(2))) == pte_phys(kf_pte(child, KB + P(2))));
	/* A read-only open file: no shared writable mapping, now or later. */
	KT_EXPECT(mm_map(mm, 0, P(1), RW, MAP_SHARED, ro, 0) == -EACCES);
	long r = mm_map(mm, 0, P(1), PROT_READ, MAP_SHARED, ro, 0);
	KT_EXPECT(r > 0 && mm_protect(mm, (u64)r, P(1), RW) == -EACCES);
	KT_EXPECT(mm_map(mm, 0, P(1), RW, MAP_PRIVATE, ro, 0) > 0);
	mm_put(child);
	mm_put(mm);
	KT_EXPECT(atomic_read(&f->refcount) == 1 && atomic_read(&ro->refcount) == 1);
	KT_EXPECT(page_refcount(kf_cache_page(f, 0)) == 1 &&
		  page_refcount(kf_cache_page(f, 2)) == 1);
	file_put(ro);
	file_put(f);
}

KTEST(vm_shmem_shared_across_generations)
{
	u64 base = kf_free_frames();
	struct mm *mm = mm_create(), *child = mm_create(), *grand = mm_create();
	KT_EXPECT(mm && child && grand);
	if (!mm || !child || !grand)
		return;
	long a = mm_map(mm, 0, P(4), RW, MAP_SHARED | MAP_ANONYMOUS, NULL, 0);
	KT_EXPECT(a > 0);
	u64 va = (u64)a;
	struct vma *v = vma_find(mm, va);
	KT_EXPECT(v && v->file && (v->flags & VM_SHARED));
	KT_EXPECT(mm_fault(mm, va, WRITE) == FAULT_HANDLED);
	KT_EXPECT(cow_dup_mm(mm, child) == 0 && cow_dup_mm(child, grand) == 0);
	KT_EXPECT(mm_fault(child, va + P(2), WRITE) == FAULT_HANDLED); /* after the fork */
	KT_EXPECT(mm_fault(grand, va + P(3), WRITE) == FAULT_HANDLED);
	*kf_bytes(grand, va + P(3)) = 'g';
	KT_EXPECT(mm_fault(mm, va + P(2), READ) == FAULT_HANDLED);
	KT_EXPECT(mm_fault(mm, va + P(3), READ) == FAULT_HANDLED &&
		  *kf_bytes(mm, va + P(3)) == 'g');
	KT_EXPECT(pte_phys(kf_pte(mm, va + P(2))) == pte_phys(kf_pte(child, va + P(2))));
	/* Grown by mremap, it is still its original size: beyond is SIGBUS, as on Linux. */
	long n = mm_remap(mm, va, P(4), P(8), MREMAP_MAYMOVE, 0);
	KT_EXPECT(n > 0 && mm_fault(mm, (u64)n + P(3), READ) == FAULT_HANDLED);
	KT_EXPECT(mm_fault(mm, (u64)n + P(5), READ) == FAULT_SIGBUS);
	mm_put(grand);
	mm_put(child);
	mm_put(mm);
	KT_EXPECT(kf_free_frames() == base);
}

KTEST(vm_madvise_zaps_and_fork_advice)
{
	u64 base = kf_free_frames();
	struct mm *mm = mm_create(), *child = mm_create();
	KT_EXPECT(mm && child);
	if (!mm || !child)
		return;
	KT_EXPECT(mm_map(mm, KB, P(4), RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0) ==
		  (long)KB);
	for (int i = 0; i < 4; i++)
		KT_EXPECT(mm_fault(mm, KB + P(i), WRITE) == FAULT_HANDLED &&
			  (*kf_bytes(mm, KB + P(i)) = 1));
	KT_EXPECT(mm_advise(mm, KB + P(1), P(2), MADV_DONTNEED) == 0 && mm->rss_pages == 2);
	KT_EXPECT(mm_fault(mm, KB + P(1), READ) == FAULT_HANDLED &&
		  zero_page_is_pte(kf_pte(mm, KB + P(1))));
	KT_EXPECT(mm_advise(mm, KB, P(1), MADV_DONTFORK) == 0);
	KT_EXPECT(mm_advise(mm, KB + P(3), P(1), MADV_WIPEONFORK) == 0 && mm->nvmas == 3);
	KT_EXPECT(cow_dup_mm(mm, child) == 0);
	KT_EXPECT(!vma_find(child, KB) && mm_fault(child, KB, READ) == FAULT_SEGV_MAPERR);
	KT_EXPECT(vma_find(child, KB + P(3)) && !kf_pte(child, KB + P(3)));
	KT_EXPECT((vma_find(child, KB + P(3))->flags & VM_WIPEONFORK) && child->rss_pages == 0);
	KT_EXPECT(mm_advise(mm, KB, P(4), MADV_DOFORK) == 0);
	KT_EXPECT(mm_advise(mm, KB, P(4), MADV_KEEPONFORK) == 0 && mm->nvmas == 1);
	/* Errors, in Linux's terms. */
	KT_EXPECT(mm_advise(mm, KB, P(1), 12345) == -EINVAL);
	KT_EXPECT(mm_advise(mm, KB + 1, P(1), MADV_NORMAL) == -EINVAL);
	KT_EXPECT(mm_advise(mm, KB, P(5), MADV_WILLNEED) == -ENOMEM);
	KT_EXPECT(mm_advise(mm, KB + P(100), 0, MADV_DONTNEED) == 0);
	long s = mm_map(mm, 0, P(1), RW, MAP_SHARED | MAP_ANONYMOUS, NULL, 0);
	KT_EXPECT(mm_advise(mm, (u64)s, P(1), MADV_WIPEONFORK) == -EINVAL);
	KT_EXPECT(mm_advise(mm, (u64)s, P(1), MADV_FREE) == -EINVAL);
	mm_put(child);
	mm_put(mm);
	KT_EXPECT(kf_free_frames() == base);
}

KTEST(vm_mremap_moves_ptes)
{
	u64 base = kf_free_frames();
	struct mm *mm = mm_create();
	KT_EXPECT(mm != NULL);
	if (!mm)
		return;
	phys_addr_t frame[4];
	KT_EXPECT(mm_map(mm, KB, P(4), RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0) ==
		  (long)KB);
	KT_EXPECT(mm_map(mm, KB + P(4), P(1), RW, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, NULL,
			 0) == (long)(KB + P(4)));
	for (int i = 0; i < 4; i++) {
		KT_EXPECT(mm_fault(mm, KB + P(i), WRITE) == FAULT_HANDLED);
		*kf_bytes(mm, KB + P(i)) = (u8)(i + 1);
		frame[i] = pte_phys(kf_pte(mm, KB + P(i)));
	}
	KT_EXPECT(mm_remap(mm, KB, P(4), P(8), 0, 0) == -ENOMEM); /* no room, may not move */
	long n = mm_remap(mm, KB, P(4), P(8), MREMAP_MAYMOVE, 0);
	KT_EXPECT(n > 0 && (u64)n != KB && !vma_find(mm, KB) && mm->rss_pages == 4);
	bool same = true;
	for (int i = 0; i < 4; i++)
		same = same && pte_phys(kf_pte(mm, (u64)n + P(i))) == frame[i];
	KT_EXPECT(same && *kf_bytes(mm, (u64)n + P(3)) == 4);
	KT_EXPECT(mm_remap(mm, (u64)n, P(8), P(2), 0, 0) == n && mm->rss_pages == 2);
	u64 to = KB + P(100);
	KT_EXPECT(mm_remap(mm, (u64)n, P(2), P(2), MREMAP_MAYMOVE | MREMAP_FIXED, to) == (long)to);
	KT_EXPECT(pte_phys(kf_pte(mm, to + P(1))) == frame[1]);
	KT_EXPECT(mm_remap(mm, to, P(2), P(6), 0, 0) == (long)to); /* room above: grows in place */
	KT_EXPECT(vma_find(mm, to)->end == to + P(6));
	KT_EXPECT(mm_remap(mm, KB, P(1), P(2), MREMAP_MAYMOVE, 0) == -EFAULT);
	KT_EXPECT(mm_remap(mm, to, P(6), P(6), MREMAP_FIXED, KB) == -EINVAL);
	KT_EXPECT(mm_remap(mm, to, P(2), P(2), MREMAP_MAYMOVE | MREMAP_FIXED, to + P(1)) ==
		  -EINVAL);
	KT_EXPECT(mm_remap(mm, to, P(1), 0, MREMAP_MAYMOVE, 0) == -EINVAL);
	mm_put(mm);
	KT_EXPECT(kf_free_frames() == base);
}
