/* Linux poll(2) event bits and struct pollfd. */
#pragma once
#include <types.h>

#define POLLIN	   0x001
#define POLLPRI	   0x002
#define POLLOUT	   0x004
#define POLLERR	   0x008
#define POLLHUP	   0x010
#define POLLNVAL   0x020
#define POLLRDNORM 0x040
#define POLLRDBAND 0x080
#define POLLWRNORM 0x100
#define POLLWRBAND 0x200

struct pollfd {
	s32 fd;
	s16 events;
	s16 revents;
};
