/*
 * Claim: clone(CLONE_VM|CLONE_THREAD|...) makes threads, as musl's
 * pthread_create uses it: the threads share one address space, one fd
 * table and one pid (getpid is the group id, gettid differs); mutexes and
 * condition variables (futex WAIT/WAKE) keep shared counters exact;
 * pthread_join sees the thread's exit through CLONE_CHILD_CLEARTID and a
 * futex wake; a thread's exit does not end the process.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <tap.h>
#include <unistd.h>

#define NTHREADS 4
#define NITERS   20000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t turn_cv = PTHREAD_COND_INITIALIZER;
static long counter;
static int turn; /* whose turn in the ping-pong: 0 main, 1 worker */
static pid_t thread_tids[NTHREADS], thread_pids[NTHREADS];

static void *hammer(void *arg)
{
	long idx = (long)arg;
	thread_tids[idx] = (pid_t)syscall(SYS_gettid);
	thread_pids[idx] = getpid();
	for (int i = 0; i < NITERS; i++) {
		pthread_mutex_lock(&lock);
		counter++;
		pthread_mutex_unlock(&lock);
	}
	return (void *)(idx * 10);
}

/* Worker half of a condition-variable ping-pong: every wait needs a real wake. */
static void *pong(void *arg)
{
	(void)arg;
	for (int i = 0; i < 200; i++) {
		pthread_mutex_lock(&lock);
		while (turn != 1)
			pthread_cond_wait(&turn_cv, &lock);
		turn = 0;
		pthread_cond_signal(&turn_cv);
		pthread_mutex_unlock(&lock);
	}
	return NULL;
}

static void check_counters(void)
{
	pthread_t th[NTHREADS];
	for (long i = 0; i < NTHREADS; i++)
		CHECK_EQ(pthread_create(&th[i], NULL, hammer, (void *)i), 0, "pthread_create %ld", i);
	for (long i = 0; i < NTHREADS; i++) {
		void *ret = NULL;
		CHECK_EQ(pthread_join(th[i], &ret), 0, "pthread_join %ld", i);
		CHECK_EQ((long)ret, i * 10, "thread %ld's return value arrives through join", i);
	}
	CHECK_EQ(counter, (long)NTHREADS * NITERS, "a mutex keeps the shared counter exact");
	for (int i = 0; i < NTHREADS; i++) {
		CHECK_EQ(thread_pids[i], getpid(), "thread %d sees the process's pid", i);
		CHECK(thread_tids[i] != getpid(), "thread %d has its own tid", i);
	}
	CHECK_EQ(syscall(SYS_gettid), getpid(), "the main thread's tid is the pid");
}

static void check_condvar(void)
{
	pthread_t th;
	CHECK_EQ(pthread_create(&th, NULL, pong, NULL), 0, "start the ping-pong thread");
	for (int i = 0; i < 200; i++) {
		pthread_mutex_lock(&lock);
		turn = 1;
		pthread_cond_signal(&turn_cv);
		while (turn != 0)
			pthread_cond_wait(&turn_cv, &lock);
		pthread_mutex_unlock(&lock);
	}
	CHECK_EQ(pthread_join(th, NULL), 0, "200 condition-variable round trips complete");
}

static int opened_fd = -1;
static void *open_in_thread(void *arg)
{
	(void)arg;
	opened_fd = open("/dev/null", O_RDONLY);
	return NULL;
}

static void check_shared_fds(void)
{
	pthread_t th;
	pthread_create(&th, NULL, open_in_thread, NULL);
	pthread_join(th, NULL);
	CHECK(opened_fd >= 0, "the thread opened a file");
	CHECK_OK(fcntl(opened_fd, F_GETFD), "an fd opened by a thread is valid in main");
	close(opened_fd);
}

/* Raw clone flag combinations Linux refuses. */
static void check_bad_flags(void)
{
	CHECK_ERR(EINVAL, syscall(SYS_clone, CLONE_THREAD | CLONE_VM, 0, 0, 0, 0),
		  "CLONE_THREAD without CLONE_SIGHAND");
	CHECK_ERR(EINVAL, syscall(SYS_clone, CLONE_SIGHAND, 0, 0, 0, 0),
		  "CLONE_SIGHAND without CLONE_VM");
}

int main(void)
{
	check_counters();
	check_condvar();
	check_shared_fds();
	check_bad_flags();
	return tap_done();
}
