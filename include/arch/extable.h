/*
 * Exception fixups: an instruction that may fault on a bad user address
 * (inside copy_from_user and friends) has an entry here; if it faults and
 * the fault cannot be resolved, the trap handler resumes at the fixup,
 * which returns -EFAULT, instead of panicking.
 *
 * Emit entries with EXTABLE (assembly) or EXTABLE_ENTRY (inline asm) from
 * arch/asm.h. The table is read-only after boot and small, so it is
 * searched linearly; any kernel exception (#PF, #GP, #DE, #UD...) whose
 * rip has an entry resumes at the fixup, as on Linux.
 */
#pragma once
#include <types.h>

struct extable_entry {
	u64 insn;
	u64 fixup;
};

/* The fixup address for a faulting kernel rip, or 0. */
u64 extable_search(u64 rip);

/*
 * Read the 8 bytes at kernel address addr without risking an oops: 0 and
 * *val on success, -EFAULT if the read faulted (unmapped, guard page,
 * non-canonical) or addr is not a kernel address. For diagnostics that
 * must survive bad pointers (backtraces, tests).
 */
int kernel_read_nofault(u64 addr, u64 *val);
