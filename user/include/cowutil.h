/*
 * Helpers for the copy-on-write tests (user/tests/cow_*.c) and /bin/cowdemo:
 * page-map entries, PFNs and map counts from /proc/self/pagemap and
 * /proc/kpagecount, fields of /proc/meminfo and /proc/vmstat, anonymous
 * memory filled with a checkable pattern, full pipe reads and writes, a
 * pipe-based parent/child barrier, and the "MemFree is back at its
 * baseline" check.
 *
 * Formats are Linux's (proc(5), Documentation/admin-guide/mm/pagemap.rst):
 * pagemap holds one little-endian u64 per virtual page at offset
 * vaddr / 4096 * 8; kpagecount one u64 map count per PFN at offset pfn * 8.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define COW_PAGE 4096ul
#define COW_MIB	 (1ul << 20)

/* Bits of a pagemap entry. */
#define PM_PFN_MASK	  ((1ull << 55) - 1) /* bits 0-54: the frame number, if present */
#define PM_SOFT_DIRTY	  (1ull << 55)
#define PM_EXCLUSIVE	  (1ull << 56) /* mapped by exactly one process */
#define PM_FILE_OR_SHARED (1ull << 61) /* a file page or shared anonymous memory */
#define PM_SWAPPED	  (1ull << 62)
#define PM_PRESENT	  (1ull << 63)

/* Read the pagemap entries of npages pages, the first holding addr. 0, or -1 with errno. */
int cow_pagemap(const void *addr, size_t npages, uint64_t *entries);
/* The pagemap entry of the page holding addr; 0 if it cannot be read. */
uint64_t cow_pagemap_entry(const void *addr);
/* The PFN of the page holding addr; 0 if not present, hidden or unreadable. */
uint64_t cow_pfn(const void *addr);
/* The PFNs of npages pages from addr into pfns (0 for a missing one). 0, or -1 with errno. */
int cow_pfns(const void *addr, size_t npages, uint64_t *pfns);
/*
 * Does /proc/self/pagemap show real PFNs? Linux shows zeros to a process
 * without CAP_SYS_ADMIN. If not, prints why (a "# " line) and returns false.
 */
bool cow_pfns_visible(void);
/* How many page-table entries map the frame pfn (/proc/kpagecount); -1 on error. */
long long cow_kpagecount(uint64_t pfn);
/* /proc/kpageflags of pfn (KPF_* bits), or -1 if it cannot be read. */
long long cow_kpageflags(uint64_t pfn);
#define KPF_COMPOUND_HEAD 15
#define KPF_COMPOUND_TAIL 16
#define KPF_THP		  22
#define KPF_ZERO_PAGE	  24

/* A /proc/meminfo field ("MemFree") in KiB; -1 if absent or unreadable. */
long cow_meminfo_kib(const char *field);
/* A field of this process's /proc/self/smaps_rollup in KiB ("AnonHugePages"), or -1. */
long cow_rollup_kib(const char *field);
/*
 * Free memory in KiB, or -1: MemFree, plus on Linux the free pages it leaves
 * out because they sit on per-CPU lists (the "count:" lines of
 * /proc/zoneinfo). Those lists can hold hundreds of MiB on a large machine,
 * so MemFree alone can hide a 64 MiB allocation; a kernel without
 * /proc/zoneinfo (cowix) counts every free page in MemFree.
 */
long cow_memfree_kib(void);
/* The free pages on Linux's per-CPU lists in KiB; 0 without /proc/zoneinfo. */
long cow_pcp_free_kib(void);
/* A /proc/vmstat counter by name; -1 if absent (Linux has no cow_copy, say) or unreadable. */
long long cow_vmstat(const char *name);

/* A fresh private anonymous mapping of len bytes, not yet touched; NULL on failure. */
void *cow_map(size_t len);
/* Write a byte into every page of [p, p + len), so each gets its own frame. */
void cow_touch(void *p, size_t len, unsigned char value);
/* cow_map() plus cow_touch() of mib MiB; NULL on failure. */
void *cow_touch_mib(size_t mib);

/* Word i of the pattern named seed: differs for every (seed, i). */
uint64_t cow_pattern(uint64_t seed, size_t i);
/* Fill [p, p + len) (len a multiple of 8) with pattern seed. */
void cow_fill(void *p, size_t len, uint64_t seed);
/* Byte offset of the first word that is not pattern seed, or -1 if all are. */
long cow_find_bad(const void *p, size_t len, uint64_t seed);
/* The same for bytes [from, from + len) of a region filled from base (from a multiple of 8). */
long cow_find_bad_at(const void *base, size_t from, size_t len, uint64_t seed);

/* Write or read exactly len bytes through a pipe. 0, or -1 (errno, or EOF on read). */
int cow_send(int fd, const void *buf, size_t len);
int cow_recv(int fd, void *buf, size_t len);

/*
 * A barrier between a parent and one child, made of two pipes. Set it up
 * before fork; right after fork each side calls cow_barrier_side() once,
 * then both call cow_barrier_sync() the same number of times.
 */
struct cow_barrier {
	int to_child[2], to_parent[2];
	int in, out; /* this side's ends, after cow_barrier_side() */
};
/* 0, or -1 with errno. */
int cow_barrier_init(struct cow_barrier *b);
/* Keep only this side's ends, so a side that dies is seen as EOF. */
void cow_barrier_side(struct cow_barrier *b, bool is_child);
/* Tell the other side we got here and wait until it does too. 0, or -1 if it is gone. */
int cow_barrier_sync(struct cow_barrier *b);
void cow_barrier_close(struct cow_barrier *b);

/*
 * What the "back at baseline" check follows, in KiB. On cowix (whose
 * /proc/vmstat has cow_fault): MemFree, exactly. Elsewhere (Linux), where
 * other processes on the machine allocate and free hundreds of MiB while a
 * test runs: cow_memfree_kib() plus AnonPages, Cached, Buffers,
 * SReclaimable, SUnreclaim, KernelStack and PageTables, i.e. all memory but
 * what no counter explains, which is where a leaked frame would show.
 */
long cow_leak_gauge_kib(void);
/*
 * Fork a child that exits at once, reap it, then read cow_leak_gauge_kib():
 * a baseline that does not count first-use allocations (slabs, page-table
 * caches). Bails out of the test if any of that fails.
 */
long cow_memfree_baseline(void);
/*
 * One check: MemFree (as cow_leak_gauge_kib() sees it) is back to at least
 * baseline_kib - tol_kib. Freed memory is not always counted at once (Linux
 * folds per-CPU counts about once a second, and briefly sets free blocks
 * aside to report them to a hypervisor), so it looks again for up to
 * 5 seconds before failing. Returns pass/fail.
 */
bool cow_check_memfree_back(long baseline_kib, long tol_kib, const char *what);

/* waitpid(pid) and return the child's exit code, or -1 (with a "# " line) if it did not exit. */
int cow_wait_exit(pid_t pid);
