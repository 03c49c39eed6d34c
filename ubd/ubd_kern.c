/*
 * ubd, kernel side: the devices ubd0..ubd7 (/dev/ubda..ubdh, major 98),
 * their command line set-up, byte-addressed I/O for filesystems (ubd_read,
 * ubd_write, ubd_flush), the block device file operations the guest sees
 * and /proc/partitions. Host file work is in ubd_user.c. I/O is synchronous
 * in this version (no I/O thread yet); raw images only (no COW).
 * Semantics: UML arch/um/drivers/ubd_kern.c, Linux block/ioctl.c and
 * block/fops.c.
 */
#include <umk/kernel.h>
#include <umk/fs.h>
#include <umk/init.h>
#include <umk/sched.h>
#include <umk/ubd.h>
#include <umk/uaccess.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/sysmacros.h>
#include "ubd_user.h"

#define UBD_SECTOR_SIZE 512
#ifndef BLKPBSZGET
#define BLKPBSZGET _IO(0x12, 123)	/* linux/fs.h, not in sys/mount.h */
#endif

/* One device. Only the kernel thread touches it. */
struct ubd {
	int index;		/* n of ubdN */
	bool configured;	/* given on the command line (ubd_setup) */
	bool readonly;		/* opened O_RDONLY: writes are -EROFS */
	char *file;		/* host path, kstrdup'ed by ubd_setup */
	int fd;			/* host fd, -1 until ubd_open_all */
	uint64_t size;		/* bytes, a multiple of 512 */
};

static struct ubd ubd_devs[UBD_MAX_DEV] = {
	[0 ... UBD_MAX_DEV - 1] = { .fd = -1 },
};

/* snprintf into a caller's message buffer that may be NULL. */
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/*
 * ubdN=file[,backing] (UML ubd_setup_common): record only. A ",backing"
 * part names a COW overlay, which this version cannot open: -EINVAL.
 */
int ubd_setup(int n, const char *value, bool readonly, char *err, size_t errlen)
{
	struct ubd *u;

	if (n < 0 || n >= UBD_MAX_DEV) {
		set_err(err, errlen, "ubd%d: no such device (ubd0..ubd%d)", n,
			UBD_MAX_DEV - 1);
		return -EINVAL;
	}
	u = &ubd_devs[n];
	if (u->configured) {
		set_err(err, errlen, "ubd%d: device given twice", n);
		return -EBUSY;
	}
	if (!value || !value[0] || value[0] == ',') {
		set_err(err, errlen, "ubd%d: missing file name", n);
		return -EINVAL;
	}
	if (strchr(value, ',')) {
		set_err(err, errlen, "ubd%d: COW files are not supported yet", n);
		return -EINVAL;
	}
	u->file = kstrdup(value);
	if (!u->file) {
		set_err(err, errlen, "ubd%d: out of memory", n);
		return -ENOMEM;
	}
	u->index = n;
	u->readonly = readonly;
	u->fd = -1;
	u->configured = true;
	return 0;
}

int ubd_open_all(void)
{
	int n, fd;

	for (n = 0; n < UBD_MAX_DEV; n++) {
		struct ubd *u = &ubd_devs[n];

		if (!u->configured || u->fd >= 0)
			continue;
		fd = ubd_user_open(n, u->file, u->readonly, &u->size);
		if (fd < 0) {
			ubd_close_all();
			return fd;
		}
		u->fd = fd;
	}
	return 0;
}

struct ubd *ubd_get(int n)
{
	if (n < 0 || n >= UBD_MAX_DEV || !ubd_devs[n].configured)
		return NULL;
	return &ubd_devs[n];
}

/* Whole disks only: minor n << UBD_SHIFT, no partitions. */
struct ubd *ubd_get_by_dev(dev_t dev)
{
	unsigned int mi = minor(dev);

	if (major(dev) != UBD_MAJOR || (mi & ((1 << UBD_SHIFT) - 1)))
		return NULL;
	return ubd_get(mi >> UBD_SHIFT);
}

int ubd_index(const struct ubd *u) { return u->index; }
uint64_t ubd_size(const struct ubd *u) { return u->size; }
bool ubd_readonly(const struct ubd *u) { return u->readonly; }
const char *ubd_file(const struct ubd *u) { return u->file; }

/* 0 when [off, off + len) lies inside an open device, else -EIO. */
static int check_range(const struct ubd *u, uint64_t off, size_t len)
{
	if (!u || u->fd < 0)
		return -EIO;
	if (off > u->size || len > u->size - off)
		return -EIO;
	return 0;
}

/* A failed host transfer: logged as Linux logs a failed request; -EIO. */
static int io_error(const struct ubd *u, const char *op, uint64_t off,
		    size_t len, int err)
{
	printk(KERN_ERR "I/O error, dev ubd%c, %s of %zu bytes at byte %llu: "
	       "host error %d\n", 'a' + u->index, op, len,
	       (unsigned long long)off, -err);
	return -EIO;
}

int ubd_read(struct ubd *u, void *buf, uint64_t off, size_t len)
{
	int err = check_range(u, off, len);

	if (err)
		return err;
	err = ubd_user_read(u->fd, buf, len, off);
	return err ? io_error(u, "read", off, len, err) : 0;
}

int ubd_write(struct ubd *u, const void *buf, uint64_t off, size_t len)
{
	int err = check_range(u, off, len);

	if (err)
		return err;
	if (u->readonly)
		return -EROFS;
	err = ubd_user_write(u->fd, buf, len, off);
	return err ? io_error(u, "write", off, len, err) : 0;
}

int ubd_flush(struct ubd *u)
{
	if (!u || u->fd < 0)
		return -EIO;
	if (u->readonly)
		return 0;
	return ubd_user_flush(u->fd) ? -EIO : 0;
}

void ubd_sync_all(void)
{
	int n;

	for (n = 0; n < UBD_MAX_DEV; n++)
		if (ubd_devs[n].configured && ubd_devs[n].fd >= 0)
			ubd_flush(&ubd_devs[n]);
}

void ubd_close_all(void)
{
	int n;

	for (n = 0; n < UBD_MAX_DEV; n++) {
		struct ubd *u = &ubd_devs[n];

		if (u->fd < 0)
			continue;
		if (!u->readonly)
			ubd_user_flush(u->fd);
		ubd_user_close(u->fd);
		u->fd = -1;
	}
}

/*
 * /proc/partitions as Linux block/genhd.c show_partition(): a header, a
 * blank line, then "%4d  %7d %10llu %s" per disk (size in 1 KiB blocks).
 * Returns the length written (at most len - 1; buf stays NUL-terminated).
 */
size_t ubd_partitions(char *buf, size_t len)
{
	size_t pos = 0;
	int n, w;

	if (!len)
		return 0;
	buf[0] = '\0';
	w = snprintf(buf, len, "major minor  #blocks  name\n\n");
	pos = min((size_t)max(w, 0), len - 1);
	for (n = 0; n < UBD_MAX_DEV; n++) {
		struct ubd *u = &ubd_devs[n];

		if (!u->configured || u->fd < 0)
			continue;
		w = snprintf(buf + pos, len - pos, "%4d  %7d %10llu ubd%c\n",
			     UBD_MAJOR, n << UBD_SHIFT,
			     (unsigned long long)(u->size >> 10), 'a' + n);
		pos = min(pos + (size_t)max(w, 0), len - 1);
	}
	return pos;
}

/* --- the block device file: /dev/ubdX --- */

/* The device behind an open block device file, or NULL. */
static struct ubd *file_ubd(struct file *file)
{
	struct ubd *u = file->private_data;

	if (!u && file->f_inode)
		u = ubd_get_by_dev(file->f_inode->i_rdev);
	return u && u->fd >= 0 ? u : NULL;
}

/* Open: -ENXIO for a device not configured, -EROFS to write a ro one. */
static int ubd_blk_open(struct inode *inode, struct file *file)
{
	struct ubd *u = ubd_get_by_dev(inode->i_rdev);

	if (!u || u->fd < 0)
		return -ENXIO;
	if ((file->f_mode & FMODE_WRITE) && u->readonly)
		return -EROFS;
	file->private_data = u;
	return 0;
}

/* read(2) at *pos bytes into the device; 0 at or past the end. */
static ssize_t ubd_blk_read(struct file *file, char *buf, size_t len,
			    loff_t *pos)
{
	struct ubd *u = file_ubd(file);
	size_t n;
	int err;

	if (!u)
		return -ENXIO;
	if (*pos < 0)
		return -EINVAL;
	if ((uint64_t)*pos >= u->size)
		return 0;
	n = min(len, (size_t)min(u->size - *pos, (uint64_t)SSIZE_MAX));
	err = ubd_read(u, buf, *pos, n);
	if (err)
		return err;
	*pos += n;
	return n;
}

/*
 * write(2) at *pos; a write that starts at or past the end is -ENOSPC, one
 * that crosses it is short (Linux blkdev_write_iter). -EPERM on a
 * read-only device, as Linux.
 */
static ssize_t ubd_blk_write(struct file *file, const char *buf, size_t len,
			     loff_t *pos)
{
	struct ubd *u = file_ubd(file);
	size_t n;
	int err;

	if (!u)
		return -ENXIO;
	if (u->readonly)
		return -EPERM;
	if (*pos < 0)
		return -EINVAL;
	if (!len)
		return 0;
	if ((uint64_t)*pos >= u->size)
		return -ENOSPC;
	n = min(len, (size_t)min(u->size - *pos, (uint64_t)SSIZE_MAX));
	err = ubd_write(u, buf, *pos, n);
	if (err)
		return err;
	*pos += n;
	return n;
}

/*
 * lseek on a disk (Linux fixed_size_llseek): SEEK_END is relative to the
 * device size, positions outside [0, size] are -EINVAL; SEEK_DATA and
 * SEEK_HOLE see one extent of data. Sets and returns file->f_pos.
 */
static loff_t ubd_blk_llseek(struct file *file, loff_t off, int whence)
{
	struct ubd *u = file_ubd(file);
	loff_t size, npos;

	if (!u)
		return -ENXIO;
	size = u->size;
	switch (whence) {
	case SEEK_SET:
		npos = off;
		break;
	case SEEK_CUR:
		npos = file->f_pos + off;
		break;
	case SEEK_END:
		npos = size + off;
		break;
	case SEEK_DATA:
		if (off < 0 || off >= size)
			return -ENXIO;
		npos = off;
		break;
	case SEEK_HOLE:
		if (off < 0 || off >= size)
			return -ENXIO;
		npos = size;
		break;
	default:
		return -EINVAL;
	}
	if (npos < 0 || npos > size)
		return -EINVAL;
	file->f_pos = npos;
	return npos;
}

/*
 * Disk ioctls (Linux block/ioctl.c): BLKGETSIZE64 (u64 bytes), BLKGETSIZE
 * (unsigned long 512-byte sectors), BLKSSZGET
 * and BLKPBSZGET (sector size), BLKROGET (int), BLKFLSBUF (flush; root
 * only: -EACCES). arg is a guest address; -EFAULT if it is bad. Anything
 * else is -ENOTTY.
 */
static long ubd_blk_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	struct ubd *u = file_ubd(file);
	uint64_t size64;
	unsigned long sectors;
	int ival;
	unsigned int uval;

	if (!u)
		return -ENXIO;
	switch (cmd) {
	case BLKGETSIZE64:
		size64 = u->size;
		return copy_to_user(UPTR(arg), &size64, sizeof(size64));
	case BLKGETSIZE:
		sectors = u->size / UBD_SECTOR_SIZE;
		return copy_to_user(UPTR(arg), &sectors, sizeof(sectors));
	case BLKSSZGET:
		ival = UBD_SECTOR_SIZE;
		return copy_to_user(UPTR(arg), &ival, sizeof(ival));
	case BLKPBSZGET:
		uval = UBD_SECTOR_SIZE;
		return copy_to_user(UPTR(arg), &uval, sizeof(uval));
	case BLKROGET:
		ival = u->readonly;
		return copy_to_user(UPTR(arg), &ival, sizeof(ival));
	case BLKFLSBUF:
		if (current && current->cred && !capable(current->cred))
			return -EACCES;
		return ubd_flush(u);
	default:
		return -ENOTTY;
	}
}

static int ubd_blk_fsync(struct file *file, int datasync)
{
	struct ubd *u = file_ubd(file);

	return u ? ubd_flush(u) : -ENXIO;
}

static const struct file_operations ubd_blk_fops = {
	.open = ubd_blk_open,
	.read = ubd_blk_read,
	.write = ubd_blk_write,
	.llseek = ubd_blk_llseek,
	.ioctl = ubd_blk_ioctl,
	.fsync = ubd_blk_fsync,
};

int ubd_init(void)
{
	return register_blkdev(UBD_MAJOR, "ubd", &ubd_blk_fops);
}
