/* Helpers for the memory-mapping tests: see user/include/mmtest.h. */
#include <cowutil.h>
#include <fcntl.h>
#include <mmtest.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <tap.h>
#include <unistd.h>

int mt_touch_in_child(volatile void *p, bool is_write)
{
	int status;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (is_write)
			*(volatile unsigned char *)p = 0x5a;
		else
			(void)*(volatile unsigned char *)p;
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFSIGNALED(status))
		return WTERMSIG(status);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int mt_fill_file(const char *path, size_t len)
{
	unsigned char buf[4096];
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	for (size_t off = 0; off < len;) {
		size_t n = len - off < sizeof(buf) ? len - off : sizeof(buf);
		for (size_t i = 0; i < n; i++)
			buf[i] = mt_byte(off + i);
		if (write(fd, buf, n) != (ssize_t)n) {
			close(fd);
			return -1;
		}
		off += n;
	}
	return fd;
}

long mt_find_bad(const unsigned char *p, size_t len, size_t off)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != mt_byte(off + i))
			return (long)i;
	return -1;
}

bool mt_all_zero(const volatile unsigned char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

uint64_t mt_pfn(const void *p)
{
	return cow_pfn(p);
}

bool mt_pfns_ok(void)
{
	static int ok = -1;
	if (ok < 0)
		ok = cow_pfns_visible();
	return ok;
}

int mt_present(const void *p)
{
	uint64_t e;
	if (cow_pagemap(p, 1, &e) != 0)
		return -1;
	return (e & PM_PRESENT) != 0;
}

long mt_memfree_kib(void)
{
	return cow_meminfo_kib("MemFree") < 0 ? -1 : cow_memfree_kib();
}

long mt_rss_kib(void)
{
	char line[256];
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

bool mt_on_cowix(void)
{
	return cow_vmstat("cow_fault") >= 0;
}
