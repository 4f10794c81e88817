/*
 * Claim: execve(2) hands a static binary a well-formed argc/argv/envp, as
 * the Linux x86-64 ABI lays them out on the initial stack:
 *  - argc >= 1, argv[0] a non-empty string, argv[argc] == NULL, argc sat on
 *    a 16-byte boundary (the stack pointer at entry was 16-byte aligned);
 *  - environ is NULL-terminated and every entry is NAME=VALUE;
 *  - after re-executing itself with a known argv and envp (empty strings,
 *    spaces, one argument longer than several pages), the new image sees
 *    exactly those strings, in order, and nothing else.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <tap.h>
#include <unistd.h>

#define STAGE2	 "--stage2"
#define LONG_LEN 20000 /* spans five pages */

extern char **environ;

static char long_arg[LONG_LEN + 1];
static char *const exact_env[] = { "COWIX_ARGS=1", "EMPTY=", "SPACES=a b  c", NULL };

static void fill_long_arg(void)
{
	for (int i = 0; i < LONG_LEN; i++)
		long_arg[i] = 'a' + i % 26;
	long_arg[LONG_LEN] = 0;
}

static void check_generic(int argc, char **argv)
{
	CHECK(argc >= 1, "argc >= 1 (argc = %d)", argc);
	CHECK(argv[0] != NULL && argv[0][0] != 0, "argv[0] is a non-empty string");
	CHECK(argv[argc] == NULL, "argv[argc] is NULL");
	CHECK_EQ((uintptr_t)(argv - 1) % 16, 0, "argc was at a 16-byte aligned stack pointer");
	size_t n = 0, bad = 0;
	while (n < 100000 && environ[n]) {
		if (!strchr(environ[n], '='))
			bad++;
		n++;
	}
	CHECK(n < 100000, "environ is NULL-terminated (%zu entries)", n);
	CHECK_EQ(bad, 0, "every environ entry is NAME=VALUE");
}

/* Stage one: re-execute this program with a known argv and envp. */
static int exec_stage2(const char *self)
{
	char count[16];
	snprintf(count, sizeof(count), "%d", tap_count_so_far() + 1);
	char *const argv[] = {
		"args-stage2", STAGE2, count, "two words", "", long_arg, "last", NULL
	};
	tap_diag("re-executing %s with a known argv and envp", self);
	execve(self, argv, exact_env);
	CHECK_OK(-1, "execve(%s) of this very program", self);
	return tap_done();
}

/* Stage two: argv and envp must be exactly what stage one passed. */
static int check_stage2(int argc, char **argv)
{
	CHECK_EQ(argc, 7, "argc counts every argument passed to execve");
	CHECK_STR(argv[0], "args-stage2", "argv[0] is what execve passed, not the path");
	CHECK_STR(argv[3], "two words", "an argument with a space stays one argument");
	CHECK_STR(argv[4], "", "an empty argument is kept");
	CHECK_EQ(strlen(argv[5]), LONG_LEN, "a %d-byte argument arrives whole", LONG_LEN);
	CHECK(strcmp(argv[5], long_arg) == 0, "and byte for byte");
	CHECK_STR(argv[6], "last", "the last argument");
	CHECK(argv[7] == NULL, "argv[argc] is NULL");
	for (int i = 0; i < 3; i++)
		CHECK_STR(environ[i], exact_env[i], "environ[%d]", i);
	CHECK(environ[3] == NULL, "environ has exactly the 3 entries passed");
	CHECK_STR(getenv("EMPTY"), "", "getenv of an empty value");
	return tap_done();
}

int main(int argc, char **argv)
{
	bool stage2 = argc >= 3 && strcmp(argv[1], STAGE2) == 0;
	fill_long_arg();
	if (stage2)
		tap_resume(atoi(argv[2]) - 1);
	check_generic(argc, argv);
	if (stage2)
		return check_stage2(argc, argv);
	const char *self = (const char *)getauxval(AT_EXECFN);
	if (!CHECK(self != NULL, "AT_EXECFN names this program, so it can re-execute itself"))
		return tap_done();
	if (tap_failures())
		return tap_done();
	return exec_stage2(self);
}
