/*
 * Claim: a child's end reaches its parent as on Linux. SIGCHLD arrives
 * with si_code CLD_EXITED and the exit code, or CLD_KILLED and the signal,
 * and si_pid the child. With SIGCHLD at its default the child stays a
 * zombie until waited for. With SIGCHLD ignored, or SA_NOCLDWAIT (whose
 * handler still runs), children are reaped at once: wait blocks until they
 * are all gone and then fails with ECHILD. Default actions: SIGTERM
 * terminates, SIGQUIT and SIGABRT terminate without the core flag under
 * RLIMIT_CORE 0, SIGCHLD, SIGURG and SIGWINCH are ignored, an ignored
 * SIGTERM is harmless, and SIGKILL cannot be caught.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <time.h>
#include <unistd.h>

static volatile int chld_code, chld_status, chld_pid, nchld;

static void on_chld(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	chld_code = si->si_code;
	chld_status = si->si_status;
	chld_pid = si->si_pid;
	nchld++;
}

static void set_chld(void (*fn)(int, siginfo_t *, void *), void (*plain)(int), int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	if (fn) {
		sa.sa_sigaction = fn;
		flags |= SA_SIGINFO;
	} else {
		sa.sa_handler = plain;
	}
	sa.sa_flags = flags | SA_RESTART;
	sigaction(SIGCHLD, &sa, NULL);
	nchld = 0;
}

static void check_sigchld_info(void)
{
	int st;
	set_chld(on_chld, NULL, 0);
	pid_t pid = fork();
	if (pid == 0)
		_exit(3);
	CHECK_EQ(waitpid(pid, &st, 0), pid, "reap a child that exits 3");
	CHECK(nchld == 1 && chld_code == CLD_EXITED && chld_status == 3 && chld_pid == pid,
	      "SIGCHLD: CLD_EXITED, status 3, its pid (code %d status %d)", chld_code, chld_status);
	pid = fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	kill(pid, SIGTERM);
	waitpid(pid, &st, 0);
	CHECK(chld_code == CLD_KILLED && chld_status == SIGTERM,
	      "SIGCHLD for a killed child: CLD_KILLED, status SIGTERM (code %d)", chld_code);
	set_chld(NULL, SIG_DFL, 0);
}

static void check_zombie_kept(void)
{
	int st;
	pid_t pid = fork();
	if (pid == 0)
		_exit(4);
	struct timespec t = { 0, 100 * 1000 * 1000 };
	nanosleep(&t, NULL);
	CHECK_EQ(kill(pid, 0), 0, "with SIGCHLD at SIG_DFL an exited child still exists (zombie)");
	CHECK(waitpid(pid, &st, 0) == pid && WEXITSTATUS(st) == 4, "and is reaped by waitpid");
	CHECK_ERR(ESRCH, kill(pid, 0), "after which its pid is gone");
}

static void spawn_exiters(int n)
{
	for (int i = 0; i < n; i++)
		if (fork() == 0) {
			struct timespec t = { 0, (i + 1) * 20 * 1000 * 1000 };
			nanosleep(&t, NULL);
			_exit(0);
		}
}

static void check_autoreap(void)
{
	set_chld(NULL, SIG_IGN, 0);
	spawn_exiters(3);
	CHECK_ERR(ECHILD, wait(NULL), "SIGCHLD ignored: wait waits for all, then ECHILD");
	set_chld(on_chld, NULL, SA_NOCLDWAIT);
	spawn_exiters(2);
	CHECK_ERR(ECHILD, wait(NULL), "SA_NOCLDWAIT: the same");
	struct timespec t = { 0, 10 * 1000 * 1000 };
	for (int i = 0; i < 300 && nchld < 2; i++)
		nanosleep(&t, NULL);
	CHECK_EQ(nchld, 2, "and its SIGCHLD handler still ran for each child");
	set_chld(NULL, SIG_DFL, 0);
}

static void raise_sig(void *arg)
{
	raise((int)(long)arg);
}

static void ignore_and_raise(void *arg)
{
	signal((int)(long)arg, SIG_IGN);
	raise((int)(long)arg);
}

static void catch_kill(int sig)
{
	(void)sig;
	_exit(99);
}

static void try_catch_kill(void *arg)
{
	(void)arg;
	signal(SIGKILL, catch_kill); /* fails with EINVAL */
	raise(SIGKILL);
}

static void check_defaults(void)
{
	struct rlimit no_core = { 0, 0 };
	setrlimit(RLIMIT_CORE, &no_core);
	static const struct {
		int sig;
		bool dies;
	} cases[] = { { SIGTERM, true }, { SIGQUIT, true },   { SIGABRT, true },
		      { SIGUSR2, true }, { SIGALRM, true },   { SIGCHLD, false },
		      { SIGURG, false }, { SIGWINCH, false }, { SIGCONT, false } };
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int sig = cases[i].sig;
		int st = ut_fork_wait(raise_sig, (void *)(long)sig);
		if (cases[i].dies)
			CHECK(WIFSIGNALED(st) && WTERMSIG(st) == sig && !WCOREDUMP(st),
			      "default action of %s: terminate, no core flag with RLIMIT_CORE 0 "
			      "(%#x)",
			      strsignal(sig), st);
		else
			CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
			      "default action of %s: ignore (%#x)", strsignal(sig), st);
	}
	int st = ut_fork_wait(ignore_and_raise, (void *)(long)SIGTERM);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "an ignored SIGTERM does nothing");
	st = ut_fork_wait(try_catch_kill, NULL);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "SIGKILL cannot be caught (%#x)", st);
}

int main(void)
{
	check_sigchld_info();
	check_zombie_kept();
	check_autoreap();
	check_defaults();
	return tap_done();
}
