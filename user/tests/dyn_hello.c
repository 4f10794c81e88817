/*
 * Claim: a dynamically linked program runs (built without -static, so
 * execve must load the interpreter its PT_INTERP names, musl's
 * /lib/ld-musl-x86_64.so.1, and start there). The kernel passes AT_BASE,
 * the loader's load address, which is page aligned and holds an ELF
 * header; AT_ENTRY and AT_PHDR describe the program itself, which has a
 * PT_INTERP naming the loader; libc's code (printf) lives in the loader's
 * image, away from the program; relocations were applied (a pointer
 * initialised to another global's address is right); malloc, stdio and
 * fork work.
 */
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/wait.h>
#include <tap.h>
#include <unistd.h>

static int target = 42;
static int *pointer = &target; /* needs a relocation in a PIE */

/* The PT_INTERP string of the running program, from AT_PHDR. */
static const char *program_interp(void)
{
	const Elf64_Phdr *ph = (const Elf64_Phdr *)getauxval(AT_PHDR);
	size_t n = getauxval(AT_PHNUM);
	uintptr_t bias = 0;
	for (size_t i = 0; ph && i < n; i++)
		if (ph[i].p_type == PT_PHDR)
			bias = (uintptr_t)ph - ph[i].p_vaddr;
	for (size_t i = 0; ph && i < n; i++)
		if (ph[i].p_type == PT_INTERP)
			return (const char *)(bias + ph[i].p_vaddr);
	return NULL;
}

int main(void)
{
	uintptr_t base = getauxval(AT_BASE);
	CHECK(base != 0 && base % 4096 == 0, "AT_BASE is the loader's address (%#lx)",
	      (unsigned long)base);
	CHECK(base && !memcmp((const void *)base, ELFMAG, SELFMAG), "an ELF header is there");
	const char *interp = program_interp();
	CHECK(interp && !strcmp(interp, "/lib/ld-musl-x86_64.so.1"),
	      "the program's PT_INTERP names musl's loader (%s)", interp ? interp : "none");
	uintptr_t entry = getauxval(AT_ENTRY), print = (uintptr_t)printf;
	CHECK(entry && (entry < base || entry - base > (64ul << 20)),
	      "AT_ENTRY (%#lx) is the program's, not the loader's", (unsigned long)entry);
	CHECK(print > base && print - base < (16ul << 20), "printf lives in the loader's image");
	CHECK(*pointer == 42 && pointer == &target, "relocated data points where it should");
	char *buf = malloc(1 << 20);
	CHECK(buf != NULL, "malloc of 1 MiB works");
	snprintf(buf, 64, "%s %d", "dynamic", 7);
	CHECK_STR(buf, "dynamic 7", "snprintf works");
	free(buf);
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0)
		_exit(*pointer == 42 ? 0 : 1);
	int status = -1;
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "fork works");
	return tap_done();
}
