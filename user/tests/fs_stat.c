/*
 * Claim: stat, fstat, lstat, fstatat (newfstatat) and statx (raw syscall)
 * report what Linux reports: type and permission bits, size, link count,
 * owner, a power-of-two st_blksize, one inode number however the file is
 * reached, lstat seeing a symlink itself (size = target length), sane
 * timestamps that move on write, and the character devices /dev/null (1,3)
 * and /dev/zero (1,5).
 */
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <linux_abi.h>
#include <tap.h>
#include <testutil.h>
#include <time.h>
#include <unistd.h>

static bool power_of_two(long v)
{
	return v > 0 && (v & (v - 1)) == 0;
}

static void check_regular(void)
{
	struct stat st, fst;
	CHECK_OK(ut_write_file("f", "0123456789", 0640), "create f (10 bytes, mode 0640)");
	CHECK_OK(stat("f", &st), "stat f");
	CHECK(S_ISREG(st.st_mode), "it is a regular file");
	CHECK_EQ(st.st_mode & 07777, 0640, "with mode 0640");
	CHECK_EQ(st.st_size, 10, "and size 10");
	CHECK_EQ(st.st_nlink, 1, "and one link");
	CHECK_EQ(st.st_uid, geteuid(), "owned by the effective uid");
	CHECK_EQ(st.st_gid, getegid(), "and the effective gid");
	CHECK(power_of_two(st.st_blksize) && st.st_blksize >= 512,
	      "st_blksize (%ld) is a power of two >= 512", (long)st.st_blksize);
	CHECK(st.st_ino != 0, "st_ino is not 0");
	int fd = open("f", O_RDONLY);
	CHECK_OK(fstat(fd, &fst), "fstat an open descriptor of f");
	CHECK(fst.st_ino == st.st_ino && fst.st_dev == st.st_dev, "same inode and device as stat");
	CHECK_EQ(fst.st_size, 10, "same size");
	close(fd);
}

static void check_directory(void)
{
	struct stat st;
	CHECK_OK(mkdir("d", 0755), "mkdir d");
	CHECK_OK(stat("d", &st), "stat d");
	CHECK(S_ISDIR(st.st_mode), "it is a directory");
	CHECK_EQ(st.st_mode & 07777, 0755, "with mode 0755");
	CHECK_EQ(st.st_nlink, 2, "an empty directory has 2 links (its name and its \".\")");
	mkdir("d/sub", 0755);
	stat("d", &st);
	CHECK_EQ(st.st_nlink, 3, "a subdirectory's \"..\" adds a third");
	struct stat dot, via_sub;
	stat(".", &dot);
	stat("d/..", &via_sub);
	CHECK(dot.st_ino == via_sub.st_ino, "d/.. is the same inode as .");
}

static void check_symlink(void)
{
	struct stat st;
	CHECK_OK(symlink("f", "link"), "symlink link -> f");
	CHECK_OK(lstat("link", &st), "lstat link");
	CHECK(S_ISLNK(st.st_mode), "lstat sees a symlink");
	CHECK_EQ(st.st_size, 1, "whose size is the length of its target");
	CHECK_OK(stat("link", &st), "stat link");
	CHECK(S_ISREG(st.st_mode) && st.st_size == 10, "stat follows it to f");
	CHECK_OK(fstatat(AT_FDCWD, "link", &st, AT_SYMLINK_NOFOLLOW),
		 "fstatat(AT_SYMLINK_NOFOLLOW)");
	CHECK(S_ISLNK(st.st_mode), "does not follow it");
	int dfd = open(".", O_RDONLY | O_DIRECTORY);
	CHECK_OK(fstatat(dfd, "f", &st, 0), "fstatat relative to a directory descriptor");
	CHECK_EQ(st.st_size, 10, "finds f");
	close(dfd);
}

static long statx_raw(int dfd, const char *path, int flags, unsigned mask, struct statx *stx)
{
	memset(stx, 0xaa, sizeof(*stx));
	return syscall(SYS_statx, dfd, path, flags, mask, stx);
}

static void check_statx(void)
{
	struct statx stx;
	struct stat st;
	const unsigned need = STATX_TYPE | STATX_MODE | STATX_NLINK | STATX_SIZE | STATX_INO;
	stat("f", &st);
	CHECK_OK(statx_raw(AT_FDCWD, "f", 0, STATX_BASIC_STATS, &stx), "statx f");
	CHECK_EQ(stx.stx_mask & need, need, "stx_mask covers type, mode, nlink, size, inode");
	CHECK_EQ(stx.stx_mode, st.st_mode, "stx_mode matches st_mode");
	CHECK_EQ(stx.stx_size, 10, "stx_size is 10");
	CHECK_EQ(stx.stx_nlink, 1, "stx_nlink is 1");
	CHECK_EQ(stx.stx_ino, st.st_ino, "stx_ino matches st_ino");
	CHECK_EQ(stx.stx_blksize, st.st_blksize, "stx_blksize matches st_blksize");
	CHECK_EQ(stx.stx_mtime.tv_sec, st.st_mtim.tv_sec, "stx_mtime matches st_mtime");
	CHECK_OK(statx_raw(AT_FDCWD, "link", AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &stx),
		 "statx(AT_SYMLINK_NOFOLLOW) link");
	CHECK(S_ISLNK(stx.stx_mode), "sees the symlink");
	int fd = open("f", O_RDONLY);
	CHECK_OK(statx_raw(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx),
		 "statx(fd, \"\", AT_EMPTY_PATH)");
	CHECK_EQ(stx.stx_size, 10, "describes the open file");
	close(fd);
	CHECK_ERR(EINVAL, statx_raw(AT_FDCWD, "f", 0x80000000, STATX_BASIC_STATS, &stx),
		  "statx with an unknown flag");
	CHECK_ERR(ENOENT, statx_raw(AT_FDCWD, "nope", 0, STATX_BASIC_STATS, &stx),
		  "statx of a missing name");
}

static void check_times(void)
{
	struct stat before, after;
	struct timespec pause = { 0, 20000000 };
	time_t now = time(NULL);
	stat("f", &before);
	CHECK(before.st_mtim.tv_sec >= now - 5 && before.st_mtim.tv_sec <= now + 1,
	      "a new file's mtime is now (%lld vs %lld)", (long long)before.st_mtim.tv_sec,
	      (long long)now);
	CHECK(before.st_mtim.tv_nsec >= 0 && before.st_mtim.tv_nsec < 1000000000,
	      "tv_nsec is in range");
	nanosleep(&pause, NULL);
	int fd = open("f", O_WRONLY | O_APPEND);
	CHECK_EQ(write(fd, "!", 1), 1, "append a byte 20 ms later");
	close(fd);
	stat("f", &after);
	bool later = after.st_mtim.tv_sec > before.st_mtim.tv_sec ||
		     (after.st_mtim.tv_sec == before.st_mtim.tv_sec &&
		      after.st_mtim.tv_nsec > before.st_mtim.tv_nsec);
	CHECK(later, "the write moved mtime forward");
	CHECK(after.st_ctim.tv_sec >= before.st_ctim.tv_sec, "ctime did not go back");
}

static void check_devices(void)
{
	struct stat st;
	CHECK_OK(stat("/dev/null", &st), "stat /dev/null");
	CHECK(S_ISCHR(st.st_mode), "a character device");
	CHECK(major(st.st_rdev) == 1 && minor(st.st_rdev) == 3, "numbered 1,3");
	CHECK_OK(stat("/dev/zero", &st), "stat /dev/zero");
	CHECK(S_ISCHR(st.st_mode), "a character device");
	CHECK(major(st.st_rdev) == 1 && minor(st.st_rdev) == 5, "numbered 1,5");
}

int main(void)
{
	umask(022);
	ut_scratch_enter("fs_stat");
	check_regular();
	check_directory();
	check_symlink();
	check_statx();
	check_times();
	check_devices();
	ut_scratch_leave();
	return tap_done();
}
