/* Power off and panic exit under QEMU (see include/arch/power.h). */
#include <arch/cpu.h>
#include <arch/io.h>
#include <arch/power.h>
#include <drivers/uart.h>
#include <lib/printk.h>

#define DEBUG_EXIT_PORT 0xf4    /* -device isa-debug-exit,iobase=0xf4 */
#define ACPI_PM1A_CNT   0x604   /* PIIX4/ICH9 PM1a control as SeaBIOS sets it up */
#define ACPI_SLP_S5     0x2000  /* SLP_EN with SLP_TYP 0 = soft-off on QEMU */

static __noreturn void machine_stop(void)
{
	for (;;) {
		irq_disable();
		cpu_halt();
	}
}

void machine_poweroff(int status)
{
	char msg[32];
	int n = snprintf(msg, sizeof(msg), "exit %d\n", status);
	uart_write(COM2, msg, n);
	outw(ACPI_PM1A_CNT, ACPI_SLP_S5);
	/* No ACPI: fall back to the debug-exit device (QEMU exits with 2*v+1). */
	outb(DEBUG_EXIT_PORT, 0);
	machine_stop();
}

void machine_panic_exit(void)
{
	uart_write(COM2, "panic\n", 6);
	outb(DEBUG_EXIT_PORT, 1); /* QEMU exits with status 3 */
	machine_stop();
}
