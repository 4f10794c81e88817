/*
 * Claim: waiting for record locks works as on Linux: F_SETLKW sleeps
 * until the holder unlocks, or exits (exit releases a process's locks),
 * then gets the lock; F_OFD_SETLKW likewise; two processes that would
 * wait for each other get EDEADLK instead (the one whose wait would close
 * the cycle); a caught signal ends the wait with EINTR, unless the handler
 * has SA_RESTART, in which case the wait goes on to get the lock.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <time.h>
#include <unistd.h>

static int fd;
static volatile sig_atomic_t handled;

static void on_usr1(int sig)
{
	(void)sig;
	handled++;
}

static int lk(int f, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
	return fcntl(f, cmd, &fl);
}

/* A child that write-locks [start, start+len) at once, holds it ms, then unlocks (or exits). */
static pid_t hold_in_child(int cmd, off_t start, off_t len, long ms, bool is_unlock)
{
	int ready[2];
	pipe(ready);
	pid_t pid = fork();
	if (pid == 0) {
		int f = cmd == F_OFD_SETLK ? open("f", O_RDWR) : fd;
		if (lk(f, cmd, F_WRLCK, start, len))
			_exit(1);
		write(ready[1], "r", 1);
		ut_sleep_ms(ms);
		if (is_unlock)
			lk(f, cmd, F_UNLCK, start, len);
		ut_sleep_ms(is_unlock ? 300 : 0); /* still alive after unlocking */
		_exit(0);
	}
	char c;
	read(ready[0], &c, 1); /* the lock is held now */
	close(ready[0]);
	close(ready[1]);
	return pid;
}

static void reap(pid_t pid)
{
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

static void check_wait(int set, int setw, const char *what)
{
	pid_t pid = hold_in_child(set, 0, 10, 200, true);
	int f = set == F_OFD_SETLK ? open("f", O_RDWR) : fd;
	CHECK_ERR(EAGAIN, lk(f, set, F_WRLCK, 5, 1), "%s: the child holds the lock", what);
	long start = ut_now_ms();
	CHECK_OK(lk(f, setw, F_WRLCK, 5, 1), "%s: the waiting form gets it", what);
	CHECK(ut_now_ms() - start >= 150, "%s: once the child unlocked (%ld ms)", what,
	      ut_now_ms() - start);
	lk(f, set, F_UNLCK, 0, 0);
	reap(pid);

	pid = hold_in_child(set, 0, 10, 200, false);
	start = ut_now_ms();
	CHECK_OK(lk(f, setw, F_WRLCK, 0, 1), "%s: waiting again", what);
	CHECK(ut_now_ms() - start >= 150, "%s: gets it when the holder exits (%ld ms)", what,
	      ut_now_ms() - start);
	lk(f, set, F_UNLCK, 0, 0);
	reap(pid);
	if (f != fd)
		close(f);
}

static void check_deadlock(void)
{
	int ready[2], result[2];
	pipe(ready);
	pipe(result);
	CHECK_OK(lk(fd, F_SETLK, F_WRLCK, 0, 1), "the parent locks byte 0");
	pid_t pid = fork();
	if (pid == 0) {
		lk(fd, F_SETLK, F_WRLCK, 1, 1); /* byte 1 is the child's */
		write(ready[1], "r", 1);
		int r = lk(fd, F_SETLKW, F_WRLCK, 0, 1) ? errno : 0; /* waits for the parent */
		write(result[1], &r, sizeof(r));
		_exit(0);
	}
	char c;
	read(ready[0], &c, 1);
	ut_sleep_ms(200); /* the child is asleep in F_SETLKW by now */
	CHECK_ERR(EDEADLK, lk(fd, F_SETLKW, F_WRLCK, 1, 1),
		  "waiting for the child's byte while it waits for ours: EDEADLK");
	CHECK_OK(lk(fd, F_SETLK, F_UNLCK, 0, 1), "the parent gives up byte 0");
	int r = -1;
	read(result[0], &r, sizeof(r));
	CHECK_EQ(r, 0, "so the child's wait ends with the lock");
	reap(pid);
	close(ready[0]), close(ready[1]), close(result[0]), close(result[1]);
}

static void check_signal(int flags, const char *how)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = flags;
	sigaction(SIGUSR1, &sa, NULL);
	handled = 0;
	pid_t holder = hold_in_child(F_SETLK, 0, 1, 400, true);
	pid_t parent = getpid();
	pid_t killer = fork();
	if (killer == 0) {
		ut_sleep_ms(100);
		kill(parent, SIGUSR1);
		_exit(0);
	}
	int r = lk(fd, F_SETLKW, F_WRLCK, 0, 1);
	int e = errno;
	CHECK_EQ(handled, 1, "%s: the handler ran during F_SETLKW", how);
	if (flags & SA_RESTART)
		CHECK_EQ(r, 0, "%s: the wait went on and got the lock (errno %d)", how, e);
	else
		CHECK(r == -1 && e == EINTR, "%s: F_SETLKW failed with EINTR (%d, errno %d)", how,
		      r, e);
	lk(fd, F_SETLK, F_UNLCK, 0, 0);
	reap(killer);
	reap(holder);
}

int main(void)
{
	ut_scratch_enter("lock_wait");
	fd = CHECK_OK(open("f", O_CREAT | O_RDWR, 0644), "create f");
	check_wait(F_SETLK, F_SETLKW, "POSIX");
	check_wait(F_OFD_SETLK, F_OFD_SETLKW, "OFD");
	check_deadlock();
	check_signal(0, "no SA_RESTART");
	check_signal(SA_RESTART, "SA_RESTART");
	close(fd);
	ut_scratch_leave();
	return tap_done();
}
