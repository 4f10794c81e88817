/*
 * 16550 UART. Output is polled (the THR-empty wait is short and keeps panics
 * simple); input is interrupt driven: the RX interrupt hands each byte to the
 * tty layer's callback. uart_lock serialises output bytes of concurrent writers.
 */
#include <arch/io.h>
#include <drivers/uart.h>
#include <lib/spinlock.h>

#define UART_DATA 0
#define UART_IER  1
#define UART_FCR  2
#define UART_LCR  3
#define UART_MCR  4
#define UART_LSR  5
#define LSR_DATA_READY (1 << 0)
#define LSR_THR_EMPTY  (1 << 5)

void uart_init(u16 port)
{
	outb(port + UART_IER, 0x00);
	outb(port + UART_LCR, 0x80); /* DLAB: set divisor */
	outb(port + UART_DATA, 0x01); /* 115200 baud */
	outb(port + UART_IER, 0x00);
	outb(port + UART_LCR, 0x03); /* 8N1 */
	outb(port + UART_FCR, 0xc7); /* FIFO on, cleared, 14-byte threshold */
	outb(port + UART_MCR, 0x0b); /* DTR, RTS, OUT2 (IRQ gate) */
}

static void uart_putc(u16 port, char c)
{
	while (!(inb(port + UART_LSR) & LSR_THR_EMPTY))
		;
	outb(port + UART_DATA, (u8)c);
}

void uart_write(u16 port, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			uart_putc(port, '\r');
		uart_putc(port, s[i]);
	}
}

static void (*uart_rx_handler)(u8 c);

/* IRQ 4 handler: drain the receive FIFO. */
void uart_irq(void)
{
	while (inb(COM1 + UART_LSR) & LSR_DATA_READY) {
		u8 c = inb(COM1 + UART_DATA);
		if (uart_rx_handler)
			uart_rx_handler(c);
	}
}

void uart_enable_rx_irq(void (*on_byte)(u8 c))
{
	uart_rx_handler = on_byte;
	outb(COM1 + UART_IER, 0x01); /* received-data-available interrupt */
}
