/*
 * Kernel backtraces: walk the frame-pointer chain (the kernel is built with
 * -fno-omit-frame-pointer) and name each return address from the symbol
 * table tools/kallsyms generates at link time.
 */
#include <arch/traps.h>
#include <lib/printk.h>
#include <mm/layout.h>

struct ksym {
	u64 addr;
	const char *name;
};

/* Sorted by address; filled in by the second link pass (empty in the first). */
extern const struct ksym kallsyms[];
extern const u64 kallsyms_count;

const char *ksym_lookup(u64 addr, u64 *off)
{
	u64 lo = 0, hi = kallsyms_count;
	if (!hi || addr < kallsyms[0].addr || addr >= (u64)_text_end)
		return "?";
	while (hi - lo > 1) {
		u64 mid = (lo + hi) / 2;
		if (kallsyms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	*off = addr - kallsyms[lo].addr;
	return kallsyms[lo].name;
}

static bool backtrace_frame_ok(u64 rbp)
{
	return rbp >= DIRECT_MAP_BASE && (rbp & 7) == 0;
}

void backtrace_print(u64 rbp)
{
	printk("Backtrace:\n");
	for (int depth = 0; depth < 24 && backtrace_frame_ok(rbp); depth++) {
		u64 ret = ((u64 *)rbp)[1];
		if (ret < (u64)_text_start || ret >= (u64)_text_end)
			break;
		u64 off = 0;
		const char *name = ksym_lookup(ret, &off);
		printk("  [<%016lx>] %s+%#lx\n", ret, name, off);
		rbp = ((u64 *)rbp)[0];
	}
}
