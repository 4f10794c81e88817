/*
 * The poll engine (include/fs/poll.h): poll tables and the scan/sleep loop.
 */
#include <arch/timer.h>
#include <fs/poll.h>
#include <mm/kmalloc.h>
#include <mm/layout.h>
#include <proc/task.h>
#include <proc/wait.h>
#include <uapi/errno.h>

/* One watched queue. */
struct poll_entry {
	struct wait_entry we; /* on wq, woken flag = the table's */
	struct wait_queue *wq;
	struct file *file; /* reference: keeps wq alive while we is on it */
};

struct poll_page {
	struct poll_page *next;
	int nentries;
	struct poll_entry entries[];
};

#define POLL_PAGE_ENTRIES ((PAGE_SIZE - sizeof(struct poll_page)) / sizeof(struct poll_entry))

/* Watch wq (f's queue) from now on; on OOM, note -ENOMEM in the table instead. */
static void poll_table_add(struct poll_table *pt, struct file *f, struct wait_queue *wq)
{
	struct poll_page *page = pt->pages;
	if (!page || page->nentries == (int)POLL_PAGE_ENTRIES) {
		page = kmalloc(PAGE_SIZE, 0);
		if (!page) {
			pt->error = -ENOMEM;
			return;
		}
		page->next = pt->pages;
		page->nentries = 0;
		pt->pages = page;
	}
	struct poll_entry *e = &page->entries[page->nentries++];
	e->we.task = current;
	e->we.woken = &pt->woken;
	e->wq = wq;
	e->file = file_get(f);
	wait_entry_add(wq, &e->we);
}

/* Take every entry off its queue, then drop the file references that kept the queues. */
static void poll_table_free(struct poll_table *pt)
{
	while (pt->pages) {
		struct poll_page *page = pt->pages;
		for (int i = 0; i < page->nentries; i++) {
			struct poll_entry *e = &page->entries[i];
			wait_entry_del(e->wq, &e->we);
			file_put(e->file);
		}
		pt->pages = page->next;
		kfree(page);
	}
}

u32 poll_file(struct poll_table *pt, struct file *f)
{
	struct wait_queue *wq;
	u32 mask = vfs_poll(f, &wq);
	if (mask & POLLIN)
		mask |= POLLRDNORM;
	if (mask & POLLOUT)
		mask |= POLLWRNORM;
	if (wq && pt && pt->is_registering)
		poll_table_add(pt, f, wq);
	return mask;
}

static bool poll_deadline_passed(u64 deadline_ns)
{
	return deadline_ns != POLL_FOREVER && clock_ns() >= deadline_ns;
}

u64 poll_deadline(s64 timeout_ns)
{
	u64 deadline;
	if (timeout_ns < 0 || __builtin_add_overflow(clock_ns(), (u64)timeout_ns, &deadline))
		return POLL_FOREVER;
	return deadline == POLL_FOREVER ? 1 : deadline;
}

u64 poll_time_left(u64 deadline_ns)
{
	u64 now = clock_ns();
	return deadline_ns > now ? deadline_ns - now : 0;
}

/*
 * The scan right after the registering one does not sleep first (see the
 * header). The flag is cleared with a full barrier: the scan's reads of
 * file state must not move before it.
 */
int poll_wait_ready(poll_scan_fn scan, void *arg, u64 deadline_ns)
{
	struct poll_table pt = { .is_registering = !poll_deadline_passed(deadline_ns) };
	int n;
	for (;;) {
		n = scan(arg, &pt);
		if (n || pt.error || poll_deadline_passed(deadline_ns))
			break;
		if (!pt.is_registering) {
			int r = wait_woken(&pt.woken, deadline_ns);
			if (r == -ERESTARTSYS) {
				n = -ERESTARTNOHAND;
				break;
			}
		}
		pt.is_registering = false;
		__atomic_store_n(&pt.woken, false, __ATOMIC_SEQ_CST);
	}
	poll_table_free(&pt);
	return n ? n : pt.error;
}
