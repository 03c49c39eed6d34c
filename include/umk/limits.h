/*
 * Task limits (kernel/limits.c): the kernel-wide threads-max derived from
 * mem= and the per-user RLIMIT_NPROC, checked by fork.
 */
#ifndef UMK_LIMITS_H
#define UMK_LIMITS_H
struct signal_struct;

/* Most tasks (threads included, zombies until reaped) that may exist:
 * /proc/sys/kernel/threads-max. */
extern int max_threads;
/* Boot: compute max_threads from mem= and give init's RLIMIT_NPROC and
 * RLIMIT_SIGPENDING their Linux defaults (max_threads / 2). */
void task_limits_init(struct signal_struct *init_signal);
/* May the current task make one more task? 0, or -EAGAIN when the kernel
 * is at threads-max or the caller's real uid at RLIMIT_NPROC (root is
 * exempt from the latter), as Linux copy_process. */
int task_limits_check(void);
#endif
