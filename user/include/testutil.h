/*
 * Helpers shared by cowix's user-space tests: a scratch directory to work
 * in, whole-file reads and writes, /proc detection, running a function in a
 * forked child, and a pointer to a page that is certainly not mapped.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#define UT_PAGE 4096ul

/*
 * Make a fresh directory /tmp/cowix-NAME.XXXXXX, chdir into it and return its
 * path. Bails out of the test if that is impossible.
 */
const char *ut_scratch_enter(const char *name);
/* Leave the scratch directory and remove it with everything in it (one check). */
void ut_scratch_leave(void);
/* Remove a file, symlink or directory tree. 0, or -1 with errno. */
int ut_remove_tree(const char *path);

/* Read at most size-1 bytes of a file, NUL-terminate; the length, or -1 with errno. */
ssize_t ut_read_file(const char *path, char *buf, size_t size);
/* Create or truncate path with mode and write data into it; 0, or -1 with errno. */
int ut_write_file(const char *path, const char *data, mode_t mode);

/* Is a Linux-style /proc mounted (is /proc/self/maps readable)? */
bool ut_have_proc(void);

/*
 * Run fn(arg) in a forked child that then exits 0, and wait for it. Returns
 * the child's wait status, or -1 with errno if fork or wait failed.
 */
int ut_fork_wait(void (*fn)(void *), void *arg);

/*
 * Run fn(arg) in a fork child, which exits with its result. Returns that
 * exit code, 128 + the signal that killed the child, or -1 if fork or
 * wait failed.
 */
int ut_in_child(int (*fn)(void *), void *arg);

/* An address whose page was mapped and then unmapped; NULL if mmap failed. */
void *ut_unmapped_page(void);

/* The clock's time in nanoseconds, read with the raw syscall (no vDSO). */
long long ut_clock_ns(clockid_t clock);
/* CLOCK_MONOTONIC in milliseconds. */
long ut_now_ms(void);
/* Sleep ms milliseconds; a signal handler may cut it short, as nanosleep does. */
void ut_sleep_ms(long ms);
