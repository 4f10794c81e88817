/* 16550 UART: COM1 is the console, COM2 the qrun control channel. */
#pragma once
#include <types.h>

#define COM1 0x3f8
#define COM2 0x2f8

void uart_init(u16 port);
void uart_write(u16 port, const char *s, size_t n);
/* Receive interrupts for COM1 (IRQ 4): bytes go to the handler given. */
void uart_enable_rx_irq(void (*on_byte)(u8 c));
