/*
 * Claim: open-file-description locks (F_OFD_SETLK, F_OFD_GETLK) behave as
 * on Linux: they belong to the description, so two descriptions of one
 * file conflict even within one process, while a dup() shares the lock;
 * F_OFD_GETLK reports them with l_pid -1; they conflict with the same
 * process's POSIX locks, in both directions; closing another descriptor
 * of the file leaves them alone (unlike POSIX locks), and the last close
 * of the description releases them; they split and merge like POSIX
 * locks; l_pid must be 0 in requests (EINVAL); and, as Linux 6.x added,
 * F_OFD_GETLK asking with F_UNLCK reports the description's own lock.
 */
#define _GNU_SOURCE
#include <fcntl.h>
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

static bool is_lock(struct flock fl, short type, off_t start, off_t len, pid_t pid)
{
	if (fl.l_type == type && fl.l_start == start && fl.l_len == len && fl.l_pid == pid)
		return true;
	tap_diag("saw type %d start %lld len %lld pid %d", fl.l_type, (long long)fl.l_start,
		 (long long)fl.l_len, fl.l_pid);
	return false;
}

static void check_descriptions(void)
{
	int a = open("f", O_RDWR), b = open("f", O_RDWR);
	CHECK_OK(lk(a, F_OFD_SETLK, F_WRLCK, 0, 10), "OFD write lock 0..9 through description A");
	CHECK_ERR(EAGAIN, lk(b, F_OFD_SETLK, F_RDLCK, 5, 1),
		  "description B of the same process conflicts");
	CHECK(is_lock(getlk(b, F_OFD_GETLK, F_RDLCK, 0, 0), F_WRLCK, 0, 10, -1),
	      "F_OFD_GETLK through B reports it with l_pid -1");
	int d = dup(a);
	CHECK_EQ(getlk(d, F_OFD_GETLK, F_WRLCK, 0, 10).l_type, F_UNLCK,
		 "through a dup of A there is no conflict: the same description");
	close(d);
	CHECK_EQ(getlk(b, F_OFD_GETLK, F_RDLCK, 0, 10).l_type, F_WRLCK, "closing the dup keeps it");
	int c = open("f", O_RDONLY);
	close(c);
	CHECK_EQ(getlk(b, F_OFD_GETLK, F_RDLCK, 0, 10).l_type, F_WRLCK,
		 "closing another descriptor of the file keeps it too");
	CHECK_ERR(EAGAIN, lk(b, F_SETLK, F_RDLCK, 0, 1),
		  "the process's own POSIX lock conflicts with it");
	CHECK_OK(lk(b, F_SETLK, F_RDLCK, 20, 5), "a POSIX lock elsewhere is fine");
	CHECK_ERR(EAGAIN, lk(a, F_OFD_SETLK, F_WRLCK, 22, 1),
		  "and an OFD lock conflicts with that");
	CHECK(is_lock(getlk(a, F_OFD_GETLK, F_WRLCK, 20, 5), F_RDLCK, 20, 5, getpid()),
	      "F_OFD_GETLK reports the POSIX lock with our pid");
	lk(b, F_SETLK, F_UNLCK, 0, 0);
	close(a);
	CHECK_OK(lk(b, F_OFD_SETLK, F_WRLCK, 0, 10), "after A's last close, B can lock 0..9");
	close(b);
}

/* Linux 6.x: F_OFD_GETLK asking with F_UNLCK reports the description's own lock. */
static void check_own_query(void)
{
	int a = open("f", O_RDWR), b = open("f", O_RDWR);
	CHECK_OK(lk(b, F_OFD_SETLK, F_WRLCK, 10, 5), "B locks 10..14");
	CHECK_OK(lk(a, F_SETLK, F_RDLCK, 30, 5), "the process POSIX-locks 30..34 through A");
	CHECK(is_lock(getlk(b, F_OFD_GETLK, F_UNLCK, 0, 0), F_WRLCK, 10, 5, -1),
	      "F_OFD_GETLK with F_UNLCK through B finds B's own lock");
	CHECK(is_lock(getlk(b, F_OFD_GETLK, F_UNLCK, 12, 1), F_WRLCK, 10, 5, -1),
	      "also when asked about a part of it");
	CHECK_EQ(getlk(b, F_OFD_GETLK, F_UNLCK, 20, 0).l_type, F_UNLCK, "nothing of B's after 20");
	CHECK_EQ(getlk(a, F_OFD_GETLK, F_UNLCK, 0, 0).l_type, F_UNLCK,
		 "A owns no OFD lock: B's and the POSIX one are not A's");
	close(a);
	close(b);
}

static void check_split(void)
{
	int a = open("f", O_RDWR), b = open("f", O_RDWR);
	CHECK_OK(lk(a, F_OFD_SETLK, F_WRLCK, 0, 100), "A locks 0..99");
	CHECK_OK(lk(a, F_OFD_SETLK, F_UNLCK, 40, 20), "A unlocks 40..59");
	CHECK_OK(lk(b, F_OFD_SETLK, F_WRLCK, 40, 20), "so B can lock 40..59");
	CHECK(is_lock(getlk(b, F_OFD_GETLK, F_RDLCK, 0, 0), F_WRLCK, 0, 40, -1),
	      "A still has 0..39");
	CHECK(is_lock(getlk(b, F_OFD_GETLK, F_RDLCK, 60, 0), F_WRLCK, 60, 40, -1), "and 60..99");
	CHECK_OK(lk(b, F_OFD_SETLK, F_UNLCK, 0, 0), "B lets go");
	CHECK_OK(lk(a, F_OFD_SETLK, F_WRLCK, 40, 20), "A locks 40..59 again");
	CHECK(is_lock(getlk(b, F_OFD_GETLK, F_RDLCK, 50, 1), F_WRLCK, 0, 100, -1),
	      "and it merges back into 0..99");
	close(a);
	close(b);
}

static void check_errors(void)
{
	int a = open("f", O_RDWR);
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_len = 1, .l_pid = 1 };
	CHECK_ERR(EINVAL, fcntl(a, F_OFD_SETLK, &fl), "F_OFD_SETLK with l_pid not 0");
	CHECK_ERR(EINVAL, fcntl(a, F_OFD_GETLK, &fl), "F_OFD_GETLK with l_pid not 0");
	CHECK_ERR(EINVAL, lk(a, F_GETLK, F_UNLCK, 0, 1), "F_GETLK asking for F_UNLCK");
	close(a);
	a = open("f", O_RDONLY);
	CHECK_ERR(EBADF, lk(a, F_OFD_SETLK, F_WRLCK, 0, 1),
		  "a write lock on a read-only description");
	close(a);
}

int main(void)
{
	ut_scratch_enter("lock_ofd");
	close(CHECK_OK(open("f", O_CREAT | O_RDWR, 0644), "create f"));
	check_descriptions();
	check_own_query();
	check_split();
	check_errors();
	ut_scratch_leave();
	return tap_done();
}
