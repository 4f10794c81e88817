/*
 * 16550 UART. Output is polled: waiting for the transmit register is short
 * and needs no lock or interrupt, which keeps panics simple. Concurrent
 * writers are not serialised here; printk serialises whole messages itself.
 * Input is interrupt driven: the IRQ 4 handler hands each byte to the
 * callback the console registered.
 */
#include <arch/io.h>
#include <arch/timer.h>
#include <arch/traps.h>
#include <drivers/uart.h>

#define UART_DATA	 0
#define UART_IER	 1
#define UART_FCR	 2
#define UART_LCR	 3
#define UART_MCR	 4
#define UART_LSR	 5
#define IER_RX_AVAIL	 (1 << 0)
#define FCR_FIFO_1BYTE	 0x07 /* FIFOs on and cleared, interrupt at every byte */
#define LCR_DLAB	 0x80
#define LCR_8N1		 0x03
#define MCR_DTR_RTS_OUT2 0x0b /* OUT2 gates the IRQ line on PC hardware */
#define MCR_LOOP	 0x10
#define LSR_DATA_READY	 (1 << 0)
#define LSR_THR_EMPTY	 (1 << 5)
#define COM1_IRQ	 4

static void (*uart_rx_handler)(u8 c);

/* 115200 baud 8N1, FIFOs on, interrupts off until uart_enable_rx_irq. */
void uart_init(u16 port)
{
	outb(port + UART_IER, 0x00);
	outb(port + UART_LCR, LCR_DLAB);
	outb(port + UART_DATA, 0x01); /* divisor 1: 115200 baud */
	outb(port + UART_IER, 0x00);
	outb(port + UART_LCR, LCR_8N1);
	outb(port + UART_FCR, FCR_FIFO_1BYTE);
	outb(port + UART_MCR, MCR_DTR_RTS_OUT2);
}

static void uart_putc(u16 port, char c)
{
	while (!(inb(port + UART_LSR) & LSR_THR_EMPTY))
		;
	outb(port + UART_DATA, (u8)c);
}

void uart_write(u16 port, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		uart_putc(port, s[i]);
}

void uart_write_crlf(u16 port, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			uart_putc(port, '\r');
		uart_putc(port, s[i]);
	}
}

/*
 * IRQ 4: drain the receive FIFO (the dispatcher sends the EOI). The line
 * is edge triggered and stays high while data is waiting, so a byte that
 * arrives after the last LSR read raises a fresh edge, held pending at the
 * APIC until the EOI.
 */
static void uart_irq(struct trap_frame *tf)
{
	(void)tf;
	while (inb(COM1 + UART_LSR) & LSR_DATA_READY) {
		u8 c = inb(COM1 + UART_DATA);
		if (uart_rx_handler)
			uart_rx_handler(c);
	}
}

void uart_enable_rx_irq(void (*on_byte)(u8 c))
{
	uart_rx_handler = on_byte;
	irq_register(VEC_UART, uart_irq);
	ioapic_route(COM1_IRQ, VEC_UART);
	outb(COM1 + UART_IER, IER_RX_AVAIL);
}

void uart_set_loopback(u16 port, bool on)
{
	outb(port + UART_MCR, MCR_DTR_RTS_OUT2 | (on ? MCR_LOOP : 0));
}
