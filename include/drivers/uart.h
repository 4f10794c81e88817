/* 16550 UART: COM1 is the console, COM2 the qrun control channel. */
#pragma once
#include <types.h>

#define COM1 0x3f8
#define COM2 0x2f8

void uart_init(u16 port);
/* Polled output; "\n" goes out as "\r\n". Safe in panics and interrupt handlers. */
/* Send bytes as they are (the tty's output processing adds CR where termios says). */
void uart_write(u16 port, const char *s, size_t n);
/* Send text, turning each NL into CR NL: for kernel messages, which bypass the tty. */
void uart_write_crlf(u16 port, const char *s, size_t n);
/*
 * Receive interrupts for COM1: routes ISA IRQ 4 through the IOAPIC to
 * VEC_UART and calls on_byte (in interrupt context) for each byte received.
 */
void uart_enable_rx_irq(void (*on_byte)(u8 c));
/* Internal loopback (self-tests): bytes sent on port are received by it, not transmitted. */
void uart_set_loopback(u16 port, bool on);
