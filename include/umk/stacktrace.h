/*
 * Kernel stack traces of tasks (arch/um/kernel/stacktrace.c), for the
 * mconsole's `stack PID` and sysrq t (Linux's show_stack, sched_show_task).
 */
#ifndef UMK_STACKTRACE_H
#define UMK_STACKTRACE_H

#include <umk/sched.h>

/* ps(1)'s state letter of t: R (runnable, or its host thread runs guest
 * code), S (interruptible sleep), D (uninterruptible), T (stopped), Z
 * (dead). */
char task_state_char(const struct task *t);
/*
 * The trace of t's kernel stack while t is switched out, as lines of text
 * into buf (NUL-terminated, at most len - 1 bytes; returns the length).
 * The first line is the exact return address of switch_to; the others
 * are words on the stack that point just after a call instruction in
 * umk's text, marked "? " as Linux marks unreliable entries. Each entry is
 * "func+0xoff/0xsize", or the bare address when no symbol covers it.
 */
size_t show_task_stack(struct task *t, char *buf, size_t len);

#endif
