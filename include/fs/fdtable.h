/*
 * Per-process fd tables. A struct files_struct maps small integers to open
 * files (struct file) and is shared between tasks by reference
 * (CLONE_FILES); fork gives the child a copy whose slots share the parent's
 * open files, offsets included.
 *
 * files->lock (rank VFS-3) guards the slots and the close-on-exec bits.
 * file_put is never called with it held (a release may do real work).
 */
#pragma once
#include <lib/atomic.h>
#include <lib/spinlock.h>
#include <types.h>

/*
 * The most slots a table can have. The limit that applies to a call is the
 * caller's RLIMIT_NOFILE (capped at FD_MAX), passed in as limit: fds are
 * 0 .. limit-1.
 */
#define FD_MAX 4096

struct file;

struct files_struct {
	atomic_t refcount;
	struct spinlock lock;
	int capacity;	   /* [lock] slots allocated, grows to FD_MAX */
	struct file **fds; /* [lock] NULL for a free slot */
	u64 *cloexec;	   /* [lock] bitmap, one bit per slot */
};

/* An empty table, refcount 1; NULL on OOM. */
struct files_struct *files_alloc(void);
/* fork: a new table whose slots share src's open files; NULL on OOM. */
struct files_struct *files_dup(struct files_struct *src);
/* Another reference (CLONE_FILES); returns files. */
struct files_struct *files_get(struct files_struct *files);
/* Drop a reference; the last closes every fd. */
void files_put(struct files_struct *files);
/* execve: close every fd marked FD_CLOEXEC. */
void files_close_on_exec(struct files_struct *files);
/* PID 1: open /dev/console as fds 0, 1 and 2. */
int files_open_console(struct files_struct *files);

/*
 * Put f in the lowest free slot in [min_fd, limit), taking over the
 * caller's reference. Returns the fd, -EINVAL for a negative min_fd, or
 * -EMFILE (the reference is then still the caller's).
 */
int fd_install(struct files_struct *files, struct file *f, int min_fd, int limit, bool is_cloexec);
/*
 * open(2) in two steps, so a full table fails before anything is created:
 * reserve the lowest free slot >= min_fd (fd or -EMFILE), then commit a
 * file to it (taking over the caller's reference) or unreserve it.
 * A reserved slot reads as closed, and dup2 onto it is -EBUSY.
 */
int fd_reserve(struct files_struct *files, int min_fd, int limit, bool is_cloexec);
void fd_commit(struct files_struct *files, int fd, struct file *f);
void fd_unreserve(struct files_struct *files, int fd);
/* The open file at fd with a new reference, or NULL if fd is not open. */
struct file *fd_get(struct files_struct *files, int fd);
/* Close fd: 0 or -EBADF. */
int fd_close(struct files_struct *files, int fd);
/*
 * dup2/dup3: make newfd (< limit) refer to oldfd's file, closing newfd
 * first. newfd, -EBADF or -EBUSY.
 */
int fd_dup_to(struct files_struct *files, int oldfd, int newfd, int limit, bool is_cloexec);
/* FD_CLOEXEC of fd (0 or 1), or -EBADF. */
int fd_get_cloexec(struct files_struct *files, int fd);
int fd_set_cloexec(struct files_struct *files, int fd, bool is_cloexec);
