/*
 * Claim: private anonymous memory is mapped with 2 MiB transparent huge
 * pages where a whole aligned 2 MiB is mapped (MADV_HUGEPAGE asks for it
 * in Linux's "madvise" mode; cowix, like Debian's Linux, is in "always"
 * mode), and copy-on-write keeps its 4 KiB rule on them:
 *   - a first write maps one huge page: 512 consecutive frames, a compound
 *     head and tails flagged THP in /proc/kpageflags, 2048 kB of
 *     AnonHugePages in smaps, and reads as zeroes;
 *   - a first read maps the huge zero page (ZERO_PAGE and THP), which
 *     costs no memory; a write there gets memory and sticks;
 *   - fork shares the huge page (each frame mapped twice); a write in the
 *     child copies ONE 4 KiB page, the other 511 stay shared, the parent
 *     keeps its huge mapping and its data; once the child is gone the
 *     parent writes in place: same frames, still huge;
 *   - munmap, MADV_DONTNEED and mprotect on 4 KiB inside a huge page
 *     affect exactly that 4 KiB;
 *   - mremap to a 2 MiB boundary moves huge pages whole; elsewhere it
 *     still moves every byte;
 *   - MADV_NOHUGEPAGE keeps new huge pages out; bad ranges get EINVAL
 *     (unaligned) and ENOMEM (unmapped), as for any advice;
 *   - unmapping gives every frame back.
 * On a Linux host whose THP setting is "never", or which has no free
 * 2 MiB block at the moment, the huge-page checks skip visibly; on cowix
 * they never skip.
 */
#define _GNU_SOURCE
#include <cowutil.h>
#include <errno.h>
#include <mmtest.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>

#define HUGE	 (2ul << 20)
#define NHUGE	 4 /* H0..H3 */
#define SUBPAGES (HUGE / MT_PAGE)

/* AnonHugePages (kB) of the smaps block of the mapping holding addr; -1 if not found. */
static long smaps_anon_huge_kib(const void *addr)
{
	static char buf[1 << 18];
	if (ut_read_file("/proc/self/smaps", buf, sizeof(buf)) < 0)
		return -1;
	bool in_block = false;
	for (char *line = buf; line && *line;) {
		unsigned long lo, hi;
		long kib;
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2)
			in_block = (uintptr_t)addr >= lo && (uintptr_t)addr < hi;
		if (in_block && sscanf(line, "AnonHugePages: %ld kB", &kib) == 1)
			return kib;
		line = strchr(line, '\n');
		line += line != NULL;
	}
	return -1;
}

/* nhuge huge pages' worth of fresh memory on a 2 MiB boundary, with MADV_HUGEPAGE. */
static unsigned char *map_aligned(size_t nhuge, int advice)
{
	size_t len = nhuge * HUGE;
	unsigned char *raw =
	    mmap(NULL, len + HUGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		tap_bail("mmap %zu bytes", len + HUGE);
	unsigned char *p = (unsigned char *)(((uintptr_t)raw + HUGE - 1) & ~(HUGE - 1));
	if (p > raw)
		munmap(raw, p - raw);
	if (p + len < raw + len + HUGE)
		munmap(p + len, raw + len + HUGE - (p + len));
	if (madvise(p, len, advice) != 0)
		tap_bail("madvise %d", advice);
	return p;
}

/* Huge pages can be had here: always on cowix; on Linux unless THP is off. */
static bool thp_expected(void)
{
	char buf[128];
	if (mt_on_cowix())
		return true;
	if (ut_read_file("/sys/kernel/mm/transparent_hugepage/enabled", buf, sizeof(buf)) < 0)
		return false;
	return !strstr(buf, "[never]");
}

/* The kpageflags bits of the page at p, or -1 (no PFNs, no kpageflags). */
static long long flags_at(const void *p)
{
	uint64_t pfn = mt_pfn(p);
	return pfn ? cow_kpageflags(pfn) : -1;
}

static bool has_bit(long long flags, int bit)
{
	return flags >= 0 && (flags >> bit & 1);
}

/* H0: the first write maps a huge page. False if none was had (Linux host: skip the rest). */
static bool check_write_fault(unsigned char *h0, bool is_pfns)
{
	h0[0x1234] = 0x5a;
	long kib = smaps_anon_huge_kib(h0);
	if (kib < 2048 && !mt_on_cowix()) {
		tap_diag("AnonHugePages %ld kB: the host gave no huge page now", kib);
		return false;
	}
	CHECK(kib >= 2048, "a first write maps a huge page: AnonHugePages %ld kB", kib);
	CHECK(h0[0x1234] == 0x5a && mt_all_zero(h0, 0x1234) &&
		  mt_all_zero(h0 + 0x1235, HUGE - 0x1235),
	      "the huge page reads as zeroes around the byte written");
	if (!is_pfns) {
		tap_skip("no PFNs in pagemap",
			 "512 consecutive frames, head and tails flagged THP");
		return true;
	}
	uint64_t pfn = mt_pfn(h0);
	bool is_contiguous = pfn && pfn % SUBPAGES == 0;
	for (size_t i = 1; i < SUBPAGES; i += 73)
		is_contiguous = is_contiguous && mt_pfn(h0 + i * MT_PAGE) == pfn + i;
	long long head = flags_at(h0), tail = flags_at(h0 + 5 * MT_PAGE);
	CHECK(is_contiguous && has_bit(head, KPF_THP) && has_bit(head, KPF_COMPOUND_HEAD) &&
		  has_bit(tail, KPF_THP) && has_bit(tail, KPF_COMPOUND_TAIL),
	      "512 consecutive frames from pfn %#llx, head and tails flagged THP (%#llx, %#llx)",
	      (unsigned long long)pfn, head, tail);
	return true;
}

/* H1: a first read maps the huge zero page; a write there then sticks. */
static void check_read_fault(unsigned char *h1, bool is_pfns)
{
	long rss0 = mt_rss_kib();
	CHECK(mt_all_zero(h1, HUGE), "a fresh 2 MiB reads as zeroes");
	long rss1 = mt_rss_kib();
	CHECK(rss1 - rss0 < 1024, "reading it grows RSS by %ld KiB (< 1024)", rss1 - rss0);
	long long f = is_pfns ? flags_at(h1 + 7 * MT_PAGE) : -1;
	if (f >= 0)
		CHECK(has_bit(f, KPF_ZERO_PAGE) && has_bit(f, KPF_THP),
		      "it is the huge zero page: ZERO_PAGE and THP (%#llx)", f);
	else
		tap_skip("no PFNs or kpageflags", "it is the huge zero page");
	h1[9 * MT_PAGE + 3] = 9;
	CHECK(h1[9 * MT_PAGE + 3] == 9 && mt_all_zero(h1, 9 * MT_PAGE) &&
		  mt_all_zero(h1 + 10 * MT_PAGE, HUGE - 10 * MT_PAGE),
	      "a write into it sticks; the rest still reads zero");
}

/*
 * The child's side of the fork check: it sees the parent's frames, each
 * mapped twice, then writes page 3 and gets a copy of that page only.
 * Exits with the number of failed checks.
 */
static int fork_child(unsigned char *h0, const uint64_t *pfns, bool is_pfns)
{
	int bad = 0;
	if (is_pfns) {
		bad += mt_pfn(h0 + 3 * MT_PAGE) != pfns[3] || mt_pfn(h0 + 4 * MT_PAGE) != pfns[4];
		long long n = cow_kpagecount(pfns[4]);
		bad += n >= 0 && n != 2;
	}
	memset(h0 + 3 * MT_PAGE, 0xc3, MT_PAGE);
	if (is_pfns) {
		bad += mt_pfn(h0 + 3 * MT_PAGE) == pfns[3];
		bad += mt_pfn(h0 + 4 * MT_PAGE) != pfns[4] || mt_pfn(h0 + 2 * MT_PAGE) != pfns[2];
	}
	return bad;
}

/* H0 across fork: shared, one 4 KiB copy in the child, reuse in the parent after. */
static void check_fork(unsigned char *h0, bool is_pfns)
{
	uint64_t pfns[8] = { 0 };
	memset(h0 + 3 * MT_PAGE, 0x33, MT_PAGE);
	for (int i = 0; i < 8 && is_pfns; i++)
		pfns[i] = mt_pfn(h0 + i * MT_PAGE);
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		tap_bail("fork");
	if (pid == 0)
		_exit(fork_child(h0, pfns, is_pfns));
	int status = -1;
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "the child saw the parent's frames mapped twice, and its write copied page 3 only");
	CHECK(h0[3 * MT_PAGE] == 0x33 && h0[4 * MT_PAGE - 1] == 0x33 && h0[0x1234] == 0x5a,
	      "the parent's data is untouched by the child's write");
	CHECK(smaps_anon_huge_kib(h0) >= 2048, "the parent still maps it huge");
	h0[3 * MT_PAGE] = 0x44;
	CHECK(h0[3 * MT_PAGE] == 0x44 && smaps_anon_huge_kib(h0) >= 2048,
	      "with the child gone, the parent writes in place and stays huge");
	if (is_pfns)
		CHECK(mt_pfn(h0 + 3 * MT_PAGE) == pfns[3] && mt_pfn(h0) == pfns[0],
		      "on the same frames");
	else
		tap_skip("no PFNs in pagemap", "on the same frames");
}

/* 4 KiB operations inside huge pages touch exactly that 4 KiB. */
static void check_partial(unsigned char *p)
{
	unsigned char *h2 = p + 2 * HUGE, *h3 = p + 3 * HUGE;
	memset(h2, 0x22, HUGE);
	memset(h3, 0x33, HUGE);
	CHECK(munmap(h2 + 100 * MT_PAGE, MT_PAGE) == 0, "munmap 4 KiB inside a huge page");
	CHECK(mt_touch_in_child(h2 + 100 * MT_PAGE, false) == SIGSEGV &&
		  h2[100 * MT_PAGE - 1] == 0x22 && h2[101 * MT_PAGE] == 0x22 &&
		  h2[HUGE - 1] == 0x22,
	      "that page faults, its neighbours keep their data");
	CHECK(madvise(h3 + 5 * MT_PAGE, MT_PAGE, MADV_DONTNEED) == 0 &&
		  mt_all_zero(h3 + 5 * MT_PAGE, MT_PAGE) && h3[5 * MT_PAGE - 1] == 0x33 &&
		  h3[6 * MT_PAGE] == 0x33,
	      "MADV_DONTNEED of 4 KiB zeroes just that page");
	CHECK(mprotect(h3 + 9 * MT_PAGE, MT_PAGE, PROT_READ) == 0 &&
		  mt_touch_in_child(h3 + 9 * MT_PAGE, true) == SIGSEGV &&
		  mt_touch_in_child(h3 + 10 * MT_PAGE, true) == 0 && h3[9 * MT_PAGE] == 0x33,
	      "mprotect of 4 KiB makes just that page read-only");
}

/* Does [p, p + len) hold the page-index pattern check_mremap writes? */
static bool has_pattern(const unsigned char *p, size_t len)
{
	for (size_t i = 0; i < len; i += MT_PAGE)
		if (p[i] != (unsigned char)(i / MT_PAGE) || p[i + MT_PAGE - 1] != 0x77)
			return false;
	return true;
}

/* mremap moves huge pages whole to a 2 MiB boundary, and keeps every byte elsewhere. */
static void check_mremap(void)
{
	unsigned char *src = map_aligned(2, MADV_HUGEPAGE), *dst = map_aligned(5, MADV_HUGEPAGE);
	for (size_t i = 0; i < 2 * HUGE; i += MT_PAGE) {
		src[i] = (unsigned char)(i / MT_PAGE);
		src[i + MT_PAGE - 1] = 0x77;
	}
	void *r = mremap(src, 2 * HUGE, 2 * HUGE, MREMAP_MAYMOVE | MREMAP_FIXED, dst);
	CHECK(r == dst && has_pattern(dst, 2 * HUGE) && smaps_anon_huge_kib(dst) >= 4096,
	      "mremap to a 2 MiB boundary moves the huge pages whole (AnonHugePages %ld kB)",
	      smaps_anon_huge_kib(dst));
	unsigned char *odd = dst + 2 * HUGE + MT_PAGE;
	r = mremap(dst, 2 * HUGE, 2 * HUGE, MREMAP_MAYMOVE | MREMAP_FIXED, odd);
	CHECK(r == odd && has_pattern(odd, 2 * HUGE) && mt_touch_in_child(dst, false) == SIGSEGV,
	      "mremap off a 2 MiB boundary keeps every byte, and the old range is gone");
	munmap(dst, 5 * HUGE);
}

/* Linux's errnos for huge-page advice on bad ranges. */
static void check_bad_advice(void)
{
	unsigned char *q = map_aligned(1, MADV_HUGEPAGE);
	CHECK_ERR(EINVAL, madvise(q + 1, MT_PAGE, MADV_HUGEPAGE),
		  "MADV_HUGEPAGE at an unaligned address");
	munmap(q + MT_PAGE, MT_PAGE);
	CHECK_ERR(ENOMEM, madvise(q, 3 * MT_PAGE, MADV_NOHUGEPAGE),
		  "MADV_NOHUGEPAGE over an unmapped page");
	munmap(q, HUGE);
}

static void check_nohugepage(void)
{
	unsigned char *q = map_aligned(1, MADV_NOHUGEPAGE);
	memset(q, 1, HUGE);
	CHECK(smaps_anon_huge_kib(q) == 0, "MADV_NOHUGEPAGE: 2 MiB written, no huge page");
	munmap(q, HUGE);
}

int main(void)
{
	if (!ut_have_proc())
		return tap_skip("no /proc", "huge pages"), tap_done();
	long base = cow_memfree_baseline();
	bool is_pfns = mt_pfns_ok();
	unsigned char *p = map_aligned(NHUGE, MADV_HUGEPAGE);
	if (!thp_expected() || !check_write_fault(p, is_pfns)) {
		tap_skip("transparent huge pages off or unavailable on this host", "huge pages");
		munmap(p, NHUGE * HUGE);
		return tap_done();
	}
	check_read_fault(p + HUGE, is_pfns);
	check_fork(p, is_pfns);
	check_partial(p);
	check_mremap();
	check_nohugepage();
	check_bad_advice();
	munmap(p, NHUGE * HUGE);
	cow_check_memfree_back(base, 1024, "after munmap");
	return tap_done();
}
