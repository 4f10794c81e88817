/*
 * Claims: syslog(2) gives dmesg the kernel log (SIZE_BUFFER positive,
 * READ_ALL returns bytes, bad type EINVAL); reboot(2) refuses a wrong magic
 * with EINVAL (checked before anything happens, so this is safe to run on a
 * real machine); prctl PR_SET_NAME/PR_GET_NAME round-trip the task name and
 * an unknown option is EINVAL.
 */
#define _GNU_SOURCE
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <tap.h>
#include <unistd.h>

#define SYSLOG_ACTION_READ_ALL	  3
#define SYSLOG_ACTION_SIZE_BUFFER 10
#define REBOOT_MAGIC1		  0xfee1dead
#define REBOOT_CMD_POWER_OFF	  0x4321fedc

int main(void)
{
	static char log[16384];
	long size =
	    CHECK_OK(syscall(SYS_syslog, SYSLOG_ACTION_SIZE_BUFFER, NULL, 0), "syslog SIZE_BUFFER");
	CHECK(size > 0, "the kernel log buffer has a size (%ld)", size);
	long n = CHECK_OK(syscall(SYS_syslog, SYSLOG_ACTION_READ_ALL, log, sizeof(log)),
			  "syslog READ_ALL");
	CHECK(n > 0 && n <= (long)sizeof(log), "it returns part of the log (%ld bytes)", n);
	CHECK_ERR(EINVAL, syscall(SYS_syslog, SYSLOG_ACTION_READ_ALL, log, -1),
		  "a negative length");
	CHECK_ERR(EINVAL, syscall(SYS_syslog, 12345, NULL, 0), "an unknown action");

	CHECK_ERR(EINVAL, syscall(SYS_reboot, REBOOT_MAGIC1, 12345, REBOOT_CMD_POWER_OFF, NULL),
		  "reboot with a wrong second magic");
	CHECK_ERR(EINVAL, syscall(SYS_reboot, 12345, 672274793, REBOOT_CMD_POWER_OFF, NULL),
		  "reboot with a wrong first magic");

	char name[16] = { 0 };
	CHECK_OK(prctl(PR_SET_NAME, "cowix-misc-test-long"), "PR_SET_NAME");
	CHECK_OK(prctl(PR_GET_NAME, name), "PR_GET_NAME");
	CHECK_STR(name, "cowix-misc-test", "the name is kept, cut to 15 bytes");
	CHECK_ERR(EINVAL, prctl(9999, 0, 0, 0, 0), "an unknown prctl option");
	return tap_done();
}
