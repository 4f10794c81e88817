/* uname, sysinfo, getrandom and resource limits. */
#include <arch/timer.h>
#include <lib/printk.h>
#include <lib/random.h>
#include <lib/string.h>
#include <mm/page.h>
#include <mm/usercopy.h>
#include <proc/task.h>
#include <syscall/syscall.h>
#include <uapi/errno.h>

struct utsname_abi {
	char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65];
};

static long sys_uname(struct utsname_abi __user *u)
{
	struct utsname_abi k;
	memset(&k, 0, sizeof(k));
	strlcpy(k.sysname, "Linux", sizeof(k.sysname));
	strlcpy(k.nodename, "cowix", sizeof(k.nodename));
	/* glibc and musl check the release for a minimum kernel version. */
	strlcpy(k.release, "6.1.0-cowix", sizeof(k.release));
	strlcpy(k.version, "#1 SMP cowix", sizeof(k.version));
	strlcpy(k.machine, "x86_64", sizeof(k.machine));
	strlcpy(k.domainname, "(none)", sizeof(k.domainname));
	return copy_to_user(u, &k, sizeof(k)) ? -EFAULT : 0;
}
SYSCALL_REGISTER(63, uname, sys_uname);

struct sysinfo_abi {
	s64 uptime;
	u64 loads[3];
	u64 totalram, freeram, sharedram, bufferram, totalswap, freeswap;
	u16 procs, pad;
	u64 totalhigh, freehigh;
	u32 mem_unit;
	char reserved[4];
};

static long sys_sysinfo(struct sysinfo_abi __user *u)
{
	struct sysinfo_abi k;
	memset(&k, 0, sizeof(k));
	k.uptime = clock_ns() / 1000000000ull;
	k.totalram = frame_total_count() * PAGE_SIZE;
	k.freeram = frame_free_count() * PAGE_SIZE;
	k.procs = 1;
	k.mem_unit = 1;
	return copy_to_user(u, &k, sizeof(k)) ? -EFAULT : 0;
}
SYSCALL_REGISTER(99, sysinfo, sys_sysinfo);

#define GRND_NONBLOCK 1
#define GRND_RANDOM   2
#define GRND_INSECURE 4

static long sys_getrandom(void __user *buf, size_t len, unsigned flags)
{
	u8 chunk[256];
	if (flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if (len > 33554431)
		len = 33554431; /* Linux caps one call at 32 MiB - 1 */
	for (size_t done = 0; done < len;) {
		size_t n = MIN(len - done, sizeof(chunk));
		random_bytes(chunk, n);
		if (copy_to_user((u8 __user *)buf + done, chunk, n))
			return done ? (long)done : -EFAULT;
		done += n;
	}
	return len;
}
SYSCALL_REGISTER(318, getrandom, sys_getrandom);

#define RLIM_NLIMITS  16
#define RLIM_INFINITY (~0ull)
#define RLIMIT_STACK  3
#define RLIMIT_CORE   4
#define RLIMIT_NPROC  6
#define RLIMIT_NOFILE 7

struct rlimit_abi {
	u64 cur, max;
};

/* Linux's defaults for a process started by the kernel. */
void rlimits_init(struct task *t)
{
	for (int i = 0; i < RLIM_NLIMITS; i++)
		t->rlim_cur[i] = t->rlim_max[i] = RLIM_INFINITY;
	t->rlim_cur[RLIMIT_STACK] = 8ull << 20;
	t->rlim_cur[RLIMIT_CORE] = 0;
	t->rlim_cur[RLIMIT_NOFILE] = 1024;
	t->rlim_max[RLIMIT_NOFILE] = 4096;
	t->rlim_cur[RLIMIT_NPROC] = t->rlim_max[RLIMIT_NPROC] = 32768;
}

static long do_prlimit(unsigned res, const struct rlimit_abi __user *newl,
		       struct rlimit_abi __user *oldl)
{
	struct task *t = current;
	struct rlimit_abi k, old;
	if (res >= RLIM_NLIMITS)
		return -EINVAL;
	if (newl && copy_from_user(&k, newl, sizeof(k)))
		return -EFAULT;
	if (newl && k.cur > k.max)
		return -EINVAL;
	old = (struct rlimit_abi){ t->rlim_cur[res], t->rlim_max[res] };
	if (newl) {
		t->rlim_cur[res] = k.cur;
		t->rlim_max[res] = k.max;
	}
	if (oldl && copy_to_user(oldl, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

static long sys_prlimit64(int pid, unsigned res, const struct rlimit_abi __user *newl,
			  struct rlimit_abi __user *oldl)
{
	if (pid && pid != current->tgid)
		return -ESRCH; /* other processes' limits: not yet */
	return do_prlimit(res, newl, oldl);
}
SYSCALL_REGISTER(302, prlimit64, sys_prlimit64);

static long sys_getrlimit(unsigned res, struct rlimit_abi __user *oldl)
{
	if (!oldl)
		return -EFAULT;
	return do_prlimit(res, NULL, oldl);
}
SYSCALL_REGISTER(97, getrlimit, sys_getrlimit);

static long sys_setrlimit(unsigned res, const struct rlimit_abi __user *newl)
{
	if (!newl)
		return -EFAULT;
	return do_prlimit(res, newl, NULL);
}
SYSCALL_REGISTER(160, setrlimit, sys_setrlimit);

static long sys_rseq(void)
{
	return -ENOSYS; /* glibc and musl fall back without it */
}
SYSCALL_REGISTER(334, rseq, sys_rseq);

#define SYSLOG_ACTION_CLOSE        0
#define SYSLOG_ACTION_OPEN         1
#define SYSLOG_ACTION_READ_ALL     3
#define SYSLOG_ACTION_CLEAR        5
#define SYSLOG_ACTION_CONSOLE_OFF  6
#define SYSLOG_ACTION_CONSOLE_ON   7
#define SYSLOG_ACTION_CONSOLE_LEVEL 8
#define SYSLOG_ACTION_SIZE_UNREAD  9
#define SYSLOG_ACTION_SIZE_BUFFER  10
#define SYSLOG_BUFFER_BYTES        (64 * 1024) /* the printk ring (lib/printk.c) */

/* The newest len bytes of the kernel log, for dmesg. Returns bytes copied. */
static long syslog_read_all(char __user *ubuf, long len)
{
	char chunk[256];
	u64 end = log_size();
	u64 pos = end > (u64)len ? end - len : 0;
	long done = 0;
	while (done < len) {
		size_t n = log_read(chunk, MIN(sizeof(chunk), (size_t)(len - done)), &pos);
		if (!n)
			break;
		if (copy_to_user(ubuf + done, chunk, n))
			return -EFAULT;
		done += n;
	}
	return done;
}

/* syslog(2): what dmesg needs. Reading without clearing, no console control. */
static long sys_syslog(int type, char __user *buf, int len)
{
	switch (type) {
	case SYSLOG_ACTION_CLOSE:
	case SYSLOG_ACTION_OPEN:
	case SYSLOG_ACTION_CONSOLE_OFF:
	case SYSLOG_ACTION_CONSOLE_ON:
	case SYSLOG_ACTION_CONSOLE_LEVEL:
		return 0;
	case SYSLOG_ACTION_READ_ALL:
		if (len < 0)
			return -EINVAL;
		return len ? syslog_read_all(buf, len) : 0;
	case SYSLOG_ACTION_SIZE_BUFFER:
		return SYSLOG_BUFFER_BYTES;
	case SYSLOG_ACTION_SIZE_UNREAD:
		return MIN(log_size(), SYSLOG_BUFFER_BYTES);
	case SYSLOG_ACTION_CLEAR:
		return 0; /* the ring keeps everything; dmesg -c clears nothing */
	default:
		return -EINVAL;
	}
}
SYSCALL_REGISTER(103, syslog, sys_syslog);
