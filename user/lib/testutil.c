/* Helpers shared by the user-space tests: see user/include/testutil.h. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>

static char scratch_path[64];

const char *ut_scratch_enter(const char *name)
{
	snprintf(scratch_path, sizeof(scratch_path), "/tmp/cowix-%s.XXXXXX", name);
	if (!mkdtemp(scratch_path))
		tap_bail("mkdtemp(%s): %s", scratch_path, strerror(errno));
	if (chdir(scratch_path) != 0)
		tap_bail("chdir(%s): %s", scratch_path, strerror(errno));
	return scratch_path;
}

void ut_scratch_leave(void)
{
	CHECK_OK(chdir("/"), "leave the scratch directory");
	CHECK_OK(ut_remove_tree(scratch_path), "remove the scratch directory %s", scratch_path);
}

/* Remove everything inside the directory path. */
static int remove_children(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char child[4096];
	int r = 0;
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(child, sizeof(child), "%s/%s", path, e->d_name);
		if (ut_remove_tree(child) != 0)
			r = -1;
	}
	closedir(d);
	return r;
}

int ut_remove_tree(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	chmod(path, 0700);
	if (remove_children(path) != 0)
		return -1;
	return rmdir(path);
}

ssize_t ut_read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;
	ssize_t n = 0;
	if (fd < 0)
		return -1;
	while (len + 1 < size && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += n;
	buf[len] = 0;
	close(fd);
	return n < 0 ? -1 : (ssize_t)len;
}

int ut_write_file(const char *path, const char *data, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	size_t len = strlen(data);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, data, len);
	int err = errno;
	close(fd);
	if (n != (ssize_t)len) {
		errno = n < 0 ? err : EIO;
		return -1;
	}
	return 0;
}

bool ut_have_proc(void)
{
	return access("/proc/self/maps", R_OK) == 0;
}

int ut_fork_wait(void (*fn)(void *), void *arg)
{
	int status;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		fn(arg);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

void *ut_unmapped_page(void)
{
	void *p = mmap(NULL, UT_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	munmap(p, UT_PAGE);
	return p;
}

int ut_in_child(int (*fn)(void *), void *arg)
{
	int status;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0)
		_exit(fn(arg));
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

long long ut_clock_ns(clockid_t clock)
{
	struct timespec ts;
	if (syscall(SYS_clock_gettime, clock, &ts) != 0)
		return -1;
	return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

long ut_now_ms(void)
{
	return (long)(ut_clock_ns(CLOCK_MONOTONIC) / 1000000);
}

void ut_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, ms % 1000 * 1000000 };
	nanosleep(&ts, NULL);
}
