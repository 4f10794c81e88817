/*
 * Claim: execve(2) gives a static binary the auxiliary vector Linux gives,
 * right after envp's NULL, ending in AT_NULL, with values that agree with
 * the program and the process:
 *  AT_PAGESZ 4096; AT_PHDR/AT_PHENT/AT_PHNUM match the ELF header the program
 *  was linked with (found at __ehdr_start); AT_ENTRY is _start; AT_RANDOM
 *  points at 16 bytes that are not all zero; AT_UID/EUID/GID/EGID match the
 *  id syscalls; AT_SECURE is 0; AT_HWCAP has FPU, SSE and SSE2; AT_CLKTCK is
 *  100; AT_EXECFN names this program; AT_SYSINFO_EHDR, if given, is an ELF.
 */
#include <elf.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/auxv.h>
#include <tap.h>
#include <unistd.h>

#define HWCAP_FPU  (1ul << 0)
#define HWCAP_SSE  (1ul << 25)
#define HWCAP_SSE2 (1ul << 26)
#define AUXV_MAX   64

extern char **environ;
extern char _start[];
extern const Elf64_Ehdr __ehdr_start;

static const unsigned long *auxv;

/* The auxiliary vector starts right after environ's terminating NULL. */
static void find_auxv(void)
{
	char **p = environ;
	while (*p)
		p++;
	auxv = (const unsigned long *)(p + 1);
}

/* Look an entry up by walking the vector itself: is it present, and its value. */
static bool aux(unsigned long type, unsigned long *val)
{
	for (int i = 0; i < AUXV_MAX && auxv[2 * i] != AT_NULL; i++) {
		if (auxv[2 * i] == type) {
			*val = auxv[2 * i + 1];
			return true;
		}
	}
	return false;
}

/* Present, equal to want, and what getauxval(3) says too. */
static void check_aux_eq(unsigned long type, const char *name, unsigned long want)
{
	unsigned long v = 0;
	bool present = aux(type, &v);
	CHECK(present, "%s is present", name);
	if (present)
		CHECK_EQ(v, want, "%s has the right value", name);
	CHECK_EQ(getauxval(type), v, "getauxval(%s) agrees", name);
}

static void check_terminated(void)
{
	int n = 0;
	while (n < AUXV_MAX && auxv[2 * n] != AT_NULL)
		n++;
	CHECK(n < AUXV_MAX, "the vector ends with AT_NULL (%d entries)", n);
}

static void check_phdrs(void)
{
	const Elf64_Ehdr *eh = &__ehdr_start;
	unsigned long phdr = 0;
	CHECK(memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0,
	      "__ehdr_start is this program's ELF header");
	CHECK(aux(AT_PHDR, &phdr), "AT_PHDR is present");
	CHECK_EQ(phdr, (uintptr_t)eh + eh->e_phoff, "AT_PHDR is where the header says they are");
	check_aux_eq(AT_PHENT, "AT_PHENT", sizeof(Elf64_Phdr));
	check_aux_eq(AT_PHNUM, "AT_PHNUM", eh->e_phnum);
	check_aux_eq(AT_ENTRY, "AT_ENTRY", eh->e_entry);
	CHECK_EQ(getauxval(AT_ENTRY), (uintptr_t)_start, "AT_ENTRY is the address of _start");
	const Elf64_Phdr *ph = (const Elf64_Phdr *)phdr;
	bool ehdr_loaded = false;
	for (int i = 0; ph && i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_offset == 0 &&
		    ph[i].p_vaddr == (uintptr_t)eh)
			ehdr_loaded = true;
	CHECK(ehdr_loaded, "the headers at AT_PHDR load the ELF header where it is");
}

static void check_random(void)
{
	unsigned long v = 0;
	CHECK(aux(AT_RANDOM, &v) && v != 0, "AT_RANDOM is present and not NULL");
	if (!v)
		return;
	const unsigned char *r = (const unsigned char *)v;
	int nonzero = 0;
	for (int i = 0; i < 16; i++)
		nonzero += r[i] != 0;
	CHECK(nonzero > 0, "the 16 AT_RANDOM bytes are readable and not all zero");
}

static void check_ids(void)
{
	check_aux_eq(AT_UID, "AT_UID", getuid());
	check_aux_eq(AT_EUID, "AT_EUID", geteuid());
	check_aux_eq(AT_GID, "AT_GID", getgid());
	check_aux_eq(AT_EGID, "AT_EGID", getegid());
	check_aux_eq(AT_SECURE, "AT_SECURE", 0);
}

static void check_machine(void)
{
	unsigned long hw = 0;
	check_aux_eq(AT_PAGESZ, "AT_PAGESZ", 4096);
	check_aux_eq(AT_CLKTCK, "AT_CLKTCK", 100);
	CHECK(aux(AT_HWCAP, &hw), "AT_HWCAP is present");
	CHECK_EQ(hw & (HWCAP_FPU | HWCAP_SSE | HWCAP_SSE2), HWCAP_FPU | HWCAP_SSE | HWCAP_SSE2,
		 "AT_HWCAP (CPUID.1:EDX) has FPU, SSE and SSE2");
}

static void check_vdso(void)
{
	unsigned long v = 0;
	if (!aux(AT_SYSINFO_EHDR, &v)) {
		tap_skip("no vDSO", "AT_SYSINFO_EHDR, if present, points at an ELF header");
		return;
	}
	CHECK(memcmp((const void *)v, ELFMAG, SELFMAG) == 0,
	      "AT_SYSINFO_EHDR, if present, points at an ELF header");
}

static void check_execfn(const char *argv0)
{
	unsigned long v = 0;
	char a[256], b[256];
	CHECK(aux(AT_EXECFN, &v) && v != 0, "AT_EXECFN is present");
	if (!v)
		return;
	strncpy(a, (const char *)v, sizeof(a) - 1);
	strncpy(b, argv0, sizeof(b) - 1);
	a[sizeof(a) - 1] = b[sizeof(b) - 1] = 0;
	CHECK_STR(basename(a), basename(b), "AT_EXECFN (%s) ends with the program's name",
		  (const char *)v);
}

int main(int argc, char **argv)
{
	(void)argc;
	find_auxv();
	check_terminated();
	check_machine();
	check_phdrs();
	check_random();
	check_ids();
	check_vdso();
	check_execfn(argv[0]);
	return tap_done();
}
