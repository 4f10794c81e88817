/*
 * In-kernel self-test runner: runs the KTEST()s linked into .ktests and
 * prints TAP ("ok N - name" / "not ok N - name", then "1..N").
 */
#include <lib/printk.h>
#include <lib/string.h>
#include <test/ktest.h>

extern const struct ktest __ktests_start[], __ktests_end[];

static int ktest_failures; /* failed expectations in the running test */

void ktest_fail(const char *cond, const char *file, int line)
{
	printk("#   failed: %s at %s:%d\n", cond, file, line);
	ktest_failures++;
}

int ktest_run_all(const char *prefix)
{
	int n = 0, failed = 0;
	for (const struct ktest *t = __ktests_start; t < __ktests_end; t++) {
		if (prefix && strncmp(t->name, prefix, strlen(prefix)) != 0)
			continue;
		ktest_failures = 0;
		t->fn();
		n++;
		printk("%s %d - %s\n", ktest_failures ? "not ok" : "ok", n, t->name);
		failed += ktest_failures != 0;
	}
	printk("1..%d\n", n);
	return failed;
}
