/* Fast user-space mutexes: sleeping on and waking a user address (proc/futex.c). */
#pragma once
#include <types.h>

#define FUTEX_WAIT            0
#define FUTEX_WAKE            1
#define FUTEX_REQUEUE         3
#define FUTEX_CMP_REQUEUE     4
#define FUTEX_WAKE_OP         5
#define FUTEX_WAIT_BITSET     9
#define FUTEX_WAKE_BITSET     10
#define FUTEX_PRIVATE_FLAG    128
#define FUTEX_CLOCK_REALTIME  256
#define FUTEX_BITSET_MATCH_ANY 0xffffffffu

/* Wake up to n waiters on uaddr in the current address space (thread exit). */
int futex_wake_addr(u64 uaddr, int n);
/* The futex(2) system call. */
long do_futex(u64 uaddr, int op, u32 val, u64 timeout_or_val2, u64 uaddr2, u32 val3);
