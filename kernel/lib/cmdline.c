/*
 * Reading options from the kernel command line (include/lib/cmdline.h).
 * One scan per question: the line is at most a few hundred bytes and is
 * asked a handful of times at boot.
 */
#include <arch/bootinfo.h>
#include <lib/cmdline.h>
#include <lib/string.h>
#include <uapi/errno.h>

static bool cmdline_is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Where the argument starting at p ends: the first blank outside double quotes, or the NUL. */
static const char *cmdline_arg_end(const char *p)
{
	bool in_quotes = false;
	for (; *p && (in_quotes || !cmdline_is_blank(*p)); p++)
		if (*p == '"')
			in_quotes = !in_quotes;
	return p;
}

/* Does the argument [arg, end) have key klen bytes long, alone or followed by '='? */
static bool cmdline_arg_is(const char *arg, const char *end, const char *key, size_t klen)
{
	size_t alen = end - arg;
	return alen >= klen && !memcmp(arg, key, klen) && (alen == klen || arg[klen] == '=');
}

/* Copy [v, end) without its double quotes into buf, NUL-terminated: its length, or -ERANGE. */
static int cmdline_copy_value(const char *v, const char *end, char *buf, size_t len)
{
	size_t n = 0;
	for (; v < end; v++) {
		if (*v == '"')
			continue;
		if (n + 1 >= len)
			return -ERANGE;
		buf[n++] = *v;
	}
	buf[n] = 0;
	return (int)n;
}

int cmdline_find(const char *cmdline, const char *key, char *buf, size_t len)
{
	size_t klen = strlen(key);
	const char *val = NULL, *val_end = NULL;
	if (!klen || !len)
		return -EINVAL;
	for (const char *p = cmdline; *p;) {
		if (cmdline_is_blank(*p)) {
			p++;
			continue;
		}
		const char *end = cmdline_arg_end(p);
		if (end - p == 2 && p[0] == '-' && p[1] == '-')
			break;
		if (cmdline_arg_is(p, end, key, klen)) {
			val = p + klen + (p + klen < end); /* past the '=' */
			val_end = end;
		}
		p = end;
	}
	if (!val)
		return -ENOENT;
	return cmdline_copy_value(val, val_end, buf, len);
}

int cmdline_get(const char *key, char *buf, size_t len)
{
	return cmdline_find(boot_info.cmdline, key, buf, len);
}

/* The value of hex or decimal digit c in base, or -1. */
static int cmdline_digit(char c, unsigned base)
{
	int d = c >= '0' && c <= '9'   ? c - '0'
		: c >= 'a' && c <= 'f' ? c - 'a' + 10
		: c >= 'A' && c <= 'F' ? c - 'A' + 10
				       : -1;
	return d >= 0 && (unsigned)d < base ? d : -1;
}

int cmdline_parse_u64(const char *s, u64 *out)
{
	unsigned base = 10;
	u64 v = 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		int d = cmdline_digit(*s, base);
		if (d < 0)
			return -EINVAL;
		if (__builtin_mul_overflow(v, base, &v) || __builtin_add_overflow(v, (u64)d, &v))
			return -ERANGE;
	}
	*out = v;
	return 0;
}
