/*
 * ELF64 validation for execve. Everything here is arithmetic on headers
 * already copied into kernel memory: every offset and size from the file is
 * checked for overflow before it is added to anything, so a hostile image
 * can only earn an errno.
 */
#include <proc/elf.h>
#include <uapi/errno.h>

#define ELF_PAGE 4096ul

int elf_check_header(const struct elf64_ehdr *eh, u64 file_len_bytes)
{
	static const u8 magic[4] = { 0x7f, 'E', 'L', 'F' };
	for (int i = 0; i < 4; i++)
		if (eh->e_ident[i] != magic[i])
			return -ENOEXEC;
	if (eh->e_ident[4] != 2 /* ELFCLASS64 */ || eh->e_ident[5] != 1 /* little endian */ ||
	    eh->e_ident[6] != 1 /* EV_CURRENT */)
		return -ENOEXEC;
	if (eh->e_machine != EM_X86_64 || (eh->e_type != ET_EXEC && eh->e_type != ET_DYN))
		return -ENOEXEC;
	if (eh->e_phentsize != sizeof(struct elf64_phdr) || eh->e_phnum == 0 ||
	    eh->e_phnum > ELF_MAX_PHNUM)
		return -ENOEXEC;
	u64 table_len = (u64)eh->e_phnum * sizeof(struct elf64_phdr);
	if (eh->e_phoff > file_len_bytes || table_len > file_len_bytes - eh->e_phoff)
		return -ENOEXEC;
	return 0;
}

/* One PT_LOAD: sizes consistent, inside the file, congruent offset/vaddr, below user_top. */
static int elf_check_load(const struct elf64_phdr *p, u64 file_len_bytes, u64 user_top)
{
	if (p->p_filesz > p->p_memsz)
		return -ENOEXEC;
	if (p->p_offset > file_len_bytes || p->p_filesz > file_len_bytes - p->p_offset)
		return -ENOEXEC;
	if ((p->p_offset & (ELF_PAGE - 1)) != (p->p_vaddr & (ELF_PAGE - 1)))
		return -EINVAL;
	if (p->p_vaddr >= user_top || p->p_memsz > user_top - p->p_vaddr)
		return -ENOMEM;
	return 0;
}

/* If the program headers lie inside load segment p, where are they mapped? */
static u64 elf_phdr_addr_in(const struct elf64_phdr *p, u64 phoff, u64 table_len)
{
	if (phoff >= p->p_offset && phoff - p->p_offset + table_len <= p->p_filesz)
		return p->p_vaddr + (phoff - p->p_offset);
	return 0;
}

int elf_check_phdrs(const struct elf64_ehdr *eh, const struct elf64_phdr *ph, u64 file_len_bytes,
		    u64 user_top, struct elf_info *info)
{
	u64 table_len = (u64)eh->e_phnum * sizeof(*ph);
	u64 prev_end = 0;
	int nload = 0, r;
	*info = (struct elf_info){ .type = eh->e_type, .entry = eh->e_entry, .interp_index = -1 };
	for (int i = 0; i < eh->e_phnum; i++) {
		const struct elf64_phdr *p = &ph[i];
		if (p->p_type == PT_INTERP) {
			if (info->interp_index >= 0 || p->p_filesz < 2 || p->p_filesz > 4096 ||
			    p->p_offset > file_len_bytes || p->p_filesz > file_len_bytes - p->p_offset)
				return -ENOEXEC;
			info->interp_index = i;
		}
		if (p->p_type == PT_PHDR)
			info->phdr_vaddr = p->p_vaddr;
		if (p->p_type != PT_LOAD || p->p_memsz == 0)
			continue;
		if ((r = elf_check_load(p, file_len_bytes, user_top)))
			return r;
		/* Segments must ascend and not overlap (they may share a page). */
		if (nload && p->p_vaddr < prev_end)
			return -EINVAL;
		prev_end = p->p_vaddr + p->p_memsz;
		if (!nload++)
			info->lo_vaddr = p->p_vaddr & ~(ELF_PAGE - 1);
		info->hi_vaddr = (prev_end + ELF_PAGE - 1) & ~(ELF_PAGE - 1);
		if (!info->phdr_vaddr)
			info->phdr_vaddr = elf_phdr_addr_in(p, eh->e_phoff, table_len);
	}
	if (!nload)
		return -ENOEXEC;
	if (info->hi_vaddr > user_top || info->hi_vaddr < info->lo_vaddr)
		return -ENOMEM;
	return 0;
}
