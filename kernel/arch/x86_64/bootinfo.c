/*
 * Decode the PVH hvm_start_info QEMU hands us (layout from Xen's public
 * arch-x86/hvm/start_info.h): the memory map, the initramfs module and the
 * command line. Early boot maps the first 1 GiB at the direct-map base,
 * which is where QEMU puts all of these.
 */
#include <arch/bootinfo.h>
#include <lib/printk.h>
#include <lib/string.h>
#include <mm/layout.h>

#define HVM_START_MAGIC 0x336ec578
#define E820_RAM        1

struct hvm_start_info {
	u32 magic;
	u32 version;
	u32 flags;
	u32 nr_modules;
	u64 modlist_paddr;
	u64 cmdline_paddr;
	u64 rsdp_paddr;
	u64 memmap_paddr;
	u32 memmap_entries;
	u32 reserved;
};

struct hvm_modlist_entry {
	u64 paddr;
	u64 size;
	u64 cmdline_paddr;
	u64 reserved;
};

struct hvm_memmap_entry {
	u64 addr;
	u64 size;
	u32 type;
	u32 reserved;
};

struct boot_info boot_info;

static void bootinfo_add_ram(u64 addr, u64 size)
{
	if (boot_info.nram == BOOT_MAX_RANGES) {
		printk("boot: memory map too long, ignoring %#lx+%#lx\n", addr, size);
		return;
	}
	boot_info.ram[boot_info.nram++] = (struct boot_range){ addr, size };
}

void bootinfo_parse(u32 start_info_pa)
{
	const struct hvm_start_info *si = phys_to_virt(start_info_pa);
	if (si->magic != HVM_START_MAGIC)
		panic("boot: bad PVH start info magic %#x", si->magic);
	if (si->version < 1 || !si->memmap_entries)
		panic("boot: PVH start info v%u has no memory map", si->version);
	const struct hvm_memmap_entry *mm = phys_to_virt(si->memmap_paddr);
	for (u32 i = 0; i < si->memmap_entries; i++)
		if (mm[i].type == E820_RAM)
			bootinfo_add_ram(mm[i].addr, mm[i].size);
	if (si->nr_modules) {
		const struct hvm_modlist_entry *mod = phys_to_virt(si->modlist_paddr);
		boot_info.initrd_start = mod[0].paddr;
		boot_info.initrd_len_bytes = mod[0].size;
	}
	if (si->cmdline_paddr)
		strlcpy(boot_info.cmdline, phys_to_virt(si->cmdline_paddr),
			sizeof(boot_info.cmdline));
}
