/*
 * clone_vm_repeated: processes that share their parent's memory, three
 * hundred in a row each way: vfork/_exit/waitpid, and clone(CLONE_VM |
 * SIGCHLD) of a function that returns. Every one must be created and
 * reaped with its status.
 * Regression test: in mode=seccomp about the 22nd such process and every
 * later one failed with EAGAIN ("umk: host clone failed: -11" on umk's
 * stderr).
 */
#include "guest.h"
#include <sched.h>

static char child_stack[64 * 1024] __attribute__((aligned(16)));

static int child_fn(void *arg)
{
	return (int)(long)arg;
}

/* vfork a child that exits with code at once (it never returns from here). */
static __attribute__((noinline)) pid_t spawn(int code)
{
	pid_t pid = vfork();

	if (pid == 0)
		_exit(code);
	return pid;
}

/* clone(CLONE_VM | SIGCHLD): a process in our memory, exiting with code. */
static pid_t spawn_clone_vm(int code)
{
	return clone(child_fn, child_stack + sizeof(child_stack),
		     CLONE_VM | SIGCHLD, (void *)(long)code);
}

static void run(const char *name, pid_t (*make)(int))
{
	int i, st, failed = 0, bad_status = 0, n = 300;
	const char *first = NULL;
	pid_t pid;

	for (i = 0; i < n; i++) {
		pid = make(i & 0x7f);
		if (pid < 0) {
			if (!first)
				first = ename(errno);
			failed++;
			continue;
		}
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != (i & 0x7f))
			bad_status++;
	}
	say("%s: failures=%d of %d (first: %s) wrong_statuses=%d", name,
	    failed, n, first ? first : "none", bad_status);
}

int main(void)
{
	test_start();
	run("vfork", spawn);
	run("clone_vm", spawn_clone_vm);
	say("DONE clone_vm_repeated");
	return 0;
}
