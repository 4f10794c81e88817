/*
 * Claim: job-control stops work as on Linux. SIGSTOP stops a child, which
 * its parent sees with waitpid(WUNTRACED) as WIFSTOPPED/WSTOPSIG and
 * through a SIGCHLD with CLD_STOPPED; SIGCONT resumes it, seen with
 * WCONTINUED and CLD_CONTINUED; SA_NOCLDSTOP suppresses those SIGCHLDs;
 * a stopped child still dies of SIGKILL. SIGTSTP stops a child in its own
 * process group but is discarded in an orphaned group (a new session),
 * and SIGTSTP with a handler is caught. waitid reports the same events
 * (WSTOPPED, WCONTINUED, WEXITED, WNOWAIT leaves the child waitable). A
 * system call blocked in a stopped child resumes after SIGCONT instead of
 * failing with EINTR.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <tap.h>
#include <time.h>
#include <unistd.h>

static volatile int chld_codes[8], nchld;

static void on_chld(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	if (nchld < 8)
		chld_codes[nchld++] = si->si_code;
}

static void set_chld(int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_chld;
	sa.sa_flags = SA_SIGINFO | SA_RESTART | flags;
	sigaction(SIGCHLD, &sa, NULL);
	nchld = 0;
}

/* Give SIGCHLDs up to ms milliseconds to reach count n. */
static void wait_for_chld(int n, int ms)
{
	struct timespec t = { 0, 10 * 1000 * 1000 };
	for (int i = 0; i < ms / 10 && nchld < n; i++)
		nanosleep(&t, NULL);
}

static pid_t spawn_pauser(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	if (pid < 0)
		tap_bail("fork failed");
	return pid;
}

static void finish(pid_t pid)
{
	int st;
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
}

static void check_stop_continue(void)
{
	int st = 0;
	set_chld(0);
	pid_t pid = spawn_pauser();
	CHECK_OK(kill(pid, SIGSTOP), "SIGSTOP the child");
	CHECK_EQ(waitpid(pid, &st, WUNTRACED), pid, "waitpid(WUNTRACED) reports it");
	CHECK(WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP, "as stopped by SIGSTOP (%#x)", st);
	CHECK(nchld == 1 && chld_codes[0] == CLD_STOPPED, "SIGCHLD came with CLD_STOPPED");
	CHECK_EQ(waitpid(pid, &st, WUNTRACED | WNOHANG), 0, "a stop is reported only once");
	CHECK_OK(kill(pid, SIGCONT), "SIGCONT it");
	CHECK_EQ(waitpid(pid, &st, WCONTINUED), pid, "waitpid(WCONTINUED) reports it");
	CHECK(WIFCONTINUED(st), "as continued (%#x)", st);
	wait_for_chld(2, 5000); /* Linux sends this one when the child next runs */
	CHECK(nchld == 2 && chld_codes[1] == CLD_CONTINUED, "SIGCHLD came with CLD_CONTINUED");
	kill(pid, SIGSTOP);
	waitpid(pid, &st, WUNTRACED);
	CHECK_OK(kill(pid, SIGKILL), "SIGKILL the stopped child");
	CHECK(waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
	      "it dies of SIGKILL while stopped (%#x)", st);
}

static void check_nocldstop(void)
{
	int st;
	set_chld(SA_NOCLDSTOP);
	pid_t pid = spawn_pauser();
	kill(pid, SIGSTOP);
	waitpid(pid, &st, WUNTRACED);
	kill(pid, SIGCONT);
	waitpid(pid, &st, WCONTINUED);
	wait_for_chld(1, 300);
	CHECK_EQ(nchld, 0, "SA_NOCLDSTOP: no SIGCHLD for stop or continue");
	finish(pid);
	CHECK(nchld == 1 && chld_codes[0] == CLD_KILLED, "but one for the death (CLD_KILLED)");
	signal(SIGCHLD, SIG_DFL);
}

static void exit_7(int sig)
{
	(void)sig;
	_exit(7);
}

/* Child: move to its own group or session, then tell the parent with SIGUSR1. */
static pid_t spawn_ready(bool new_session)
{
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGRTMIN + 1, exit_7);
		if (new_session)
			setsid();
		else
			setpgid(0, 0);
		kill(getppid(), SIGUSR1);
		for (;;)
			pause();
	}
	siginfo_t si;
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	struct timespec limit = { 20, 0 };
	if (sigtimedwait(&s, &si, &limit) != SIGUSR1)
		tap_bail("the child did not get ready");
	return pid;
}

static void check_tstp(void)
{
	int st = 0;
	pid_t pid = spawn_ready(false);
	kill(pid, SIGTSTP);
	CHECK(waitpid(pid, &st, WUNTRACED) == pid && WIFSTOPPED(st) && WSTOPSIG(st) == SIGTSTP,
	      "SIGTSTP stops a child in its own process group (%#x)", st);
	finish(pid);

	pid = spawn_ready(true);
	kill(pid, SIGTSTP);
	kill(pid, SIGRTMIN + 1); /* taken after SIGTSTP: exits 7 unless stopped */
	CHECK(waitpid(pid, &st, WUNTRACED) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 7,
	      "SIGTSTP is discarded in an orphaned process group (%#x)", st);
	if (WIFSTOPPED(st))
		finish(pid);
}

static volatile int tstp_caught;
static void on_tstp(int sig)
{
	(void)sig;
	tstp_caught++;
}

static void check_tstp_caught(void)
{
	signal(SIGTSTP, on_tstp);
	raise(SIGTSTP);
	CHECK_EQ(tstp_caught, 1, "SIGTSTP with a handler is caught, not a stop");
	signal(SIGTSTP, SIG_DFL);
}

static void check_waitid(void)
{
	siginfo_t si;
	pid_t pid = spawn_pauser();
	kill(pid, SIGSTOP);
	memset(&si, 0, sizeof(si));
	CHECK_OK(waitid(P_PID, pid, &si, WSTOPPED), "waitid(WSTOPPED)");
	CHECK(si.si_signo == SIGCHLD && si.si_code == CLD_STOPPED && si.si_pid == pid &&
		  si.si_status == SIGSTOP,
	      "reports CLD_STOPPED with si_status SIGSTOP (code %d status %d)", si.si_code,
	      si.si_status);
	kill(pid, SIGCONT);
	memset(&si, 0, sizeof(si));
	CHECK_OK(waitid(P_PID, pid, &si, WCONTINUED), "waitid(WCONTINUED)");
	CHECK(si.si_code == CLD_CONTINUED && si.si_status == SIGCONT, "reports CLD_CONTINUED");
	memset(&si, 0xff, sizeof(si));
	CHECK_OK(waitid(P_PID, pid, &si, WEXITED | WNOHANG), "waitid(WNOHANG) on a live child");
	CHECK_EQ(si.si_pid, 0, "sets si_pid to 0 when nothing happened");
	kill(pid, SIGTERM);
	CHECK_OK(waitid(P_PID, pid, &si, WEXITED | WNOWAIT), "waitid(WEXITED | WNOWAIT)");
	CHECK(si.si_code == CLD_KILLED && si.si_status == SIGTERM, "reports CLD_KILLED by SIGTERM");
	CHECK_OK(waitid(P_ALL, 0, &si, WEXITED), "the child is still there to reap");
	CHECK_EQ(si.si_pid, pid, "and it is the same child");
	CHECK_ERR(ECHILD, waitid(P_ALL, 0, &si, WEXITED), "then there is none left");
	CHECK_ERR(EINVAL, waitid(P_ALL, 0, &si, WNOHANG), "waitid without an event to wait for");
	CHECK_ERR(EINVAL, waitid(99, 0, &si, WEXITED), "waitid with a bad idtype");
}

/* Child of the child: exits when told (SIGUSR2) so its parent's wait4 has something to wait for. */
static void check_restart_after_stop(void)
{
	int st = 0;
	pid_t pid = fork();
	if (pid == 0) {
		pid_t gc = fork();
		if (gc == 0) {
			struct timespec t = { 0, 300 * 1000 * 1000 };
			nanosleep(&t, NULL);
			_exit(5);
		}
		int s = 0;
		pid_t r = waitpid(gc, &s, 0); /* blocked here while stopped and continued */
		_exit(r == gc && WIFEXITED(s) && WEXITSTATUS(s) == 5 ? 0 : 1);
	}
	struct timespec t = { 0, 50 * 1000 * 1000 };
	nanosleep(&t, NULL);
	kill(pid, SIGSTOP);
	waitpid(pid, &st, WUNTRACED);
	kill(pid, SIGCONT);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "a waitpid stopped and continued mid-wait resumes, no EINTR (%#x)", st);
}

int main(void)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigprocmask(SIG_BLOCK, &s, NULL); /* readiness signals are taken with sigtimedwait */
	check_stop_continue();
	check_nocldstop();
	check_tstp();
	check_tstp_caught();
	check_waitid();
	check_restart_after_stop();
	return tap_done();
}
