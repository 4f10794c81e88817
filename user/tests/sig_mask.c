/*
 * Claim: blocking and pending work as on Linux. A blocked signal stays
 * pending (sigpending shows it) and is delivered as soon as it is
 * unblocked; a standard signal raised twice while blocked is delivered
 * once, while real-time signals queue every instance, in order, each with
 * its sigqueue value; lower numbers are delivered first; SIGKILL and
 * SIGSTOP cannot be blocked or caught; ignoring a pending signal discards
 * it; sigsuspend waits with a temporary mask and puts the old one back;
 * sigtimedwait takes a blocked signal with its siginfo, or times out with
 * EAGAIN; bad arguments get EINVAL.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <tap.h>
#include <time.h>
#include <unistd.h>

#define MAXREC 16
static volatile int rec_sig[MAXREC], rec_val[MAXREC], nrec;

static void record(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (nrec < MAXREC) {
		rec_sig[nrec] = sig;
		rec_val[nrec] = si->si_code == SI_QUEUE ? si->si_value.sival_int : -1;
		nrec++;
	}
}

static void catch (int sig)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = record;
	sa.sa_flags = SA_SIGINFO;
	sigfillset(&sa.sa_mask); /* no nesting: handlers run in delivery order */
	sigaction(sig, &sa, NULL);
}

static void block(int sig, int how)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	sigprocmask(how, &s, NULL);
}

static void check_pending(void)
{
	sigset_t p;
	catch (SIGUSR1);
	block(SIGUSR1, SIG_BLOCK);
	nrec = 0;
	raise(SIGUSR1);
	raise(SIGUSR1);
	CHECK_EQ(nrec, 0, "a blocked signal is not delivered");
	sigpending(&p);
	CHECK(sigismember(&p, SIGUSR1), "sigpending shows it");
	block(SIGUSR1, SIG_UNBLOCK);
	CHECK_EQ(nrec, 1, "unblocking delivers it, once for two raises");
	sigpending(&p);
	CHECK(!sigismember(&p, SIGUSR1), "and it is no longer pending");
}

static void check_rt_queue(void)
{
	int rt = SIGRTMIN + 2;
	catch (rt);
	catch (SIGUSR2);
	block(rt, SIG_BLOCK);
	block(SIGUSR2, SIG_BLOCK);
	nrec = 0;
	for (int i = 0; i < 3; i++)
		sigqueue(getpid(), rt, (union sigval){ .sival_int = 100 + i });
	raise(SIGUSR2);
	sigset_t all;
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	CHECK_EQ(nrec, 4, "three queued real-time signals and one standard one are delivered");
	CHECK_EQ(rec_sig[0], SIGUSR2, "the lower-numbered signal first");
	CHECK(rec_sig[1] == rt && rec_val[1] == 100 && rec_val[2] == 101 && rec_val[3] == 102,
	      "then the real-time ones in order, each with its value (%d %d %d)", rec_val[1],
	      rec_val[2], rec_val[3]);
}

static void check_unblockable(void)
{
	sigset_t s, cur;
	sigfillset(&s);
	CHECK_OK(syscall(SYS_rt_sigprocmask, SIG_SETMASK, &s, NULL, 8), "block everything");
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, NULL, &cur, 8);
	CHECK(!sigismember(&cur, SIGKILL) && !sigismember(&cur, SIGSTOP),
	      "except SIGKILL and SIGSTOP, silently");
	sigemptyset(&s);
	sigprocmask(SIG_SETMASK, &s, NULL);
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	CHECK_ERR(EINVAL, sigaction(SIGKILL, &sa, NULL), "SIGKILL cannot be ignored");
	CHECK_ERR(EINVAL, sigaction(SIGSTOP, &sa, NULL), "SIGSTOP cannot be ignored");
	CHECK_ERR(EINVAL, syscall(SYS_rt_sigaction, 0, NULL, NULL, 8), "signal 0 has no action");
	CHECK_ERR(EINVAL, syscall(SYS_rt_sigaction, 65, NULL, NULL, 8), "nor has signal 65");
	CHECK_ERR(EINVAL, syscall(SYS_rt_sigaction, SIGUSR1, NULL, NULL, 4),
		  "a sigset size other than 8");
	CHECK_ERR(EINVAL, syscall(SYS_rt_sigprocmask, 7, &s, NULL, 8), "an unknown 'how'");
	CHECK_ERR(EINVAL, kill(getpid(), 65), "kill with signal 65");
}

static void check_ignore_discards(void)
{
	sigset_t p;
	catch (SIGUSR1);
	block(SIGUSR1, SIG_BLOCK);
	raise(SIGUSR1);
	signal(SIGUSR1, SIG_IGN);
	sigpending(&p);
	CHECK(!sigismember(&p, SIGUSR1), "setting SIG_IGN discards a pending signal");
	raise(SIGUSR1);
	sigpending(&p);
	CHECK(sigismember(&p, SIGUSR1), "but a blocked ignored signal still becomes pending");
	block(SIGUSR1, SIG_UNBLOCK);
	sigpending(&p);
	CHECK(!sigismember(&p, SIGUSR1), "and is dropped when unblocked");
}

static void check_sigsuspend(void)
{
	sigset_t wait_mask, cur;
	catch (SIGUSR1);
	block(SIGUSR1, SIG_BLOCK);
	raise(SIGUSR1);
	nrec = 0;
	sigemptyset(&wait_mask);
	CHECK_ERR(EINTR, sigsuspend(&wait_mask), "sigsuspend returns EINTR after a handler");
	CHECK_EQ(nrec, 1, "the pending signal was delivered inside it");
	sigprocmask(SIG_BLOCK, NULL, &cur);
	CHECK(sigismember(&cur, SIGUSR1), "and the old mask (SIGUSR1 blocked) is back");
	block(SIGUSR1, SIG_UNBLOCK);
}

static void check_sigtimedwait(void)
{
	sigset_t set;
	siginfo_t si;
	struct timespec zero = { 0, 0 }, short_wait = { 0, 20 * 1000 * 1000 };
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	block(SIGUSR2, SIG_BLOCK);
	CHECK_ERR(EAGAIN, sigtimedwait(&set, &si, &zero), "nothing pending: EAGAIN at once");
	CHECK_ERR(EAGAIN, sigtimedwait(&set, &si, &short_wait), "and EAGAIN after 20 ms");
	sigqueue(getpid(), SIGUSR2, (union sigval){ .sival_int = 77 });
	memset(&si, 0, sizeof(si));
	CHECK_EQ(sigtimedwait(&set, &si, &zero), SIGUSR2, "a pending SIGUSR2 is taken");
	CHECK(si.si_signo == SIGUSR2 && si.si_code == SI_QUEUE && si.si_value.sival_int == 77 &&
		  si.si_pid == getpid(),
	      "with its siginfo (code %d value %d)", si.si_code, si.si_value.sival_int);
	sigset_t p;
	sigpending(&p);
	CHECK(!sigismember(&p, SIGUSR2), "and no longer pending");
	block(SIGUSR2, SIG_UNBLOCK);
}

int main(void)
{
	check_pending();
	check_rt_queue();
	check_unblockable();
	check_ignore_discards();
	check_sigsuspend();
	check_sigtimedwait();
	return tap_done();
}
