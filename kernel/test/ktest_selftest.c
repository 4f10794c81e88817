/* Sanity checks of the kernel's own library code. */
#include <lib/printk.h>
#include <lib/string.h>
#include <test/ktest.h>

KTEST(lib_snprintf)
{
	char b[64];
	snprintf(b, sizeof(b), "%d %u %x %s %5d|%-4s|%03d %lx %p", -42, 7u, 0xbeef, "hi", 12, "ab",
		 5, 0xffffffff80000000ul, (void *)0x1000);
	KT_EXPECT(strcmp(b, "-42 7 beef hi    12|ab  |005 ffffffff80000000 0x1000") == 0);
	KT_EXPECT(snprintf(b, 4, "%s", "abcdef") == 6 && strcmp(b, "abc") == 0);
}

KTEST(lib_string)
{
	char b[16] = "hello";
	KT_EXPECT(strlen(b) == 5);
	memmove(b + 1, b, 5);
	KT_EXPECT(memcmp(b, "hhello", 6) == 0);
	KT_EXPECT(strcmp("a", "b") < 0 && strncmp("abc", "abd", 2) == 0);
}
