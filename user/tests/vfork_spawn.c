/*
 * Claims from the seeds: vfork copies nothing, not even page tables: the
 * child runs in the parent's memory (its writes before _exit are visible
 * to the parent) and the parent is suspended until the child execs or
 * exits. musl's posix_spawn and system() work on top of it.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/mman.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static void check_vfork_shares_memory(void)
{
	static volatile int shared_var;
	static volatile long child_done_ms;
	shared_var = 1;
	long start = ut_now_ms();
	pid_t pid = vfork();
	if (pid == 0) {
		/* Sleep so a parent that was not suspended would get ahead of us. */
		struct timespec d = { 0, 100 * 1000000 };
		nanosleep(&d, NULL);
		shared_var = 2;
		child_done_ms = ut_now_ms();
		_exit(0);
	}
	long resumed = ut_now_ms();
	CHECK_EQ(shared_var, 2, "the vfork child's write is visible to the parent");
	CHECK(resumed >= child_done_ms && resumed - start >= 100,
	      "the parent resumed only after the child exited (%ld ms)", resumed - start);
	int status;
	CHECK_EQ(waitpid(pid, &status, 0), pid, "reap the vfork child");
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "it exited 0");
}

/* PageTables from /proc/meminfo in KiB with read(2) only (safe in a vfork child); -1 if absent. */
static long pagetables_kib(void)
{
	static char buf[4096];
	int fd = open("/proc/meminfo", O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	char *p = strstr(buf, "PageTables:");
	return p ? strtol(p + 11, NULL, 10) : -1;
}

/*
 * vfork copies no page tables: with 64 MiB touched (a fork would need
 * about 128 KiB of tables), PageTables seen from the child is unchanged.
 */
static void check_vfork_no_page_tables(void)
{
	size_t len = 64ul << 20;
	char *big = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (big == MAP_FAILED || pagetables_kib() < 0) {
		tap_skip("no /proc/meminfo or no memory", "vfork does not grow PageTables");
		return;
	}
	memset(big, 1, len);
	static volatile long in_child;
	long before = pagetables_kib();
	pid_t pid = vfork();
	if (pid == 0) {
		in_child = pagetables_kib();
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	CHECK(in_child >= 0 && in_child - before < 64,
	      "vfork with 64 MiB mapped grows PageTables by < 64 KiB (%ld -> %ld KiB)", before,
	      in_child);
	munmap(big, len);
}

static void check_vfork_exec(void)
{
	pid_t pid = vfork();
	if (pid == 0) {
		char *argv[] = { "busybox", "true", NULL };
		execve("/bin/busybox", argv, environ);
		_exit(127);
	}
	int status;
	CHECK_EQ(waitpid(pid, &status, 0), pid, "reap the vfork+exec child");
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "vfork then execve busybox true: %#x",
	      status);
}

static void check_posix_spawn(void)
{
	pid_t pid;
	char *argv[] = { "busybox", "sh", "-c", "exit 3", NULL };
	CHECK_EQ(posix_spawn(&pid, "/bin/busybox", NULL, NULL, argv, environ), 0,
		 "posix_spawn busybox sh");
	int status;
	CHECK_EQ(waitpid(pid, &status, 0), pid, "reap the spawned child");
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 3, "its status is 3 (%#x)", status);
	char *bad[] = { "nope", NULL };
	CHECK_EQ(posix_spawn(&pid, "/nonexistent/nope", NULL, NULL, bad, environ), ENOENT,
		 "posix_spawn of a missing file reports ENOENT");
}

static void check_system(void)
{
	int st = system("exit 5");
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 5, "system(\"exit 5\") returns status 5 (%#x)",
	      st);
}

int main(void)
{
	check_vfork_shares_memory();
	check_vfork_no_page_tables();
	check_vfork_exec();
	check_posix_spawn();
	check_system();
	return tap_done();
}
