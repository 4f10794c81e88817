/*
 * Path walking, internal to the VFS. A walk runs with vfs_ns_lock held
 * from walk_path() until the caller is done with what it found: every
 * inode it returns is borrowed, valid only while that lock is held.
 */
#pragma once
#include <fs/vfs.h>

#define WALK_FOLLOW   0x1 /* follow a symlink in the last component */
#define WALK_EMPTY_OK 0x2 /* "" names the start directory (AT_EMPTY_PATH) */
#define WALK_PARENT   0x4 /* never follow the last component, even with a trailing slash */

enum walk_last {
	LAST_NORMAL, /* an ordinary name */
	LAST_DOT,    /* "." */
	LAST_DOTDOT, /* ".." */
	LAST_ROOT,   /* the path was "/" (or "" with WALK_EMPTY_OK) */
};

struct walk {
	const struct path_start *at;
	unsigned flags;	     /* WALK_* */
	struct inode *dir;   /* directory holding the last component; NULL until reached */
	struct inode *inode; /* what the path names; NULL if only the last name is missing */
	const char *last;    /* the last component (not NUL-terminated) */
	size_t last_len;
	enum walk_last last_type;
	bool has_trailing_slash; /* the last component was followed by '/' */
	int nsymlinks;
	char *buf[2]; /* symlink expansion scratch, allocated on first use */
	int cur_buf;
};

void walk_init(struct walk *w, const struct path_start *at, unsigned flags);
/* Free the walk's scratch buffers. May be called with or without vfs_ns_lock. */
void walk_end(struct walk *w);
/*
 * Resolve path. Caller holds vfs_ns_lock. 0 with w->inode set, or a
 * negative errno. -ENOENT with w->dir set and w->inode NULL means every
 * directory exists and only the last name is missing (see walk_can_create).
 */
int walk_path(struct walk *w, const char *path);
/* True if walk_path's result r leaves a name that may be created in w->dir. */
bool walk_can_create(const struct walk *w, int r);
/*
 * Add an entry name -> child in dir, counting the link (and, for a
 * directory, its "." and the parent's ".."). -ENOENT if dir was removed.
 * Caller holds vfs_ns_lock.
 */
int ns_attach(struct inode *dir, const char *name, size_t len, struct inode *child);
/* Point dir's ".." at parent, moving the reference. Caller holds vfs_ns_lock. */
void dir_set_parent(struct inode *dir, struct inode *parent);
/* True if dir has been removed (rmdir or replaced by rename). Caller holds vfs_ns_lock. */
static inline bool dir_is_dead(const struct inode *dir)
{
	return dir->dir.is_dead;
}
