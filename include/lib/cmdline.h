/*
 * The kernel command line, as Linux spells it: blank-separated arguments,
 * each "key=value" or a bare "key", a value in double quotes may hold
 * blanks (the quotes are dropped), and "--" ends the kernel's part (what
 * follows is for init). A key given twice means its last value, since
 * later options override earlier ones.
 *
 * Pure functions over a string; cmdline_get reads boot_info.cmdline, which
 * is written once at boot (bootinfo_parse) before anyone asks, so no lock.
 */
#pragma once
#include <types.h>

/*
 * Copy the value of key on the boot command line into buf (NUL-terminated;
 * "" for a bare key). Returns its length, -ENOENT if key is not there,
 * -ERANGE if value and NUL do not fit in len bytes, -EINVAL for an empty key.
 */
int cmdline_get(const char *key, char *buf, size_t len);
/* cmdline_get on the given command line instead of the boot one. */
int cmdline_find(const char *cmdline, const char *key, char *buf, size_t len);
/*
 * Parse all of s as an unsigned number: decimal, or hexadecimal after "0x".
 * Returns 0, -EINVAL if s is empty or has anything else, -ERANGE past 2^64.
 */
int cmdline_parse_u64(const char *s, u64 *out);
