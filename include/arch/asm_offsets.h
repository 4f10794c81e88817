/*
 * Constants shared by C and assembly. The C side checks them against the
 * real struct layouts with static asserts (proc/sched.c).
 */
#pragma once
#define CPU_OFF_SYSCALL_RSP 8
#define CPU_OFF_USER_RSP    16
#define CPU_OFF_CURRENT     24
#define USER_DS_SEL    0x1b
#define USER_CS_SEL    0x23
#define SYSCALL_VECTOR 0x100 /* trap_frame.vector for system calls (not a real vector) */
#define TF_R11    (4 * 8)
#define TF_RCX    (12 * 8)
#define TF_RAX    (14 * 8)
#define TF_VECTOR (15 * 8)
#define TF_RIP    (17 * 8)
#define TF_CS     (18 * 8)
#define TF_RFLAGS (19 * 8)
#define TF_RSP    (20 * 8)
#define TF_SIZE   (22 * 8)
