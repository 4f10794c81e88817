/*
 * In-kernel self-tests, reported as TAP. Define one with
 *
 *	KTEST(frame_alloc_free) { ... KT_EXPECT(cond); ... }
 *
 * Tests are collected from the .ktests section and run by `tools/qrun -- ktest`
 * (optionally `ktest NAME-PREFIX`). A failed KT_EXPECT marks the test failed,
 * prints the condition, file and line, and carries on.
 */
#pragma once
#include <types.h>

struct ktest {
	const char *name;
	void (*fn)(void);
};

#define KTEST(tname)                                                                               \
	static void ktest_fn_##tname(void);                                                        \
	static const struct ktest ktest_##tname __attribute__((used, section(".ktests"), aligned(8))) = { \
		#tname, ktest_fn_##tname                                                           \
	};                                                                                         \
	static void ktest_fn_##tname(void)

void ktest_fail(const char *cond, const char *file, int line);
#define KT_EXPECT(c)                                                                               \
	do {                                                                                       \
		if (!(c))                                                                          \
			ktest_fail(#c, __FILE__, __LINE__);                                        \
	} while (0)

/* Run every test whose name starts with prefix (NULL: all). Returns the number that failed. */
int ktest_run_all(const char *prefix);
