/*
 * exit_signal: which signal a child's death sends (clone(2)'s exit signal,
 * Linux kernel/exit.c reparent_leader and kernel/signal.c
 * do_notify_parent). A child's own exit signal goes to the parent that
 * made it; an orphan's new parent gets SIGCHLD ("we don't want people
 * slaying init": a fuzzer's orphans killed init's shell with SIGINT); so
 * does the parent of a CLONE_PARENT sibling, and a parent that exec'd
 * since the fork.
 */
#include "guest.h"
#include <sched.h>
#include <sys/prctl.h>

static volatile sig_atomic_t got_usr1, got_chld;

static void on_sig(int sig)
{
	if (sig == SIGUSR1)
		got_usr1++;
	else
		got_chld++;
}

static void catch_both(void)
{
	struct sigaction sa = { .sa_handler = on_sig };

	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	got_usr1 = got_chld = 0;
}

/* A fork whose exit signal is SIGUSR1. */
static pid_t fork_usr1(void)
{
	return syscall(SYS_clone, SIGUSR1, 0, 0, 0, 0);
}

/* Wait for any child, whatever its exit signal; "exit N" or an error. */
static const char *reap_any(pid_t pid)
{
	static char buf[64];
	int st;
	pid_t r;

	while ((r = waitpid(pid, &st, __WALL)) < 0 && errno == EINTR)
		;
	if (r != pid)
		snprintf(buf, sizeof(buf), "waitpid %s", strerrorname_np(errno));
	else if (WIFEXITED(st))
		snprintf(buf, sizeof(buf), "exit %d", WEXITSTATUS(st));
	else
		snprintf(buf, sizeof(buf), "signal %s", sigabbrev_np(WTERMSIG(st)));
	return buf;
}

/* The direct child's exit signal reaches its parent. */
static void test_own_child(void)
{
	pid_t pid;

	catch_both();
	pid = fork_usr1();
	if (pid == 0)
		_exit(5);
	say("own_child: %s", reap_any(pid));
	say("own_child_signals: usr1=%d chld=%d", got_usr1, got_chld);
}

/* A grandchild with exit signal SIGUSR1 is orphaned and adopted by us (a
 * child subreaper): its death sends us SIGCHLD, not SIGUSR1. */
static void test_orphan(void)
{
	int go[2], born[2];
	pid_t mid, gc = 0;
	char c;

	prctl(PR_SET_CHILD_SUBREAPER, 1);
	catch_both();
	if (pipe(go) || pipe(born))
		return;
	mid = fork();
	if (mid == 0) {
		pid_t g = fork_usr1();

		if (g == 0) {
			close(go[1]);
			read(go[0], &c, 1);	/* until the test lets go */
			_exit(6);
		}
		write(born[1], &g, sizeof(g));
		_exit(0);
	}
	close(go[0]);
	close(born[1]);
	if (read(born[0], &gc, sizeof(gc)) != sizeof(gc))
		say("orphan: no grandchild");
	say("orphan_middle: %s", reap_any(mid));
	got_usr1 = got_chld = 0;
	close(go[1]);			/* the grandchild exits */
	say("orphan_adopted: %s", reap_any(gc));
	say("orphan_signals: usr1=%d chld=%d", got_usr1, got_chld);
	close(born[0]);
	prctl(PR_SET_CHILD_SUBREAPER, 0);
}

/* A sibling made by a child with CLONE_PARENT signals us as that child
 * does (SIGCHLD), not with the exit signal it asked for. */
static void test_clone_parent(void)
{
	int go[2], born[2];
	pid_t mid, sib = 0;
	char c;

	catch_both();
	if (pipe(go) || pipe(born))
		return;
	mid = fork();
	if (mid == 0) {
		pid_t s = syscall(SYS_clone, CLONE_PARENT | SIGUSR1, 0, 0, 0, 0);

		if (s == 0) {
			close(go[1]);
			read(go[0], &c, 1);
			_exit(8);
		}
		write(born[1], &s, sizeof(s));
		_exit(0);
	}
	close(go[0]);
	close(born[1]);
	if (read(born[0], &sib, sizeof(sib)) != sizeof(sib))
		say("clone_parent: no sibling");
	say("clone_parent_middle: %s", reap_any(mid));
	got_usr1 = got_chld = 0;
	close(go[1]);
	say("clone_parent_sibling: %s", reap_any(sib));
	say("clone_parent_signals: usr1=%d chld=%d", got_usr1, got_chld);
	close(born[0]);
}

/* Stage 2 of test_exec (a fresh image): let the child go, see what its
 * death sends. */
static int exec_stage2(const char *pid_s, const char *fd_s)
{
	pid_t pid = atoi(pid_s);

	catch_both();
	close(atoi(fd_s));
	say("exec_parent_child: %s", reap_any(pid));
	say("exec_parent_signals: usr1=%d chld=%d", got_usr1, got_chld);
	return 0;
}

/* A parent that exec'd after the fork gets SIGCHLD, whatever the child
 * asked for: the child cannot signal the new image. */
static void test_exec(const char *self)
{
	int go[2], st;
	pid_t outer = fork();

	if (outer == 0) {
		char pid_s[16], fd_s[16];
		pid_t pid;
		char c;

		if (pipe(go))
			_exit(1);
		pid = fork_usr1();
		if (pid == 0) {
			close(go[1]);
			read(go[0], &c, 1);
			_exit(7);
		}
		close(go[0]);
		snprintf(pid_s, sizeof(pid_s), "%d", pid);
		snprintf(fd_s, sizeof(fd_s), "%d", go[1]);
		execl(self, self, "--exec-stage2", pid_s, fd_s, (char *)NULL);
		_exit(2);
	}
	while (waitpid(outer, &st, 0) < 0 && errno == EINTR)
		;
	say("exec_stage2: %s", WIFEXITED(st) && WEXITSTATUS(st) == 0 ? "ok" : "failed");
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "--exec-stage2") == 0)
		return exec_stage2(argv[2], argv[3]);
	test_start();
	test_own_child();
	test_orphan();
	test_clone_parent();
	test_exec(argv[0]);
	say("DONE exit_signal");
	return 0;
}
