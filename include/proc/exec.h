/* execve: argument gathering and the image switch (proc/exec.c). */
#pragma once
#include <mm/usercopy.h>
#include <types.h>

#define EXEC_ARGS_MAX (256 * 1024) /* bytes of argv+envp strings (Linux: 1/4 of the stack rlimit) */
#define EXEC_MAX_STRINGS 8192

/* argv then envp strings, NUL-terminated and packed in buf. */
struct exec_args {
	char *buf;
	size_t len_bytes;
	int argc, envc;
};

int exec_args_init(struct exec_args *a);
void exec_args_free(struct exec_args *a);
/* Append a NULL-terminated user array of strings (argv or envp). */
int exec_args_copy_user(struct exec_args *a, char *const __user *uvec, bool is_env);
/* Append a NULL-terminated kernel array of strings. */
int exec_args_copy_kernel(struct exec_args *a, char *const kvec[], bool is_env);
/*
 * Replace current's program with the file at path. On success the trap frame
 * enters the new program when the task next returns to user mode; on
 * failure (before the point of no return) the caller's image is untouched.
 */
int do_execve(const char *path, struct exec_args *a);

/*
 * execve in a thread group (proc/exec_group.c). The new image always runs
 * in the thread group leader's task, so the process keeps its pid.
 */

/*
 * Past every check that can fail: kill every other thread of current's
 * process and wait until they have exited. 0, or -EAGAIN if current is
 * being killed itself (another thread's execve or exit_group, or a
 * SIGKILL, came first): it must not exec, and dies on its way out.
 */
int exec_group_kill_others(void);
/*
 * After exec_group_kill_others(): the task to load the new image into.
 * current if it leads its process; else the leader's task, which takes
 * over current's fd table, cwd, signal mask, pending signals, CPU times
 * and children, while current leaves the process to die at its return to
 * user mode.
 */
struct task *exec_group_take_over(void);
/* The new image is in t: if t is not current, start it there. */
void exec_group_start(struct task *t);
/* Is t a thread an execve in another thread of its process is killing? Caller holds task_lock. */
bool exec_group_is_victim_locked(struct task *t);
/* A thread of leader's process exited: wake the execve waiting for that. Caller holds task_lock. */
void exec_group_thread_gone_locked(struct task *leader);
