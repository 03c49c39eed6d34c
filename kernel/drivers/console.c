/*
 * The console: /dev/console (5,1), /dev/tty (5,0) and /dev/tty0 (4,0) on
 * the host's stdin and stdout. A plain stream: a read sleeps until the
 * host's stdin has data (the event loop watches it only while a reader
 * waits, so an unread fd never spins the loop); EOF on a host pipe or file
 * is EOF for the guest from then on. When the host's stdin is a terminal,
 * the termios and window-size requests are the host terminal's, which does
 * the line discipline; otherwise they fail with -ENOTTY as on a non-tty.
 * Semantics: Linux drivers/tty/tty_io.c (ioctls), tty_ioctl(4).
 */
#include <umk/tty.h>
#include <umk/syscalls.h>
#include <event.h>
#include <os.h>
#include <console_user.h>
#include <string.h>
#include <termios.h>
#include <sys/ioctl.h>

struct tty_struct console_tty;

static int host_in = 0, host_out = 1;
static bool in_is_tty, in_always_ready, in_eof, watching;

void console_input_ready(void)
{
	if (watching) {
		os_event_del_fd(host_in);
		watching = false;
	}
	wake_up(&console_tty.read_wait);
}

static void watch_input(void)
{
	if (!watching && !in_always_ready && !in_eof &&
	    os_event_add_fd(host_in, EV_CONSOLE) == 0)
		watching = true;
}

static bool input_available(void)
{
	return in_eof || in_always_ready || os_fd_readable(host_in);
}

static ssize_t console_read(struct file *f, char *buf, size_t len, loff_t *pos)
{
	long n;
	int err;

	for (;;) {
		if (in_eof)
			return 0;
		if (input_available()) {
			n = os_read(host_in, buf, len);
			if (n == 0 && !in_is_tty)
				in_eof = true;
			if (n >= 0 || n != -EAGAIN)
				return n < 0 ? -EIO : n;
		}
		if (f->f_flags & O_NONBLOCK)
			return -EAGAIN;
		watch_input();
		err = wait_event_interruptible(console_tty.read_wait,
					       input_available());
		if (err)
			return err;
	}
}

static ssize_t console_write(struct file *f, const char *buf, size_t len,
			     loff_t *pos)
{
	int err = os_write_all(host_out, buf, len);

	return err < 0 ? -EIO : (ssize_t)len;
}

static unsigned int console_poll(struct file *f, struct poll_table *pt)
{
	unsigned int mask = POLLOUT | POLLWRNORM;

	poll_wait(f, &console_tty.read_wait, pt);
	if (input_available())
		mask |= POLLIN | POLLRDNORM;
	else
		watch_input();
	return mask;
}

/* The kernel's termios (asm/termbits.h), what TCGETS/TCSETS carry. */
struct kernel_termios {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[19];
};

static void termios_to_kernel(const struct termios *t, struct kernel_termios *k)
{
	memset(k, 0, sizeof(*k));
	k->c_iflag = t->c_iflag;
	k->c_oflag = t->c_oflag;
	k->c_cflag = t->c_cflag;
	k->c_lflag = t->c_lflag;
	k->c_line = t->c_line;
	memcpy(k->c_cc, t->c_cc, sizeof(k->c_cc));
}

static void kernel_to_termios(const struct kernel_termios *k, struct termios *t)
{
	memset(t, 0, sizeof(*t));
	t->c_iflag = k->c_iflag;
	t->c_oflag = k->c_oflag;
	t->c_cflag = k->c_cflag;
	t->c_lflag = k->c_lflag;
	t->c_line = k->c_line;
	memcpy(t->c_cc, k->c_cc, sizeof(k->c_cc));
	t->c_ispeed = t->c_ospeed = k->c_cflag & CBAUD;
}

static bool is_ctty(void)
{
	return current->signal->tty == &console_tty;
}

static long console_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	struct uptr p = UPTR(arg);
	struct termios t;
	struct kernel_termios kt;
	struct winsize ws;
	pid_t pgrp;
	int n, err;

	switch (cmd) {
	case TCGETS:
		if (!in_is_tty)
			return -ENOTTY;
		err = os_tcgetattr(host_in, &t);
		if (err)
			return err;
		termios_to_kernel(&t, &kt);
		return copy_to_user(p, &kt, sizeof(kt)) ? -EFAULT : 0;
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		if (!in_is_tty)
			return -ENOTTY;
		if (copy_from_user(&kt, p, sizeof(kt)))
			return -EFAULT;
		kernel_to_termios(&kt, &t);
		return os_tcsetattr(host_in, cmd == TCSETS ? TCSANOW :
				    cmd == TCSETSW ? TCSADRAIN : TCSAFLUSH, &t);
	case TIOCGWINSZ:
		if (!in_is_tty)
			return -ENOTTY;
		err = os_get_winsize(host_in, &ws);
		if (err)
			return err;
		return copy_to_user(p, &ws, sizeof(ws)) ? -EFAULT : 0;
	case TIOCSWINSZ:
		if (!in_is_tty)
			return -ENOTTY;
		if (copy_from_user(&ws, p, sizeof(ws)))
			return -EFAULT;
		return os_set_winsize(host_in, &ws);
	case FIONREAD:
		n = in_always_ready || in_eof ? 0 : os_fionread(host_in);
		if (n < 0)
			n = 0;
		return copy_to_user(p, &n, sizeof(n)) ? -EFAULT : 0;
	case TIOCSCTTY:
		if (current->signal->session != current->tgid)
			return -EPERM;
		if (is_ctty())
			return 0;
		if (current->signal->tty)
			return -EPERM;
		if (console_tty.session && console_tty.session !=
		    current->signal->session && !(arg == 1 &&
		    capable(current->cred)))
			return -EPERM;
		current->signal->tty = &console_tty;
		console_tty.session = current->signal->session;
		console_tty.pgrp = current->signal->pgrp;
		return 0;
	case TIOCNOTTY:
		if (!is_ctty())
			return -ENOTTY;
		if (current->signal->session == current->tgid) {
			console_tty.session = 0;
			console_tty.pgrp = 0;
		}
		current->signal->tty = NULL;
		return 0;
	case TIOCGPGRP:
		if (!is_ctty())
			return -ENOTTY;
		return copy_to_user(p, &console_tty.pgrp, sizeof(pid_t)) ?
		       -EFAULT : 0;
	case TIOCSPGRP:
		if (!is_ctty() || console_tty.session != current->signal->session)
			return -ENOTTY;
		if (copy_from_user(&pgrp, p, sizeof(pgrp)))
			return -EFAULT;
		if (pgrp < 0)
			return -EINVAL;
		console_tty.pgrp = pgrp;
		return 0;
	case TIOCGSID:
		if (!is_ctty())
			return -ENOTTY;
		return copy_to_user(p, &console_tty.session, sizeof(pid_t)) ?
		       -EFAULT : 0;
	default:
		return -ENOTTY;
	}
}

const struct file_operations console_fops = {
	.read = console_read,
	.write = console_write,
	.poll = console_poll,
	.ioctl = console_ioctl,
};

int console_init(int host_in_fd, int host_out_fd)
{
	int err;

	host_in = host_in_fd;
	host_out = host_out_fd;
	init_waitqueue_head(&console_tty.read_wait);
	in_is_tty = os_isatty(host_in);
	in_always_ready = os_is_regular(host_in);
	event_set_handler(EV_CONSOLE, console_input_ready);
	err = register_chrdev(TTYAUX_MAJOR, "tty", &console_fops);
	if (err)
		return err;
	return register_chrdev(TTY_MAJOR, "vc", &console_fops);
}

/* umk got SIGINT from the host terminal: that is the guest's ^C. */
void console_host_interrupt(int sig)
{
	if (console_tty.pgrp > 0)
		kill_pgrp(console_tty.pgrp, sig, 1);
}

bool console_is_tty(void)
{
	return in_is_tty;
}
