/* What the boot loader (QEMU's PVH path) tells us, decoded into our own form. */
#pragma once
#include <types.h>

#define BOOT_MAX_RANGES 64

struct boot_range {
	phys_addr_t start;
	u64 len_bytes;
};

struct boot_info {
	struct boot_range ram[BOOT_MAX_RANGES]; /* usable RAM, as reported */
	int nram;
	phys_addr_t initrd_start; /* 0 when no module was given */
	u64 initrd_len_bytes;
	char cmdline[512];
};

extern struct boot_info boot_info;

/* Decode the hvm_start_info at physical address start_info_pa; panics if it is unusable. */
void bootinfo_parse(u32 start_info_pa);
