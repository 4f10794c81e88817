/* Kernel random bytes: RDRAND when the CPU has it, mixed with the TSC, through a xorshift. */
#pragma once
#include <types.h>

void random_bytes(void *buf, size_t len_bytes);
