/*
 * kmain: bring the machine up in dependency order, then hand over to the
 * first user process (or the in-kernel self-tests when asked).
 */
#include <arch/bootinfo.h>
#include <arch/cpu.h>
#include <arch/percpu.h>
#include <arch/power.h>
#include <drivers/uart.h>
#include <lib/printk.h>

static void console_sink(const char *s, size_t n)
{
	uart_write(COM1, s, n);
}

void kmain(u32 start_info_pa)
{
	percpu_init(&cpus[0], 0);
	uart_init(COM1);
	uart_init(COM2);
	printk_set_sink(console_sink);
	printk("cowix: booting\n");
	bootinfo_parse(start_info_pa);
	u64 ram = 0;
	for (int i = 0; i < boot_info.nram; i++)
		ram += boot_info.ram[i].len_bytes;
	printk("cowix: %lu MiB RAM in %d ranges, initrd %lu bytes, cmdline '%s'\n", ram >> 20,
	       boot_info.nram, boot_info.initrd_len_bytes, boot_info.cmdline);
	machine_poweroff(0);
}
