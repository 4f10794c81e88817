/*
 * Claim: mprotect works as on Linux: it changes protection page by page
 * while keeping the data (through PROT_NONE and back too); changing the
 * middle of a mapping splits it in three, as /proc/self/maps shows (that
 * part is skipped, visibly, where /proc is absent); its errors are EINVAL
 * for an unaligned address or unknown PROT bits, ENOMEM for a range with
 * unmapped pages, and length 0 succeeds. (That a write to a PROT_READ page
 * raises SIGSEGV is proved by mm_segv and mm_segv_ro.)
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>

#define RW   (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

/* The /proc/self/maps line that contains addr: its range and permissions. */
struct vma_line {
	uintptr_t start, end;
	char perms[5];
};

static bool find_vma(uintptr_t addr, struct vma_line *v)
{
	static char maps[1 << 16];
	if (ut_read_file("/proc/self/maps", maps, sizeof(maps)) < 0)
		return false;
	for (char *line = maps; *line;) {
		char *next = strchr(line, '\n');
		if (sscanf(line, "%lx-%lx %4s", &v->start, &v->end, v->perms) == 3 &&
		    v->start <= addr && addr < v->end)
			return true;
		if (!next)
			break;
		line = next + 1;
	}
	return false;
}

/* The line for addr must span exactly [start, end) with these permissions. */
static void check_vma(uintptr_t addr, uintptr_t start, uintptr_t end, const char *perms,
		      const char *what)
{
	struct vma_line v = { 0 };
	if (!find_vma(addr, &v)) {
		CHECK(false, "%s: /proc/self/maps has a line for %#lx", what, addr);
		return;
	}
	CHECK(v.start == start && v.end == end && strcmp(v.perms, perms) == 0,
	      "%s: %#lx-%#lx %s (saw %#lx-%#lx %s)", what, start, end, perms, v.start, v.end,
	      v.perms);
}

static void check_split(unsigned char *p)
{
	uintptr_t a = (uintptr_t)p, pg = UT_PAGE;
	if (!ut_have_proc()) {
		tap_skip("no /proc", "mprotect of the middle pages splits the mapping in three");
		return;
	}
	check_vma(a, a, a + pg, "rw-p", "the first page stays its own read-write mapping");
	check_vma(a + pg, a + pg, a + 3 * pg, "r--p", "the middle two pages become read-only");
	check_vma(a + 3 * pg, a + 3 * pg, a + 4 * pg, "rw-p", "the last page stays read-write");
}

/*
 * Four read-write pages between two PROT_NONE guard pages, so that no
 * neighbouring mapping can merge with them in /proc/self/maps.
 */
static unsigned char *map_guarded(void)
{
	unsigned char *g = (void *)CHECK_OK(mmap(NULL, 6 * UT_PAGE, PROT_NONE, ANON, -1, 0),
					    "mmap 6 PROT_NONE pages");
	if (g == MAP_FAILED)
		return NULL;
	CHECK_OK(mprotect(g + UT_PAGE, 4 * UT_PAGE, RW), "make the middle 4 read-write");
	return g + UT_PAGE;
}

static void check_protect(void)
{
	unsigned char *p = map_guarded();
	if (!p)
		return;
	memset(p, 0x42, 4 * UT_PAGE);
	CHECK_OK(mprotect(p + UT_PAGE, 2 * UT_PAGE, PROT_READ), "mprotect pages 1-2 PROT_READ");
	CHECK(p[UT_PAGE] == 0x42 && p[3 * UT_PAGE - 1] == 0x42, "they still read their data");
	p[0] = 1;
	p[3 * UT_PAGE] = 3;
	CHECK(p[0] == 1 && p[3 * UT_PAGE] == 3, "pages 0 and 3 are still writable");
	check_split(p);
	CHECK_OK(mprotect(p, 4 * UT_PAGE, PROT_NONE), "mprotect all 4 PROT_NONE");
	CHECK_OK(mprotect(p, 4 * UT_PAGE, RW), "and back to read-write");
	CHECK(p[0] == 1 && p[UT_PAGE] == 0x42 && p[3 * UT_PAGE] == 3, "the data survived");
	p[UT_PAGE] = 7;
	CHECK_EQ(p[UT_PAGE], 7, "page 1 is writable again");
	munmap(p - UT_PAGE, 6 * UT_PAGE);
}

/* The raw syscall: musl's mprotect() rounds the address down to a page itself. */
static long mprotect_raw(void *addr, size_t len, int prot)
{
	return syscall(SYS_mprotect, addr, len, prot);
}

static void check_errors(void)
{
	unsigned char *p = mmap(NULL, 3 * UT_PAGE, RW, ANON, -1, 0);
	CHECK_ERR(EINVAL, mprotect_raw(p + 1, UT_PAGE, PROT_READ),
		  "mprotect of an unaligned address");
	CHECK_ERR(EINVAL, mprotect_raw(p, UT_PAGE, 0x100), "mprotect with an unknown PROT bit");
	CHECK_OK(mprotect_raw(p, 0, PROT_READ), "mprotect of length 0 succeeds");
	munmap(p + UT_PAGE, UT_PAGE);
	CHECK_ERR(ENOMEM, mprotect_raw(p, 3 * UT_PAGE, PROT_READ), "mprotect over a hole");
	CHECK_ERR(ENOMEM, mprotect_raw(p + UT_PAGE, UT_PAGE, PROT_READ),
		  "mprotect of unmapped memory");
	munmap(p, 3 * UT_PAGE);
}

int main(void)
{
	check_protect();
	check_errors();
	return tap_done();
}
