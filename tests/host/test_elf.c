/*
 * Unit tests of execve's ELF checks (kernel/proc/elf.c): a good image is
 * accepted and described; truncated, foreign, overlapping, misaligned and
 * absurdly sized images are refused with ENOEXEC, EINVAL or ENOMEM.
 */
// HOSTSRC: kernel/proc/elf.c
#include "tap.h"
#include <proc/elf.h>
#include <string.h>
#include <uapi/errno.h>

#define TOP	 0x7ffffffde000ull
#define FILE_LEN 0x3000ull

static struct elf64_ehdr good_ehdr(void)
{
	struct elf64_ehdr eh;
	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident,
	       "\x7f"
	       "ELF\x02\x01\x01",
	       7);
	eh.e_type = ET_EXEC;
	eh.e_machine = EM_X86_64;
	eh.e_entry = 0x401000;
	eh.e_phoff = 64;
	eh.e_phentsize = sizeof(struct elf64_phdr);
	eh.e_phnum = 2;
	return eh;
}

/* Text at 0x400000 (file offset 0, holding the headers), data+bss at 0x402000. */
static void good_phdrs(struct elf64_phdr ph[2])
{
	memset(ph, 0, 2 * sizeof(*ph));
	ph[0] = (struct elf64_phdr){ PT_LOAD, PF_R | PF_X, 0, 0x400000, 0, 0x2000, 0x2000, 0x1000 };
	ph[1] =
	    (struct elf64_phdr){ PT_LOAD, PF_R | PF_W, 0x2000, 0x402000, 0, 0x800, 0x5000, 0x1000 };
}

static int check(struct elf64_ehdr *eh, struct elf64_phdr *ph, u64 len, struct elf_info *info)
{
	int r = elf_check_header(eh, len);
	return r ? r : elf_check_phdrs(eh, ph, len, TOP, info);
}

int main(void)
{
	struct elf64_ehdr eh = good_ehdr();
	struct elf64_phdr ph[2];
	struct elf_info info;
	good_phdrs(ph);
	TAP_OK(check(&eh, ph, FILE_LEN, &info) == 0, "a well-formed static executable is accepted");
	TAP_OK(info.lo_vaddr == 0x400000 && info.hi_vaddr == 0x407000,
	       "its span is 0x400000-0x407000");
	TAP_OK(info.phdr_vaddr == 0x400040, "its program headers are found at 0x400040");
	TAP_OK(info.interp_index == -1, "it has no interpreter");

	eh = good_ehdr();
	eh.e_ident[0] = 'X';
	TAP_OK(check(&eh, ph, FILE_LEN, &info) == -ENOEXEC, "bad magic: ENOEXEC");
	eh = good_ehdr();
	eh.e_ident[4] = 1;
	TAP_OK(check(&eh, ph, FILE_LEN, &info) == -ENOEXEC, "a 32-bit ELF: ENOEXEC");
	eh = good_ehdr();
	eh.e_machine = 183; /* AArch64 */
	TAP_OK(check(&eh, ph, FILE_LEN, &info) == -ENOEXEC, "a foreign architecture: ENOEXEC");
	eh = good_ehdr();
	eh.e_type = 1; /* ET_REL */
	TAP_OK(check(&eh, ph, FILE_LEN, &info) == -ENOEXEC, "an object file: ENOEXEC");
	eh = good_ehdr();
	eh.e_phnum = 1000;
	TAP_OK(check(&eh, ph, FILE_LEN, &info) == -ENOEXEC,
	       "absurdly many program headers: ENOEXEC");
	eh = good_ehdr();
	eh.e_phoff = FILE_LEN - 8;
	TAP_OK(check(&eh, ph, FILE_LEN, &info) == -ENOEXEC,
	       "headers past the end of the file: ENOEXEC");
	eh = good_ehdr();
	eh.e_phoff = ~0ull - 8;
	TAP_OK(check(&eh, ph, FILE_LEN, &info) == -ENOEXEC,
	       "a header offset that overflows: ENOEXEC");

	eh = good_ehdr();
	good_phdrs(ph);
	ph[1].p_filesz = 0x10000;
	TAP_OK(check(&eh, ph, FILE_LEN, &info) == -ENOEXEC,
	       "a segment larger than its memory size: ENOEXEC");
	good_phdrs(ph);
	ph[1].p_offset = FILE_LEN;
	TAP_OK(check(&eh, ph, FILE_LEN, &info) == -ENOEXEC,
	       "a truncated file (segment past EOF): ENOEXEC");
	good_phdrs(ph);
	ph[1].p_vaddr = 0x401800;
	TAP_OK(check(&eh, ph, FILE_LEN, &info) == -EINVAL, "overlapping segments: EINVAL");
	good_phdrs(ph);
	ph[1].p_vaddr = 0x402100;
	TAP_OK(check(&eh, ph, FILE_LEN, &info) == -EINVAL,
	       "offset and address not congruent: EINVAL");
	good_phdrs(ph);
	ph[1].p_memsz = 1ull << 47;
	TAP_OK(check(&eh, ph, FILE_LEN, &info) == -ENOMEM,
	       "a 128 TiB BSS (past the user half): ENOMEM");
	good_phdrs(ph);
	ph[1].p_vaddr = 0xffff800000002000ull;
	TAP_OK(check(&eh, ph, FILE_LEN, &info) == -ENOMEM, "a segment in the kernel half: ENOMEM");
	good_phdrs(ph);
	ph[0].p_type = ph[1].p_type = PT_GNU_STACK;
	TAP_OK(check(&eh, ph, FILE_LEN, &info) == -ENOEXEC, "no loadable segment: ENOEXEC");

	/* Every truncation of the header table must be refused, never read past. */
	int bad = 0;
	good_phdrs(ph);
	eh = good_ehdr();
	for (u64 len = 0; len < 64 + 2 * sizeof(struct elf64_phdr); len++)
		bad += elf_check_header(&eh, len) == 0;
	TAP_OK(bad == 0, "every file shorter than its header table is refused");
	return tap_done();
}
