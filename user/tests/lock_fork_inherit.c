/*
 * Claim: record locks held by the parent are not the child's. After
 * fork(), the child's F_GETLK reports the parent's POSIX lock as held by
 * the parent's pid; the child cannot take it (EAGAIN) nor release it (its
 * F_UNLCK succeeds but changes nothing: the lock is still the parent's,
 * also after the child has exited). Open-file-description locks and
 * flock() locks, in contrast, belong to the description the child shares:
 * the child sees no conflict with them through the inherited descriptor,
 * another process sees them with l_pid -1, and the child's unlock releases
 * them for the parent too.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>

static int lk(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
	return fcntl(fd, cmd, &fl);
}

static struct flock getlk(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
	if (fcntl(fd, cmd, &fl))
		fl.l_type = -1;
	return fl;
}

/* What the child finds, all checked in the child and reported by its TAP lines. */
static void child(int fd, pid_t parent)
{
	struct flock fl = getlk(fd, F_GETLK, F_WRLCK, 0, 10);
	CHECK(fl.l_type == F_WRLCK && fl.l_pid == parent && fl.l_start == 0 && fl.l_len == 10,
	      "child: F_GETLK reports the parent's lock, held by the parent's pid (type %d pid %d)",
	      fl.l_type, fl.l_pid);
	CHECK_ERR(EAGAIN, lk(fd, F_SETLK, F_WRLCK, 0, 10), "child: cannot take it");
	CHECK_ERR(EAGAIN, lk(fd, F_SETLK, F_RDLCK, 5, 1), "child: not even a read lock on a part");
	CHECK_OK(lk(fd, F_SETLK, F_UNLCK, 0, 10), "child: F_UNLCK over it returns 0");
	fl = getlk(fd, F_GETLK, F_WRLCK, 0, 10);
	CHECK(fl.l_type == F_WRLCK && fl.l_pid == parent,
	      "child: but the lock is still the parent's (type %d)", fl.l_type);

	fl = getlk(fd, F_OFD_GETLK, F_WRLCK, 100, 10);
	CHECK_EQ(fl.l_type, F_UNLCK,
		 "child: the parent's OFD lock does not conflict through the shared description");
	fl = getlk(fd, F_GETLK, F_WRLCK, 100, 10);
	CHECK(fl.l_type == F_WRLCK && fl.l_pid == -1,
	      "child: a POSIX request sees it, owned by a description (l_pid %d)", fl.l_pid);
	CHECK_OK(lk(fd, F_OFD_SETLK, F_UNLCK, 100, 10), "child: releases the OFD lock");

	CHECK_OK(flock(fd, LOCK_EX | LOCK_NB), "child: flock through the shared description: ours");
	int other = open("f", O_RDWR);
	CHECK_ERR(EWOULDBLOCK, flock(other, LOCK_EX | LOCK_NB),
		  "child: a new description conflicts");
	CHECK_OK(flock(fd, LOCK_UN), "child: unlocks the shared flock");
	CHECK_OK(flock(other, LOCK_EX | LOCK_NB), "child: then its own description can take it");
	close(other);
}

int main(void)
{
	ut_scratch_enter("lock_fork_inherit");
	int fd = CHECK_OK(open("f", O_CREAT | O_RDWR, 0644), "create f");
	CHECK_OK(lk(fd, F_SETLK, F_WRLCK, 0, 10), "parent: POSIX write lock on 0..9");
	CHECK_OK(lk(fd, F_OFD_SETLK, F_WRLCK, 100, 10), "parent: OFD write lock on 100..109");
	CHECK_OK(flock(fd, LOCK_EX), "parent: flock LOCK_EX");
	pid_t parent = getpid();
	int count[2];
	pipe(count);
	pid_t pid = fork();
	if (pid == 0) { /* numbers its checks on from ours, then tells us where it stopped */
		child(fd, parent);
		int n = tap_count_so_far();
		write(count[1], &n, sizeof(n));
		_exit(tap_failures() ? 1 : 0);
	}
	int status, n = tap_count_so_far();
	waitpid(pid, &status, 0);
	read(count[0], &n, sizeof(n));
	tap_resume(n);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child's checks passed");

	int other = open("f", O_RDWR); /* another description: sees every lock but its own */
	struct flock fl = getlk(other, F_OFD_GETLK, F_RDLCK, 0, 10);
	CHECK(fl.l_type == F_WRLCK && fl.l_pid == getpid(),
	      "after the child's exit the POSIX lock is still the parent's (type %d pid %d)",
	      fl.l_type, fl.l_pid);
	fl = getlk(other, F_OFD_GETLK, F_RDLCK, 100, 10);
	CHECK_EQ(fl.l_type, F_UNLCK, "the OFD lock is gone: the child released it");
	CHECK_OK(lk(other, F_OFD_SETLK, F_WRLCK, 100, 10), "so another description can take it");
	CHECK_OK(flock(fd, LOCK_EX | LOCK_NB), "the parent can flock again");
	close(other);
	close(fd);
	ut_scratch_leave();
	return tap_done();
}
