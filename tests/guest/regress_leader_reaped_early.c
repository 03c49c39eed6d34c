/*
 * Regression: when a thread's exit_group (or a fatal signal) ended a
 * process, another thread could still be inside do_exit, asleep while its
 * host thread was taken down, when the leader died last and its parent
 * reaped it; the thread then unlinked itself from the freed leader's
 * thread list and woke a wait queue in the freed signal struct (a
 * heap-use-after-free in umk, seen by the sanitizer build). A zombie
 * leader is now reaped only once its other threads are gone, as Linux's
 * delay_group_leader. Each case is repeated, reaped at once, by wait4 and
 * by SIGCHLD auto-reaping.
 */
#include "guest.h"
#include <pthread.h>

#define THREADS 6
#define ROUNDS 40

static pthread_barrier_t barrier;

static void *spin(void *arg)
{
	pthread_barrier_wait(&barrier);
	for (;;)
		pause();
	return NULL;
}

static void *exiter(void *arg)
{
	pthread_barrier_wait(&barrier);
	syscall(SYS_exit_group, 5);
	return NULL;
}

/* A process of THREADS threads that ends in one way. */
static void child(int how)
{
	pthread_t th[THREADS];
	int i;

	pthread_barrier_init(&barrier, NULL, THREADS + 1);
	for (i = 0; i < THREADS; i++)
		pthread_create(&th[i], NULL, how == 0 && i == THREADS - 1 ?
			       exiter : spin, NULL);
	pthread_barrier_wait(&barrier);
	switch (how) {
	case 0: for (;;) pause();			/* a thread exit_groups */
	case 1: raise(SIGKILL); break;			/* fatal signal */
	case 2: syscall(SYS_exit, 0); break;		/* leader exits first, */
	}						/* then a kill ends it */
	_exit(99);
}

int main(void)
{
	static const char *const names[] = { "exit_group", "sigkill",
					     "leader_first" };
	int how, i, st, same;

	for (how = 0; how < 3; how++) {
		same = 0;
		for (i = 0; i < ROUNDS; i++) {
			pid_t pid = fork();

			if (pid == 0)
				child(how);
			if (how == 2) {
				/* the leader is gone or going, the others
				 * spin: nothing to reap yet */
				siginfo_t si = { .si_pid = 1 };

				waitid(P_PID, pid, &si, WEXITED | WNOHANG |
				       WNOWAIT);
				same -= si.si_pid != 0;
				kill(pid, SIGKILL);
			}
			if (waitpid(pid, &st, 0) != pid)
				break;
			same += how == 0 ? WIFEXITED(st) && WEXITSTATUS(st) == 5 :
				WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
		}
		say("%s: %d of %d", names[how], same, ROUNDS);
	}

	/* Auto-reaped: the parent ignores SIGCHLD. */
	signal(SIGCHLD, SIG_IGN);
	for (i = 0; i < ROUNDS; i++)
		if (fork() == 0)
			child(i % 2);
	while (wait(&st) > 0 || errno == EINTR)
		;
	say("autoreap: %s", ename(errno));
	say("DONE regress_leader_reaped_early");
	return 0;
}
