/*
 * A process's filesystem context: root, current directory and umask.
 * Shared by reference (CLONE_FS), copied by fork.
 *
 * fs->lock (rank VFS-2) guards root, cwd and umask. Readers take their
 * own inode references under it and use them after unlocking.
 */
#pragma once
#include <lib/atomic.h>
#include <lib/spinlock.h>
#include <types.h>

struct inode;
struct path_start;

struct fs_struct {
	atomic_t refcount;
	struct spinlock lock;
	struct inode *root; /* [lock] reference held */
	struct inode *cwd;  /* [lock] reference held */
	u32 umask;	    /* [lock] */
};

/* Root and cwd at the filesystem root, umask 022; NULL on OOM. */
struct fs_struct *fs_alloc(void);
/* fork: a copy with the same root, cwd and umask; NULL on OOM. */
struct fs_struct *fs_dup(struct fs_struct *src);
/* Another reference (CLONE_FS); returns fs. */
struct fs_struct *fs_get(struct fs_struct *fs);
void fs_put(struct fs_struct *fs);
/* Make dir the cwd (a new reference is taken). */
void fs_set_cwd(struct fs_struct *fs, struct inode *dir);
/* Set the umask to mask & 0777, returning the old one. */
u32 fs_umask_swap(struct fs_struct *fs, u32 mask);
u32 fs_umask(struct fs_struct *fs);
/* References to fs's root and cwd, for a lookup. Release with path_start_put. */
void fs_path_start(struct fs_struct *fs, struct path_start *ps);
void path_start_put(struct path_start *ps);
