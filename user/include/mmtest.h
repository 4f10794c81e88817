/*
 * Helpers for the memory-mapping tests (user/tests/mm_file_*, mm_zero_*,
 * mm_shared_*, mm_madvise_*, mm_mremap*, exec_*): touching memory in a
 * forked child to see whether it faults (no signal handlers needed),
 * making files of known contents, and /proc-dependent checks that skip
 * visibly where /proc is missing.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MT_PAGE 4096ul

/*
 * Read (or write, with is_write) one byte at p in a forked child. Returns
 * the signal that killed the child (SIGSEGV, SIGBUS), 0 if the access
 * worked, -1 if the fork or wait failed.
 */
int mt_touch_in_child(volatile void *p, bool is_write);
/* The byte pattern mt_fill_file writes: byte i of the file is mt_byte(i). */
static inline unsigned char mt_byte(size_t i)
{
	return (unsigned char)(i * 31 + (i >> 12) + 7);
}
/* Create path (mode 0644) holding len bytes of mt_byte. An open O_RDWR fd, or -1. */
int mt_fill_file(const char *path, size_t len);
/* Offset of the first byte of [p, p+len) that differs from mt_byte(off + i), or -1. */
long mt_find_bad(const unsigned char *p, size_t len, size_t off);
/* Is every byte of [p, p+len) zero? */
bool mt_all_zero(const volatile unsigned char *p, size_t len);
/*
 * The PFN of the page at p, or 0 if pagemap cannot show it (no /proc,
 * PFNs hidden, not present). mt_pfns_ok() says once per test whether PFNs
 * are visible at all (printing why not).
 */
uint64_t mt_pfn(const void *p);
bool mt_pfns_ok(void);
/* Is the page at p present according to pagemap? -1 if pagemap is unreadable. */
int mt_present(const void *p);
/* Free memory in KiB (cowutil's cow_memfree_kib), or -1 without /proc/meminfo. */
long mt_memfree_kib(void);
/* This process's resident memory (VmRSS of /proc/self/status) in KiB, or -1. */
long mt_rss_kib(void);
/*
 * Running on cowix (its /proc/vmstat has cow_fault)? There the machine runs
 * only the test, so MemFree is exact; on a shared Linux host other
 * processes move it by tens of MiB while a test runs.
 */
bool mt_on_cowix(void);
