/*
 * TAP output for cowix's user-space tests, which must pass on Linux too.
 *
 * Plan-less TAP: each check prints "ok N - what" or "not ok N - what", a
 * failure is followed by "#" lines saying where and what was seen (values,
 * errno), and tap_done() prints the final "1..N" and returns the exit status
 * (0 only if every check passed). Every line is flushed at once, so a test
 * that crashes still shows how far it got, and fork() never duplicates output.
 *
 *	int fd = CHECK_OK(open("f", O_RDONLY), "open f");
 *	CHECK_ERR(ENOENT, open("missing", O_RDONLY), "open of a missing file");
 *	CHECK_EQ(st.st_size, 11, "size after writing 11 bytes");
 *	return tap_done();
 */
#pragma once
#include <errno.h>
#include <stdbool.h>

#define TAP_FMT(i) __attribute__((format(printf, i, i + 1)))

/* One check of a condition; on failure, print the expression. Returns cond. */
#define CHECK(cond, ...) tap_check(!!(cond), __FILE__, __LINE__, #cond, __VA_ARGS__)

/* Two integers must be equal; on failure print both. Returns a == b. */
#define CHECK_EQ(a, b, ...)                                                                        \
	tap_check_eq((long long)(a), (long long)(b), __FILE__, __LINE__, #a, #b, __VA_ARGS__)

/* Two strings must be equal (NULL is allowed and equals only NULL). */
#define CHECK_STR(a, b, ...) tap_check_str((a), (b), __FILE__, __LINE__, #a, __VA_ARGS__)

/*
 * A syscall-style expression must succeed (not return -1 / MAP_FAILED); on
 * failure print errno. Evaluates to the expression's value as a long.
 */
#define CHECK_OK(expr, ...)                                                                        \
	({                                                                                         \
		errno = 0;                                                                         \
		long r_ = (long)(expr);                                                            \
		int e_ = errno;                                                                    \
		tap_check_ok(r_, e_, __FILE__, __LINE__, #expr, __VA_ARGS__);                      \
		r_;                                                                                \
	})

/* A syscall-style expression must return -1 with errno == err. Returns pass/fail. */
#define CHECK_ERR(err, expr, ...)                                                                  \
	({                                                                                         \
		errno = 0;                                                                         \
		long r_ = (long)(expr);                                                            \
		int e_ = errno;                                                                    \
		tap_check_err(r_, e_, (err), __FILE__, __LINE__, #expr, __VA_ARGS__);              \
	})

bool tap_check(bool cond, const char *file, int line, const char *expr, const char *fmt, ...)
    TAP_FMT(5);
bool tap_check_eq(long long a, long long b, const char *file, int line, const char *a_expr,
		  const char *b_expr, const char *fmt, ...) TAP_FMT(7);
bool tap_check_str(const char *a, const char *b, const char *file, int line, const char *a_expr,
		   const char *fmt, ...) TAP_FMT(6);
bool tap_check_ok(long r, int err, const char *file, int line, const char *expr, const char *fmt,
		  ...) TAP_FMT(6);
bool tap_check_err(long r, int err, int want, const char *file, int line, const char *expr,
		   const char *fmt, ...) TAP_FMT(7);

/* A check that could not be made here: "ok N - what # SKIP why". Visible, never silent. */
void tap_skip(const char *why, const char *fmt, ...) TAP_FMT(2);
/* A "# ..." diagnostic line. */
void tap_diag(const char *fmt, ...) TAP_FMT(1);
/* Setup failed so nothing more can be checked: "Bail out! ...", exit status 1. */
_Noreturn void tap_bail(const char *fmt, ...) TAP_FMT(1);
/*
 * Announce that this process is about to die of signal sig on purpose:
 * prints "# expect signal N (NAME)". A test that does this must do it right
 * before the fatal act, print no plan, and report "not ok" if it survives.
 * The runner passes it only if it then dies of exactly that signal.
 */
void tap_expect_signal(int sig, const char *name);
/* Print "1..N"; returns the exit status: 0 if every check passed, else 1. */
int tap_done(void);
/* The number of failed checks so far. */
int tap_failures(void);
/* Number checks from count+1 on: a test that execs itself continues its TAP stream. */
void tap_resume(int count);
/* The number of checks so far. */
int tap_count_so_far(void);

/* "ENOENT" for ENOENT, or "E?" for numbers the table does not know. */
const char *tap_errno_name(int err);
