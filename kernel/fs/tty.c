/*
 * The console line discipline (include/fs/tty.h). /dev/console and
 * /dev/tty are both this one terminal. It can be the controlling terminal
 * of one session (TIOCSCTTY); with ISIG, ^C, ^\ and ^Z send SIGINT,
 * SIGQUIT and SIGTSTP to its foreground process group the moment they are
 * typed (tty_isig_hook, from the receive interrupt).
 */
#include <drivers/console.h>
#include <fs/tty.h>
#include <lib/string.h>
#include <mm/usercopy.h>
#include <proc/signal.h>
#include <proc/task.h>
#include <proc/wait.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>

#define CTRL(c)	   ((c)&0x1f)
#define ASCII_DEL  0x7f
#define PULL_CHUNK 64

static struct tty console_tty;
static bool console_tty_ready;
static struct spinlock console_tty_init_lock = SPINLOCK_INIT("tty_init", LOCK_RANK_TTY);

static const struct termios tty_default_termios = {
	.c_iflag = ICRNL | IXON,
	.c_oflag = OPOST | ONLCR,
	.c_cflag = B38400 | CS8 | CREAD | HUPCL,
	.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN,
	.c_cc = { [VINTR] = CTRL('c'),
		  [VQUIT] = CTRL('\\'),
		  [VERASE] = ASCII_DEL,
		  [VKILL] = CTRL('u'),
		  [VEOF] = CTRL('d'),
		  [VMIN] = 1,
		  [VSTART] = CTRL('q'),
		  [VSTOP] = CTRL('s'),
		  [VSUSP] = CTRL('z'),
		  [VREPRINT] = CTRL('r'),
		  [VDISCARD] = CTRL('o'),
		  [VWERASE] = CTRL('w'),
		  [VLNEXT] = CTRL('v') },
};

void tty_init(struct tty *tty, void (*output)(const char *s, size_t n))
{
	memset(tty, 0, sizeof(*tty));
	spin_init(&tty->lock, "tty", LOCK_RANK_TTY);
	tty->termios = tty_default_termios;
	tty->winsize = (struct winsize){ .ws_row = 24, .ws_col = 80 };
	tty->output = output;
}

/* Output processing: with OPOST|ONLCR every "\n" goes out as "\r\n". */
void tty_output(struct tty *tty, const char *s, size_t len)
{
	u32 oflag = READ_ONCE(tty->termios.c_oflag);
	bool is_onlcr = (oflag & OPOST) && (oflag & ONLCR);
	while (len) {
		size_t run = 0;
		while (run < len && !(is_onlcr && s[run] == '\n'))
			run++;
		if (run)
			tty->output(s, run);
		if (run < len) { /* a newline to expand */
			tty->output("\r\n", 2);
			run++;
		}
		s += run, len -= run;
	}
}

static bool tty_is_canonical(struct tty *tty)
{
	return tty->termios.c_lflag & ICANON;
}

/* Echo one input byte; control characters show as ^X under ECHOCTL. */
static void tty_echo(struct tty *tty, u8 c)
{
	u32 lflag = tty->termios.c_lflag;
	if (!(lflag & ECHO)) {
		if (c == '\n' && (lflag & ECHONL) && tty_is_canonical(tty))
			tty_output(tty, "\n", 1);
		return;
	}
	if ((lflag & ECHOCTL) && (c < 0x20 || c == ASCII_DEL) && c != '\n' && c != '\t') {
		char ctl[2] = { '^', c ^ 0x40 };
		tty_output(tty, ctl, 2);
		return;
	}
	tty_output(tty, (const char *)&c, 1);
}

/* Columns the echo of c took, for erasing it. */
static int tty_echo_width(struct tty *tty, u8 c)
{
	bool is_ctl = (c < 0x20 || c == ASCII_DEL) && c != '\t';
	return is_ctl && (tty->termios.c_lflag & ECHOCTL) ? 2 : 1;
}

/* Erase up to n characters of the line being edited, visually too. */
static void tty_erase(struct tty *tty, size_t n)
{
	bool is_visual = (tty->termios.c_lflag & (ECHO | ECHOE)) == (ECHO | ECHOE);
	while (n-- && tty->edit_len) {
		u8 c = tty->buf[tty->ready_len + --tty->edit_len];
		for (int i = is_visual ? tty_echo_width(tty, c) : 0; i > 0; i--)
			tty_output(tty, "\b \b", 3);
	}
}

/* Room for n more bytes in the buffer. */
static bool tty_has_room(struct tty *tty, size_t n)
{
	return tty->ready_len + tty->edit_len + n <= TTY_BUF_BYTES;
}

/* Make the edited line readable (canonical). Dropped if the line table is full. */
static void tty_end_line(struct tty *tty)
{
	if (tty->nlines == TTY_MAX_LINES)
		return;
	tty->line_len[tty->nlines++] = tty->edit_len;
	tty->ready_len += tty->edit_len;
	tty->edit_len = 0;
}

/* Is c the special character c_cc[idx]? A 0 there disables it. */
static bool tty_is_cc(struct tty *tty, u8 c, int idx)
{
	return tty->termios.c_cc[idx] && c == tty->termios.c_cc[idx];
}

/* Canonical input: editing characters act, others join the line. */
static void tty_canon_input(struct tty *tty, u8 c)
{
	if (tty_is_cc(tty, c, VERASE) || c == '\b') {
		tty_erase(tty, 1);
	} else if (tty_is_cc(tty, c, VKILL)) {
		tty_erase(tty, tty->edit_len);
	} else if (tty_is_cc(tty, c, VEOF)) {
		tty_end_line(tty);
	} else if (c == '\n' || tty_is_cc(tty, c, VEOL)) {
		if (!tty_has_room(tty, 1) || tty->nlines == TTY_MAX_LINES)
			return;
		tty->buf[tty->ready_len + tty->edit_len++] = c;
		tty_echo(tty, c);
		tty_end_line(tty);
	} else if (tty_has_room(tty, 2) && tty->nlines < TTY_MAX_LINES) {
		tty->buf[tty->ready_len + tty->edit_len++] = c;
		tty_echo(tty, c);
	}
}

/* Non-canonical input: every byte is readable at once. */
static void tty_raw_input(struct tty *tty, u8 c)
{
	if (!tty_has_room(tty, 1))
		return;
	tty->buf[tty->ready_len++] = c;
	tty_echo(tty, c);
}

void tty_input_byte(struct tty *tty, u8 c)
{
	u32 iflag = tty->termios.c_iflag;
	if (c == '\r' && (iflag & IGNCR))
		return;
	if (c == '\r' && (iflag & ICRNL))
		c = '\n';
	else if (c == '\n' && (iflag & INLCR))
		c = '\r';
	if (tty_is_canonical(tty))
		tty_canon_input(tty, c);
	else
		tty_raw_input(tty, c);
}

bool tty_is_readable(struct tty *tty)
{
	if (tty_is_canonical(tty))
		return tty->nlines > 0;
	return tty->ready_len > 0 || tty->termios.c_cc[VMIN] == 0;
}

/* Drop n bytes from the front of the buffer. */
static void tty_consume(struct tty *tty, size_t n)
{
	memmove(tty->buf, tty->buf + n, tty->ready_len + tty->edit_len - n);
	tty->ready_len -= n;
}

/* A line is used up once all its bytes are read; a VEOF mark on its own read. */
static size_t tty_take_line(struct tty *tty, char *buf, size_t len)
{
	size_t n = MIN(len, tty->line_len[0]);
	memcpy(buf, tty->buf, n);
	tty_consume(tty, n);
	tty->line_len[0] -= n;
	if (tty->line_len[0] == 0) {
		tty->nlines--;
		memmove(tty->line_len, tty->line_len + 1, tty->nlines * sizeof(tty->line_len[0]));
	}
	return n;
}

size_t tty_take(struct tty *tty, char *buf, size_t len)
{
	if (tty_is_canonical(tty))
		return tty->nlines ? tty_take_line(tty, buf, len) : 0;
	size_t n = MIN(len, tty->ready_len);
	memcpy(buf, tty->buf, n);
	tty_consume(tty, n);
	return n;
}

void tty_set_termios_locked(struct tty *tty, const struct termios *t)
{
	bool was_canonical = tty_is_canonical(tty);
	tty->termios = *t;
	if (was_canonical && !tty_is_canonical(tty)) {
		tty->ready_len += tty->edit_len; /* everything typed becomes readable */
		tty->edit_len = 0;
		tty->nlines = 0;
	} else if (!was_canonical && tty_is_canonical(tty) && tty->ready_len) {
		tty->nlines = 1; /* what was pending reads as one line */
		tty->line_len[0] = tty->ready_len;
	}
}

/* Move bytes from the console's ring into the line discipline. Caller holds tty->lock. */
static void tty_pull_input(struct tty *tty)
{
	char chunk[PULL_CHUNK];
	size_t n;
	while ((n = console_input_read(chunk, sizeof(chunk))) > 0)
		for (size_t i = 0; i < n; i++)
			tty_input_byte(tty, chunk[i]);
}

static void tty_flush_input(struct tty *tty)
{
	tty_pull_input(tty);
	tty->ready_len = tty->edit_len = 0;
	tty->nlines = 0;
}

static bool tty_isig_hook(u8 c);

/* The console's tty, set up on first use. */
static struct tty *console_tty_get(void)
{
	if (READ_ONCE(console_tty_ready))
		return &console_tty;
	spin_lock(&console_tty_init_lock);
	if (!console_tty_ready) {
		tty_init(&console_tty, console_write);
		__atomic_store_n(&console_tty_ready, true, __ATOMIC_RELEASE);
		console_set_rx_hook(tty_isig_hook);
	}
	spin_unlock(&console_tty_init_lock);
	return &console_tty;
}

/* The signal an ISIG character stands for, or 0. Caller holds tty->lock. */
static int tty_isig_signal(struct tty *tty, u8 c)
{
	if (!(tty->termios.c_lflag & ISIG))
		return 0;
	if (tty_is_cc(tty, c, VINTR))
		return SIGINT;
	if (tty_is_cc(tty, c, VQUIT))
		return SIGQUIT;
	if (tty_is_cc(tty, c, VSUSP))
		return SIGTSTP;
	return 0;
}

/*
 * Receive interrupt: an ISIG character is acted on at once, even while no
 * one reads: pending input is discarded (unless NOFLSH), it echoes as ^C,
 * and the foreground group gets the signal. The signal is sent after
 * tty->lock is dropped (task_lock ranks below it).
 */
static bool tty_isig_hook(u8 c)
{
	struct tty *tty = &console_tty;
	spin_lock(&tty->lock);
	int sig = tty_isig_signal(tty, c);
	int pgrp = tty->fg_pgrp;
	if (sig) {
		if (!(tty->termios.c_lflag & NOFLSH))
			tty_flush_input(tty);
		tty_echo(tty, c);
	}
	spin_unlock(&tty->lock);
	if (sig && pgrp > 0)
		signal_send_pgrp(pgrp, sig);
	return sig != 0;
}

/* The caller's session and process group. */
static void tty_caller_ids(int *sid, int *pgid)
{
	struct task *leader = current->group_leader;
	*sid = READ_ONCE(leader->sig.sid);
	*pgid = READ_ONCE(leader->sig.pgid);
}

/*
 * TIOCSCTTY: a session leader without a terminal makes this its
 * controlling terminal (Linux: EPERM otherwise, unless stealing as root
 * with arg 1).
 */
static long tty_ioctl_set_ctty(struct tty *tty, u64 arg)
{
	int sid, pgid;
	tty_caller_ids(&sid, &pgid);
	if (sid != current->tgid)
		return -EPERM;
	spin_lock(&tty->lock);
	long r = 0;
	if (tty->session == sid)
		r = 0;
	else if (tty->session && arg != 1)
		r = -EPERM;
	else
		tty->session = sid, tty->fg_pgrp = pgid;
	spin_unlock(&tty->lock);
	return r;
}

/* TIOCGPGRP / TIOCGSID: only for the session this is the terminal of. */
static long tty_ioctl_get_id(struct tty *tty, u64 arg, bool want_sid)
{
	int sid, pgid;
	tty_caller_ids(&sid, &pgid);
	spin_lock(&tty->lock);
	int v = want_sid ? tty->session : tty->fg_pgrp;
	bool is_ours = tty->session && tty->session == sid;
	spin_unlock(&tty->lock);
	if (!is_ours)
		return -ENOTTY;
	return copy_to_user((int __user *)arg, &v, sizeof(v)) ? -EFAULT : 0;
}

/* TIOCSPGRP: move the foreground to another group of the same session. */
static long tty_ioctl_set_pgrp(struct tty *tty, u64 arg)
{
	int sid, pgid, want;
	tty_caller_ids(&sid, &pgid);
	if (copy_from_user(&want, (const int __user *)arg, sizeof(want)))
		return -EFAULT;
	if (want < 0)
		return -EINVAL;
	spin_lock(&tty->lock);
	long r = tty->session && tty->session == sid ? 0 : -ENOTTY;
	if (!r)
		tty->fg_pgrp = want;
	spin_unlock(&tty->lock);
	return r;
}

/* TIOCNOTTY: the session leader gives up its terminal. */
static long tty_ioctl_no_ctty(struct tty *tty)
{
	int sid, pgid;
	tty_caller_ids(&sid, &pgid);
	spin_lock(&tty->lock);
	long r = tty->session && tty->session == sid ? 0 : -ENOTTY;
	if (!r && sid == current->tgid)
		tty->session = 0, tty->fg_pgrp = 0;
	spin_unlock(&tty->lock);
	return r;
}

/* wait_event condition, called with tty->lock held. */
static bool tty_input_pending(void *arg)
{
	struct tty *tty = arg;
	return tty_is_readable(tty) || console_input_avail() > 0;
}

/* Until something is readable. Caller holds tty->lock (dropped while asleep). */
static int tty_wait_readable(struct tty *tty, struct file *f)
{
	for (;;) {
		tty_pull_input(tty);
		if (tty_is_readable(tty))
			return 0;
		if (READ_ONCE(f->flags) & O_NONBLOCK)
			return -EAGAIN;
		int r = wait_event(&console_input_wq, tty_input_pending, tty, &tty->lock);
		if (r)
			return r;
	}
}

/*
 * Job control: a process in a background group of the terminal's session
 * may not read it (SIGTTIN), nor write with TOSTOP set (SIGTTOU). Its
 * whole group is stopped; if the signal is ignored or blocked, or the
 * group is orphaned, the call fails with EIO instead (for writes: goes ahead).
 */
static int tty_check_background(struct tty *tty, int sig)
{
	int sid, pgid;
	tty_caller_ids(&sid, &pgid);
	spin_lock(&tty->lock);
	bool is_background = tty->session && tty->session == sid && tty->fg_pgrp != pgid;
	spin_unlock(&tty->lock);
	if (!is_background)
		return 0;
	struct task *t = current;
	bool is_ignored = t->group_leader->sigactions[sig - 1].handler == SIG_IGN ||
			  (READ_ONCE(t->sigmask) & sig_bit(sig));
	spin_lock(&task_lock);
	bool is_orphaned = pgrp_is_orphaned_locked(pgid);
	spin_unlock(&task_lock);
	if (is_ignored || is_orphaned)
		return sig == SIGTTIN ? -EIO : 0;
	signal_send_pgrp(pgid, sig);
	return -ERESTARTSYS;
}

static ssize_t tty_read(struct file *f, void *buf, size_t len, u64 *pos)
{
	struct tty *tty = f->private;
	(void)pos;
	if (!len)
		return 0;
	int bg = tty_check_background(tty, SIGTTIN);
	if (bg)
		return bg;
	spin_lock(&tty->lock);
	ssize_t r = tty_wait_readable(tty, f);
	if (!r)
		r = tty_take(tty, buf, len);
	spin_unlock(&tty->lock);
	return r;
}

static ssize_t tty_write(struct file *f, const void *buf, size_t len, u64 *pos)
{
	(void)pos;
	struct tty *tty = f->private;
	if (READ_ONCE(tty->termios.c_lflag) & TOSTOP) {
		int bg = tty_check_background(tty, SIGTTOU);
		if (bg)
			return bg;
	}
	tty_output(f->private, buf, len);
	return len;
}

static int tty_open(struct inode *inode, struct file *f)
{
	(void)inode;
	f->private = console_tty_get();
	return 0;
}

/* TCSETS, TCSETSW (no output queue to drain) and TCSETSF (flush input too). */
static long tty_ioctl_set(struct tty *tty, u64 arg, bool is_flush)
{
	struct termios t;
	if (copy_from_user(&t, (const void __user *)arg, sizeof(t)))
		return -EFAULT;
	spin_lock(&tty->lock);
	if (is_flush)
		tty_flush_input(tty);
	tty_set_termios_locked(tty, &t);
	spin_unlock(&tty->lock);
	return 0;
}

/* Snapshot a field under the lock, then copy it out without it. */
static long tty_ioctl_get(struct tty *tty, u64 arg, const void *field, size_t len)
{
	char snap[sizeof(struct termios)];
	spin_lock(&tty->lock);
	memcpy(snap, field, len);
	spin_unlock(&tty->lock);
	return copy_to_user((void __user *)arg, snap, len) ? -EFAULT : 0;
}

static long tty_ioctl_set_winsize(struct tty *tty, u64 arg)
{
	struct winsize ws;
	if (copy_from_user(&ws, (const void __user *)arg, sizeof(ws)))
		return -EFAULT;
	spin_lock(&tty->lock);
	tty->winsize = ws;
	spin_unlock(&tty->lock);
	return 0;
}

static long tty_ioctl_fionread(struct tty *tty, u64 arg)
{
	spin_lock(&tty->lock);
	tty_pull_input(tty);
	int n = tty_is_canonical(tty) && !tty->nlines ? 0 : tty->ready_len;
	spin_unlock(&tty->lock);
	return copy_to_user((void __user *)arg, &n, sizeof(n)) ? -EFAULT : 0;
}

static long tty_ioctl_flush(struct tty *tty, u64 arg)
{
	if (arg != TCIFLUSH && arg != TCOFLUSH && arg != TCIOFLUSH)
		return -EINVAL;
	if (arg != TCOFLUSH) {
		spin_lock(&tty->lock);
		tty_flush_input(tty);
		spin_unlock(&tty->lock);
	}
	return 0;
}

static long tty_ioctl(struct file *f, unsigned cmd, u64 arg)
{
	struct tty *tty = f->private;
	switch (cmd) {
	case TCGETS:
		return tty_ioctl_get(tty, arg, &tty->termios, sizeof(tty->termios));
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		return tty_ioctl_set(tty, arg, cmd == TCSETSF);
	case TIOCGWINSZ:
		return tty_ioctl_get(tty, arg, &tty->winsize, sizeof(tty->winsize));
	case TIOCSWINSZ:
		return tty_ioctl_set_winsize(tty, arg);
	case FIONREAD:
		return tty_ioctl_fionread(tty, arg);
	case TCFLSH:
		return tty_ioctl_flush(tty, arg);
	case TIOCSCTTY:
		return tty_ioctl_set_ctty(tty, arg);
	case TIOCNOTTY:
		return tty_ioctl_no_ctty(tty);
	case TIOCGPGRP:
		return tty_ioctl_get_id(tty, arg, false);
	case TIOCGSID:
		return tty_ioctl_get_id(tty, arg, true);
	case TIOCSPGRP:
		return tty_ioctl_set_pgrp(tty, arg);
	case TCSBRK:
	case TCXONC:
		return 0; /* output is never queued, so draining and flow control are no-ops */
	default:
		return -ENOTTY;
	}
}

/* Output never blocks; input is ready when a read would not block. */
static u32 tty_poll(struct file *f, struct wait_queue **wq)
{
	struct tty *tty = f->private;
	spin_lock(&tty->lock);
	tty_pull_input(tty);
	bool is_readable = tty_is_readable(tty);
	spin_unlock(&tty->lock);
	*wq = &console_input_wq;
	return POLLOUT | (is_readable ? POLLIN : 0);
}

const struct file_operations tty_fops = {
	.poll = tty_poll,
	.open = tty_open,
	.read = tty_read,
	.write = tty_write,
	.ioctl = tty_ioctl,
	.is_stream = true,
};
