/*
 * Claim: the rest of fork(2)'s list. The child has a new pid, and its
 * parent's pid as ppid; it inherits the working directory, the umask, the
 * resource limits, the process group and the session; its file
 * descriptors share their open file descriptions with the parent's, so
 * one offset moves for both.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>

static pid_t parent_pid;

static int child_ids(void *arg)
{
	(void)arg;
	return (getpid() != parent_pid && getppid() == parent_pid ? 0 : 1) |
	       (getpgrp() == getpgid(parent_pid) ? 0 : 2) |
	       (getsid(0) == getsid(parent_pid) ? 0 : 4);
}

static int child_cwd(void *arg)
{
	char buf[PATH_MAX];
	return getcwd(buf, sizeof(buf)) && !strcmp(buf, arg) ? 0 : 1;
}

static int child_umask(void *arg)
{
	(void)arg;
	return umask(0) == 027 ? 0 : 1;
}

static int child_rlimit(void *arg)
{
	struct rlimit r;
	(void)arg;
	getrlimit(RLIMIT_NOFILE, &r);
	return r.rlim_cur == 100 && r.rlim_max == 200 ? 0 : 1;
}

static int child_offset(void *arg)
{
	int fd = *(int *)arg;
	if (lseek(fd, 0, SEEK_CUR) != 2)
		return 1;
	return write(fd, "cd", 2) == 2 ? 0 : 2;
}

int main(void)
{
	char cwd[PATH_MAX];
	parent_pid = getpid();
	CHECK_EQ(ut_in_child(child_ids, NULL), 0,
		 "the child: a new pid, our pid as ppid, our process group and session");
	ut_scratch_enter("fork_inherit");
	getcwd(cwd, sizeof(cwd));
	CHECK_EQ(ut_in_child(child_cwd, cwd), 0, "the child starts in our working directory");
	mode_t old = umask(027);
	CHECK_EQ(ut_in_child(child_umask, NULL), 0, "the child has our umask");
	umask(old);
	struct rlimit saved, lim = { 100, 200 };
	getrlimit(RLIMIT_NOFILE, &saved);
	setrlimit(RLIMIT_NOFILE, &lim);
	CHECK_EQ(ut_in_child(child_rlimit, NULL), 0, "the child has our resource limits");
	int fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0 && write(fd, "ab", 2) == 2, "write 2 bytes to a file");
	CHECK_EQ(ut_in_child(child_offset, &fd), 0,
		 "the child's fd is at offset 2 and writes 2 more");
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 4,
		 "which moved our offset too: the description is shared");
	char buf[8] = { 0 };
	CHECK(pread(fd, buf, 4, 0) == 4 && !memcmp(buf, "abcd", 4), "the file holds abcd");
	close(fd);
	ut_scratch_leave();
	return tap_done();
}
