/*
 * procfs: /proc in Linux's formats (proc(5), pagemap.rst), so a program that
 * reads /proc on Linux reads it here too, and copy-on-write can be watched
 * from user space: /proc/PID/pagemap shows which frame backs each page and
 * whether it is shared, /proc/kpagecount how many PTEs map a frame.
 *
 * The tree: a root directory with global files (meminfo, vmstat, kpagecount,
 * ...), the symlink "self", and one directory per live process, named by its
 * pid, holding its files (status, maps, pagemap, ...). procfs_init() links
 * the root into the VFS root as /proc; there is no mount table, the root is
 * simply a directory with its own inode_operations and its own st_dev.
 *
 * Inode lifetimes. Global inodes are made once and live forever. Per-process
 * inodes (the pid directory, its files, the "self" link) are made at the
 * first lookup and cached in a per-pid entry that holds one reference on
 * each; the entry goes away when the pid does (procfs_pid_free, called when
 * the task is freed after being reaped), dropping those references. An open
 * file, a cwd or a lookup in progress holds its own reference, so the inode
 * outlives the entry if it must; it then reads as a process that is gone.
 *
 * Locking: the pid cache is guarded by vfs_ns_lock (lookups and getdents run
 * under it anyway). The bitmaps of live pids and of thread-group leaders
 * are written under task_lock (the hooks run inside task.c's and fork.c's
 * critical sections; a pid's bits are cleared under vfs_ns_lock too) and
 * read with atomic loads. File contents are generated with no VFS lock
 * held, taking task_lock and then mm->lock as needed (ranks PROC < MM),
 * never across a user copy: the VFS hands us kernel buffers.
 *
 * Names in /proc cannot be created, linked, renamed or removed: its
 * directories have no such inode_operations, which the VFS refuses with
 * EPERM (EACCES for open's O_CREAT, EXDEV across filesystems).
 */
#pragma once
#include <fs/vfs.h>
#include <stdarg.h>

struct task;
struct mm;

#define PROCFS_DEV     4	   /* st_dev of every procfs inode: device 0:4 */
#define PROCFS_PID_MAX 32768	   /* pids are below this (kernel/proc/task.c's PID_MAX) */
#define PROCFS_BUF_MAX (4ul << 20) /* largest text file: kmalloc's largest block (EFBIG beyond) */

/* Boot: build the tree and link it at /proc, replacing an empty /proc. Idempotent. */
void procfs_init(void);
/*
 * A pid came into use (task_alloc) or is about to be reused (task_free).
 * Both are called with task_lock held, so a pid's free is ordered before
 * its reuse. procfs_pid_free takes vfs_ns_lock: no VFS lock may be held.
 */
void procfs_pid_alloc(int pid);
void procfs_pid_free(int pid);
/* pid joined another thread group (fork's CLONE_THREAD), under task_lock: not listed in /proc. */
void procfs_pid_thread(int pid);

/* --- internal to kernel/fs/procfs*.c -------------------------------------- */

/* A growing text buffer a file's contents are generated into (like seq_file). */
struct procfs_buf {
	char *data; /* kmalloc'd, or NULL while empty */
	size_t len, cap;
	int err; /* first error (-ENOMEM, -EFBIG); later output is dropped */
};

/* Append formatted text / raw bytes. May grow the buffer (kmalloc) under any lock below HEAP. */
void procfs_printf(struct procfs_buf *b, const char *fmt, ...) __printf(2, 3);
void procfs_write(struct procfs_buf *b, const void *p, size_t n);
/* "Label:" padded to 16 columns, the value in 8, then " kB" (meminfo, smaps, status). */
void procfs_print_kb(struct procfs_buf *b, const char *label, u64 kib);
void procfs_buf_free(struct procfs_buf *b);

/* One name in a procfs directory. */
struct procfs_entry {
	const char *name;
	u32 mode; /* S_IFREG | perms, or S_IFLNK */
	/* Text files: generate the contents, 0 or a negative errno. pid is 0 for global files. */
	int (*show)(struct procfs_buf *b, int pid);
	const struct file_operations *fops; /* binary files (pagemap, kpagecount); NULL for text */
	/*
	 * Global files a boot option turns on (profile): is it there, and with
	 * what st_size? Asked once, by procfs_init. NULL: always there, size 0.
	 */
	bool (*is_present)(u64 *size_bytes);
};

/* A procfs inode: the VFS inode plus what it shows. */
struct procfs_inode {
	struct inode vfs; /* first: inode_free() kfree()s this pointer */
	int pid;	  /* the process a per-process inode describes; 0 for global ones */
	const struct procfs_entry *entry; /* regular files: what they show */
};

static inline struct procfs_inode *procfs_i(struct inode *inode)
{
	return container_of(inode, struct procfs_inode, vfs);
}

/* Is pid in use (a live or zombie task)? Lock-free; exact under task_lock. */
bool procfs_pid_is_live(int pid);
/* Call fn on every task, under task_lock (fn may take mm->lock, nothing ranked below). */
void procfs_for_each_task(void (*fn)(struct task *t, void *arg), void *arg);
/* Tasks created since boot (the "processes" line of /proc/stat), and the last pid given out. */
u64 procfs_forks(void);
int procfs_last_pid(void);

/* Open ops shared by the text and binary files: no writers; a per-pid file needs its process. */
int procfs_file_open_check(struct inode *inode, struct file *f);
/* llseek of every procfs file: SEEK_SET and SEEK_CUR only, as Linux's seq_file. */
s64 procfs_llseek(struct file *f, s64 off, int whence);
extern const struct file_operations procfs_text_fops;

/* Text generators (procfs_meminfo.c, procfs_sys.c, procfs_pid.c, procfs_maps.c). */
int procfs_show_meminfo(struct procfs_buf *b, int pid);
int procfs_show_vmstat(struct procfs_buf *b, int pid);
int procfs_show_uptime(struct procfs_buf *b, int pid);
int procfs_show_loadavg(struct procfs_buf *b, int pid);
int procfs_show_stat(struct procfs_buf *b, int pid);
int procfs_show_version(struct procfs_buf *b, int pid);
int procfs_show_cpuinfo(struct procfs_buf *b, int pid);
int procfs_show_mounts(struct procfs_buf *b, int pid);
int procfs_show_pid_status(struct procfs_buf *b, int pid);
int procfs_show_pid_stat(struct procfs_buf *b, int pid);
int procfs_show_pid_statm(struct procfs_buf *b, int pid);
int procfs_show_pid_cmdline(struct procfs_buf *b, int pid);
int procfs_show_pid_environ(struct procfs_buf *b, int pid);
int procfs_show_pid_comm(struct procfs_buf *b, int pid);
int procfs_show_pid_maps(struct procfs_buf *b, int pid);
int procfs_show_pid_smaps(struct procfs_buf *b, int pid);
int procfs_show_pid_smaps_rollup(struct procfs_buf *b, int pid);

/* Binary files (procfs_pagemap.c). */
extern const struct file_operations procfs_pagemap_fops;
extern const struct file_operations procfs_kpagecount_fops;
extern const struct file_operations procfs_kpageflags_fops;
/* /proc/profile (procfs_profile.c): there only when booted with profile=N. */
extern const struct file_operations procfs_profile_fops;
bool procfs_profile_is_present(u64 *size_bytes);

/*
 * A reference on pid's address space, or NULL for a kernel thread or a
 * zombie; -ESRCH as an ERR_PTR if there is no such task. mm_put it.
 */
struct mm *procfs_task_mm(int pid);
/* The pagemap entries for the len/8 pages from virtual page off/8 on into buf: bytes stored. */
size_t procfs_pagemap_fill(struct mm *mm, u64 *buf, u64 off, size_t len);
/* The maps / smaps text of mm. Takes mm->lock. */
void procfs_maps_mm(struct procfs_buf *b, struct mm *mm, bool is_smaps);
/* Resident pages of mm by kind, as smaps counts them (RssAnon, RssFile, RssShmem). Takes mm->lock.
 */
void procfs_mm_rss(struct mm *mm, u64 *anon, u64 *file, u64 *shmem);
