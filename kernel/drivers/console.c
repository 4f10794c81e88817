/*
 * The console: COM1 output, and an input ring filled by the UART's receive
 * interrupt and drained by readers (the tty layer). console_lock guards the
 * ring indices. The interrupt handler adds bytes under the lock and wakes
 * console_input_wq only after dropping it: the wait-queue lock ranks below
 * CONSOLE, so waking with console_lock held would break the lock order.
 */
#include <drivers/console.h>
#include <drivers/uart.h>
#include <lib/spinlock.h>

struct wait_queue console_input_wq = WAIT_QUEUE_INIT(console_input_wq);
static struct spinlock console_lock = SPINLOCK_INIT("console", LOCK_RANK_CONSOLE);
static char input_ring[CONSOLE_INPUT_BYTES];
static u64 input_head; /* [console_lock] bytes ever added */
static u64 input_tail; /* [console_lock] bytes ever taken */

void console_write(const char *s, size_t n)
{
	uart_write(COM1, s, n);
}

static bool (*console_rx_hook)(u8 c);

void console_set_rx_hook(bool (*hook)(u8 c))
{
	WRITE_ONCE(console_rx_hook, hook);
}

/*
 * Receive interrupt, one byte: the tty may act on it at once (^C must
 * work while nobody reads); else keep it if there is room, and wake readers.
 */
static void console_rx_byte(u8 c)
{
	bool (*hook)(u8) = READ_ONCE(console_rx_hook);
	if (hook && hook(c))
		return;
	spin_lock(&console_lock);
	if (input_head - input_tail < CONSOLE_INPUT_BYTES)
		input_ring[input_head++ % CONSOLE_INPUT_BYTES] = (char)c;
	spin_unlock(&console_lock);
	wake_up(&console_input_wq);
}

size_t console_input_read(char *buf, size_t n)
{
	size_t got = 0;
	spin_lock(&console_lock);
	while (got < n && input_tail < input_head)
		buf[got++] = input_ring[input_tail++ % CONSOLE_INPUT_BYTES];
	spin_unlock(&console_lock);
	return got;
}

size_t console_input_avail(void)
{
	spin_lock(&console_lock);
	size_t n = input_head - input_tail;
	spin_unlock(&console_lock);
	return n;
}

/* Called by the boot CPU after timer_init(); a second call changes nothing. */
void console_init(void)
{
	static bool done;
	if (done)
		return;
	done = true;
	uart_enable_rx_irq(console_rx_byte);
}
