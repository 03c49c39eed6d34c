/*
 * ttyjob: terminal job control, run from an interactive shell on a
 * terminal (tests/tty/run.sh runs it in tmux natively and inside umk and
 * compares). A background process group that reads the terminal gets
 * SIGTTIN (EIO if it ignores or blocks it, or if its group is orphaned);
 * one that writes gets SIGTTOU only under TOSTOP; one that changes the
 * terminal (tcsetattr, tcsetpgrp) gets SIGTTOU unless it ignores it; the
 * getters always work; non-canonical reads with VMIN 0 return at once or
 * after VTIME; O_ASYNC on the terminal gives SIGIO for a typed line (the
 * harness types it when asked). Without a terminal (the guest harness) it says so and stops.
 */
#include "guest.h"
#include <sys/ioctl.h>
#include <termios.h>

static pid_t fg_pgrp;

/* Run fn in a child in a background process group of its own; report
 * "stopped SIG" (then kill it), "ok" (fn returned 0) or the errno it
 * returned. */
static void run_bg(const char *name, int (*fn)(void))
{
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		setpgid(0, 0);
		_exit(fn());
	}
	setpgid(pid, pid);
	while (waitpid(pid, &st, WUNTRACED) < 0 && errno == EINTR)
		;
	if (WIFSTOPPED(st)) {
		say("%s: stopped %s", name, sigabbrev_np(WSTOPSIG(st)));
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	} else if (WIFEXITED(st)) {
		say("%s: %s", name, WEXITSTATUS(st) ? ename(WEXITSTATUS(st)) : "ok");
	} else {
		say("%s: %s", name, wstr(st));
	}
}

static int err_of(long r)
{
	return r < 0 ? errno : 0;
}

static void ignore(int sig)
{
	signal(sig, SIG_IGN);
}

static void block(int sig)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

static int do_read(void)
{
	char c;

	return err_of(read(0, &c, 1));
}

static int do_write(void)
{
	return err_of(write(1, "  (background write)\n", 21));
}

static int do_tcsetattr(void)
{
	struct termios t;

	tcgetattr(0, &t);
	return err_of(tcsetattr(0, TCSANOW, &t));
}

static int read_ignored(void) { ignore(SIGTTIN); return do_read(); }
static int read_blocked(void) { block(SIGTTIN); return do_read(); }
static int write_ignored(void) { ignore(SIGTTOU); return do_write(); }
static int write_blocked(void) { block(SIGTTOU); return do_write(); }
static int tcsetattr_ignored(void) { ignore(SIGTTOU); return do_tcsetattr(); }

static int getters(void)
{
	struct termios t;
	struct winsize ws;
	int n, fd;

	if (tcgetattr(0, &t) < 0 || ioctl(0, TIOCGWINSZ, &ws) < 0 ||
	    ioctl(0, FIONREAD, &n) < 0)
		return errno;
	if (tcgetpgrp(0) != fg_pgrp)
		return 100;
	fd = open("/dev/tty", O_RDWR);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int tcsetpgrp_self(void)
{
	return err_of(tcsetpgrp(0, getpgrp()));
}

static int tcsetpgrp_ignored(void)
{
	ignore(SIGTTOU);
	return tcsetpgrp_self();
}

/* A child left in an orphaned group (its parent exits at once) reads, and
 * writes under TOSTOP: both EIO. It reports through a pipe. */
static void test_orphaned(void)
{
	int p[2], st;
	char res[2] = { 0, 0 };
	pid_t c;

	pipe(p);
	c = fork();
	if (c == 0) {
		pid_t parent = getpid();

		setpgid(0, 0);
		if (fork() == 0) {
			char r[2];

			WAIT_UNTIL(getppid() != parent);
			r[0] = do_read();
			r[1] = do_write();
			write(p[1], r, 2);
			_exit(0);
		}
		_exit(0);
	}
	close(p[1]);
	waitpid(c, &st, 0);
	if (read(p[0], res, 2) != 2)
		say("orphaned: no report");
	say("orphaned_read: %s", res[0] ? ename(res[0]) : "ok");
	say("orphaned_write_tostop: %s", res[1] ? ename(res[1]) : "ok");
	close(p[0]);
}

static void test_noncanonical(const struct termios *saved)
{
	struct termios t = *saved;
	char buf[4];

	t.c_lflag &= ~ICANON;
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0;
	tcsetattr(0, TCSANOW, &t);
	resv("read_vmin0_vtime0", read(0, buf, sizeof(buf)));
	t.c_cc[VTIME] = 2;
	tcsetattr(0, TCSANOW, &t);
	resv("read_vmin0_vtime2", read(0, buf, sizeof(buf)));
	tcsetattr(0, TCSANOW, saved);
}

static volatile sig_atomic_t got_io;

static void on_io(int sig)
{
	got_io++;
}

/* O_ASYNC on the terminal: the owner becomes the foreground group; a
 * typed line (the harness types "hello") raises SIGIO. */
static void test_async_line(void)
{
	char buf[64];
	ssize_t n;
	int fl = fcntl(0, F_GETFL);

	signal(SIGIO, on_io);
	chk("tty_setfl_async", fcntl(0, F_SETFL, fl | O_ASYNC));
	yesno("tty_owner_is_fg_group", fcntl(0, F_GETOWN) == -getpgrp());
	/* Natively the group holds our shell too, which SIGIO would kill. */
	chk("tty_setown_self", fcntl(0, F_SETOWN, getpid()));
	say("type a line:");
	yesno("tty_sigio", WAIT_UNTIL(got_io > 0));
	n = read(0, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = 0;
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = 0;
	say("line: %s", buf);
	fcntl(0, F_SETFL, fl);
	signal(SIGIO, SIG_DFL);
}

int main(void)
{
	struct termios saved, t;

	test_start();
	if (!isatty(0)) {
		say("terminal: none");
		say("DONE ttyjob");
		return 0;
	}
	say("BEGIN ttyjob");
	/* Whatever the parent left (tmux ignores these), start from default. */
	signal(SIGTTIN, SIG_DFL);
	signal(SIGTTOU, SIG_DFL);
	signal(SIGTSTP, SIG_DFL);
	{
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
	}
	fg_pgrp = getpgrp();
	yesno("foreground", tcgetpgrp(0) == getpgrp());
	yesno("sid_matches", tcgetsid(0) == getsid(0));
	tcgetattr(0, &saved);
	yesno("tostop_default", saved.c_lflag & TOSTOP);

	run_bg("bg_read", do_read);
	run_bg("bg_read_ttin_ignored", read_ignored);
	run_bg("bg_read_ttin_blocked", read_blocked);
	run_bg("bg_write", do_write);
	run_bg("bg_getters", getters);
	run_bg("bg_tcsetattr", do_tcsetattr);
	run_bg("bg_tcsetattr_ttou_ignored", tcsetattr_ignored);
	run_bg("bg_tcsetpgrp", tcsetpgrp_self);

	t = saved;
	t.c_lflag |= TOSTOP;
	tcsetattr(0, TCSANOW, &t);
	run_bg("tostop_bg_write", do_write);
	run_bg("tostop_bg_write_ttou_ignored", write_ignored);
	run_bg("tostop_bg_write_ttou_blocked", write_blocked);
	test_orphaned();
	tcsetattr(0, TCSANOW, &saved);

	run_bg("bg_tcsetpgrp_ttou_ignored", tcsetpgrp_ignored);
	yesno("foreground_lost", tcgetpgrp(0) != getpgrp());
	signal(SIGTTOU, SIG_IGN);
	chk("tcsetpgrp_back", tcsetpgrp(0, getpgrp()));
	signal(SIGTTOU, SIG_DFL);
	yesno("foreground_again", tcgetpgrp(0) == getpgrp());

	test_noncanonical(&saved);
	test_async_line();
	say("DONE ttyjob");
	return 0;
}
