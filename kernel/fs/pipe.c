/*
 * Pipes and FIFOs (Linux fs/pipe.c): a 64 KiB ring buffer with reader and
 * writer counts and two wait queues. Writes of at most PIPE_BUF bytes are
 * atomic; a write with no reader raises SIGPIPE and fails with -EPIPE; a
 * read of an empty pipe with no writer is EOF. pipe(2) inodes live in an
 * unmounted pipefs; a FIFO is any filesystem's S_IFIFO inode opened through
 * fifo_fops. Ends set O_ASYNC get SIGIO where Linux sends it: readers after
 * every write, writers after every read, both when the other side closes.
 * A writer whose file has O_DIRECT (pipe2, F_SETFL) writes packets: each
 * write (split at PIPE_BUF) stays apart and a read returns at most one,
 * dropping what does not fit (pipe(7)). The ring keeps its bytes as up to
 * PIPE_SEGS segments, as Linux's 16 pipe buffers: stream writes merge into
 * the last stream segment, every packet takes a segment of its own.
 */
#include <umk/fs.h>
#include <umk/syscalls.h>
#include <umk/fasync.h>
#include <string.h>
#include <sys/ioctl.h>

#define PIPE_SIZE (64 * 1024)
#define PIPE_SEGS 16
#ifndef PIPE_BUF
#define PIPE_BUF 4096
#endif

struct pipe_seg {
	size_t len;
	bool packet;
};

struct pipe_inode_info {
	char *buf;
	size_t head, len;		/* ring: start offset and bytes held */
	struct pipe_seg seg[PIPE_SEGS];	/* the bytes held, oldest first */
	unsigned int seg_head, nseg;	/* ring of segments */
	int readers, writers;
	unsigned int r_counter, w_counter;	/* opens ever, for FIFO open */
	struct wait_queue_head rd_wait, wr_wait;
	struct fasync_struct *fasync_readers, *fasync_writers;	/* O_ASYNC */
};

static struct super_block pipefs_sb = {
	.s_magic = 0x50495045,		/* PIPEFS_MAGIC */
	.s_id = "pipefs",
};

static struct pipe_inode_info *alloc_pipe_info(void)
{
	struct pipe_inode_info *p = kzalloc(sizeof(*p));

	if (!p)
		return NULL;
	p->buf = kmalloc(PIPE_SIZE);
	if (!p->buf) {
		kfree(p);
		return NULL;
	}
	init_waitqueue_head(&p->rd_wait);
	init_waitqueue_head(&p->wr_wait);
	return p;
}

static void free_pipe_info(struct inode *inode)
{
	struct pipe_inode_info *p = inode->i_pipe;

	inode->i_pipe = NULL;
	kfree(p->buf);
	kfree(p);
}

static struct pipe_seg *first_seg(struct pipe_inode_info *p)
{
	return &p->seg[p->seg_head];
}

/* Drop n bytes at the ring's head (they belong to its first segment). */
static void pipe_consume(struct pipe_inode_info *p, size_t n)
{
	struct pipe_seg *s = first_seg(p);

	p->head = (p->head + n) % PIPE_SIZE;
	p->len -= n;
	s->len -= n;
	if (!s->len) {
		p->seg_head = (p->seg_head + 1) % PIPE_SEGS;
		p->nseg--;
	}
}

static ssize_t pipe_read(struct file *f, char *buf, size_t len, loff_t *pos)
{
	struct pipe_inode_info *p = f->f_inode->i_pipe;
	size_t n, first, seglen;
	bool packet;
	int err;

	if (!len)
		return 0;
	while (!p->len) {
		if (!p->writers)
			goto out;
		if (f->f_flags & O_NONBLOCK) {
			kill_fasync(&p->fasync_writers, SIGIO, POLL_OUT);
			return -EAGAIN;
		}
		kill_fasync(&p->fasync_writers, SIGIO, POLL_OUT);
		err = wait_event_interruptible(p->rd_wait, p->len || !p->writers);
		if (err)
			return err;
	}
	seglen = first_seg(p)->len;
	packet = first_seg(p)->packet;
	n = min(len, seglen);
	first = min(n, PIPE_SIZE - p->head);
	memcpy(buf, p->buf + p->head, first);
	memcpy(buf + first, p->buf, n - first);
	pipe_consume(p, packet ? seglen : n);
	wake_up(&p->wr_wait);
	kill_fasync(&p->fasync_writers, SIGIO, POLL_OUT);
	return n;
out:
	kill_fasync(&p->fasync_writers, SIGIO, POLL_OUT);
	return 0;
}

/* The segment a write of this kind goes to: the last one for a stream
 * write after stream data, else a new one (NULL when all are in use). */
static struct pipe_seg *write_seg(struct pipe_inode_info *p, bool packet)
{
	struct pipe_seg *last = p->nseg ?
		&p->seg[(p->seg_head + p->nseg - 1) % PIPE_SEGS] : NULL;

	if (!packet && last && !last->packet)
		return last;
	return p->nseg < PIPE_SEGS ? &p->seg[(p->seg_head + p->nseg) %
					      PIPE_SEGS] : NULL;
}

static void pipe_put(struct pipe_inode_info *p, const char *buf, size_t n,
		     bool packet)
{
	size_t tail = (p->head + p->len) % PIPE_SIZE;
	size_t first = min(n, PIPE_SIZE - tail);
	struct pipe_seg *s = p->nseg ?
		&p->seg[(p->seg_head + p->nseg - 1) % PIPE_SEGS] : NULL;

	if (packet || !s || s->packet) {
		s = &p->seg[(p->seg_head + p->nseg) % PIPE_SEGS];
		s->len = 0;
		s->packet = packet;
		p->nseg++;
	}
	s->len += n;
	memcpy(p->buf + tail, buf, first);
	memcpy(p->buf, buf + first, n - first);
	p->len += n;
}

/* Bytes a write of this kind can put now (0: it must wait). */
static size_t pipe_room(struct pipe_inode_info *p, bool packet)
{
	return write_seg(p, packet) ? PIPE_SIZE - p->len : 0;
}

static ssize_t pipe_write(struct file *f, const char *buf, size_t len,
			  loff_t *pos)
{
	struct pipe_inode_info *p = f->f_inode->i_pipe;
	bool packet = f->f_flags & O_DIRECT;
	size_t done = 0;
	int err;

	while (done < len) {
		size_t space, need, n;

		if (!p->readers) {
			send_sig_info(SIGPIPE, NULL, current, false);
			kill_fasync(&p->fasync_readers, SIGIO, POLL_IN);
			return done ? (ssize_t)done : -EPIPE;
		}
		space = pipe_room(p, packet);
		/* Atomic writes and packets wait for room for all of it. */
		need = packet ? min(len - done, (size_t)PIPE_BUF) :
		       len <= PIPE_BUF ? len : 1;
		if (space < need) {
			kill_fasync(&p->fasync_readers, SIGIO, POLL_IN);
			if (f->f_flags & O_NONBLOCK)
				return done ? (ssize_t)done : -EAGAIN;
			err = wait_event_interruptible(p->wr_wait,
				!p->readers || pipe_room(p, packet) >= need);
			if (err)
				return done ? (ssize_t)done : err;
			continue;
		}
		n = min(space, len - done);
		if (packet)
			n = min(n, (size_t)PIPE_BUF);
		pipe_put(p, buf + done, n, packet);
		done += n;
		wake_up(&p->rd_wait);
	}
	kill_fasync(&p->fasync_readers, SIGIO, POLL_IN);
	return done;
}

static unsigned int pipe_poll(struct file *f, struct poll_table *pt)
{
	struct pipe_inode_info *p = f->f_inode->i_pipe;
	unsigned int mask = 0;

	if (f->f_mode & FMODE_READ)
		poll_wait(f, &p->rd_wait, pt);
	if (f->f_mode & FMODE_WRITE)
		poll_wait(f, &p->wr_wait, pt);
	if (f->f_mode & FMODE_READ) {
		if (p->len)
			mask |= POLLIN | POLLRDNORM;
		/* Hang-up once every writer that ever came has gone. */
		if (!p->writers &&
		    p->w_counter != (unsigned int)(uintptr_t)f->private_data)
			mask |= POLLHUP;
	}
	if (f->f_mode & FMODE_WRITE) {
		if (pipe_room(p, f->f_flags & O_DIRECT) >= PIPE_BUF)
			mask |= POLLOUT | POLLWRNORM;
		if (!p->readers)
			mask |= POLLERR;
	}
	return mask;
}

static long pipe_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	struct pipe_inode_info *p = f->f_inode->i_pipe;
	int n;

	if (cmd != FIONREAD)
		return -ENOTTY;
	n = p->len;
	return copy_to_user(UPTR(arg), &n, sizeof(n)) ? -EFAULT : 0;
}

/* F_SETFL O_ASYNC: a read end hears of data, a write end of room. */
static int pipe_fasync(int fd, struct file *f, int on)
{
	struct pipe_inode_info *p = f->f_inode->i_pipe;
	int ret = 0;

	if (f->f_mode & FMODE_READ)
		ret = fasync_helper(fd, f, on, &p->fasync_readers);
	if (ret >= 0 && (f->f_mode & FMODE_WRITE)) {
		ret = fasync_helper(fd, f, on, &p->fasync_writers);
		if (ret < 0 && (f->f_mode & FMODE_READ))
			fasync_helper(-1, f, 0, &p->fasync_readers);
	}
	return ret;
}

static int pipe_release(struct inode *inode, struct file *f)
{
	struct pipe_inode_info *p = inode->i_pipe;

	if (f->f_mode & FMODE_READ)
		p->readers--;
	if (f->f_mode & FMODE_WRITE)
		p->writers--;
	fasync_helper(-1, f, 0, &p->fasync_readers);
	fasync_helper(-1, f, 0, &p->fasync_writers);
	wake_up(&p->rd_wait);
	wake_up(&p->wr_wait);
	if (!p->readers != !p->writers) {
		kill_fasync(&p->fasync_readers, SIGIO, POLL_IN);
		kill_fasync(&p->fasync_writers, SIGIO, POLL_OUT);
	}
	if (!p->readers && !p->writers && inode->i_sb != &pipefs_sb)
		free_pipe_info(inode);
	return 0;
}

static const struct file_operations pipe_fops = {
	.read = pipe_read,
	.write = pipe_write,
	.poll = pipe_poll,
	.ioctl = pipe_ioctl,
	.release = pipe_release,
	.fasync = pipe_fasync,
};

/*
 * open(2) of a FIFO (fifo(7)): O_RDONLY waits for a writer and O_WRONLY for
 * a reader unless O_NONBLOCK (then a writer with no reader is -ENXIO);
 * O_RDWR never waits.
 */
static int fifo_open(struct inode *inode, struct file *f)
{
	struct pipe_inode_info *p = inode->i_pipe;
	int err = 0;

	if (!p) {
		p = alloc_pipe_info();
		if (!p)
			return -ENOMEM;
		inode->i_pipe = p;
	}
	f->f_op = &pipe_fops;
	if (inode->i_sb == &pipefs_sb) {
		/* Reopening a pipe (/proc/self/fd/N): its ends exist or are
		 * gone for good, so never wait for a partner (is_pipe). */
		if (f->f_mode & FMODE_READ) {
			p->readers++;
			p->r_counter++;
			f->private_data = (void *)(uintptr_t)0;
		}
		if (f->f_mode & FMODE_WRITE) {
			p->writers++;
			p->w_counter++;
		}
		return 0;
	}
	switch (f->f_mode & (FMODE_READ | FMODE_WRITE)) {
	case FMODE_READ: {
		unsigned int seen = p->w_counter;

		p->readers++;
		p->r_counter++;
		f->private_data = (void *)(uintptr_t)p->w_counter;
		wake_up(&p->wr_wait);
		if (!p->writers && !(f->f_flags & O_NONBLOCK)) {
			err = wait_event_interruptible(p->rd_wait,
						       p->w_counter != seen);
			if (err)
				goto out_reader;
		}
		break;
	}
	case FMODE_WRITE: {
		unsigned int seen = p->r_counter;

		if ((f->f_flags & O_NONBLOCK) && !p->readers) {
			err = -ENXIO;
			goto out_free;
		}
		p->writers++;
		p->w_counter++;
		wake_up(&p->rd_wait);
		if (!p->readers) {
			err = wait_event_interruptible(p->wr_wait,
						       p->r_counter != seen);
			if (err)
				goto out_writer;
		}
		break;
	}
	default:
		p->readers++;
		p->writers++;
		p->r_counter++;
		p->w_counter++;
		wake_up(&p->rd_wait);
		wake_up(&p->wr_wait);
	}
	return 0;

out_reader:
	p->readers--;
	goto out_free;
out_writer:
	p->writers--;
	wake_up(&p->rd_wait);
out_free:
	if (!p->readers && !p->writers)
		free_pipe_info(inode);
	return err;
}

const struct file_operations fifo_fops = {
	.open = fifo_open,
};

static void pipefs_evict(struct inode *inode)
{
	if (inode->i_pipe)
		free_pipe_info(inode);
}

static const struct super_operations pipefs_sops = {
	.evict_inode = pipefs_evict,
};

static int create_pipe_files(struct file **res, int flags)
{
	struct inode *inode;
	struct pipe_inode_info *p;
	static unsigned long next_ino = 1;

	if (!pipefs_sb.s_op) {
		pipefs_sb.s_op = &pipefs_sops;
		INIT_LIST_HEAD(&pipefs_sb.s_inodes);
	}
	inode = new_inode(&pipefs_sb);
	if (!inode)
		return -ENOMEM;
	p = alloc_pipe_info();
	if (!p) {
		iput(inode);
		return -ENOMEM;
	}
	inode->i_ino = next_ino++;
	inode->i_mode = S_IFIFO | 0600;
	inode->i_uid = current->cred->fsuid;
	inode->i_gid = current->cred->fsgid;
	inode->i_nlink = 1;
	inode->i_atime = inode->i_mtime = inode->i_ctime = current_time();
	inode->i_pipe = p;
	inode->i_fop = &pipe_fops;
	p->readers = p->writers = 1;
	p->r_counter = p->w_counter = 1;

	ihold(inode);
	res[0] = alloc_file(inode, &pipe_fops,
			    O_RDONLY | (flags & (O_NONBLOCK | O_DIRECT)));
	if (IS_ERR(res[0])) {
		iput(inode);
		iput(inode);
		return PTR_ERR(res[0]);
	}
	res[1] = alloc_file(inode, &pipe_fops,
			    O_WRONLY | (flags & (O_NONBLOCK | O_DIRECT)));
	if (IS_ERR(res[1])) {
		p->writers = 0;
		fput(res[0]);
		iput(inode);
		return PTR_ERR(res[1]);
	}
	res[0]->private_data = (void *)(uintptr_t)0;
	return 0;
}

SYSCALL_DEFINE2(pipe2, struct uptr, fildes, int, flags)
{
	struct file *files[2] = { NULL, NULL };
	int fd[2], err;

	if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	err = create_pipe_files(files, flags);
	if (err)
		return err;
	fd[0] = get_unused_fd_install(files[0], 0, flags & O_CLOEXEC);
	if (fd[0] < 0) {
		fput(files[1]);
		return fd[0];
	}
	fd[1] = get_unused_fd_install(files[1], 0, flags & O_CLOEXEC);
	if (fd[1] < 0) {
		close_fd(fd[0]);
		return fd[1];
	}
	if (copy_to_user(fildes, fd, sizeof(fd))) {
		close_fd(fd[0]);
		close_fd(fd[1]);
		return -EFAULT;
	}
	return 0;
}

SYSCALL_DEFINE1(pipe, struct uptr, fildes)
{
	return sys_pipe2(fildes, 0);
}

/* Is f a pipe or FIFO? Its buffer size in bytes for F_GETPIPE_SZ. */
long pipe_fcntl_size(struct file *f)
{
	return f->f_op == &pipe_fops ? PIPE_SIZE : -EBADF;
}
