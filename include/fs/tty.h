/*
 * The console terminal: a line discipline between the console driver's
 * input ring and readers of /dev/console and /dev/tty.
 *
 * Canonical mode (ICANON) collects a line with echo, erase (VERASE or
 * backspace) and kill (VKILL) until newline or VEOF; a read returns at
 * most one line, and VEOF on an empty line reads as end of file.
 * Non-canonical mode hands bytes over as they come. ICRNL/INLCR/IGNCR
 * apply on input, OPOST|ONLCR on output and echo.
 *
 * Input is pulled from the console ring by readers (and FIONREAD), so
 * typed-ahead characters are echoed when someone next reads.
 *
 * tty->lock (rank VFS+4, below the wait-queue lock) guards everything in
 * struct tty except output, which needs no state but the flags.
 */
#pragma once
#include <fs/vfs.h>
#include <uapi/termios.h>

#define TTY_BUF_BYTES 4096
#define TTY_MAX_LINES 64

struct tty {
	struct spinlock lock;
	struct termios termios; /* [lock] */
	struct winsize winsize; /* [lock] */
	/* [lock] bytes ready to read, buf[0, ready_len), then the line being edited. */
	char buf[TTY_BUF_BYTES];
	size_t ready_len, edit_len;
	/* [lock] canonical mode: lengths of the complete lines in the ready bytes; 0 = VEOF mark */
	u16 line_len[TTY_MAX_LINES];
	int nlines;
	void (*output)(const char *s, size_t n); /* the device: echo and writes go here */
	int session;  /* [lock] session whose controlling terminal this is, 0 if none */
	int fg_pgrp;  /* [lock] foreground process group: ISIG signals go there */
};

extern const struct file_operations tty_fops;

/* Default termios (canonical, echo, CR->NL, NL->CRNL), 24x80, empty buffers. */
void tty_init(struct tty *tty, void (*output)(const char *s, size_t n));
/* Run one input byte through the line discipline. Caller holds tty->lock. */
void tty_input_byte(struct tty *tty, u8 c);
/* True if a read would not block. Caller holds tty->lock. */
bool tty_is_readable(struct tty *tty);
/* Take up to len readable bytes (at most one line in canonical mode). Caller holds tty->lock. */
size_t tty_take(struct tty *tty, char *buf, size_t len);
/* Write with output processing. */
void tty_output(struct tty *tty, const char *s, size_t len);
/* Install new settings, switching modes cleanly. Caller holds tty->lock. */
void tty_set_termios_locked(struct tty *tty, const struct termios *t);
