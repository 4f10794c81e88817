/*
 * Leaving the machine. Under QEMU (tools/qrun, make run) the exit status is
 * reported on COM2 as "exit N" (qrun turns it into its own exit status) and
 * the machine powers off through ACPI, which makes QEMU exit 0. A panic
 * reports "panic" and leaves through isa-debug-exit, which QEMU turns into a
 * non-zero status even without qrun.
 */
#pragma once
#include <types.h>

__noreturn void machine_poweroff(int status);
__noreturn void machine_panic_exit(void);
