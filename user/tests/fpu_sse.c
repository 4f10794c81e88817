/*
 * Claim: a new process starts with the x87 and SSE state the x86-64 psABI
 * requires, and that state is usable and survives system calls:
 *  - x87 control word 0x037f (extended precision, all exceptions masked) and
 *    MXCSR 0x1f80, so long double keeps its 64-bit mantissa;
 *  - 16-byte aligned SSE locals work (movaps does not fault);
 *  - an XMM register and an x87 value keep their contents across getpid()
 *    and across nanosleep(), where the kernel may switch away and back.
 */
#include <stdint.h>
#include <sys/syscall.h>
#include <tap.h>
#include <time.h>
#include <unistd.h>

typedef float v4sf __attribute__((vector_size(16)));

static void check_initial_state(void)
{
	uint16_t cw = 0;
	uint32_t mxcsr = 0;
	__asm__ volatile("fnstcw %0" : "=m"(cw));
	__asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
	CHECK_EQ(cw, 0x037f, "x87 control word starts as 0x037f");
	CHECK_EQ(mxcsr, 0x1f80, "MXCSR starts as 0x1f80");
}

static void check_long_double(void)
{
	volatile long double one = 1.0L, tiny = 0x1p-63L;
	CHECK(one + tiny != one, "long double keeps a 64-bit mantissa (1 + 2^-63 != 1)");
	volatile long double third = one / 3;
	CHECK(third * 3 > 0.99999L && third * 3 < 1.00001L, "x87 division works");
}

static void check_aligned_sse(void)
{
	_Alignas(16) volatile v4sf a = { 1, 2, 3, 4 };
	v4sf b = { 10, 20, 30, 40 };
	v4sf c;
	CHECK_EQ((uintptr_t)&a % 16, 0, "a 16-byte aligned local is aligned");
	__asm__ volatile("movaps %1, %%xmm1\n\t"
			 "addps %2, %%xmm1\n\t"
			 "movaps %%xmm1, %0"
			 : "=m"(c)
			 : "m"(a), "x"(b)
			 : "xmm1");
	CHECK(c[0] == 11 && c[1] == 22 && c[2] == 33 && c[3] == 44, "movaps/addps on it compute");
}

/* Put a value in %xmm8, make syscall nr with arg, return what %xmm8 holds after. */
static uint64_t xmm8_across_syscall(uint64_t val, long nr, long arg)
{
	uint64_t out;
	__asm__ volatile("movq %[val], %%xmm8\n\t"
			 "syscall\n\t"
			 "movq %%xmm8, %[out]"
			 : [out] "=r"(out), "+a"(nr)
			 : [val] "r"(val), "D"(arg), "S"(0L)
			 : "rcx", "r11", "xmm8", "memory");
	return out;
}

/* Load a long double onto the x87 stack, make the syscall, pop it after. */
static long double x87_across_syscall(long double val, long nr, long arg)
{
	long double out;
	__asm__ volatile("fldt %[val]\n\t"
			 "syscall\n\t"
			 "fstpt %[out]"
			 : [out] "=m"(out), "+a"(nr)
			 : [val] "m"(val), "D"(arg), "S"(0L)
			 : "rcx", "r11", "memory");
	return out;
}

static void check_preserved(void)
{
	const uint64_t pattern = 0x0123456789abcdefull;
	const long double ld = 1.0L + 0x1p-60L;
	struct timespec ms = { 0, 1000000 };
	CHECK_EQ(xmm8_across_syscall(pattern, SYS_getpid, 0), pattern, "%%xmm8 survives getpid()");
	CHECK_EQ(xmm8_across_syscall(pattern, SYS_nanosleep, (long)&ms), pattern,
		 "%%xmm8 survives nanosleep(1 ms)");
	CHECK(x87_across_syscall(ld, SYS_getpid, 0) == ld, "an x87 register survives getpid()");
	CHECK(x87_across_syscall(ld, SYS_nanosleep, (long)&ms) == ld,
	      "an x87 register survives nanosleep(1 ms)");
}

int main(void)
{
	check_initial_state();
	check_long_double();
	check_aligned_sse();
	check_preserved();
	return tap_done();
}
