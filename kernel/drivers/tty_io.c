/*
 * The tty core: the file operations of every terminal device file, the
 * terminal ioctls (termios, window size, flow, queues), controlling
 * terminals and job control (TIOCSCTTY, TIOCNOTTY, TIOCSPGRP, SIGTTIN,
 * SIGTTOU, hang-up when the session leader exits), and O_ASYNC. Input
 * editing and output processing are the line discipline's (n_tty.c).
 * Device numbers: /dev/tty0 (4,0) is the console tty; /dev/console (5,1)
 * reaches it without job control checks (as Linux's redirected console);
 * /dev/tty (5,0) is the caller's controlling terminal, -ENXIO without one.
 * Semantics: Linux drivers/tty/tty_io.c, tty_jobctrl.c, tty_ioctl.c.
 */
#include <umk/tty.h>
#include <umk/syscalls.h>
#include <umk/signal_internal.h>
#include <string.h>
#include <termios.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>

/* asm/ioctls.h numbers that need the kernel's struct termios2. */
#undef TCGETS2
#undef TCSETS2
#undef TCSETSW2
#undef TCSETSF2
#define TCGETS2		0x802c542a
#define TCSETS2		0x402c542b
#define TCSETSW2	0x402c542c
#define TCSETSF2	0x402c542d
#ifndef TIOCGEXCL
#define TIOCGEXCL	0x80045440
#endif
#ifndef TIOCGDEV
#define TIOCGDEV	0x80045432
#endif
#define N_TTY		0

/* The kernel's struct termios, as TCGETS/TCSETS carry it (36 bytes). */
struct termios_abi {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[KNCCS];
};

static struct tty_file *file_tty(struct file *f)
{
	return f->private_data;
}

void tty_std_termios(struct ktermios *t)
{
	static const unsigned char init_cc[KNCCS] = {
		[VINTR] = 003, [VQUIT] = 034, [VERASE] = 0177, [VKILL] = 025,
		[VEOF] = 004, [VTIME] = 0, [VMIN] = 1, [VSTART] = 021,
		[VSTOP] = 023, [VSUSP] = 032, [VREPRINT] = 022,
		[VDISCARD] = 017, [VWERASE] = 027, [VLNEXT] = 026,
	};

	memset(t, 0, sizeof(*t));
	t->c_iflag = ICRNL | IXON;
	t->c_oflag = OPOST | ONLCR;
	t->c_cflag = B38400 | CS8 | CREAD | HUPCL;
	t->c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE |
		     IEXTEN;
	memcpy(t->c_cc, init_cc, KNCCS);
	t->c_ispeed = t->c_ospeed = 38400;
}

void tty_init(struct tty_struct *tty, const char *name,
	      const struct tty_operations *ops)
{
	memset(tty, 0, sizeof(*tty));
	tty->name = name;
	tty->ops = ops;
	INIT_LIST_HEAD(&tty->files);
	init_waitqueue_head(&tty->read_wait);
	init_waitqueue_head(&tty->write_wait);
	n_tty_open(tty);
}

static void send_priv(struct task *t, int sig)
{
	siginfo_t info = { .si_signo = sig, .si_code = SI_KERNEL };

	send_sig_info(sig, &info, t, true);
}

static bool is_session_leader(const struct task *t)
{
	return t->signal->session == t->tgid;
}

/* Every process of session sid loses its controlling terminal. */
static void session_clear_tty(pid_t sid)
{
	struct task *t;

	list_for_each_entry(t, &task_list, tasks)
		if (thread_group_leader(t) && t->signal->session == sid)
			t->signal->tty = NULL;
}

static bool sig_is_ignored(int sig)
{
	return (current->blocked & sigmask(sig)) ||
	       current->sighand->action[sig - 1].handler ==
	       (unsigned long)SIG_IGN;
}

int tty_check_change(struct tty_struct *tty, int sig)
{
	pid_t pgrp;

	if (!current || current->signal->tty != tty)
		return 0;
	pgrp = current->signal->pgrp;
	if (!tty->pgrp || pgrp == tty->pgrp)
		return 0;
	if (sig_is_ignored(sig))
		return sig == SIGTTIN ? -EIO : 0;
	if (is_current_pgrp_orphaned())
		return -EIO;
	kill_pgrp(pgrp, sig, 1);
	return -ERESTARTSYS;
}

/*
 * Hang tty up (Linux __tty_hangup): its files, except those opened as
 * /dev/console, read EOF and fail writes from now on; every process of its
 * session loses it; the session leader gets SIGHUP and SIGCONT and, when
 * the leader exits (exit_session), the foreground group gets SIGHUP.
 */
static void do_tty_hangup(struct tty_struct *tty, bool exit_session)
{
	struct tty_file *tf;
	struct task *t, *n;
	pid_t pgrp = tty->pgrp;

	list_for_each_entry(tf, &tty->files, list) {
		if (tf->console)
			continue;
		tf->hung_up = true;
		fasync_helper(-1, tf->file, 0, &tty->fasync);
	}
	if (tty->session) {
		list_for_each_entry_safe(t, n, &task_list, tasks) {
			if (!thread_group_leader(t) || t->zombie ||
			    t->signal->session != tty->session)
				continue;
			if (t->signal->tty == tty)
				t->signal->tty = NULL;
			if (!is_session_leader(t))
				continue;
			send_priv(t, SIGHUP);
			send_priv(t, SIGCONT);
		}
	}
	if (exit_session && pgrp)
		kill_pgrp(pgrp, SIGHUP, 1);
	n_tty_flush_input(tty);
	tty->session = 0;
	tty->pgrp = 0;
	tty->stopped = false;
	wake_up(&tty->read_wait);
	wake_up(&tty->write_wait);
}

void tty_hangup(struct tty_struct *tty)
{
	do_tty_hangup(tty, false);
}

void disassociate_ctty(bool on_exit)
{
	struct tty_struct *tty = current->signal->tty;

	if (!is_session_leader(current->group_leader))
		return;
	if (tty && on_exit && !tty->pty) {
		do_tty_hangup(tty, true);
	} else if (tty && tty->pgrp) {
		kill_pgrp(tty->pgrp, SIGHUP, 1);
		if (!on_exit)
			kill_pgrp(tty->pgrp, SIGCONT, 1);
	}
	if (tty && tty->session == current->signal->session) {
		tty->session = 0;
		tty->pgrp = 0;
	}
	session_clear_tty(current->signal->session);
}

void tty_do_resize(struct tty_struct *tty, const struct tty_winsize *ws)
{
	if (!memcmp(ws, &tty->winsize, sizeof(*ws)))
		return;
	if (tty->pgrp)
		kill_pgrp(tty->pgrp, SIGWINCH, 1);
	tty->winsize = *ws;
}

/* ---- file operations ---- */

void tty_open_set_ctty(struct tty_struct *tty)
{
	struct task *me = current->group_leader;

	if (!is_session_leader(me) || me->signal->tty || tty->session)
		return;
	tty->session = me->signal->session;
	tty->pgrp = me->signal->pgrp;
	me->signal->tty = tty;
}

static int tty_open(struct inode *inode, struct file *f)
{
	unsigned int maj = major(inode->i_rdev), min = minor(inode->i_rdev);
	struct tty_struct *tty = &console_tty;
	struct tty_file *tf;
	int err;

	if (maj == TTYAUX_MAJOR && min == 2)
		return ptmx_open(inode, f);
	if (maj == TTYAUX_MAJOR && min == 0) {
		tty = current->signal->tty;
		if (!tty)
			return -ENXIO;
	} else if (maj == UNIX98_PTY_SLAVE_MAJOR) {
		tty = pty_slave_lookup(min);
		if (!tty)
			return -ENXIO;
	} else if (!(maj == TTYAUX_MAJOR && min == 1) &&
		   !(maj == TTY_MAJOR && min == 0)) {
		return -ENXIO;
	}
	if (tty->exclusive && !capable(current->cred))
		return -EBUSY;
	tf = kzalloc(sizeof(*tf));
	if (!tf)
		return -ENOMEM;
	if (tty->ops->open) {
		err = tty->ops->open(tty, f);
		if (err) {
			kfree(tf);
			return err;
		}
	}
	tf->tty = tty;
	tf->file = f;
	tf->console = maj == TTYAUX_MAJOR && min == 1;
	list_add_tail(&tf->list, &tty->files);
	f->private_data = tf;
	/* Linux tty_open: only a pty slave (not /dev/tty0, /dev/console or
	 * /dev/tty) becomes the controlling terminal on open. */
	if (maj == UNIX98_PTY_SLAVE_MAJOR && !(f->f_flags & O_NOCTTY))
		tty_open_set_ctty(tty);
	return 0;
}

static int tty_release(struct inode *inode, struct file *f)
{
	struct tty_file *tf = file_tty(f);

	if (!tf)
		return 0;
	struct tty_struct *tty = tf->tty;

	fasync_helper(-1, f, 0, &tty->fasync);
	list_del_init(&tf->list);
	kfree(tf);
	f->private_data = NULL;
	if (tty->ops->close)
		tty->ops->close(tty, f);
	return 0;
}

static ssize_t tty_read(struct file *f, char *buf, size_t len, loff_t *pos)
{
	struct tty_file *tf = file_tty(f);

	if (tf->hung_up)
		return 0;
	if (tf->tty->ldisc_off)
		return console_plain_read(f, buf, len);
	return n_tty_read(tf->tty, f, buf, len);
}

static ssize_t tty_write(struct file *f, const char *buf, size_t len,
			 loff_t *pos)
{
	struct tty_file *tf = file_tty(f);
	struct tty_struct *tty = tf->tty;

	if (tf->hung_up)
		return -EIO;
	if (tty->ldisc_off)
		return len ? tty->ops->write(tty, buf, len) : 0;
	return n_tty_write(tty, f, buf, len);
}

static unsigned int tty_poll(struct file *f, struct poll_table *pt)
{
	struct tty_file *tf = file_tty(f);

	if (tf->hung_up)
		return POLLIN | POLLOUT | POLLERR | POLLHUP | POLLRDNORM |
		       POLLWRNORM;
	if (tf->tty->ldisc_off)
		return console_plain_poll(f, pt);
	return n_tty_poll(tf->tty, f, pt);
}

/* O_ASYNC on a tty: the owner becomes its foreground group (or the
 * caller), as Linux's __tty_fasync does. */
static int tty_fasync(int fd, struct file *f, int on)
{
	struct tty_struct *tty = file_tty(f)->tty;
	int ret = fasync_helper(fd, f, on, &tty->fasync);

	if (ret < 0 || !on)
		return ret;
	f_modown(f, tty->pgrp ? -tty->pgrp : current->tgid);
	if (tty->ldisc_off)
		console_plain_want_input();
	return ret;
}

/* ---- ioctls ---- */

static long get_termios(struct tty_struct *tty, struct uptr p, bool t2)
{
	struct termios_abi k;
	const struct ktermios *t = &tty->termios;
	unsigned int speed[2] = { t->c_ispeed, t->c_ospeed };

	memset(&k, 0, sizeof(k));
	k.c_iflag = t->c_iflag;
	k.c_oflag = t->c_oflag;
	k.c_cflag = t->c_cflag;
	k.c_lflag = t->c_lflag;
	k.c_line = t->c_line;
	memcpy(k.c_cc, t->c_cc, KNCCS);
	if (copy_to_user(p, &k, sizeof(k)))
		return -EFAULT;
	if (t2 && copy_to_user(uptr_add(p, sizeof(k)), speed,
				 sizeof(speed)))
		return -EFAULT;
	return 0;
}

/* TCSETS[WF][2]: job control, copy in, keep the line's "hardware" bits
 * (speed, character size: a console has none to change), then tell the
 * line discipline (Linux set_termios + tty_termios_copy_hw). */
static long set_termios(struct tty_struct *tty, unsigned int cmd,
			struct uptr p)
{
	struct termios_abi k;
	struct ktermios old = tty->termios, *t = &tty->termios;
	const unsigned int keep = CREAD | HUPCL | CLOCAL;
	long err = tty_check_change(tty, SIGTTOU);

	if (err)
		return err;
	if (copy_from_user(&k, p, sizeof(k)))
		return -EFAULT;
	if (cmd == TCSETSF || cmd == TCSETSF2)
		n_tty_flush_input(tty);
	t->c_iflag = k.c_iflag;
	t->c_oflag = k.c_oflag;
	t->c_cflag = (k.c_cflag & keep) | (old.c_cflag & ~keep);
	t->c_lflag = k.c_lflag;
	t->c_line = k.c_line;
	memcpy(t->c_cc, k.c_cc, KNCCS);
	n_tty_set_termios(tty, &old);
	return 0;
}

static long tiocsctty(struct tty_struct *tty, struct file *f, int arg)
{
	struct task *me = current->group_leader;

	if (is_session_leader(me) && tty->session == me->signal->session)
		return 0;
	if (!is_session_leader(me) || me->signal->tty)
		return -EPERM;
	if (tty->session) {
		if (arg != 1 || !capable(current->cred))
			return -EPERM;
		session_clear_tty(tty->session);
	}
	if (!(f->f_mode & FMODE_READ) && !capable(current->cred))
		return -EPERM;
	tty->session = me->signal->session;
	tty->pgrp = me->signal->pgrp;
	me->signal->tty = tty;
	return 0;
}

static bool session_has_pgrp(pid_t sid, pid_t pgrp)
{
	struct task *t;

	list_for_each_entry(t, &task_list, tasks)
		if (thread_group_leader(t) && !t->zombie &&
		    t->signal->pgrp == pgrp)
			return t->signal->session == sid;
	return false;
}

static bool pgrp_exists(pid_t pgrp)
{
	struct task *t;

	list_for_each_entry(t, &task_list, tasks)
		if (thread_group_leader(t) && !t->zombie &&
		    t->signal->pgrp == pgrp)
			return true;
	return false;
}

static long tiocspgrp(struct tty_struct *tty, struct uptr p)
{
	pid_t pgrp;
	long err;

	if (current->signal->tty != tty ||
	    tty->session != current->signal->session)
		return -ENOTTY;
	err = tty_check_change(tty, SIGTTOU);
	if (err == -EIO)
		return -ENOTTY;
	if (err)
		return err;
	if (copy_from_user(&pgrp, p, sizeof(pgrp)))
		return -EFAULT;
	if (pgrp < 0)
		return -EINVAL;
	if (!pgrp_exists(pgrp))
		return -ESRCH;
	if (!session_has_pgrp(current->signal->session, pgrp))
		return -EPERM;
	tty->pgrp = pgrp;
	return 0;
}

static long put_int(struct uptr p, int v)
{
	return copy_to_user(p, &v, sizeof(v)) ? -EFAULT : 0;
}

/* The requests that work on the plain-stream console too: controlling
 * terminal and process groups. -ENOIOCTLCMD: not one of them. */
#define ENOIOCTLCMD 515
static long tty_jobctrl_ioctl(struct tty_struct *tty, struct file *f,
			      unsigned int cmd, unsigned long arg)
{
	struct uptr p = UPTR(arg);

	switch (cmd) {
	case TIOCSCTTY:
		return tiocsctty(tty, f, (int)arg);
	case TIOCNOTTY:
		if (current->signal->tty != tty)
			return -ENOTTY;
		disassociate_ctty(false);
		current->signal->tty = NULL;
		return 0;
	case TIOCGPGRP:
		if (current->signal->tty != tty)
			return -ENOTTY;
		return put_int(p, tty->pgrp);
	case TIOCSPGRP:
		return tiocspgrp(tty, p);
	case TIOCGSID:
		if (current->signal->tty != tty || !tty->session)
			return -ENOTTY;
		return put_int(p, tty->session);
	case TIOCEXCL:
		tty->exclusive = true;
		return 0;
	case TIOCNXCL:
		tty->exclusive = false;
		return 0;
	case TIOCGEXCL:
		return put_int(p, tty->exclusive);
	case TIOCGDEV: {
		dev_t d = tty->dev ? tty->dev : makedev(TTY_MAJOR, 0);

		return put_int(p, (major(d) << 8) | (minor(d) & 0xff) |
			       ((minor(d) & ~0xffu) << 12));
	}
	case TIOCVHANGUP:
		if (!capable(current->cred))
			return -EPERM;
		tty_hangup(tty);
		return 0;
	}
	return -ENOIOCTLCMD;
}

static long tty_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	struct tty_file *tf = file_tty(f);
	struct tty_struct *tty = tf->tty;
	struct uptr p = UPTR(arg);
	long err;

	if (tf->hung_up)
		return cmd == TIOCSPGRP ? -ENOTTY : -EIO;
	err = tty_jobctrl_ioctl(tty, f, cmd, arg);
	if (err != -ENOIOCTLCMD)
		return err;
	if (tty->ldisc_off)
		return cmd == FIONREAD ? put_int(p, console_plain_inq()) :
		       -ENOTTY;
	return tty_mode_ioctl(tty, cmd, arg);
}

long tty_mode_ioctl(struct tty_struct *tty, unsigned int cmd,
		    unsigned long arg)
{
	struct uptr p = UPTR(arg);
	struct tty_winsize ws;
	long err;
	char ch;

	switch (cmd) {
	case TCGETS:
		return get_termios(tty, p, false);
	case TCGETS2:
		return get_termios(tty, p, true);
	case TCSETS: case TCSETSW: case TCSETSF:
	case TCSETS2: case TCSETSW2: case TCSETSF2:
		return set_termios(tty, cmd, p);
	case TIOCGWINSZ:
		return copy_to_user(p, &tty->winsize, sizeof(ws)) ? -EFAULT : 0;
	case TIOCSWINSZ:
		if (copy_from_user(&ws, p, sizeof(ws)))
			return -EFAULT;
		tty_do_resize(tty, &ws);
		return 0;
	case FIONREAD:
		return put_int(p, n_tty_inq(tty));
	case TIOCOUTQ:
		return put_int(p, 0);
	case TCFLSH:
		err = tty_check_change(tty, SIGTTOU);
		if (err)
			return err;
		if (arg > TCIOFLUSH)
			return -EINVAL;
		if (arg == TCIFLUSH || arg == TCIOFLUSH)
			n_tty_flush_input(tty);
		return 0;
	case TCXONC:
		err = tty_check_change(tty, SIGTTOU);
		if (err)
			return err;
		switch (arg) {
		case TCOOFF: stop_tty(tty); return 0;
		case TCOON: start_tty(tty); return 0;
		case TCIOFF: ch = tty->termios.c_cc[VSTOP]; break;
		case TCION: ch = tty->termios.c_cc[VSTART]; break;
		default: return -EINVAL;
		}
		if (ch)
			tty->ops->write(tty, &ch, 1);
		return 0;
	case TCSBRK: case TCSBRKP: case TIOCSBRK: case TIOCCBRK:
		return cmd == TIOCCBRK ? 0 : tty_check_change(tty, SIGTTOU);
	case TIOCSTI:
		if (current->signal->tty != tty && !capable(current->cred))
			return -EPERM;
		if (copy_from_user(&ch, p, 1))
			return -EFAULT;
		n_tty_receive_buf(tty, (unsigned char *)&ch, 1);
		return 0;
	case TIOCGETD:
		return put_int(p, N_TTY);
	case TIOCSETD: {
		int ld;

		err = tty_check_change(tty, SIGTTOU);
		if (err)
			return err;
		if (copy_from_user(&ld, p, sizeof(ld)))
			return -EFAULT;
		return ld == N_TTY ? 0 : -EINVAL;
	}
	}
	return -ENOTTY;
}

const struct file_operations console_fops = {
	.open = tty_open,
	.release = tty_release,
	.read = tty_read,
	.write = tty_write,
	.poll = tty_poll,
	.ioctl = tty_ioctl,
	.fasync = tty_fasync,
};

int tty_register_console(struct tty_struct *tty)
{
	int err = register_chrdev(TTYAUX_MAJOR, "tty", &console_fops);

	if (err)
		return err;
	return register_chrdev(TTY_MAJOR, "vc", &console_fops);
}
