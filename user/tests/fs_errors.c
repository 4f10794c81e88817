/*
 * Claim: file system calls fail the way Linux fails them: ENOENT for missing
 * names and empty paths, ENOTDIR when a path goes through a file (also with
 * a trailing slash), EISDIR for writing or reading a directory, EBADF for
 * bad or wrongly-opened descriptors, EINVAL for bad arguments, ENAMETOOLONG
 * for a name component over 255 bytes or a path of 4096 bytes or more.
 */
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>

static void check_enoent(void)
{
	struct stat st;
	CHECK_ERR(ENOENT, open("none", O_RDONLY), "open of a missing name");
	CHECK_ERR(ENOENT, open("none/x", O_RDONLY), "open under a missing directory");
	CHECK_ERR(ENOENT, open("", O_RDONLY), "open of the empty path");
	CHECK_ERR(ENOENT, stat("", &st), "stat of the empty path");
	CHECK_ERR(ENOENT, mkdir("", 0755), "mkdir of the empty path");
	CHECK_ERR(ENOENT, mkdir("none/x", 0755), "mkdir under a missing directory");
}

static void check_enotdir(void)
{
	struct stat st;
	CHECK_ERR(ENOTDIR, open("file/x", O_RDONLY), "open through a file");
	CHECK_ERR(ENOTDIR, open("file/", O_RDONLY), "open of a file with a trailing slash");
	CHECK_ERR(ENOTDIR, stat("file/x", &st), "stat through a file");
	CHECK_ERR(ENOTDIR, mkdir("file/x", 0755), "mkdir through a file");
	CHECK_ERR(ENOTDIR, open("file", O_RDONLY | O_DIRECTORY), "O_DIRECTORY on a file");
	CHECK_ERR(ENOTDIR, unlink("file/x"), "unlink through a file");
}

static void check_eisdir(void)
{
	char buf[8];
	CHECK_ERR(EISDIR, open("dir", O_WRONLY), "open a directory for writing");
	CHECK_ERR(EISDIR, open("dir", O_RDWR), "open a directory read-write");
	CHECK_ERR(EISDIR, open("dir", O_WRONLY | O_CREAT, 0644), "O_CREAT on a directory");
	int fd = open("dir", O_RDONLY);
	CHECK_ERR(EISDIR, read(fd, buf, sizeof(buf)), "read a directory");
	close(fd);
}

static void check_ebadf(void)
{
	char buf[8];
	struct stat st;
	CHECK_ERR(EBADF, read(-1, buf, 1), "read from -1");
	CHECK_ERR(EBADF, write(999, buf, 1), "write to an unused descriptor");
	CHECK_ERR(EBADF, lseek(999, 0, SEEK_SET), "lseek of an unused descriptor");
	CHECK_ERR(EBADF, fstat(999, &st), "fstat of an unused descriptor");
	int fd = open("file", O_RDONLY);
	CHECK_ERR(EBADF, write(fd, "x", 1), "write to a read-only descriptor");
	close(fd);
	fd = open("file", O_WRONLY);
	CHECK_ERR(EBADF, read(fd, buf, 1), "read from a write-only descriptor");
	close(fd);
	CHECK_ERR(EBADF, read(fd, buf, 1), "read from a closed descriptor");
}

static void check_einval(void)
{
	char buf[8];
	struct iovec iov = { buf, 1 };
	int fd = open("file", O_RDWR);
	CHECK_ERR(EINVAL, lseek(fd, 0, 7), "lseek with a bad whence");
	CHECK_ERR(EINVAL, lseek(fd, -100, SEEK_CUR), "lseek before the start");
	CHECK_ERR(EINVAL, readv(fd, &iov, 100000), "readv with more than IOV_MAX pieces");
	CHECK_ERR(EINVAL, ftruncate(fd, -1), "ftruncate to a negative size");
	CHECK_ERR(EINVAL, rmdir("dir/."), "rmdir of \".\"");
	CHECK_ERR(EINVAL, readlink("file", buf, sizeof(buf)), "readlink of a regular file");
	close(fd);
}

static void check_enametoolong(void)
{
	static char name[NAME_MAX + 2], path[PATH_MAX + 2];
	memset(name, 'n', NAME_MAX + 1);
	CHECK_ERR(ENAMETOOLONG, open(name, O_RDONLY), "a 256-byte name component");
	CHECK_ERR(ENAMETOOLONG, mkdir(name, 0755), "mkdir of a 256-byte name");
	name[NAME_MAX] = 0;
	CHECK_ERR(ENOENT, open(name, O_RDONLY), "a 255-byte name is allowed (just missing)");
	for (size_t i = 0; i < PATH_MAX; i += 2)
		memcpy(path + i, "./", 2);
	CHECK_ERR(ENAMETOOLONG, open(path, O_RDONLY), "a 4096-byte path");
}

int main(void)
{
	ut_scratch_enter("fs_errors");
	ut_write_file("file", "data", 0644);
	mkdir("dir", 0755);
	check_enoent();
	check_enotdir();
	check_eisdir();
	check_ebadf();
	check_einval();
	check_enametoolong();
	ut_scratch_leave();
	return tap_done();
}
