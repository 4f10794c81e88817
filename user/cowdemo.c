/*
 * cowdemo [MiB]: does fork() copy my whole heap? Shows, with this machine's
 * own numbers, what fork() really copies: it touches a heap of MiB (default
 * 16) mebibytes, forks, and follows free memory (/proc/meminfo), the frame
 * behind the first heap page in both processes (/proc/self/pagemap) and how
 * many processes map it (/proc/kpagecount) through a write by the child,
 * its exit, and a write by the parent. Reading frame numbers needs root on
 * Linux; the copy-on-write counters in /proc/vmstat exist only on cowix.
 */
#include <cowutil.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What the child measures and sends to the parent, which does all the printing. */
struct child_view {
	long free_kib;		 /* free memory right after fork */
	uint64_t pfn_before;	 /* frame of heap page 0 before the child's write */
	uint64_t pfn_after;	 /* and after it */
	long long cow_before[3]; /* cow_fault, cow_copy, cow_reuse around the write */
	long long cow_after[3];
	long still_shared; /* heap pages still on the parent's frames after the write */
};

static const char *const cow_counters[3] = { "cow_fault", "cow_copy", "cow_reuse" };

static void read_counters(long long *out)
{
	for (int i = 0; i < 3; i++)
		out[i] = cow_vmstat(cow_counters[i]);
}

/* The child's part: measure, let the parent print, write one byte, measure, report. */
static void child(char *heap, size_t pages, const uint64_t *parent_pfns, struct cow_barrier *b)
{
	struct child_view v = { 0 };
	cow_barrier_side(b, true);
	v.free_kib = cow_memfree_kib();
	v.pfn_before = cow_pfn(heap);
	cow_send(b->out, &v, sizeof(v));
	cow_barrier_sync(b);	     /* the parent prints steps 2 and 3 */
	read_counters(v.cow_before); /* once so reading faults in what it needs, */
	read_counters(v.cow_before); /* then for real */
	heap[0] ^= 1;		     /* the one write */
	read_counters(v.cow_after);
	v.pfn_after = cow_pfn(heap);
	uint64_t *mine = calloc(pages, sizeof(*mine));
	if (mine && cow_pfns(heap, pages, mine) == 0)
		for (size_t i = 0; i < pages; i++)
			v.still_shared += mine[i] == parent_pfns[i] && parent_pfns[i];
	cow_send(b->out, &v, sizeof(v));
	cow_barrier_sync(b); /* the parent prints step 4 */
	_exit(0);
}

static void print_counters(const struct child_view *v)
{
	if (v->cow_before[0] < 0) {
		printf("   (/proc/vmstat has no cow_fault, cow_copy or cow_reuse here: those are\n"
		       "   cowix's own counters)\n");
		return;
	}
	printf("   /proc/vmstat during that write:");
	for (int i = 0; i < 3; i++)
		printf(" %s +%lld", cow_counters[i], v->cow_after[i] - v->cow_before[i]);
	printf("\n");
}

static const char *plural(long long n)
{
	return n == 1 ? "" : "es";
}

static void print_fork(const struct child_view *v, long before_fork, size_t mib, uint64_t pfn)
{
	long drop = before_fork - v->free_kib;
	printf("\n2. fork(). In the child, free memory is %ld KiB.\n", v->free_kib);
	if (drop < (long)mib * 1024 / 4)
		printf("   fork() copied page tables, not memory: free memory fell by %ld KiB\n"
		       "   for a %zu MiB heap.\n",
		       drop, mib);
	else
		printf("   Free memory fell by %ld KiB for a %zu MiB heap: that looks like a copy\n"
		       "   (or something else on this machine took memory meanwhile).\n",
		       drop, mib);
	if (!pfn) {
		printf("   (frame numbers are hidden here: on Linux, run as root to see them)\n");
		return;
	}
	long long count = cow_kpagecount(pfn);
	printf("\n3. The first heap page, as each process sees it in /proc/self/pagemap:\n");
	printf("   parent: frame %#llx\n   child:  frame %#llx\n", (unsigned long long)pfn,
	       (unsigned long long)v->pfn_before);
	printf("   %s frame, mapped by %lld process%s (/proc/kpagecount): shared, and\n"
	       "   read-only for both until one of them writes.\n",
	       pfn == v->pfn_before ? "The same" : "NOT the same", count, plural(count));
}

static void print_write(const struct child_view *v, size_t pages, const char *heap, uint64_t pfn)
{
	long copied = (long)pages - v->still_shared;
	printf("\n4. The child writes one byte into that page.\n");
	if (pfn) {
		uint64_t now = cow_pfn(heap);
		long long count = cow_kpagecount(now);
		printf("   child:  frame %#llx -> %#llx (%s)\n", (unsigned long long)v->pfn_before,
		       (unsigned long long)v->pfn_after,
		       v->pfn_after != v->pfn_before
			   ? "a new frame: the write faulted, and the\n"
			     "           kernel copied this one 4 KiB page"
			   : "unchanged");
		printf("   parent: frame %#llx, %s, now mapped by %lld process%s\n",
		       (unsigned long long)now, now == pfn ? "unchanged" : "CHANGED", count,
		       plural(count));
		printf("   %ld page%s copied: the child still shares %ld of its %zu heap pages\n"
		       "   with the parent.\n",
		       copied, copied == 1 ? " was" : "s were", v->still_shared, pages);
	}
	print_counters(v);
}

static void print_reuse(char *heap, uint64_t pfn)
{
	long long reuse = cow_vmstat("cow_reuse");
	reuse = cow_vmstat("cow_reuse"); /* the first read may fault in pages of its own */
	printf("\n5. The child exits. Then the parent writes the same page.\n");
	heap[0] ^= 2;
	uint64_t now = cow_pfn(heap);
	if (pfn)
		printf("   parent: frame %#llx -> %#llx (%s)\n", (unsigned long long)pfn,
		       (unsigned long long)now,
		       now == pfn ? "the same frame: it was the last owner, so the\n"
				    "           kernel made the page writable again; nothing copied"
				  : "a new frame: copied although nobody else maps it");
	if (reuse >= 0)
		printf("   /proc/vmstat: cow_reuse +%lld\n", cow_vmstat("cow_reuse") - reuse);
}

/* Touch the heap and print step 1; returns the frames of its pages (0 where hidden). */
static uint64_t *make_heap(char **heap, size_t mib)
{
	size_t pages = mib * COW_MIB / COW_PAGE;
	long before = cow_memfree_kib();
	*heap = malloc(mib * COW_MIB);
	uint64_t *pfns = calloc(pages, sizeof(*pfns));
	if (!*heap || !pfns) {
		fprintf(stderr, "cowdemo: cannot allocate %zu MiB\n", mib);
		exit(1);
	}
	memset(*heap, 0x5a, mib * COW_MIB);
	long after = cow_memfree_kib();
	printf("1. The parent fills a %zu MiB heap (%zu pages of 4 KiB).\n", mib, pages);
	printf("   Free memory: %ld KiB before, %ld KiB after: %ld KiB used.\n", before, after,
	       before - after);
	long huge_kib = cow_rollup_kib("AnonHugePages");
	if (huge_kib > 0)
		printf(
		    "   %ld KiB of it are 2 MiB huge pages (AnonHugePages in smaps): one\n"
		    "   page-table entry maps each, so fork copies one entry per 2 MiB, not 512.\n",
		    huge_kib);
	cow_pfns(*heap, pages, pfns);
	return pfns;
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 16;
	struct cow_barrier b;
	struct child_view v;
	char *heap;
	if (argc > 2 || mib < 1 || mib > 4096) {
		fprintf(stderr, "usage: cowdemo [MiB, 1-4096; default 16]\n");
		return 2;
	}
	printf("cowdemo: does fork() copy my whole heap? (\"free memory\" is MemFree%s)\n\n",
	       cow_pcp_free_kib() ? " plus Linux's per-CPU free lists" : "");
	uint64_t *pfns = make_heap(&heap, mib);
	size_t pages = mib * COW_MIB / COW_PAGE;
	if (cow_barrier_init(&b) != 0)
		return 1;
	fflush(stdout);
	long before_fork = cow_memfree_kib();
	pid_t pid = fork();
	if (pid == 0)
		child(heap, pages, pfns, &b);
	cow_barrier_side(&b, false);
	if (pid < 0 || cow_recv(b.in, &v, sizeof(v)) != 0) {
		fprintf(stderr, "cowdemo: fork or pipe failed\n");
		return 1;
	}
	print_fork(&v, before_fork, mib, pfns[0]);
	cow_barrier_sync(&b);
	if (cow_recv(b.in, &v, sizeof(v)) != 0)
		return 1;
	print_write(&v, pages, heap, pfns[0]);
	cow_barrier_sync(&b);
	cow_wait_exit(pid);
	print_reuse(heap, pfns[0]);
	return 0;
}
