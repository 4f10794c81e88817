/*
 * Claim: fcntl(2) POSIX record locks behave as on Linux. Another process
 * (a fork()ed child here) sees our locks with F_GETLK, l_pid our pid,
 * l_whence SEEK_SET and l_len 0 for "to the end"; read locks share, write
 * locks exclude (F_SETLK: EAGAIN); our own locks never conflict with us;
 * l_whence SEEK_CUR and SEEK_END and a negative l_len name the ranges the
 * man page says; unlocking or retyping the middle of a lock splits it,
 * adjacent locks of one type merge; closing ANY descriptor of the file
 * drops all our locks on it; the locks are the process's, shared by its
 * threads; and bad requests get EINVAL, EBADF or EOVERFLOW.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>

static int fd;

static int setlk(int f, int cmd, short type, short whence, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = whence, .l_start = start, .l_len = len };
	return fcntl(f, cmd, &fl);
}

/* F_GETLK for (type, start, len) as a forked child (another process) sees it. */
static struct flock probe(short type, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
	int p[2];
	pipe(p);
	pid_t pid = fork();
	if (pid == 0) {
		if (fcntl(fd, F_GETLK, &fl))
			fl.l_type = -1;
		write(p[1], &fl, sizeof(fl));
		_exit(0);
	}
	if (read(p[0], &fl, sizeof(fl)) != sizeof(fl))
		fl.l_type = -2;
	waitpid(pid, NULL, 0);
	close(p[0]);
	close(p[1]);
	return fl;
}

/* Does the child see exactly a lock of type over [start, start+len) held by us? */
static bool sees(struct flock fl, short type, off_t start, off_t len)
{
	if (fl.l_type == type && fl.l_whence == SEEK_SET && fl.l_start == start &&
	    fl.l_len == len && fl.l_pid == getpid())
		return true;
	tap_diag("saw type %d whence %d start %lld len %lld pid %d", fl.l_type, fl.l_whence,
		 (long long)fl.l_start, (long long)fl.l_len, fl.l_pid);
	return false;
}

static bool sees_free(struct flock fl)
{
	if (fl.l_type == F_UNLCK)
		return true;
	tap_diag("saw type %d start %lld len %lld", fl.l_type, (long long)fl.l_start,
		 (long long)fl.l_len);
	return false;
}

/* Try F_SETLK as a child; its errno (0 on success). */
static int child_setlk(short type, off_t start, off_t len)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(setlk(fd, F_SETLK, type, SEEK_SET, start, len) ? errno : 0);
	int status;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void unlock_all(void)
{
	setlk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);
}

static void check_conflicts(void)
{
	CHECK_OK(setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 10, 10), "write-lock bytes 10..19");
	CHECK(sees(probe(F_RDLCK, 0, 100), F_WRLCK, 10, 10),
	      "another process sees it with our pid");
	CHECK(sees(probe(F_RDLCK, 19, 1), F_WRLCK, 10, 10), "byte 19 is covered");
	CHECK(sees_free(probe(F_WRLCK, 20, 5)), "byte 20 on is free");
	CHECK(sees_free(probe(F_WRLCK, 0, 10)), "bytes 0..9 are free");
	CHECK_EQ(child_setlk(F_RDLCK, 15, 1), EAGAIN, "its F_SETLK over ours fails with EAGAIN");
	CHECK_EQ(child_setlk(F_WRLCK, 20, 1), 0, "next to ours it succeeds");
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 100 };
	CHECK_OK(fcntl(fd, F_GETLK, &fl), "F_GETLK over our own lock");
	CHECK_EQ(fl.l_type, F_UNLCK, "our own locks never conflict with us");
	CHECK_OK(setlk(fd, F_SETLK, F_RDLCK, SEEK_SET, 10, 10), "turn it into a read lock");
	CHECK(sees_free(probe(F_RDLCK, 10, 10)), "read locks share");
	CHECK(sees(probe(F_WRLCK, 0, 0), F_RDLCK, 10, 10), "a write lock still conflicts");
	CHECK_EQ(child_setlk(F_WRLCK, 12, 1), EAGAIN, "so F_SETLK of a write lock fails");
	unlock_all();
	CHECK(sees_free(probe(F_WRLCK, 0, 0)), "unlocking 0 to the end frees everything");
}

static void check_split_merge(void)
{
	CHECK_OK(setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 100), "write-lock 0..99");
	CHECK_OK(setlk(fd, F_SETLK, F_UNLCK, SEEK_SET, 40, 20), "unlock 40..59");
	CHECK(sees_free(probe(F_WRLCK, 40, 20)), "40..59 are free");
	CHECK(sees(probe(F_WRLCK, 0, 45), F_WRLCK, 0, 40), "0..39 stay locked");
	CHECK(sees(probe(F_WRLCK, 50, 100), F_WRLCK, 60, 40), "60..99 stay locked");
	CHECK_OK(setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 40, 20), "lock 40..59 again");
	CHECK(sees(probe(F_RDLCK, 50, 1), F_WRLCK, 0, 100), "the three merge back into 0..99");
	CHECK_OK(setlk(fd, F_SETLK, F_RDLCK, SEEK_SET, 40, 20), "make 40..59 a read lock");
	CHECK(sees_free(probe(F_RDLCK, 40, 20)), "a reader may share 40..59");
	CHECK(sees(probe(F_WRLCK, 45, 5), F_RDLCK, 40, 20), "which is a read lock of its own");
	CHECK(sees(probe(F_RDLCK, 0, 41), F_WRLCK, 0, 40), "0..39 are still write-locked");
	unlock_all();
	CHECK_OK(setlk(fd, F_SETLK, F_RDLCK, SEEK_SET, 0, 10), "read-lock 0..9");
	CHECK_OK(setlk(fd, F_SETLK, F_RDLCK, SEEK_SET, 10, 10), "and 10..19");
	CHECK(sees(probe(F_WRLCK, 5, 1), F_RDLCK, 0, 20), "adjacent read locks merge into 0..19");
	CHECK_OK(setlk(fd, F_SETLK, F_RDLCK, SEEK_SET, 30, 5), "read-lock 30..34, with a gap");
	CHECK(sees(probe(F_WRLCK, 5, 1), F_RDLCK, 0, 20), "does not merge across the gap");
	unlock_all();
}

static void check_ranges(void)
{
	CHECK_OK(setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 100, 0), "l_len 0 from 100");
	CHECK(sees(probe(F_RDLCK, 1 << 30, 1), F_WRLCK, 100, 0),
	      "locks to the end, however far: reported with l_len 0");
	unlock_all();
	CHECK_OK(setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 50, -10), "l_start 50, l_len -10");
	CHECK(sees(probe(F_RDLCK, 0, 0), F_WRLCK, 40, 10), "locks 40..49");
	unlock_all();
	lseek(fd, 30, SEEK_SET);
	CHECK_OK(setlk(fd, F_SETLK, F_WRLCK, SEEK_CUR, 5, 5), "SEEK_CUR +5 at offset 30");
	CHECK(sees(probe(F_RDLCK, 0, 0), F_WRLCK, 35, 5), "locks 35..39, reported as SEEK_SET");
	unlock_all();
	ftruncate(fd, 200);
	CHECK_OK(setlk(fd, F_SETLK, F_WRLCK, SEEK_END, -10, 10), "SEEK_END -10 in a 200-byte file");
	CHECK(sees(probe(F_RDLCK, 0, 0), F_WRLCK, 190, 10), "locks 190..199");
	CHECK_OK(setlk(fd, F_SETLK, F_UNLCK, SEEK_END, -10, 0), "unlock from SEEK_END -10 on");
	CHECK(sees_free(probe(F_WRLCK, 0, 0)), "nothing is left");
	CHECK_OK(setlk(fd, F_SETLK, F_UNLCK, SEEK_SET, 5000, 10), "unlocking what is not locked");
	CHECK_OK(setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, INT64_MAX, 1), "the very last byte");
	CHECK(sees(probe(F_RDLCK, 0, 0), F_WRLCK, INT64_MAX, 0),
	      "is locked, reported with l_len 0: it reaches the end");
	unlock_all();
}

static void check_errors(void)
{
	CHECK_ERR(EINVAL, setlk(fd, F_SETLK, 7, SEEK_SET, 0, 1), "an unknown l_type");
	CHECK_ERR(EINVAL, setlk(fd, F_SETLK, F_WRLCK, 9, 0, 1), "an unknown l_whence");
	CHECK_ERR(EINVAL, setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, -1, 1), "a negative start");
	CHECK_ERR(EINVAL, setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 5, -6), "a range before byte 0");
	CHECK_ERR(EOVERFLOW, setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, INT64_MAX, 2), "past the end");
	CHECK_ERR(EINVAL, setlk(fd, F_GETLK, F_UNLCK, SEEK_SET, 0, 1),
		  "F_GETLK asking for F_UNLCK");
	CHECK_ERR(EFAULT, fcntl(fd, F_SETLK, ut_unmapped_page()), "a bad struct flock pointer");
	int ro = open("f", O_RDONLY), wo = open("f", O_WRONLY);
	CHECK_ERR(EBADF, setlk(ro, F_SETLK, F_WRLCK, SEEK_SET, 0, 1),
		  "a write lock on a read-only fd");
	CHECK_ERR(EBADF, setlk(wo, F_SETLK, F_RDLCK, SEEK_SET, 0, 1),
		  "a read lock on a write-only fd");
	CHECK_OK(setlk(ro, F_SETLK, F_RDLCK, SEEK_SET, 0, 1), "a read lock on the read-only fd");
	CHECK_OK(setlk(wo, F_SETLK, F_UNLCK, SEEK_SET, 0, 1),
		 "unlocked through the write-only one");
	close(ro);
	close(wo);
	CHECK_ERR(EBADF, setlk(-1, F_SETLK, F_WRLCK, SEEK_SET, 0, 1), "a bad fd");
}

static void check_close_releases(void)
{
	int other = open("f", O_RDONLY);
	CHECK_OK(setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10), "lock 0..9 through fd");
	CHECK(sees(probe(F_RDLCK, 0, 10), F_WRLCK, 0, 10), "it is held");
	close(other);
	CHECK(sees_free(probe(F_WRLCK, 0, 0)), "closing ANOTHER fd of the file drops it");
	CHECK_OK(setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10), "lock it again");
	int d = dup(fd);
	close(d);
	CHECK(sees_free(probe(F_WRLCK, 0, 0)), "closing a dup drops it too");
	CHECK_OK(setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10), "lock it again");
	int g = open("g", O_CREAT | O_RDWR, 0644);
	int g2 = dup(g);
	close(g2);
	CHECK(sees(probe(F_RDLCK, 0, 10), F_WRLCK, 0, 10),
	      "closing an fd of another file does not");
	d = dup(fd);
	CHECK(sees(probe(F_RDLCK, 0, 10), F_WRLCK, 0, 10), "nor does dup() itself");
	CHECK_EQ(dup2(g, d), d, "dup2 another file over the dup of fd");
	CHECK(sees_free(probe(F_WRLCK, 0, 0)), "replacing an fd of the file closes it: dropped");
	close(d);
	close(g);
}

/* A thread of ours: what F_GETLK says about the main thread's lock (its l_type). */
static void *thread_getlk(void *arg)
{
	(void)arg;
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10 };
	if (fcntl(fd, F_GETLK, &fl))
		return (void *)-1l;
	return (void *)(long)fl.l_type;
}

static void *thread_unlock(void *arg)
{
	(void)arg;
	return (void *)(long)setlk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 10);
}

/* Threads share the process's locks: no conflict among them, and any of them may unlock. */
static void check_threads(void)
{
	pthread_t t;
	void *ret = NULL;
	CHECK_OK(setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10), "the main thread locks 0..9");
	pthread_create(&t, NULL, thread_getlk, NULL);
	pthread_join(t, &ret);
	CHECK_EQ((long)ret, F_UNLCK, "another thread sees no conflict: the lock is the process's");
	pthread_create(&t, NULL, thread_unlock, NULL);
	pthread_join(t, &ret);
	CHECK_EQ((long)ret, 0, "another thread unlocks it");
	CHECK(sees_free(probe(F_WRLCK, 0, 0)), "and it is gone for other processes too");
	int p = open("f", O_PATH);
	struct flock fl = { .l_type = F_RDLCK, .l_whence = SEEK_SET };
	CHECK_ERR(EBADF, fcntl(p, F_GETLK, &fl), "no locking through an O_PATH fd");
	close(p);
}

int main(void)
{
	ut_scratch_enter("lock_posix");
	fd = CHECK_OK(open("f", O_CREAT | O_RDWR, 0644), "create f");
	check_conflicts();
	check_split_merge();
	check_ranges();
	check_errors();
	check_close_releases();
	check_threads();
	close(fd);
	ut_scratch_leave();
	return tap_done();
}
