/*
 * Claim: after fork, parent and child have separate memory everywhere:
 * the heap (malloc), the stack (a local array), initialised globals
 * (.data), zero-initialised globals (.bss) and anonymous mmap memory. In
 * each of them, over four generations of descendants (each child forks the next while its
 * parent still lives): a child starts with its parent's data; its parent's
 * writes after fork are not seen by the child; the child's writes are not
 * seen by its parent; and a process's data survives its own children's
 * writes. MemFree is back at its baseline once every generation is reaped.
 */
#include <cowutil.h>
#include <stdlib.h>
#include <string.h>
#include <tap.h>
#include <unistd.h>

#define AREA_SZ	    (2 * COW_PAGE)
#define AREAS	    5
#define GENERATIONS 4 /* below the test's own process */

static unsigned char data_area[AREA_SZ] = { 1 }; /* initialised: .data */
static unsigned char bss_area[AREA_SZ];		 /* .bss */

struct areas {
	unsigned char *mem[AREAS];
	const char *name[AREAS];
};

static void fill_all(const struct areas *a, unsigned char v)
{
	for (int i = 0; i < AREAS; i++)
		memset(a->mem[i], v, AREA_SZ);
}

static bool holds(const unsigned char *p, unsigned char v)
{
	for (size_t i = 0; i < AREA_SZ; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* In a descendant: how many areas do not hold v (each one named in a "#" line). */
static int count_wrong(const struct areas *a, unsigned char v, int gen, const char *when)
{
	int n = 0;
	for (int i = 0; i < AREAS; i++)
		if (!holds(a->mem[i], v)) {
			tap_diag("generation %d, %s: %s does not hold %#x", gen, when, a->name[i],
				 v);
			n++;
		}
	return n;
}

static int descend(const struct areas *a, int gen, unsigned char mine, struct cow_barrier *up);

/* The child at generation gen; its parent filled every area with inherited. */
static _Noreturn void child(const struct areas *a, int gen, unsigned char inherited,
			    struct cow_barrier *b)
{
	unsigned char mine = 0x10 + gen;
	int bad = 0;
	cow_barrier_side(b, true);
	bad += count_wrong(a, inherited, gen, "right after fork");
	bad += cow_barrier_sync(b) != 0; /* the parent now writes */
	bad += cow_barrier_sync(b) != 0;
	bad += count_wrong(a, inherited, gen, "after the parent's writes");
	fill_all(a, mine);
	bad += cow_barrier_sync(b) != 0; /* the parent now looks */
	bad += cow_barrier_sync(b) != 0;
	bad += descend(a, gen, mine, b);
	bad += count_wrong(a, mine, gen, "after its children's writes");
	_exit(bad > 100 ? 100 : bad);
}

/* The parent's side at generation gen - 1 checking child gen. */
static int parent_side(const struct areas *a, int gen, unsigned char mine, struct cow_barrier *b)
{
	unsigned char later = 0x80 + gen;
	int bad = 0;
	cow_barrier_side(b, false);
	bad += cow_barrier_sync(b) != 0;
	fill_all(a, later);
	bad += cow_barrier_sync(b) != 0; /* the child looks, then writes */
	bad += cow_barrier_sync(b) != 0;
	if (gen == 1)
		for (int i = 0; i < AREAS; i++)
			CHECK(holds(a->mem[i], later),
			      "%s: the child's writes are not seen by the parent", a->name[i]);
	else
		bad += count_wrong(a, later, gen - 1, "after its child's writes");
	bad += cow_barrier_sync(b) != 0;
	fill_all(a, mine);
	return bad;
}

/* Fork generation gen + 1 from a process whose areas hold mine; count what went wrong. */
static int descend(const struct areas *a, int gen, unsigned char mine, struct cow_barrier *up)
{
	struct cow_barrier b;
	if (gen == GENERATIONS)
		return 0;
	if (cow_barrier_init(&b) != 0)
		return 1;
	pid_t pid = fork();
	if (pid == 0) {
		if (up)
			cow_barrier_close(up);
		child(a, gen + 1, mine, &b);
	}
	if (pid < 0)
		return 1;
	int bad = parent_side(a, gen + 1, mine, &b);
	cow_barrier_close(&b);
	int status = cow_wait_exit(pid);
	return bad + (status != 0);
}

int main(void)
{
	unsigned char stack_area[AREA_SZ];
	struct areas a = {
		{ malloc(AREA_SZ), stack_area, data_area, bss_area, cow_map(AREA_SZ) },
		{ "heap (malloc)", "stack (local array)", ".data (initialised global)",
		  ".bss (zeroed global)", "anonymous mmap" },
	};
	if (!a.mem[0] || !a.mem[4])
		tap_bail("malloc or mmap failed");
	CHECK(holds(bss_area, 0) && data_area[0] == 1, ".bss starts zeroed and .data initialised");
	fill_all(&a, 0x10);
	long baseline = cow_memfree_baseline();
	int bad = descend(&a, 0, 0x10, NULL);
	CHECK_EQ(bad, 0,
		 "%d generations: each starts with its parent's data, and no write "
		 "crosses fork in either direction",
		 GENERATIONS);
	CHECK_EQ(count_wrong(&a, 0x10, 0, "at the end"), 0,
		 "the first process's areas still hold its own data");
	cow_check_memfree_back(baseline, 2048, "after every generation is reaped");
	return tap_done();
}
