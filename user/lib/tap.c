/* TAP output for the user-space tests: see user/include/tap.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tap.h>

static int tap_count, tap_failed;

/* Print "ok N - what" or "not ok N - what", from a printf format. */
static void tap_result(bool ok, const char *fmt, va_list ap)
{
	tap_count++;
	if (!ok)
		tap_failed++;
	printf("%s %d - ", ok ? "ok" : "not ok", tap_count);
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
}

static void tap_where(const char *file, int line, const char *expr)
{
	printf("#   at %s:%d: %s\n", file, line, expr);
}

static void tap_errno_line(const char *what, int err)
{
	printf("#   %s: errno %d %s (%s)\n", what, err, tap_errno_name(err), strerror(err));
}

bool tap_check(bool cond, const char *file, int line, const char *expr, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	tap_result(cond, fmt, ap);
	va_end(ap);
	if (!cond)
		tap_where(file, line, expr);
	fflush(stdout);
	return cond;
}

bool tap_check_eq(long long a, long long b, const char *file, int line, const char *a_expr,
		  const char *b_expr, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	tap_result(a == b, fmt, ap);
	va_end(ap);
	if (a != b) {
		tap_where(file, line, a_expr);
		printf("#   got:  %lld (%#llx)\n", a, (unsigned long long)a);
		printf("#   want: %lld (%#llx) = %s\n", b, (unsigned long long)b, b_expr);
	}
	fflush(stdout);
	return a == b;
}

bool tap_check_str(const char *a, const char *b, const char *file, int line, const char *a_expr,
		   const char *fmt, ...)
{
	bool ok = a && b ? strcmp(a, b) == 0 : a == b;
	va_list ap;
	va_start(ap, fmt);
	tap_result(ok, fmt, ap);
	va_end(ap);
	if (!ok) {
		tap_where(file, line, a_expr);
		printf("#   got:  %s%s%s\n", a ? "\"" : "", a ? a : "NULL", a ? "\"" : "");
		printf("#   want: %s%s%s\n", b ? "\"" : "", b ? b : "NULL", b ? "\"" : "");
	}
	fflush(stdout);
	return ok;
}

bool tap_check_ok(long r, int err, const char *file, int line, const char *expr, const char *fmt,
		  ...)
{
	bool ok = r != -1;
	va_list ap;
	va_start(ap, fmt);
	tap_result(ok, fmt, ap);
	va_end(ap);
	if (!ok) {
		tap_where(file, line, expr);
		tap_errno_line("failed", err);
	}
	fflush(stdout);
	return ok;
}

bool tap_check_err(long r, int err, int want, const char *file, int line, const char *expr,
		   const char *fmt, ...)
{
	bool ok = r == -1 && err == want;
	va_list ap;
	va_start(ap, fmt);
	tap_result(ok, fmt, ap);
	va_end(ap);
	if (!ok) {
		tap_where(file, line, expr);
		if (r != -1)
			printf("#   returned %ld (%#lx), want -1\n", r, (unsigned long)r);
		else
			tap_errno_line("got", err);
		printf("#   want: errno %d %s\n", want, tap_errno_name(want));
	}
	fflush(stdout);
	return ok;
}

void tap_skip(const char *why, const char *fmt, ...)
{
	va_list ap;
	tap_count++;
	printf("ok %d - ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" # SKIP %s\n", why);
	fflush(stdout);
}

void tap_diag(const char *fmt, ...)
{
	va_list ap;
	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

_Noreturn void tap_bail(const char *fmt, ...)
{
	va_list ap;
	printf("Bail out! ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	exit(1);
}

void tap_expect_signal(int sig, const char *name)
{
	printf("# expect signal %d (%s)\n", sig, name);
	fflush(stdout);
}

int tap_done(void)
{
	printf("1..%d\n", tap_count);
	fflush(stdout);
	return tap_failed ? 1 : 0;
}

int tap_failures(void)
{
	return tap_failed;
}

void tap_resume(int count)
{
	tap_count = count;
}

int tap_count_so_far(void)
{
	return tap_count;
}

#define E(name) [name] = #name
static const char *const errno_names[] = {
	E(EPERM),      E(ENOENT),	E(ESRCH),  E(EINTR),	 E(EIO),    E(ENXIO),
	E(E2BIG),      E(ENOEXEC),	E(EBADF),  E(ECHILD),	 E(EAGAIN), E(ENOMEM),
	E(EACCES),     E(EFAULT),	E(EBUSY),  E(EEXIST),	 E(EXDEV),  E(ENODEV),
	E(ENOTDIR),    E(EISDIR),	E(EINVAL), E(ENFILE),	 E(EMFILE), E(ENOTTY),
	E(EFBIG),      E(ENOSPC),	E(ESPIPE), E(EROFS),	 E(EMLINK), E(EPIPE),
	E(ERANGE),     E(ENAMETOOLONG), E(ENOSYS), E(ENOTEMPTY), E(ELOOP),  E(EOVERFLOW),
	E(EOPNOTSUPP), E(ETIMEDOUT),
};
#undef E

const char *tap_errno_name(int err)
{
	if (err > 0 && (size_t)err < sizeof(errno_names) / sizeof(errno_names[0]) &&
	    errno_names[err])
		return errno_names[err];
	return "E?";
}
