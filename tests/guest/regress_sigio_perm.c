/*
 * Regression: O_ASYNC signals went to whatever process or group F_SETOWN
 * named, whoever set it: an unprivileged process could make root's
 * processes (init's shell included) receive any signal (F_SETSIG) by
 * writing to a pipe (found by tests/fuzz's sysfuzz, whose root supervisor
 * and init died of real-time signals). As Linux's sigio_perm, the owner's
 * signal reaches a process only if the credentials that called F_SETOWN
 * could signal it.
 */
#include "guest.h"
#include <stdbool.h>

static volatile sig_atomic_t got;

static void on_sig(int sig) { got++; }

/* In a child of uid `uid`: a pipe owned by `owner`, F_SETSIG SIGUSR1,
 * O_ASYNC, one write. */
static void child(uid_t uid, pid_t owner)
{
	int p[2];

	if (uid && (setgid(uid) || setuid(uid)))
		_exit(2);
	if (pipe(p) || fcntl(p[0], F_SETOWN, owner) ||
	    fcntl(p[0], F_SETSIG, SIGUSR1) ||
	    fcntl(p[0], F_SETFL, O_ASYNC) || write(p[1], "x", 1) != 1)
		_exit(3);
	_exit(got ? 5 : 4);
}

static const char *run(uid_t uid, bool to_parent)
{
	static char buf[64];
	int st;
	pid_t pid;

	got = 0;
	pid = fork();
	if (pid == 0)
		child(uid, to_parent ? getppid() : getpid());
	waitpid(pid, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st) < 4)
		return "child failed";
	/* The owner's view: the parent's flag, or the child's own. */
	snprintf(buf, sizeof(buf), "owner %s", (to_parent ? got :
		 WEXITSTATUS(st) == 5) ? "signalled" : "not signalled");
	return buf;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_sig };

	sigaction(SIGUSR1, &sa, NULL);
	say("uid 1000 owner root parent: %s", run(1000, true));
	say("uid 1000 owner itself: %s", run(1000, false));
	say("root owner root parent: %s", run(0, true));
	say("DONE regress_sigio_perm");
	return 0;
}
