/*
 * Claim: signals cannot hurt the kernel or leak memory. A child that keeps
 * forking (and reaping) while its parent sends it thousands of signals
 * handles them and exits cleanly when told. A process blocked in
 * nanosleep, wait4, pause, sigsuspend or a read of the console dies at
 * once of SIGKILL. A process that gets signals with a stack pointer no
 * frame fits under dies of SIGSEGV, again and again. Children killed with
 * thousands of real-time signals queued free them. Afterwards MemFree is
 * back at its baseline (skipped, visibly, where /proc/meminfo is missing).
 */
#define _GNU_SOURCE
#include <cowutil.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <time.h>
#include <unistd.h>

#define FLOOD	  5000
#define SIG_READY (SIGRTMIN + 3)

static volatile int usr1_seen, stop_now;

static void on_usr1(int sig)
{
	(void)sig;
	usr1_seen++;
}

static void on_usr2(int sig)
{
	(void)sig;
	stop_now = 1;
}

static void set_handler(int sig, void (*fn)(int))
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sa.sa_flags = SA_RESTART;
	sigaction(sig, &sa, NULL);
}

/* The flooded child: fork and reap in a loop until SIGUSR2; exit 0 if it saw SIGUSR1s. */
static void forker(void)
{
	int forks = 0;
	while (!stop_now) {
		pid_t pid = fork();
		if (pid == 0)
			_exit(0);
		if (pid > 0) {
			while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
				;
			if (forks++ == 0)
				kill(getppid(), SIG_READY); /* the flood may start */
		}
	}
	_exit(usr1_seen > 0 && forks > 0 ? 0 : 1);
}

static void check_flood(void)
{
	set_handler(SIGUSR1, on_usr1);
	set_handler(SIGUSR2, on_usr2);
	sigset_t ready;
	sigemptyset(&ready);
	sigaddset(&ready, SIG_READY);
	sigprocmask(SIG_BLOCK, &ready, NULL);
	pid_t pid = fork();
	if (pid == 0)
		forker();
	struct timespec limit = { 20, 0 };
	if (sigtimedwait(&ready, NULL, &limit) != SIG_READY)
		tap_bail("the forking child did not start");
	int sent = 0;
	for (int i = 0; i < FLOOD; i++)
		sent += kill(pid, SIGUSR1) == 0;
	CHECK_EQ(sent, FLOOD, "%d SIGUSR1s sent to a child that keeps forking", FLOOD);
	kill(pid, SIGUSR2);
	int st = 0;
	pid_t r = waitpid(pid, &st, 0);
	CHECK(r == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "it handled them and exits cleanly when told (%#x)", st);
}

/*
 * Children that die with 1000 real-time signals queued each: 20000 queued
 * instances that exit must free (5 MiB of them would be missed by the
 * MemFree check below).
 */
static void check_queued_then_killed(void)
{
	sigset_t rt;
	sigemptyset(&rt);
	sigaddset(&rt, SIGRTMIN + 4);
	sigaddset(&rt, SIG_READY);
	sigprocmask(SIG_BLOCK, &rt, NULL);
	int queued = 0, reaped = 0;
	for (int i = 0; i < 20; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			kill(getppid(), SIG_READY);
			for (;;)
				pause();
		}
		sigset_t ready;
		sigemptyset(&ready);
		sigaddset(&ready, SIG_READY);
		struct timespec limit = { 20, 0 };
		sigtimedwait(&ready, NULL, &limit);
		for (int j = 0; j < 1000; j++)
			queued +=
			    sigqueue(pid, SIGRTMIN + 4, (union sigval){ .sival_int = j }) == 0;
		kill(pid, SIGKILL);
		reaped += waitpid(pid, NULL, 0) == pid;
	}
	CHECK(queued == 20000 && reaped == 20,
	      "20 children killed with 1000 real-time signals queued each (%d queued)", queued);
}

static void sleep_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000 };
	while (nanosleep(&t, &t))
		;
}

static void block_nanosleep(void)
{
	struct timespec t = { 100, 0 };
	nanosleep(&t, NULL);
}

static void block_wait4(void)
{
	pid_t gc = fork();
	if (gc == 0) {
		sleep_ms(2000); /* ends by itself after its parent is gone */
		_exit(0);
	}
	waitpid(gc, NULL, 0);
}

static void block_pause(void)
{
	pause();
}

static void block_sigsuspend(void)
{
	sigset_t none;
	sigemptyset(&none);
	sigsuspend(&none);
}

static void block_read_console(void)
{
	char c;
	read(0, &c, 1);
}

static void check_kill_blocked(const char *what, void (*block)(void))
{
	pid_t pid = fork();
	if (pid == 0) {
		block();
		_exit(3);
	}
	sleep_ms(50);
	kill(pid, SIGKILL);
	int st = 0;
	pid_t r = waitpid(pid, &st, 0);
	CHECK(r == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
	      "SIGKILL ends a process blocked in %s (%#x)", what, st);
}

static void usr1_noop(int sig)
{
	(void)sig;
}

/* Signal ourselves with rsp just above an unmapped page: no frame fits. */
static void bad_stack(void *arg)
{
	(void)arg;
	signal(SIGUSR1, usr1_noop);
	void *gone = ut_unmapped_page();
	__asm__ volatile("mov %0, %%rsp\n\t"
			 "syscall\n\t"
			 "ud2" ::"r"((char *)gone + 4096 + 64),
			 "a"(SYS_kill), "D"(getpid()), "S"(SIGUSR1)
			 : "memory");
}

static void check_bad_stacks(void)
{
	int ok = 0;
	for (int i = 0; i < 50; i++) {
		int st = ut_fork_wait(bad_stack, NULL);
		ok += st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV;
	}
	CHECK_EQ(ok, 50, "50 signals onto a stack with no room: each process dies of SIGSEGV");
}

int main(void)
{
	bool have_meminfo = cow_meminfo_kib("MemFree") >= 0;
	long baseline = have_meminfo ? cow_memfree_baseline() : -1;
	check_flood();
	check_queued_then_killed();
	check_kill_blocked("nanosleep", block_nanosleep);
	check_kill_blocked("wait4", block_wait4);
	check_kill_blocked("pause", block_pause);
	check_kill_blocked("sigsuspend", block_sigsuspend);
	if (isatty(0))
		check_kill_blocked("a read of the console", block_read_console);
	else
		tap_skip("standard input is not a terminal here", "SIGKILL ends a console read");
	check_bad_stacks();
	if (have_meminfo)
		cow_check_memfree_back(baseline, 2048, "after all of that");
	else
		tap_skip("no /proc/meminfo", "MemFree is back at its baseline");
	return tap_done();
}
