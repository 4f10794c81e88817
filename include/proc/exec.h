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
