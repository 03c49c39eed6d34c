/*
 * ptrace_jobctl: PTRACE_SEIZE with PTRACE_INTERRUPT and PTRACE_LISTEN,
 * group stops of a tracee (signal-delivery stop, then group-stop trap),
 * SIGCONT while listening; a tracer that is not the parent (the parent
 * sees the exit only after the tracer reaped it); PTRACE_O_EXITKILL and a
 * tracer that exits without it; who may trace whom (uids, dumpable).
 */
#include "guest.h"
#include <sys/prctl.h>
#include <stdbool.h>
#include <sys/ptrace.h>

static long pt(int req, pid_t pid, unsigned long addr, unsigned long data)
{
	return syscall(SYS_ptrace, req, pid, addr, data);
}

static int wait_st(pid_t pid, int options)
{
	int st;
	pid_t r;

	do
		r = waitpid(pid, &st, __WALL | options);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return -EAGAIN;
	return r < 0 ? -errno : st;
}

static const char *stopname(int st)
{
	static char buf[48];

	if (st == -EAGAIN)
		return "nothing";
	if (st < 0)
		return ename(-st);
	if (WIFSTOPPED(st) && (st >> 16)) {
		snprintf(buf, sizeof(buf), "event %d %s", st >> 16,
			 sigabbrev_np(WSTOPSIG(st)));
		return buf;
	}
	return wstr(st);
}

/* A child that waits for a byte on fd, then exits with code. */
static pid_t pipe_child(int fd, int code)
{
	pid_t pid = fork();
	char c;

	if (pid == 0) {
		while (read(fd, &c, 1) < 0 && errno == EINTR)
			;
		_exit(code);
	}
	return pid;
}

static void test_seize(void)
{
	int p[2];
	pid_t pid;
	siginfo_t si;
	int st;

	if (pipe(p))
		return;
	pid = pipe_child(p[0], 7);
	ERR("seize bad options", pt(PTRACE_SEIZE, pid, 0, 0x40000000));
	ERR("seize addr", pt(PTRACE_SEIZE, pid, 1, 0));
	ERR("seize", pt(PTRACE_SEIZE, pid, 0, PTRACE_O_TRACESYSGOOD));
	say("no stop after seize: %s", stopname(wait_st(pid, WNOHANG)));
	ERR("interrupt", pt(PTRACE_INTERRUPT, pid, 0, 0));
	st = wait_st(pid, 0);
	say("interrupt stop: %s", stopname(st));
	ERR("getsiginfo", pt(PTRACE_GETSIGINFO, pid, 0, (unsigned long)&si));
	say("siginfo: %s code %#x", sigabbrev_np(si.si_signo), si.si_code);
	ERR("cont", pt(PTRACE_CONT, pid, 0, 0));
	/* A stop signal: its delivery stop, then the group stop. */
	kill(pid, SIGSTOP);
	st = wait_st(pid, 0);
	say("sigstop delivery: %s", stopname(st));
	pt(PTRACE_CONT, pid, 0, SIGSTOP);
	st = wait_st(pid, 0);
	say("group stop: %s", stopname(st));
	ERR("getsiginfo in group stop", pt(PTRACE_GETSIGINFO, pid, 0,
					   (unsigned long)&si));
	say("siginfo: %s code %#x", sigabbrev_np(si.si_signo), si.si_code);
	ERR("listen", pt(PTRACE_LISTEN, pid, 0, 0));
	ERR("getregs while listening", pt(PTRACE_GETSIGINFO, pid, 0,
					  (unsigned long)&si));
	say("listening: %s", stopname(wait_st(pid, WNOHANG)));
	kill(pid, SIGCONT);
	st = wait_st(pid, 0);
	say("after sigcont: %s", stopname(st));
	pt(PTRACE_CONT, pid, 0, 0);
	st = wait_st(pid, 0);
	say("sigcont delivery: %s", stopname(st));
	pt(PTRACE_CONT, pid, 0, SIGCONT);
	if (write(p[1], "x", 1) != 1)
		say("write: %s", ename(errno));
	say("child: %s", stopname(wait_st(pid, 0)));
	close(p[0]);
	close(p[1]);
}

/*
 * strace's start: the child stops itself, the tracer seizes it, interrupts
 * it and sends SIGCONT, then follows its syscalls from there: the stops
 * must alternate entry/exit from the first call on.
 */
static void test_seize_stopped_child(void)
{
	struct __ptrace_syscall_info info;
	pid_t pid = fork();
	int st, i;

	if (pid == 0) {
		kill(getpid(), SIGSTOP);
		syscall(SYS_getppid);
		syscall(SYS_getppid);
		_exit(7);
	}
	say("self-stopped: %s", stopname(wait_st(pid, WSTOPPED)));
	ERR("seize", pt(PTRACE_SEIZE, pid, 0, PTRACE_O_TRACESYSGOOD));
	ERR("interrupt", pt(PTRACE_INTERRUPT, pid, 0, 0));
	kill(pid, SIGCONT);
	for (i = 0; i < 12; i++) {
		st = wait_st(pid, 0);
		if (!WIFSTOPPED(st)) {
			say("child: %s", stopname(st));
			break;
		}
		if (WSTOPSIG(st) == (SIGTRAP | 0x80)) {
			pt(PTRACE_GET_SYSCALL_INFO, pid, sizeof(info),
			   (unsigned long)&info);
			say("stop: syscall op %d nr %lld", info.op,
			    info.op == 1 ? (long long)info.entry.nr : -1LL);
		} else {
			say("stop: %s", stopname(st));
		}
		pt(PTRACE_SYSCALL, pid, 0, 0);
	}
}

/* PTRACE_INTERRUPT of a child blocked in read(): it traps, and the read
 * goes on after PTRACE_CONT (restarted) to get the byte written later. */
static void test_interrupt_blocked(void)
{
	int p[2];
	pid_t pid;
	int st;

	if (pipe(p))
		return;
	pid = fork();
	if (pid == 0) {
		char c = 0;
		ssize_t n = read(p[0], &c, 1);

		_exit(n == 1 && c == 'r' ? 7 : 8);
	}
	ERR("seize reader", pt(PTRACE_SEIZE, pid, 0, 0));
	ERR("interrupt reader", pt(PTRACE_INTERRUPT, pid, 0, 0));
	st = wait_st(pid, 0);
	say("reader stop: %s", stopname(st));
	ERR("cont reader", pt(PTRACE_CONT, pid, 0, 0));
	if (write(p[1], "r", 1) != 1)
		say("write: %s", ename(errno));
	say("reader: %s", stopname(wait_st(pid, 0)));
	close(p[0]);
	close(p[1]);
}

/* The group-stop as the parent sees it, a non-seize tracer's view. */
static void test_attach_stopped(void)
{
	int p[2];
	pid_t pid;
	int st;

	if (pipe(p))
		return;
	pid = pipe_child(p[0], 7);
	kill(pid, SIGSTOP);
	say("stopped child: %s", stopname(wait_st(pid, WUNTRACED)));
	ERR("attach stopped", pt(PTRACE_ATTACH, pid, 0, 0));
	st = wait_st(pid, 0);
	say("attach to a stopped child: %s", stopname(st));
	/* Detached, it is still in the group stop (the signal given with
	 * a group-stop's detach is not delivered); SIGCONT ends it. */
	ERR("detach", pt(PTRACE_DETACH, pid, 0, SIGCONT));
	say("still stopped: %s", stopname(wait_st(pid, WNOHANG | WCONTINUED)));
	kill(pid, SIGCONT);
	say("continued: %s", stopname(wait_st(pid, WCONTINUED)));
	if (write(p[1], "x", 1) != 1)
		say("write: %s", ename(errno));
	say("child: %s", stopname(wait_st(pid, 0)));
	close(p[0]);
	close(p[1]);
}

/*
 * A tracer T that is not the victim V's parent: V's exit goes to T
 * first; the parent (us) sees nothing until T has reaped it. With
 * exitkill, T just exits and V dies of SIGKILL.
 */
static void test_foreign_tracer(bool exitkill)
{
	int p[2], q[2], r[2];
	pid_t v, t;
	char c;

	if (pipe(p) || pipe(q) || pipe(r))
		return;
	v = pipe_child(p[0], 9);
	t = fork();
	if (t == 0) {
		int st;

		if (pt(PTRACE_SEIZE, v, 0, exitkill ? PTRACE_O_EXITKILL : 0) < 0)
			_exit(50);
		if (write(q[1], "s", 1) != 1)
			_exit(51);
		if (exitkill)
			_exit(0);
		st = wait_st(v, 0);
		if (write(q[1], WIFEXITED(st) && WEXITSTATUS(st) == 9 ? "e" : "?",
			  1) != 1)
			_exit(52);
		while (read(r[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	while (read(q[0], &c, 1) < 0 && errno == EINTR)
		;
	say("tracer seized: %c", c);
	if (exitkill) {
		say("tracer: %s", reap(t));
		say("victim after exitkill: %s", reap(v));
		goto out;
	}
	if (write(p[1], "x", 1) != 1)
		say("write: %s", ename(errno));
	while (read(q[0], &c, 1) < 0 && errno == EINTR)
		;
	say("tracer reaped the exit: %c", c);
	/* The tracer waited already: the zombie is ours now. */
	say("victim: %s", reap(v));
	if (write(r[1], "x", 1) != 1)
		say("write: %s", ename(errno));
	say("tracer: %s", reap(t));
out:
	close(p[0]); close(p[1]); close(q[0]); close(q[1]);
	close(r[0]); close(r[1]);
}

/* The parent's wait while the tracer holds the zombie: nothing yet. */
static void test_hidden_zombie(void)
{
	int p[2], q[2], r[2];
	pid_t v, t;
	char c;

	if (pipe(p) || pipe(q) || pipe(r))
		return;
	v = pipe_child(p[0], 9);
	t = fork();
	if (t == 0) {
		siginfo_t si;

		if (pt(PTRACE_SEIZE, v, 0, 0) < 0)
			_exit(50);
		if (write(q[1], "s", 1) != 1)
			_exit(51);
		/* Seen exited but not reaped (WNOWAIT): tell the parent. */
		if (waitid(P_PID, v, &si, WEXITED | WNOWAIT | __WALL) < 0 ||
		    write(q[1], "z", 1) != 1)
			_exit(52);
		while (read(r[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(WIFEXITED(wait_st(v, 0)) ? 0 : 53);
	}
	while (read(q[0], &c, 1) < 0 && errno == EINTR)
		;
	if (write(p[1], "x", 1) != 1)
		say("write: %s", ename(errno));
	while (read(q[0], &c, 1) < 0 && errno == EINTR)
		;
	say("tracer saw the exit: %c", c);
	say("parent before tracer reaps: %s", stopname(wait_st(v, WNOHANG)));
	if (write(r[1], "g", 1) != 1)
		say("write: %s", ename(errno));
	say("tracer: %s", reap(t));
	say("victim after tracer reaped: %s", reap(v));
	close(p[0]); close(p[1]); close(q[0]); close(q[1]);
	close(r[0]); close(r[1]);
}

/* Who may trace whom: run in a child that drops to uid 1000. */
static void test_permissions(void)
{
	int p[2];
	pid_t v, w, child;
	char c;

	if (pipe(p))
		return;
	v = pipe_child(p[0], 0);	/* root's */
	w = fork();			/* uid 1000 after setuid: not dumpable */
	if (w == 0) {
		if (setgid(1000) || setuid(1000))
			_exit(60);
		while (read(p[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	child = fork();
	if (child == 0) {
		int ok;

		if (setgid(1000) || setuid(1000))
			_exit(60);
		say("dumpable after setuid: %d", prctl(PR_GET_DUMPABLE));
		ERR("attach root's process", pt(PTRACE_ATTACH, v, 0, 0));
		/* w changed its ids: not dumpable, so only root may trace it;
		 * the check may see w before its setuid (then it is root's):
		 * EPERM either way. */
		ERR("attach a setuid'ed process", pt(PTRACE_ATTACH, w, 0, 0));
		ok = prctl(PR_SET_DUMPABLE, 2);
		say("set dumpable 2: %s", ok < 0 ? ename(errno) : "ok");
		_exit(0);
	}
	say("unprivileged tracer: %s", reap(child));
	if (write(p[1], "xx", 2) != 2)
		say("write: %s", ename(errno));
	say("root's victim: %s", reap(v));
	say("uid 1000 victim: %s", reap(w));
	close(p[0]);
	close(p[1]);
}

/* A uid-1000 process made dumpable again may be traced by uid 1000. */
static void test_dumpable_again(void)
{
	int p[2], q[2];
	pid_t w, child;
	char c;

	if (pipe(p) || pipe(q))
		return;
	w = fork();
	if (w == 0) {
		if (setgid(1000) || setuid(1000))
			_exit(60);
		prctl(PR_SET_DUMPABLE, 1);
		if (write(q[1], "r", 1) != 1)
			_exit(61);
		while (read(p[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	while (read(q[0], &c, 1) < 0 && errno == EINTR)
		;
	child = fork();
	if (child == 0) {
		if (setgid(1000) || setuid(1000))
			_exit(60);
		prctl(PR_SET_DUMPABLE, 1);
		if (pt(PTRACE_SEIZE, w, 0, 0) < 0)
			_exit(62);
		if (pt(PTRACE_DETACH, w, 0, 0) == 0)
			_exit(63);	/* not stopped: ESRCH expected */
		_exit(errno == ESRCH ? 7 : 64);
	}
	say("same uid, dumpable: %s", reap(child));
	if (write(p[1], "x", 1) != 1)
		say("write: %s", ename(errno));
	say("victim: %s", reap(w));
	close(p[0]); close(p[1]); close(q[0]); close(q[1]);
}

int main(void)
{
	test_start();
	say("dumpable: %d", prctl(PR_GET_DUMPABLE));
	ERR("set dumpable 0", prctl(PR_SET_DUMPABLE, 0));
	say("dumpable: %d", prctl(PR_GET_DUMPABLE));
	ERR("set dumpable 1", prctl(PR_SET_DUMPABLE, 1));
	test_seize();
	test_seize_stopped_child();
	test_interrupt_blocked();
	test_attach_stopped();
	test_foreign_tracer(false);
	test_foreign_tracer(true);
	test_hidden_zombie();
	test_permissions();
	test_dumpable_again();
	say("DONE ptrace_jobctl");
	return 0;
}
