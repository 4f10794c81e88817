/*
 * Claim: execve maps a program from the page cache instead of copying it.
 * A page of the program comes in on first touch: a page in the middle of
 * a 1 MiB read-only table is not present until read (pagemap). Two
 * processes running this binary (this one, and a child that exec'd it)
 * map the same frames for its text and read-only data, while each gets
 * its own frame for a data page it writes. On cowix, where MemFree is
 * exact, the exec'd child costs well under the size of the binary.
 */
#include <cowutil.h>
#include <mmtest.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <tap.h>
#include <unistd.h>

#define TABLE_LEN     (1ul << 20)
#define MAX_EXEC_COST 512 /* KiB: the binary alone is over 1 MiB */

static const unsigned char table[TABLE_LEN] = { 1, [TABLE_LEN - 1] = 2 };
static unsigned char data_page[2 * MT_PAGE] = { 3 };

/* What a process running this binary reports about its own pages. */
struct report {
	uint64_t text, table, data;
};

/* A real load from the table (its contents are known, so a plain read folds away). */
static unsigned char table_read(size_t i)
{
	return *(const volatile unsigned char *)&table[i];
}

static void fill_report(struct report *r)
{
	(void)table_read(TABLE_LEN / 2);
	data_page[MT_PAGE] = 4;
	r->text = mt_pfn((const void *)fill_report);
	r->table = mt_pfn(&table[TABLE_LEN / 2]);
	r->data = mt_pfn(&data_page[MT_PAGE]);
}

/* The exec'd child: report, then wait until the parent has measured. */
static int child_main(int out, int in)
{
	struct report r;
	char c;
	fill_report(&r);
	if (write(out, &r, sizeof(r)) != sizeof(r))
		return 1;
	return read(in, &c, 1) >= 0 ? 0 : 1;
}

static void check_demand(void)
{
	int before = mt_present(&table[TABLE_LEN / 2 + MT_PAGE]);
	if (before < 0) {
		tap_skip("no /proc/self/pagemap",
			 "an untouched page of the program is not present");
		tap_skip("no /proc/self/pagemap", "it is once read");
		return;
	}
	CHECK_EQ(before, 0, "an untouched page of the program's read-only data is not present");
	(void)table_read(TABLE_LEN / 2 + MT_PAGE);
	CHECK_EQ(mt_present(&table[TABLE_LEN / 2 + MT_PAGE]), 1, "it is once read");
}

static void check_shared(const char *self)
{
	int up[2], down[2];
	if (pipe(up) || pipe(down))
		tap_bail("pipe");
	long before = mt_on_cowix() ? mt_memfree_kib() : -1;
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		char a[16], b[16];
		close(up[0]);
		close(down[1]); /* so the child sees EOF once the parent closes its end */
		snprintf(a, sizeof(a), "%d", up[1]);
		snprintf(b, sizeof(b), "%d", down[0]);
		execl(self, self, "--report", a, b, (char *)NULL);
		_exit(127);
	}
	close(up[1]);
	close(down[0]);
	struct report mine, theirs;
	bool got = cow_recv(up[0], &theirs, sizeof(theirs)) == 0;
	long during = before >= 0 ? mt_memfree_kib() : -1;
	close(down[1]);
	close(up[0]);
	CHECK(got && cow_wait_exit(pid) == 0, "a child exec'd this binary and reported");
	fill_report(&mine);
	if (before >= 0 && during >= 0)
		CHECK(before - during < MAX_EXEC_COST, "the exec'd child cost %ld KiB (< %d)",
		      before - during, MAX_EXEC_COST);
	else
		tap_skip("MemFree is exact only on cowix", "the exec'd child cost little memory");
	if (!got || !mt_pfns_ok()) {
		tap_skip("no PFNs in pagemap", "both processes run the same text frame");
		tap_skip("no PFNs in pagemap", "and read the same read-only data frame");
		tap_skip("no PFNs in pagemap", "each has its own written data page");
		return;
	}
	CHECK(mine.text && mine.text == theirs.text, "both processes run the same text frame");
	CHECK(mine.table && mine.table == theirs.table, "and read the same read-only data frame");
	CHECK(mine.data && theirs.data && mine.data != theirs.data,
	      "each has its own written data page");
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "--report"))
		return child_main(atoi(argv[2]), atoi(argv[3]));
	check_demand();
	check_shared(argv[0]);
	return tap_done();
}
