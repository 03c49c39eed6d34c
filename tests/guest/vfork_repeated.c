/*
 * vfork_repeated: three hundred vfork/_exit/waitpid in a row. Every vfork
 * must succeed and every child must be reaped with its status.
 * Regression test: in mode=seccomp the 23rd vfork or so failed with
 * EAGAIN ("umk: host clone failed: -11" on umk's stderr) and every later
 * one too.
 */
#include "guest.h"

/* vfork a child that exits with code at once (it never returns from here). */
static __attribute__((noinline)) pid_t spawn(int code)
{
	pid_t pid = vfork();

	if (pid == 0)
		_exit(code);
	return pid;
}

int main(void)
{
	int i, st, failed = 0, first = -1, bad_status = 0, n = 300;
	pid_t pid;

	test_start();
	for (i = 0; i < n; i++) {
		pid = spawn(i & 0x7f);
		if (pid < 0) {
			if (first < 0)
				say("first_failure: %s", ename(errno));
			first = i;
			failed++;
			continue;
		}
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != (i & 0x7f))
			bad_status++;
	}
	say("vfork_failures: %d of %d", failed, n);
	say("wrong_statuses: %d", bad_status);
	say("DONE vfork_repeated");
	return 0;
}
