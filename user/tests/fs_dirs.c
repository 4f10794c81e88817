/*
 * Claim: directories work as on Linux: mkdir/rmdir (EEXIST, ENOTEMPTY,
 * ENOTDIR, EINVAL for "."), getdents64 (raw syscall, with a buffer so small
 * it takes many calls) and readdir list exactly the entries made, with "."
 * and ".." and correct d_type, and a rewind lists them again; chdir, fchdir
 * and getcwd agree; the *at calls (openat, mkdirat, unlinkat with and
 * without AT_REMOVEDIR, renameat, renameat2 with flags 0) resolve names
 * relative to a directory descriptor.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux_abi.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>

/* What a listing of d must hold: name, and the d_type it must carry. */
static const struct {
	const char *name;
	unsigned char type;
} expected[] = {
	{ ".", DT_DIR }, { "..", DT_DIR },  { "a", DT_REG },  { "b", DT_REG },
	{ "c", DT_REG }, { "sub", DT_DIR }, { "ln", DT_LNK },
};
#define NEXPECTED (sizeof(expected) / sizeof(expected[0]))

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	uint16_t d_reclen;
	uint8_t d_type;
	char d_name[];
};

/* Index of name in expected[], or -1. */
static int expected_index(const char *name)
{
	for (size_t i = 0; i < NEXPECTED; i++)
		if (strcmp(expected[i].name, name) == 0)
			return i;
	return -1;
}

static void populate(void)
{
	CHECK_OK(mkdir("d", 0755), "mkdir d");
	CHECK_ERR(EEXIST, mkdir("d", 0755), "mkdir d again");
	CHECK_OK(ut_write_file("d/a", "a", 0644), "create d/a");
	CHECK_OK(ut_write_file("d/b", "b", 0644), "create d/b");
	CHECK_OK(ut_write_file("d/c", "c", 0644), "create d/c");
	CHECK_OK(mkdir("d/sub", 0755), "mkdir d/sub");
	CHECK_OK(symlink("a", "d/ln"), "symlink d/ln");
}

/*
 * List fd with getdents64 through a buf_size buffer; count each expected
 * entry in seen[]. Returns the number of entries, or -1 on a bad record.
 */
static int list_raw(int fd, size_t buf_size, int seen[NEXPECTED], int *bad_type)
{
	_Alignas(8) char buf[512];
	int total = 0;
	long n;
	while ((n = syscall(SYS_getdents64, fd, buf, buf_size)) > 0) {
		for (long off = 0; off < n;) {
			struct linux_dirent64 *e = (void *)(buf + off);
			int i = expected_index(e->d_name);
			if (e->d_reclen == 0 || e->d_reclen % 8 || e->d_ino == 0)
				return -1;
			if (i >= 0) {
				seen[i]++;
				*bad_type += e->d_type != expected[i].type;
			}
			total++;
			off += e->d_reclen;
		}
	}
	return n < 0 ? -1 : total;
}

static bool each_seen_once(const int seen[NEXPECTED])
{
	for (size_t i = 0; i < NEXPECTED; i++)
		if (seen[i] != 1)
			return false;
	return true;
}

static void check_getdents(void)
{
	int seen[NEXPECTED] = { 0 }, bad_type = 0;
	int fd = CHECK_OK(open("d", O_RDONLY | O_DIRECTORY), "open d as a directory");
	CHECK_EQ(list_raw(fd, 48, seen, &bad_type), (int)NEXPECTED,
		 "getdents64 with a 48-byte buffer lists %zu entries, in many calls", NEXPECTED);
	CHECK(each_seen_once(seen), "each of . .. a b c sub ln exactly once");
	CHECK_EQ(bad_type, 0, "with the right d_type (DT_DIR, DT_REG, DT_LNK)");
	CHECK_EQ(syscall(SYS_getdents64, fd, seen, sizeof(seen)), 0, "then returns 0 at the end");
	memset(seen, 0, sizeof(seen));
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0, "lseek to 0 rewinds");
	CHECK_EQ(list_raw(fd, 512, seen, &bad_type), (int)NEXPECTED, "the listing starts again");
	char tiny[8];
	lseek(fd, 0, SEEK_SET);
	CHECK_ERR(EINVAL, syscall(SYS_getdents64, fd, tiny, sizeof(tiny)),
		  "getdents64 into a buffer too small for one entry");
	close(fd);
	fd = open("d/a", O_RDONLY);
	CHECK_ERR(ENOTDIR, syscall(SYS_getdents64, fd, seen, sizeof(seen)), "getdents64 of a file");
	close(fd);
}

static void check_readdir(void)
{
	int seen[NEXPECTED] = { 0 }, total = 0;
	DIR *dir = opendir("d");
	struct dirent *e;
	CHECK(dir != NULL, "opendir d");
	if (!dir)
		return;
	while ((e = readdir(dir))) {
		int i = expected_index(e->d_name);
		if (i >= 0)
			seen[i]++;
		total++;
	}
	CHECK_EQ(total, (int)NEXPECTED, "readdir lists %zu entries", NEXPECTED);
	CHECK(each_seen_once(seen), "each exactly once");
	closedir(dir);
	unlink("d/b");
	dir = opendir("d");
	bool found_b = false;
	while ((e = readdir(dir)))
		found_b |= strcmp(e->d_name, "b") == 0;
	CHECK(!found_b, "an unlinked name is no longer listed");
	closedir(dir);
}

static void check_rmdir(void)
{
	CHECK_ERR(ENOTEMPTY, rmdir("d"), "rmdir of a non-empty directory");
	CHECK_ERR(ENOTDIR, rmdir("d/a"), "rmdir of a file");
	CHECK_ERR(EINVAL, rmdir("d/sub/."), "rmdir of \".\"");
	CHECK_ERR(ENOENT, rmdir("d/none"), "rmdir of a missing name");
	CHECK_OK(rmdir("d/sub"), "rmdir of an empty directory");
	CHECK_ERR(ENOENT, access("d/sub", F_OK), "it is gone");
}

/* getcwd must be the scratch path plus tail. */
static void check_cwd_is(const char *scratch, const char *tail, const char *what)
{
	char want[PATH_MAX], got[PATH_MAX];
	snprintf(want, sizeof(want), "%s%s", scratch, tail);
	CHECK_STR(getcwd(got, sizeof(got)), want, "getcwd %s", what);
}

static void check_cwd(const char *scratch)
{
	char buf[PATH_MAX];
	check_cwd_is(scratch, "", "is the scratch directory");
	CHECK_EQ(syscall(SYS_getcwd, buf, sizeof(buf)), strlen(scratch) + 1,
		 "the raw getcwd returns the length with its NUL");
	CHECK_ERR(ERANGE, syscall(SYS_getcwd, buf, 4), "getcwd into a buffer too small");
	CHECK_OK(chdir("d"), "chdir d");
	check_cwd_is(scratch, "/d", "after chdir d");
	CHECK_OK(chdir(".."), "chdir ..");
	check_cwd_is(scratch, "", "after chdir ..");
	int dfd = open("d", O_RDONLY | O_DIRECTORY);
	CHECK_OK(fchdir(dfd), "fchdir to d's descriptor");
	check_cwd_is(scratch, "/d", "after fchdir");
	CHECK_OK(access("a", F_OK), "relative names now resolve in d");
	close(dfd);
	chdir(scratch);
	int fd = open("d/a", O_RDONLY);
	CHECK_ERR(ENOTDIR, fchdir(fd), "fchdir to a file");
	close(fd);
	CHECK_ERR(ENOTDIR, chdir("d/a"), "chdir to a file");
	CHECK_ERR(ENOENT, chdir("none"), "chdir to a missing name");
}

static void check_at_calls(void)
{
	int dfd = CHECK_OK(open("d", O_RDONLY | O_DIRECTORY), "open d for the *at calls");
	int fd = CHECK_OK(openat(dfd, "a", O_RDONLY), "openat(d, \"a\")");
	char c = 0;
	CHECK(read(fd, &c, 1) == 1 && c == 'a', "opened d/a");
	CHECK_ERR(ENOTDIR, openat(fd, "x", O_RDONLY), "openat relative to a file");
	close(fd);
	CHECK_OK(mkdirat(dfd, "x", 0755), "mkdirat(d, \"x\")");
	CHECK_OK(access("d/x", F_OK), "made d/x");
	CHECK_ERR(EISDIR, unlinkat(dfd, "x", 0), "unlinkat of a directory without AT_REMOVEDIR");
	CHECK_ERR(ENOTDIR, unlinkat(dfd, "a", AT_REMOVEDIR), "unlinkat(AT_REMOVEDIR) of a file");
	CHECK_OK(unlinkat(dfd, "x", AT_REMOVEDIR), "unlinkat(AT_REMOVEDIR) removes d/x");
	CHECK_OK(renameat(dfd, "a", AT_FDCWD, "moved"), "renameat(d, \"a\", AT_FDCWD, \"moved\")");
	CHECK(access("moved", F_OK) == 0 && access("d/a", F_OK) != 0, "d/a is now ./moved");
	CHECK_OK(syscall(SYS_renameat2, AT_FDCWD, "moved", dfd, "a", 0), "renameat2 with flags 0");
	CHECK(access("d/a", F_OK) == 0 && access("moved", F_OK) != 0, "and back again");
	CHECK_ERR(EINVAL,
		  syscall(SYS_renameat2, dfd, "a", dfd, "c", RENAME_NOREPLACE | RENAME_EXCHANGE),
		  "renameat2 with NOREPLACE|EXCHANGE");
	CHECK_OK(unlinkat(dfd, "c", 0), "unlinkat removes d/c");
	CHECK_ERR(EBADF, openat(-7, "a", O_RDONLY), "openat with a bad directory descriptor");
	close(dfd);
}

int main(void)
{
	const char *scratch = ut_scratch_enter("fs_dirs");
	populate();
	check_getdents();
	check_readdir();
	check_rmdir();
	check_cwd(scratch);
	check_at_calls();
	ut_scratch_leave();
	return tap_done();
}
