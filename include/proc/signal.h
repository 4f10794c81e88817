/*
 * Sending signals from kernel code (pipes raise SIGPIPE, exit raises
 * SIGCHLD, the tty raises SIGINT, faults raise SIGSEGV...). Delivery
 * happens at the target's next return to user mode (proc_return_to_user).
 */
#pragma once
#include <types.h>

struct task;

/* Post sig to the process t belongs to. Takes task_lock. 0 or -EINVAL/-ESRCH. */
int signal_send(struct task *t, int sig);
/* Post sig to the calling thread itself (synchronous: SIGPIPE, faults). */
void signal_send_current(int sig);
/* Post sig to every process in process group pgid. 0 or -ESRCH. */
int signal_send_pgrp(int pgid, int sig);
