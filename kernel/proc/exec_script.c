/*
 * "#!" scripts (execve(2), "Interpreter scripts"). The first line names an
 * interpreter and at most one optional argument:
 *
 *	#!interpreter [optional-arg]
 *
 * and the script runs as  interpreter [optional-arg] script-path argv[1]...
 * Only the first EXEC_PEEK_BYTES bytes are looked at. Spaces and tabs
 * separate the interpreter from the argument; everything after that
 * (trailing blanks trimmed) is ONE argument, spaces and all, as on Linux.
 * A line cut off by the end of those bytes is accepted only if the
 * interpreter's name is visibly complete (a blank or NUL follows it).
 */
#include <lib/string.h>
#include <uapi/errno.h>
#include "exec_internal.h"

static bool script_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* The first non-blank in [p, end), or end. */
static const char *script_skip_blanks(const char *p, const char *end)
{
	while (p < end && script_is_blank(*p))
		p++;
	return p;
}

/* The first blank or NUL in [p, end), or end. */
static const char *script_find_separator(const char *p, const char *end)
{
	while (p < end && *p && !script_is_blank(*p))
		p++;
	return p;
}

/*
 * Find the interpreter name [*name, *name_end) and the optional argument
 * [*arg, *arg_end) (empty if none) in buf. 0 or -ENOEXEC.
 */
static int script_parse(const char *buf, const char **name, const char **name_end, const char **arg,
			const char **arg_end)
{
	const char *end = buf + 2;
	while (end < buf + EXEC_PEEK_BYTES && *end != '\n')
		end++;
	bool is_cut = end == buf + EXEC_PEEK_BYTES;
	*name = script_skip_blanks(buf + 2, end);
	*name_end = script_find_separator(*name, end);
	if (*name == *name_end || (is_cut && *name_end == end))
		return -ENOEXEC;
	while (end > *name_end && script_is_blank(end[-1]))
		end--;
	*arg = *arg_end = *name_end;
	if (**name_end == '\0')
		return 0; /* a NUL ends the line: no argument */
	*arg = script_skip_blanks(*name_end, end);
	*arg_end = *arg + strnlen(*arg, end - *arg);
	return 0;
}

/* Copy [s, e) into dst as a NUL-terminated string (dst holds EXEC_PEEK_BYTES). */
static void script_copy(char *dst, const char *s, const char *e)
{
	memcpy(dst, s, e - s);
	dst[e - s] = '\0';
}

/*
 * Replace argv[0] (if there is one) by the n strings front[] in a's packed
 * buffer: the rest of argv and all of envp move up or down in place.
 */
static int script_replace_argv0(struct exec_args *a, const char *const *front, int n)
{
	size_t drop = a->argc ? strlen(a->buf) + 1 : 0, add = 0;
	for (int i = 0; i < n; i++)
		add += strlen(front[i]) + 1;
	if (a->len_bytes - drop + add > EXEC_ARGS_MAX)
		return -E2BIG;
	memmove(a->buf + add, a->buf + drop, a->len_bytes - drop);
	for (int i = 0, off = 0; i < n; i++) {
		size_t len = strlen(front[i]) + 1;
		memcpy(a->buf + off, front[i], len);
		off += len;
	}
	a->len_bytes = a->len_bytes - drop + add;
	a->argc += n - (drop ? 1 : 0);
	return 0;
}

int exec_script_rewrite(const char *buf, const char *script_path, struct exec_args *a, char *interp)
{
	const char *name, *name_end, *arg, *arg_end;
	char optarg[EXEC_PEEK_BYTES];
	int r = script_parse(buf, &name, &name_end, &arg, &arg_end);
	if (r)
		return r;
	script_copy(interp, name, name_end);
	script_copy(optarg, arg, arg_end);
	const char *front[3] = { interp, optarg, script_path };
	if (arg == arg_end)
		front[1] = script_path;
	return script_replace_argv0(a, front, arg == arg_end ? 2 : 3);
}
