/*
 * Claim: execve of a malformed executable fails with an errno and leaves
 * the caller running: garbage, a foreign architecture, a truncated copy of
 * a real program, an absurdly sized segment. (The header checks are unit
 * tested on the host in tests/host/test_elf.c; this drives the real
 * execve path with real files.)
 */
#define _GNU_SOURCE
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <string.h>
#include <sys/stat.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>

static char self[4096];
static ssize_t self_len;

/* Write len bytes of buf to path as an executable file. */
static void put_exec(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	if (fd < 0 || write(fd, buf, len) != (ssize_t)len)
		tap_bail("cannot write %s", path);
	close(fd);
}

/* execve path; returns errno (0 would mean it ran, which fails the test). */
static int try_exec(const char *path)
{
	char *argv[] = { (char *)path, NULL }, *envp[] = { NULL };
	execve(path, argv, envp);
	return errno;
}

int main(void)
{
	int self_fd = open((const char *)getauxval(AT_EXECFN), O_RDONLY);
	self_len = self_fd >= 0 ? read(self_fd, self, sizeof(self)) : -1;
	if (self_len < (ssize_t)sizeof(Elf64_Ehdr))
		tap_bail("cannot read my own ELF header");
	ut_scratch_enter("exec_bad_elf");
	char path[64];

	snprintf(path, sizeof(path), "./garbage");
	put_exec(path, "this is not an executable\n", 26);
	CHECK_EQ(try_exec(path), ENOEXEC, "garbage: ENOEXEC");

	Elf64_Ehdr eh;
	memcpy(&eh, self, sizeof(eh));
	eh.e_machine = EM_AARCH64;
	snprintf(path, sizeof(path), "./foreign");
	put_exec(path, &eh, sizeof(eh));
	CHECK_EQ(try_exec(path), ENOEXEC, "a foreign architecture: ENOEXEC");

	memcpy(&eh, self, sizeof(eh));
	snprintf(path, sizeof(path), "./truncated");
	put_exec(path, self, sizeof(eh) + 8); /* header, but not the program headers */
	int e = try_exec(path);
	CHECK(e == ENOEXEC || e == EIO || e == EINVAL, "a truncated ELF fails (errno %d)", e);

	memcpy(&eh, self, sizeof(eh));
	eh.e_phnum = 60000;
	snprintf(path, sizeof(path), "./many");
	put_exec(path, &eh, sizeof(eh));
	e = try_exec(path);
	CHECK(e == ENOEXEC || e == EINVAL || e == ENOMEM, "absurdly many headers fail (errno %d)",
	      e);

	CHECK_EQ(getpid() > 0, 1, "the caller is still running after all of them");
	ut_scratch_leave();
	return tap_done();
}
