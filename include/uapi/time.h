/* Linux x86-64 time structures as system calls exchange them. */
#pragma once
#include <types.h>

struct timespec {
	s64 tv_sec;
	s64 tv_nsec;
};
