/*
 * Claim: mremap(2) resizes and moves mappings as on Linux, moving pages
 * (the same frames, as pagemap shows) rather than copying them: a mapping
 * grows in place when the room is there (new part zero), fails ENOMEM
 * without room unless MREMAP_MAYMOVE lets it move (data intact, old
 * address unmapped, new tail zero), shrinks in place (tail unmapped),
 * moves to a chosen address with MREMAP_FIXED (replacing what was there);
 * a moved file mapping still maps the same file offsets, privately or
 * shared; old size 0 on shared memory maps the same pages twice;
 * MREMAP_DONTUNMAP leaves the old range mapped and empty; musl's realloc
 * of a big block keeps the block's frames. Errors: unaligned address, bad
 * flags, FIXED without MAYMOVE, overlapping FIXED ranges, new size 0, old
 * size 0 on private memory (EINVAL); a range not inside one mapping
 * (EFAULT).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <mmtest.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>

#define RW   (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define P(n) ((n)*MT_PAGE)

static unsigned char *remap(void *old, size_t old_len, size_t new_len, int flags, void *to)
{
	return (unsigned char *)syscall(SYS_mremap, old, old_len, new_len, flags, to);
}

/* n pages of anonymous memory with a free page after them (mapped, then trimmed). */
static unsigned char *map_with_room(size_t n)
{
	unsigned char *p = mmap(NULL, P(n + 4), RW, ANON, -1, 0);
	if (p == MAP_FAILED)
		tap_bail("mmap");
	munmap(p + P(n), P(4));
	return p;
}

static void check_grow_shrink(void)
{
	unsigned char *p = map_with_room(2);
	memset(p, 0x44, P(2));
	CHECK(remap(p, P(2), P(4), 0, NULL) == p, "grows in place when there is room");
	CHECK(p[P(1)] == 0x44 && mt_all_zero(p + P(2), P(2)), "data kept, the new part zero");
	unsigned char *block = mmap(p + P(4), P(1), RW, ANON | MAP_FIXED, -1, 0);
	CHECK(block == p + P(4), "map a page right after it");
	CHECK_ERR(ENOMEM, remap(p, P(4), P(8), 0, NULL), "no room and no MREMAP_MAYMOVE");
	CHECK(remap(p, P(4), P(1), 0, NULL) == p, "shrinks in place");
	CHECK_EQ(mt_touch_in_child(p + P(1), false), SIGSEGV, "the cut tail is unmapped");
	CHECK_EQ(p[0], 0x44, "the rest is intact");
	munmap(p, P(1));
	munmap(block, P(1));
}

static void check_move(void)
{
	unsigned char *p = map_with_room(4);
	unsigned char *block = mmap(p + P(4), P(1), RW, ANON | MAP_FIXED, -1, 0);
	uint64_t pfn[4];
	for (int i = 0; i < 4; i++) {
		memset(p + P(i), 0x50 + i, MT_PAGE);
		pfn[i] = mt_pfn(p + P(i));
	}
	unsigned char *q = remap(p, P(4), P(8), MREMAP_MAYMOVE, NULL);
	if (!CHECK(q != MAP_FAILED && q != p, "with MREMAP_MAYMOVE it moves"))
		return;
	CHECK(q[0] == 0x50 && q[P(3) + 100] == 0x53, "the data moved along");
	CHECK(mt_all_zero(q + P(4), P(4)), "the new tail reads zero");
	q[P(7)] = 1;
	CHECK_EQ(mt_touch_in_child(p, false), SIGSEGV, "the old address is unmapped");
	if (mt_pfns_ok()) {
		bool same = true;
		for (int i = 0; i < 4; i++)
			same = same && pfn[i] && mt_pfn(q + P(i)) == pfn[i];
		CHECK(same, "the pages keep their frames: moved, not copied");
	} else {
		tap_skip("no PFNs in pagemap", "the pages keep their frames");
	}
	unsigned char *target = mmap(NULL, P(8), PROT_READ, ANON, -1, 0);
	unsigned char *r = remap(q, P(8), P(8), MREMAP_MAYMOVE | MREMAP_FIXED, target);
	CHECK(r == target, "MREMAP_FIXED moves it onto an existing mapping");
	CHECK(r[P(3)] == 0x53 && r[P(7)] == 1, "replacing it, data and rights intact");
	r[0] = 2;
	CHECK_ERR(EINVAL, remap(r, P(4), P(4), MREMAP_MAYMOVE | MREMAP_FIXED, r + P(2)),
		  "MREMAP_FIXED onto an overlapping range");
	CHECK_ERR(EINVAL, remap(r, P(4), P(4), MREMAP_FIXED, r + P(100)),
		  "MREMAP_FIXED without MREMAP_MAYMOVE");
	munmap(r, P(8));
	munmap(block, P(1));
}

static void check_errors(void)
{
	unsigned char *p = mmap(NULL, P(4), RW, ANON, -1, 0);
	mprotect(p + P(2), P(2), PROT_READ);
	CHECK_ERR(EINVAL, remap(p + 1, P(1), P(2), MREMAP_MAYMOVE, NULL), "an unaligned address");
	CHECK_ERR(EINVAL, remap(p, P(1), P(1), 0x100, NULL), "an unknown flag");
	CHECK_ERR(EINVAL, remap(p, P(1), 0, MREMAP_MAYMOVE, NULL), "new size 0");
	CHECK_ERR(EINVAL, remap(p, 0, P(1), MREMAP_MAYMOVE, NULL), "old size 0 on private memory");
	CHECK_ERR(EFAULT, remap(p, P(4), P(8), MREMAP_MAYMOVE, NULL), "a range over two mappings");
	CHECK_ERR(EFAULT, remap(ut_unmapped_page(), P(1), P(2), MREMAP_MAYMOVE, NULL),
		  "an unmapped address");
	CHECK_ERR(EINVAL, remap(p, P(1), P(2), MREMAP_DONTUNMAP | MREMAP_MAYMOVE, NULL),
		  "MREMAP_DONTUNMAP with a size change");
	munmap(p, P(4));
}

static void check_files(int fd)
{
	unsigned char *p = mmap(NULL, P(2), PROT_READ, MAP_PRIVATE, fd, P(1));
	unsigned char *q = remap(p, P(2), P(3), MREMAP_MAYMOVE, NULL);
	if (CHECK(q != MAP_FAILED, "move a private file mapping of offset 4096"))
		CHECK_EQ(mt_find_bad(q, P(3), P(1)), -1, "it still shows the file from 4096 on");
	munmap(q, P(3));
	unsigned char *s = mmap(NULL, P(2), RW, MAP_SHARED, fd, 0);
	unsigned char *t = remap(s, P(2), P(2), MREMAP_MAYMOVE | MREMAP_FIXED, map_with_room(2));
	if (CHECK(t != MAP_FAILED, "move a shared file mapping"))
		t[P(1) + 3] = 'T';
	unsigned char c = 0;
	CHECK(pread(fd, &c, 1, P(1) + 3) == 1 && c == 'T', "its stores still reach the file");
	munmap(t, P(2));
}

static void check_alias_and_dontunmap(void)
{
	unsigned char *s = mmap(NULL, P(2), RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	unsigned char *a = remap(s, 0, P(2), MREMAP_MAYMOVE, NULL);
	if (CHECK(a != MAP_FAILED && a != s, "old size 0 on shared memory maps it a second time")) {
		a[P(1)] = 'A';
		CHECK_EQ(s[P(1)], 'A', "the two views share their pages");
		munmap(a, P(2));
	}
	munmap(s, P(2));
	unsigned char *p = mmap(NULL, P(2), RW, ANON, -1, 0);
	memset(p, 0x66, P(2));
	unsigned char *q = remap(p, P(2), P(2), MREMAP_MAYMOVE | MREMAP_DONTUNMAP, NULL);
	if (CHECK(q != MAP_FAILED && q != p, "MREMAP_DONTUNMAP moves the pages")) {
		CHECK(q[0] == 0x66 && q[P(1)] == 0x66, "the new range has the data");
		CHECK(mt_all_zero(p, P(2)), "the old range stays mapped, empty");
		munmap(q, P(2));
	}
	munmap(p, P(2));
}

static void check_realloc(void)
{
	size_t small = 1ul << 20, big = 32ul << 20;
	unsigned char *p = malloc(small);
	if (!p)
		tap_bail("malloc");
	for (size_t i = 0; i < small; i += 64)
		p[i] = (unsigned char)(i >> 6);
	uint64_t pfn = mt_pfn(p + (small / 2));
	unsigned char *q = realloc(p, big);
	bool ok = q != NULL;
	for (size_t i = 0; ok && i < small; i += 64)
		ok = q[i] == (unsigned char)(i >> 6);
	CHECK(ok, "realloc of a 1 MiB block to 32 MiB keeps its data");
	if (mt_pfns_ok())
		CHECK(pfn && mt_pfn(q + small / 2) == pfn, "and its frames (mremap, no copy)");
	else
		tap_skip("no PFNs in pagemap", "and its frames");
	free(q);
}

int main(void)
{
	ut_scratch_enter("mm_mremap");
	int fd = mt_fill_file("data", P(4));
	if (fd < 0)
		tap_bail("cannot create the data file");
	check_grow_shrink();
	check_move();
	check_errors();
	check_files(fd);
	check_alias_and_dontunmap();
	check_realloc();
	close(fd);
	ut_scratch_leave();
	return tap_done();
}
