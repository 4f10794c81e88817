/*
 * Claims: execve from a multi-threaded process behaves as on Linux. Every
 * other thread is killed first, busy or blocked (futex wait, pipe read,
 * nanosleep, vfork): none runs user code again, and the new image starts
 * with one thread. Whichever thread execs, the new image runs as the old
 * process: getpid() is the old pid, gettid() == getpid(), the parent is
 * the same, and the parent's wait sees one exit and no SIGCHLD before it,
 * even when the main thread had already exited. Two threads exec at once:
 * one image runs, the other thread just dies. The exec'ing thread's signal
 * mask and pending signals survive, and so do the process's pending
 * signals; the old main thread's own pending signals do not; caught
 * signals go back to SIG_DFL, ignored ones stay ignored; the exit signal
 * becomes SIGCHLD. Killed threads still clear their clear_child_tid word,
 * and their children are inherited by the new image. After many rounds
 * MemFree is back at its baseline.
 *
 * The new image is this program run with "--image": it reports what it
 * sees through a pipe, then waits for a byte on another before it exits.
 */
#define _GNU_SOURCE
#include <cowutil.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <time.h>
#include <unistd.h>

#define FUTEX_WAIT_PRIVATE 128 /* FUTEX_WAIT | FUTEX_PRIVATE_FLAG */
#define LEAK_TAG	   100 /* a report from a thread that ran on after it should have died */
#define EXIT_BASE	   40  /* the image exits with EXIT_BASE + its tag */
#define VFORK_STATUS	   7

/* What the new image saw, written in one piece to the report pipe. */
struct report {
	int tag;
	pid_t pid, tid, ppid;
	int threads; /* from /proc/self/status, -1 if unreadable */
	unsigned long blocked, pending;
	int usr1_dfl, pipe_ign;
	int child_status; /* an inherited child's wait status; -1 none, -2 not asked */
};

/* The run's shared state, set before the threads start. */
static const char *self_path;
static int report_fd, go_fd;
static volatile int start_flag;
static volatile unsigned long spin_count;
static int futex_word;
static pid_t *shared_ctid; /* in a MAP_SHARED page the test's parent also sees */

static unsigned long sigbit(int sig)
{
	return 1ul << (sig - 1);
}

/* ---- the new image ------------------------------------------------------ */

static int proc_threads(void)
{
	char buf[4096];
	if (ut_read_file("/proc/self/status", buf, sizeof(buf)) < 0)
		return -1;
	char *p = strstr(buf, "Threads:");
	return p ? atoi(p + 8) : -1;
}

/* Reap a child this image inherited (waiting up to 5 s); its status or -1. */
static int reap_inherited(void)
{
	int st;
	for (int i = 0; i < 500; i++) {
		if (waitpid(-1, &st, WNOHANG) > 0)
			return st;
		ut_sleep_ms(10);
	}
	return -1;
}

static int image_main(char **argv)
{
	struct report r = { .tag = atoi(argv[4]), .child_status = -2 };
	sigset_t set;
	struct sigaction sa;
	r.pid = getpid();
	r.tid = gettid();
	r.ppid = getppid();
	r.threads = proc_threads();
	sigprocmask(SIG_BLOCK, NULL, &set);
	memcpy(&r.blocked, &set, sizeof(r.blocked));
	sigpending(&set);
	memcpy(&r.pending, &set, sizeof(r.pending));
	sigaction(SIGUSR1, NULL, &sa);
	r.usr1_dfl = sa.sa_handler == SIG_DFL;
	sigaction(SIGPIPE, NULL, &sa);
	r.pipe_ign = sa.sa_handler == SIG_IGN;
	if (!strcmp(argv[5], "reap"))
		r.child_status = reap_inherited();
	int out = atoi(argv[2]), in = atoi(argv[3]);
	write(out, &r, sizeof(r));
	char c;
	read(in, &c, 1);
	return EXIT_BASE + r.tag;
}

/* ---- the threaded process ------------------------------------------------ */

/* Tell the parent a thread ran user code after the exec killed it. */
static void report_leak(int what)
{
	struct report r = { .tag = LEAK_TAG + what };
	write(report_fd, &r, sizeof(r));
}

static void do_exec(int tag, const char *mode)
{
	char out[16], in[16], tagbuf[16];
	snprintf(out, sizeof(out), "%d", report_fd);
	snprintf(in, sizeof(in), "%d", go_fd);
	snprintf(tagbuf, sizeof(tagbuf), "%d", tag);
	char *args[] = { (char *)self_path, "--image", out, in, tagbuf, (char *)mode, NULL };
	execv(self_path, args);
	report_leak(50 + tag); /* a failed exec (or a loser that came back) */
}

static void *spinner(void *arg)
{
	(void)arg;
	for (;;)
		spin_count++;
	return NULL;
}

static void *futex_waiter(void *arg)
{
	(void)arg;
	syscall(SYS_futex, &futex_word, FUTEX_WAIT_PRIVATE, 0, NULL);
	report_leak(1);
	return NULL;
}

static void *pipe_reader(void *arg)
{
	int *fds = arg;
	char c;
	read(fds[0], &c, 1);
	report_leak(2);
	return NULL;
}

static void *sleeper(void *arg)
{
	(void)arg;
	struct timespec ts = { 30, 0 };
	nanosleep(&ts, NULL);
	report_leak(3);
	return NULL;
}

static void start(void *(*fn)(void *), void *arg)
{
	pthread_t th;
	if (pthread_create(&th, NULL, fn, arg))
		_exit(99);
	pthread_detach(th);
}

/* Spinners and one thread blocked in each of futex wait, pipe read and nanosleep. */
static void start_crowd(int spinners)
{
	static int fds[2];
	if (pipe2(fds, O_CLOEXEC))
		_exit(98);
	for (int i = 0; i < spinners; i++)
		start(spinner, NULL);
	start(futex_waiter, NULL);
	start(pipe_reader, fds);
	start(sleeper, NULL);
}

/* A raw thread whose clear_child_tid word is in the shared page: it only waits. */
static int cleartid_thread(void *arg)
{
	(void)arg;
	for (;;)
		syscall(SYS_futex, &futex_word, FUTEX_WAIT_PRIVATE, 0, NULL);
	return 0;
}

static void start_cleartid_thread(void)
{
	static char stack[64 * 1024] __attribute__((aligned(16)));
	int flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
		    CLONE_SYSVSEM | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID;
	if (clone(cleartid_thread, stack + sizeof(stack), flags, NULL, NULL, NULL, shared_ctid) < 0)
		_exit(97);
	while (!__atomic_load_n(shared_ctid, __ATOMIC_ACQUIRE))
		sched_yield();
}

/* Scenario: the main thread execs while others spin or block. */
static void leader_execs(void)
{
	start_crowd(3);
	start_cleartid_thread();
	ut_sleep_ms(30); /* let the blocked ones block */
	do_exec(1, "-");
}

static void *exec_from_thread(void *arg)
{
	pid_t main_tid = *(pid_t *)arg;
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &s, NULL); /* unlike the main thread */
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &s, NULL);
	syscall(SYS_tgkill, getpid(), gettid(), SIGUSR2); /* pending for this thread */
	syscall(SYS_tgkill, getpid(), main_tid, SIGUSR1); /* pending for the main thread */
	kill(getpid(), SIGTERM);			  /* pending for the process */
	ut_sleep_ms(30);
	do_exec(2, "-");
	return NULL;
}

static void on_usr1(int sig)
{
	(void)sig;
}

/*
 * Scenario: a non-main thread execs while the main thread waits for it
 * (blocking SIGUSR1, with SIGUSR1 pending for it alone).
 */
static void thread_execs(void)
{
	sigset_t s;
	signal(SIGUSR1, on_usr1);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&s);
	sigaddset(&s, SIGTERM);
	sigprocmask(SIG_BLOCK, &s, NULL); /* every thread blocks SIGTERM */
	start_crowd(2);
	static pid_t main_tid;
	main_tid = gettid();
	pthread_t th;
	sigaddset(&s, SIGUSR1);
	sigprocmask(SIG_BLOCK, &s, NULL);
	if (pthread_create(&th, NULL, exec_from_thread, &main_tid))
		_exit(99);
	pthread_join(th, NULL);
	report_leak(4);
}

static void *exec_after_main_left(void *arg)
{
	(void)arg;
	ut_sleep_ms(50); /* the main thread has called pthread_exit by then */
	do_exec(3, "-");
	return NULL;
}

/* Scenario: the main thread has already exited when another thread execs. */
static void main_gone_thread_execs(void)
{
	start_crowd(1);
	start(exec_after_main_left, NULL);
	pthread_exit(NULL);
}

static void *racer(void *arg)
{
	int tag = (int)(long)arg;
	while (!start_flag)
		;
	do_exec(tag, "-");
	return NULL;
}

/* Scenario: two threads exec at the same moment. */
static void two_threads_exec(void)
{
	start_crowd(1);
	start(racer, (void *)4l);
	start(racer, (void *)5l);
	ut_sleep_ms(30);
	start_flag = 1;
	for (;;)
		pause();
}

static int vfork_child(void *arg)
{
	(void)arg;
	struct timespec ts = { 1, 0 }; /* well past the exec */
	syscall(SYS_nanosleep, &ts, NULL);
	syscall(SYS_exit, VFORK_STATUS);
	return 0;
}

static void *vforker(void *arg)
{
	static char stack[64 * 1024] __attribute__((aligned(16)));
	(void)arg;
	start_flag = 1;
	clone(vfork_child, stack + sizeof(stack), CLONE_VM | CLONE_VFORK | SIGCHLD, NULL);
	report_leak(5);
	return NULL;
}

/* Scenario: a thread is blocked in vfork when the main thread execs. */
static void exec_during_vfork(void)
{
	start(vforker, NULL);
	while (!start_flag)
		sched_yield();
	ut_sleep_ms(30);
	do_exec(6, "reap");
}

/* ---- the test's side ----------------------------------------------------- */

struct run {
	pid_t pid;
	int report[2], go[2];
};

/* Fork a child running scenario fn with the pipes set up. */
static void run_start(struct run *run, void (*fn)(void))
{
	fflush(NULL);
	if (pipe(run->report) || pipe(run->go))
		tap_bail("pipe: %s", strerror(errno));
	run->pid = fork();
	if (run->pid < 0)
		tap_bail("fork: %s", strerror(errno));
	if (run->pid == 0) {
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		report_fd = run->report[1];
		go_fd = run->go[0];
		close(run->report[0]);
		close(run->go[1]);
		fn();
		_exit(96);
	}
	close(run->report[1]);
	close(run->go[0]);
}

/* Read one record (waiting up to 10 s); false at EOF or timeout. */
static bool read_record(int fd, struct report *r)
{
	struct timeval tv = { 10, 0 };
	fd_set set;
	FD_ZERO(&set);
	FD_SET(fd, &set);
	if (select(fd + 1, &set, NULL, NULL, &tv) != 1)
		return false;
	return read(fd, r, sizeof(*r)) == sizeof(*r);
}

static bool sigchld_pending(void)
{
	sigset_t s;
	sigpending(&s);
	return sigismember(&s, SIGCHLD);
}

static void sigchld_consume(void)
{
	sigset_t s;
	struct timespec zero = { 0, 0 };
	sigemptyset(&s);
	sigaddset(&s, SIGCHLD);
	while (sigtimedwait(&s, NULL, &zero) > 0)
		;
}

/*
 * The common checks: one report from the image, as the old process with
 * one thread, no event for the parent until it is told to exit, then one
 * exit with its code and nothing more. Fills *r; returns whether all held.
 */
static bool run_finish(struct run *run, const char *what, struct report *r, bool quiet)
{
	bool ok = true;
	memset(r, 0, sizeof(*r));
	bool got = read_record(run->report[0], r);
	if (quiet) {
		ok = got && r->tag < LEAK_TAG && r->pid == run->pid && r->tid == run->pid;
	} else {
		CHECK(got && r->tag < LEAK_TAG, "%s: the new image reports (tag %d)", what, r->tag);
		CHECK_EQ(r->pid, run->pid, "%s: getpid() is the old pid", what);
		CHECK_EQ(r->tid, r->pid, "%s: gettid() == getpid()", what);
		CHECK_EQ(r->ppid, getpid(), "%s: the parent is unchanged", what);
		if (r->threads < 0)
			tap_skip("no /proc/self/status", "%s: one thread left", what);
		else
			CHECK_EQ(r->threads, 1, "%s: one thread left", what);
		ok &= CHECK(!sigchld_pending(), "%s: no SIGCHLD while the image runs", what);
	}
	write(run->go[1], "x", 1);
	int st = 0;
	pid_t w = waitpid(run->pid, &st, 0);
	bool exited = w == run->pid && WIFEXITED(st) && WEXITSTATUS(st) == EXIT_BASE + r->tag;
	struct report extra = { 0 };
	bool has_extra = read_record(run->report[0], &extra);
	int again = waitpid(-1, &st, WNOHANG);
	if (quiet) {
		ok &= exited && !has_extra && again < 0;
	} else {
		CHECK(exited, "%s: the parent reaps one exit with the image's code (%#x)", what,
		      st);
		CHECK(!has_extra, "%s: no killed thread ran again (tag %d)", what, extra.tag);
		CHECK(again < 0 && errno == ECHILD, "%s: nothing else to reap", what);
	}
	sigchld_consume();
	close(run->report[0]);
	close(run->go[1]);
	return ok;
}

static void check_leader_execs(void)
{
	struct run run;
	struct report r;
	*shared_ctid = 0;
	run_start(&run, leader_execs);
	run_finish(&run, "main thread execs", &r, false);
	CHECK_EQ(*shared_ctid, 0, "a killed thread's clear_child_tid word was cleared");
}

static void check_thread_execs(void)
{
	struct run run;
	struct report r;
	run_start(&run, thread_execs);
	run_finish(&run, "another thread execs", &r, false);
	unsigned long want = sigbit(SIGTERM) | sigbit(SIGUSR2);
	CHECK_EQ(r.blocked & (want | sigbit(SIGUSR1)), want,
		 "the exec'ing thread's signal mask is kept, not the main thread's");
	CHECK_EQ(
	    r.pending & (want | sigbit(SIGUSR1)), want,
	    "its pending and the process's pending signals are kept, the main thread's are not");
	CHECK(r.usr1_dfl, "a caught signal is back to SIG_DFL");
	CHECK(r.pipe_ign, "an ignored signal stays ignored");
}

static void check_main_gone(void)
{
	struct run run;
	struct report r;
	run_start(&run, main_gone_thread_execs);
	run_finish(&run, "a thread execs after the main thread exited", &r, false);
}

static void check_two_exec(void)
{
	struct run run;
	struct report r;
	run_start(&run, two_threads_exec);
	run_finish(&run, "two threads exec at once", &r, false);
	CHECK(r.tag == 4 || r.tag == 5, "one of the two images runs (tag %d)", r.tag);
}

static void check_vfork_victim(void)
{
	struct run run;
	struct report r;
	run_start(&run, exec_during_vfork);
	run_finish(&run, "exec while a thread waits in vfork", &r, false);
	CHECK(r.child_status >= 0 && WIFEXITED(r.child_status) &&
		  WEXITSTATUS(r.child_status) == VFORK_STATUS,
	      "the new image inherits the killed thread's vfork child and reaps it (%#x)",
	      r.child_status);
}

static int exit_signal_child(void *arg)
{
	(void)arg;
	char *args[] = { (char *)self_path, "--exit", NULL };
	execv(self_path, args);
	_exit(95);
}

static void check_exit_signal(void)
{
	static char stack[64 * 1024] __attribute__((aligned(16)));
	sigset_t s;
	fflush(NULL);
	pid_t pid = clone(exit_signal_child, stack + sizeof(stack), SIGUSR1, NULL);
	if (pid < 0)
		tap_bail("clone: %s", strerror(errno));
	int st = 0;
	CHECK_EQ(waitpid(pid, &st, __WALL), pid, "reap a child cloned with exit signal SIGUSR1");
	sigpending(&s);
	CHECK(sigismember(&s, SIGCHLD) && !sigismember(&s, SIGUSR1),
	      "after its execve it ended with SIGCHLD, not SIGUSR1");
	sigchld_consume();
}

/* Rounds of the main- and other-thread scenarios: nothing may stay behind. */
static void check_memfree(void)
{
	long baseline = cow_memfree_baseline();
	int good = 0;
	for (int i = 0; i < 8; i++) {
		struct run run;
		struct report r;
		run_start(&run, i % 2 ? thread_execs : leader_execs);
		good += run_finish(&run, "round", &r, true);
	}
	CHECK_EQ(good, 8, "8 more threaded execs, all as above");
	cow_check_memfree_back(baseline, 512, "after 8 threaded execs");
}

int main(int argc, char **argv)
{
	if (argc == 6 && !strcmp(argv[1], "--image"))
		return image_main(argv);
	if (argc == 2 && !strcmp(argv[1], "--exit"))
		return 0;
	self_path = argv[0];
	shared_ctid =
	    mmap(NULL, UT_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared_ctid == MAP_FAILED)
		tap_bail("mmap: %s", strerror(errno));
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGCHLD);
	sigaddset(&s, SIGUSR1);
	sigprocmask(SIG_BLOCK, &s, NULL); /* to see which are sent */
	check_leader_execs();
	check_thread_execs();
	check_main_gone();
	check_two_exec();
	check_vfork_victim();
	check_exit_signal();
	check_memfree();
	return tap_done();
}
