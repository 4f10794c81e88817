// HOSTSRC: kernel/lib/cmdline.c
/*
 * Host unit test of the kernel command-line reader (kernel/lib/cmdline.c),
 * under ASan and UBSan: keys alone and with values, the last of repeated
 * keys, quotes, "--", prefixes that must not match, buffers that are too
 * small, and the number parser. The test provides boot_info itself.
 */
#include <arch/bootinfo.h>
#include <lib/cmdline.h>
#include <uapi/errno.h>

#include <string.h>

#include "tap.h"

struct boot_info boot_info;

/* cmdline_find into a fresh buffer; the value is left in val. */
static char val[64];
static int find(const char *line, const char *key)
{
	memset(val, 'X', sizeof(val));
	return cmdline_find(line, key, val, sizeof(val));
}

static void test_find(void)
{
	TAP_OK(find("qrun profile=2", "profile") == 1 && !strcmp(val, "2"), "key=value");
	TAP_OK(find("profile=2", "qrun") == -ENOENT, "absent key is -ENOENT");
	TAP_OK(find("", "qrun") == -ENOENT, "empty line is -ENOENT");
	TAP_OK(find("qrun profile=2", "qrun") == 0 && !strcmp(val, ""), "bare key has value \"\"");
	TAP_OK(find("profile=2 profile=4", "profile") == 1 && !strcmp(val, "4"), "last value wins");
	TAP_OK(find("profiles=2 xprofile=3", "profile") == -ENOENT, "no prefix or suffix matches");
	TAP_OK(find("transparent_hugepage=never", "transparent_hugepage") == 5 &&
		   !strcmp(val, "never"),
	       "long key");
	TAP_OK(find("  a=1\t\tb=2  ", "b") == 1 && !strcmp(val, "2"), "tabs and runs of blanks");
	TAP_OK(find("a=\"x y\" b=3", "a") == 3 && !strcmp(val, "x y"), "quoted value keeps blanks");
	TAP_OK(find("a=\"x y\" b=3", "b") == 1 && !strcmp(val, "3"), "argument after quotes");
	TAP_OK(find("a=1 -- b=2", "b") == -ENOENT, "-- ends the kernel's arguments");
	TAP_OK(find("a=1 -- b=2", "a") == 1, "before -- still found");
	TAP_OK(find("a==1", "a") == 2 && !strcmp(val, "=1"), "value may hold '='");
	TAP_OK(find("a=", "a") == 0 && !strcmp(val, ""), "empty value");
	TAP_OK(find("a=1", "") == -EINVAL, "empty key is -EINVAL");
}

static void test_small_buffers(void)
{
	char b[4];
	TAP_OK(cmdline_find("k=abc", "k", b, sizeof(b)) == 3 && !strcmp(b, "abc"), "exact fit");
	TAP_OK(cmdline_find("k=abcd", "k", b, sizeof(b)) == -ERANGE, "one too long is -ERANGE");
	TAP_OK(cmdline_find("k=abc", "k", b, 0) == -EINVAL, "zero-length buffer is -EINVAL");
	TAP_OK(cmdline_find("k", "k", b, 1) == 0 && b[0] == 0, "bare key fits in one byte");
}

static void test_boot_line(void)
{
	strcpy(boot_info.cmdline, "qrun profile=3");
	TAP_OK(cmdline_get("profile", val, sizeof(val)) == 1 && !strcmp(val, "3"),
	       "cmdline_get reads boot_info.cmdline");
}

static void test_parse_u64(void)
{
	u64 v = 7;
	TAP_OK(cmdline_parse_u64("0", &v) == 0 && v == 0, "0");
	TAP_OK(cmdline_parse_u64("42", &v) == 0 && v == 42, "decimal");
	TAP_OK(cmdline_parse_u64("0x1F", &v) == 0 && v == 31, "hex");
	TAP_OK(cmdline_parse_u64("18446744073709551615", &v) == 0 && v == ~0ull, "2^64-1");
	TAP_OK(cmdline_parse_u64("18446744073709551616", &v) == -ERANGE, "2^64 is -ERANGE");
	v = 7;
	TAP_OK(cmdline_parse_u64("", &v) == -EINVAL && v == 7, "empty is -EINVAL, out untouched");
	TAP_OK(cmdline_parse_u64("0x", &v) == -EINVAL, "bare 0x is -EINVAL");
	TAP_OK(cmdline_parse_u64("-1", &v) == -EINVAL, "sign is -EINVAL");
	TAP_OK(cmdline_parse_u64("12a", &v) == -EINVAL, "trailing junk is -EINVAL");
	TAP_OK(cmdline_parse_u64("0xfg", &v) == -EINVAL, "bad hex digit is -EINVAL");
}

int main(void)
{
	test_find();
	test_small_buffers();
	test_boot_line();
	test_parse_u64();
	return tap_done();
}
