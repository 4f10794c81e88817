/* x86-64 control registers, MSRs and interrupt-flag helpers. Bit-flipping only. */
#pragma once
#include <types.h>

#define MSR_EFER         0xc0000080
#define MSR_STAR         0xc0000081
#define MSR_LSTAR        0xc0000082
#define MSR_SFMASK       0xc0000084
#define MSR_FS_BASE      0xc0000100
#define MSR_GS_BASE      0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_APIC_BASE    0x1b
#define EFER_SCE         (1u << 0)
#define EFER_LME         (1u << 8)
#define EFER_NXE         (1u << 11)
#define CR0_WP           (1ul << 16)
#define CR4_PGE          (1ul << 7)
#define CR4_OSFXSR       (1ul << 9)
#define CR4_OSXMMEXCPT   (1ul << 10)
#define CR4_FSGSBASE     (1ul << 16)
#define CR4_OSXSAVE      (1ul << 18)
#define CR4_SMEP         (1ul << 20)
#define CR4_SMAP         (1ul << 21)
#define RFLAGS_IF        (1ul << 9)
#define RFLAGS_AC        (1ul << 18)

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}
static inline void wrmsr(u32 msr, u64 v)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((u32)v), "d"((u32)(v >> 32)));
}
#define DEFINE_CR(n)                                                                               \
	static inline u64 read_cr##n(void)                                                         \
	{                                                                                          \
		u64 v;                                                                             \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));                                 \
		return v;                                                                          \
	}                                                                                          \
	static inline void write_cr##n(u64 v)                                                      \
	{                                                                                          \
		__asm__ volatile("mov %0, %%cr" #n ::"r"(v) : "memory");                          \
	}
DEFINE_CR(0)
DEFINE_CR(2)
DEFINE_CR(3)
DEFINE_CR(4)
#undef DEFINE_CR

static inline u64 read_rflags(void)
{
	u64 f;
	__asm__ volatile("pushfq; popq %0" : "=r"(f)::"memory");
	return f;
}
static inline void irq_disable(void)
{
	__asm__ volatile("cli" ::: "memory");
}
static inline void irq_enable(void)
{
	__asm__ volatile("sti" ::: "memory");
}
static inline bool irq_is_enabled(void)
{
	return read_rflags() & RFLAGS_IF;
}
static inline void cpu_halt(void)
{
	__asm__ volatile("hlt" ::: "memory");
}
static inline void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}
static inline u64 rdtsc(void)
{
	u32 lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}
static inline void cpuid(u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c, u32 *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}
/* Open/close the SMAP window around deliberate user-memory accesses. */
static inline void stac(void)
{
	__asm__ volatile("stac" ::: "memory");
}
static inline void clac(void)
{
	__asm__ volatile("clac" ::: "memory");
}
