/*
 * Kernel-wide and per-user task limits (Linux kernel/fork.c set_max_threads
 * and copy_process's RLIMIT_NPROC check). max_threads comes from mem= as
 * Linux's threads-max does (a task's kernel stack may take at most an
 * eighth of memory), so the host never sees more guest processes and
 * threads than that; /proc/sys/kernel/threads-max shows it. Zombies count
 * until they are reaped, as in Linux's nr_threads and per-user counts.
 */
#include <umk/sched.h>
#include <umk/mm.h>
#include <umk/resource.h>
#include <umk/limits.h>

#define THREAD_SIZE	16384		/* x86-64's kernel stack */
#define MIN_THREADS	20
#define MAX_THREADS	0x3fffffff	/* FUTEX_TID_MASK */

int max_threads = MIN_THREADS;

void task_limits_init(struct signal_struct *init_signal)
{
	uint64_t threads = totalram_bytes / (8ULL * THREAD_SIZE);

	if (threads < MIN_THREADS)
		threads = MIN_THREADS;
	if (threads > MAX_THREADS)
		threads = MAX_THREADS;
	max_threads = threads;
	/* Linux fork_init: init's NPROC and SIGPENDING are half of it. */
	init_signal->rlim[RLIMIT_NPROC] = (struct rlimit){ threads / 2, threads / 2 };
	init_signal->rlim[RLIMIT_SIGPENDING] = (struct rlimit){ threads / 2,
								threads / 2 };
}

/* Tasks that hold a pid: every thread, zombies until reaped. */
static int nr_threads_of(uid_t uid, bool any)
{
	struct task *t;
	int n = 0;

	list_for_each_entry(t, &task_list, tasks)
		if (any || t->cred->uid == uid)
			n++;
	return n;
}

int task_limits_check(void)
{
	const struct cred *c = current->cred;

	if (nr_threads_of(0, true) >= max_threads)
		return -EAGAIN;
	/* Root (INIT_USER, or CAP_SYS_RESOURCE/CAP_SYS_ADMIN) is exempt. */
	if (c->uid != 0 && !capable(c) &&
	    (rlim_t)nr_threads_of(c->uid, false) >= rlimit(RLIMIT_NPROC))
		return -EAGAIN;
	return 0;
}
