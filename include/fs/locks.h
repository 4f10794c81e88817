/*
 * File locks (fs/locks.c): fcntl(2) record locks and flock(2).
 *
 * Three kinds, kept per inode (inode->locks):
 *   POSIX  F_SETLK, F_SETLKW, F_GETLK: byte ranges owned by a process,
 *          exactly (as on Linux) by its fd table, struct files_struct:
 *          threads share them, a fork()ed child has its own table and so
 *          owns none of its parent's. When the owner closes ANY fd of the
 *          file (close, dup2 over it, close-on-exec, the end of the table
 *          at exit), all of its locks on the file go. l_pid reports the
 *          locker's tgid.
 *   OFD    F_OFD_SETLK, F_OFD_SETLKW, F_OFD_GETLK: byte ranges owned by the
 *          open file description (struct file), so shared by dup() and
 *          fork(); they go with the description's last reference. l_pid
 *          reports -1. POSIX and OFD locks are one set of ranges and
 *          conflict with each other.
 *   FLOCK  flock(2): the whole file, owned by the description, and
 *          independent of the other two kinds.
 * An owner's ranges never overlap: setting a range replaces what the owner
 * had there, splitting or trimming its other locks and merging adjacent or
 * overlapping ones of the same type.
 *
 * Locking: locks_lock (LOCK_RANK_LOCKS, global) guards every inode's lock
 * context and the list of blocked requests, which deadlock detection (a
 * cycle of POSIX owners each waiting for the next) needs whole. Blocked
 * requests sleep on their inode's queue with it dropped.
 */
#pragma once
#include <fs/vfs.h>
#include <uapi/fcntl.h>

#define LOCK_RANK_LOCKS (LOCK_RANK_VFS + 5)

struct files_struct;

/*
 * F_GETLK (is_ofd false: asking as the caller's fd table) or F_OFD_GETLK
 * (asking as f) for the range and type in *fl. A conflicting lock is
 * written back into *fl (l_whence SEEK_SET); if none, l_type becomes
 * F_UNLCK. F_OFD_GETLK asking with F_UNLCK (Linux 6.x) reports f's own
 * lock in the range instead. 0, -EINVAL or -EOVERFLOW.
 */
int locks_getlk(struct file *f, bool is_ofd, struct flock *fl);
/*
 * F_SETLK / F_SETLKW (is_wait) as the caller's fd table, or their OFD
 * forms as f. 0, or -EAGAIN (conflict, no wait), -EDEADLK, -ERESTARTSYS
 * (a signal while waiting), -EBADF (access mode does not allow the type),
 * -EINVAL, -EOVERFLOW, -ENOLCK (out of memory).
 */
int locks_setlk(struct file *f, bool is_ofd, bool is_wait, const struct flock *fl);
/* flock(2) on f: LOCK_SH, LOCK_EX or LOCK_UN, optionally | LOCK_NB. 0 or -errno. */
int locks_flock(struct file *f, int op);

/* An fd of owner's table that referred to f was closed: owner's POSIX locks on the file go. */
void locks_remove_posix(struct file *f, struct files_struct *owner);
/* f's last reference is going (file_put): its OFD and flock locks go. */
void locks_remove_file(struct file *f);

/* fcntl(fd, cmd, arg) for the lock commands, for sys_fcntl (syscall/sys_locks.c). */
long fcntl_lock(int fd, int cmd, u64 arg);
