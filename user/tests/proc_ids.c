/*
 * Claim: a process knows who it is, as on Linux: getpid equals the raw
 * syscall's answer and, for the main thread, gettid; getppid is another
 * process (0 only for PID 1); the uid/gid calls agree with getresuid and
 * getresgid; set_tid_address returns the caller's tid; arch_prctl
 * ARCH_GET_FS returns the thread pointer musl set up (the TCB whose first
 * word points to itself, what %fs:0 reads), ARCH_SET_FS to the same value
 * works and an unknown code is EINVAL; thread-local variables start with
 * their initial values (.tdata copied from the ELF, .tbss zeroed).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <linux_abi.h>
#include <tap.h>
#include <unistd.h>

static __thread int tls_data = 0x1234;
static __thread int tls_bss;
static int clear_tid_word;

static void check_pids(void)
{
	pid_t pid = getpid();
	CHECK(pid > 0, "getpid is positive (%d)", pid);
	CHECK_EQ(syscall(SYS_getpid), pid, "the raw getpid syscall agrees");
	CHECK_EQ(gettid(), pid, "the main thread's tid is the pid");
	if (pid == 1)
		CHECK_EQ(getppid(), 0, "PID 1 has parent 0");
	else
		CHECK(getppid() > 0 && getppid() != pid, "getppid is another process (%d)",
		      getppid());
	CHECK_EQ(syscall(SYS_set_tid_address, &clear_tid_word), gettid(),
		 "set_tid_address returns the tid");
}

static void check_ids(void)
{
	uid_t r, e, s;
	gid_t gr, ge, gs;
	CHECK_OK(getresuid(&r, &e, &s), "getresuid");
	CHECK(r == getuid() && e == geteuid(), "real and effective uid agree with getuid/geteuid");
	CHECK_EQ(s, e, "the saved uid is the effective uid");
	CHECK_OK(getresgid(&gr, &ge, &gs), "getresgid");
	CHECK(gr == getgid() && ge == getegid(),
	      "real and effective gid agree with getgid/getegid");
}

static void check_fs_base(void)
{
	unsigned long fs = 0, self = 0;
	CHECK_OK(syscall(SYS_arch_prctl, ARCH_GET_FS, &fs), "arch_prctl(ARCH_GET_FS)");
	CHECK_EQ(fs, (uintptr_t)pthread_self(), "the FS base is musl's thread pointer");
	__asm__ volatile("mov %%fs:0, %0" : "=r"(self));
	CHECK_EQ(self, fs, "%%fs:0 holds the thread pointer itself");
	CHECK_OK(syscall(SYS_arch_prctl, ARCH_SET_FS, fs), "ARCH_SET_FS to the same value");
	__asm__ volatile("mov %%fs:0, %0" : "=r"(self));
	CHECK_EQ(self, fs, "and %%fs:0 still reads it");
	CHECK_ERR(EINVAL, syscall(SYS_arch_prctl, 0x9999, &fs), "an unknown arch_prctl code");
}

static void check_tls(void)
{
	CHECK_EQ(tls_data, 0x1234, "an initialised __thread variable has its value");
	CHECK_EQ(tls_bss, 0, "a zero __thread variable is zero");
	tls_data++;
	tls_bss = 7;
	CHECK(tls_data == 0x1235 && tls_bss == 7, "both are writable");
}

int main(void)
{
	check_pids();
	check_ids();
	check_fs_base();
	check_tls();
	return tap_done();
}
