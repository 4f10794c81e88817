/*
 * The system console (COM1). Output goes straight to the UART; input bytes
 * arrive by interrupt into a ring buffer that the tty layer drains.
 * console_lock (rank CONSOLE) guards the input ring; it is taken in the
 * receive interrupt, never held while waking sleepers.
 */
#pragma once
#include <proc/wait.h>
#include <types.h>

#define CONSOLE_INPUT_BYTES 4096 /* input ring size; bytes beyond it are dropped */

/* Enable RX interrupts into the ring. Idempotent; needs timer_init() (IOAPIC) first. */
void console_init(void);
void console_write(const char *s, size_t n);
/* Take up to n buffered input bytes without blocking; returns how many. */
size_t console_input_read(char *buf, size_t n);
/* Bytes waiting in the input ring. */
size_t console_input_avail(void);
/*
 * Let the tty see each received byte first, in interrupt context (no lock
 * held); a hook returning true consumes the byte.
 */
void console_set_rx_hook(bool (*hook)(u8 c));
/* Woken whenever input arrives. */
extern struct wait_queue console_input_wq;
