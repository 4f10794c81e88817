/*
 * Claim: sigaltstack works as on Linux. There is none at first
 * (SS_DISABLE); a stack below MINSIGSTKSZ is ENOMEM and unknown flags are
 * EINVAL; an SA_ONSTACK handler runs on it, sees SS_ONSTACK and may not
 * change it (EPERM), while a handler without SA_ONSTACK runs on the normal
 * stack; SS_AUTODISARM disarms it inside the handler and the settings come
 * back on return; a SIGSEGV caused by a wrecked stack pointer is still
 * handled on the alternate stack; a child inherits the settings.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>

#define ALT_SIZE (64 * 1024)
static char *alt;
static volatile uintptr_t local_addr;
static volatile int flags_inside, change_errno, try_change = 1;

static void on_usr1(int sig)
{
	char here;
	stack_t cur, again;
	(void)sig;
	local_addr = (uintptr_t)&here;
	sigaltstack(NULL, &cur);
	flags_inside = cur.ss_flags;
	again = (stack_t){ .ss_sp = alt, .ss_size = ALT_SIZE };
	if (try_change)
		change_errno = sigaltstack(&again, NULL) ? errno : 0;
}

static void set_handler(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	sigaction(sig, &sa, NULL);
}

static bool on_alt(uintptr_t a)
{
	return a >= (uintptr_t)alt && a < (uintptr_t)alt + ALT_SIZE;
}

static void check_settings(void)
{
	stack_t ss, old;
	CHECK_OK(sigaltstack(NULL, &old), "query the alternate stack");
	CHECK(old.ss_flags & SS_DISABLE, "there is none at first (flags %#x)", old.ss_flags);
	ss = (stack_t){ .ss_sp = alt, .ss_size = MINSIGSTKSZ - 1 };
	CHECK_ERR(ENOMEM, sigaltstack(&ss, NULL), "a stack below MINSIGSTKSZ");
	ss = (stack_t){ .ss_sp = alt, .ss_size = ALT_SIZE, .ss_flags = 0x10 };
	CHECK_ERR(EINVAL, sigaltstack(&ss, NULL), "unknown flags");
	ss = (stack_t){ .ss_sp = alt, .ss_size = ALT_SIZE };
	CHECK_OK(sigaltstack(&ss, NULL), "set a 64 KiB alternate stack");
	sigaltstack(NULL, &old);
	CHECK(old.ss_sp == alt && old.ss_size == ALT_SIZE && old.ss_flags == 0,
	      "it reads back (flags %#x)", old.ss_flags);
}

static void check_onstack(void)
{
	set_handler(SIGUSR1, on_usr1, SA_ONSTACK);
	raise(SIGUSR1);
	CHECK(on_alt(local_addr), "an SA_ONSTACK handler runs on the alternate stack");
	CHECK(flags_inside & SS_ONSTACK, "and sigaltstack says SS_ONSTACK there (%#x)",
	      flags_inside);
	CHECK_EQ(change_errno, EPERM, "changing the stack while on it is EPERM");
	set_handler(SIGUSR1, on_usr1, 0);
	raise(SIGUSR1);
	CHECK(!on_alt(local_addr), "a handler without SA_ONSTACK runs on the normal stack");
	CHECK_EQ(flags_inside & SS_ONSTACK, 0, "and is not SS_ONSTACK");
}

static void check_autodisarm(void)
{
	stack_t ss = { .ss_sp = alt, .ss_size = ALT_SIZE, .ss_flags = SS_AUTODISARM }, old;
	if (sigaltstack(&ss, NULL)) {
		tap_skip("SS_AUTODISARM refused (old kernel)", "SS_AUTODISARM");
		return;
	}
	set_handler(SIGUSR1, on_usr1, SA_ONSTACK);
	try_change = 0;
	raise(SIGUSR1);
	CHECK(on_alt(local_addr), "with SS_AUTODISARM the handler still runs on it");
	CHECK(flags_inside & SS_DISABLE, "but finds it disarmed (%#x)", flags_inside);
	sigaltstack(NULL, &old);
	CHECK(old.ss_sp == alt && old.ss_size == ALT_SIZE && (old.ss_flags & SS_AUTODISARM),
	      "the settings are back after the handler (%#x)", old.ss_flags);
	ss.ss_flags = 0;
	sigaltstack(&ss, NULL);
}

static void exit_42(int sig)
{
	char here;
	(void)sig;
	_exit(on_alt((uintptr_t)&here) ? 42 : 1);
}

static void wreck_stack(void *arg)
{
	(void)arg;
	set_handler(SIGSEGV, exit_42, SA_ONSTACK);
	__asm__ volatile("mov $16, %%rsp\n\tpushq $0\n\tud2" ::: "memory");
}

static void child_query(void *arg)
{
	stack_t old;
	(void)arg;
	sigaltstack(NULL, &old);
	_exit(old.ss_sp == alt && old.ss_size == ALT_SIZE ? 0 : 1);
}

int main(void)
{
	alt = malloc(ALT_SIZE);
	check_settings();
	check_onstack();
	check_autodisarm();
	int st = ut_fork_wait(wreck_stack, NULL);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 42,
	      "a SIGSEGV from a wrecked rsp is handled on the alternate stack (%#x)", st);
	st = ut_fork_wait(child_query, NULL);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "a forked child has the same alternate stack");
	stack_t off = { .ss_flags = SS_DISABLE }, old;
	CHECK_OK(sigaltstack(&off, NULL), "SS_DISABLE");
	sigaltstack(NULL, &old);
	CHECK(old.ss_flags & SS_DISABLE, "and it is gone");
	return tap_done();
}
