/*
 * itimer_at_exit: a process that dies with its ITIMER_REAL (alarm) still
 * armed. Linux cancels the timer when the process exits (exit_itimers), so
 * once it is reaped nothing of it is left: the parent's own timers work,
 * children forked after it (whose memory may take the dead one's place)
 * work, and no SIGALRM ever comes from it.
 * Regression test: umk freed the signal_struct at reaping with its timer
 * still on the kernel's timer list, and the next add_timer walked the freed
 * entry (umk died of SIGSEGV in add_timer, seen in the tty suite when a job
 * with an alarm pending was killed by ^C).
 */
#include "guest.h"
#include <sys/time.h>

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	alarms++;
}

/* A child that arms alarm(100) (or a 100 s interval timer) and dies: by
 * _exit, by SIGKILL, by SIGINT. */
static const char *dying_child(int how)
{
	struct itimerval it = { { 100, 0 }, { 100, 0 } };
	int p[2];
	char c;
	pid_t pid;

	pipe(p);
	pid = fork();
	if (pid == 0) {
		if (how == 0)
			alarm(100);
		else
			setitimer(ITIMER_REAL, &it, NULL);
		write(p[1], "a", 1);
		if (how == 0)
			_exit(0);
		for (;;)
			pause();
	}
	read(p[0], &c, 1);	/* armed */
	if (how == 1)
		kill(pid, SIGKILL);
	if (how == 2)
		kill(pid, SIGINT);
	close(p[0]);
	close(p[1]);
	return reap(pid);
}

int main(void)
{
	struct itimerval it = { { 0, 0 }, { 0, 20000 } }, cur;
	int i, st, bad = 0;
	pid_t pid;

	test_start();
	signal(SIGALRM, on_alarm);
	say("exit_with_alarm: %s", dying_child(0));
	say("sigkill_with_itimer: %s", dying_child(1));
	say("sigint_with_itimer: %s", dying_child(2));

	/* Children die with a 10 ms interval timer running; for the next
	 * 300 ms (the time is what is tested: those timers would have fired
	 * thirty times) new children come and go. Nothing of the dead ones
	 * may fire: no SIGALRM reaches us. */
	alarms = 0;
	for (i = 0; i < 20; i++) {
		pid = fork();
		if (pid == 0) {
			struct itimerval fast = { { 0, 10000 }, { 0, 10000 } };

			setitimer(ITIMER_REAL, &fast, NULL);
			_exit(0);
		}
		waitpid(pid, &st, 0);
	}
	{
		long long end = mono_ms() + 300;

		while (mono_ms() < end) {
			pid = fork();
			if (pid == 0)
				_exit(0);
			waitpid(pid, &st, 0);
		}
	}
	say("dead_interval_timers: alarms_here=%d", alarms);

	/* New processes, each arming and cancelling a timer of its own. */
	for (i = 0; i < 50; i++) {
		pid = fork();
		if (pid == 0) {
			struct itimerval one = { { 0, 0 }, { 50, 0 } }, off = { { 0, 0 }, { 0, 0 } };

			setitimer(ITIMER_REAL, &one, NULL);
			setitimer(ITIMER_REAL, &off, NULL);
			_exit(0);
		}
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
			bad++;
	}
	say("children_arming_timers: failures=%d", bad);

	/* Our own timer still fires, once; no other SIGALRM reaches us. */
	alarms = 0;
	setitimer(ITIMER_REAL, &it, NULL);
	while (alarms == 0)
		pause();
	getitimer(ITIMER_REAL, &cur);
	say("own_timer: fired=%d disarmed=%d", alarms,
	    cur.it_value.tv_sec == 0 && cur.it_value.tv_usec == 0);
	resv("alarm_after", alarm(0));
	say("DONE itimer_at_exit");
	return 0;
}
