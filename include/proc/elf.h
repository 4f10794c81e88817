/*
 * ELF64 executables: the header checks exec needs, kept free of kernel
 * state so they are unit-tested on the host (tests/host/test_elf.c).
 */
#pragma once
#include <types.h>

#define ET_EXEC 2
#define ET_DYN  3
#define EM_X86_64 62
#define PT_LOAD   1
#define PT_INTERP 3
#define PT_PHDR   6
#define PT_GNU_STACK 0x6474e551
#define PF_X 1
#define PF_W 2
#define PF_R 4
#define ELF_MAX_PHNUM 64

struct elf64_ehdr {
	u8 e_ident[16];
	u16 e_type, e_machine;
	u32 e_version;
	u64 e_entry, e_phoff, e_shoff;
	u32 e_flags;
	u16 e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};

struct elf64_phdr {
	u32 p_type, p_flags;
	u64 p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
};

/* What exec needs to know about a checked image. */
struct elf_info {
	u16 type;             /* ET_EXEC or ET_DYN */
	u64 entry;            /* unbiased */
	u64 lo_vaddr, hi_vaddr; /* page-aligned span of all PT_LOADs, unbiased */
	u64 phdr_vaddr;       /* where the program headers are mapped, unbiased; 0 if not */
	int interp_index;     /* index of PT_INTERP, or -1 */
};

/* Check the file header: -ENOEXEC if this is not an x86-64 ELF executable we can run. */
int elf_check_header(const struct elf64_ehdr *eh, u64 file_len_bytes);
/*
 * Check the program headers (already read in) against the file size and
 * the user address range, and fill *info. -ENOEXEC for malformed tables,
 * -EINVAL for misaligned or overlapping segments, -ENOMEM if the image
 * cannot fit below user_top.
 */
int elf_check_phdrs(const struct elf64_ehdr *eh, const struct elf64_phdr *ph, u64 file_len_bytes,
		    u64 user_top, struct elf_info *info);
