/*
 * kmain: bring the machine up in dependency order, then hand over to the
 * first user process, or to the in-kernel self-tests when qrun asks for them.
 */
#include <arch/bootinfo.h>
#include <arch/cpu.h>
#include <arch/gdt.h>
#include <arch/mmu.h>
#include <arch/percpu.h>
#include <arch/power.h>
#include <arch/timer.h>
#include <drivers/console.h>
#include <drivers/uart.h>
#include <fs/procfs.h>
#include <fs/vfs.h>
#include <lib/cpio.h>
#include <lib/printk.h>
#include <lib/profile.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <mm/page.h>
#include <mm/thp.h>
#include <proc/task.h>
#include <test/ktest.h>
#include <uapi/errno.h>

#define QRUN_ARGV_PATH "etc/qrun.argv"
#define QRUN_MAX_ARGS  32

static void console_sink(const char *s, size_t n)
{
	uart_write_crlf(COM1, s, n);
}

/* The boot-time initramfs as one byte range in the direct map. */
static const void *initrd_bytes(size_t *len)
{
	*len = boot_info.initrd_len_bytes;
	return boot_info.initrd_start ? phys_to_virt(boot_info.initrd_start) : NULL;
}

/*
 * Find /etc/qrun.argv in the initramfs and split it (NUL-separated) into
 * argv. Returns argc, 0 if there is no such file, -EINVAL if the archive is bad.
 */
static int qrun_argv(char *buf, size_t buflen, char **argv)
{
	size_t len, off = 0;
	const void *cpio = initrd_bytes(&len);
	struct cpio_entry e;
	int r;
	if (!cpio)
		return -EINVAL;
	while ((r = cpio_next(cpio, len, &off, &e)) > 0) {
		const char *n = e.name;
		size_t nl = e.name_len;
		if (nl >= 2 && n[0] == '.' && n[1] == '/')
			n += 2, nl -= 2;
		if (nl != strlen(QRUN_ARGV_PATH) || memcmp(n, QRUN_ARGV_PATH, nl) || !e.len_bytes ||
		    e.len_bytes >= buflen)
			continue;
		memcpy(buf, e.data, e.len_bytes);
		buf[e.len_bytes] = 0;
		int argc = 0;
		for (size_t i = 0; i < e.len_bytes && argc < QRUN_MAX_ARGS;
		     i += strlen(buf + i) + 1)
			argv[argc++] = buf + i;
		argv[argc] = NULL;
		return argc;
	}
	return r < 0 ? r : 0;
}

static bool is_qrun_boot(void)
{
	return strcmp(boot_info.cmdline, "qrun") == 0 ||
	       strncmp(boot_info.cmdline, "qrun ", 5) == 0;
}

void syscall_init(void);
void syscall_cpu_init(void);
extern char boot_stack[], boot_stack_top[];

/* The boot context becomes CPU 0's idle task. */
static void idle_task_init(void)
{
	static struct task idle0;
	idle0.kstack = boot_stack;
	idle0.kstack_top = (u64)boot_stack_top;
	strlcpy(idle0.comm, "idle", sizeof(idle0.comm));
	sched_init_cpu(&idle0);
}

static void machine_init(u32 start_info_pa)
{
	percpu_init(&cpus[0], 0);
	uart_init(COM1);
	uart_init(COM2);
	printk_set_sink(console_sink);
	bootinfo_parse(start_info_pa);
	gdt_init_cpu(0);
	frame_init();
	mmu_init();
	frame_init_late();
	thp_init();
	kmalloc_init();
	timer_init();
	profile_init(); /* samples from here on; /proc/profile appears with procfs_init */
	console_init();
	syscall_init();
	syscall_cpu_init();
	task_fpu_init_default();
	idle_task_init();
	irq_enable();
	printk("cowix: %lu MiB free, initramfs %lu KiB, clock %lu MHz\n", frame_free_count() >> 8,
	       boot_info.initrd_len_bytes >> 10, tsc_hz / 1000000);
}

void kmain(u32 start_info_pa)
{
	static char argbuf[4096];
	char *argv[QRUN_MAX_ARGS + 1];
	machine_init(start_info_pa);
	if (!boot_info.initrd_start)
		panic("no initramfs: boot with -initrd (tools/qrun does this)");
	int r, argc = qrun_argv(argbuf, sizeof(argbuf), argv);
	if (argc < 0)
		panic("initramfs is not a valid cpio newc archive");
	if (is_qrun_boot() && argc == 0)
		panic("qrun boot without /etc/qrun.argv in the initramfs");
	vfs_init();
	size_t len;
	const void *cpio = initrd_bytes(&len);
	if ((r = initramfs_unpack(cpio, len)) < 0)
		panic("cannot unpack the initramfs: error %d", r);
	frame_release_range(boot_info.initrd_start, boot_info.initrd_len_bytes);
	procfs_init(); /* replaces the initramfs's empty /proc */
	if (argc > 0 && strcmp(argv[0], "ktest") == 0)
		machine_poweroff(ktest_run_all(argc > 1 ? argv[1] : NULL) ? 1 : 0);
	static char *const init_argv[] = { "/sbin/init", NULL };
	static char *const init_envp[] = { "HOME=/", "TERM=linux", "PATH=/bin:/sbin:/usr/bin",
					   NULL };
	task_start_init("/sbin/init", init_argv, init_envp);
	sched_idle_loop();
}
