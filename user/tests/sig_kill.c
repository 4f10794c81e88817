/*
 * Claim: kill and its relatives address processes, groups and threads as
 * on Linux. kill(pid, 0) tests existence (ESRCH for none); kill(0, sig)
 * reaches the caller's process group, kill(-pgid, sig) another group and
 * only it, kill(-1, 0) finds someone to signal; tgkill and tkill reach one
 * thread with si_code SI_TKILL (and tgkill checks the thread group);
 * sigqueue delivers a value with SI_QUEUE, while rt_sigqueueinfo may not
 * forge si_code >= 0 for another process (EPERM). Process groups and
 * sessions: setpgid, getpgid, getpgrp, setsid, getsid follow setpgid(2)
 * and setsid(2), including their errors.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <tap.h>
#include <time.h>
#include <unistd.h>

#define SIG_READY (SIGRTMIN + 3) /* a child tells its parent it has set itself up */

static volatile int got_sig, got_code, got_val;

static void on_sig(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got_sig = sig;
	got_code = si->si_code;
	got_val = si->si_code == SI_QUEUE ? si->si_value.sival_int : -1;
}

static void catch (int sig)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sig;
	sa.sa_flags = SA_SIGINFO;
	sigaction(sig, &sa, NULL);
}

/* A child that waits for SIGUSR1 (then exits 0) and otherwise pauses; it may join group pgid. */
static pid_t spawn_target(pid_t pgid)
{
	pid_t pid = fork();
	if (pid == 0) {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = _exit;
		sigaction(SIGUSR1, &sa, NULL);
		if (pgid >= 0)
			setpgid(0, pgid);
		kill(getppid(), SIG_READY);
		for (;;)
			pause();
	}
	if (pgid >= 0)
		setpgid(pid, pgid ? pgid : pid); /* both sides, as a shell does */
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIG_READY);
	struct timespec limit = { 20, 0 };
	if (sigtimedwait(&s, NULL, &limit) != SIG_READY)
		tap_bail("a child did not get ready");
	return pid;
}

/* Wait for pid; true if it exited with status code (0: it got SIGUSR1). */
static bool exited_with(pid_t pid, int code)
{
	int st;
	return waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == code;
}

static bool still_running(pid_t pid)
{
	int st;
	struct timespec t = { 0, 100 * 1000 * 1000 };
	nanosleep(&t, NULL);
	return waitpid(pid, &st, WNOHANG) == 0;
}

static void check_kill_basics(void)
{
	CHECK_OK(kill(getpid(), 0), "kill(self, 0)");
	CHECK_ERR(ESRCH, kill(4000000, 0), "kill of a pid nobody has");
	CHECK_ERR(EINVAL, kill(getpid(), -1), "kill with a negative signal");
	pid_t pid = spawn_target(-1);
	CHECK_OK(kill(-1, 0), "kill(-1, 0) finds a process to signal (our child, at least)");
	CHECK_OK(kill(pid, SIGUSR1), "kill a child");
	CHECK(exited_with(pid, SIGUSR1), "which got the signal");
}

static void check_groups(void)
{
	pid_t a = spawn_target(0); /* a leads a new group */
	pid_t b = spawn_target(a); /* b joins it */
	pid_t c = spawn_target(0); /* c leads another */
	CHECK_EQ(getpgid(a), a, "setpgid(child, child) made it a group leader");
	CHECK_EQ(getpgid(b), a, "and another child joined its group");
	CHECK_EQ(getsid(a), getsid(0), "children stay in the caller's session");
	CHECK_OK(kill(-a, SIGUSR1), "kill(-pgid) the first group");
	CHECK(exited_with(a, SIGUSR1) && exited_with(b, SIGUSR1), "both members got it");
	CHECK(still_running(c), "the other group did not");
	CHECK_ERR(ESRCH, kill(-a, 0), "kill(-pgid) of an empty group");
	kill(c, SIGKILL);
	waitpid(c, NULL, 0);
}

/* Runs in a child in its own group: kill(0) reaches itself and its own child. */
static void check_kill_own_group(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		pid_t member = spawn_target(-1); /* SIG_READY is still blocked here: inherited */
		signal(SIGUSR2, SIG_IGN);
		bool ok = kill(0, SIGUSR1) == 0 && exited_with(member, SIGUSR1);
		_exit(ok ? 0 : 1);
	}
	int st;
	waitpid(pid, &st, 0);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR1,
	      "kill(0, sig) reaches the caller itself and its group (%#x)", st);
}

static void check_threads(void)
{
	catch (SIGUSR2);
	got_sig = 0;
	CHECK_OK(syscall(SYS_tgkill, getpid(), gettid(), SIGUSR2), "tgkill(self)");
	CHECK(got_sig == SIGUSR2 && got_code == SI_TKILL, "delivered with SI_TKILL (%d)", got_code);
	got_sig = 0;
	CHECK_OK(syscall(SYS_tkill, gettid(), SIGUSR2), "tkill(self)");
	CHECK_EQ(got_sig, SIGUSR2, "delivered too");
	CHECK_ERR(ESRCH, syscall(SYS_tgkill, getpid() + 100000, gettid(), SIGUSR2),
		  "tgkill with the wrong thread group");
	CHECK_ERR(EINVAL, syscall(SYS_tgkill, getpid(), 0, SIGUSR2), "tgkill of tid 0");
}

static void check_sigqueue(void)
{
	catch (SIGUSR2);
	CHECK_OK(sigqueue(getpid(), SIGUSR2, (union sigval){ .sival_int = 4242 }),
		 "sigqueue(self)");
	CHECK(got_code == SI_QUEUE && got_val == 4242, "SI_QUEUE with the value (%d)", got_val);
	pid_t pid = spawn_target(-1);
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_code = SI_USER; /* pretending to be kill() */
	CHECK_ERR(EPERM, syscall(SYS_rt_sigqueueinfo, pid, SIGUSR1, &si),
		  "rt_sigqueueinfo with si_code SI_USER to another process");
	si.si_code = SI_QUEUE;
	CHECK_OK(syscall(SYS_rt_sigqueueinfo, pid, SIGUSR1, &si), "but SI_QUEUE is allowed");
	CHECK(exited_with(pid, SIGUSR1), "and delivered");
}

static void check_setpgid_errors(void)
{
	CHECK_ERR(EINVAL, setpgid(0, -1), "setpgid to a negative group");
	CHECK_ERR(ESRCH, setpgid(1, 1), "setpgid of a process that is not our child");
	CHECK_ERR(ESRCH, getpgid(4000000), "getpgid of nobody");
	CHECK_ERR(ESRCH, getsid(4000000), "getsid of nobody");
	CHECK_EQ(getpgrp(), getpgid(0), "getpgrp is getpgid(0)");
	pid_t pid = fork();
	if (pid == 0) {
		/* Fresh from fork: not a group leader, so setsid works, once. */
		pid_t sid = setsid();
		int ok = sid == getpid() && getsid(0) == sid && getpgrp() == sid;
		ok = ok && setsid() == -1 && errno == EPERM;
		ok = ok && setpgid(0, 0) == -1 && errno == EPERM; /* a session leader stays put */
		_exit(ok ? 0 : 1);
	}
	CHECK(exited_with(pid, 0),
	      "setsid: new session and group named after the caller; EPERM for a leader");
	pid = spawn_target(-1);
	CHECK_ERR(EPERM, setpgid(pid, 999999), "joining a group that does not exist");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	pid = fork();
	if (pid == 0) {
		setsid();
		for (;;)
			pause();
	}
	struct timespec t = { 0, 100 * 1000 * 1000 };
	nanosleep(&t, NULL);
	CHECK_ERR(EPERM, setpgid(pid, getpgrp()), "moving a child that is in another session");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

int main(void)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIG_READY);
	sigprocmask(SIG_BLOCK, &s, NULL);
	check_kill_basics();
	check_groups();
	check_kill_own_group();
	check_threads();
	check_sigqueue();
	check_setpgid_errors();
	return tap_done();
}
