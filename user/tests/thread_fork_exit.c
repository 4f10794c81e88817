/*
 * Claims: fork() from a multi-threaded process gives a child with one
 * thread (the caller), which runs normally; pthread_exit of one thread
 * leaves the process running; exit_group from any thread ends every thread
 * and the process's status is the one exit_group was given, even when the
 * main thread had already exited with another. A child forked by a thread
 * that then exits stays the process's: its parent is still the process,
 * and the main thread reaps it.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <tap.h>
#include <unistd.h>

static volatile int spin_forever = 1;

static void *spinner(void *arg)
{
	(void)arg;
	while (spin_forever)
		sched_yield();
	return NULL;
}

static void *forker(void *arg)
{
	(void)arg;
	pid_t pid = fork();
	if (pid == 0) {
		/* Only this thread exists here; if the spinner had come along, we could not tell, but
		 * the child must run and exit cleanly. */
		_exit(syscall(SYS_gettid) == getpid() ? 42 : 1);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	return (void *)(long)status;
}

static void *exiter(void *arg)
{
	(void)arg;
	syscall(SYS_exit_group, 7);
	return NULL;
}

static int ppid_pipe[2];

/* Fork a child that reports its parent once this thread is gone, then exit the thread. */
static void *fork_and_leave(void *arg)
{
	(void)arg;
	pid_t pid = fork();
	if (pid == 0) {
		usleep(100 * 1000);
		pid_t ppid = getppid();
		write(ppid_pipe[1], &ppid, sizeof(ppid));
		_exit(5);
	}
	return (void *)(long)pid;
}

static void check_orphan_of_thread(void)
{
	pthread_t th;
	void *child = NULL;
	pipe(ppid_pipe);
	pthread_create(&th, NULL, fork_and_leave, NULL);
	pthread_join(th, &child);
	pid_t ppid = 0;
	read(ppid_pipe[0], &ppid, sizeof(ppid));
	CHECK_EQ(ppid, getpid(), "a child whose forking thread exited has the process as parent");
	int status = 0;
	CHECK_EQ(waitpid((pid_t)(long)child, &status, 0), (pid_t)(long)child,
		 "the main thread reaps it");
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 5, "with its status (%#x)", status);
}

static void *late_exiter(void *arg)
{
	(void)arg;
	usleep(30 * 1000); /* the main thread has exited by then */
	syscall(SYS_exit_group, 9);
	return NULL;
}

int main(void)
{
	pthread_t spin, fk;
	CHECK_EQ(pthread_create(&spin, NULL, spinner, NULL), 0, "start a spinning thread");
	CHECK_EQ(pthread_create(&fk, NULL, forker, NULL), 0, "start a thread that forks");
	void *st = NULL;
	pthread_join(fk, &st);
	CHECK(WIFEXITED((long)st) && WEXITSTATUS((long)st) == 42,
	      "the child of a threaded fork is single-threaded and exits normally (status %#lx)",
	      (long)st);
	spin_forever = 0;
	pthread_join(spin, NULL);
	check_orphan_of_thread();

	pid_t pid = fork();
	if (pid == 0) {
		pthread_t a, b;
		spin_forever = 1;
		pthread_create(&a, NULL, spinner, NULL);
		pthread_create(&b, NULL, exiter, NULL);
		pthread_join(a, NULL); /* never returns: exit_group ends us */
		_exit(1);
	}
	int status = 0;
	CHECK_EQ(waitpid(pid, &status, 0), pid, "reap the process that called exit_group");
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 7,
	      "exit_group(7) from a non-main thread ends all threads with status 7 (%#x)", status);

	pid = fork();
	if (pid == 0) {
		pthread_t a;
		pthread_create(&a, NULL, late_exiter, NULL);
		pthread_exit(NULL); /* a zombie main thread, with status 0 of its own */
	}
	CHECK_EQ(waitpid(pid, &status, 0), pid, "reap the process whose main thread left first");
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 9,
	      "exit_group(9) after the main thread's pthread_exit: status 9 (%#x)", status);
	return tap_done();
}
