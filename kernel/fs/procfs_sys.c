/*
 * System-wide /proc files: uptime, loadavg, stat, version, cpuinfo, mounts.
 *
 * CPU time: cowix charges ticks to tasks (utime/stime) but keeps no
 * per-CPU or idle totals, so "busy" is the sum over live tasks and idle is
 * the rest of ncpus * uptime. Time of tasks already reaped is lost, so idle
 * is an upper bound. There is no load average yet: it reads 0.00.
 */
#include <arch/cpu.h>
#include <arch/percpu.h>
#include <arch/timer.h>
#include <fs/procfs.h>
#include <lib/printk.h>
#include <lib/realtime.h>
#include <lib/string.h>
#include <proc/task.h>

#define NS_PER_SEC  1000000000ul
#define NS_PER_TICK (NS_PER_SEC / HZ) /* USER_HZ is HZ (100) */

struct sys_tasks {
	u64 utime_ns, stime_ns;
	u32 nr_tasks, nr_running;
};

/* Called under task_lock for every task. */
static void sys_count_task(struct task *t, void *arg)
{
	struct sys_tasks *s = arg;
	s->utime_ns += READ_ONCE(t->utime_ns);
	s->stime_ns += READ_ONCE(t->stime_ns);
	s->nr_tasks++;
	u32 state = READ_ONCE(t->state);
	s->nr_running += !t->is_zombie && (state == TASK_RUNNING || state == TASK_RUNNABLE);
}

/* Live tasks' totals, and the idle time the CPUs are left with (ns). */
static u64 sys_tasks_idle(struct sys_tasks *s)
{
	*s = (struct sys_tasks){ 0 };
	procfs_for_each_task(sys_count_task, s);
	u64 all = (u64)ncpus * clock_ns(), busy = s->utime_ns + s->stime_ns;
	return all > busy ? all - busy : 0;
}

/* "seconds.hundredths" */
static void sys_print_secs(struct procfs_buf *b, u64 ns, char end)
{
	procfs_printf(b, "%lu.%02lu%c", ns / NS_PER_SEC, ns % NS_PER_SEC / (NS_PER_SEC / 100), end);
}

int procfs_show_uptime(struct procfs_buf *b, int pid)
{
	(void)pid;
	struct sys_tasks s;
	u64 idle = sys_tasks_idle(&s);
	sys_print_secs(b, clock_ns(), ' ');
	sys_print_secs(b, idle, '\n');
	return 0;
}

int procfs_show_loadavg(struct procfs_buf *b, int pid)
{
	(void)pid;
	struct sys_tasks s;
	sys_tasks_idle(&s);
	procfs_printf(b, "0.00 0.00 0.00 %u/%u %d\n", s.nr_running, s.nr_tasks, procfs_last_pid());
	return 0;
}

/* One cpu line: user nice system idle iowait irq softirq steal guest guest_nice, in ticks. */
static void sys_print_cpu(struct procfs_buf *b, const char *name, u64 user, u64 sys, u64 idle)
{
	procfs_printf(b, "%s %lu 0 %lu %lu 0 0 0 0 0 0\n", name, user / NS_PER_TICK,
		      sys / NS_PER_TICK, idle / NS_PER_TICK);
}

/* The per-CPU lines split the totals evenly: no per-CPU accounting exists. */
int procfs_show_stat(struct procfs_buf *b, int pid)
{
	(void)pid;
	struct sys_tasks s;
	u64 idle = sys_tasks_idle(&s), n = ncpus;
	sys_print_cpu(b, "cpu ", s.utime_ns, s.stime_ns, idle);
	for (int i = 0; i < ncpus; i++) {
		char name[8];
		snprintf(name, sizeof(name), "cpu%d", i);
		sys_print_cpu(b, name, s.utime_ns / n, s.stime_ns / n, idle / n);
	}
	u64 btime = (u64)(realtime_ns() - (s64)clock_ns()) / NS_PER_SEC;
	procfs_printf(b, "intr 0\nctxt 0\nbtime %lu\nprocesses %lu\n", btime, procfs_forks());
	procfs_printf(b, "procs_running %u\nprocs_blocked 0\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n",
		      s.nr_running);
	return 0;
}

/* The same release and version uname(2) reports (kernel/syscall/sys_info.c). */
int procfs_show_version(struct procfs_buf *b, int pid)
{
	(void)pid;
	procfs_printf(b, "Linux version 6.1.0-cowix (cowix@cowix) (gcc) #1 SMP cowix\n");
	return 0;
}

/* rootfs is the ramfs everything lives in; /proc is us. */
int procfs_show_mounts(struct procfs_buf *b, int pid)
{
	(void)pid;
	procfs_printf(b, "rootfs / ramfs rw 0 0\n");
	procfs_printf(b, "proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n");
	return 0;
}

/* A CPUID feature bit and the name Linux's cpuinfo gives it. */
struct cpu_flag {
	u8 reg; /* 0: leaf 1 edx, 1: leaf 1 ecx, 2: leaf 0x80000001 edx, 3: leaf 7 ebx */
	u8 bit;
	const char *name;
};

static const struct cpu_flag cpu_flags[] = {
	{ 0, 0, "fpu" },       { 0, 1, "vme" },	     { 0, 2, "de" },	      { 0, 3, "pse" },
	{ 0, 4, "tsc" },       { 0, 5, "msr" },	     { 0, 6, "pae" },	      { 0, 7, "mce" },
	{ 0, 8, "cx8" },       { 0, 9, "apic" },     { 0, 11, "sep" },	      { 0, 12, "mtrr" },
	{ 0, 13, "pge" },      { 0, 14, "mca" },     { 0, 15, "cmov" },	      { 0, 16, "pat" },
	{ 0, 17, "pse36" },    { 0, 19, "clflush" }, { 0, 23, "mmx" },	      { 0, 24, "fxsr" },
	{ 0, 25, "sse" },      { 0, 26, "sse2" },    { 2, 11, "syscall" },    { 2, 20, "nx" },
	{ 2, 26, "pdpe1gb" },  { 2, 27, "rdtscp" },  { 2, 29, "lm" },	      { 1, 0, "pni" },
	{ 1, 1, "pclmulqdq" }, { 1, 9, "ssse3" },    { 1, 12, "fma" },	      { 1, 13, "cx16" },
	{ 1, 19, "sse4_1" },   { 1, 20, "sse4_2" },  { 1, 21, "x2apic" },     { 1, 22, "movbe" },
	{ 1, 23, "popcnt" },   { 1, 25, "aes" },     { 1, 26, "xsave" },      { 1, 28, "avx" },
	{ 1, 29, "f16c" },     { 1, 30, "rdrand" },  { 1, 31, "hypervisor" }, { 3, 0, "fsgsbase" },
	{ 3, 3, "bmi1" },      { 3, 5, "avx2" },     { 3, 7, "smep" },	      { 3, 8, "bmi2" },
	{ 3, 9, "erms" },      { 3, 20, "smap" },
};

/* What cpuinfo shows of this CPU (every CPU is assumed alike). */
struct cpu_ident {
	char vendor[13], model_name[49];
	u32 family, model, stepping, max_leaf;
	u32 phys_bits, virt_bits; /* address sizes, 0 if the CPU does not say */
	u32 regs[4];		  /* the feature registers, indexed as cpu_flag.reg */
};

/* Family/model/stepping the way the SDM says to combine the extended fields. */
static void cpu_ident_signature(struct cpu_ident *c, u32 eax)
{
	u32 base_family = (eax >> 8) & 0xf;
	c->stepping = eax & 0xf;
	c->family = base_family + (base_family == 0xf ? (eax >> 20) & 0xff : 0);
	c->model = ((eax >> 4) & 0xf) |
		   (base_family == 6 || base_family == 0xf ? ((eax >> 16) & 0xf) << 4 : 0);
}

/* The 48-byte brand string of leaves 0x80000002-4, leading spaces dropped. */
static void cpu_ident_brand(struct cpu_ident *c)
{
	u32 max_ext, unused;
	cpuid(0x80000000, 0, &max_ext, &unused, &unused, &unused);
	u32 *w = (u32 *)c->model_name;
	memset(c->model_name, 0, sizeof(c->model_name));
	if (max_ext < 0x80000004)
		return;
	for (u32 leaf = 0; leaf < 3; leaf++)
		cpuid(0x80000002 + leaf, 0, &w[leaf * 4], &w[leaf * 4 + 1], &w[leaf * 4 + 2],
		      &w[leaf * 4 + 3]);
	size_t skip = 0;
	while (c->model_name[skip] == ' ')
		skip++;
	memmove(c->model_name, c->model_name + skip, sizeof(c->model_name) - skip);
	if (max_ext >= 0x80000008) {
		u32 sizes;
		cpuid(0x80000008, 0, &sizes, &unused, &unused, &unused);
		c->phys_bits = sizes & 0xff;
		c->virt_bits = (sizes >> 8) & 0xff;
	}
}

static void cpu_ident_read(struct cpu_ident *c)
{
	u32 a, b, cx, d, unused;
	memset(c, 0, sizeof(*c));
	cpuid(0, 0, &c->max_leaf, &b, &cx, &d);
	memcpy(c->vendor, &b, 4);
	memcpy(c->vendor + 4, &d, 4);
	memcpy(c->vendor + 8, &cx, 4);
	cpuid(1, 0, &a, &unused, &c->regs[1], &c->regs[0]);
	cpu_ident_signature(c, a);
	cpuid(0x80000001, 0, &unused, &unused, &unused, &c->regs[2]);
	if (c->max_leaf >= 7)
		cpuid(7, 0, &unused, &c->regs[3], &unused, &unused);
	cpu_ident_brand(c);
}

/* One "processor" block; ids are this CPU's index, all on one package. */
static void cpuinfo_show_cpu(struct procfs_buf *b, const struct cpu_ident *c, int i)
{
	u64 khz = tsc_hz / 1000;
	procfs_printf(b, "processor\t: %d\nvendor_id\t: %s\ncpu family\t: %u\nmodel\t\t: %u\n", i,
		      c->vendor, c->family, c->model);
	procfs_printf(b, "model name\t: %s\nstepping\t: %u\ncpu MHz\t\t: %lu.%03lu\n",
		      c->model_name, c->stepping, khz / 1000, khz % 1000);
	procfs_printf(b, "physical id\t: 0\nsiblings\t: %d\ncore id\t\t: %d\ncpu cores\t: %d\n",
		      ncpus, i, ncpus);
	procfs_printf(b, "apicid\t\t: %d\nfpu\t\t: yes\nfpu_exception\t: yes\n", i);
	procfs_printf(b, "cpuid level\t: %u\nwp\t\t: yes\nflags\t\t:", c->max_leaf);
	for (size_t f = 0; f < ARRAY_SIZE(cpu_flags); f++)
		if (c->regs[cpu_flags[f].reg] & (1u << cpu_flags[f].bit))
			procfs_printf(b, " %s", cpu_flags[f].name);
	procfs_printf(b, "\nbogomips\t: %lu.%02lu\nclflush size\t: 64\ncache_alignment\t: 64\n",
		      2 * khz / 1000, 2 * khz % 1000 / 10);
	procfs_printf(b,
		      "address sizes\t: %u bits physical, %u bits virtual\npower management:\n\n",
		      c->phys_bits, c->virt_bits);
}

int procfs_show_cpuinfo(struct procfs_buf *b, int pid)
{
	(void)pid;
	struct cpu_ident c;
	cpu_ident_read(&c);
	for (int i = 0; i < ncpus; i++)
		cpuinfo_show_cpu(b, &c, i);
	return 0;
}
