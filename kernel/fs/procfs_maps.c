/*
 * /proc/PID/maps, smaps and smaps_rollup in Linux's formats.
 *
 * maps: one line per VMA, "start-end perms offset major:minor inode", then
 * for a named mapping, padding to column 73 and the name: [heap] for the
 * brk area, [stack] for the main stack, "/dev/zero (deleted)" for shared
 * anonymous memory (an unlinked shmem file, named as Linux names it).
 * Other file mappings show device and inode but no path: the VFS keeps no
 * name for an inode.
 *
 * smaps adds, per VMA, what its PTEs map. For each PTE that owns a frame:
 *   Rss      counts it (the shared zero page is left out, as on Linux);
 *   Pss      counts PAGE_SIZE / mapcount of it (kept in 1/4096 bytes);
 *   Shared_* when the frame's mapcount > 1, Private_* otherwise;
 *   *_Dirty  when the PTE's D bit is set or the frame is anonymous memory
 *            (Linux reports anonymous pages as dirty: they have no backing
 *            copy, and after fork a COW page is read-only yet still dirty);
 *   Referenced when the PTE's A bit is set; Anonymous for anonymous
 *   frames (PG_ANON: private memory, and private copies of file pages);
 *   the rest is shmem (shared anonymous memory) or file pages.
 * A huge page (mm/thp.h) counts as its 512 frames, and its 2 MiB also in
 * AnonHugePages; the mapcount of one of its frames is the huge page's.
 * Everything is read under mm->lock, which keeps the PTEs and the frames
 * they own in place.
 */
#include <fs/procfs.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <mm/page.h>
#include <mm/thp.h>
#include <uapi/errno.h>
#include <uapi/stat.h>

#define MAPS_NAME_COLUMN 73 /* a name starts here, past the padding */
#define PSS_SHIFT	 12 /* Pss is summed in units of 1/4096 byte */

/* Which of the three files procfs_show_mm generates. */
enum maps_view {
	MAPS_VIEW_MAPS,
	MAPS_VIEW_SMAPS,
	MAPS_VIEW_ROLLUP,
};

/* What smaps sums over PTEs, in bytes (the pss_* fields shifted by PSS_SHIFT). */
struct smaps_acc {
	u64 rss, rss_file, rss_shmem;
	u64 pss, pss_dirty, pss_anon, pss_file, pss_shmem;
	u64 shared_clean, shared_dirty, private_clean, private_dirty;
	u64 referenced, anonymous, anon_huge;
};

/* Shared anonymous memory: mapped from a shmem file, which has no name (nlink 0). */
static bool maps_vma_is_shmem(const struct vma *v)
{
	return v->file && (v->flags & VM_SHARED) && READ_ONCE(v->file->inode->nlink) == 0;
}

/* The name shown after the padding, or NULL. */
static const char *maps_vma_name(const struct vma *v)
{
	if (v->flags & VM_HEAP)
		return "[heap]";
	if (v->flags & VM_STACK)
		return "[stack]";
	if (maps_vma_is_shmem(v))
		return "/dev/zero (deleted)";
	return NULL;
}

/* One maps line (also the header of an smaps block). Caller holds mm->lock. */
static void maps_show_vma(struct procfs_buf *b, const struct vma *v)
{
	u64 dev = 0, ino = 0, off = 0;
	if (v->file) {
		dev = v->file->inode->dev;
		ino = v->file->inode->ino;
		off = v->pgoff << PAGE_SHIFT;
	}
	size_t line_start = b->len;
	procfs_printf(b, "%08lx-%08lx %c%c%c%c %08lx %02x:%02x %lu ", v->start, v->end,
		      v->flags & VM_READ ? 'r' : '-', v->flags & VM_WRITE ? 'w' : '-',
		      v->flags & VM_EXEC ? 'x' : '-', v->flags & VM_SHARED ? 's' : 'p', off,
		      dev_major(dev), dev_minor(dev), ino);
	const char *name = maps_vma_name(v);
	if (name) {
		size_t used = b->len - line_start;
		int pad = used < MAPS_NAME_COLUMN ? (int)(MAPS_NAME_COLUMN - used) : 1;
		procfs_printf(b, "%*s%s", pad, "", name);
	}
	procfs_printf(b, "\n");
}

/* Account one PTE of v. Caller holds mm->lock, so the frame cannot go away. */
static void smaps_account_pte(struct smaps_acc *a, const struct vma *v, pte_t e)
{
	if (!mm_pte_has_frame(e))
		return;
	const struct page *pg = phys_to_page(pte_phys(e));
	u32 flags = READ_ONCE(pg->flags);
	if (flags & PG_ZERO)
		return;
	int mapcount = MAX(thp_frame_mapcount(page_to_pfn(pg)), 1);
	bool is_anon = flags & PG_ANON;
	bool is_shmem = !is_anon && maps_vma_is_shmem(v);
	bool is_dirty = (e & PTE_D) || is_anon;
	u64 pss = (PAGE_SIZE << PSS_SHIFT) / mapcount;
	a->rss += PAGE_SIZE;
	a->rss_shmem += is_shmem ? PAGE_SIZE : 0;
	a->rss_file += !is_anon && !is_shmem ? PAGE_SIZE : 0;
	a->pss += pss;
	a->pss_dirty += is_dirty ? pss : 0;
	a->pss_anon += is_anon ? pss : 0;
	a->pss_shmem += is_shmem ? pss : 0;
	a->pss_file += !is_anon && !is_shmem ? pss : 0;
	if (mapcount > 1)
		*(is_dirty ? &a->shared_dirty : &a->shared_clean) += PAGE_SIZE;
	else
		*(is_dirty ? &a->private_dirty : &a->private_clean) += PAGE_SIZE;
	a->referenced += (e & PTE_A) ? PAGE_SIZE : 0;
	a->anonymous += is_anon ? PAGE_SIZE : 0;
}

/* Account the 512 frames of a huge PMD, and its 2 MiB as AnonHugePages. */
static void smaps_account_huge(struct smaps_acc *a, const struct vma *v, u64 haddr, pte_t pmd)
{
	for (u64 va = haddr; va < haddr + HPAGE_SIZE; va += PAGE_SIZE)
		smaps_account_pte(a, v, thp_pte_of(pmd, va));
	a->anon_huge += thp_is_huge_zero(pmd) ? 0 : HPAGE_SIZE;
}

/* Account every PTE of v, a page-directory entry (2 MiB) at a time. Caller holds mm->lock. */
static void smaps_account_vma(struct smaps_acc *a, struct mm *mm, const struct vma *v)
{
	for (u64 va = v->start, next; va < v->end; va = next) {
		next = MIN(ALIGN_DOWN(va, HPAGE_SIZE) + HPAGE_SIZE, v->end);
		pte_t *pmdp = pt_walk_pmd(mm->root, va, false);
		pte_t pmd = pmdp ? READ_ONCE(*pmdp) : 0;
		if (pt_is_huge(pmd))
			smaps_account_huge(a, v, va, pmd);
		else if (pte_present(pmd))
			for (u64 p = va; p < next; p += PAGE_SIZE)
				smaps_account_pte(a, v, READ_ONCE(*pt_pte_in(pmd, p)));
	}
}

/* The fields smaps and smaps_rollup share, Rss through Pss_Dirty. */
static void smaps_show_rss(struct procfs_buf *b, const struct smaps_acc *a, bool is_rollup)
{
	procfs_print_kb(b, "Rss:", a->rss >> 10);
	procfs_print_kb(b, "Pss:", a->pss >> (PSS_SHIFT + 10));
	procfs_print_kb(b, "Pss_Dirty:", a->pss_dirty >> (PSS_SHIFT + 10));
	if (is_rollup) {
		procfs_print_kb(b, "Pss_Anon:", a->pss_anon >> (PSS_SHIFT + 10));
		procfs_print_kb(b, "Pss_File:", a->pss_file >> (PSS_SHIFT + 10));
		procfs_print_kb(b, "Pss_Shmem:", a->pss_shmem >> (PSS_SHIFT + 10));
	}
}

/* Shared_Clean through Locked; shmem/file huge pages, hugetlb, swap and locks are always 0 here. */
static void smaps_show_rest(struct procfs_buf *b, const struct smaps_acc *a)
{
	static const char *const zeros[] = {
		"ShmemPmdMapped:", "FilePmdMapped:", "Shared_Hugetlb:", "Private_Hugetlb:",
		"Swap:",	   "SwapPss:",	     "Locked:"
	};
	procfs_print_kb(b, "Shared_Clean:", a->shared_clean >> 10);
	procfs_print_kb(b, "Shared_Dirty:", a->shared_dirty >> 10);
	procfs_print_kb(b, "Private_Clean:", a->private_clean >> 10);
	procfs_print_kb(b, "Private_Dirty:", a->private_dirty >> 10);
	procfs_print_kb(b, "Referenced:", a->referenced >> 10);
	procfs_print_kb(b, "Anonymous:", a->anonymous >> 10);
	procfs_print_kb(b, "LazyFree:", 0);
	procfs_print_kb(b, "AnonHugePages:", a->anon_huge >> 10);
	for (size_t i = 0; i < ARRAY_SIZE(zeros); i++)
		procfs_print_kb(b, zeros[i], 0);
}

/* Linux's two-letter flag names, for the flags a cowix VMA has. */
static void smaps_show_vmflags(struct procfs_buf *b, const struct vma *v)
{
	procfs_printf(b, "THPeligible:    %d\nVmFlags: ", thp_vma_eligible(v));
	if (v->flags & VM_READ)
		procfs_printf(b, "rd ");
	if (v->flags & VM_WRITE)
		procfs_printf(b, "wr ");
	if (v->flags & VM_EXEC)
		procfs_printf(b, "ex ");
	if (v->flags & VM_SHARED)
		procfs_printf(b, "sh ");
	procfs_printf(b, "mr mw me "); /* mprotect may grant any access: all "may" bits */
	if (v->flags & VM_SHARED)
		procfs_printf(b, "ms ");
	if (v->flags & VM_GROWSDOWN)
		procfs_printf(b, "gd ");
	if ((v->flags & VM_WRITE) && !(v->flags & VM_SHARED))
		procfs_printf(b, "ac ");
	if (v->flags & VM_HUGEPAGE)
		procfs_printf(b, "hg ");
	if (v->flags & VM_NOHUGEPAGE)
		procfs_printf(b, "nh ");
	procfs_printf(b, "\n");
}

/* One smaps block. Caller holds mm->lock. */
static void smaps_show_vma(struct procfs_buf *b, struct mm *mm, const struct vma *v)
{
	struct smaps_acc a = { 0 };
	smaps_account_vma(&a, mm, v);
	maps_show_vma(b, v);
	procfs_print_kb(b, "Size:", vma_len_bytes(v) >> 10);
	procfs_print_kb(b, "KernelPageSize:", PAGE_SIZE >> 10);
	procfs_print_kb(b, "MMUPageSize:", PAGE_SIZE >> 10);
	smaps_show_rss(b, &a, false);
	smaps_show_rest(b, &a);
	smaps_show_vmflags(b, v);
}

void procfs_maps_mm(struct procfs_buf *b, struct mm *mm, bool is_smaps)
{
	struct list_head *pos;
	spin_lock(&mm->lock);
	list_for_each(pos, &mm->vmas)
	{
		const struct vma *v = list_entry(pos, struct vma, node);
		if (is_smaps)
			smaps_show_vma(b, mm, v);
		else
			maps_show_vma(b, v);
	}
	spin_unlock(&mm->lock);
}

void procfs_mm_rss(struct mm *mm, u64 *anon, u64 *file, u64 *shmem)
{
	struct smaps_acc a = { 0 };
	struct list_head *pos;
	spin_lock(&mm->lock);
	list_for_each(pos, &mm->vmas)
	{
		smaps_account_vma(&a, mm, list_entry(pos, struct vma, node));
	}
	spin_unlock(&mm->lock);
	*anon = a.anonymous >> PAGE_SHIFT;
	*file = a.rss_file >> PAGE_SHIFT;
	*shmem = a.rss_shmem >> PAGE_SHIFT;
}

/* smaps_rollup: one header spanning all VMAs, then the sums over all of them. */
static void procfs_rollup_mm(struct procfs_buf *b, struct mm *mm)
{
	struct smaps_acc a = { 0 };
	struct list_head *pos;
	u64 start = 0, end = 0;
	spin_lock(&mm->lock);
	list_for_each(pos, &mm->vmas)
	{
		const struct vma *v = list_entry(pos, struct vma, node);
		start = start ? start : v->start;
		end = v->end;
		smaps_account_vma(&a, mm, v);
	}
	spin_unlock(&mm->lock);
	size_t line_start = b->len;
	procfs_printf(b, "%08lx-%08lx ---p 00000000 00:00 0 ", start, end);
	procfs_printf(b, "%*s[rollup]\n", (int)(MAPS_NAME_COLUMN - (b->len - line_start)), "");
	smaps_show_rss(b, &a, true);
	smaps_show_rest(b, &a);
}

/* Generate one of the three for pid; a kernel thread or zombie has no mappings. */
static int procfs_show_mm(struct procfs_buf *b, int pid, enum maps_view view)
{
	struct mm *mm = procfs_task_mm(pid);
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	if (!mm)
		return 0;
	if (view == MAPS_VIEW_ROLLUP)
		procfs_rollup_mm(b, mm);
	else
		procfs_maps_mm(b, mm, view == MAPS_VIEW_SMAPS);
	mm_put(mm);
	return 0;
}

int procfs_show_pid_maps(struct procfs_buf *b, int pid)
{
	return procfs_show_mm(b, pid, MAPS_VIEW_MAPS);
}

int procfs_show_pid_smaps(struct procfs_buf *b, int pid)
{
	return procfs_show_mm(b, pid, MAPS_VIEW_SMAPS);
}

int procfs_show_pid_smaps_rollup(struct procfs_buf *b, int pid)
{
	return procfs_show_mm(b, pid, MAPS_VIEW_ROLLUP);
}
