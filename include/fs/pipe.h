/*
 * Pipes (fs/pipe.c). pipe(2) makes an anonymous FIFO inode and two open
 * files on it: a read end and a write end. Bytes go through a ring buffer
 * of PIPE_DEF_BYTES (16 pages, like Linux), allocated a page at a time as
 * it first fills.
 *
 *   - A write of at most PIPE_BUF bytes is atomic: it waits until it fits
 *     whole, so it is never interleaved with another writer's bytes.
 *   - A read returns what is there (up to its length), waits while the
 *     pipe is empty and has a writer, and returns 0 once no writer is left.
 *   - A write with no reader left raises SIGPIPE and fails with EPIPE.
 *   - O_NONBLOCK turns every wait into EAGAIN.
 * Readers and writers are counted per open file description, so dup(),
 * fork() and close() keep the counts right by themselves: only the release
 * of a description (its last reference) changes them.
 *
 * Locking: pipe->lock (LOCK_RANK_PIPE) guards the ring and the counts. It
 * is held across nothing but memcpy and page allocation; wait queues (rank
 * SCHED-1) may be taken inside it. SIGPIPE is sent after it is dropped.
 */
#pragma once
#include <fs/vfs.h>

#define PIPE_BUF       4096	     /* writes of at most this many bytes are atomic */
#define PIPE_DEF_BYTES (16 * 4096)   /* capacity of a new pipe */
#define PIPE_MAX_BYTES (1024 * 1024) /* the most F_SETPIPE_SZ grants (pipe-max-size) */
#define LOCK_RANK_PIPE (LOCK_RANK_VFS + 3)

/*
 * Make a pipe: *rd (O_RDONLY) and *wr (O_WRONLY) are its two ends, each
 * with one reference, with O_NONBLOCK if flags has it. 0 or -ENOMEM.
 */
int pipe_create(int flags, struct file **rd, struct file **wr);
/*
 * F_GETPIPE_SZ and F_SETPIPE_SZ on f: the capacity in bytes, or -EBADF
 * (f is not a pipe), -EINVAL, -EPERM (above PIPE_MAX_BYTES), -EBUSY (the
 * buffered bytes would not fit), -ENOMEM.
 */
long pipe_fcntl(struct file *f, int cmd, u64 arg);
/* fcntl(fd, F_GETPIPE_SZ / F_SETPIPE_SZ, arg) for sys_fcntl (syscall/sys_pipe.c). */
long fcntl_pipe(int fd, int cmd, u64 arg);
