/*
 * Regression: a process that armed ITIMER_REAL (or alarm) and exited left
 * its timer on umk's timer list after its signal struct was freed; the
 * timer's expiry then ran on freed memory and crashed umk (SIGSEGV).
 * Each case: children arm a timer and die before it expires (by exit, a
 * signal, a thread's exit_group, reaped or left to auto-reap); the parent
 * then waits for an alarm of its own that expires after theirs, so umk's
 * timer list has run past every child's expiry before the test ends.
 */
#include "guest.h"
#include <pthread.h>
#include <sys/time.h>

static volatile sig_atomic_t got_alarm;

static void on_alarm(int sig) { got_alarm = 1; }

static void arm(long usec, long interval_usec)
{
	struct itimerval v = {
		.it_value = { usec / 1000000, usec % 1000000 },
		.it_interval = { interval_usec / 1000000, interval_usec % 1000000 },
	};

	setitimer(ITIMER_REAL, &v, NULL);
}

/* Block SIGALRM, arm the parent's own alarm after the children's, and
 * sigsuspend until it comes: 1 if it came. */
static int wait_own_alarm(long usec)
{
	sigset_t block, old;

	got_alarm = 0;
	sigemptyset(&block);
	sigaddset(&block, SIGALRM);
	sigprocmask(SIG_BLOCK, &block, &old);
	arm(usec, 0);
	while (!got_alarm)
		sigsuspend(&old);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return got_alarm;
}

static void *thread_exit_group(void *arg)
{
	arm(20000, 5000);
	_exit(7);
}

static int child(int how)
{
	pthread_t th;

	switch (how) {
	case 0: arm(20000, 0); _exit(3);		/* one-shot */
	case 1: arm(20000, 3000); _exit(4);		/* periodic */
	case 2: alarm(1); _exit(5);			/* alarm(2) */
	case 3: arm(20000, 1000); raise(SIGKILL); break;	/* killed */
	case 4: pthread_create(&th, NULL, thread_exit_group, NULL);
		pthread_join(th, NULL); break;		/* a thread exits */
	}
	_exit(99);
}

static const char *const names[] = {
	"oneshot", "periodic", "alarm", "killed", "thread",
};

int main(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	int i, st;
	pid_t pid;

	sigaction(SIGALRM, &sa, NULL);
	for (i = 0; i < 5; i++) {
		pid = fork();
		if (pid == 0)
			child(i);
		waitpid(pid, &st, 0);
		say("%s: %s %d", names[i], WIFEXITED(st) ? "exit" : "signal",
		    WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	}
	say("after reaped: alarm %d", wait_own_alarm(60000));

	/* Zombies not yet reaped when their timers expire, then reaped. */
	pid = fork();
	if (pid == 0)
		child(1);
	say("zombie: alarm %d", wait_own_alarm(60000));
	waitpid(pid, &st, 0);
	say("zombie reaped: exit %d", WEXITSTATUS(st));

	/* Auto-reaped children (SIGCHLD ignored). */
	signal(SIGCHLD, SIG_IGN);
	for (i = 0; i < 3; i++)
		if (fork() == 0)
			child(i == 2 ? 1 : 0);
	while (wait(&st) > 0 || errno == EINTR)
		;
	say("autoreap: %s", errno == ECHILD ? "ECHILD" : strerror(errno));
	say("after autoreap: alarm %d", wait_own_alarm(60000));

	/* Many short-lived children with fast periodic timers: the freed
	 * signal structs are soon reused, so the bug crashed even without a
	 * sanitizer here. */
	for (i = 0; i < 200; i++) {
		pid = fork();
		if (pid == 0) {
			arm(1000, 2000);
			_exit(0);
		}
		waitpid(pid, &st, 0);
		if (!WIFEXITED(st))
			break;
	}
	say("loop: %d children", i);
	say("after loop: alarm %d", wait_own_alarm(20000));

	/* alarm(1) in a child that exits at once; wait past its second. */
	signal(SIGCHLD, SIG_DFL);
	pid = fork();
	if (pid == 0)
		child(2);
	waitpid(pid, &st, 0);
	say("after alarm(1): alarm %d", wait_own_alarm(1100000));
	say("DONE regress_itimer_exit");
	return 0;
}
