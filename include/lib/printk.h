/*
 * Kernel console output. Everything printed also lands in the kernel log ring
 * (log_read() drains it for dmesg / syslog(2)).
 */
#pragma once
#include <stdarg.h>
#include <types.h>

int printk(const char *fmt, ...) __printf(1, 2);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);
/* Copy up to len bytes of the log starting at byte offset *pos; returns bytes copied. */
size_t log_read(char *buf, size_t len, u64 *pos);
/* Bytes ever written to the log (monotonic). */
u64 log_size(void);

/* Where printk output goes besides the ring; set by the console driver. */
void printk_set_sink(void (*write)(const char *s, size_t n));

__noreturn void panic(const char *fmt, ...) __printf(1, 2);
#define BUG_ON(c)                                                                                  \
	do {                                                                                       \
		if (unlikely(c))                                                                   \
			panic("BUG_ON(%s) at %s:%d", #c, __FILE__, __LINE__);                     \
	} while (0)
#define WARN_ON(c)                                                                                 \
	({                                                                                         \
		bool __w = !!(c);                                                                  \
		if (unlikely(__w))                                                                 \
			printk("WARNING: %s at %s:%d\n", #c, __FILE__, __LINE__);                 \
		__w;                                                                               \
	})
