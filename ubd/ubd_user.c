/*
 * ubd, host side: opens and checks the host files of a device (a raw image,
 * or a UML COW overlay and its read-only backing file), takes UML's host
 * locks, and runs one I/O thread per device that executes the kernel's
 * requests in order (pread/pwrite/fdatasync/fallocate) and hands them back
 * through one eventfd that the kernel thread's event loop watches (and a
 * kick, os_event_kick, since the loop may be blocked in waitpid). Only this
 * half of the driver touches libc's file and thread API; the kernel side
 * sees -errno values. Model: UML arch/um/drivers/ubd_user.c (the I/O
 * thread), ubd_kern.c (open_ubd_file, create_cow_file, do_io) and
 * os-Linux/file.c (os_lock_file).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/mman.h>
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
#include <sys/stat.h>
#include <unistd.h>
#include <os.h>
#include <event.h>
#include "cow.h"
#include "ubd_user.h"

struct ubd_host {
	int n;			/* ubdN, for messages */
	int fd;			/* the image, or the COW file */
	int backing_fd;		/* the COW's backing file (O_RDONLY), or -1 */
	bool readonly;		/* fd is O_RDONLY */
	bool notrim;		/* t: discard is -EOPNOTSUPP */
	uint64_t size;		/* device bytes */
	/* COW only; the bitmap belongs to the I/O thread once it runs. */
	uint8_t *bitmap;
	uint64_t bitmap_off, bitmap_len, data_off;

	/* The request queue, under lock; the I/O thread waits on cond. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct ubd_req *head, *tail;
	bool stop;		/* close: finish the queue, then exit */
	bool started;		/* thread runs (only the kernel thread reads) */
	bool threadless;	/* pthread_create failed: I/O inline */
	pthread_t thread;
};

/* Completed requests, oldest first, and the eventfd that announces them. */
static pthread_mutex_t done_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ubd_req *done_head, *done_tail;
static int done_fd = -1;

/* ------------------------------------------------------------------ */
/* Messages: one line on stderr, "umk: ubdN: ...".                    */

static void report(int n, const char *path, int err, const char *hint)
{
	fprintf(stderr, "umk: ubd%d: cannot open %s: %s%s\n", n, path,
		strerror(err), hint ? hint : "");
}

static void report_rw(int n, const char *path, const char *why)
{
	fprintf(stderr, "umk: ubd%d: cannot open %s read-write: %s (use "
		"ubd%dr=%s to open it read-only, or give it a COW file: "
		"ubd%d=FILE.cow,%s)\n", n, path, why, n, path, n, path);
}

static void report_cow(int n, const char *path, const char *msg)
{
	fprintf(stderr, "umk: ubd%d: %s: %s\n", n, path, msg);
}

/* ------------------------------------------------------------------ */
/* Opening.                                                            */

/* -EINVAL unless st is a regular file or block device; -EISDIR for a dir. */
static int check_type(const struct stat *st)
{
	if (S_ISDIR(st->st_mode))
		return -EISDIR;
	if (!S_ISREG(st->st_mode) && !S_ISBLK(st->st_mode))
		return -EINVAL;
	return 0;
}

/*
 * UML's host lock (os_lock_file: a whole-file fcntl lock, shared when
 * read-only), as an open file description lock so that it conflicts with
 * UML's and other umks' locks but not with this process's other fds of
 * the same file. 0 or -EBUSY.
 */
static int lock_file(int fd, bool exclusive)
{
	struct flock fl = {
		.l_type = exclusive ? F_WRLCK : F_RDLCK,
		.l_whence = SEEK_SET,
	};

	if (fcntl(fd, F_OFD_SETLK, &fl) == 0)
		return 0;
	if (errno == EAGAIN || errno == EACCES)
		return -EBUSY;
	if (errno != EINVAL)
		return 0;	/* no locks on this host filesystem: go on */
	if (flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) < 0 &&
	    errno == EWOULDBLOCK)
		return -EBUSY;
	return 0;
}

static int lock_or_report(int n, const char *path, int fd, bool exclusive,
			  unsigned int flags)
{
	if (flags & UBD_FLAG_SHARED)
		return 0;
	if (lock_file(fd, exclusive) == 0)
		return 0;
	report(n, path, EBUSY, " (in use by another umk or UML: the host file "
	       "is locked; the c flag shares it)");
	return -EBUSY;
}

/*
 * Open path for the device (read-write unless ro) and stat it. A file
 * that cannot be opened read-write, or has no write permission bit at all
 * (a pristine image protected with chmod a-w, even for root), is refused
 * with the hint to use r or a COW file: never silently downgraded.
 */
static int open_image(int n, const char *path, bool ro, bool sync,
		      struct stat *st)
{
	int fd, err;

	fd = os_open(path, ro ? O_RDONLY : O_RDWR | (sync ? O_SYNC : 0), 0);
	if (fd < 0) {
		if (!ro && (fd == -EACCES || fd == -EROFS || fd == -EPERM ||
			    fd == -ETXTBSY) && access(path, R_OK) == 0)
			report_rw(n, path, strerror(-fd));
		else
			report(n, path, -fd, NULL);
		return fd;
	}
	if (fstat(fd, st) < 0) {
		err = -errno;
		report(n, path, -err, NULL);
		goto out_close;
	}
	err = check_type(st);
	if (err) {
		report(n, path, -err, err == -EINVAL ?
		       " (not a regular file or block device)" : NULL);
		goto out_close;
	}
	if (!ro && S_ISREG(st->st_mode) && !(st->st_mode & 0222)) {
		char why[64];

		snprintf(why, sizeof(why), "the file is read-only (mode %04o)",
			 st->st_mode & 07777);
		report_rw(n, path, why);
		err = -EACCES;
		goto out_close;
	}
	return fd;

out_close:
	os_close(fd);
	return err;
}

/* Read up to COW_HEADER_BROKEN_SIZE bytes and parse them (cow_parse_header
 * results); a read error is -errno after a message. */
static int read_header(int n, const char *path, int fd, struct cow_info *ci)
{
	char buf[COW_HEADER_BROKEN_SIZE], msg[256];
	long got = os_pread(fd, buf, sizeof(buf), 0);
	int err;

	if (got < 0) {
		report(n, path, -got, " (reading its first sector)");
		return got;
	}
	err = cow_parse_header(buf, got, ci, msg, sizeof(msg));
	if (err < 0)
		report_cow(n, path, msg);
	return err;
}

/*
 * Open the backing file named by a COW header read-only and check it is
 * the file the overlay was made on: same size and mtime (UML
 * backing_file_mismatch). Its fd, or -errno after a message.
 */
static int open_backing(int n, const char *cow, const struct cow_info *ci,
			const struct stat *cow_st, unsigned int flags)
{
	struct stat st;
	char msg[COW_PATH_LEN + 256];
	int fd, err;

	fd = os_open(ci->backing, O_RDONLY, 0);
	if (fd < 0) {
		snprintf(msg, sizeof(msg), "cannot open its backing file %s: %s",
			 ci->backing, strerror(-fd));
		report_cow(n, cow, msg);
		return fd;
	}
	err = -EINVAL;
	if (fstat(fd, &st) < 0 || check_type(&st)) {
		snprintf(msg, sizeof(msg), "backing file %s is not a regular "
			 "file or block device", ci->backing);
		goto out_close;
	}
	if (st.st_dev == cow_st->st_dev && st.st_ino == cow_st->st_ino) {
		snprintf(msg, sizeof(msg), "the COW file is its own backing file");
		goto out_close;
	}
	if ((uint64_t)os_file_size(fd) != ci->size) {
		snprintf(msg, sizeof(msg), "backing file %s is %lld bytes but the "
			 "COW header says %llu: refusing a backing file that "
			 "changed since the COW file was made", ci->backing,
			 os_file_size(fd), (unsigned long long)ci->size);
		goto out_close;
	}
	if ((uint32_t)st.st_mtime != ci->mtime) {
		snprintf(msg, sizeof(msg), "backing file %s was modified (mtime "
			 "%u, the COW header says %u): refusing a backing file "
			 "that changed since the COW file was made", ci->backing,
			 (uint32_t)st.st_mtime, ci->mtime);
		goto out_close;
	}
	err = lock_or_report(n, ci->backing, fd, false, flags);
	if (err)
		goto out_close_quiet;
	return fd;

out_close:
	report_cow(n, cow, msg);
out_close_quiet:
	os_close(fd);
	return err;
}

/* The command line's backing file must be the header's (same inode). */
static int check_same_backing(int n, const char *cow, const char *given,
			      const struct cow_info *ci)
{
	struct stat a, b;
	char msg[2 * COW_PATH_LEN + 128];

	if (!strcmp(given, ci->backing))
		return 0;
	if (stat(given, &a) == 0 && stat(ci->backing, &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
		return 0;
	snprintf(msg, sizeof(msg), "backing file mismatch: %s was given, the "
		 "COW header names %s", given, ci->backing);
	report_cow(n, cow, msg);
	return -EINVAL;
}

/* Read the COW bitmap into h. 0 or -errno after a message. */
static int load_bitmap(struct ubd_host *h, const char *cow)
{
	long got;

	h->bitmap = calloc(1, h->bitmap_len ? h->bitmap_len : 1);
	if (!h->bitmap) {
		report(h->n, cow, ENOMEM, " (the COW bitmap)");
		return -ENOMEM;
	}
	got = os_pread(h->fd, h->bitmap, h->bitmap_len, h->bitmap_off);
	if (got < 0) {
		report(h->n, cow, -got, " (reading the COW bitmap)");
		return got;
	}
	if ((uint64_t)got < h->bitmap_len) {
		report_cow(h->n, cow, "truncated COW file: it ends inside the "
			   "sector bitmap");
		return -EINVAL;
	}
	return 0;
}

static void set_cow(struct ubd_host *h, const struct cow_info *ci,
		    struct ubd_host_info *info)
{
	h->size = ci->size & ~(uint64_t)(UBD_SECTOR_SIZE - 1);
	h->bitmap_off = ci->bitmap_offset;
	h->bitmap_len = ci->bitmap_len;
	h->data_off = ci->data_offset;
	info->cow = true;
	snprintf(info->backing, sizeof(info->backing), "%s", ci->backing);
}

/* Make a new file's name durable: fsync the directory holding path. */
static void sync_dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];
	int fd;

	if (!slash)
		strcpy(dir, ".");
	else if (slash == path)
		strcpy(dir, "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	fd = os_open(dir, O_RDONLY | O_DIRECTORY, 0);
	if (fd >= 0) {
		fsync(fd);
		os_close(fd);
	}
}

/*
 * Create the COW file path over backing (UML create_cow_file +
 * init_cow_file): the backing file is checked and locked first, then the
 * file is made with O_EXCL, its header written and its end set, sparse.
 * Anything failing after the creation removes the file again.
 */
static int create_cow(struct ubd_host *h, const char *path,
		      const char *backing, unsigned int flags,
		      struct ubd_host_info *info)
{
	unsigned char header[COW_HEADER_SIZE];
	struct cow_info ci;
	struct stat st, cst;
	char abs[COW_PATH_LEN];
	int fd, err;

	err = cow_absolute_path(backing, abs, sizeof(abs));
	if (err) {
		report(h->n, backing, -err, " (the backing file of a new COW file)");
		return err;
	}
	fd = os_open(abs, O_RDONLY, 0);
	if (fd < 0) {
		report(h->n, backing, -fd, " (the backing file of a new COW file)");
		return fd;
	}
	if (fstat(fd, &st) < 0 || check_type(&st) ||
	    os_file_size(fd) < UBD_SECTOR_SIZE) {
		report(h->n, backing, EINVAL, " (the backing file must be a "
		       "regular file or block device of at least 512 bytes)");
		os_close(fd);
		return -EINVAL;
	}
	err = lock_or_report(h->n, backing, fd, false, flags);
	if (err) {
		os_close(fd);
		return err;
	}
	h->backing_fd = fd;
	cow_build_header(header, abs, (uint32_t)st.st_mtime, os_file_size(fd),
			 &ci);

	fd = os_open(path, O_RDWR | O_CREAT | O_EXCL |
		     (flags & UBD_FLAG_SYNC ? O_SYNC : 0), 0644);
	if (fd < 0) {
		report(h->n, path, -fd, " (creating the COW file)");
		return fd;
	}
	h->fd = fd;
	err = lock_or_report(h->n, path, fd, true, flags);
	if (!err && fstat(fd, &cst) < 0)
		err = -errno;
	if (!err)
		err = os_pwrite(fd, header, sizeof(header), 0);
	if (err >= 0)
		err = os_pwrite(fd, "", 1, ci.data_offset + ci.size - 1);
	if (err < 0) {
		if (err != -EBUSY)
			report(h->n, path, -err, " (writing the new COW header)");
		goto out_unlink;
	}
	sync_dir_of(path);
	set_cow(h, &ci, info);
	info->created = true;
	err = load_bitmap(h, path);
	if (err)
		goto out_unlink;
	return 0;

out_unlink:
	unlink(path);
	return err;
}

/* ubd0=cow,backing: open (or create) the overlay and its backing file. */
static int open_cow_given(struct ubd_host *h, const char *path,
			  const char *backing, unsigned int flags,
			  struct ubd_host_info *info)
{
	bool ro = flags & UBD_FLAG_RO;
	struct cow_info ci;
	struct stat st;
	int fd, err;

	if (!ro && access(path, F_OK) < 0 && errno == ENOENT)
		return create_cow(h, path, backing, flags, info);
	fd = open_image(h->n, path, ro, flags & UBD_FLAG_SYNC, &st);
	if (fd < 0)
		return fd;
	h->fd = fd;
	err = read_header(h->n, path, fd, &ci);
	if (err == 1) {
		report_cow(h->n, path, "not a COW file (no COW header: bad "
			   "magic) but a backing file was given for it");
		return -EINVAL;
	}
	if (err)
		return err;
	err = check_same_backing(h->n, path, backing, &ci);
	if (err)
		return err;
	err = lock_or_report(h->n, path, fd, !ro, flags);
	if (err)
		return err;
	fd = open_backing(h->n, path, &ci, &st, flags);
	if (fd < 0)
		return fd;
	h->backing_fd = fd;
	set_cow(h, &ci, info);
	return load_bitmap(h, path);
}

/* ubd0=file: a COW file (found by its header, unless d) or a raw image. */
static int open_plain(struct ubd_host *h, const char *path,
		      unsigned int flags, struct ubd_host_info *info)
{
	bool ro = flags & UBD_FLAG_RO;
	struct cow_info ci;
	struct stat st;
	long long bytes;
	int fd, kind = 1, err;

	fd = open_image(h->n, path, ro, flags & UBD_FLAG_SYNC, &st);
	if (fd < 0)
		return fd;
	h->fd = fd;
	if (!(flags & UBD_FLAG_NOCOW)) {
		kind = read_header(h->n, path, fd, &ci);
		if (kind < 0)
			return kind;
	}
	err = lock_or_report(h->n, path, fd, !ro, flags);
	if (err)
		return err;
	if (kind == 0) {
		fd = open_backing(h->n, path, &ci, &st, flags);
		if (fd < 0)
			return fd;
		h->backing_fd = fd;
		set_cow(h, &ci, info);
		return load_bitmap(h, path);
	}
	bytes = os_file_size(fd);
	if (bytes < 0) {
		report(h->n, path, -bytes, NULL);
		return bytes;
	}
	h->size = (uint64_t)bytes & ~(uint64_t)(UBD_SECTOR_SIZE - 1);
	if (!h->size) {
		report(h->n, path, EINVAL, " (image is empty or shorter than "
		       "512 bytes)");
		return -EINVAL;
	}
	return 0;
}

static void host_free(struct ubd_host *h)
{
	if (h->fd >= 0)
		os_close(h->fd);
	if (h->backing_fd >= 0)
		os_close(h->backing_fd);
	pthread_mutex_destroy(&h->lock);
	pthread_cond_destroy(&h->cond);
	free(h->bitmap);
	free(h);
}

int ubd_user_open(int n, const char *file, const char *backing,
		  unsigned int flags, struct ubd_host **res,
		  struct ubd_host_info *info)
{
	struct ubd_host *h = calloc(1, sizeof(*h));
	int err;

	memset(info, 0, sizeof(*info));
	if (!h) {
		report(n, file, ENOMEM, NULL);
		return -ENOMEM;
	}
	h->n = n;
	h->fd = h->backing_fd = -1;
	h->readonly = flags & UBD_FLAG_RO;
	h->notrim = flags & UBD_FLAG_NOTRIM;
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->cond, NULL);
	if (backing)
		err = open_cow_given(h, file, backing, flags, info);
	else
		err = open_plain(h, file, flags, info);
	if (err) {
		host_free(h);
		return err;
	}
	info->size = h->size;
	info->readonly = h->readonly;
	*res = h;
	return 0;
}

/* ------------------------------------------------------------------ */
/* The I/O thread's work.                                              */

static bool test_bit(const uint8_t *map, uint64_t bit)
{
	return map[bit / 8] & (1u << (bit % 8));
}

/*
 * Move exactly the bytes of the cnt buffers of iov at byte off of fd
 * (preadv/pwritev, resumed after short transfers). 0, -errno, or -EIO for
 * a file that ends early.
 */
static int rw_full(int fd, bool write, const struct iovec *iov, int cnt,
		   uint64_t off)
{
	struct iovec local[UBD_MAX_IOV], *v = local;
	ssize_t r;

	memcpy(local, iov, cnt * sizeof(*iov));
	while (cnt > 0) {
		r = write ? pwritev(fd, v, cnt, off) : preadv(fd, v, cnt, off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EIO;
		off += r;
		while (cnt > 0 && (size_t)r >= v->iov_len) {
			r -= v->iov_len;
			v++;
			cnt--;
		}
		if (cnt > 0) {
			v->iov_base = (char *)v->iov_base + r;
			v->iov_len -= r;
		}
	}
	return 0;
}

/* The bytes [from, from + len) of iov as buffers in out; their count. */
static int iov_slice(const struct iovec *iov, int cnt, size_t from,
		     size_t len, struct iovec *out)
{
	int n = 0;

	for (; cnt > 0 && len; iov++, cnt--) {
		size_t take;

		if (from >= iov->iov_len) {
			from -= iov->iov_len;
			continue;
		}
		take = min(iov->iov_len - from, len);
		out[n].iov_base = (char *)iov->iov_base + from;
		out[n++].iov_len = take;
		len -= take;
		from = 0;
	}
	return n;
}

/* The end of the run of sectors from s (< end) whose bits equal s's. */
static uint64_t run_end(const uint8_t *map, uint64_t s, uint64_t end)
{
	bool set = test_bit(map, s);
	uint8_t full = set ? 0xff : 0x00;

	for (s++; s < end; ) {
		if (s % 8 == 0 && s + 8 <= end && map[s / 8] == full) {
			s += 8;
			continue;
		}
		if (test_bit(map, s) != set)
			break;
		s++;
	}
	return s;
}

/* A COW read: sectors marked in the bitmap from the COW file, the others
 * from the backing file (UML do_io's per-sector split). */
static int cow_read(struct ubd_host *h, const struct ubd_req *r)
{
	uint64_t s = r->off / UBD_SECTOR_SIZE;
	uint64_t end = s + r->len / UBD_SECTOR_SIZE;
	struct iovec part[UBD_MAX_IOV];
	int err, n;

	while (s < end) {
		uint64_t e = run_end(h->bitmap, s, end);
		size_t bytes = (e - s) * UBD_SECTOR_SIZE;

		n = iov_slice(r->iov, r->iovcnt, s * UBD_SECTOR_SIZE - r->off,
			      bytes, part);
		if (test_bit(h->bitmap, s))
			err = rw_full(h->fd, false, part, n,
				      h->data_off + s * UBD_SECTOR_SIZE);
		else
			err = rw_full(h->backing_fd, false, part, n,
				      s * UBD_SECTOR_SIZE);
		if (err)
			return err;
		s = e;
	}
	return 0;
}

/*
 * Mark [off, off + len) valid in the COW bitmap and write the bytes that
 * changed. Called after the data is written, so the bitmap never claims
 * sectors whose data is not in the file yet.
 */
static int cow_mark(struct ubd_host *h, uint64_t off, size_t len)
{
	uint64_t s = off / UBD_SECTOR_SIZE, end = s + len / UBD_SECTOR_SIZE;
	uint64_t lo = UINT64_MAX, hi = 0;
	struct iovec v;

	for (; s < end; s++) {
		if (test_bit(h->bitmap, s))
			continue;
		h->bitmap[s / 8] |= 1u << (s % 8);
		lo = min(lo, s / 8);
		hi = s / 8;
	}
	if (lo == UINT64_MAX)
		return 0;
	v.iov_base = h->bitmap + lo;
	v.iov_len = hi - lo + 1;
	return rw_full(h->fd, true, &v, 1, h->bitmap_off + lo);
}

static int do_discard(struct ubd_host *h, uint64_t off, size_t len)
{
	uint64_t at = h->backing_fd >= 0 ? h->data_off + off : off;

	if (h->notrim)
		return -EOPNOTSUPP;
	if (h->readonly)
		return -EROFS;
	if (fallocate(h->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      at, len) < 0)
		return -errno;
	/* A COW discard reads back as zeros from the overlay, as in UML. */
	return h->backing_fd >= 0 ? cow_mark(h, off, len) : 0;
}

/*
 * A large read is read-ahead of a sequential stream: have the host start
 * reading what follows now, so that the disk keeps busy while this thread
 * waits for one request at a time.
 */
#define WILLNEED_MIN (1 << 20)

static void prefetch(struct ubd_host *h, uint64_t off, uint64_t len)
{
	uint64_t s = off / UBD_SECTOR_SIZE;

	if (off >= h->size)
		return;
	if (h->backing_fd < 0)
		posix_fadvise(h->fd, off, len, POSIX_FADV_WILLNEED);
	else if (test_bit(h->bitmap, s))	/* guess by its first sector */
		posix_fadvise(h->fd, h->data_off + off, len, POSIX_FADV_WILLNEED);
	else
		posix_fadvise(h->backing_fd, off, len, POSIX_FADV_WILLNEED);
}

static int do_io(struct ubd_host *h, struct ubd_req *r)
{
	bool cow = h->backing_fd >= 0;
	int err;

	switch (r->op) {
	case UBD_OP_READ:
		if (r->len >= WILLNEED_MIN)
			prefetch(h, r->off + r->len, 2 * r->len);
		return cow ? cow_read(h, r) :
			     rw_full(h->fd, false, r->iov, r->iovcnt, r->off);
	case UBD_OP_WRITE:
		if (h->readonly)
			return -EROFS;
		err = rw_full(h->fd, true, r->iov, r->iovcnt,
			      cow ? h->data_off + r->off : r->off);
		return err || !cow ? err : cow_mark(h, r->off, r->len);
	case UBD_OP_FLUSH:
		return h->readonly ? 0 : os_fdatasync(h->fd);
	case UBD_OP_DISCARD:
		return do_discard(h, r->off, r->len);
	}
	return -EINVAL;
}

/* Hand r back to the kernel thread. */
static void complete(struct ubd_req *r)
{
	uint64_t one = 1;

	r->next = NULL;
	pthread_mutex_lock(&done_lock);
	if (done_tail)
		done_tail->next = r;
	else
		done_head = r;
	done_tail = r;
	pthread_mutex_unlock(&done_lock);
	if (done_fd >= 0 && write(done_fd, &one, sizeof(one)) < 0) {
		/* the counter cannot overflow: nothing to do */
	}
	os_event_kick();	/* the kernel thread may sit in waitpid */
}

static void *io_thread(void *arg)
{
	struct ubd_host *h = arg;
	struct ubd_req *batch, *r;
	sigset_t all;

	sigfillset(&all);
	sigdelset(&all, SIGSYS);	/* umk's sandbox reports through it */
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	for (;;) {
		pthread_mutex_lock(&h->lock);
		while (!h->head && !h->stop)
			pthread_cond_wait(&h->cond, &h->lock);
		batch = h->head;
		h->head = h->tail = NULL;
		pthread_mutex_unlock(&h->lock);
		if (!batch)
			return NULL;
		while (batch) {
			r = batch;
			batch = r->next;
			r->error = do_io(h, r);
			complete(r);
		}
	}
}

/* ------------------------------------------------------------------ */
/* The kernel thread's end of the queues.                              */

int ubd_user_event_fd(void)
{
	if (done_fd < 0) {
		done_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (done_fd < 0)
			return -errno;
	}
	return done_fd;
}

static void start_thread(struct ubd_host *h)
{
	pthread_attr_t attr;

	h->started = true;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	if (pthread_create(&h->thread, &attr, io_thread, h)) {
		fprintf(stderr, "umk: ubd%d: cannot start the I/O thread: "
			"falling back to synchronous I/O\n", h->n);
		h->threadless = true;
	}
	pthread_attr_destroy(&attr);
}

void ubd_user_submit(struct ubd_host *h, struct ubd_req *r)
{
	if (ubd_user_event_fd() < 0) {
		r->error = -EIO;
		complete(r);
		return;
	}
	if (!h->started)
		start_thread(h);
	r->next = NULL;
	if (h->threadless) {
		r->error = do_io(h, r);
		complete(r);
		return;
	}
	pthread_mutex_lock(&h->lock);
	if (h->tail)
		h->tail->next = r;
	else
		h->head = r;
	h->tail = r;
	pthread_cond_signal(&h->cond);
	pthread_mutex_unlock(&h->lock);
}

struct ubd_req *ubd_user_reap(void)
{
	struct ubd_req *list;
	uint64_t count;

	if (done_fd < 0)
		return NULL;
	if (read(done_fd, &count, sizeof(count)) < 0) {
		/* EAGAIN: nothing signalled; the list may still hold some */
	}
	pthread_mutex_lock(&done_lock);
	list = done_head;
	done_head = done_tail = NULL;
	pthread_mutex_unlock(&done_lock);
	return list;
}

void ubd_user_wait(void)
{
	struct pollfd p = { .fd = done_fd, .events = POLLIN };

	if (done_fd < 0)
		return;
	while (poll(&p, 1, -1) < 0 && errno == EINTR)
		;
}

void *ubd_user_alloc_frames(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	/* Fault it in now, on the kernel thread, rather than page by page in
	 * the middle of a read on the I/O thread. (Huge pages were tried:
	 * the host's compaction for them made cold reads vary 4x.) */
	madvise(p, bytes, MADV_POPULATE_WRITE);
	return p;
}

void ubd_user_close(struct ubd_host *h)
{
	if (h->started && !h->threadless) {
		pthread_mutex_lock(&h->lock);
		h->stop = true;
		pthread_cond_signal(&h->cond);
		pthread_mutex_unlock(&h->lock);
		pthread_join(h->thread, NULL);
	}
	host_free(h);
}
