/*
 * Claim: permission bits work as on Linux: umask returns the old mask and
 * clears bits from the modes given to open(O_CREAT) and mkdir; chmod and
 * fchmod set the bits (and keep the file type); access and faccessat answer
 * F_OK/R_OK/W_OK/X_OK as Linux does (root may read and write anything but
 * execute only what has an x bit) and reject bad arguments with EINVAL.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>

static mode_t mode_of(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? st.st_mode : (mode_t)-1;
}

static void check_umask(void)
{
	umask(022);
	CHECK_EQ(umask(027), 022, "umask returns the previous mask");
	int fd = CHECK_OK(open("f", O_CREAT | O_WRONLY, 0666), "create f with mode 0666");
	close(fd);
	CHECK_EQ(mode_of("f") & 07777, 0640, "umask 027 made it 0640");
	CHECK_OK(mkdir("d", 0777), "mkdir d with mode 0777");
	CHECK_EQ(mode_of("d") & 07777, 0750, "umask 027 made it 0750");
	umask(0);
	fd = open("g", O_CREAT | O_WRONLY, 0666);
	close(fd);
	CHECK_EQ(mode_of("g") & 07777, 0666, "umask 0 keeps 0666");
	CHECK_EQ(umask(022), 0, "umask reports 0");
}

static void check_chmod(void)
{
	CHECK_OK(chmod("f", 0604), "chmod f 0604");
	CHECK_EQ(mode_of("f"), S_IFREG | 0604, "mode is 0604 and it is still a regular file");
	int fd = open("f", O_RDONLY);
	CHECK_OK(fchmod(fd, 0751), "fchmod 0751");
	CHECK_EQ(mode_of("f"), S_IFREG | 0751, "mode is 0751");
	close(fd);
	CHECK_OK(chmod("d", 0700), "chmod d 0700");
	CHECK_EQ(mode_of("d"), S_IFDIR | 0700, "it is still a directory, mode 0700");
	CHECK_ERR(ENOENT, chmod("nope", 0644), "chmod of a missing name");
	CHECK_ERR(EBADF, fchmod(-1, 0644), "fchmod of a bad descriptor");
}

static void check_access(void)
{
	bool root = geteuid() == 0;
	chmod("f", 0644);
	CHECK_OK(access("f", F_OK), "access F_OK of an existing file");
	CHECK_OK(access("f", R_OK | W_OK), "R_OK|W_OK on a 0644 file we own");
	CHECK_ERR(EACCES, access("f", X_OK), "X_OK on a file with no x bit, even for root");
	CHECK_ERR(ENOENT, access("nope", F_OK), "access of a missing name");
	CHECK_ERR(EINVAL, access("f", 0100), "access with an unknown mode bit");
	chmod("f", 0);
	if (root)
		CHECK_OK(access("f", R_OK | W_OK), "root may read and write a mode 0 file");
	else
		CHECK_ERR(EACCES, access("f", R_OK), "others may not read a mode 0 file");
	chmod("f", 0100);
	CHECK_OK(access("f", X_OK), "X_OK once any x bit is set");
	int dfd = open(".", O_RDONLY | O_DIRECTORY);
	CHECK_OK(faccessat(dfd, "f", F_OK, 0), "faccessat relative to a directory descriptor");
	CHECK_OK(faccessat(AT_FDCWD, "d", X_OK, 0), "faccessat(AT_FDCWD) X_OK on a directory");
	CHECK_ERR(EINVAL, faccessat(AT_FDCWD, "f", F_OK, 0x8000000), "faccessat with a bad flag");
	CHECK_ERR(EBADF, faccessat(-5, "f", F_OK, 0), "faccessat with a bad directory descriptor");
	close(dfd);
	chmod("f", 0644);
}

int main(void)
{
	ut_scratch_enter("fs_perm");
	check_umask();
	check_chmod();
	check_access();
	ut_scratch_leave();
	return tap_done();
}
