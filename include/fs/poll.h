/*
 * Waiting for any of many files to become ready (fs/poll.c): the engine
 * under poll, ppoll, select and pselect6 (syscall/sys_poll.c).
 *
 * A task cannot sleep on many wait queues with wait_event, so a poll table
 * puts one wait entry (include/proc/wait.h) on the queue of every file it
 * watches, each holding a reference on its file so the queue outlives the
 * entry. All entries point at the table's woken flag: a wake-up on any of
 * the queues sets it and wakes the task.
 *
 * poll_wait_ready() scans, then sleeps, then scans again:
 *   - the first scan asks each file for its readiness and its queue and
 *     puts an entry on that queue; since a file may change between the
 *     two, a second scan follows before any sleep;
 *   - the flag is cleared before every later scan, so a change after the
 *     clear either is seen by the scan or sets the flag, and then the
 *     sleep does not happen (wait_woken).
 */
#pragma once
#include <fs/vfs.h>

#define POLL_FOREVER 0 /* a deadline that never passes */

struct poll_page;

struct poll_table {
	bool woken;		 /* set by a wake-up on any watched queue */
	bool is_registering;	 /* this scan puts entries on the queues */
	int error;		 /* -ENOMEM if an entry could not be added */
	struct poll_page *pages; /* the entries, a page at a time */
};

/*
 * Readiness of f as poll(2) reports it: its poll op's bits, with POLLRDNORM
 * beside POLLIN and POLLWRNORM beside POLLOUT. While pt is registering (the
 * first scan), f's queue is watched too. pt may be NULL.
 */
u32 poll_file(struct poll_table *pt, struct file *f);

/* One pass over what is polled: how many are ready, or -errno. Calls poll_file for each file. */
typedef int (*poll_scan_fn)(void *arg, struct poll_table *pt);

/*
 * Scan until something is ready (scan's count), scan fails (its -errno),
 * the deadline passes (0), or a signal arrives (-ERESTARTNOHAND).
 * deadline_ns is on the clock_ns() clock: POLL_FOREVER, or a time, where
 * one already past means a single scan without sleeping.
 */
int poll_wait_ready(poll_scan_fn scan, void *arg, u64 deadline_ns);
/* The deadline timeout_ns from now (< 0: POLL_FOREVER), saturating. */
u64 poll_deadline(s64 timeout_ns);
/* Nanoseconds left until deadline_ns (0 once passed; for reporting the rest of a timeout). */
u64 poll_time_left(u64 deadline_ns);
