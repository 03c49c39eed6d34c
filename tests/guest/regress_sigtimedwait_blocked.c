/*
 * Regression (trinity): a signal whose default action is to ignore it
 * (SIGCHLD, SIGURG), blocked by the process and awaited in sigtimedwait,
 * was discarded when it came while the waiter slept: umk unblocks the
 * awaited signals for the sleep and then took the signal for an ignored
 * one. trinity's main process waits for its children's SIGCHLD that way
 * and only then reaps them, so its children stayed zombies and it never
 * fuzzed. Linux keeps the mask from before the call (real_blocked): a
 * signal blocked there is never ignored (kernel/signal.c sig_ignored), one
 * that was not blocked is still discarded. umk's init (this test is pid 1
 * in tests/fuzz/run.sh's regress runs) dropped even blocked signals of
 * default action at sending; Linux queues them too and drops them only
 * when init would take them with the default action (get_signal).
 */
#include "guest.h"

/* A child that waits until its parent sleeps, then ends with status 7
 * (sig 0) or sends the parent sig and ends with 0. */
static pid_t child_when_asleep(int sig)
{
	pid_t parent = getpid(), pid = fork();

	if (pid == 0) {
		if (!wait_sleeping(parent, parent))
			_exit(1);
		if (sig)
			_exit(kill(parent, sig) ? 2 : 0);
		_exit(7);
	}
	return pid;
}

static int timedwait_for(int sig, time_t secs, siginfo_t *si)
{
	struct timespec ts = { secs, 0 };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	memset(si, 0, sizeof(*si));
	return sigtimedwait(&set, si, &ts);
}

/* SIGCHLD blocked and default: each child's exit is taken by sigtimedwait. */
static void blocked_sigchld(void)
{
	sigset_t set;
	siginfo_t si;
	int i, got = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	for (i = 0; i < 4; i++) {
		pid_t pid = child_when_asleep(0);
		int r = timedwait_for(SIGCHLD, 10, &si);

		if (r == SIGCHLD && si.si_pid == pid && si.si_code == CLD_EXITED &&
		    si.si_status == 7)
			got++;
		else if (r < 0)
			say("blocked SIGCHLD round %d: %s", i, ename(errno));
		say("blocked SIGCHLD round %d child: %s", i, reap(pid));
	}
	say("blocked SIGCHLD taken by sigtimedwait: %d of 4", got);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

/* SIGURG blocked and default, sent by kill: queued and taken too. */
static void blocked_sigurg(void)
{
	sigset_t set;
	siginfo_t si;
	pid_t pid;
	int r;

	sigemptyset(&set);
	sigaddset(&set, SIGURG);
	sigprocmask(SIG_BLOCK, &set, NULL);
	pid = child_when_asleep(SIGURG);
	r = timedwait_for(SIGURG, 10, &si);
	if (r < 0)
		say("blocked SIGURG: %s", ename(errno));
	else
		say("blocked SIGURG: %s code %s from child %s",
		    sigabbrev_np(r) ?: "?", si.si_code == SI_USER ? "SI_USER" : "other",
		    si.si_pid == pid ? "yes" : "no");
	say("blocked SIGURG child: %s", reap(pid));
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

/* SIGCHLD not blocked before the call: ignored on arrival, as on Linux,
 * so sigtimedwait times out; the child is reaped as usual. */
static void unblocked_sigchld(void)
{
	sigset_t pending;
	siginfo_t si;
	pid_t pid = child_when_asleep(0);
	int r = timedwait_for(SIGCHLD, 1, &si);

	say("unblocked SIGCHLD: %s", r < 0 ? ename(errno) : sigabbrev_np(r) ?: "?");
	say("unblocked SIGCHLD child: %s", reap(pid));
	sigpending(&pending);
	yesno("SIGCHLD still pending", sigismember(&pending, SIGCHLD));
}

/* SIGTERM blocked and default, sent to itself: pending until taken. */
static void blocked_sigterm(void)
{
	struct timespec zero = { 0, 0 };
	sigset_t set, pending;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	kill(getpid(), SIGTERM);
	sigpending(&pending);
	yesno("blocked SIGTERM pending", sigismember(&pending, SIGTERM));
	resv("blocked SIGTERM taken", sigtimedwait(&set, NULL, &zero));
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

int main(void)
{
	test_start();
	if (need_proc()) {
		say("proc: %s", ename(errno));
		return 1;
	}
	signal(SIGCHLD, SIG_DFL);
	signal(SIGURG, SIG_DFL);
	blocked_sigchld();
	blocked_sigurg();
	unblocked_sigchld();
	blocked_sigterm();
	say("DONE regress_sigtimedwait_blocked");
	return 0;
}
