/*
 * read, write and their vectored, positioned and sendfile forms, and lseek
 * (Linux fs/read_write.c). Data moves through a kernel bounce buffer: the
 * filesystem's f_op sees kernel memory only. Regular files and block
 * devices are moved in chunks; a pipe or terminal gets one f_op call per
 * chunk so a blocking read returns as soon as some data came.
 */
#include <umk/fs.h>
#include <umk/tty.h>
#include <umk/filemap.h>
#include <umk/syscalls.h>
#include <umk/fsnotify.h>
#include <umk/resource.h>
#include <umk/sink.h>
#include <string.h>
#include <sys/uio.h>
#ifndef RWF_APPEND
#define RWF_APPEND 0x10
#endif

#define MAX_RW_COUNT (INT32_MAX & ~(PAGE_SIZE - 1))
#define CHUNK (128 * 1024)
#ifndef UIO_MAXIOV
#define UIO_MAXIOV 1024
#endif

/* Pipes, sockets, devices and anon inodes (epoll, eventfd...: no type
 * bits) hand out what they have: one f_op call per read. */
static bool file_is_stream(const struct file *f)
{
	mode_t m = f->f_inode->i_mode;

	return S_ISFIFO(m) || S_ISSOCK(m) || S_ISCHR(m) || !(m & S_IFMT);
}

/* May pread/pwrite/lseek be used on f? (pipes, sockets: -ESPIPE) */
static bool file_seekable(const struct file *f)
{
	mode_t m = f->f_inode->i_mode;

	return !S_ISFIFO(m) && !S_ISSOCK(m) && f->f_op != &console_fops;
}

/* May pread/pwrite be used? Not on anon inodes either (no FMODE_PREAD),
 * whose lseek is their own f_op's. */
static bool file_positional(const struct file *f)
{
	return file_seekable(f) && (f->f_inode->i_mode & S_IFMT);
}

/* A regular file a guest has mapped is read from its page cache, which
 * may hold stores made through a shared mapping (filemap.h). */
static ssize_t do_read(struct file *f, void *buf, size_t len, loff_t *pos)
{
	if (filemap_active(f->f_inode))
		return filemap_read(f, buf, len, pos);
	return f->f_op->read(f, buf, len, pos);
}

static ssize_t do_write(struct file *f, const void *buf, size_t len,
			loff_t *pos)
{
	loff_t at = *pos;
	ssize_t n = f->f_op->write(f, buf, len, pos);

	if (n > 0 && f->f_inode->i_cache && S_ISREG(f->f_inode->i_mode))
		filemap_write_through(f, buf, n, at);
	return n;
}

ssize_t kernel_read(struct file *f, void *buf, size_t len, loff_t *pos)
{
	if (!f->f_op || !f->f_op->read)
		return S_ISDIR(f->f_inode->i_mode) ? -EISDIR : -EINVAL;
	return do_read(f, buf, len, pos);
}

ssize_t kernel_write(struct file *f, const void *buf, size_t len, loff_t *pos)
{
	if (!f->f_op || !f->f_op->write)
		return -EINVAL;
	return do_write(f, buf, len, pos);
}

loff_t generic_file_llseek(struct file *f, loff_t off, int whence)
{
	loff_t base;

	switch (whence) {
	case SEEK_SET: base = 0; break;
	case SEEK_CUR: base = f->f_pos; break;
	case SEEK_END: base = f->f_inode->i_size; break;
	case SEEK_DATA:
		if (off < 0 || off >= f->f_inode->i_size)
			return -ENXIO;
		base = 0;
		break;
	case SEEK_HOLE:
		if (off < 0 || off >= f->f_inode->i_size)
			return -ENXIO;
		f->f_pos = f->f_inode->i_size;
		return f->f_pos;
	default:
		return -EINVAL;
	}
	if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
		return -EINVAL;
	f->f_pos = base + off;
	return f->f_pos;
}

/*
 * The sink of a read into a guest buffer (umk/sink.h): the cache's pieces
 * are gathered as an iovec and written into the guest with one
 * process_vm_writev per flush, so the data is copied once, not twice.
 */
#define USER_SINK_IOV 256
#define SINK_CHUNK (1024 * 1024)

struct user_sink {
	struct read_sink s;
	struct uptr dst;		/* where the first byte goes */
	size_t copied;			/* bytes now in the guest */
	size_t pending;			/* bytes in iov[0..n) */
	int n;
	int err;			/* sticky: the guest buffer faulted */
	struct iovec iov[USER_SINK_IOV];
};

static int user_sink_flush(struct read_sink *s)
{
	struct user_sink *u = container_of(s, struct user_sink, s);
	long got;

	if (u->err || !u->n)
		return u->err;
	got = copy_iov_to_user(uptr_add(u->dst, u->copied), u->iov, u->n,
			       u->pending);
	if (got > 0)
		u->copied += got;
	if (got != (long)u->pending)
		u->err = -EFAULT;
	u->n = 0;
	u->pending = 0;
	return u->err;
}

static int user_sink_put(struct read_sink *s, const void *data, size_t len)
{
	struct user_sink *u = container_of(s, struct user_sink, s);
	struct iovec *last = u->n ? &u->iov[u->n - 1] : NULL;

	if (u->err)
		return u->err;
	if (last && (const char *)last->iov_base + last->iov_len == data) {
		last->iov_len += len;
	} else {
		if (u->n == USER_SINK_IOV && user_sink_flush(s))
			return u->err;
		u->iov[u->n].iov_base = (void *)data;
		u->iov[u->n].iov_len = len;
		u->n++;
	}
	u->pending += len;
	return 0;
}

/* vfs_read of a file with f_op->read_sink: from its cache straight into
 * the guest's buffer. */
static ssize_t vfs_read_sink(struct file *f, struct uptr ubuf, size_t count,
			     loff_t *pos)
{
	struct user_sink us;
	size_t done = 0;
	ssize_t ret = 0;

	us.s.put = user_sink_put;
	us.s.flush = user_sink_flush;
	us.dst = ubuf;
	us.copied = us.pending = 0;
	us.n = us.err = 0;
	while (done < count) {
		size_t chunk = min(count - done, (size_t)SINK_CHUNK);
		loff_t start = *pos;

		ret = f->f_op->read_sink(f, &us.s, chunk, pos);
		if (us.err) {	/* only what reached the guest was read */
			*pos = start + (us.copied - done);
			done = us.copied;
			ret = -EFAULT;
			break;
		}
		if (ret <= 0)
			break;
		done += ret;
		if ((size_t)ret < chunk || signal_pending(current))
			break;
	}
	if (done)
		fsnotify_access(f);
	return done ? (ssize_t)done : ret;
}

static ssize_t vfs_read(struct file *f, struct uptr ubuf, size_t count,
			loff_t *pos)
{
	size_t done = 0;
	char *buf;
	ssize_t ret = 0;

	if (!(f->f_mode & FMODE_READ))
		return -EBADF;
	count = min(count, (size_t)MAX_RW_COUNT);
	if (f->f_op && f->f_op->read_iov) {
		struct iovec v = { (void *)ubuf.addr, count };

		return f->f_op->read_iov(f, &v, 1);
	}
	if (!f->f_op || !f->f_op->read)
		return S_ISDIR(f->f_inode->i_mode) ? -EISDIR : -EINVAL;
	if (count == 0)
		return 0;
	/* A mapped file's page cache may hold stores the filesystem has
	 * not seen yet: such reads go through do_read. */
	if (f->f_op->read_sink && !filemap_active(f->f_inode))
		return vfs_read_sink(f, ubuf, count, pos);
	buf = kmalloc(min(count, (size_t)CHUNK));
	if (!buf)
		return -ENOMEM;
	while (done < count) {
		size_t chunk = min(count - done, (size_t)CHUNK);

		ret = do_read(f, buf, chunk, pos);
		if (ret <= 0)
			break;
		if (copy_to_user(uptr_add(ubuf, done), buf, ret)) {
			ret = -EFAULT;
			break;
		}
		done += ret;
		if ((size_t)ret < chunk)
			break;
		if (file_is_stream(f) && !(f->f_op->fop_flags & FOP_FULL_READ))
			break;
		if (signal_pending(current))
			break;
	}
	if (done)
		fsnotify_access(f);
	kfree(buf);
	return done ? (ssize_t)done : ret;
}

/*
 * RLIMIT_FSIZE on a write of count bytes at pos to a regular file (Linux
 * generic_write_check_limits): the count is cut at the limit; a write
 * that starts at or past it sends SIGXFSZ and fails. Returns the count
 * allowed, or -EFBIG.
 */
static ssize_t write_check_fsize(struct file *f, loff_t pos, size_t count)
{
	rlim_t limit = rlimit(RLIMIT_FSIZE);

	if (!S_ISREG(f->f_inode->i_mode) || limit == RLIM_INFINITY)
		return count;
	if ((f->f_flags & O_APPEND))
		pos = f->f_inode->i_size;
	if (pos < 0 || (rlim_t)pos >= limit) {
		send_sig_info(SIGXFSZ, NULL, current, false);
		return -EFBIG;
	}
	return min(count, (size_t)(limit - pos));
}

static ssize_t vfs_write(struct file *f, struct uptr ubuf, size_t count,
			 loff_t *pos)
{
	size_t done = 0;
	char *buf;
	ssize_t ret = 0;

	if (!(f->f_mode & FMODE_WRITE))
		return -EBADF;
	count = min(count, (size_t)MAX_RW_COUNT);
	if (f->f_op && f->f_op->write_iov) {
		struct iovec v = { (void *)ubuf.addr, count };

		return f->f_op->write_iov(f, &v, 1);
	}
	if (!f->f_op || !f->f_op->write)
		return -EINVAL;
	if (count == 0)
		return 0;
	ret = write_check_fsize(f, *pos, count);
	if (ret < 0)
		return ret;
	count = ret;
	ret = 0;
	buf = kmalloc(min(count, (size_t)CHUNK));
	if (!buf)
		return -ENOMEM;
	while (done < count) {
		size_t chunk = min(count - done, (size_t)CHUNK);

		if (copy_from_user(buf, uptr_add(ubuf, done), chunk)) {
			ret = -EFAULT;
			break;
		}
		if ((f->f_flags & O_APPEND) && S_ISREG(f->f_inode->i_mode))
			*pos = f->f_inode->i_size;
		ret = do_write(f, buf, chunk, pos);
		if (ret <= 0)
			break;
		done += ret;
		if ((size_t)ret < chunk)
			break;
	}
	if (done)
		fsnotify_modify(f);
	kfree(buf);
	return done ? (ssize_t)done : ret;
}

SYSCALL_DEFINE3(read, unsigned int, fd, struct uptr, buf, size_t, count)
{
	struct file *f = fget(fd);
	long ret;

	if (!f)
		return -EBADF;
	ret = vfs_read(f, buf, count, &f->f_pos);
	fput(f);
	return ret;
}

SYSCALL_DEFINE3(write, unsigned int, fd, struct uptr, buf, size_t, count)
{
	struct file *f = fget(fd);
	long ret;

	if (!f)
		return -EBADF;
	ret = vfs_write(f, buf, count, &f->f_pos);
	fput(f);
	return ret;
}

SYSCALL_DEFINE4(pread64, unsigned int, fd, struct uptr, buf, size_t, count, loff_t, pos)
{
	struct file *f;
	long ret;

	if (pos < 0)
		return -EINVAL;
	f = fget(fd);
	if (!f)
		return -EBADF;
	ret = file_positional(f) ? vfs_read(f, buf, count, &pos) : -ESPIPE;
	fput(f);
	return ret;
}

SYSCALL_DEFINE4(pwrite64, unsigned int, fd, struct uptr, buf, size_t, count, loff_t, pos)
{
	struct file *f;
	long ret;

	if (pos < 0)
		return -EINVAL;
	f = fget(fd);
	if (!f)
		return -EBADF;
	ret = file_positional(f) ? vfs_write(f, buf, count, &pos) : -ESPIPE;
	fput(f);
	return ret;
}

/* readv/writev and their positioned forms (pos NULL: the file position). */
static long do_iov(unsigned int fd, struct uptr uvec, unsigned long vlen,
		   bool write, loff_t *upos)
{
	struct iovec iov[UIO_MAXIOV];
	size_t total = 0;
	struct file *f;
	long done = 0, ret = 0;

	if (vlen > UIO_MAXIOV)
		return -EINVAL;
	if (copy_from_user(iov, uvec, vlen * sizeof(struct iovec)))
		return -EFAULT;
	for (unsigned long i = 0; i < vlen; i++) {
		if ((ssize_t)iov[i].iov_len < 0 ||
		    total + iov[i].iov_len > (size_t)INT64_MAX)
			return -EINVAL;
		total += iov[i].iov_len;
	}
	f = fget(fd);
	if (!f)
		return -EBADF;
	if (!(f->f_mode & (write ? FMODE_WRITE : FMODE_READ))) {
		fput(f);
		return -EBADF;
	}
	if (upos && !file_positional(f)) {
		fput(f);
		return -ESPIPE;
	}
	if (f->f_op && (write ? f->f_op->write_iov : f->f_op->read_iov)) {
		ret = write ? f->f_op->write_iov(f, iov, vlen)
			    : f->f_op->read_iov(f, iov, vlen);
		fput(f);
		return ret;
	}
	for (unsigned long i = 0; i < vlen; i++) {
		loff_t *pos = upos ? upos : &f->f_pos;

		if (!iov[i].iov_len)
			continue;
		ret = write ? vfs_write(f, UPTR(iov[i].iov_base), iov[i].iov_len,
					pos)
			    : vfs_read(f, UPTR(iov[i].iov_base), iov[i].iov_len,
				       pos);
		if (ret < 0)
			break;
		done += ret;
		if ((size_t)ret < iov[i].iov_len)
			break;
	}
	fput(f);
	return done ? done : ret;
}

SYSCALL_DEFINE3(readv, unsigned int, fd, struct uptr, vec, unsigned long, vlen)
{
	return do_iov(fd, vec, vlen, false, NULL);
}

SYSCALL_DEFINE3(writev, unsigned int, fd, struct uptr, vec, unsigned long, vlen)
{
	return do_iov(fd, vec, vlen, true, NULL);
}

/* preadv(2): the offset comes split in two registers (pos_l, pos_h);
 * for the v2 calls an offset of -1 means the file position. */
static long do_piov(unsigned int fd, struct uptr vec, unsigned long vlen,
		    unsigned long pos_l, unsigned long pos_h, int flags,
		    bool write, bool v2)
{
	loff_t pos = (loff_t)(((uint64_t)pos_h << 32) << 32 | pos_l);

	if (flags & ~(RWF_HIPRI | RWF_DSYNC | RWF_SYNC | RWF_NOWAIT | RWF_APPEND))
		return -EOPNOTSUPP;
	if (v2 && pos == -1)
		return do_iov(fd, vec, vlen, write, NULL);
	if (pos < 0)
		return -EINVAL;
	return do_iov(fd, vec, vlen, write, &pos);
}

SYSCALL_DEFINE5(preadv, unsigned int, fd, struct uptr, vec, unsigned long, vlen, unsigned long, pos_l, unsigned long, pos_h)
{
	return do_piov(fd, vec, vlen, pos_l, pos_h, 0, false, false);
}

SYSCALL_DEFINE5(pwritev, unsigned int, fd, struct uptr, vec, unsigned long, vlen, unsigned long, pos_l, unsigned long, pos_h)
{
	return do_piov(fd, vec, vlen, pos_l, pos_h, 0, true, false);
}

SYSCALL_DEFINE6(preadv2, unsigned int, fd, struct uptr, vec, unsigned long, vlen, unsigned long, pos_l, unsigned long, pos_h, int, flags)
{
	return do_piov(fd, vec, vlen, pos_l, pos_h, flags, false, true);
}

SYSCALL_DEFINE6(pwritev2, unsigned int, fd, struct uptr, vec, unsigned long, vlen, unsigned long, pos_l, unsigned long, pos_h, int, flags)
{
	return do_piov(fd, vec, vlen, pos_l, pos_h, flags, true, true);
}

SYSCALL_DEFINE3(lseek, unsigned int, fd, off_t, offset, unsigned int, whence)
{
	struct file *f = fget(fd);
	long ret;

	if (!f)
		return -EBADF;
	if (!file_seekable(f))
		ret = -ESPIPE;
	else if (whence > SEEK_HOLE)
		ret = -EINVAL;
	else if ((whence == SEEK_DATA || whence == SEEK_HOLE) &&
		 filemap_active(f->f_inode))
		ret = filemap_llseek(f, offset, whence);
	else if (f->f_op && f->f_op->llseek)
		ret = f->f_op->llseek(f, offset, whence);
	else
		ret = generic_file_llseek(f, offset, whence);
	fput(f);
	return ret;
}

SYSCALL_DEFINE4(sendfile, int, out_fd, int, in_fd, struct uptr, uoffset, size_t, count)
{
	struct file *in = fget(in_fd), *out = fget(out_fd);
	loff_t off, *pos;
	char *buf = NULL;
	long done = 0, ret = 0;

	if (!in || !out) {
		ret = -EBADF;
		goto out;
	}
	if (!(in->f_mode & FMODE_READ) || !(out->f_mode & FMODE_WRITE)) {
		ret = -EBADF;
		goto out;
	}
	if (!uptr_null(uoffset)) {
		if (copy_from_user(&off, uoffset, sizeof(off))) {
			ret = -EFAULT;
			goto out;
		}
		if (off < 0) {
			ret = -EINVAL;
			goto out;
		}
		pos = &off;
	} else {
		pos = &in->f_pos;
	}
	if (!in->f_op || !in->f_op->read || S_ISDIR(in->f_inode->i_mode)) {
		ret = -EINVAL;
		goto out;
	}
	buf = kmalloc(CHUNK);
	if (!buf) {
		ret = -ENOMEM;
		goto out;
	}
	count = min(count, (size_t)MAX_RW_COUNT);
	while ((size_t)done < count) {
		size_t chunk = min(count - done, (size_t)CHUNK);
		loff_t opos = out->f_pos;
		ssize_t n = do_read(in, buf, chunk, pos), w;

		if (n <= 0) {
			ret = n;
			break;
		}
		if ((out->f_flags & O_APPEND) && S_ISREG(out->f_inode->i_mode))
			opos = out->f_inode->i_size;
		w = kernel_write(out, buf, n, &opos);
		if (w > 0)
			out->f_pos = opos;
		if (w <= 0) {
			ret = w;
			break;
		}
		done += w;
		if (w < n || (size_t)n < chunk)
			break;
	}
	if (!uptr_null(uoffset) && copy_to_user(uoffset, &off, sizeof(off)))
		ret = -EFAULT;
out:
	kfree(buf);
	if (in)
		fput(in);
	if (out)
		fput(out);
	return done ? done : ret;
}
