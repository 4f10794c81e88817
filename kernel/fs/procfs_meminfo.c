/*
 * /proc/meminfo and /proc/vmstat.
 *
 * meminfo's figures, in kB, and where they come from:
 *   MemTotal, MemFree   the frame allocator's managed and free frames;
 *   MemAvailable        = MemFree: nothing is reclaimable (no swap, no
 *                       evictable page cache; ramfs pages stay in memory);
 *   Cached              frames holding file data (PG_FILE: ramfs pages),
 *                       which Linux also reports as Unevictable for ramfs;
 *   AnonPages           frames of anonymous user memory in use (PG_ANON with
 *                       a reference), counted once however many processes
 *                       share them copy-on-write; a huge page is 512;
 *   AnonHugePages       the part of AnonPages in compound huge pages;
 *   Mapped              file frames some user PTE maps;
 *   Slab/SUnreclaim     the frames the kernel heap holds;
 *   KernelStack         one KSTACK_SIZE per task;
 *   PageTables          page-table pages of user address spaces;
 *   CommitLimit         half of RAM (Linux's default with no swap);
 *   Committed_AS        virtual size of every process's mappings.
 * The frame counts come from one lock-free scan of the frame map; a frame
 * changing owner during the scan may be counted in either state.
 */
#include <fs/procfs.h>
#include <mm/kmalloc.h>
#include <mm/mm.h>
#include <mm/page.h>
#include <mm/thp.h>
#include <mm/vmstat.h>
#include <proc/task.h>

#define PAGE_KB (PAGE_SIZE / 1024)

struct meminfo_frames {
	u64 anon, anon_huge, file, file_mapped;
};

/*
 * Count anonymous and file frames in use. Only head frames carry a count;
 * a compound huge page's tails are counted with its head and skipped.
 */
static void meminfo_count_frames(struct meminfo_frames *c)
{
	*c = (struct meminfo_frames){ 0 };
	for (u64 pfn = 0; pfn < frame_max_pfn; pfn++) {
		const struct page *pg = pfn_to_page(pfn);
		u32 flags = READ_ONCE(pg->flags);
		if (!(flags & (PG_ANON | PG_FILE)) || page_refcount(pg) == 0)
			continue;
		if ((flags & (PG_THP | PG_ANON)) == (PG_THP | PG_ANON)) {
			c->anon += HPAGE_NR;
			c->anon_huge += HPAGE_NR;
			pfn += HPAGE_NR - 1;
			continue;
		}
		c->anon += (flags & PG_ANON) ? 1 : 0;
		c->file += (flags & PG_FILE) ? 1 : 0;
		c->file_mapped += (flags & PG_FILE) && atomic_read(&pg->mapcount) > 0 ? 1 : 0;
	}
}

struct meminfo_tasks {
	u64 nr_tasks;
	u64 committed_pages;
};

/*
 * Count one task, and its address space once per process (threads share
 * the leader's). Called under task_lock, which keeps t->mm alive (exit and
 * exec clear it under task_lock); total_vm_pages is one aligned word, read
 * without mm->lock. A vfork child counts its parent's mm a second time.
 */
static void meminfo_count_task(struct task *t, void *arg)
{
	struct meminfo_tasks *c = arg;
	c->nr_tasks++;
	if (t->group_leader == t && t->mm && !t->is_zombie)
		c->committed_pages += READ_ONCE(t->mm->total_vm_pages);
}

/* The memory lines, in Linux's order. */
static void meminfo_show_mem(struct procfs_buf *b, const struct meminfo_frames *f)
{
	u64 free_kb = frame_free_count() * PAGE_KB;
	procfs_print_kb(b, "MemTotal:", frame_total_count() * PAGE_KB);
	procfs_print_kb(b, "MemFree:", free_kb);
	procfs_print_kb(b, "MemAvailable:", free_kb);
	procfs_print_kb(b, "Buffers:", 0);
	procfs_print_kb(b, "Cached:", f->file * PAGE_KB);
	procfs_print_kb(b, "SwapCached:", 0);
	procfs_print_kb(b, "Active:", f->anon * PAGE_KB);
	procfs_print_kb(b, "Inactive:", 0);
	procfs_print_kb(b, "Active(anon):", f->anon * PAGE_KB);
	procfs_print_kb(b, "Inactive(anon):", 0);
	procfs_print_kb(b, "Active(file):", 0);
	procfs_print_kb(b, "Inactive(file):", 0);
	procfs_print_kb(b, "Unevictable:", f->file * PAGE_KB);
	procfs_print_kb(b, "Mlocked:", 0);
	procfs_print_kb(b, "SwapTotal:", 0);
	procfs_print_kb(b, "SwapFree:", 0);
	procfs_print_kb(b, "Dirty:", 0);
	procfs_print_kb(b, "Writeback:", 0);
	procfs_print_kb(b, "AnonPages:", f->anon * PAGE_KB);
	procfs_print_kb(b, "Mapped:", f->file_mapped * PAGE_KB);
	procfs_print_kb(b, "Shmem:", 0);
}

/* The kernel's own memory and the commit figures. */
static void meminfo_show_kernel(struct procfs_buf *b, const struct meminfo_tasks *t,
				const struct meminfo_frames *f)
{
	u64 slab_kb = kmalloc_bytes_held() / 1024;
	procfs_print_kb(b, "KReclaimable:", 0);
	procfs_print_kb(b, "Slab:", slab_kb);
	procfs_print_kb(b, "SReclaimable:", 0);
	procfs_print_kb(b, "SUnreclaim:", slab_kb);
	procfs_print_kb(b, "KernelStack:", t->nr_tasks * (KSTACK_SIZE / 1024));
	procfs_print_kb(b, "PageTables:", pt_pages_count() * PAGE_KB);
	procfs_print_kb(b, "Bounce:", 0);
	procfs_print_kb(b, "WritebackTmp:", 0);
	procfs_print_kb(b, "CommitLimit:", frame_total_count() / 2 * PAGE_KB);
	procfs_print_kb(b, "Committed_AS:", t->committed_pages * PAGE_KB);
	procfs_print_kb(b, "AnonHugePages:", f->anon_huge * PAGE_KB);
}

int procfs_show_meminfo(struct procfs_buf *b, int pid)
{
	(void)pid;
	struct meminfo_frames f;
	struct meminfo_tasks t = { 0 };
	meminfo_count_frames(&f);
	procfs_for_each_task(meminfo_count_task, &t);
	meminfo_show_mem(b, &f);
	meminfo_show_kernel(b, &t, &f);
	return 0;
}

/* A few nr_* gauges first (Linux's order), then every event counter of vmstat.h. */
int procfs_show_vmstat(struct procfs_buf *b, int pid)
{
	(void)pid;
	struct meminfo_frames f;
	meminfo_count_frames(&f);
	procfs_printf(b, "nr_free_pages %lu\n", frame_free_count());
	procfs_printf(b, "nr_anon_pages %lu\n", f.anon);
	procfs_printf(b, "nr_anon_transparent_hugepages %lu\n", f.anon_huge / HPAGE_NR);
	procfs_printf(b, "nr_mapped %lu\n", f.file_mapped);
	procfs_printf(b, "nr_file_pages %lu\n", f.file);
	procfs_printf(b, "nr_slab_unreclaimable %lu\n", kmalloc_bytes_held() / PAGE_SIZE);
	procfs_printf(b, "nr_page_table_pages %lu\n", pt_pages_count());
	for (int e = 0; e < NR_VM_EVENTS; e++)
		procfs_printf(b, "%s %lu\n", vm_event_name(e), vm_event_sum(e));
	return 0;
}
