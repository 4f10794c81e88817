/*
 * Claim: file descriptors behave as on Linux: open returns the lowest free
 * number; dup, dup2, dup3 and F_DUPFD make descriptors that share one open
 * file (one offset, one set of status flags) but have their own close-on-exec
 * flag; dup2 onto an open descriptor replaces it; fcntl F_GETFD/F_SETFD,
 * F_GETFL/F_SETFL (O_APPEND and O_NONBLOCK change, the access mode does
 * not), F_DUPFD and F_DUPFD_CLOEXEC work; bad descriptors give EBADF and bad
 * arguments EINVAL. dup3 goes through syscall(2): musl's wrapper checks
 * some of its arguments itself.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>

static ino_t ino_of_fd(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 ? st.st_ino : 0;
}

static void check_lowest(void)
{
	int a = CHECK_OK(open("f", O_RDWR), "open f");
	int b = CHECK_OK(open("f", O_RDWR), "open f again");
	CHECK(b > a, "the second gets a higher number");
	close(a);
	CHECK_EQ(open("f", O_RDONLY), a, "after closing the first, open reuses its number");
	close(a);
	close(b);
	CHECK_ERR(EBADF, close(b), "closing a closed descriptor");
	CHECK_ERR(EBADF, close(-1), "closing -1");
}

static void check_dup_shares_offset(void)
{
	int fd = open("f", O_RDWR);
	int d = CHECK_OK(dup(fd), "dup");
	CHECK(d != fd, "gives a new number");
	CHECK_EQ(write(fd, "abc", 3), 3, "write 3 bytes through the original");
	CHECK_EQ(lseek(d, 0, SEEK_CUR), 3, "the duplicate's offset moved too");
	CHECK_EQ(lseek(d, 1, SEEK_SET), 1, "seek the duplicate to 1");
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 1, "the original's offset is 1");
	close(fd);
	char c = 0;
	CHECK(read(d, &c, 1) == 1 && c == 'b',
	      "the duplicate still works after the original closes");
	close(d);
	CHECK_ERR(EBADF, dup(-1), "dup of a bad descriptor");
}

static void check_dup2_dup3(void)
{
	int fd = open("f", O_RDWR);
	int other = open("g", O_CREAT | O_RDWR, 0644);
	CHECK_EQ(dup2(fd, 100), 100, "dup2 onto a free number 100");
	CHECK_EQ(ino_of_fd(100), ino_of_fd(fd), "100 is f");
	CHECK_EQ(dup2(other, 100), 100, "dup2 onto 100 again, which is open");
	CHECK_EQ(ino_of_fd(100), ino_of_fd(other), "100 is now g: the old one was replaced");
	CHECK_EQ(dup2(fd, fd), fd, "dup2 of a descriptor onto itself returns it");
	CHECK_ERR(EBADF, dup2(-1, 101), "dup2 of a bad descriptor");
	CHECK_ERR(EBADF, dup2(-1, -1), "dup2 of a bad descriptor onto itself");
	CHECK_ERR(EBADF, dup2(fd, -1), "dup2 onto a negative number");
	CHECK_ERR(EINVAL, syscall(SYS_dup3, fd, fd, 0), "dup3 onto itself");
	CHECK_EQ(syscall(SYS_dup3, fd, 101, O_CLOEXEC), 101, "dup3(O_CLOEXEC)");
	CHECK_EQ(fcntl(101, F_GETFD), FD_CLOEXEC, "sets close-on-exec on the new one");
	CHECK_EQ(fcntl(fd, F_GETFD), 0, "but not on the old one");
	CHECK_ERR(EINVAL, syscall(SYS_dup3, fd, 102, O_APPEND),
		  "dup3 with a flag other than O_CLOEXEC");
	close(100);
	close(101);
	close(other);
	close(fd);
}

static void check_fd_flags(void)
{
	int fd = open("f", O_RDONLY);
	CHECK_EQ(fcntl(fd, F_GETFD), 0, "a new descriptor is not close-on-exec");
	CHECK_OK(fcntl(fd, F_SETFD, FD_CLOEXEC), "F_SETFD FD_CLOEXEC");
	CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC, "F_GETFD reports it");
	int d = dup(fd);
	CHECK_EQ(fcntl(d, F_GETFD), 0, "dup does not copy close-on-exec");
	close(d);
	close(fd);
	fd = open("f", O_RDONLY | O_CLOEXEC);
	CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC, "open(O_CLOEXEC) sets it");
	close(fd);
	CHECK_ERR(EBADF, fcntl(fd, F_GETFD), "F_GETFD of a closed descriptor");
}

static void check_fl_flags(void)
{
	int fd = open("f", O_RDWR);
	int d = dup(fd);
	CHECK_EQ(fcntl(fd, F_GETFL) & (O_ACCMODE | O_APPEND | O_NONBLOCK), O_RDWR,
		 "F_GETFL: O_RDWR, no O_APPEND, no O_NONBLOCK");
	CHECK_OK(fcntl(fd, F_SETFL, O_APPEND | O_NONBLOCK), "F_SETFL O_APPEND|O_NONBLOCK");
	CHECK_EQ(fcntl(fd, F_GETFL) & (O_APPEND | O_NONBLOCK), O_APPEND | O_NONBLOCK,
		 "F_GETFL reports both");
	CHECK_EQ(fcntl(d, F_GETFL) & O_APPEND, O_APPEND, "the duplicate shares them");
	CHECK_OK(fcntl(fd, F_SETFL, O_RDONLY), "F_SETFL O_RDONLY");
	CHECK_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR, "cannot change the access mode");
	CHECK_EQ(write(fd, "z", 1), 1, "the descriptor still writes");
	close(d);
	close(fd);
}

static void check_dupfd(void)
{
	int fd = open("f", O_RDONLY);
	CHECK_EQ(fcntl(fd, F_DUPFD, 50), 50, "F_DUPFD 50 gives 50 when it is free");
	CHECK_EQ(fcntl(fd, F_DUPFD, 50), 51, "and 51 when 50 is taken");
	CHECK_EQ(fcntl(50, F_GETFD), 0, "F_DUPFD does not set close-on-exec");
	CHECK_EQ(fcntl(fd, F_DUPFD_CLOEXEC, 50), 52, "F_DUPFD_CLOEXEC 50 gives 52");
	CHECK_EQ(fcntl(52, F_GETFD), FD_CLOEXEC, "with close-on-exec set");
	CHECK_EQ(ino_of_fd(52), ino_of_fd(fd), "on the same file");
	CHECK_ERR(EINVAL, fcntl(fd, F_DUPFD, -1), "F_DUPFD with a negative minimum");
	CHECK_ERR(EINVAL, fcntl(fd, 12345), "an unknown fcntl command");
	close(50);
	close(51);
	close(52);
	close(fd);
}

int main(void)
{
	ut_scratch_enter("fs_fds");
	CHECK_OK(ut_write_file("f", "", 0644), "create f");
	check_lowest();
	check_dup_shares_offset();
	check_dup2_dup3();
	check_fd_flags();
	check_fl_flags();
	check_dupfd();
	ut_scratch_leave();
	return tap_done();
}
