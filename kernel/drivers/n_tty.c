/*
 * N_TTY, the line discipline between a terminal device and its readers and
 * writers: input processing (ISTRIP, ICRNL, INLCR, IGNCR, IUCLC, IXON),
 * signal characters (ISIG: VINTR, VQUIT, VSUSP to the foreground group),
 * canonical editing (VERASE, VKILL, VWERASE, VLNEXT, VREPRINT, VEOF, VEOL,
 * VEOL2) with its echo (ECHO, ECHOE, ECHOK, ECHOKE, ECHOCTL, ECHONL,
 * ECHOPRT), non-canonical reads (VMIN, VTIME), and output processing
 * (OPOST, ONLCR, OCRNL, ONOCR, ONLRET, OLCUC, XTABS) with the column it
 * tracks for erasing tabs. Echo is written straight to the device.
 * Semantics: Linux drivers/tty/n_tty.c, termios(3).
 */
#include <umk/tty.h>
#include <umk/syscalls.h>
#include <string.h>
#include <termios.h>

#define MASK(x) ((x) & (N_TTY_BUF_SIZE - 1))
#define I_(tty, f) ((tty)->termios.c_iflag & (f))
#define O_(tty, f) ((tty)->termios.c_oflag & (f))
#define L_(tty, f) ((tty)->termios.c_lflag & (f))

/* Output gathered for one device write. */
struct obuf {
	struct tty_struct *tty;
	size_t n;
	int err;
	char b[512];
};

static bool is_cntrl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

static bool is_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

/* c is the special character cc[idx], which is not disabled (0). */
static bool is_char(struct tty_struct *tty, unsigned char c, int idx)
{
	unsigned char s = tty->termios.c_cc[idx];

	return s != _POSIX_VDISABLE && c == s;
}

static bool is_continuation(struct tty_struct *tty, unsigned char c)
{
	return I_(tty, IUTF8) && (c & 0xc0) == 0x80;
}

static size_t read_cnt(struct n_tty_data *ld)
{
	return ld->read_head - ld->read_tail;
}

static void out_flush(struct obuf *o)
{
	ssize_t r;

	if (o->n && !o->err) {
		r = o->tty->ops->write(o->tty, o->b, o->n);
		if (r < 0)
			o->err = r;
	}
	o->n = 0;
}

static void out_put(struct obuf *o, unsigned char c)
{
	if (o->n == sizeof(o->b))
		out_flush(o);
	o->b[o->n++] = c;
}

/* One output byte through OPOST processing (Linux do_output_char). */
static void output_char(struct tty_struct *tty, struct obuf *o, unsigned char c)
{
	struct n_tty_data *ld = &tty->ldata;
	unsigned int spaces;

	if (!O_(tty, OPOST)) {
		out_put(o, c);
		return;
	}
	switch (c) {
	case '\n':
		if (O_(tty, ONLRET))
			ld->column = 0;
		if (O_(tty, ONLCR)) {
			ld->canon_column = ld->column = 0;
			out_put(o, '\r');
			out_put(o, '\n');
			return;
		}
		ld->canon_column = ld->column;
		break;
	case '\r':
		if (O_(tty, ONOCR) && ld->column == 0)
			return;
		if (O_(tty, OCRNL)) {
			c = '\n';
			if (O_(tty, ONLRET))
				ld->canon_column = ld->column = 0;
			break;
		}
		ld->canon_column = ld->column = 0;
		break;
	case '\t':
		spaces = 8 - (ld->column & 7);
		ld->column += spaces;
		if ((tty->termios.c_oflag & TABDLY) == XTABS) {
			while (spaces--)
				out_put(o, ' ');
			return;
		}
		break;
	case '\b':
		if (ld->column > 0)
			ld->column--;
		break;
	default:
		if (!is_cntrl(c)) {
			if (O_(tty, OLCUC) && c >= 'a' && c <= 'z')
				c -= 'a' - 'A';
			if (!is_continuation(tty, c))
				ld->column++;
		}
		break;
	}
	out_put(o, c);
}

/* Echo c as it is (echo_char_raw). */
static void echo_raw(struct tty_struct *tty, struct obuf *o, unsigned char c)
{
	output_char(tty, o, c);
}

/* Echo c, a control character as ^X under ECHOCTL (echo_char). */
static void echo_char(struct tty_struct *tty, struct obuf *o, unsigned char c)
{
	if (L_(tty, ECHOCTL) && is_cntrl(c) && c != '\t') {
		out_put(o, '^');
		out_put(o, c ^ 0100);
		tty->ldata.column += 2;
		return;
	}
	echo_raw(tty, o, c);
}

static void finish_erasing(struct tty_struct *tty, struct obuf *o)
{
	if (tty->ldata.erasing) {
		echo_raw(tty, o, '/');
		tty->ldata.erasing = false;
	}
}

static void reset_buffer(struct n_tty_data *ld)
{
	ld->read_head = ld->canon_head = ld->read_tail;
	memset(ld->read_flags, 0, sizeof(ld->read_flags));
	ld->lnext = false;
	ld->erasing = false;
}

void n_tty_open(struct tty_struct *tty)
{
	memset(&tty->ldata, 0, sizeof(tty->ldata));
}

static void put_char(struct n_tty_data *ld, unsigned char c)
{
	if (read_cnt(ld) < N_TTY_BUF_SIZE - 1)
		ld->read_buf[MASK(ld->read_head++)] = c;
}

/* A line is complete: readers may take it. */
static void put_line_end(struct tty_struct *tty, unsigned char c, int flags)
{
	struct n_tty_data *ld = &tty->ldata;

	if (read_cnt(ld) >= N_TTY_BUF_SIZE)
		return;
	ld->read_flags[MASK(ld->read_head)] = flags;
	ld->read_buf[MASK(ld->read_head++)] = c;
	ld->canon_head = ld->read_head;
	kill_fasync(&tty->fasync, SIGIO, POLL_IN);
	wake_up(&tty->read_wait);
}

/* Back up over a tab: the columns the characters since the line start
 * (or the previous tab) took decide how far (Linux echo_erase_tab). */
static void erase_tab(struct tty_struct *tty, struct obuf *o)
{
	struct n_tty_data *ld = &tty->ldata;
	unsigned int num = 0, bs;
	size_t tail = ld->read_head;
	bool after_tab = false;

	while (MASK(tail) != MASK(ld->canon_head)) {
		unsigned char c = ld->read_buf[MASK(--tail)];

		if (c == '\t') {
			after_tab = true;
			break;
		} else if (is_cntrl(c)) {
			if (L_(tty, ECHOCTL))
				num += 2;
		} else if (!is_continuation(tty, c)) {
			num++;
		}
	}
	if (!after_tab)
		num += ld->canon_column;
	bs = 8 - (num & 7);
	if (bs > ld->column)
		bs = ld->column;
	while (bs--) {
		out_put(o, '\b');
		if (ld->column > 0)
			ld->column--;
	}
}

static void echo_erase(struct tty_struct *tty, struct obuf *o)
{
	echo_raw(tty, o, '\b');
	echo_raw(tty, o, ' ');
	echo_raw(tty, o, '\b');
}

/* VERASE, VWERASE, VKILL (Linux eraser). */
static void eraser(struct tty_struct *tty, struct obuf *o, unsigned char c)
{
	enum { ERASE, WERASE, KILL } kill_type;
	struct n_tty_data *ld = &tty->ldata;
	int seen_alnums = 0;
	size_t head, cnt;

	if (ld->read_head == ld->canon_head)
		return;
	if (is_char(tty, c, VERASE)) {
		kill_type = ERASE;
	} else if (is_char(tty, c, VWERASE)) {
		kill_type = WERASE;
	} else {
		if (!L_(tty, ECHO)) {
			ld->read_head = ld->canon_head;
			return;
		}
		if (!L_(tty, ECHOK) || !L_(tty, ECHOKE) || !L_(tty, ECHOE)) {
			ld->read_head = ld->canon_head;
			finish_erasing(tty, o);
			echo_char(tty, o, tty->termios.c_cc[VKILL]);
			if (L_(tty, ECHOK))
				echo_raw(tty, o, '\n');
			return;
		}
		kill_type = KILL;
	}
	while (MASK(ld->read_head) != MASK(ld->canon_head)) {
		head = ld->read_head;
		do {
			c = ld->read_buf[MASK(--head)];
		} while (is_continuation(tty, c) &&
			 MASK(head) != MASK(ld->canon_head));
		if (is_continuation(tty, c))
			break;
		if (kill_type == WERASE) {
			if (is_alnum(c) || c == '_')
				seen_alnums++;
			else if (seen_alnums)
				break;
		}
		cnt = ld->read_head - head;
		ld->read_head = head;
		if (L_(tty, ECHO)) {
			if (L_(tty, ECHOPRT)) {
				if (!ld->erasing) {
					echo_raw(tty, o, '\\');
					ld->erasing = true;
				}
				echo_char(tty, o, c);
				while (--cnt > 0)
					out_put(o, ld->read_buf[MASK(++head)]);
			} else if (kill_type == ERASE && !L_(tty, ECHOE)) {
				echo_char(tty, o, tty->termios.c_cc[VERASE]);
			} else if (c == '\t') {
				erase_tab(tty, o);
			} else {
				if (is_cntrl(c) && L_(tty, ECHOCTL))
					echo_erase(tty, o);
				if (!is_cntrl(c) || L_(tty, ECHOCTL))
					echo_erase(tty, o);
			}
		}
		if (kill_type == ERASE)
			break;
	}
	if (ld->read_head == ld->canon_head && L_(tty, ECHO))
		finish_erasing(tty, o);
}

/* VINTR, VQUIT, VSUSP: signal the foreground group; flush unless NOFLSH. */
static void receive_signal_char(struct tty_struct *tty, struct obuf *o,
				int sig, unsigned char c)
{
	if (tty->pgrp)
		kill_pgrp(tty->pgrp, sig, 1);
	if (!L_(tty, NOFLSH))
		reset_buffer(&tty->ldata);
	if (I_(tty, IXON))
		start_tty(tty);
	if (L_(tty, ECHO))
		echo_char(tty, o, c);
}

/* An ordinary character: echo it and queue it (n_tty_receive_char). */
static void receive_normal(struct tty_struct *tty, struct obuf *o,
			   unsigned char c)
{
	struct n_tty_data *ld = &tty->ldata;

	if (L_(tty, ECHO)) {
		finish_erasing(tty, o);
		if (ld->canon_head == ld->read_head)
			ld->canon_column = ld->column;
		echo_char(tty, o, c);
	}
	put_char(ld, c);
}

static void reprint(struct tty_struct *tty, struct obuf *o, unsigned char c)
{
	struct n_tty_data *ld = &tty->ldata;

	finish_erasing(tty, o);
	echo_char(tty, o, c);
	echo_raw(tty, o, '\n');
	for (size_t t = ld->canon_head; MASK(t) != MASK(ld->read_head); t++)
		echo_char(tty, o, ld->read_buf[MASK(t)]);
}

/* Canonical-mode specials; false if c is an ordinary character. */
static bool receive_canon_special(struct tty_struct *tty, struct obuf *o,
				  unsigned char c)
{
	struct n_tty_data *ld = &tty->ldata;

	if (is_char(tty, c, VERASE) || is_char(tty, c, VKILL) ||
	    (is_char(tty, c, VWERASE) && L_(tty, IEXTEN))) {
		eraser(tty, o, c);
		return true;
	}
	if (is_char(tty, c, VLNEXT) && L_(tty, IEXTEN)) {
		ld->lnext = true;
		if (L_(tty, ECHO)) {
			finish_erasing(tty, o);
			if (L_(tty, ECHOCTL)) {
				echo_raw(tty, o, '^');
				echo_raw(tty, o, '\b');
			}
		}
		return true;
	}
	if (is_char(tty, c, VREPRINT) && L_(tty, ECHO) && L_(tty, IEXTEN)) {
		reprint(tty, o, c);
		return true;
	}
	if (c == '\n') {
		if (L_(tty, ECHO) || L_(tty, ECHONL))
			echo_raw(tty, o, '\n');
		put_line_end(tty, c, N_TTY_EOL);
		return true;
	}
	if (is_char(tty, c, VEOF)) {
		put_line_end(tty, _POSIX_VDISABLE, N_TTY_EOL | N_TTY_EOF);
		return true;
	}
	if (is_char(tty, c, VEOL) || (is_char(tty, c, VEOL2) && L_(tty, IEXTEN))) {
		if (L_(tty, ECHO)) {
			if (ld->canon_head == ld->read_head)
				ld->canon_column = ld->column;
			echo_char(tty, o, c);
		}
		put_line_end(tty, c, N_TTY_EOL);
		return true;
	}
	return false;
}

static void receive_char(struct tty_struct *tty, struct obuf *o, unsigned char c)
{
	struct n_tty_data *ld = &tty->ldata;

	if (I_(tty, ISTRIP))
		c &= 0x7f;
	if (I_(tty, IUCLC) && L_(tty, IEXTEN) && c >= 'A' && c <= 'Z')
		c += 'a' - 'A';
	if (ld->lnext) {
		ld->lnext = false;
		receive_normal(tty, o, c);
		return;
	}
	if (I_(tty, IXON)) {
		if (is_char(tty, c, VSTART)) {
			start_tty(tty);
			return;
		}
		if (is_char(tty, c, VSTOP)) {
			stop_tty(tty);
			return;
		}
	}
	if (L_(tty, ISIG)) {
		int sig = is_char(tty, c, VINTR) ? SIGINT :
			  is_char(tty, c, VQUIT) ? SIGQUIT :
			  is_char(tty, c, VSUSP) ? SIGTSTP : 0;

		if (sig) {
			receive_signal_char(tty, o, sig, c);
			return;
		}
	}
	if (tty->stopped && I_(tty, IXON) && I_(tty, IXANY))
		start_tty(tty);
	if (c == '\r') {
		if (I_(tty, IGNCR))
			return;
		if (I_(tty, ICRNL))
			c = '\n';
	} else if (c == '\n' && I_(tty, INLCR)) {
		c = '\r';
	}
	if (L_(tty, ICANON) && receive_canon_special(tty, o, c))
		return;
	receive_normal(tty, o, c);
}

/* Full: stop taking input. Canonical mode keeps editing a line that has
 * not ended yet (extra characters are dropped), as Linux does. */
static bool no_room(struct tty_struct *tty)
{
	struct n_tty_data *ld = &tty->ldata;

	if (L_(tty, ICANON) && ld->canon_head == ld->read_tail)
		return false;
	return read_cnt(ld) >= N_TTY_BUF_SIZE - 1;
}

size_t n_tty_receive_room(struct tty_struct *tty)
{
	struct n_tty_data *ld = &tty->ldata;

	if (L_(tty, ICANON) && ld->canon_head == ld->read_tail)
		return N_TTY_BUF_SIZE;
	return N_TTY_BUF_SIZE - 1 - min(read_cnt(ld), N_TTY_BUF_SIZE - 1);
}

size_t n_tty_receive_buf(struct tty_struct *tty, const unsigned char *buf,
			 size_t len)
{
	struct obuf o = { .tty = tty };
	size_t i;

	for (i = 0; i < len; i++) {
		if (no_room(tty)) {
			tty->ldata.throttled = true;
			break;
		}
		receive_char(tty, &o, buf[i]);
	}
	out_flush(&o);
	if (!L_(tty, ICANON) && read_cnt(&tty->ldata)) {
		kill_fasync(&tty->fasync, SIGIO, POLL_IN);
		wake_up(&tty->read_wait);
	}
	return i;
}

static bool input_available(struct tty_struct *tty, bool poll)
{
	struct n_tty_data *ld = &tty->ldata;
	size_t amt = 1;

	if (L_(tty, ICANON))
		return ld->canon_head != ld->read_tail;
	if (poll && !tty->termios.c_cc[VTIME] && tty->termios.c_cc[VMIN])
		amt = tty->termios.c_cc[VMIN];
	return read_cnt(ld) >= amt;
}

static size_t copy_raw(struct n_tty_data *ld, char *buf, size_t len)
{
	size_t n = min(len, read_cnt(ld));

	for (size_t i = 0; i < n; i++)
		buf[i] = ld->read_buf[MASK(ld->read_tail + i)];
	ld->read_tail += n;
	return n;
}

/* One line or what fits of it; a VEOF ends the line and is not copied. */
static size_t copy_canon(struct n_tty_data *ld, char *buf, size_t len)
{
	size_t n = min(len, ld->canon_head - ld->read_tail), i, take, give;
	bool found = false;

	for (i = 0; i < n; i++) {
		if (ld->read_flags[MASK(ld->read_tail + i)] & N_TTY_EOL) {
			found = true;
			break;
		}
	}
	take = found ? i + 1 : n;
	give = take;
	if (found && (ld->read_flags[MASK(ld->read_tail + i)] & N_TTY_EOF))
		give = i;
	for (size_t j = 0; j < give; j++)
		buf[j] = ld->read_buf[MASK(ld->read_tail + j)];
	if (found)
		ld->read_flags[MASK(ld->read_tail + i)] = 0;
	ld->read_tail += take;
	return give;
}

static void check_unthrottle(struct tty_struct *tty)
{
	if (tty->ldata.throttled && !no_room(tty)) {
		tty->ldata.throttled = false;
		if (tty->ops->unthrottle)
			tty->ops->unthrottle(tty);
	}
}

/* Sleep on read_wait until woken, deadline (ns, 0: none) or a signal:
 * 1 woken, 0 timed out, -ERESTARTSYS. */
static int read_sleep(struct tty_struct *tty, uint64_t deadline)
{
	struct wait_queue_entry w = { .task = current };
	int ret;

	add_wait_queue(&tty->read_wait, &w);
	if (deadline) {
		ret = schedule_timeout(deadline);
	} else {
		schedule_sleep(true);
		ret = signal_pending(current) ? -ERESTARTSYS : 1;
	}
	remove_wait_queue(&tty->read_wait, &w);
	return ret;
}

/*
 * read(2) (Linux n_tty_read): job control first; canonical mode returns
 * one line (0 at VEOF on an empty line); otherwise VMIN bytes, with VTIME
 * a timeout (VMIN 0) or an inter-byte timer (VMIN > 0).
 */
ssize_t n_tty_read(struct tty_struct *tty, struct file *f, char *buf,
		   size_t len)
{
	struct tty_file *tf = f->private_data;
	size_t done = 0, minimum = 0;
	uint64_t timeout = ~0ULL, time = 0, deadline;
	ssize_t ret = 0;
	int r;

	if (!tf->console) {
		ret = tty_check_change(tty, SIGTTIN);
		if (ret)
			return ret;
	}
	if (!L_(tty, ICANON)) {
		minimum = tty->termios.c_cc[VMIN];
		if (minimum) {
			time = tty->termios.c_cc[VTIME] * 100000000ULL;
		} else {
			timeout = tty->termios.c_cc[VTIME] * 100000000ULL;
			minimum = 1;
		}
	}
	deadline = timeout && timeout != ~0ULL ? ktime_get_ns() + timeout : 0;
	while (done < len) {
		if (!input_available(tty, false)) {
			if (tty->other_closed) {
				ret = -EIO;
				break;
			}
			if (tty->hw_hangup || tf->hung_up || !timeout)
				break;
			if (f->f_flags & O_NONBLOCK) {
				ret = -EAGAIN;
				break;
			}
			if (signal_pending(current)) {
				ret = -ERESTARTSYS;
				break;
			}
			r = read_sleep(tty, deadline);
			if (r == 0)
				timeout = 0;
			continue;
		}
		if (L_(tty, ICANON)) {
			done += copy_canon(&tty->ldata, buf + done, len - done);
		} else {
			done += copy_raw(&tty->ldata, buf + done, len - done);
		}
		check_unthrottle(tty);
		if (done >= minimum)
			break;
		if (time) {
			timeout = time;
			deadline = ktime_get_ns() + time;
		}
	}
	return done ? (ssize_t)done : ret;
}

/* Output expands a byte to at most this many (a tab to spaces). */
#define OUT_EXPAND 8

/*
 * Write to a device with a bounded buffer (a pty's master side): wait for
 * room, then process as many bytes as surely fit. The count written, or
 * -EAGAIN (O_NONBLOCK), -ERESTARTSYS, -EIO (hung up) before any byte.
 */
static ssize_t write_with_room(struct tty_struct *tty, struct file *f,
			       const char *buf, size_t len)
{
	struct tty_file *tf = f->private_data;
	size_t done = 0;
	int err = 0;

	while (done < len) {
		struct obuf o = { .tty = tty };
		size_t room = tty->ops->write_room(tty), n;

		if (room < OUT_EXPAND) {
			if (f->f_flags & O_NONBLOCK) {
				err = -EAGAIN;
				break;
			}
			err = wait_event_interruptible(tty->write_wait,
					tty->ops->write_room(tty) >= OUT_EXPAND ||
					tf->hung_up || tty->hw_hangup);
			if (!err && (tf->hung_up || tty->hw_hangup))
				err = -EIO;
			if (err)
				break;
			continue;
		}
		n = min(len - done, room / OUT_EXPAND);
		for (size_t i = 0; i < n; i++)
			output_char(tty, &o, buf[done + i]);
		out_flush(&o);
		if (o.err) {
			err = o.err;
			break;
		}
		done += n;
	}
	return done ? (ssize_t)done : err;
}

/* write(2) (Linux n_tty_write): TOSTOP job control, wait while output is
 * stopped, OPOST processing. */
ssize_t n_tty_write(struct tty_struct *tty, struct file *f, const char *buf,
		    size_t len)
{
	struct tty_file *tf = f->private_data;
	struct obuf o = { .tty = tty };
	int err;

	if (L_(tty, TOSTOP) && !tf->console) {
		err = tty_check_change(tty, SIGTTOU);
		if (err)
			return err;
	}
	while (tty->stopped) {
		if (f->f_flags & O_NONBLOCK)
			return -EAGAIN;
		err = wait_event_interruptible(tty->write_wait,
				!tty->stopped || tf->hung_up || tty->hw_hangup);
		if (err)
			return err;
		if (tf->hung_up)
			return -EIO;
	}
	if (!len)
		return 0;
	if (tty->ops->write_room)
		return write_with_room(tty, f, buf, len);
	if (!O_(tty, OPOST))
		return tty->ops->write(tty, buf, len);
	for (size_t i = 0; i < len; i++)
		output_char(tty, &o, buf[i]);
	out_flush(&o);
	return o.err ? o.err : (ssize_t)len;
}

unsigned int n_tty_poll(struct tty_struct *tty, struct file *f,
			struct poll_table *pt)
{
	unsigned int mask = 0;

	poll_wait(f, &tty->read_wait, pt);
	poll_wait(f, &tty->write_wait, pt);
	if (input_available(tty, true))
		mask |= POLLIN | POLLRDNORM;
	if (tty->hw_hangup)
		mask |= POLLIN | POLLRDNORM | POLLHUP;
	if (!tty->stopped && (!tty->ops->write_room ||
			      tty->ops->write_room(tty) >= OUT_EXPAND))
		mask |= POLLOUT | POLLWRNORM;
	return mask;
}

void n_tty_set_termios(struct tty_struct *tty, const struct ktermios *old)
{
	struct n_tty_data *ld = &tty->ldata;

	if ((old->c_lflag ^ tty->termios.c_lflag) & ICANON) {
		memset(ld->read_flags, 0, sizeof(ld->read_flags));
		if (!L_(tty, ICANON) || !read_cnt(ld)) {
			ld->canon_head = ld->read_tail;
		} else {
			ld->read_flags[MASK(ld->read_head - 1)] = N_TTY_EOL;
			ld->canon_head = ld->read_head;
		}
		ld->erasing = false;
		ld->lnext = false;
	}
	if (!I_(tty, IXON) && (old->c_iflag & IXON) && tty->stopped)
		start_tty(tty);
	check_unthrottle(tty);
	wake_up(&tty->write_wait);
	wake_up(&tty->read_wait);
}

void n_tty_flush_input(struct tty_struct *tty)
{
	reset_buffer(&tty->ldata);
	check_unthrottle(tty);
}

int n_tty_inq(struct tty_struct *tty)
{
	struct n_tty_data *ld = &tty->ldata;
	size_t nr;

	if (!L_(tty, ICANON))
		return read_cnt(ld);
	nr = ld->canon_head - ld->read_tail;
	for (size_t t = ld->read_tail; t != ld->canon_head; t++)
		if (ld->read_flags[MASK(t)] & N_TTY_EOF)
			nr--;
	return nr;
}

void stop_tty(struct tty_struct *tty)
{
	tty->stopped = true;
}

void start_tty(struct tty_struct *tty)
{
	if (!tty->stopped)
		return;
	tty->stopped = false;
	wake_up(&tty->write_wait);
}
