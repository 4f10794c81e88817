/*
 * The system console (COM1). Output goes straight to the UART; input bytes
 * arrive by interrupt into a ring buffer that the tty layer drains.
 * console_lock (rank CONSOLE) guards the input ring.
 */
#pragma once
#include <proc/wait.h>
#include <types.h>

void console_init(void);          /* enable RX interrupts into the ring */
void console_write(const char *s, size_t n);
/* Take up to n buffered input bytes without blocking; returns how many. */
size_t console_input_read(char *buf, size_t n);
/* Bytes waiting in the input ring. */
size_t console_input_avail(void);
/* Woken whenever input arrives. */
extern struct wait_queue console_input_wq;
