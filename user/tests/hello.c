/*
 * Claim: a static binary can print to its standard output, both through
 * stdio (printf, flushed) and through write(2) on file descriptor 1.
 */
#include <stdio.h>
#include <tap.h>
#include <unistd.h>

int main(void)
{
	static const char msg[] = "hello from write(2)\n";
	int n = printf("hello, world\n");
	CHECK_EQ(n, 13, "printf formats 13 bytes");
	CHECK_EQ(fflush(stdout), 0, "fflush(stdout) writes them out");
	CHECK_EQ(write(1, msg, sizeof(msg) - 1), sizeof(msg) - 1,
		 "write(1, ...) writes every byte");
	CHECK_EQ(write(1, msg, 0), 0, "write(1, ..., 0) writes nothing and succeeds");
	return tap_done();
}
