/*
 * The console driver: the console tty on the host's stdin and stdout.
 *
 * When the host's stdin is a terminal, that terminal is put in raw mode
 * (and always restored: console_exit on every exit path, a crash handler,
 * host job control through the sigio thread) and the console is a real
 * terminal: the event loop reports input, which goes through the line
 * discipline (n_tty.c) at once, so ^C reaches the foreground group while
 * nobody reads; output is written to the host's stdout after the line
 * discipline's processing; host SIGWINCH resizes it.
 *
 * Otherwise (a pipe, a file, /dev/null: CI) it is a plain stream, as
 * before: a read takes what the host's stdin has (the event loop watches
 * it, one-shot, only while a reader or an O_ASYNC file waits, so an unread fd never
 * spins), EOF on the host is EOF for the guest from then on, and the
 * termios requests fail with -ENOTTY as on a pipe.
 * Semantics: Linux drivers/tty/vt (the console's termios), tty_io.c.
 */
#include <umk/tty.h>
#include <umk/sigio.h>
#include <umk/syscalls.h>
#include <os.h>
#include <event.h>
#include <console_user.h>
#include <sigio_user.h>
#include <string.h>
#include <termios.h>
#include <sys/ioctl.h>

struct tty_struct console_tty;

static int host_in = 0, host_out = 1;
static bool in_always_ready;	/* a regular file: poll cannot wait on it */
static bool in_eof;		/* plain stream: the host's stdin ended */
static bool armed;		/* the event loop watches host_in */
static unsigned char pending[1024];	/* read from the host, not yet taken */
static size_t pending_len, pending_off;

static ssize_t con_write(struct tty_struct *tty, const char *buf, size_t len)
{
	return os_write_all(host_out, buf, len) < 0 ? -EIO : (ssize_t)len;
}

static void arm_input(void)
{
	if (!armed && !in_always_ready && !in_eof && !console_tty.hw_hangup &&
	    os_event_mod(host_in, POLLIN | EVENT_ONESHOT) == 0)
		armed = true;
}

/* ---- terminal mode ---- */

/* Hand what was read from the host to the line discipline. */
static void feed_pending(void)
{
	size_t n;

	while (pending_off < pending_len) {
		n = n_tty_receive_buf(&console_tty, pending + pending_off,
				      pending_len - pending_off);
		pending_off += n;
		if (console_tty.ldata.throttled)
			return;
	}
	pending_off = pending_len = 0;
}

/* Event loop: the host terminal has input (or hung up). */
static void con_input(int fd, unsigned int revents, void *data)
{
	long n;

	armed = false;
	if (pending_len)
		return;
	n = os_fd_readable(host_in) ? os_read(host_in, pending,
					      sizeof(pending)) : -EAGAIN;
	if (n == -EAGAIN || n == -EINTR) {
		arm_input();
		return;
	}
	if (n <= 0) {
		console_tty.hw_hangup = true;
		tty_hangup(&console_tty);
		return;
	}
	pending_len = n;
	pending_off = 0;
	feed_pending();
	if (!pending_len)
		arm_input();
}

static void con_unthrottle(struct tty_struct *tty)
{
	feed_pending();
	if (!pending_len)
		arm_input();
}

static const struct tty_operations con_ops = {
	.write = con_write,
	.unthrottle = con_unthrottle,
};

static void read_host_winsize(struct tty_winsize *w)
{
	struct winsize ws;

	if (os_get_winsize(host_in, &ws) < 0 || !ws.ws_row || !ws.ws_col)
		ws = (struct winsize){ .ws_row = 24, .ws_col = 80 };
	*w = (struct tty_winsize){ ws.ws_row, ws.ws_col, ws.ws_xpixel,
				   ws.ws_ypixel };
}

/* Host SIGWINCH (or umk continued): the guest sees the new size. */
static void con_host_event(unsigned int events)
{
	struct tty_winsize ws;

	if (console_tty.ldisc_off || !(events & SIGIO_HOST_WINCH))
		return;
	read_host_winsize(&ws);
	tty_do_resize(&console_tty, &ws);
}

/* A Linux console's termios (tty_std_termios), with the host terminal's
 * erase character and UTF-8 mode. */
static void init_termios(const struct termios *host)
{
	static const unsigned char init_cc[KNCCS] = {
		[VINTR] = 003, [VQUIT] = 034, [VERASE] = 0177, [VKILL] = 025,
		[VEOF] = 004, [VTIME] = 0, [VMIN] = 1, [VSTART] = 021,
		[VSTOP] = 023, [VSUSP] = 032, [VREPRINT] = 022,
		[VDISCARD] = 017, [VWERASE] = 027, [VLNEXT] = 026,
	};
	struct ktermios *t = &console_tty.termios;

	t->c_iflag = ICRNL | IXON | (host->c_iflag & IUTF8);
	t->c_oflag = OPOST | ONLCR;
	t->c_cflag = B38400 | CS8 | CREAD | HUPCL;
	t->c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE |
		     IEXTEN;
	memcpy(t->c_cc, init_cc, KNCCS);
	if (host->c_cc[VERASE] && host->c_cc[VERASE] != _POSIX_VDISABLE)
		t->c_cc[VERASE] = host->c_cc[VERASE];
	t->c_ispeed = t->c_ospeed = 38400;
}

/* ---- plain stream mode ---- */

static bool plain_available(void)
{
	return in_eof || in_always_ready || os_fd_readable(host_in);
}

/* Event loop: the host's stdin (not a terminal) is readable. */
static void con_plain_input(int fd, unsigned int revents, void *data)
{
	armed = false;
	wake_up(&console_tty.read_wait);
	kill_fasync(&console_tty.fasync, SIGIO, POLL_IN);
}

void console_plain_want_input(void)
{
	arm_input();
}

ssize_t console_plain_read(struct file *f, char *buf, size_t len)
{
	long n;
	int err;

	for (;;) {
		if (in_eof)
			return 0;
		if (plain_available()) {
			n = os_read(host_in, buf, len);
			if (n == 0)
				in_eof = true;
			if (n != -EAGAIN) {
				if (n > 0 && console_tty.fasync)
					arm_input();
				return n < 0 ? -EIO : n;
			}
		}
		if (f->f_flags & O_NONBLOCK)
			return -EAGAIN;
		arm_input();
		err = wait_event_interruptible(console_tty.read_wait,
					       plain_available());
		if (err)
			return err;
	}
}

unsigned int console_plain_poll(struct file *f, struct poll_table *pt)
{
	unsigned int mask = POLLOUT | POLLWRNORM;

	poll_wait(f, &console_tty.read_wait, pt);
	if (plain_available())
		mask |= POLLIN | POLLRDNORM;
	else
		arm_input();
	return mask;
}

int console_plain_inq(void)
{
	int n = in_always_ready || in_eof ? 0 : os_fionread(host_in);

	return n < 0 ? 0 : n;
}

/* ---- set-up and exit ---- */

int console_init(int host_in_fd, int host_out_fd)
{
	struct termios host;
	bool tty_mode;
	int err;

	host_in = host_in_fd;
	host_out = host_out_fd;
	tty_init(&console_tty, "tty0", &con_ops);
	in_always_ready = os_is_regular(host_in);
	tty_mode = os_isatty(host_in) && os_tcgetattr(host_in, &host) == 0 &&
		   os_console_raw_enter(host_in) == 0;
	console_tty.ldisc_off = !tty_mode;
	if (tty_mode) {
		init_termios(&host);
		read_host_winsize(&console_tty.winsize);
	}
	/* Registered disarmed; arm_input() arms it. What epoll refuses (a
	 * regular file, /dev/null) needs no watch: it is always readable. */
	if (!in_always_ready) {
		err = os_event_add(host_in, EVENT_ONESHOT, tty_mode ? con_input :
				   con_plain_input, NULL);
		if (err == -EPERM)
			in_always_ready = true;
		else if (err)
			return err;
	}
	sigio_set_host_handler(con_host_event);
	if (tty_mode)
		arm_input();
	return tty_register_console(&console_tty);
}

void console_exit(void)
{
	os_console_raw_restore();
}

void console_print_kmsg(const char *s, size_t len)
{
	size_t start = 0;

	if (!os_console_is_raw() || !os_isatty(2)) {
		os_write_all(2, s, len);
		return;
	}
	for (size_t i = 0; i < len; i++) {
		if (s[i] != '\n')
			continue;
		os_write_all(2, s + start, i - start);
		os_write_all(2, "\r\n", 2);
		start = i + 1;
	}
	os_write_all(2, s + start, len - start);
}
