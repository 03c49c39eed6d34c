/*
 * Syscall handlers: long sys_NAME(args...) for every entry of
 * syscall_list.h, each defined in the file the list names with its real
 * argument types (int, unsigned long, struct uptr for a guest pointer...).
 * A handler returns the result or a negative errno; the mode engine writes it
 * into the guest's rax in exactly one place. Handlers run on the calling
 * task's kernel stack with `current` set, and may sleep.
 */
#ifndef UMK_SYSCALLS_H
#define UMK_SYSCALLS_H

#include <umk/kernel.h>

#define SYSCALL(name, file, support, note) long sys_##name();
#include <umk/syscall_list.h>
#undef SYSCALL

/* Dispatch the syscall nr with its six raw arguments; -ENOSYS (logged once
 * by number) for anything not in the list. */
long do_syscall(long nr, const unsigned long args[6]);
/* The name of syscall nr, or NULL. */
const char *syscall_name(long nr);

#endif
