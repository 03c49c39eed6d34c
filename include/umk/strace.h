/*
 * strace: with `umk --strace` (or the boot option `strace`) every guest
 * system call is printed on the host's stderr in strace(1)'s format, one
 * line per call when it returns: "[pid  N] openat(AT_FDCWD, "/etc/passwd",
 * O_RDONLY) = 3" or "= -1 ENOENT (No such file or directory)".
 */
#ifndef UMK_STRACE_H
#define UMK_STRACE_H

struct task;
/* Decode the call's arguments (before it runs: strings are still there). */
void strace_enter(struct task *t, long nr, const unsigned long args[6]);
/* Append the result (and out-parameters such as read's buffer); print. */
void strace_exit(struct task *t, long ret);

#endif
