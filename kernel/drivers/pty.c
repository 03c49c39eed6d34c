/*
 * Unix 98 pseudo-terminals: opening /dev/ptmx makes a pair. The slave,
 * /dev/pts/N, is an ordinary tty (tty_io.c with the n_tty line
 * discipline: canonical mode, echo, signals, job control, controlling
 * terminal); the master is a plain byte channel: what is written to it is
 * the slave's input, what it reads is the slave's output. The master's
 * termios and window size requests act on the slave, as Linux does.
 * A closed master hangs the slave up (SIGHUP to its session leader); a
 * closed slave makes master reads fail with EIO once drained.
 * Semantics: Linux drivers/tty/pty.c, pty(7), pts(4), ioctl_tty(2).
 */
#include <umk/tty.h>
#include <umk/syscalls.h>
#include <umk/signal_internal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <termios.h>

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif
#define PTY_MAX 4096			/* /proc/sys/kernel/pty/max */
#define PTY_BUF_SIZE 8192		/* slave output the master has not read */

struct pty_pair {
	int index;
	char name[16];			/* "pts/N" */
	struct tty_struct slave;
	/* The slave's output, waiting for the master's reader. */
	unsigned char buf[PTY_BUF_SIZE];
	size_t head, tail;		/* grow without bound; index & mask */
	struct wait_queue_head master_wait;	/* master readers, writers */
	struct fasync_struct *master_fasync;
	bool master_open;		/* its one master file is open */
	int slave_files;		/* open files of the slave */
	bool other_closed;		/* the last slave file was closed */
	bool locked;			/* TIOCSPTLCK: slave opens fail */
	bool packet;			/* TIOCPKT */
};

static struct pty_pair *pairs[PTY_MAX];

static struct pty_pair *slave_pair(struct tty_struct *tty)
{
	return container_of(tty, struct pty_pair, slave);
}

static size_t ring_cnt(const struct pty_pair *p)
{
	return p->head - p->tail;
}

/* --- the slave's driver --- */

/* Slave output: into the master's ring (n_tty checked write_room; echo
 * from input processing may find it full and is dropped, as Linux). */
static ssize_t pty_write(struct tty_struct *tty, const char *buf, size_t len)
{
	struct pty_pair *p = slave_pair(tty);
	size_t n = min(len, PTY_BUF_SIZE - ring_cnt(p));

	for (size_t i = 0; i < n; i++)
		p->buf[(p->head++) & (PTY_BUF_SIZE - 1)] = buf[i];
	if (n) {
		wake_up(&p->master_wait);
		kill_fasync(&p->master_fasync, SIGIO, POLL_IN);
	}
	return len;
}

static size_t pty_write_room(struct tty_struct *tty)
{
	struct pty_pair *p = slave_pair(tty);

	return p->master_open ? PTY_BUF_SIZE - ring_cnt(p) : PTY_BUF_SIZE;
}

/* The slave's reader made room: a blocked master writer may go on. */
static void pty_unthrottle(struct tty_struct *tty)
{
	wake_up(&slave_pair(tty)->master_wait);
}

static void pty_free(struct pty_pair *p)
{
	struct task *t;

	list_for_each_entry(t, &task_list, tasks) {
		if (t->signal && t->signal->tty == &p->slave)
			t->signal->tty = NULL;
	}
	pairs[p->index] = NULL;
	kfree(p);
}

static int pty_slave_open(struct tty_struct *tty, struct file *f)
{
	struct pty_pair *p = slave_pair(tty);

	if (p->locked || !p->master_open)
		return -EIO;
	p->slave_files++;
	p->other_closed = false;
	return 0;
}

static void pty_slave_close(struct tty_struct *tty, struct file *f)
{
	struct pty_pair *p = slave_pair(tty);

	if (--p->slave_files > 0)
		return;
	p->other_closed = true;
	wake_up(&p->master_wait);
	if (!p->master_open)
		pty_free(p);
}

static const struct tty_operations pty_slave_ops = {
	.write = pty_write,
	.write_room = pty_write_room,
	.unthrottle = pty_unthrottle,
	.open = pty_slave_open,
	.close = pty_slave_close,
};

struct tty_struct *pty_slave_lookup(unsigned int index)
{
	return index < PTY_MAX && pairs[index] ? &pairs[index]->slave : NULL;
}

/* --- the master --- */

static struct pty_pair *master_pair(struct file *f)
{
	return f->private_data;
}

static int pty_master_release(struct inode *inode, struct file *f)
{
	struct pty_pair *p = master_pair(f);

	fasync_helper(-1, f, 0, &p->master_fasync);
	p->master_open = false;
	p->slave.other_closed = true;
	devpts_pty_kill(p->index);
	tty_hangup(&p->slave);
	if (!p->slave_files)
		pty_free(p);
	return 0;
}

/* Move up to len bytes of the ring into buf. */
static size_t ring_take(struct pty_pair *p, char *buf, size_t len)
{
	size_t n = min(len, ring_cnt(p));

	for (size_t i = 0; i < n; i++)
		buf[i] = p->buf[(p->tail++) & (PTY_BUF_SIZE - 1)];
	if (n)
		wake_up(&p->slave.write_wait);
	return n;
}

static ssize_t pty_master_read(struct file *f, char *buf, size_t len,
			       loff_t *pos)
{
	struct pty_pair *p = master_pair(f);
	int err;

	if (!len)
		return 0;
	while (!ring_cnt(p)) {
		if (p->other_closed)
			return -EIO;
		if (f->f_flags & O_NONBLOCK)
			return -EAGAIN;
		err = wait_event_interruptible(p->master_wait,
					       ring_cnt(p) || p->other_closed);
		if (err)
			return err;
	}
	if (p->packet) {
		buf[0] = TIOCPKT_DATA;
		return 1 + ring_take(p, buf + 1, len - 1);
	}
	return ring_take(p, buf, len);
}

/* Master input goes through the slave's line discipline; a full one
 * makes the writer wait for the slave's reader. */
static ssize_t pty_master_write(struct file *f, const char *buf, size_t len,
				loff_t *pos)
{
	struct pty_pair *p = master_pair(f);
	struct tty_struct *tty = &p->slave;
	size_t done = 0;
	int err = 0;

	while (done < len) {
		size_t n = n_tty_receive_buf(tty, (const unsigned char *)buf +
					     done, len - done);

		done += n;
		if (n)
			continue;
		if (f->f_flags & O_NONBLOCK) {
			err = -EAGAIN;
			break;
		}
		err = wait_event_interruptible(p->master_wait,
					       n_tty_receive_room(tty) > 0);
		if (err)
			break;
	}
	return done ? (ssize_t)done : err;
}

static unsigned int pty_master_poll(struct file *f, struct poll_table *pt)
{
	struct pty_pair *p = master_pair(f);
	unsigned int mask = 0;

	poll_wait(f, &p->master_wait, pt);
	if (ring_cnt(p))
		mask |= POLLIN | POLLRDNORM;
	if (p->other_closed)
		mask |= POLLHUP;
	if (n_tty_receive_room(&p->slave) > 0)
		mask |= POLLOUT | POLLWRNORM;
	return mask;
}

static int pty_master_fasync(int fd, struct file *f, int on)
{
	return fasync_helper(fd, f, on, &master_pair(f)->master_fasync);
}

static long put_int(unsigned long arg, int v)
{
	return copy_to_user(UPTR(arg), &v, sizeof(v)) ? -EFAULT : 0;
}

static long get_int(unsigned long arg, int *v)
{
	return copy_from_user(v, UPTR(arg), sizeof(*v)) ? -EFAULT : 0;
}

/* TIOCGPTPEER: a file of the slave, installed as a new fd. */
static long open_peer(struct pty_pair *p, unsigned int flags)
{
	struct file *f;
	int fd;

	f = devpts_open_slave(p->index, flags | O_RDWR);
	if (IS_ERR(f))
		return PTR_ERR(f) == -ENOENT ? -EIO : PTR_ERR(f);
	fd = get_unused_fd_install(f, 0, flags & O_CLOEXEC);
	if (fd < 0)
		fput(f);
	return fd;
}

static long pty_master_ioctl(struct file *f, unsigned int cmd,
			     unsigned long arg)
{
	struct pty_pair *p = master_pair(f);
	struct tty_struct *tty = &p->slave;
	long err;
	int v;

	switch (cmd) {
	case TIOCGPTN:
		return put_int(arg, p->index);
	case TIOCSPTLCK:
		err = get_int(arg, &v);
		if (!err)
			p->locked = v != 0;
		return err;
	case TIOCGPTLCK:
		return put_int(arg, p->locked);
	case TIOCPKT:
		err = get_int(arg, &v);
		if (!err)
			p->packet = v != 0;
		return err;
	case TIOCGPKT:
		return put_int(arg, p->packet);
	case TIOCGPTPEER:
		return open_peer(p, arg);
	case TIOCSIG:
		if (arg == 0 || arg >= _NSIG)
			return -EINVAL;
		if (tty->pgrp)
			kill_pgrp(tty->pgrp, arg, 1);
		return 0;
	case TIOCGPGRP:
		return put_int(arg, tty->pgrp);
	case TIOCGSID:
		return tty->session ? put_int(arg, tty->session) : -ENOTTY;
	case FIONREAD:
		return put_int(arg, ring_cnt(p));
	case TIOCOUTQ:
		return put_int(arg, n_tty_inq(tty));
	case TIOCSCTTY:
	case TIOCNOTTY:
	case TIOCSPGRP:
	case TIOCSTI:
		return -ENOTTY;
	}
	return tty_mode_ioctl(tty, cmd, arg);
}

static const struct file_operations pty_master_fops = {
	.release = pty_master_release,
	.read = pty_master_read,
	.write = pty_master_write,
	.poll = pty_master_poll,
	.ioctl = pty_master_ioctl,
	.fasync = pty_master_fasync,
};

int ptmx_open(struct inode *inode, struct file *f)
{
	struct pty_pair *p;
	int index;

	for (index = 0; index < PTY_MAX && pairs[index]; index++)
		;
	if (index == PTY_MAX)
		return -ENOSPC;
	p = kzalloc(sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->index = index;
	snprintf(p->name, sizeof(p->name), "pts/%d", index);
	tty_init(&p->slave, p->name, &pty_slave_ops);
	tty_std_termios(&p->slave.termios);
	p->slave.termios.c_cflag &= ~HUPCL;
	p->slave.dev = makedev(UNIX98_PTY_SLAVE_MAJOR, index);
	p->slave.pty = true;
	init_waitqueue_head(&p->master_wait);
	p->master_open = true;
	p->locked = true;
	pairs[index] = p;
	f->f_op = &pty_master_fops;
	f->private_data = p;
	devpts_pty_new(index, current->cred->fsuid, current->cred->fsgid);
	return 0;
}

int pty_init(void)
{
	return register_chrdev(UNIX98_PTY_SLAVE_MAJOR, "pts", &console_fops);
}
