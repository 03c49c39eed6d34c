/*
 * jobctl: job control without a terminal. Stop signals (SIGTSTP, SIGTTIN,
 * SIGTTOU, SIGSTOP) stop a process and a whole process group, wait4 with
 * WUNTRACED reports it, SIGCONT resumes it (WCONTINUED); in an orphaned
 * process group the tty stop signals are discarded but SIGSTOP still
 * stops; a process group that becomes orphaned with a stopped member gets
 * SIGHUP then SIGCONT; setsid/setpgid rules; terminal requests on a
 * non-terminal and /dev/tty without a controlling terminal.
 */
#include "guest.h"
#include <sys/ioctl.h>
#include <termios.h>

/* Wait for pid with options; its decoded status, or the error. */
static const char *wait_opt(pid_t pid, int options)
{
	int st;
	pid_t r;

	do
		r = waitpid(pid, &st, options);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return ename(errno);
	if (r == 0)
		return "nothing";
	return wstr(st);
}

/* A child in a process group of its own that pauses until killed. */
static pid_t spawn_in_group(pid_t pgrp)
{
	pid_t pid = fork();

	if (pid == 0) {
		setpgid(0, pgrp);
		for (;;)
			pause();
	}
	setpgid(pid, pgrp ? pgrp : pid);
	return pid;
}

static void test_stop_signals(void)
{
	static const int sigs[] = { SIGTSTP, SIGTTIN, SIGTTOU, SIGSTOP };

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		pid_t pid = spawn_in_group(0);
		const char *name = sigabbrev_np(sigs[i]);

		kill(pid, sigs[i]);
		say("%s_stops: %s", name, wait_opt(pid, WUNTRACED));
		say("%s_no_second_report: %s", name,
		    wait_opt(pid, WUNTRACED | WNOHANG));
		kill(pid, SIGCONT);
		say("%s_continued: %s", name, wait_opt(pid, WCONTINUED));
		kill(pid, SIGKILL);
		say("%s_killed: %s", name, wait_opt(pid, 0));
	}
}

static void test_group_stop(void)
{
	pid_t a = spawn_in_group(0), b = spawn_in_group(a);

	say("group_same: %s", getpgid(b) == a ? "yes" : "no");
	kill(-a, SIGTSTP);
	say("group_stop_a: %s", wait_opt(a, WUNTRACED));
	say("group_stop_b: %s", wait_opt(b, WUNTRACED));
	kill(-a, SIGCONT);
	say("group_cont_a: %s", wait_opt(a, WCONTINUED));
	say("group_cont_b: %s", wait_opt(b, WCONTINUED));
	kill(-a, SIGKILL);
	say("group_kill_a: %s", wait_opt(a, 0));
	say("group_kill_b: %s", wait_opt(b, 0));
}

/* In a new session, alone in its group (orphaned): the tty stop signals
 * do nothing, SIGSTOP still stops. Exit status: which were ignored. */
static void test_orphaned_stops(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		int ignored = 0;

		setsid();
		raise(SIGTSTP);
		ignored |= 1;
		raise(SIGTTIN);
		ignored |= 2;
		raise(SIGTTOU);
		ignored |= 4;
		raise(SIGSTOP);
		_exit(ignored | 8);
	}
	say("orphaned_sigstop: %s", wait_opt(pid, WUNTRACED));
	kill(pid, SIGCONT);
	say("orphaned_tty_stops_ignored: %s", wait_opt(pid, 0));
}

static volatile sig_atomic_t hup_log_fd = -1;

static void log_sig(int sig)
{
	char c = sig == SIGHUP ? 'H' : sig == SIGCONT ? 'C' : '?';

	write(hup_log_fd, &c, 1);
}

/*
 * A session leader C whose child G (its own group, stopped) is left behind
 * when C exits: G's group becomes orphaned with a stopped member, so G gets
 * SIGHUP and SIGCONT, in that order (each handler blocks every signal).
 */
static void test_orphan_hup(void)
{
	int log[2], st;
	char buf[8] = "";
	ssize_t n, got = 0;
	pid_t c;

	pipe(log);
	c = fork();
	if (c == 0) {
		pid_t g;

		close(log[0]);
		setsid();
		g = fork();
		if (g == 0) {
			struct sigaction sa = { .sa_handler = log_sig };

			sigfillset(&sa.sa_mask);
			hup_log_fd = log[1];
			sigaction(SIGHUP, &sa, NULL);
			sigaction(SIGCONT, &sa, NULL);
			setpgid(0, 0);
			raise(SIGSTOP);
			write(log[1], "E", 1);
			_exit(0);
		}
		close(log[1]);
		if (waitpid(g, &st, WUNTRACED) != g || !WIFSTOPPED(st))
			_exit(1);
		_exit(0);
	}
	close(log[1]);
	say("orphan_parent: %s", wait_opt(c, 0));
	while (got < (ssize_t)sizeof(buf) - 1 &&
	       (n = read(log[0], buf + got, sizeof(buf) - 1 - got)) > 0)
		got += n;
	say("orphan_signals: %s", buf);
	close(log[0]);
}

static void test_session_rules(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		int r = 0;

		setpgid(0, 0);
		if (setsid() >= 0 || errno != EPERM)	/* group leader */
			r |= 1;
		_exit(r);
	}
	say("setsid_group_leader: %s", wait_opt(pid, 0));

	pid = fork();
	if (pid == 0) {
		int r = 0, fd;

		if (setsid() != getpid())
			r |= 1;
		if (getsid(0) != getpid() || getpgrp() != getpid())
			r |= 2;
		if (setpgid(0, 0) >= 0 || errno != EPERM)	/* leader */
			r |= 4;
		fd = open("/dev/tty", O_RDWR);
		if (fd >= 0 || errno != ENXIO)
			r |= 8;
		if (ioctl(0, TIOCNOTTY) >= 0)
			r |= 16;
		_exit(r);
	}
	say("setsid_in_child: %s", wait_opt(pid, 0));

	pid = spawn_in_group(0);
	{
		pid_t other = fork();

		if (other == 0) {
			int r = 0;

			setsid();
			if (setpgid(0, pid) >= 0 || errno != EPERM)
				r |= 1;
			_exit(r);
		}
		say("setpgid_other_session: %s", wait_opt(other, 0));
	}
	kill(pid, SIGKILL);
	wait_opt(pid, 0);
}

static void test_not_a_tty(void)
{
	int p[2];
	pid_t pgrp = 0;
	struct termios t;

	pipe(p);
	ERR("tcgetpgrp_pipe", tcgetpgrp(p[0]));
	ERR("tcsetpgrp_pipe", tcsetpgrp(p[0], getpgrp()));
	ERR("tcgetattr_pipe", tcgetattr(p[0], &t));
	ERR("tiocsctty_pipe", ioctl(p[0], TIOCSCTTY, 0));
	ERR("tiocgsid_pipe", ioctl(p[0], TIOCGSID, &pgrp));
	ERR("tiocgpgrp_badfd", ioctl(99, TIOCGPGRP, &pgrp));
	yesno("isatty_pipe", isatty(p[0]));
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	test_start();
	test_stop_signals();
	test_group_stop();
	test_orphaned_stops();
	test_orphan_hup();
	test_session_rules();
	test_not_a_tty();
	say("DONE jobctl");
	return 0;
}
