/*
 * Regression: host stops that arrived for a thread whose task was already
 * released (its last stops, after exit_group took the process down) were
 * kept in umk's table of orphan stops for good. After a few dozen such
 * exits the table was full, and the first stop of a new fork child that
 * came before its parent's fork event was dropped: the child never ran
 * (a hang). A stashed stop now goes when its host thread's exit arrives.
 * The test ends many multi-threaded processes, then forks many children
 * at once that must all run, and reads the kernel log (umk's, through
 * syslog(2)) for the table's overflow warning.
 */
#include "guest.h"
#include <pthread.h>
#include <sys/klog.h>

#define THREADS 8
#define PROCS 60
#define CHILDREN 100

static pthread_barrier_t barrier;

static void *spin(void *arg)
{
	pthread_barrier_wait(&barrier);
	for (;;)
		pause();
	return NULL;
}

int main(void)
{
	int i, j, st, ok = 0;

	for (i = 0; i < PROCS; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			pthread_t th;

			pthread_barrier_init(&barrier, NULL, THREADS + 1);
			for (j = 0; j < THREADS; j++)
				pthread_create(&th, NULL, spin, NULL);
			pthread_barrier_wait(&barrier);
			if (i % 2)
				raise(SIGKILL);
			syscall(SYS_exit_group, 1);
		}
		waitpid(pid, &st, 0);
		ok += i % 2 ? WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL :
			WIFEXITED(st) && WEXITSTATUS(st) == 1;
	}
	say("threaded exits: %d of %d", ok, PROCS);
	ok = 0;
	for (i = 0; i < CHILDREN; i++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(7);
		if (pid < 0)
			break;
	}
	while (wait(&st) > 0)
		ok += WIFEXITED(st) && WEXITSTATUS(st) == 7;
	say("children after: %d of %d", ok, CHILDREN);
	{
		static char log[1 << 20];
		int n = klogctl(3, log, sizeof(log) - 1);	/* READ_ALL */

		log[n > 0 ? n : 0] = 0;
		say("orphan table overflow logged: %s",
		    strstr(log, "orphan stop table full") ? "yes" : "no");
	}
	say("DONE regress_orphan_stops");
	return 0;
}
