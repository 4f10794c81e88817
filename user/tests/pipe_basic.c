/*
 * Claim: pipe(2) and pipe2(2) behave as on Linux in one process: two
 * descriptors, a read end and a write end, on one anonymous FIFO inode
 * (fstat: S_IFIFO, mode 0600, one link, size 0); bytes come out in order
 * and a read returns what is there (a short read, not a wait for more);
 * O_NONBLOCK gives EAGAIN on an empty or full pipe; read returns 0 once
 * the write end is closed; the ends cannot be used the wrong way round
 * (EBADF) or seeked (ESPIPE); pipe2 takes O_CLOEXEC and O_NONBLOCK and
 * refuses other flags; a bad array pointer is EFAULT and leaves no
 * descriptors behind; FIONREAD counts the buffered bytes; the capacity is
 * 64 KiB (F_GETPIPE_SZ), and one read takes a full pipe at once; F_SETPIPE_SZ rounds up to a
 * power-of-two number of pages, refusing to shrink below what is buffered (EBUSY).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>

#define PIPE_CAPACITY 65536

static void check_fstat(void)
{
	int p[2];
	CHECK_OK(pipe(p), "pipe");
	struct stat sr, sw;
	CHECK_OK(fstat(p[0], &sr), "fstat the read end");
	CHECK_OK(fstat(p[1], &sw), "fstat the write end");
	CHECK(S_ISFIFO(sr.st_mode), "the read end is a FIFO (mode %o)", sr.st_mode);
	CHECK_EQ(sr.st_mode & 07777, 0600, "with permissions 0600");
	CHECK_EQ(sr.st_nlink, 1, "and one link");
	CHECK_EQ(sr.st_ino, sw.st_ino, "both ends are the same inode");
	CHECK_EQ(sr.st_dev, sw.st_dev, "on the same device");
	CHECK_EQ(write(p[1], "abc", 3), 3, "write 3 bytes");
	CHECK_OK(fstat(p[0], &sr), "fstat again");
	CHECK_EQ(sr.st_size, 0, "st_size stays 0 with bytes buffered");
	int q[2];
	CHECK_OK(pipe(q), "a second pipe");
	CHECK(fstat(q[0], &sw) == 0 && sw.st_ino != sr.st_ino, "has its own inode");
	close(q[0]);
	close(q[1]);
	close(p[0]);
	close(p[1]);
}

static void check_flags(void)
{
	int p[2];
	CHECK_OK(pipe(p), "pipe");
	CHECK_EQ(fcntl(p[0], F_GETFL), O_RDONLY, "the read end is O_RDONLY");
	CHECK_EQ(fcntl(p[1], F_GETFL), O_WRONLY, "the write end is O_WRONLY");
	CHECK_EQ(fcntl(p[0], F_GETFD), 0, "pipe sets no FD_CLOEXEC");
	close(p[0]);
	close(p[1]);
	CHECK_OK(pipe2(p, O_NONBLOCK), "pipe2(O_NONBLOCK)");
	CHECK_EQ(fcntl(p[0], F_GETFL), O_RDONLY | O_NONBLOCK, "read end has O_NONBLOCK");
	CHECK_EQ(fcntl(p[1], F_GETFL), O_WRONLY | O_NONBLOCK, "write end has O_NONBLOCK");
	close(p[0]);
	close(p[1]);
	CHECK_OK(pipe2(p, O_CLOEXEC), "pipe2(O_CLOEXEC)");
	CHECK(fcntl(p[0], F_GETFD) == FD_CLOEXEC && fcntl(p[1], F_GETFD) == FD_CLOEXEC,
	      "both ends are close-on-exec");
	CHECK_EQ(fcntl(p[0], F_GETFL), O_RDONLY, "but not non-blocking");
	close(p[0]);
	close(p[1]);
	CHECK_ERR(EINVAL, pipe2(p, O_APPEND), "pipe2 with O_APPEND");
	CHECK_ERR(EINVAL, pipe2(p, 0x40000000), "pipe2 with an unknown flag");
}

static void check_efault(void)
{
	int before = dup(0);
	close(before);
	CHECK_ERR(EFAULT, syscall(SYS_pipe, (void *)8), "pipe with a bad array pointer");
	CHECK_ERR(EFAULT, syscall(SYS_pipe2, ut_unmapped_page(), 0), "pipe2 into an unmapped page");
	int after = dup(0);
	CHECK_EQ(after, before, "no descriptor was left behind");
	close(after);
}

static void check_wrong_way(void)
{
	int p[2];
	char c;
	pipe(p);
	CHECK_ERR(EBADF, read(p[1], &c, 1), "read from the write end");
	CHECK_ERR(EBADF, write(p[0], "x", 1), "write to the read end");
	CHECK_ERR(ESPIPE, lseek(p[0], 0, SEEK_SET), "lseek on a pipe");
	CHECK_ERR(ESPIPE, pread(p[0], &c, 1, 0), "pread on a pipe");
	CHECK_ERR(ESPIPE, pwrite(p[1], "x", 1, 0), "pwrite on a pipe");
	close(p[0]);
	close(p[1]);
}

static void check_data(void)
{
	int p[2];
	char buf[64] = { 0 };
	pipe2(p, O_NONBLOCK);
	CHECK_ERR(EAGAIN, read(p[0], buf, sizeof(buf)), "read from an empty non-blocking pipe");
	CHECK_EQ(read(p[0], buf, 0), 0, "a read of 0 bytes returns 0 at once");
	CHECK_EQ(write(p[1], "hello", 5), 5, "write 5 bytes");
	CHECK_EQ(write(p[1], " world", 6), 6, "write 6 more");
	int n = -1;
	CHECK_OK(ioctl(p[0], FIONREAD, &n), "FIONREAD");
	CHECK_EQ(n, 11, "counts 11 bytes");
	CHECK_EQ(read(p[0], buf, 3), 3, "a read of 3 takes 3");
	CHECK_EQ(read(p[0], buf + 3, sizeof(buf) - 3), 8, "a bigger read returns the 8 left");
	CHECK_STR(buf, "hello world", "in the order written");
	CHECK_OK(ioctl(p[0], FIONREAD, &n), "FIONREAD again");
	CHECK_EQ(n, 0, "counts 0 bytes");
	CHECK_EQ(write(p[1], "tail", 4), 4, "write 4 bytes");
	close(p[1]);
	memset(buf, 0, sizeof(buf));
	CHECK_EQ(read(p[0], buf, sizeof(buf)), 4,
		 "after the writer closed, what is buffered comes out");
	CHECK_EQ(read(p[0], buf, sizeof(buf)), 0, "then read returns 0 (end of file)");
	CHECK_EQ(read(p[0], buf, sizeof(buf)), 0, "and keeps returning 0");
	close(p[0]);
}

/* Pseudo-random but reproducible bytes, so a misplaced byte shows. */
static unsigned char pattern(size_t i)
{
	return (unsigned char)(i * 131 + (i >> 8) * 7 + 1);
}

/* Writes and reads of sizes that do not divide the ring, so it wraps many times. */
static void check_wraparound(void)
{
	int p[2];
	pipe(p);
	enum { CHUNK = 3001, ROUNDS = 100 };
	static unsigned char out[CHUNK], in[CHUNK];
	size_t w = 0, r = 0;
	int bad = 0;
	for (int round = 0; round < ROUNDS; round++) {
		for (int i = 0; i < CHUNK; i++)
			out[i] = pattern(w + i);
		if (write(p[1], out, CHUNK) != CHUNK)
			bad++;
		w += CHUNK;
		size_t got = 0;
		while (got < CHUNK) {
			ssize_t k = read(p[0], in + got, CHUNK - got);
			if (k <= 0)
				break;
			got += k;
		}
		for (size_t i = 0; i < got; i++)
			bad += in[i] != pattern(r + i);
		r += got;
	}
	CHECK_EQ(bad, 0, "%d chunks of %d bytes come out intact through the ring", ROUNDS, CHUNK);
	CHECK_EQ(r, w, "every byte written was read");
	close(p[0]);
	close(p[1]);
}

static void check_capacity(void)
{
	int p[2];
	pipe2(p, O_NONBLOCK);
	CHECK_EQ(fcntl(p[0], F_GETPIPE_SZ), PIPE_CAPACITY, "F_GETPIPE_SZ is 64 KiB");
	long total = 0;
	while (write(p[1], "x", 1) == 1)
		total++;
	CHECK_EQ(errno, EAGAIN, "filling byte by byte ends with EAGAIN");
	CHECK_EQ(total, PIPE_CAPACITY, "after 65536 bytes");
	int n;
	ioctl(p[0], FIONREAD, &n);
	CHECK_EQ(n, PIPE_CAPACITY, "FIONREAD says 65536");
	close(p[0]);
	close(p[1]);

	pipe2(p, O_NONBLOCK);
	char *big = calloc(1, 100000);
	CHECK_EQ(write(p[1], big, 100000), PIPE_CAPACITY,
		 "a 100000-byte non-blocking write into an empty pipe writes 65536");
	CHECK_ERR(EAGAIN, write(p[1], big, 1), "then the pipe is full");
	CHECK_EQ(read(p[0], big, 4096), 4096, "read 4096 bytes");
	CHECK_EQ(write(p[1], big, 4096), 4096, "now a 4096-byte write fits again");
	CHECK_EQ(read(p[0], big, 100000), PIPE_CAPACITY, "one big read takes all 65536 at once");
	free(big);
	close(p[0]);
	close(p[1]);
}

static void check_setpipe_sz(void)
{
	int p[2];
	pipe2(p, O_NONBLOCK);
	CHECK_EQ(fcntl(p[1], F_SETPIPE_SZ, 5000), 8192, "F_SETPIPE_SZ 5000 gives 8192");
	CHECK_EQ(fcntl(p[0], F_GETPIPE_SZ), 8192, "seen from the other end too");
	CHECK_EQ(fcntl(p[1], F_SETPIPE_SZ, 0), 4096, "F_SETPIPE_SZ 0 gives one page");
	char buf[8192];
	memset(buf, 'a', sizeof(buf));
	CHECK_EQ(write(p[1], buf, 3000), 3000, "write 3000 bytes");
	CHECK_ERR(EAGAIN, write(p[1], buf, 2000), "2000 more do not fit in 4096");
	CHECK_EQ(fcntl(p[1], F_SETPIPE_SZ, 16384), 16384, "grow it to 16384 with bytes in it");
	CHECK_EQ(write(p[1], buf, 8192), 8192, "now 8192 more fit");
	CHECK_ERR(EBUSY, fcntl(p[1], F_SETPIPE_SZ, 4096), "shrinking below what is buffered");
	int n = 0;
	ioctl(p[0], FIONREAD, &n);
	CHECK_EQ(n, 11192, "nothing was lost by resizing");
	close(p[0]);
	close(p[1]);
	int fd = open("/dev/null", O_RDONLY);
	CHECK_ERR(EBADF, fcntl(fd, F_GETPIPE_SZ), "F_GETPIPE_SZ on something not a pipe");
	close(fd);
}

int main(void)
{
	check_fstat();
	check_flags();
	check_efault();
	check_wrong_way();
	check_data();
	check_wraparound();
	check_capacity();
	check_setpipe_sz();
	return tap_done();
}
