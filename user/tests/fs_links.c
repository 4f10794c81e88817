/*
 * Claim: names and links behave as on Linux: link makes a second name for
 * one inode (st_nlink counts them, data is shared, EEXIST, EPERM for a
 * directory); unlink removes a name while an open descriptor keeps the data;
 * rename replaces an existing target atomically and follows Linux's rules
 * for directories (ENOTEMPTY, EISDIR, ENOTDIR, EINVAL into itself); symlinks
 * resolve relative to their own directory, readlink returns the target
 * unterminated and truncates, O_NOFOLLOW and loops give ELOOP, a dangling
 * link gives ENOENT.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>

static nlink_t links_of(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? st.st_nlink : 0;
}

static int file_is(const char *path, const char *want)
{
	char buf[64];
	return ut_read_file(path, buf, sizeof(buf)) >= 0 && strcmp(buf, want) == 0;
}

static void check_link(void)
{
	struct stat a, b;
	CHECK_OK(ut_write_file("a", "first", 0644), "create a");
	CHECK_OK(link("a", "b"), "link a b");
	stat("a", &a);
	stat("b", &b);
	CHECK(a.st_ino == b.st_ino && a.st_dev == b.st_dev, "a and b are one inode");
	CHECK_EQ(links_of("a"), 2, "with 2 links");
	CHECK_OK(ut_write_file("a", "second", 0644), "rewrite through a");
	CHECK(file_is("b", "second"), "b sees the new data");
	CHECK_ERR(EEXIST, link("a", "b"), "link onto an existing name");
	mkdir("dir", 0755);
	CHECK_ERR(EPERM, link("dir", "dir2"), "link of a directory");
	CHECK_ERR(ENOENT, link("none", "x"), "link of a missing name");
	CHECK_OK(unlink("a"), "unlink a");
	CHECK_ERR(ENOENT, access("a", F_OK), "a is gone");
	CHECK_EQ(links_of("b"), 1, "b has 1 link left");
	CHECK(file_is("b", "second"), "and still the data");
}

static void check_unlink_open(void)
{
	struct stat st;
	char buf[8] = { 0 };
	int fd = CHECK_OK(open("b", O_RDONLY), "open b");
	CHECK_OK(unlink("b"), "unlink b while it is open");
	CHECK_EQ(read(fd, buf, sizeof(buf)), 6, "the open descriptor still reads");
	CHECK(memcmp(buf, "second", 6) == 0, "the data");
	CHECK_OK(fstat(fd, &st), "fstat it");
	CHECK_EQ(st.st_nlink, 0, "it has no names left");
	close(fd);
	CHECK_ERR(EISDIR, unlink("dir"), "unlink of a directory");
	CHECK_ERR(ENOENT, unlink("b"), "unlink of a missing name");
}

static void check_rename_files(void)
{
	ut_write_file("x", "xdata", 0644);
	ut_write_file("y", "ydata", 0644);
	CHECK_OK(rename("x", "y"), "rename x over an existing y");
	CHECK(file_is("y", "xdata"), "y now holds x's data");
	CHECK_ERR(ENOENT, access("x", F_OK), "x is gone");
	CHECK_OK(rename("y", "y"), "rename onto itself succeeds");
	CHECK(file_is("y", "xdata"), "and changes nothing");
	CHECK_OK(rename("y", "dir/y"), "rename into a subdirectory");
	CHECK(file_is("dir/y", "xdata"), "moved");
	CHECK_ERR(ENOENT, rename("none", "z"), "rename of a missing name");
}

static void check_rename_dirs(void)
{
	mkdir("empty", 0755);
	mkdir("full", 0755);
	ut_write_file("full/f", "f", 0644);
	ut_write_file("file", "file", 0644);
	CHECK_ERR(ENOTEMPTY, rename("empty", "full"), "rename a directory over a non-empty one");
	CHECK_ERR(EISDIR, rename("file", "empty"), "rename a file over a directory");
	CHECK_ERR(ENOTDIR, rename("empty", "file"), "rename a directory over a file");
	CHECK_ERR(EINVAL, rename("full", "full/inner"), "rename a directory into itself");
	CHECK_OK(rename("full", "empty"), "rename a directory over an empty one");
	CHECK(file_is("empty/f", "f"), "its contents moved with it");
	CHECK_ERR(ENOENT, access("full", F_OK), "the old name is gone");
}

static void check_readlink(void)
{
	char buf[32];
	CHECK_OK(symlink("file", "sl"), "symlink sl -> file");
	memset(buf, 'X', sizeof(buf));
	CHECK_EQ(readlink("sl", buf, sizeof(buf)), 4, "readlink returns the target's length");
	CHECK(memcmp(buf, "fileX", 5) == 0, "the target, with no NUL added");
	CHECK_EQ(readlink("sl", buf, 2), 2, "a short buffer truncates");
	CHECK_ERR(EINVAL, readlink("file", buf, sizeof(buf)), "readlink of a non-symlink");
	CHECK_ERR(EEXIST, symlink("x", "sl"), "symlink onto an existing name");
	CHECK(file_is("sl", "file"), "opening sl opens its target");
}

static void check_symlink_resolution(void)
{
	CHECK_OK(symlink("../file", "dir/up"), "symlink dir/up -> ../file");
	CHECK(file_is("dir/up", "file"), "a relative target resolves from the link's directory");
	CHECK_OK(symlink("dir", "dl"), "symlink dl -> dir");
	CHECK(file_is("dl/y", "xdata"), "a link to a directory works inside a path");
	CHECK_OK(symlink("missing", "dangling"), "a symlink to a missing name");
	CHECK_ERR(ENOENT, open("dangling", O_RDONLY), "opening it fails with ENOENT");
	struct stat st;
	CHECK_OK(lstat("dangling", &st), "but lstat sees the link");
	CHECK_ERR(ELOOP, open("sl", O_RDONLY | O_NOFOLLOW), "O_NOFOLLOW on a symlink");
	symlink("loop2", "loop1");
	symlink("loop1", "loop2");
	CHECK_ERR(ELOOP, open("loop1", O_RDONLY), "a symlink loop");
	int fd = CHECK_OK(open("dangling", O_CREAT | O_WRONLY, 0644),
			  "O_CREAT through a dangling link creates its target");
	close(fd);
	CHECK_OK(access("missing", F_OK), "the target now exists");
}

int main(void)
{
	ut_scratch_enter("fs_links");
	check_link();
	check_unlink_open();
	check_rename_files();
	check_rename_dirs();
	check_readlink();
	check_symlink_resolution();
	ut_scratch_leave();
	return tap_done();
}
