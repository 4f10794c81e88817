/*
 * Exception-table lookup. Entries are emitted next to the instructions they
 * cover (EXTABLE / EXTABLE_ENTRY in arch/asm.h) and collected by the linker
 * between __ex_table_start and __ex_table_end, in link order rather than
 * address order. There are only a handful, so a linear scan is fine; the
 * table is read-only, so no lock.
 */
#include <arch/asm.h>
#include <arch/extable.h>
#include <uapi/errno.h>

#define KERNEL_HALF 0xffff800000000000ul

extern const struct extable_entry __ex_table_start[], __ex_table_end[];

u64 extable_search(u64 rip)
{
	for (const struct extable_entry *e = __ex_table_start; e < __ex_table_end; e++)
		if (e->insn == rip)
			return e->fixup;
	return 0;
}

/* The load has a fixup that sets the error and resumes after it. */
int kernel_read_nofault(u64 addr, u64 *val)
{
	int err = 0;
	u64 v = 0;
	if (addr < KERNEL_HALF)
		return -EFAULT;
	__asm__ volatile("1:	movq (%[addr]), %[v]\n"
			 "2:\n"
			 ".pushsection .text.fixup, \"ax\"\n"
			 "3:	movl %[efault], %[err]\n"
			 "	jmp 2b\n"
			 ".popsection\n" EXTABLE_ENTRY(1b, 3b)
			 : [err] "+r"(err), [v] "+r"(v)
			 : [addr] "r"(addr), [efault] "i"(-EFAULT)
			 : "memory");
	*val = v;
	return err;
}
