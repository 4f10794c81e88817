/*
 * Claim: when no frame is left for a copy-on-write copy, only the faulting
 * process dies (SIGKILL, as Linux's OOM killer delivers it), the kernel
 * stays up, the other sharer's memory is intact, and every frame comes
 * back. cowix's policy is to kill the task whose fault could not be
 * resolved; Linux's OOM killer would pick the largest task, which in this
 * test is either side (documented in docs/design.md).
 *
 * A parent fills 60% of available memory and forks; the child then writes
 * every page, needing another 60%. Only meaningful on a small machine (the
 * 512 MiB guest): on a host with more than 1 GiB it is skipped, visibly,
 * rather than set the host's own OOM killer loose.
 */
#include <cowutil.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <tap.h>
#include <unistd.h>

#define SEED 0x5a

static void child_writes_everything(unsigned char *buf, size_t len)
{
	for (size_t i = 0; i < len; i += 4096)
		buf[i] = (unsigned char)~buf[i];
	_exit(0); /* only reached if memory did not run out */
}

int main(void)
{
	long total = cow_meminfo_kib("MemTotal"), avail = cow_meminfo_kib("MemAvailable");
	if (total <= 0 || avail <= 0)
		tap_bail("no /proc/meminfo");
	if (total > 1024 * 1024) {
		tap_skip(
		    "exhausting a machine this big would invoke the host's OOM killer",
		    "the child dies of SIGKILL when a copy-on-write copy finds no frame (%ld MiB)",
		    total / 1024);
		return tap_done();
	}
	size_t len = (size_t)avail * 1024 / 10 * 6 & ~4095ul;
	unsigned char *buf = cow_map(len);
	if (!buf)
		tap_bail("mmap of %zu bytes failed", len);
	cow_fill(buf, len, SEED);
	long baseline = cow_memfree_baseline();
	pid_t pid = fork();
	if (pid == 0)
		child_writes_everything(buf, len);
	int status = 0;
	CHECK_EQ(waitpid(pid, &status, 0), pid, "reap the child that ran out of memory");
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	      "the child whose copy could not be made was killed with SIGKILL (status %#x)",
	      status);
	CHECK_EQ(cow_find_bad(buf, len, SEED), -1, "the parent's %zu MiB are intact", len >> 20);
	pid_t again = fork();
	if (again == 0)
		_exit(7);
	CHECK(again > 0 && cow_wait_exit(again) == 7, "the kernel still forks afterwards");
	cow_check_memfree_back(baseline, 2048, "after the out-of-memory child is reaped");
	munmap(buf, len);
	return tap_done();
}
