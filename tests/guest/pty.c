/*
 * pty: Unix 98 pseudo-terminals through /dev/ptmx and /dev/pts: the
 * openpty sequence (posix_openpt, grantpt, unlockpt, ptsname, the lock,
 * TIOCGPTPEER), the slave's default termios, echo and canonical editing
 * seen from the master, output processing, raw mode, ^C from the master to
 * the foreground group, the controlling terminal taken by a session
 * leader's open (not with O_NOCTTY) and shown in /proc/PID/stat, SIGWINCH on a resize, packet mode, EIO on the master once
 * the slave is closed, and the hangup (SIGHUP, EOF, EIO) when the master
 * closes; with hostile arguments.
 */
#include "guest.h"
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/sysmacros.h>
#include <termios.h>

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

/* Bytes as a C string literal, so control characters show. */
static const char *esc(const char *b, long n)
{
	static char out[512];
	size_t o = 0;

	for (long i = 0; i < n && o < sizeof(out) - 5; i++) {
		unsigned char c = b[i];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			out[o++] = c;
		else
			o += snprintf(out + o, 5, "\\%03o", c);
	}
	out[o] = 0;
	return out;
}

/* Read from fd until want bytes came or 2 s of silence (pty input is
 * processed asynchronously on Linux). Returns the count, or -errno. */
static long drain(int fd, char *buf, long want)
{
	long got = 0;

	while (got < want) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long n;

		if (poll(&p, 1, 2000) <= 0)
			break;
		n = read(fd, buf + got, want - got);
		if (n < 0)
			return got ? got : -errno;
		if (n == 0)
			break;
		got += n;
	}
	return got;
}

static void show_read(const char *name, int fd, long want)
{
	char buf[256];
	long n = drain(fd, buf, want);

	if (n < 0)
		say("%s: %s", name, ename(-n));
	else
		say("%s: %ld \"%s\"", name, n, esc(buf, n));
}

/* master + unlocked slave opened by path; names checked. */
static int open_pair(int *slave, int flags)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	char *name;

	if (m < 0 || grantpt(m) || unlockpt(m))
		return -1;
	name = ptsname(m);
	*slave = name ? open(name, O_RDWR | flags) : -1;
	return m;
}

static void test_open(void)
{
	int m, s, lock = -1, n = -1, s2;
	char *name, want[32];

	m = posix_openpt(O_RDWR | O_NOCTTY);
	yesno("posix_openpt", m >= 0);
	chk("ioctl_gptlck", ioctl(m, TIOCGPTLCK, &lock));
	resv("locked_initially", lock);
	name = ptsname(m);
	yesno("ptsname_dev_pts", name && !strncmp(name, "/dev/pts/", 9));
	chk("ioctl_gptn", ioctl(m, TIOCGPTN, &n));
	snprintf(want, sizeof(want), "/dev/pts/%d", n);
	yesno("gptn_matches_ptsname", name && !strcmp(name, want));
	ERR("open_locked_slave", open(want, O_RDWR | O_NOCTTY));
	ERR("peer_locked", ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY));
	chk("grantpt", grantpt(m));
	chk("unlockpt", unlockpt(m));
	ioctl(m, TIOCGPTLCK, &lock);
	resv("locked_after_unlock", lock);
	s = open(want, O_RDWR | O_NOCTTY);
	yesno("open_slave", s >= 0);
	yesno("isatty_slave", isatty(s));
	yesno("isatty_master", isatty(m));
	yesno("ttyname_slave", ttyname(s) && !strcmp(ttyname(s), want));
	s2 = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY);
	yesno("peer_fd", s2 >= 0);
	yesno("peer_ttyname", s2 >= 0 && ttyname(s2) && !strcmp(ttyname(s2), want));
	ERR("slave_gptn", ioctl(s, TIOCGPTN, &n));
	ERR("gptn_bad", ioctl(m, TIOCGPTN, BAD1));
	ERR("sptlck_bad", ioctl(m, TIOCSPTLCK, BAD2));
	ERR("peer_badfd", ioctl(-1, TIOCGPTPEER, O_RDWR));
	close(s2);
	close(s);
	close(m);
}

static void test_termios(void)
{
	struct termios t;
	int s, m = open_pair(&s, O_NOCTTY);

	chk("tcgetattr_slave", tcgetattr(s, &t));
	say("slave_iflag: %o oflag: %o cflag: %o lflag: %o", t.c_iflag,
	    t.c_oflag, t.c_cflag, t.c_lflag);
	say("slave_cc: intr=%d quit=%d erase=%d kill=%d eof=%d min=%d time=%d",
	    t.c_cc[VINTR], t.c_cc[VQUIT], t.c_cc[VERASE], t.c_cc[VKILL],
	    t.c_cc[VEOF], t.c_cc[VMIN], t.c_cc[VTIME]);
	/* termios requests on the master act on the slave */
	t.c_lflag &= ~ECHO;
	chk("tcsetattr_master", tcsetattr(m, TCSANOW, &t));
	tcgetattr(s, &t);
	yesno("master_set_reaches_slave", !(t.c_lflag & ECHO));
	close(s);
	close(m);
}

static void test_io(void)
{
	struct termios t;
	char buf[64];
	int s, m = open_pair(&s, O_NOCTTY), fl;

	resv("master_write", write(m, "hello\n", 6));
	show_read("master_echo", m, 7);
	show_read("slave_line", s, 6);
	resv("slave_write", write(s, "a\nb", 3));
	show_read("master_sees_onlcr", m, 4);
	write(m, "abc", 3);
	show_read("echo_partial", m, 3);
	fl = fcntl(s, F_GETFL);
	fcntl(s, F_SETFL, fl | O_NONBLOCK);
	ERR("slave_read_no_line", read(s, buf, sizeof(buf)));
	fcntl(s, F_SETFL, fl);
	write(m, "\x7f" "d\n", 3);
	show_read("echo_erase", m, 6);
	show_read("slave_edited_line", s, 4);
	write(m, "\x04", 1);
	show_read("slave_eof", s, 1);
	tcgetattr(s, &t);
	cfmakeraw(&t);
	tcsetattr(s, TCSANOW, &t);
	write(m, "xyz\r", 4);
	show_read("raw_read", s, 4);
	{
		struct pollfd p = { .fd = m, .events = POLLIN };

		resv("raw_no_echo", poll(&p, 1, 100));
	}
	write(s, "r\n", 2);
	show_read("raw_output", m, 2);
	{
		int one = 1;

		chk("pkt_on", ioctl(m, TIOCPKT, &one));
		write(s, "p", 1);
		show_read("pkt_read", m, 2);
	}
	close(s);
	show_read("master_after_slave_close", m, 1);
	{
		struct pollfd p = { .fd = m, .events = POLLIN };

		poll(&p, 1, 1000);
		yesno("master_pollhup", p.revents & POLLHUP);
	}
	close(m);
}

/*
 * A child that becomes a session leader, opens the slave without O_NOCTTY
 * (so it becomes its controlling terminal), reports on the pipe, then
 * runs what: 0 wait in read, 1 wait for SIGWINCH, 2 ignore SIGHUP then
 * read and write after the hangup.
 */
static volatile sig_atomic_t winched;
static void on_winch(int sig) { winched = 1; }

static pid_t child_on_slave(const char *name, int what, int *ready,
			    int m, int ps)
{
	int p[2];
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		char c = 'x', buf[16];
		int s;

		close(p[0]);
		close(m);
		close(ps);
		setsid();
		if (what == 1) {
			struct sigaction sa = { .sa_handler = on_winch };
			sigset_t block, old;

			sigemptyset(&block);
			sigaddset(&block, SIGWINCH);
			sigprocmask(SIG_BLOCK, &block, &old);
			sigaction(SIGWINCH, &sa, NULL);
			s = open(name, O_RDWR);
			c = tcgetpgrp(s) == getpid() ? 'y' : 'n';
			write(p[1], &c, 1);
			while (!winched)
				sigsuspend(&old);
			_exit(0);
		}
		if (what == 2)
			signal(SIGHUP, SIG_IGN);
		s = open(name, O_RDWR);
		c = tcgetpgrp(s) == getpid() && tcgetsid(s) == getpid() ? 'y' : 'n';
		write(p[1], &c, 1);
		if (what == 2) {
			long r1 = read(s, buf, sizeof(buf));
			int e1 = errno;
			long r2 = read(s, buf, sizeof(buf));
			long w = write(s, "x", 1);

			_exit((r1 < 0 && e1 == EIO) | (r2 == 0) << 1 |
			      (w < 0 && errno == EIO) << 2);
		}
		read(s, buf, sizeof(buf));
		_exit(0);
	}
	close(p[1]);
	*ready = p[0];
	return pid;
}

static char wait_ready(int fd)
{
	char c = '?';

	if (read(fd, &c, 1) != 1)
		c = '!';
	close(fd);
	return c;
}

static void test_jobctl(void)
{
	struct winsize ws = { .ws_row = 33, .ws_col = 101 }, got;
	int s, m, rd;
	pid_t pid;
	char *name;

	m = open_pair(&s, O_NOCTTY);
	name = ptsname(m);
	pid = child_on_slave(name, 0, &rd, m, s);
	say("ctty_acquired_on_open: %c", wait_ready(rd));
	write(m, "\x03", 1);
	say("intr_from_master: %s", reap(pid));
	show_read("intr_echo", m, 2);

	pid = child_on_slave(name, 1, &rd, m, s);
	say("winch_child_ctty: %c", wait_ready(rd));
	chk("tiocswinsz_master", ioctl(m, TIOCSWINSZ, &ws));
	say("winch_child: %s", reap(pid));
	chk("tiocgwinsz_slave", ioctl(s, TIOCGWINSZ, &got));
	say("winsize: %dx%d", got.ws_row, got.ws_col);
	close(s);
	close(m);

	m = open_pair(&s, O_NOCTTY);
	name = ptsname(m);
	pid = child_on_slave(name, 0, &rd, m, s);
	say("hup_child_ctty: %c", wait_ready(rd));
	close(s);
	close(m);
	say("master_close_hangs_up: %s", reap(pid));

	m = open_pair(&s, O_NOCTTY);
	name = ptsname(m);
	pid = child_on_slave(name, 2, &rd, m, s);
	say("hup_ignored_child_ctty: %c", wait_ready(rd));
	yesno("reader_sleeps", wait_sleeping(pid, pid));
	close(s);
	close(m);
	say("after_hangup_read_eof_write_eio: %s", reap(pid));

	/* TIOCSCTTY / TIOCNOTTY by hand */
	m = open_pair(&s, O_NOCTTY);
	pid = fork();
	if (pid == 0) {
		int r1, r2, r3;

		close(m);
		setsid();
		r1 = ioctl(s, TIOCSCTTY, 0);
		r2 = tcgetpgrp(s) == getpid();
		r3 = ioctl(s, TIOCNOTTY);
		_exit((r1 == 0) | (r2 << 1) | ((r3 == 0) << 2) |
		      ((open("/dev/tty", O_RDWR) < 0 && errno == ENXIO) << 3));
	}
	say("sctty_notty: %s", reap(pid));
	close(s);
	close(m);
}

/* tty_nr of /proc/self/stat (field 7), or -1. */
static long stat_tty_nr(void)
{
	char buf[512], *p;
	int fd = open("/proc/self/stat", O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	long ppid, pgrp, sid, nr;
	char state;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %c %ld %ld %ld %ld", &state, &ppid, &pgrp,
			 &sid, &nr) != 5)
		return -1;
	return nr;
}

/* A device number as tty_nr encodes it (Linux new_encode_dev). */
static long encode_dev(dev_t d)
{
	return (minor(d) & 0xff) | (major(d) << 8) | ((minor(d) & ~0xffu) << 12);
}

/*
 * O_NOCTTY: a session leader that opens the slave with it, by path or
 * TIOCGPTPEER, gets no controlling terminal (/dev/tty is ENXIO, tty_nr
 * 0), and F_GETFL does not show the flag; an open without it then makes
 * the slave its terminal, and tty_nr is the slave's device number. The
 * child reports its lines over a pipe.
 */
static void test_noctty(void)
{
	int s, m = open_pair(&s, O_NOCTTY), p[2];
	char buf[512];
	pid_t pid;
	ssize_t n;

	if (m < 0 || s < 0 || pipe(p)) {
		say("noctty: setup failed");
		return;
	}
	pid = fork();
	if (pid == 0) {
		const char *name = ptsname(m);
		struct stat st;
		int s1, s2, peer, t;
		size_t o = 0;

		close(p[0]);
		close(s);
		setsid();
		s1 = open(name, O_RDWR | O_NOCTTY);
		t = open("/dev/tty", O_RDWR);
		o += snprintf(buf + o, sizeof(buf) - o,
			      "noctty_open: %s\nnoctty_devtty: %s\n"
			      "noctty_getfl_shows_it: %s\nnoctty_tty_nr: %ld\n",
			      s1 >= 0 ? "ok" : ename(errno),
			      t >= 0 ? "opened" : ename(errno),
			      fcntl(s1, F_GETFL) & O_NOCTTY ? "yes" : "no",
			      stat_tty_nr());
		peer = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY);
		t = open("/dev/tty", O_RDWR);
		o += snprintf(buf + o, sizeof(buf) - o,
			      "noctty_peer: %s\nnoctty_peer_devtty: %s\n",
			      peer >= 0 ? "ok" : ename(errno),
			      t >= 0 ? "opened" : ename(errno));
		s2 = open(name, O_RDWR);
		t = open("/dev/tty", O_RDWR);
		fstat(s2, &st);
		o += snprintf(buf + o, sizeof(buf) - o,
			      "ctty_open_devtty: %s\nctty_tty_nr_is_slave: %s\n"
			      "ctty_tty_nr_major: %ld\n",
			      t >= 0 ? "opened" : ename(errno),
			      stat_tty_nr() == encode_dev(st.st_rdev) ?
			      "yes" : "no", (stat_tty_nr() >> 8) & 0xfff);
		write(p[1], buf, o);
		_exit(0);
	}
	close(p[1]);
	n = 0;
	for (ssize_t r; n < (ssize_t)sizeof(buf) - 1 &&
	     (r = read(p[0], buf + n, sizeof(buf) - 1 - n)) > 0;)
		n += r;
	buf[n > 0 ? n : 0] = 0;
	close(p[0]);
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
		say("%s", line);
	say("noctty_child: %s", reap(pid));
	close(s);
	close(m);
}

int main(void)
{
	test_start();
	if (access("/dev/ptmx", F_OK)) {
		mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	}
	if (access("/proc/self/stat", F_OK))
		mount("proc", "/proc", "proc", 0, NULL);
	if (access("/dev/pts/ptmx", F_OK))
		mount("devpts", "/dev/pts", "devpts", 0, "gid=5,mode=620,ptmxmode=666");
	test_open();
	test_termios();
	test_io();
	test_jobctl();
	test_noctty();
	say("DONE pty");
	return 0;
}
