/*
 * The virtual filesystem: inodes, open files and path operations over one
 * in-memory filesystem (ramfs) that the initramfs is unpacked into, plus
 * character devices (/dev/null, /dev/zero, /dev/console, /dev/tty).
 *
 * Object lifetimes:
 *   - struct inode is reference counted. Every directory entry naming it
 *     holds one reference, as does every open file, cwd and root; the last
 *     inode_put frees its data. nlink is what stat reports, not a lifetime.
 *   - struct file (an open file description) is reference counted. fd
 *     slots, dup()ed fds and fork()ed children share one, so they share the
 *     offset and status flags.
 *   - A directory holds a reference on its parent, so ".." keeps working
 *     (as on Linux) in a directory that has been removed while some
 *     process still has it as cwd. rmdir marks a directory dead; nothing
 *     can be created in it after that. The root is its own parent.
 *
 * Locking, lowest rank first (a CPU takes locks in increasing rank):
 *   files->lock  VFS-3  one fd table (fs/fdtable.h)
 *   fs->lock     VFS-2  one fs_struct: cwd, root, umask (fs/fs_struct.h)
 *   vfs_ns_lock  VFS    the whole namespace: directory entries, parent
 *                       links, nlink, mode, uid/gid, dead flags
 *   inode->lock  VFS+1  a file's data pages, size and timestamps
 *   file->lock   VFS+2  an open file's offset and status flags
 *   pipe->lock   VFS+3  one pipe's ring and reader/writer counts (fs/pipe.h)
 *   tty->lock    VFS+4  the console line discipline (fs/tty.h)
 *   locks_lock   VFS+5  every inode's file locks (fs/locks.h)
 * No spinlock is ever held across copy_to_user/copy_from_user: the system
 * calls move data through kernel bounce buffers. A path walk runs entirely
 * under vfs_ns_lock (everything it touches is in memory), which makes each
 * namespace operation, rename included, atomic.
 */
#pragma once
#include <fs/fdtable.h>
#include <fs/fs_struct.h>
#include <fs/page_array.h>
#include <lib/atomic.h>
#include <lib/list.h>
#include <lib/spinlock.h>
#include <types.h>
#include <uapi/poll.h>
#include <uapi/stat.h>
#include <uapi/time.h>

#define PATH_MAX	     4096 /* bytes in a path, including the NUL */
#define NAME_MAX	     255  /* bytes in one component */
#define SYMLINK_MAX	     40	  /* symlinks followed in one lookup before ELOOP */
#define RAMFS_MAX_FILE_BYTES (1ull << 40)

#define LOCK_RANK_FILES (LOCK_RANK_VFS - 3)
#define LOCK_RANK_FS	(LOCK_RANK_VFS - 2)
#define LOCK_RANK_INODE (LOCK_RANK_VFS + 1)
#define LOCK_RANK_FILE	(LOCK_RANK_VFS + 2)
#define LOCK_RANK_TTY	(LOCK_RANK_VFS + 4)

struct inode;
struct file;
struct wait_queue;
struct lock_context;

#define POLLIN	0x001
#define POLLOUT 0x004

/* What getdents64 is handed, one entry at a time, by a directory's iterate op. */
struct dir_iter {
	u64 pos; /* cookie of the next entry to produce; 0 and 1 are "." and ".." */
	/* Store one entry; false when it does not fit, so iteration stops at it. */
	bool (*emit)(struct dir_iter *it, const char *name, size_t len, u64 ino, unsigned dtype);
};

/* Filesystem hooks. Directory ops are called with vfs_ns_lock held. */
struct inode_operations {
	/* The entry called name in dir, borrowed (valid while vfs_ns_lock is held), or NULL. */
	struct inode *(*lookup)(struct inode *dir, const char *name, size_t len);
	/* Add an entry for child; it takes its own reference. -ENOMEM/-ENOSPC. */
	int (*link)(struct inode *dir, const char *name, size_t len, struct inode *child);
	/* Remove the entry called name, dropping its reference. It must exist. */
	void (*unlink)(struct inode *dir, const char *name, size_t len);
	/*
	 * Move entry oname of odir to nname in ndir, replacing (and dropping
	 * the reference of) any entry already there; with is_exchange, swap
	 * the two existing entries instead. Either all of it happens or,
	 * on -ENOSPC, nothing does.
	 */
	int (*rename)(struct inode *odir, const char *oname, size_t olen, struct inode *ndir,
		      const char *nname, size_t nlen, bool is_exchange);
	/* Emit entries from it->pos on, advancing it->pos past each one stored. */
	void (*iterate)(struct inode *dir, struct dir_iter *it);
	/* A new, unlinked inode on dir's filesystem with refcount 1, or NULL. */
	struct inode *(*create)(struct inode *dir, u32 mode, u64 rdev);
	/* Regular files: set the size, freeing or zero-extending. No locks held. */
	int (*setsize)(struct inode *inode, u64 size_bytes);
};

/* Operations on an open file. buf is always a kernel buffer. */
struct file_operations {
	/* Called once by open; f->private may be set. Optional. */
	int (*open)(struct inode *inode, struct file *f);
	ssize_t (*read)(struct file *f, void *buf, size_t len, u64 *pos);
	ssize_t (*write)(struct file *f, const void *buf, size_t len, u64 *pos);
	/* New offset or -errno. NULL means the file is not seekable (ESPIPE). */
	s64 (*llseek)(struct file *f, s64 off, int whence);
	/* arg is the raw user argument (often a user pointer). NULL: ENOTTY. */
	long (*ioctl)(struct file *f, unsigned cmd, u64 arg);
	/* The last reference is going away. Optional. */
	void (*release)(struct file *f);
	/*
	 * Readiness for poll/select: POLLIN/POLLOUT (and POLLHUP/POLLERR)
	 * bits now, and in *wq the queue that is woken when they may change;
	 * the same queue every time for a given file. NULL: always ready for
	 * both (regular files, memory devices).
	 */
	u32 (*poll)(struct file *f, struct wait_queue **wq);
	/* Reads may block and return short (ttys, pipes): do one call per read(2). */
	bool is_stream;
};

/* Directory state, for S_ISDIR inodes. All fields [vfs_ns_lock]. */
struct dir_state {
	struct list_head entries; /* ramfs entries in cookie order */
	u64 next_cookie;	  /* given to the next entry added */
	u32 nentries;
	struct inode *parent; /* reference held (not the root's on itself); kept once removed */
	bool is_dead;	      /* removed: nothing can be created in it */
};

struct inode {
	atomic_t refcount;
	u64 ino;
	u64 dev;      /* st_dev of the filesystem */
	u64 rdev;     /* device number of a character device */
	u32 mode;     /* [vfs_ns_lock] type bits never change after creation */
	u32 uid, gid; /* [vfs_ns_lock] */
	u32 nlink;    /* [vfs_ns_lock] */
	struct spinlock lock;
	u64 size_bytes;			     /* [lock] */
	struct timespec atime, mtime, ctime; /* [lock] */
	const struct inode_operations *iops;
	const struct file_operations *fops; /* given to files opened on it */
	struct lock_context *locks;	    /* [locks_lock] fcntl and flock locks, or NULL (fs/locks.h) */
	union {
		struct dir_state dir;	 /* S_ISDIR */
		struct page_array pages; /* S_ISREG: [lock] data, one struct page per 4 KiB */
		char *symlink;		 /* S_ISLNK: target, NUL-terminated, immutable */
	};
};

/* An open file description. */
struct file {
	atomic_t refcount;
	struct inode *inode; /* reference held */
	const struct file_operations *ops;
	struct spinlock lock;
	u32 flags; /* [lock] O_ACCMODE plus status flags, as F_GETFL reports them */
	u64 pos;   /* [lock] */
	void *private;
};

/* Metadata as stat(2) and statx(2) report it. */
struct kstat {
	u64 dev, ino, nlink, rdev;
	u32 mode, uid, gid, blksize;
	u64 size, blocks; /* blocks in 512-byte units */
	struct timespec atime, mtime, ctime;
};

/*
 * Where a path lookup begins: root for absolute paths and "..", dir for
 * relative ones. Both are references owned by whoever built the struct.
 */
struct path_start {
	struct inode *root;
	struct inode *dir;
};

extern struct spinlock vfs_ns_lock;

/* Boot: create the root, /dev with its device nodes, and /tmp. Idempotent. */
void vfs_init(void);
/* The filesystem root (no reference taken: it is never freed). */
struct inode *vfs_root(void);
/*
 * Unpack a cpio newc archive into the root: directories, regular files and
 * symlinks with their modes and mtimes; existing directories are updated,
 * other existing names replaced. 0, or -EINVAL/-ENOMEM (what was unpacked stays).
 */
int initramfs_unpack(const void *cpio, size_t len_bytes);
/* As initramfs_unpack, into the directory dir. */
int initramfs_unpack_at(struct inode *dir, const void *cpio, size_t len_bytes);

/* Inodes (fs/inode.c). */
struct inode *inode_get(struct inode *inode);
void inode_put(struct inode *inode);
void inode_stat(struct inode *inode, struct kstat *st);
/* Set ctime (and mtime too with is_modify) to now. Takes inode->lock. */
void inode_touch(struct inode *inode, bool is_modify);
/* 0 if exec may run this inode (regular, some x bit), else -EACCES. */
int inode_may_exec(struct inode *inode);
/* The current wall-clock time for timestamps. */
struct timespec vfs_now(void);
/* struct dirent type of a mode. */
unsigned vfs_dtype(u32 mode);

/* Open files (fs/file.c, fs/open.c). */
struct file *file_get(struct file *f);
void file_put(struct file *f);
bool file_is_readable(const struct file *f);
bool file_is_writable(const struct file *f);
/* Open path relative to at. mode is the final permission of a created file (umask applied). */
struct file *vfs_openat(const struct path_start *at, const char *path, int flags, u32 mode);
/* Open a kernel path relative to current's cwd and root (the global root if none). */
struct file *vfs_open_kernel(const char *path, int flags);
/* Open path for execve: a regular file with an exec bit, else -EACCES. Size in *len_bytes. */
struct file *vfs_open_exec(const char *path, u64 *len_bytes);
/* An open file on inode (e.g. an unlinked shmem inode), taking over the caller's reference. */
struct file *vfs_open_inode(struct inode *inode, int flags);
/* Read up to len bytes at off into a kernel buffer; stops only at EOF or error. */
ssize_t kernel_read(struct file *f, void *buf, size_t len, u64 off);
/* One read/write through the file's ops at *pos (kernel buffer), with access checks. */
ssize_t vfs_read(struct file *f, void *buf, size_t len, u64 *pos);
ssize_t vfs_write(struct file *f, const void *buf, size_t len, u64 *pos);
s64 vfs_llseek(struct file *f, s64 off, int whence);
/* Fill buf with linux_dirent64 records from *pos on; bytes stored, 0 at the end. */
ssize_t vfs_getdents(struct file *f, void *buf, size_t len, u64 *pos);
/* An open file's offset, read and written under f->lock. */
u64 file_pos_get(struct file *f);
void file_pos_set(struct file *f, u64 pos);
int vfs_ftruncate(struct file *f, s64 len_bytes);
long vfs_ioctl(struct file *f, unsigned cmd, u64 arg);
/*
 * poll(2) readiness of f as its poll op reports it (POLLIN|POLLOUT without
 * one, whatever the access mode, as on Linux); *wq is the queue to sleep on, or NULL.
 */
u32 vfs_poll(struct file *f, struct wait_queue **wq);
/* Generic llseek for files whose size is inode->size_bytes (regular, directories). */
s64 generic_llseek(struct file *f, s64 off, int whence);

/* Path operations relative to at (fs/namespace.c). flags are AT_* values. */
struct inode *vfs_lookupat(const struct path_start *at, const char *path, int flags);
int vfs_mkdirat(const struct path_start *at, const char *path, u32 mode);
int vfs_mknodat(const struct path_start *at, const char *path, u32 mode, u64 rdev);
int vfs_unlinkat(const struct path_start *at, const char *path, int flags);
int vfs_renameat(const struct path_start *old_at, const char *old_path,
		 const struct path_start *new_at, const char *new_path, unsigned flags);
int vfs_linkat(const struct path_start *old_at, const char *old_path,
	       const struct path_start *new_at, const char *new_path, int flags);
int vfs_symlinkat(const char *target, const struct path_start *at, const char *path);
ssize_t vfs_readlinkat(const struct path_start *at, const char *path, char *buf, size_t len);
int vfs_statat(const struct path_start *at, const char *path, int flags, struct kstat *st);
int vfs_chmodat(const struct path_start *at, const char *path, u32 mode, int flags);
int vfs_chmod_inode(struct inode *inode, u32 mode);
int vfs_accessat(const struct path_start *at, const char *path, int mode, int flags);
/* Change owner and group; (u32)-1 leaves one unchanged. Clears set-id bits as Linux does. */
int vfs_chown_inode(struct inode *inode, u32 uid, u32 gid);
/* Set access and modification times (NULL: leave alone); ctime becomes now. */
int vfs_utimes_inode(struct inode *inode, const struct timespec *atime,
		     const struct timespec *mtime);
int vfs_truncateat(const struct path_start *at, const char *path, s64 len_bytes);
/* The absolute path of dir (relative to root) into buf; its length with the NUL. */
ssize_t vfs_getcwd(struct inode *root, struct inode *dir, char *buf, size_t len);
