/*
 * procfs core: the /proc directory, the per-process directories and the
 * "self" link, the cache that keeps per-process inodes alive, and the
 * bitmap of live pids that decides which numeric names exist.
 *
 * Why a bitmap: a lookup runs under vfs_ns_lock (rank VFS), which ranks
 * above task_lock (PROC), so a lookup may not search the task list. The
 * bitmap is written by task.c's hooks under task_lock and read here with
 * atomic loads; a bit is cleared under vfs_ns_lock too, so no lookup can
 * cache an entry for a pid that is being freed.
 *
 * Inode numbers are a function of the name (see procfs_ino_*), so getdents
 * can report them without making the inodes, and getcwd's search by
 * inode number finds a per-process directory.
 */
#include <fs/namei.h>
#include <fs/procfs.h>
#include <fs/ramfs.h>
#include <lib/printk.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <proc/task.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>

#define PROCFS_ROOT_INO	      1
#define PROCFS_PID_INO_BASE   0x1000 /* per-process inodes: base + pid * stride + slot */
#define PROCFS_PID_INO_STRIDE 16
#define PROCFS_PID_COOKIE     1024 /* getdents cookie of pid p in /proc: this + p */
#define PROCFS_HASH_SIZE      64

static const struct procfs_entry procfs_root_entries[] = {
	{ "self", S_IFLNK | 0777, NULL, NULL, NULL },
	{ "meminfo", S_IFREG | 0444, procfs_show_meminfo, NULL, NULL },
	{ "vmstat", S_IFREG | 0444, procfs_show_vmstat, NULL, NULL },
	{ "kpagecount", S_IFREG | 0400, NULL, &procfs_kpagecount_fops, NULL },
	{ "kpageflags", S_IFREG | 0400, NULL, &procfs_kpageflags_fops, NULL },
	{ "uptime", S_IFREG | 0444, procfs_show_uptime, NULL, NULL },
	{ "loadavg", S_IFREG | 0444, procfs_show_loadavg, NULL, NULL },
	{ "stat", S_IFREG | 0444, procfs_show_stat, NULL, NULL },
	{ "version", S_IFREG | 0444, procfs_show_version, NULL, NULL },
	{ "cpuinfo", S_IFREG | 0444, procfs_show_cpuinfo, NULL, NULL },
	{ "mounts", S_IFREG | 0444, procfs_show_mounts, NULL, NULL },
	{ "profile", S_IFREG | 0644, NULL, &procfs_profile_fops, procfs_profile_is_present },
};
#define PROCFS_NROOT ARRAY_SIZE(procfs_root_entries)

static const struct procfs_entry procfs_pid_entries[] = {
	{ "cmdline", S_IFREG | 0444, procfs_show_pid_cmdline, NULL, NULL },
	{ "comm", S_IFREG | 0444, procfs_show_pid_comm, NULL, NULL },
	{ "environ", S_IFREG | 0400, procfs_show_pid_environ, NULL, NULL },
	{ "maps", S_IFREG | 0444, procfs_show_pid_maps, NULL, NULL },
	{ "pagemap", S_IFREG | 0400, NULL, &procfs_pagemap_fops, NULL },
	{ "smaps", S_IFREG | 0444, procfs_show_pid_smaps, NULL, NULL },
	{ "smaps_rollup", S_IFREG | 0444, procfs_show_pid_smaps_rollup, NULL, NULL },
	{ "stat", S_IFREG | 0444, procfs_show_pid_stat, NULL, NULL },
	{ "statm", S_IFREG | 0444, procfs_show_pid_statm, NULL, NULL },
	{ "status", S_IFREG | 0444, procfs_show_pid_status, NULL, NULL },
};
#define PROCFS_NPID ARRAY_SIZE(procfs_pid_entries)
STATIC_ASSERT(PROCFS_NPID + 1 < PROCFS_PID_INO_STRIDE);

/* The cached inodes of one live pid. All fields [vfs_ns_lock]. */
struct procfs_pid_entry {
	struct procfs_pid_entry *next; /* hash chain */
	int pid;
	struct inode *dir;		  /* /proc/PID; reference held */
	struct inode *self;		  /* "self" as this process sees it, or NULL; ref held */
	struct inode *files[PROCFS_NPID]; /* made at first lookup, or NULL; refs held */
};

static struct procfs_pid_entry *procfs_pid_hash[PROCFS_HASH_SIZE]; /* [vfs_ns_lock] */
static u64 procfs_pid_bits[PROCFS_PID_MAX / 64];      /* live pids: written under task_lock */
static u64 procfs_leader_bits[PROCFS_PID_MAX / 64];   /* ... that lead a thread group (listed) */
static u64 procfs_nr_forks;			      /* [task_lock] */
static int procfs_pid_last;			      /* [task_lock] */
static struct inode *procfs_root;		      /* set once by procfs_init, never freed */
static struct inode *procfs_root_files[PROCFS_NROOT]; /* global files (NULL: absent); never freed */

/* --- the pid bitmap and the task hooks ----------------------------------- */

/* Is pid's bit set in bits? Lock-free. */
static bool procfs_bit_test(const u64 *bits, int pid)
{
	if (pid <= 0 || pid >= PROCFS_PID_MAX)
		return false;
	return __atomic_load_n(&bits[pid / 64], __ATOMIC_ACQUIRE) & (1ull << (pid % 64));
}

static void procfs_bit_set(u64 *bits, int pid, bool is_set)
{
	u64 mask = 1ull << (pid % 64);
	if (is_set)
		__atomic_fetch_or(&bits[pid / 64], mask, __ATOMIC_RELEASE);
	else
		__atomic_fetch_and(&bits[pid / 64], ~mask, __ATOMIC_RELEASE);
}

bool procfs_pid_is_live(int pid)
{
	return procfs_bit_test(procfs_pid_bits, pid);
}

/* Caller holds task_lock: the pid was just taken from the free pool; it leads its own group. */
void procfs_pid_alloc(int pid)
{
	if (WARN_ON(pid <= 0 || pid >= PROCFS_PID_MAX))
		return;
	procfs_bit_set(procfs_pid_bits, pid, true);
	procfs_bit_set(procfs_leader_bits, pid, true);
	procfs_nr_forks++;
	procfs_pid_last = pid;
}

/* Caller holds task_lock. /proc/TID of a thread still resolves, as on Linux; it is not listed. */
void procfs_pid_thread(int pid)
{
	if (pid > 0 && pid < PROCFS_PID_MAX)
		procfs_bit_set(procfs_leader_bits, pid, false);
}

/* Free what an entry caches. No lock needed: the entry is off the hash. */
static void procfs_pid_entry_free(struct procfs_pid_entry *e)
{
	for (size_t i = 0; i < PROCFS_NPID; i++)
		if (e->files[i])
			inode_put(e->files[i]);
	if (e->self)
		inode_put(e->self);
	inode_put(e->dir);
	kfree(e);
}

/* Unhook pid's entry from the hash, or NULL. Caller holds vfs_ns_lock. */
static struct procfs_pid_entry *procfs_pid_entry_unhash(int pid)
{
	struct procfs_pid_entry **pp = &procfs_pid_hash[pid % PROCFS_HASH_SIZE];
	for (; *pp; pp = &(*pp)->next) {
		struct procfs_pid_entry *e = *pp;
		if (e->pid == pid) {
			*pp = e->next;
			return e;
		}
	}
	return NULL;
}

/*
 * Caller holds task_lock and no VFS lock. The bit is cleared and the entry
 * unhooked under vfs_ns_lock, so no lookup is using the borrowed inodes when
 * the cache drops its references; users holding their own keep them.
 */
void procfs_pid_free(int pid)
{
	if (pid <= 0 || pid >= PROCFS_PID_MAX)
		return;
	spin_lock(&vfs_ns_lock);
	procfs_bit_set(procfs_pid_bits, pid, false);
	procfs_bit_set(procfs_leader_bits, pid, false);
	struct procfs_pid_entry *e = procfs_pid_entry_unhash(pid);
	spin_unlock(&vfs_ns_lock);
	if (e)
		procfs_pid_entry_free(e);
}

u64 procfs_forks(void)
{
	return READ_ONCE(procfs_nr_forks);
}

int procfs_last_pid(void)
{
	return READ_ONCE(procfs_pid_last);
}

/* The first pid at or above pid whose bit is set in bits, or PROCFS_PID_MAX. Lock-free. */
static int procfs_pid_next(const u64 *bits, int pid)
{
	while (pid < PROCFS_PID_MAX) {
		u64 w = __atomic_load_n(&bits[pid / 64], __ATOMIC_ACQUIRE);
		w &= ~0ull << (pid % 64);
		if (w)
			return (pid & ~63) + __builtin_ctzll(w);
		pid = (pid & ~63) + 64;
	}
	return PROCFS_PID_MAX;
}

void procfs_for_each_task(void (*fn)(struct task *t, void *arg), void *arg)
{
	spin_lock(&task_lock);
	for (struct task *t = task_next_locked(NULL); t; t = task_next_locked(t))
		fn(t, arg);
	spin_unlock(&task_lock);
}

/* --- inodes --------------------------------------------------------------- */

static u64 procfs_ino_pid(int pid, unsigned slot)
{
	return PROCFS_PID_INO_BASE + (u64)pid * PROCFS_PID_INO_STRIDE + slot;
}

/*
 * Truncating a procfs file (open with O_TRUNC, truncate(2)) is refused,
 * except that a writable one ignores it as Linux does, so the shell's
 * `echo > /proc/profile` works.
 */
static int procfs_file_setsize(struct inode *inode, u64 size_bytes)
{
	(void)size_bytes;
	return (inode->mode & 0222) ? 0 : -EACCES;
}

/*
 * Directories have only lookup and iterate: the VFS refuses creating,
 * linking, renaming and removing names where those ops are missing (EPERM,
 * EACCES for open's O_CREAT, EXDEV across filesystems), as Linux does for /proc.
 */
static const struct inode_operations procfs_root_iops;
static const struct inode_operations procfs_pid_iops;
static const struct inode_operations procfs_file_iops = {
	.setsize = procfs_file_setsize,
};

/*
 * A new procfs inode, refcount 1, showing entry e (NULL for directories)
 * of process pid (0: global). Directories get their parent set by the
 * caller. NULL on OOM. May be called under vfs_ns_lock.
 */
static struct inode *procfs_inode_new(u32 mode, u64 ino, int pid, const struct procfs_entry *e)
{
	struct procfs_inode *pi = kzalloc(sizeof(*pi));
	if (!pi)
		return NULL;
	struct inode *inode = &pi->vfs;
	pi->pid = pid;
	pi->entry = e;
	atomic_set(&inode->refcount, 1);
	inode->ino = ino;
	inode->dev = PROCFS_DEV;
	inode->mode = mode;
	inode->nlink = S_ISDIR(mode) ? 2 : 1;
	spin_init(&inode->lock, "inode", LOCK_RANK_INODE);
	inode->atime = inode->mtime = inode->ctime = vfs_now();
	if (S_ISDIR(mode)) {
		list_init(&inode->dir.entries);
		inode->iops = pid ? &procfs_pid_iops : &procfs_root_iops;
		inode->fops = &ramfs_dir_fops;
	} else if (S_ISREG(mode)) {
		page_array_init(&inode->pages); /* stays empty: inode_free truncates it */
		inode->iops = &procfs_file_iops;
		inode->fops = e->fops ? e->fops : &procfs_text_fops;
	}
	return inode;
}

/* A symlink inode to target (copied), or NULL on OOM. */
static struct inode *procfs_symlink_new(u64 ino, int pid, const char *target)
{
	size_t len = strlen(target);
	char *copy = kmalloc(len + 1, 0);
	if (!copy)
		return NULL;
	memcpy(copy, target, len + 1);
	struct inode *inode = procfs_inode_new(S_IFLNK | 0777, ino, pid, NULL);
	if (!inode) {
		kfree(copy);
		return NULL;
	}
	inode->symlink = copy;
	inode->size_bytes = len;
	return inode;
}

/* --- the per-pid cache ---------------------------------------------------- */

/* pid's cached entry, or NULL. Caller holds vfs_ns_lock. */
static struct procfs_pid_entry *procfs_pid_entry_find(int pid)
{
	struct procfs_pid_entry *e = procfs_pid_hash[pid % PROCFS_HASH_SIZE];
	while (e && e->pid != pid)
		e = e->next;
	return e;
}

/*
 * pid's entry, made (with its directory) if pid is live; NULL if it is
 * not or on OOM. Caller holds vfs_ns_lock, which also orders this against
 * procfs_pid_free clearing the bit.
 */
static struct procfs_pid_entry *procfs_pid_entry_get(int pid)
{
	struct procfs_pid_entry *e = procfs_pid_entry_find(pid);
	if (e || !procfs_pid_is_live(pid))
		return e;
	if (!(e = kzalloc(sizeof(*e))))
		return NULL;
	e->pid = pid;
	e->dir = procfs_inode_new(S_IFDIR | 0555, procfs_ino_pid(pid, 0), pid, NULL);
	if (!e->dir) {
		kfree(e);
		return NULL;
	}
	e->dir->dir.parent = inode_get(procfs_root); /* for "..", dropped by inode_free */
	e->next = procfs_pid_hash[pid % PROCFS_HASH_SIZE];
	procfs_pid_hash[pid % PROCFS_HASH_SIZE] = e;
	return e;
}

/* The "self" link of the calling process, made on first use. Caller holds vfs_ns_lock. */
static struct inode *procfs_self_lookup(void)
{
	struct task *t = current;
	struct procfs_pid_entry *e = t ? procfs_pid_entry_get(t->tgid) : NULL;
	if (!e)
		return NULL;
	if (!e->self) {
		char target[16];
		snprintf(target, sizeof(target), "%d", t->tgid);
		e->self = procfs_symlink_new(PROCFS_ROOT_INO + 1, t->tgid, target);
	}
	return e->self;
}

/* "123" -> 123; 0 for anything that is not a canonical pid (no sign, no leading 0). */
static int procfs_parse_pid(const char *name, size_t len)
{
	int pid = 0;
	if (len == 0 || len > 5 || name[0] == '0')
		return 0;
	for (size_t i = 0; i < len; i++) {
		if (name[i] < '0' || name[i] > '9')
			return 0;
		pid = pid * 10 + (name[i] - '0');
	}
	return pid < PROCFS_PID_MAX ? pid : 0;
}

/* Index of name in entries[0, n), or -1. */
static int procfs_entry_index(const struct procfs_entry *entries, size_t n, const char *name,
			      size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(entries[i].name) == len && memcmp(entries[i].name, name, len) == 0)
			return (int)i;
	return -1;
}

/* --- /proc ---------------------------------------------------------------- */

/* Borrowed result, valid while the caller keeps vfs_ns_lock. */
static struct inode *procfs_root_lookup(struct inode *dir, const char *name, size_t len)
{
	(void)dir;
	int i = procfs_entry_index(procfs_root_entries, PROCFS_NROOT, name, len);
	if (i == 0)
		return procfs_self_lookup();
	if (i > 0)
		return procfs_root_files[i];
	int pid = procfs_parse_pid(name, len);
	struct procfs_pid_entry *e = pid ? procfs_pid_entry_get(pid) : NULL;
	return e ? e->dir : NULL;
}

/*
 * Global entries at cookies 2.., then thread-group leaders at
 * PROCFS_PID_COOKIE + pid. A global file without an inode is absent.
 */
static void procfs_root_iterate(struct inode *dir, struct dir_iter *it)
{
	(void)dir;
	for (u64 i = it->pos - 2; i < PROCFS_NROOT; i++) {
		const struct procfs_entry *e = &procfs_root_entries[i];
		it->pos = 2 + i;
		if (i > 0 && !procfs_root_files[i])
			continue;
		if (!it->emit(it, e->name, strlen(e->name), PROCFS_ROOT_INO + 1 + i,
			      vfs_dtype(e->mode)))
			return;
		it->pos = 3 + i;
	}
	int pid = it->pos > PROCFS_PID_COOKIE
		      ? (int)MIN(it->pos - PROCFS_PID_COOKIE, (u64)PROCFS_PID_MAX)
		      : 0;
	for (pid = procfs_pid_next(procfs_leader_bits, pid); pid < PROCFS_PID_MAX;
	     pid = procfs_pid_next(procfs_leader_bits, pid + 1)) {
		char name[16];
		int n = snprintf(name, sizeof(name), "%d", pid);
		it->pos = PROCFS_PID_COOKIE + pid;
		if (!it->emit(it, name, n, procfs_ino_pid(pid, 0), vfs_dtype(S_IFDIR)))
			return;
		it->pos = PROCFS_PID_COOKIE + pid + 1;
	}
}

static const struct inode_operations procfs_root_iops = {
	.lookup = procfs_root_lookup,
	.iterate = procfs_root_iterate,
};

/* --- /proc/PID ------------------------------------------------------------ */

/* dir's cache entry, or NULL if dir is a stale directory of a process that is gone. */
static struct procfs_pid_entry *procfs_pid_dir_entry(struct inode *dir)
{
	struct procfs_pid_entry *e = procfs_pid_entry_find(procfs_i(dir)->pid);
	return e && e->dir == dir ? e : NULL;
}

/* Borrowed result, valid while the caller keeps vfs_ns_lock. */
static struct inode *procfs_pid_lookup(struct inode *dir, const char *name, size_t len)
{
	struct procfs_pid_entry *e = procfs_pid_dir_entry(dir);
	int i = procfs_entry_index(procfs_pid_entries, PROCFS_NPID, name, len);
	if (!e || i < 0)
		return NULL;
	if (!e->files[i])
		e->files[i] =
		    procfs_inode_new(procfs_pid_entries[i].mode, procfs_ino_pid(e->pid, 1 + i),
				     e->pid, &procfs_pid_entries[i]);
	return e->files[i];
}

static void procfs_pid_iterate(struct inode *dir, struct dir_iter *it)
{
	struct procfs_pid_entry *e = procfs_pid_dir_entry(dir);
	for (u64 i = it->pos - 2; e && i < PROCFS_NPID; i++) {
		const struct procfs_entry *pe = &procfs_pid_entries[i];
		it->pos = 2 + i;
		if (!it->emit(it, pe->name, strlen(pe->name), procfs_ino_pid(e->pid, 1 + i),
			      vfs_dtype(pe->mode)))
			return;
		it->pos = 3 + i;
	}
}

static const struct inode_operations procfs_pid_iops = {
	.lookup = procfs_pid_lookup,
	.iterate = procfs_pid_iterate,
};

/*
 * Is inode still the one the cache gives for its pid? A file of a process
 * that is gone, or whose pid now belongs to another, is not. Takes vfs_ns_lock.
 */
static bool procfs_inode_is_current(struct inode *inode)
{
	int pid = procfs_i(inode)->pid;
	bool is_current = false;
	spin_lock(&vfs_ns_lock);
	struct procfs_pid_entry *e = procfs_pid_entry_find(pid);
	for (size_t i = 0; e && i < PROCFS_NPID; i++)
		is_current |= e->files[i] == inode;
	spin_unlock(&vfs_ns_lock);
	return is_current;
}

/* Called by open with no lock held. */
int procfs_file_open_check(struct inode *inode, struct file *f)
{
	if (file_is_writable(f))
		return -EACCES;
	if (procfs_i(inode)->pid && !procfs_inode_is_current(inode))
		return -ENOENT;
	return 0;
}

/* --- boot ------------------------------------------------------------------ */

/* The global files, made once; one that is_present denies gets no inode (absent). */
static void procfs_make_root_files(void)
{
	for (size_t i = 1; i < PROCFS_NROOT; i++) {
		const struct procfs_entry *e = &procfs_root_entries[i];
		u64 size_bytes = 0;
		if (e->is_present && !e->is_present(&size_bytes))
			continue;
		procfs_root_files[i] = procfs_inode_new(e->mode, PROCFS_ROOT_INO + 1 + i, 0, e);
		if (!procfs_root_files[i])
			panic("procfs: no memory for /proc/%s", e->name);
		procfs_root_files[i]->size_bytes = size_bytes;
	}
}

/* Link root at /proc, removing an empty directory there first (the initramfs has one). */
static int procfs_attach(struct inode *root)
{
	struct path_start at = { vfs_root(), vfs_root() };
	int r = vfs_unlinkat(&at, "/proc", AT_REMOVEDIR);
	if (r && r != -ENOENT)
		return r;
	struct inode *top = vfs_root();
	spin_lock(&vfs_ns_lock);
	r = top->iops->lookup(top, "proc", 4) ? -EEXIST : ns_attach(top, "proc", 4, root);
	spin_unlock(&vfs_ns_lock);
	return r;
}

void procfs_init(void)
{
	static bool is_done;
	if (__atomic_exchange_n(&is_done, true, __ATOMIC_ACQ_REL))
		return;
	procfs_root = procfs_inode_new(S_IFDIR | 0555, PROCFS_ROOT_INO, 0, NULL);
	if (!procfs_root)
		panic("procfs: no memory for /proc");
	procfs_root->nlink = 0;	       /* ns_attach counts the entry and "." */
	procfs_root->dir.nentries = 1; /* never empty: rmdir /proc fails ENOTEMPTY */
	procfs_make_root_files();
	int r = procfs_attach(procfs_root);
	if (r)
		printk("procfs: cannot link /proc: error %d\n", r);
}
