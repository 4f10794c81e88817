/*
 * Claim: anonymous mmap and munmap behave as on Linux: a private anonymous
 * mapping is page aligned, zero-filled and writable, and a large one is
 * usable at both ends; MAP_FIXED replaces part of a mapping with fresh zero
 * pages and leaves the rest alone; munmap of one page leaves a hole that
 * MAP_FIXED_NOREPLACE can fill while it refuses (EEXIST) to cover a live
 * mapping; the errors (raw syscalls): length 0, unaligned MAP_FIXED address
 * or offset, neither or both of MAP_PRIVATE and MAP_SHARED (EINVAL), more
 * than the address space (ENOMEM), munmap of an unaligned address, a kernel
 * address or length 0 (EINVAL); munmap of a range with nothing mapped
 * succeeds.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>

#define RW   (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

static bool all_bytes(const unsigned char *p, size_t len, unsigned char c)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != c)
			return false;
	return true;
}

static void check_anonymous(void)
{
	unsigned char *p = (void *)CHECK_OK(mmap(NULL, 3 * UT_PAGE, RW, ANON, -1, 0),
					    "mmap 3 anonymous private pages");
	if (p == MAP_FAILED)
		return;
	CHECK_EQ((uintptr_t)p % UT_PAGE, 0, "the address is page aligned");
	CHECK((uintptr_t)p + 3 * UT_PAGE <= 0x7ffffffff000ul, "and in the user half");
	CHECK(all_bytes(p, 3 * UT_PAGE, 0), "the pages read as zeros");
	memset(p, 0x77, 3 * UT_PAGE);
	CHECK(all_bytes(p, 3 * UT_PAGE, 0x77), "and are writable");
	CHECK_OK(munmap(p, 3 * UT_PAGE), "munmap them");

	size_t big = 256ul << 20;
	p = (void *)CHECK_OK(mmap(NULL, big, RW, ANON, -1, 0), "mmap 256 MiB");
	if (p == MAP_FAILED)
		return;
	p[0] = 1;
	p[big - 1] = 2;
	CHECK(p[0] == 1 && p[big - 1] == 2 && p[big / 2] == 0, "its first and last bytes work");
	CHECK_OK(munmap(p, big), "munmap it");
}

static void check_fixed(void)
{
	unsigned char *p = (void *)mmap(NULL, 4 * UT_PAGE, RW, ANON, -1, 0);
	memset(p, 0x11, 4 * UT_PAGE);
	void *q = mmap(p + UT_PAGE, UT_PAGE, RW, ANON | MAP_FIXED, -1, 0);
	CHECK(q == p + UT_PAGE, "MAP_FIXED over page 1 of a mapping returns that address");
	CHECK(all_bytes(p + UT_PAGE, UT_PAGE, 0), "page 1 is a fresh zero page");
	CHECK(all_bytes(p, UT_PAGE, 0x11) && all_bytes(p + 2 * UT_PAGE, 2 * UT_PAGE, 0x11),
	      "pages 0, 2 and 3 kept their data");

	CHECK_ERR(EEXIST, mmap(p + 2 * UT_PAGE, UT_PAGE, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0),
		  "MAP_FIXED_NOREPLACE over a live page");
	CHECK_OK(munmap(p + 2 * UT_PAGE, UT_PAGE), "munmap page 2 alone");
	CHECK(all_bytes(p + 3 * UT_PAGE, UT_PAGE, 0x11), "page 3 survives the hole");
	q = mmap(p + 2 * UT_PAGE, UT_PAGE, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0);
	CHECK(q == p + 2 * UT_PAGE, "MAP_FIXED_NOREPLACE fills the hole: it was unmapped");
	CHECK(all_bytes(p + 2 * UT_PAGE, UT_PAGE, 0), "with a zero page");
	CHECK_ERR(EEXIST, mmap(p, 2 * UT_PAGE, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0),
		  "MAP_FIXED_NOREPLACE over several live pages");
	munmap(p, 4 * UT_PAGE);
}

/* The raw syscall: musl's mmap() checks the offset and huge lengths itself. */
static long mmap_raw(void *addr, size_t len, int prot, int flags, long off)
{
	return syscall(SYS_mmap, addr, len, prot, flags, -1, off);
}

static void check_errors(void)
{
	unsigned char *p = mmap(NULL, 2 * UT_PAGE, RW, ANON, -1, 0);
	CHECK_ERR(EINVAL, mmap_raw(NULL, 0, RW, ANON, 0), "mmap of length 0");
	CHECK_ERR(EINVAL, mmap_raw(p + 1, UT_PAGE, RW, ANON | MAP_FIXED, 0),
		  "MAP_FIXED at an unaligned address");
	CHECK_ERR(EINVAL, mmap_raw(NULL, UT_PAGE, RW, MAP_ANONYMOUS, 0),
		  "neither MAP_PRIVATE nor MAP_SHARED");
	CHECK_ERR(EINVAL, mmap_raw(NULL, UT_PAGE, RW, MAP_PRIVATE | MAP_SHARED | MAP_ANONYMOUS, 0),
		  "both MAP_PRIVATE and MAP_SHARED on an anonymous mapping");
	CHECK_ERR(EINVAL, mmap_raw(NULL, UT_PAGE, RW, ANON, 100), "an unaligned offset");
	CHECK_ERR(ENOMEM, mmap_raw(NULL, 1ul << 47, RW, ANON, 0),
		  "128 TiB, more than the user address space");
	CHECK_ERR(ENOMEM, mmap_raw(NULL, SIZE_MAX - 100, RW, ANON, 0),
		  "a length that overflows when rounded to pages");
	CHECK_ERR(EINVAL, munmap(p + 1, UT_PAGE), "munmap of an unaligned address");
	CHECK_ERR(EINVAL, munmap(p, 0), "munmap of length 0");
	CHECK_ERR(EINVAL, munmap((void *)0xffff800000000000ul, UT_PAGE),
		  "munmap of a kernel address");
	munmap(p, 2 * UT_PAGE);
	CHECK_OK(munmap(p, 2 * UT_PAGE), "munmap of a range with nothing mapped succeeds");
}

int main(void)
{
	check_anonymous();
	check_fixed();
	check_errors();
	return tap_done();
}
