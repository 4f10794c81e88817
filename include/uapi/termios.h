/* Linux x86-64 terminal ioctls and the kernel's struct termios (TCGETS/TCSETS). */
#pragma once
#include <types.h>

#define TCGETS	   0x5401
#define TCSETS	   0x5402
#define TCSETSW	   0x5403
#define TCSETSF	   0x5404
#define TCSBRK	   0x5409
#define TCXONC	   0x540a
#define TCFLSH	   0x540b
#define TIOCSCTTY  0x540e
#define TIOCNOTTY  0x5422
#define TIOCGSID   0x5429
#define TIOCGPGRP  0x540f
#define TIOCSPGRP  0x5410
#define TIOCGWINSZ 0x5413
#define TIOCSWINSZ 0x5414
#define FIONREAD   0x541b
#define FIONBIO	   0x5421
#define FIONCLEX   0x5450
#define FIOCLEX	   0x5451

#define TCIFLUSH  0
#define TCOFLUSH  1
#define TCIOFLUSH 2

#define NCCS 19
struct termios {
	u32 c_iflag;
	u32 c_oflag;
	u32 c_cflag;
	u32 c_lflag;
	u8 c_line;
	u8 c_cc[NCCS];
};
STATIC_ASSERT(sizeof(struct termios) == 36);

struct winsize {
	u16 ws_row;
	u16 ws_col;
	u16 ws_xpixel;
	u16 ws_ypixel;
};

/* c_cc indices. */
#define VINTR	 0
#define VQUIT	 1
#define VERASE	 2
#define VKILL	 3
#define VEOF	 4
#define VTIME	 5
#define VMIN	 6
#define VSTART	 8
#define VSTOP	 9
#define VSUSP	 10
#define VEOL	 11
#define VREPRINT 12
#define VDISCARD 13
#define VWERASE	 14
#define VLNEXT	 15
#define VEOL2	 16

/* c_iflag */
#define INLCR 0000100
#define IGNCR 0000200
#define ICRNL 0000400
#define IXON  0002000
/* c_oflag */
#define OPOST 0000001
#define ONLCR 0000004
/* c_cflag */
#define B38400 0000017
#define CS8    0000060
#define CREAD  0000200
#define HUPCL  0002000
/* c_lflag */
#define ISIG	0000001
#define NOFLSH  0000200
#define ICANON	0000002
#define ECHO	0000010
#define ECHOE	0000020
#define ECHOK	0000040
#define ECHONL	0000100
#define ECHOCTL 0001000
#define TOSTOP  0000400
#define ECHOKE	0004000
#define IEXTEN	0100000
