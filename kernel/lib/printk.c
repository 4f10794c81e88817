/*
 * printk: formatted output to the console sink and to the kernel log ring.
 *
 * The ring keeps the last LOG_BYTES bytes ever printed; log_read() lets
 * dmesg/syslog(2) read it back by absolute byte offset. log_lock guards the
 * ring and serialises whole messages so lines from two CPUs do not interleave.
 */
#include <arch/percpu.h>
#include <lib/printk.h>
#include <lib/spinlock.h>
#include <lib/string.h>

#define LOG_BYTES (64 * 1024)

static char log_ring[LOG_BYTES];
static u64 log_head; /* bytes ever written; guarded by log_lock */
static struct spinlock log_lock = SPINLOCK_INIT("log", LOCK_RANK_LOG);
static void (*console_sink)(const char *s, size_t n);

void printk_set_sink(void (*write)(const char *s, size_t n))
{
	console_sink = write;
}

/* Emit one unsigned number into buf (reversed); returns digit count. */
static int fmt_digits(char *tmp, u64 v, unsigned base, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	int n = 0;
	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	return n;
}

struct outbuf {
	char *buf;
	size_t size, len;
};

static void out_char(struct outbuf *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void out_pad(struct outbuf *o, char c, int n)
{
	while (n-- > 0)
		out_char(o, c);
}

struct fmt_spec {
	bool left, zero, plus, space, alt;
	int width, prec;
	int lng; /* 0 int, 1 long, 2 long long, -1 short, -2 char */
};

static void out_number(struct outbuf *o, struct fmt_spec *f, u64 v, bool neg, unsigned base,
		       bool upper)
{
	char tmp[24];
	int nd = fmt_digits(tmp, v, base, upper);
	if (f->prec == 0 && v == 0)
		nd = 0;
	int zeros = f->prec > nd ? f->prec - nd : 0;
	const char *prefix = neg ? "-" : f->plus ? "+" : f->space ? " " : "";
	if (f->alt && base == 16 && v)
		prefix = upper ? "0X" : "0x";
	int plen = strlen(prefix);
	int total = plen + zeros + nd;
	if (f->zero && !f->left && f->prec < 0 && f->width > total) {
		zeros += f->width - total;
		total = f->width;
	}
	if (!f->left)
		out_pad(o, ' ', f->width - total);
	while (*prefix)
		out_char(o, *prefix++);
	out_pad(o, '0', zeros);
	while (nd)
		out_char(o, tmp[--nd]);
	if (f->left)
		out_pad(o, ' ', f->width - total);
}

static const char *parse_spec(const char *p, struct fmt_spec *f, va_list *ap)
{
	*f = (struct fmt_spec){ .prec = -1 };
	for (;; p++) {
		if (*p == '-')
			f->left = true;
		else if (*p == '0')
			f->zero = true;
		else if (*p == '+')
			f->plus = true;
		else if (*p == ' ')
			f->space = true;
		else if (*p == '#')
			f->alt = true;
		else
			break;
	}
	if (*p == '*') {
		f->width = va_arg(*ap, int);
		p++;
	}
	while (*p >= '0' && *p <= '9')
		f->width = f->width * 10 + (*p++ - '0');
	if (*p == '.') {
		p++;
		f->prec = 0;
		if (*p == '*') {
			f->prec = va_arg(*ap, int);
			p++;
		}
		while (*p >= '0' && *p <= '9')
			f->prec = f->prec * 10 + (*p++ - '0');
	}
	for (;; p++) {
		if (*p == 'l')
			f->lng++;
		else if (*p == 'h')
			f->lng--;
		else if (*p == 'z' || *p == 't' || *p == 'j')
			f->lng = 1;
		else
			break;
	}
	return p;
}

static s64 arg_signed(struct fmt_spec *f, va_list *ap)
{
	if (f->lng >= 1)
		return f->lng == 1 ? va_arg(*ap, long) : va_arg(*ap, long long);
	int v = va_arg(*ap, int);
	return f->lng == -1 ? (short)v : f->lng == -2 ? (signed char)v : v;
}

static u64 arg_unsigned(struct fmt_spec *f, va_list *ap)
{
	if (f->lng >= 1)
		return f->lng == 1 ? va_arg(*ap, unsigned long) : va_arg(*ap, unsigned long long);
	unsigned v = va_arg(*ap, unsigned);
	return f->lng == -1 ? (unsigned short)v : f->lng == -2 ? (unsigned char)v : v;
}

static void out_string(struct outbuf *o, struct fmt_spec *f, const char *s)
{
	if (!s)
		s = "(null)";
	int n = f->prec >= 0 ? (int)strnlen(s, f->prec) : (int)strlen(s);
	if (!f->left)
		out_pad(o, ' ', f->width - n);
	for (int i = 0; i < n; i++)
		out_char(o, s[i]);
	if (f->left)
		out_pad(o, ' ', f->width - n);
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap_in)
{
	struct outbuf o = { buf, size, 0 };
	va_list ap;
	va_copy(ap, ap_in);
	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			out_char(&o, *p);
			continue;
		}
		struct fmt_spec f;
		p = parse_spec(p + 1, &f, &ap);
		switch (*p) {
		case 'd':
		case 'i': {
			s64 v = arg_signed(&f, &ap);
			out_number(&o, &f, v < 0 ? -(u64)v : (u64)v, v < 0, 10, false);
			break;
		}
		case 'u':
			out_number(&o, &f, arg_unsigned(&f, &ap), false, 10, false);
			break;
		case 'x':
		case 'X':
			out_number(&o, &f, arg_unsigned(&f, &ap), false, 16, *p == 'X');
			break;
		case 'o':
			out_number(&o, &f, arg_unsigned(&f, &ap), false, 8, false);
			break;
		case 'p':
			f.alt = true;
			out_number(&o, &f, (u64)va_arg(ap, void *), false, 16, false);
			break;
		case 'c':
			out_char(&o, (char)va_arg(ap, int));
			break;
		case 's':
			out_string(&o, &f, va_arg(ap, const char *));
			break;
		case '%':
			out_char(&o, '%');
			break;
		case '\0':
			p--;
			break;
		default:
			out_char(&o, '%');
			out_char(&o, *p);
		}
	}
	va_end(ap);
	if (size)
		buf[o.len < size ? o.len : size - 1] = 0;
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/* Append to the ring. Caller holds log_lock. */
static void log_append(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		log_ring[(log_head + i) % LOG_BYTES] = s[i];
	log_head += n;
}

int printk(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	size_t len = MIN((size_t)n, sizeof(buf) - 1);
	/* After a panic starts, never wait on the lock: its holder may be the panicking CPU. */
	bool locked = this_cpu()->in_panic ? spin_trylock(&log_lock) : (spin_lock(&log_lock), true);
	log_append(buf, len);
	if (console_sink)
		console_sink(buf, len);
	if (locked)
		spin_unlock(&log_lock);
	return n;
}

size_t log_read(char *buf, size_t len, u64 *pos)
{
	spin_lock(&log_lock);
	u64 oldest = log_head > LOG_BYTES ? log_head - LOG_BYTES : 0;
	if (*pos < oldest)
		*pos = oldest;
	size_t n = 0;
	while (n < len && *pos < log_head) {
		buf[n++] = log_ring[*pos % LOG_BYTES];
		(*pos)++;
	}
	spin_unlock(&log_lock);
	return n;
}

u64 log_size(void)
{
	return READ_ONCE(log_head);
}
