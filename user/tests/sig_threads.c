/*
 * Claim: signals and threads meet as on Linux. pthread_kill (tgkill)
 * reaches the thread it names; a signal sent to the process (kill) is
 * handled by a thread that does not block it; a fatal signal, or a fault
 * in any thread, ends the whole process with that signal; a thread blocked
 * in sigwait takes a process-directed signal.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <time.h>
#include <unistd.h>

static volatile pid_t handler_tid;
static volatile pid_t worker_tid;
static volatile int worker_stop;

static void on_sig(int sig)
{
	(void)sig;
	handler_tid = gettid();
}

static void block_all_but(int sig, int keep_unblocked)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	pthread_sigmask(keep_unblocked ? SIG_UNBLOCK : SIG_BLOCK, &s, NULL);
}

static void *worker(void *arg)
{
	(void)arg;
	block_all_but(SIGUSR2, 1); /* the only thread that takes SIGUSR2 */
	worker_tid = gettid();
	while (!worker_stop)
		pause();
	return NULL;
}

static void wait_until(volatile pid_t *v)
{
	struct timespec t = { 0, 5 * 1000 * 1000 };
	for (int i = 0; i < 2000 && !*v; i++)
		nanosleep(&t, NULL);
}

static void check_targeting(void)
{
	pthread_t th;
	signal(SIGUSR1, on_sig);
	signal(SIGUSR2, on_sig);
	block_all_but(SIGUSR2, 0);
	if (pthread_create(&th, NULL, worker, NULL))
		tap_bail("pthread_create");
	wait_until(&worker_tid);
	handler_tid = 0;
	CHECK_EQ(pthread_kill(th, SIGUSR1), 0, "pthread_kill(worker, SIGUSR1)");
	wait_until(&handler_tid);
	CHECK_EQ(handler_tid, worker_tid, "the handler ran in that thread");
	handler_tid = 0;
	CHECK_OK(kill(getpid(), SIGUSR2), "kill(self, SIGUSR2) with only the worker unblocking it");
	wait_until(&handler_tid);
	CHECK_EQ(handler_tid, worker_tid, "the thread that does not block it handled it");
	handler_tid = 0;
	pthread_kill(pthread_self(), SIGUSR1);
	CHECK_EQ(handler_tid, gettid(), "pthread_kill(self) runs the handler in the main thread");
	worker_stop = 1;
	pthread_kill(th, SIGUSR1);
	pthread_join(th, NULL);
	block_all_but(SIGUSR2, 1);
}

static void *sleeper(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static void *faulter(void *arg)
{
	(void)arg;
	*(volatile int *)0 = 1;
	return NULL;
}

/* A process of three threads; the main one does what arg says. */
static void threaded_child(void *arg)
{
	pthread_t a, b;
	pthread_create(&a, NULL, sleeper, NULL);
	if (arg)
		pthread_create(&b, NULL, faulter, NULL);
	pthread_create(&b, NULL, sleeper, NULL);
	for (;;)
		pause();
}

static void check_whole_process(void)
{
	struct rlimit no_core = { 0, 0 };
	setrlimit(RLIMIT_CORE, &no_core);
	int st = ut_fork_wait(threaded_child, (void *)1);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV,
	      "a fault in one thread ends the whole process with SIGSEGV (%#x)", st);
	pid_t pid = fork();
	if (pid == 0)
		threaded_child(NULL);
	struct timespec t = { 0, 100 * 1000 * 1000 };
	nanosleep(&t, NULL);
	kill(pid, SIGTERM);
	waitpid(pid, &st, 0);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM,
	      "SIGTERM to a three-thread process ends all of it (%#x)", st);
}

static void *sigwaiter(void *arg)
{
	sigset_t s;
	int sig = 0;
	(void)arg;
	sigemptyset(&s);
	sigaddset(&s, SIGRTMIN + 2);
	sigwait(&s, &sig);
	return (void *)(long)sig;
}

static void check_sigwait_thread(void)
{
	pthread_t th;
	void *res;
	block_all_but(SIGRTMIN + 2, 0);
	pthread_create(&th, NULL, sigwaiter, NULL);
	struct timespec t = { 0, 50 * 1000 * 1000 };
	nanosleep(&t, NULL);
	kill(getpid(), SIGRTMIN + 2);
	pthread_join(th, &res);
	CHECK_EQ((long)res, SIGRTMIN + 2, "a thread in sigwait takes a signal sent to the process");
}

int main(void)
{
	check_targeting();
	check_whole_process();
	check_sigwait_thread();
	return tap_done();
}
