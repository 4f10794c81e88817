/*
 * Claim: flock(2) behaves as on Linux: shared locks coexist, an exclusive
 * one excludes every other open file description (EWOULDBLOCK with
 * LOCK_NB), even within one process; the lock belongs to the description,
 * so a dup() shares it and LOCK_UN through the dup releases it; converting
 * between shared and exclusive works; flock and fcntl locks ignore each
 * other; the last close of the description releases the lock; a blocking
 * flock waits until the holder lets go; bad operations are EINVAL and bad
 * descriptors EBADF.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <time.h>
#include <unistd.h>

static void check_modes(void)
{
	int a = open("f", O_RDONLY), b = open("f", O_RDONLY);
	CHECK_OK(flock(a, LOCK_SH), "A takes a shared lock");
	CHECK_OK(flock(b, LOCK_SH | LOCK_NB), "B takes one too");
	CHECK_ERR(EWOULDBLOCK, flock(b, LOCK_EX | LOCK_NB),
		  "B cannot make its exclusive while A shares");
	CHECK_OK(flock(a, LOCK_UN), "A unlocks");
	CHECK_OK(flock(b, LOCK_EX | LOCK_NB), "now B can go exclusive (even read-only)");
	CHECK_ERR(EWOULDBLOCK, flock(a, LOCK_SH | LOCK_NB), "A cannot share B's exclusive lock");
	CHECK_OK(flock(b, LOCK_SH), "B converts back to shared");
	CHECK_OK(flock(a, LOCK_SH | LOCK_NB), "and A can share again");
	CHECK_OK(flock(a, LOCK_UN), "A unlocks");
	CHECK_OK(flock(a, LOCK_UN), "unlocking twice is fine");
	close(b);
	CHECK_OK(flock(a, LOCK_EX | LOCK_NB), "B's close released its lock");
	close(a);
}

static void check_description(void)
{
	int a = open("f", O_RDWR), b = open("f", O_RDWR);
	int d = dup(a);
	CHECK_OK(flock(a, LOCK_EX), "A locks exclusively");
	CHECK_OK(flock(d, LOCK_EX | LOCK_NB), "through a dup of A that is the same lock");
	close(d);
	CHECK_ERR(EWOULDBLOCK, flock(b, LOCK_SH | LOCK_NB), "closing the dup keeps it");
	d = dup(a);
	CHECK_OK(flock(d, LOCK_UN), "LOCK_UN through a dup");
	CHECK_OK(flock(b, LOCK_EX | LOCK_NB), "releases it for everyone");
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_len = 0 };
	CHECK_OK(fcntl(a, F_OFD_SETLK, &fl), "an fcntl lock ignores the flock lock");
	fl.l_type = F_UNLCK;
	fcntl(a, F_OFD_SETLK, &fl);
	close(d);
	close(a);
	close(b);
}

static void check_wait(void)
{
	int ready[2];
	pipe(ready);
	pid_t pid = fork();
	if (pid == 0) {
		int c = open("f", O_RDONLY);
		flock(c, LOCK_EX);
		write(ready[1], "r", 1);
		struct timespec d = { 0, 200 * 1000000 };
		nanosleep(&d, NULL);
		flock(c, LOCK_UN);
		nanosleep(&d, NULL);
		_exit(0);
	}
	char x;
	read(ready[0], &x, 1);
	int a = open("f", O_RDONLY);
	long start = ut_now_ms();
	CHECK_OK(flock(a, LOCK_SH), "a blocking flock waits for the child's exclusive lock");
	CHECK(ut_now_ms() - start >= 150, "until the child unlocks (%ld ms)", ut_now_ms() - start);
	int status;
	waitpid(pid, &status, 0);
	close(a);
	close(ready[0]);
	close(ready[1]);
}

static void check_errors(void)
{
	int a = open("f", O_RDONLY);
	CHECK_ERR(EINVAL, flock(a, 0), "operation 0");
	CHECK_ERR(EINVAL, flock(a, LOCK_SH | LOCK_EX), "LOCK_SH|LOCK_EX");
	CHECK_ERR(EINVAL, flock(a, LOCK_NB), "LOCK_NB alone");
	CHECK_ERR(EBADF, flock(-1, LOCK_SH), "a bad descriptor");
	int p = open("f", O_PATH);
	CHECK_ERR(EBADF, flock(p, LOCK_SH), "an O_PATH descriptor");
	close(p);
	close(a);
}

int main(void)
{
	ut_scratch_enter("lock_flock");
	close(CHECK_OK(open("f", O_CREAT | O_RDWR, 0644), "create f"));
	check_modes();
	check_description();
	check_wait();
	check_errors();
	ut_scratch_leave();
	return tap_done();
}
