/*
 * Claim: a system call given a bad user pointer fails with EFAULT and the
 * process carries on, whatever the pointer is: NULL, a page that was
 * unmapped, a kernel address (0xffff800000000000), an address the kernel
 * has mapped for itself (its direct map, 0xffff888000100000), or a
 * non-canonical address (0x0000800000000000, which would #GP rather than
 * page-fault). Every file, memory and time call that takes a buffer, a
 * path, an iovec array or a result struct is tried with each (where NULL
 * means "no result wanted", as for gettimeofday or prlimit64, the call must
 * succeed instead). All calls go
 * through syscall(2), so no libc wrapper and no vDSO is involved. Also: a
 * read or write whose buffer runs off the end of a mapping transfers the
 * bytes before the hole and returns that short count, as Linux does.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <linux_abi.h>
#include <tap.h>
#include <testutil.h>
#include <time.h>
#include <unistd.h>

static int file_fd, dir_fd;
static struct stat st_buf;
static struct statx stx_buf;

#define SYS(...) syscall(__VA_ARGS__)

/* Each call below passes the bad pointer p in one argument slot. */
static long c_read(void *p)
{
	lseek(file_fd, 0, SEEK_SET);
	return SYS(SYS_read, file_fd, p, 10);
}
static long c_write(void *p)
{
	return SYS(SYS_write, file_fd, p, 10);
}
static long c_pread64(void *p)
{
	return SYS(SYS_pread64, file_fd, p, 10, 0);
}
static long c_pwrite64(void *p)
{
	return SYS(SYS_pwrite64, file_fd, p, 10, 0);
}
static long c_readv_array(void *p)
{
	return SYS(SYS_readv, file_fd, p, 1);
}
static long c_readv_base(void *p)
{
	struct iovec iov = { p, 10 };
	lseek(file_fd, 0, SEEK_SET);
	return SYS(SYS_readv, file_fd, &iov, 1);
}
static long c_writev_array(void *p)
{
	return SYS(SYS_writev, file_fd, p, 1);
}
static long c_writev_base(void *p)
{
	struct iovec iov = { p, 10 };
	return SYS(SYS_writev, file_fd, &iov, 1);
}
static long c_open(void *p)
{
	return SYS(SYS_open, p, O_RDONLY);
}
static long c_openat(void *p)
{
	return SYS(SYS_openat, dir_fd, p, O_RDONLY);
}
static long c_stat_path(void *p)
{
	return SYS(SYS_stat, p, &st_buf);
}
static long c_stat_buf(void *p)
{
	return SYS(SYS_stat, "f", p);
}
static long c_lstat_path(void *p)
{
	return SYS(SYS_lstat, p, &st_buf);
}
static long c_lstat_buf(void *p)
{
	return SYS(SYS_lstat, "f", p);
}
static long c_fstat_buf(void *p)
{
	return SYS(SYS_fstat, file_fd, p);
}
static long c_newfstatat_path(void *p)
{
	return SYS(SYS_newfstatat, AT_FDCWD, p, &st_buf, 0);
}
static long c_newfstatat_buf(void *p)
{
	return SYS(SYS_newfstatat, AT_FDCWD, "f", p, 0);
}
static long c_statx_path(void *p)
{
	return SYS(SYS_statx, AT_FDCWD, p, 0, STATX_BASIC_STATS, &stx_buf);
}
static long c_statx_buf(void *p)
{
	return SYS(SYS_statx, AT_FDCWD, "f", 0, STATX_BASIC_STATS, p);
}
static long c_access(void *p)
{
	return SYS(SYS_access, p, F_OK);
}
static long c_mkdir(void *p)
{
	return SYS(SYS_mkdir, p, 0755);
}
static long c_rmdir(void *p)
{
	return SYS(SYS_rmdir, p);
}
static long c_unlink(void *p)
{
	return SYS(SYS_unlink, p);
}
static long c_rename_old(void *p)
{
	return SYS(SYS_rename, p, "g");
}
static long c_rename_new(void *p)
{
	return SYS(SYS_rename, "f", p);
}
static long c_link_new(void *p)
{
	return SYS(SYS_link, "f", p);
}
static long c_symlink_target(void *p)
{
	return SYS(SYS_symlink, p, "s");
}
static long c_truncate(void *p)
{
	return SYS(SYS_truncate, p, 0);
}
static long c_chmod(void *p)
{
	return SYS(SYS_chmod, p, 0644);
}
static long c_chdir(void *p)
{
	return SYS(SYS_chdir, p);
}
static long c_readlink_path(void *p)
{
	char buf[16];
	return SYS(SYS_readlink, p, buf, sizeof(buf));
}
static long c_readlink_buf(void *p)
{
	return SYS(SYS_readlink, "l", p, 16);
}
static long c_getcwd(void *p)
{
	return SYS(SYS_getcwd, p, 4096);
}
static long c_getdents64(void *p)
{
	lseek(dir_fd, 0, SEEK_SET);
	return SYS(SYS_getdents64, dir_fd, p, 4096);
}
static long c_execve(void *p)
{
	char *const argv[] = { "x", NULL };
	return SYS(SYS_execve, p, argv, argv + 1);
}
static long c_uname(void *p)
{
	return SYS(SYS_uname, p);
}
static long c_clock_gettime(void *p)
{
	return SYS(SYS_clock_gettime, CLOCK_MONOTONIC, p);
}
static long c_clock_getres(void *p)
{
	return SYS(SYS_clock_getres, CLOCK_MONOTONIC, p);
}
static long c_gettimeofday(void *p)
{
	return SYS(SYS_gettimeofday, p, NULL);
}
static long c_time(void *p)
{
	return SYS(SYS_time, p);
}
static long c_nanosleep(void *p)
{
	return SYS(SYS_nanosleep, p, NULL);
}
static long c_getrandom(void *p)
{
	return SYS(SYS_getrandom, p, 16, 0);
}
static long c_sysinfo(void *p)
{
	return SYS(SYS_sysinfo, p);
}
static long c_prlimit64_new(void *p)
{
	return SYS(SYS_prlimit64, 0, RLIMIT_NOFILE, p, NULL);
}
static long c_prlimit64_old(void *p)
{
	return SYS(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, p);
}
static long c_getrlimit(void *p)
{
	return SYS(SYS_getrlimit, RLIMIT_NOFILE, p);
}
static long c_setrlimit(void *p)
{
	return SYS(SYS_setrlimit, RLIMIT_NOFILE, p);
}
static long c_arch_prctl(void *p)
{
	return SYS(SYS_arch_prctl, ARCH_GET_FS, p);
}

/* null_ok: NULL means "not wanted" here, and the call succeeds. */
static const struct call {
	const char *what;
	long (*fn)(void *);
	bool null_ok;
} calls[] = {
	{ "read buffer", c_read, false },
	{ "write buffer", c_write, false },
	{ "pread64 buffer", c_pread64, false },
	{ "pwrite64 buffer", c_pwrite64, false },
	{ "readv iovec array", c_readv_array, false },
	{ "readv iov_base", c_readv_base, false },
	{ "writev iovec array", c_writev_array, false },
	{ "writev iov_base", c_writev_base, false },
	{ "open path", c_open, false },
	{ "openat path", c_openat, false },
	{ "stat path", c_stat_path, false },
	{ "stat result", c_stat_buf, false },
	{ "lstat path", c_lstat_path, false },
	{ "lstat result", c_lstat_buf, false },
	{ "fstat result", c_fstat_buf, false },
	{ "newfstatat path", c_newfstatat_path, false },
	{ "newfstatat result", c_newfstatat_buf, false },
	{ "statx path", c_statx_path, false },
	{ "statx result", c_statx_buf, false },
	{ "access path", c_access, false },
	{ "mkdir path", c_mkdir, false },
	{ "rmdir path", c_rmdir, false },
	{ "unlink path", c_unlink, false },
	{ "rename old path", c_rename_old, false },
	{ "rename new path", c_rename_new, false },
	{ "link new path", c_link_new, false },
	{ "symlink target", c_symlink_target, false },
	{ "truncate path", c_truncate, false },
	{ "chmod path", c_chmod, false },
	{ "chdir path", c_chdir, false },
	{ "readlink path", c_readlink_path, false },
	{ "readlink buffer", c_readlink_buf, false },
	{ "getcwd buffer", c_getcwd, false },
	{ "getdents64 buffer", c_getdents64, false },
	{ "execve path", c_execve, false },
	{ "uname result", c_uname, false },
	{ "clock_gettime result", c_clock_gettime, false },
	{ "clock_getres result", c_clock_getres, true },
	{ "gettimeofday result", c_gettimeofday, true },
	{ "time result", c_time, true },
	{ "nanosleep request", c_nanosleep, false },
	{ "getrandom buffer", c_getrandom, false },
	{ "sysinfo result", c_sysinfo, false },
	{ "prlimit64 new limit", c_prlimit64_new, true },
	{ "prlimit64 old limit", c_prlimit64_old, true },
	{ "getrlimit result", c_getrlimit, false },
	{ "setrlimit limit", c_setrlimit, false },
	{ "arch_prctl(ARCH_GET_FS) result", c_arch_prctl, false },
};
#define NCALLS (sizeof(calls) / sizeof(calls[0]))

struct bad_ptr {
	const char *what;
	void *p;
};

static void check_pointer(const struct bad_ptr *b)
{
	for (size_t i = 0; i < NCALLS; i++) {
		if (b->p == NULL && calls[i].null_ok)
			CHECK_OK(calls[i].fn(b->p), "%s = NULL is allowed", calls[i].what);
		else
			CHECK_ERR(EFAULT, calls[i].fn(b->p), "%s = %s", calls[i].what, b->what);
	}
}

/* A buffer that starts 10 bytes before the end of a mapping. */
static void check_straddle(void)
{
	char *p =
	    mmap(NULL, 2 * UT_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(p + UT_PAGE, UT_PAGE);
	char *edge = p + UT_PAGE - 10;
	memset(p, 'e', UT_PAGE);
	CHECK_EQ(SYS(SYS_pwrite64, file_fd, edge, 20, 0), 10,
		 "a write from a buffer running off its mapping writes the 10 mapped bytes");
	CHECK_EQ(SYS(SYS_pread64, file_fd, edge, 20, 0), 10,
		 "a read into such a buffer reads the 10 bytes that fit");
	munmap(p, UT_PAGE);
}

static void setup(void)
{
	ut_scratch_enter("efault");
	if (ut_write_file("f", "0123456789abcdefghijklmnopqrstuvwxyz", 0644) || symlink("f", "l"))
		tap_bail("cannot create test files");
	file_fd = open("f", O_RDWR);
	dir_fd = open(".", O_RDONLY | O_DIRECTORY);
	if (file_fd < 0 || dir_fd < 0)
		tap_bail("cannot open test files");
}

int main(void)
{
	setup();
	check_straddle();
	const struct bad_ptr bad[] = {
		{ "NULL", NULL },
		{ "an unmapped page", ut_unmapped_page() },
		{ "a kernel address", (void *)0xffff800000000000ul },
		{ "the kernel's direct map", (void *)0xffff888000100000ul },
		{ "a non-canonical address", (void *)0x0000800000000000ul },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		check_pointer(&bad[i]);
	close(file_fd);
	close(dir_fd);
	ut_scratch_leave();
	return tap_done();
}
