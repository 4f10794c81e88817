/*
 * Claim: the program break works as on Linux (raw brk syscall, which
 * returns the new break on success and the unchanged break on failure):
 * brk(0) reports the break; it moves by exact byte counts, not whole pages;
 * growing it gives writable, zero-filled memory;
 * shrinking it and growing again gives fresh zero pages while memory below
 * the cut keeps its data; requests below the start or absurdly large fail
 * and leave the break alone; malloc works for small and large blocks.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>

static uintptr_t brk_raw(uintptr_t addr)
{
	return (uintptr_t)syscall(SYS_brk, addr);
}

static bool all_zero(const unsigned char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

static bool all_bytes(const unsigned char *p, size_t len, unsigned char c)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != c)
			return false;
	return true;
}

int main(void)
{
	uintptr_t start = brk_raw(0);
	CHECK(start != 0 && start != (uintptr_t)-1, "brk(0) reports the break (%#lx)", start);
	CHECK_EQ(brk_raw(0), start, "and reports it again unchanged");
	CHECK_EQ(brk_raw(start + 100), start + 100, "grow it by 100 bytes: exactly, not rounded");
	memset((void *)start, 0x33, 100);
	CHECK_EQ(brk_raw(start + 200), start + 200,
		 "and by 100 more (glibc's TLS setup does this)");
	CHECK(all_bytes((unsigned char *)start, 100, 0x33), "the first 100 bytes kept their data");
	CHECK(all_zero((unsigned char *)start + 100, 100), "the next 100 read as zeros");
	CHECK_EQ(brk_raw(start), start, "shrink back to the start");
	uintptr_t base = (start + UT_PAGE - 1) & ~(UT_PAGE - 1);
	uintptr_t top = base + 4 * UT_PAGE;
	CHECK_EQ(brk_raw(top), top, "grow the break to 4 pages past a page boundary");
	CHECK_EQ(brk_raw(0), top, "brk(0) reports the new break");
	unsigned char *mem = (unsigned char *)start;
	CHECK(all_zero(mem + 200, top - start - 200), "the new memory reads as zeros");
	memset(mem, 0x5a, top - start);
	CHECK(all_bytes(mem, top - start, 0x5a), "and is writable");

	CHECK_EQ(brk_raw(base + UT_PAGE), base + UT_PAGE, "shrink it to 1 page past the boundary");
	CHECK_EQ(brk_raw(top), top, "grow it back to 4");
	CHECK(all_bytes(mem, base + UT_PAGE - start, 0x5a), "memory below the cut kept its data");
	CHECK(all_zero((unsigned char *)base + UT_PAGE, 3 * UT_PAGE),
	      "the pages given back and regrown are zero again");

	CHECK_EQ(brk_raw(start - 64 * UT_PAGE), top, "brk below the start fails, break unchanged");
	CHECK_EQ(brk_raw(1), top, "brk(1) fails, break unchanged");
	CHECK_EQ(brk_raw(top + (1ul << 46)), top, "a 64 TiB brk fails, break unchanged");
	CHECK_EQ(brk_raw(start), start, "shrink back to where it started");

	char *small = malloc(100), *large = malloc(1 << 20);
	CHECK(small && large, "malloc of 100 bytes and of 1 MiB");
	if (small && large) {
		memset(small, 1, 100);
		memset(large, 2, 1 << 20);
		CHECK(small[99] == 1 && large[(1 << 20) - 1] == 2, "both are writable");
	}
	free(small);
	free(large);
	return tap_done();
}
