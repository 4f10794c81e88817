/*
 * Starting PID 1: a task begins in the kernel, execs /sbin/init with
 * argv/envp built from kernel strings, and then returns to user mode
 * like any task after an execve.
 */
#include <fs/fdtable.h>
#include <fs/fs_struct.h>
#include <fs/vfs.h>
#include <lib/printk.h>
#include <lib/string.h>
#include <proc/exec.h>
#include <proc/task.h>

void rlimits_init(struct task *t);

static const char *init_path;
static char *const *init_argv, *const *init_envp;

/* Kernel body of PID 1 until its first exec succeeds. */
static void init_task_main(void *arg)
{
	(void)arg;
	struct exec_args a;
	int r = exec_args_init(&a);
	if (!r)
		r = exec_args_copy_kernel(&a, init_argv, false);
	if (!r)
		r = exec_args_copy_kernel(&a, init_envp, true);
	if (!r)
		r = do_execve(init_path, &a);
	exec_args_free(&a);
	if (r)
		panic("cannot run %s: error %d", init_path, r);
}

void task_start_init(const char *path, char *const argv[], char *const envp[])
{
	struct task *t = task_alloc();
	if (!t)
		panic("no memory for init");
	init_path = path;
	init_argv = argv;
	init_envp = envp;
	rlimits_init(t);
	t->files = files_alloc();
	t->fs = fs_alloc();
	if (!t->files || !t->fs || files_open_console(t->files) < 0)
		panic("cannot give init its files and console");
	strlcpy(t->comm, "init", sizeof(t->comm));
	task_setup_start(t, init_task_main, NULL);
	sched_make_runnable(t);
}
