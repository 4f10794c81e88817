/*
 * procfs self-tests: the formats of meminfo and vmstat, pagemap and
 * kpagecount following a page through fork-style sharing and a COW copy,
 * maps/smaps of an mm built here, a pid's directory appearing and going
 * away with its task, /proc refusing changes, and no memory left behind
 * by opening and reading many files.
 *
 * The mms built here are never loaded in CR3. A "process" is a task from
 * task_alloc() that never runs, given one of these mms for the test.
 */
#include <arch/percpu.h>
#include <fs/procfs.h>
#include <lib/printk.h>
#include <lib/string.h>
#include <mm/cow.h>
#include <mm/kmalloc.h>
#include <mm/mm.h>
#include <mm/page.h>
#include <mm/vmstat.h>
#include <proc/task.h>
#include <test/ktest.h>
#include <uapi/dirent.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>

#define KT_BASE	      0x20000000ul
#define KT_P(n)	      ((u64)(n)*PAGE_SIZE)
#define KT_RW	      (PROT_READ | PROT_WRITE)
#define KT_FIXED      (MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)
#define KT_SHARED     (MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED)
#define PM_PFN_MASK   ((1ull << 55) - 1)
#define PM_EXCLUSIVE  (1ull << 56)
#define PM_FILE_SHARE (1ull << 61)
#define PM_PRESENT    (1ull << 63)
#define KT_TEXT_MAX   16384

/* Read all of the file at path into buf (NUL-terminated, up to len-1 bytes); bytes or -errno. */
static ssize_t kt_read(const char *path, char *buf, size_t len)
{
	struct file *f = vfs_open_kernel(path, O_RDONLY);
	if (IS_ERR(f))
		return PTR_ERR(f);
	ssize_t n = kernel_read(f, buf, len - 1, 0);
	file_put(f);
	buf[n > 0 ? n : 0] = 0;
	return n;
}

/* One u64 at offset off of a positional file; -errno in *err. */
static u64 kt_read_u64(const char *path, u64 off, ssize_t *err)
{
	u64 v = 0;
	struct file *f = vfs_open_kernel(path, O_RDONLY);
	*err = IS_ERR(f) ? PTR_ERR(f) : 0;
	if (IS_ERR(f))
		return 0;
	ssize_t n = vfs_read(f, &v, sizeof(v), &off);
	*err = n == sizeof(v) ? 0 : n < 0 ? n : -EIO;
	file_put(f);
	return v;
}

/* The number after "name" at the start of a line of text, or -1. */
static s64 kt_field(const char *text, const char *name)
{
	size_t len = strlen(name);
	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		if (strncmp(l, name, len) != 0)
			continue;
		const char *p = l + len;
		while (*p == ' ' || *p == '\t')
			p++;
		s64 v = 0;
		while (*p >= '0' && *p <= '9')
			v = v * 10 + (*p++ - '0');
		return v;
	}
	return -1;
}

/* Does some line of text start with prefix? */
static bool kt_has_line(const char *text, const char *prefix)
{
	return kt_field(text, prefix) != -1;
}

/* Every line is "Label:" padded to 16 columns, a number right-aligned in 8, " kB". */
static bool kt_meminfo_line_ok(const char *l, size_t len)
{
	if (len != 27 || memcmp(l + 24, " kB", 3) != 0)
		return false;
	const char *p = l;
	while (p < l + 15 && *p != ':')
		p++;
	if (*p != ':')
		return false;
	while (++p < l + 16)
		if (*p != ' ')
			return false;
	return l[23] >= '0' && l[23] <= '9';
}

KTEST(procfs_meminfo_format)
{
	procfs_init();
	char *buf = kmalloc(KT_TEXT_MAX, 0);
	KT_EXPECT(buf && kt_read("/proc/meminfo", buf, KT_TEXT_MAX) > 0);
	if (!buf)
		return;
	int lines = 0;
	for (char *l = buf, *nl; *l; l = nl + 1, lines++) {
		nl = strchr(l, '\n');
		KT_EXPECT(nl && kt_meminfo_line_ok(l, nl - l));
		if (!nl)
			break;
	}
	KT_EXPECT(lines >= 20);
	u64 total = frame_total_count() * 4, free_now = frame_free_count() * 4;
	KT_EXPECT(kt_field(buf, "MemTotal:") == (s64)total);
	s64 free_kb = kt_field(buf, "MemFree:");
	KT_EXPECT(free_kb > 0 && free_kb <= (s64)total && free_kb + 1024 >= (s64)free_now &&
		  free_kb <= (s64)free_now + 1024);
	KT_EXPECT(kt_field(buf, "MemAvailable:") >= 0 && kt_field(buf, "Cached:") >= 0);
	KT_EXPECT(kt_field(buf, "AnonPages:") >= 0 && kt_field(buf, "Slab:") > 0);
	KT_EXPECT(kt_field(buf, "PageTables:") == (s64)(pt_pages_count() * 4));
	kfree(buf);
}

KTEST(procfs_vmstat_names)
{
	procfs_init();
	char *buf = kmalloc(KT_TEXT_MAX, 0);
	KT_EXPECT(buf && kt_read("/proc/vmstat", buf, KT_TEXT_MAX) > 0);
	if (!buf)
		return;
	KT_EXPECT(strncmp(buf, "nr_free_pages ", 14) == 0);
	u64 faults = vm_event_sum(VM_PGFAULT);
	for (int e = 0; e < NR_VM_EVENTS; e++) {
		char name[64];
		snprintf(name, sizeof(name), "%s ", vm_event_name(e));
		KT_EXPECT(kt_has_line(buf, name));
	}
	s64 shown = kt_field(buf, "pgfault ");
	KT_EXPECT(shown >= 0 && (u64)shown <= vm_event_sum(VM_PGFAULT) && (u64)shown >= faults);
	kfree(buf);
}

/* The pagemap entry of va in mm. */
static u64 kt_pagemap(struct mm *mm, u64 va)
{
	u64 e = ~0ull;
	KT_EXPECT(procfs_pagemap_fill(mm, &e, va / PAGE_SIZE * 8, 8) == 8);
	return e;
}

/* /proc/kpagecount for pfn. */
static s64 kt_kpagecount(u64 pfn)
{
	ssize_t err;
	u64 v = kt_read_u64("/proc/kpagecount", pfn * 8, &err);
	return err ? err : (s64)v;
}

/* The frame number va's PTE holds in mm, or 0. */
static u64 kt_pte_pfn(struct mm *mm, u64 va)
{
	pte_t *p = pt_walk(mm->root, va, false);
	return p && mm_pte_has_frame(*p) ? pte_phys(*p) >> PAGE_SHIFT : 0;
}

/* A fresh mm with two private pages at KT_BASE, the first one written. */
static struct mm *kt_mm_one_page(void)
{
	struct mm *mm = mm_create();
	if (!mm)
		return NULL;
	if (mm_map(mm, KT_BASE, KT_P(2), KT_RW, KT_FIXED, NULL, 0) != (long)KT_BASE ||
	    mm_fault(mm, KT_BASE, PF_ERR_USER | PF_ERR_WRITE) != FAULT_HANDLED) {
		mm_put(mm);
		return NULL;
	}
	return mm;
}

KTEST(procfs_pagemap_cow)
{
	procfs_init();
	struct mm *mm = kt_mm_one_page(), *child = mm_create();
	u64 pfn = 0, e;
	KT_EXPECT(mm && child);
	if (!mm || !child)
		goto out;
	pfn = kt_pte_pfn(mm, KT_BASE);
	e = kt_pagemap(mm, KT_BASE);
	KT_EXPECT(pfn && (e & PM_PFN_MASK) == pfn && (e & PM_PRESENT) && (e & PM_EXCLUSIVE));
	KT_EXPECT(!(e & PM_FILE_SHARE));
	KT_EXPECT(kt_pagemap(mm, KT_BASE + KT_P(1)) == 0); /* mapped, never touched */
	KT_EXPECT(kt_pagemap(mm, KT_BASE + KT_P(2)) == 0); /* no mapping at all */
	KT_EXPECT(kt_kpagecount(pfn) == 1);
	/* Fork-style sharing: the same frame, in both, no longer exclusive. */
	KT_EXPECT(cow_dup_mm(mm, child) == 0);
	u64 pe = kt_pagemap(mm, KT_BASE), ce = kt_pagemap(child, KT_BASE);
	KT_EXPECT(pe == ce && (pe & PM_PFN_MASK) == pfn && !(pe & PM_EXCLUSIVE));
	KT_EXPECT(kt_kpagecount(pfn) == 2);
	/* The child writes: it gets a copy; the parent's frame is exclusive again. */
	KT_EXPECT(mm_fault(child, KT_BASE, PF_ERR_USER | PF_ERR_WRITE) == FAULT_HANDLED);
	ce = kt_pagemap(child, KT_BASE);
	pe = kt_pagemap(mm, KT_BASE);
	KT_EXPECT((ce & PM_PFN_MASK) != pfn && (ce & PM_EXCLUSIVE) && (ce & PM_PRESENT));
	KT_EXPECT((pe & PM_PFN_MASK) == pfn && (pe & PM_EXCLUSIVE));
	KT_EXPECT(kt_kpagecount(pfn) == 1 && kt_kpagecount(ce & PM_PFN_MASK) == 1);
out:
	if (mm)
		mm_put(mm);
	if (child)
		mm_put(child);
	KT_EXPECT(kt_kpagecount(pfn) == 0); /* freed */
}

/* The text of maps or smaps for mm. */
static char *kt_maps(struct mm *mm, bool is_smaps)
{
	struct procfs_buf b = { 0 };
	procfs_maps_mm(&b, mm, is_smaps);
	procfs_write(&b, "", 1);
	KT_EXPECT(b.err == 0);
	return b.data;
}

KTEST(procfs_pagemap_shared_and_bounds)
{
	procfs_init();
	struct mm *mm = mm_create();
	KT_EXPECT(mm != NULL);
	if (!mm)
		return;
	KT_EXPECT(mm_map(mm, KT_BASE, KT_P(1), KT_RW, KT_SHARED, NULL, 0) == (long)KT_BASE);
	KT_EXPECT(mm_fault(mm, KT_BASE, PF_ERR_USER | PF_ERR_WRITE) == FAULT_HANDLED);
	u64 e = kt_pagemap(mm, KT_BASE);
	KT_EXPECT((e & PM_PRESENT) && (e & PM_FILE_SHARE) && (e & PM_EXCLUSIVE));
	char *maps = kt_maps(mm, false);
	KT_EXPECT(maps && kt_has_line(maps, "20000000-20001000 rw-s 00000000 00:01 "));
	KT_EXPECT(maps && strcmp(maps + 73, "/dev/zero (deleted)\n") == 0);
	kfree(maps);
	u64 two[2];
	KT_EXPECT(procfs_pagemap_fill(mm, two, (USER_TOP / PAGE_SIZE - 1) * 8, 16) == 8);
	KT_EXPECT(procfs_pagemap_fill(mm, two, USER_TOP / PAGE_SIZE * 8, 16) == 0);
	mm_put(mm);
	ssize_t err;
	kt_read_u64("/proc/kpagecount", 4, &err);
	KT_EXPECT(err == -EINVAL); /* offsets must be 8-byte aligned */
	kt_read_u64("/proc/kpagecount", frame_max_pfn * 8, &err);
	KT_EXPECT(err == -EIO); /* past the last frame: end of file */
}

KTEST(procfs_maps_format)
{
	procfs_init();
	struct mm *mm = kt_mm_one_page();
	KT_EXPECT(mm != NULL);
	if (!mm)
		return;
	KT_EXPECT(mm_set_brk_start(mm, 0x40000000) == 0 && mm_brk(mm, 0x40002000) == 0x40002000);
	KT_EXPECT(mm_map_stack(mm, 0x7ff000000000, KT_P(4)) == 0);
	char *maps = kt_maps(mm, false);
	static const char want[] =
	    "20000000-20002000 rw-p 00000000 00:00 0 \n"
	    "40000000-40002000 rw-p 00000000 00:00 0                                  [heap]\n"
	    "7fefffffc000-7ff000000000 rw-p 00000000 00:00 0                          [stack]\n";
	KT_EXPECT(maps && strcmp(maps, want) == 0);
	if (maps && strcmp(maps, want) != 0)
		printk("# got:\n%s", maps);
	kfree(maps);
	struct mm *child = mm_create();
	KT_EXPECT(child && cow_dup_mm(mm, child) == 0);
	char *smaps = kt_maps(mm, true);
	KT_EXPECT(smaps && kt_field(smaps, "Size:") == 8 && kt_field(smaps, "Rss:") == 4);
	KT_EXPECT(smaps && kt_field(smaps, "Pss:") == 2 && kt_field(smaps, "Shared_Dirty:") == 4);
	KT_EXPECT(smaps && kt_field(smaps, "Private_Dirty:") == 0);
	KT_EXPECT(smaps && kt_field(smaps, "Anonymous:") == 4);
	KT_EXPECT(smaps && kt_has_line(smaps, "VmFlags: rd wr mr mw me ac \n"));
	kfree(smaps);
	if (child)
		mm_put(child);
	smaps = kt_maps(mm, true);
	KT_EXPECT(smaps && kt_field(smaps, "Pss:") == 4 && kt_field(smaps, "Private_Dirty:") == 4);
	kfree(smaps);
	mm_put(mm);
}

/* A never-run task standing in for a process, with mm (a reference is taken). */
static struct task *kt_task(struct mm *mm)
{
	struct task *t = task_alloc();
	if (!t)
		return NULL;
	strlcpy(t->comm, "kt_proc", sizeof(t->comm));
	if (mm) {
		mm_get(mm);
		t->mm = mm;
	}
	return t;
}

static void kt_task_free(struct task *t)
{
	struct mm *mm = t->mm;
	spin_lock(&task_lock);
	t->mm = NULL;
	spin_unlock(&task_lock);
	if (mm)
		mm_put(mm);
	task_free(t);
}

/* Is name listed in directory path? */
static bool kt_dir_has(const char *path, const char *name)
{
	struct file *f = vfs_open_kernel(path, O_RDONLY | O_DIRECTORY);
	char *buf = kmalloc(PAGE_SIZE, 0);
	bool found = false;
	u64 pos = 0;
	ssize_t n;
	if (IS_ERR(f) || !buf)
		goto out;
	while (!found && (n = vfs_getdents(f, buf, PAGE_SIZE, &pos)) > 0)
		for (ssize_t off = 0; off < n;) {
			struct linux_dirent64 *de = (struct linux_dirent64 *)(buf + off);
			found |= strcmp(de->d_name, name) == 0;
			off += de->d_reclen;
		}
out:
	if (!IS_ERR(f))
		file_put(f);
	kfree(buf);
	return found;
}

KTEST(procfs_pid_dir)
{
	procfs_init();
	char path[64], name[16], *buf = kmalloc(KT_TEXT_MAX, 0);
	struct mm *mm = kt_mm_one_page();
	struct task *t = mm ? kt_task(mm) : NULL;
	KT_EXPECT(buf && mm && t);
	if (!buf || !t)
		goto out;
	KT_EXPECT(procfs_pid_is_live(t->pid)); /* task_alloc told procfs (the task.c hook) */
	snprintf(name, sizeof(name), "%d", t->pid);
	KT_EXPECT(kt_dir_has("/proc", name) && kt_dir_has("/proc", "meminfo"));
	snprintf(path, sizeof(path), "/proc/%d", t->pid);
	KT_EXPECT(kt_dir_has(path, "pagemap") && kt_dir_has(path, "status"));
	snprintf(path, sizeof(path), "/proc/%d/status", t->pid);
	KT_EXPECT(kt_read(path, buf, KT_TEXT_MAX) > 0);
	KT_EXPECT(strncmp(buf, "Name:\tkt_proc\n", 14) == 0 && kt_field(buf, "Pid:") == t->pid);
	KT_EXPECT(kt_field(buf, "VmRSS:") == 4 && kt_field(buf, "cow_faults:") == 0);
	snprintf(path, sizeof(path), "/proc/%d/pagemap", t->pid);
	ssize_t err;
	u64 e = kt_read_u64(path, KT_BASE / PAGE_SIZE * 8, &err);
	KT_EXPECT(!err && (e & PM_PFN_MASK) == kt_pte_pfn(mm, KT_BASE) && (e & PM_EXCLUSIVE));
	snprintf(path, sizeof(path), "/proc/%d/stat", t->pid);
	KT_EXPECT(kt_read(path, buf, KT_TEXT_MAX) > 0);
	snprintf(name, sizeof(name), "%d (kt_proc) S ", t->pid);
	KT_EXPECT(strncmp(buf, name, strlen(name)) == 0);
	/* A file open across the task's end reads as a process that is gone. */
	snprintf(path, sizeof(path), "/proc/%d/status", t->pid);
	struct file *f = vfs_open_kernel(path, O_RDONLY);
	KT_EXPECT(!IS_ERR(f));
	int pid = t->pid;
	kt_task_free(t);
	KT_EXPECT(!procfs_pid_is_live(pid));
	u64 pos = 0;
	if (!IS_ERR(f)) {
		KT_EXPECT(vfs_read(f, buf, 64, &pos) == -ESRCH);
		file_put(f);
	}
	KT_EXPECT(IS_ERR(vfs_open_kernel(path, O_RDONLY)));
	snprintf(name, sizeof(name), "%d", pid);
	KT_EXPECT(!kt_dir_has("/proc", name));
out:
	if (mm)
		mm_put(mm);
	kfree(buf);
}

KTEST(procfs_self)
{
	procfs_init();
	char target[16], want[16];
	struct task *t = kt_task(NULL);
	KT_EXPECT(t != NULL);
	if (!t)
		return;
	/* Interrupts off: no tick may look at the stand-in while it is current. */
	irq_save_push();
	struct cpu *c = this_cpu();
	struct task *saved = c->cur_task;
	c->cur_task = t;
	struct path_start root = { vfs_root(), vfs_root() };
	ssize_t n = vfs_readlinkat(&root, "/proc/self", target, sizeof(target) - 1);
	struct kstat st;
	int r = vfs_statat(&root, "/proc/self/status", 0, &st);
	c->cur_task = saved;
	irq_restore_pop();
	snprintf(want, sizeof(want), "%d", t->pid);
	KT_EXPECT(n == (ssize_t)strlen(want) && memcmp(target, want, n) == 0);
	KT_EXPECT(r == 0 && S_ISREG(st.mode) && st.dev == PROCFS_DEV);
	kt_task_free(t);
}

KTEST(procfs_readonly)
{
	procfs_init();
	struct path_start root = { vfs_root(), vfs_root() };
	struct file *f = vfs_open_kernel("/proc/meminfo", O_WRONLY);
	KT_EXPECT(IS_ERR(f) && PTR_ERR(f) == -EACCES);
	f = vfs_open_kernel("/proc/newfile", O_RDWR | O_CREAT);
	KT_EXPECT(IS_ERR(f) && PTR_ERR(f) == -EACCES);
	KT_EXPECT(vfs_mkdirat(&root, "/proc/newdir", 0755) == -EPERM);
	KT_EXPECT(vfs_symlinkat("/tmp", &root, "/proc/newlink") == -EPERM);
	KT_EXPECT(vfs_truncateat(&root, "/proc/meminfo", 0) == -EACCES);
	KT_EXPECT(vfs_unlinkat(&root, "/proc/meminfo", 0) == -EPERM);
	KT_EXPECT(vfs_unlinkat(&root, "/proc", AT_REMOVEDIR) == -ENOTEMPTY);
	KT_EXPECT(vfs_linkat(&root, "/proc/meminfo", &root, "/tmp/meminfo", 0) == -EXDEV);
	KT_EXPECT(vfs_renameat(&root, "/proc/meminfo", &root, "/proc/x", 0) == -EPERM);
	KT_EXPECT(vfs_mkdirat(&root, "/tmp/kt_procfs", 0755) == 0);
	KT_EXPECT(vfs_renameat(&root, "/tmp/kt_procfs", &root, "/proc/x", 0) == -EXDEV);
	KT_EXPECT(vfs_unlinkat(&root, "/tmp/kt_procfs", AT_REMOVEDIR) == 0);
	struct kstat st;
	KT_EXPECT(vfs_statat(&root, "/proc", 0, &st) == 0 && S_ISDIR(st.mode));
	KT_EXPECT(st.dev == PROCFS_DEV && st.ino == 1);
	KT_EXPECT(vfs_statat(&root, "/proc/0", 0, &st) == -ENOENT);
	KT_EXPECT(vfs_statat(&root, "/proc/01", 0, &st) == -ENOENT);
	char cwd[32];
	struct path_start at = { vfs_root(), vfs_lookupat(&root, "/proc", 0) };
	KT_EXPECT(!IS_ERR(at.dir) && vfs_getcwd(at.root, at.dir, cwd, sizeof(cwd)) == 6);
	KT_EXPECT(strcmp(cwd, "/proc") == 0);
	if (!IS_ERR(at.dir))
		inode_put(at.dir);
}

/* Open and read a set of global and per-process files once. */
static void kt_churn(int pid)
{
	static const char *const global[] = { "meminfo", "vmstat",  "uptime",  "loadavg",
					      "stat",	 "version", "cpuinfo", "mounts" };
	static const char *const per_pid[] = { "status",  "stat",  "statm",
					       "maps",	  "smaps", "smaps_rollup",
					       "cmdline", "comm",  "environ" };
	char path[64], *buf = kmalloc(KT_TEXT_MAX, 0);
	if (!buf)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(global); i++) {
		snprintf(path, sizeof(path), "/proc/%s", global[i]);
		KT_EXPECT(kt_read(path, buf, KT_TEXT_MAX) > 0);
	}
	for (size_t i = 0; i < ARRAY_SIZE(per_pid); i++) {
		snprintf(path, sizeof(path), "/proc/%d/%s", pid, per_pid[i]);
		KT_EXPECT(kt_read(path, buf, KT_TEXT_MAX) >= 0);
	}
	KT_EXPECT(kt_dir_has("/proc", "self"));
	kfree(buf);
}

KTEST(procfs_no_leaks)
{
	procfs_init();
	struct mm *mm = kt_mm_one_page();
	struct task *t = mm ? kt_task(mm) : NULL;
	KT_EXPECT(mm && t);
	if (!t) {
		if (mm)
			mm_put(mm);
		return;
	}
	mm_put(mm);	  /* the task holds it now */
	kt_churn(t->pid); /* warm the slab caches */
	kt_task_free(t);
	kmalloc_shrink();
	u64 free0 = frame_free_count();
	for (int round = 0; round < 20; round++) {
		mm = kt_mm_one_page();
		t = mm ? kt_task(mm) : NULL;
		if (mm)
			mm_put(mm);
		KT_EXPECT(t != NULL);
		if (!t)
			break;
		kt_churn(t->pid);
		kt_task_free(t); /* the pid's cached inodes go with it */
	}
	kmalloc_shrink();
	KT_EXPECT(frame_free_count() == free0);
}
