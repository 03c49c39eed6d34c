/*
 * exit_while_thread_exits: a process whose second thread ends with
 * SYS_exit, joined (the kernel clears its tid word and wakes the joiner),
 * after which the process exits at once; a thousand times over. Every
 * child must exit 12.
 * Regression test: umk's do_exit of the thread clears the tid word, then
 * sleeps (releasing its host thread) after it has counted itself out of
 * signal->count; the joined main thread's exit_group then takes the group
 * down and the parent reaps it, freeing signal_struct, and the thread's
 * do_exit resumes with wake_up(&t->signal->wait_chldexit) on freed memory.
 * umk died of SIGSEGV in wake_up, or looped forever in do_group_exit over
 * a corrupted thread list (seen as a hang of tt/threads.dyn under load).
 */
#include "guest.h"
#include <pthread.h>

static void *only_exit(void *arg)
{
	syscall(SYS_exit, 0);
	return arg;
}

int main(void)
{
	int i, st, good = 0, n = 1000;
	pid_t pid;

	test_start();
	for (i = 0; i < n; i++) {
		pid = fork();
		if (pid == 0) {
			pthread_t t;

			pthread_create(&t, NULL, only_exit, NULL);
			pthread_join(t, NULL);
			_exit(12);
		}
		if (waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
		    WEXITSTATUS(st) == 12)
			good++;
	}
	say("children_exited_12: %d of %d", good, n);
	say("DONE exit_while_thread_exits");
	return 0;
}
