/*
 * Exception fixups: an instruction that may fault on a bad user address
 * (inside copy_from_user and friends) has an entry here; if it faults and
 * the fault cannot be resolved, the trap handler resumes at the fixup,
 * which returns -EFAULT, instead of panicking.
 */
#pragma once
#include <types.h>

struct extable_entry {
	u64 insn;
	u64 fixup;
};

/* The fixup address for a faulting kernel rip, or 0. */
u64 extable_search(u64 rip);
