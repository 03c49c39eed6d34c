/*
 * ubd, kernel side: the devices ubd0..ubd15 (/dev/ubda..ubdp, major 98),
 * their command line set-up (UML's ubd<N><flags>=file[,backing][,serial]),
 * opening and closing them, the block device file operations the guest
 * sees and /proc/partitions. The block cache and the request path are in
 * ubd_cache.c; host file work is in ubd_user.c and cow_user.c.
 * Semantics: UML arch/um/drivers/ubd_kern.c (ubd_setup_common), Linux
 * block/ioctl.c and block/fops.c.
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
#include "ubd_kern.h"
#include "ubd_user.h"

#ifndef BLKPBSZGET
#define BLKPBSZGET _IO(0x12, 123)	/* linux/fs.h, not in sys/mount.h */
#endif
#ifndef BLKDISCARD
#define BLKDISCARD _IO(0x12, 119)
#endif
#ifndef BLKIOMIN
#define BLKIOMIN _IO(0x12, 120)
#define BLKIOOPT _IO(0x12, 121)
#define BLKALIGNOFF _IO(0x12, 122)
#endif
#ifndef BLKDISCARDZEROES
#define BLKDISCARDZEROES _IO(0x12, 124)
#endif

static struct ubd ubd_devs[UBD_MAX_DEV];

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

/* The next part of "file,backing,serial" (UML: strsep on ",:"); an empty
 * part is NULL. *rest moves past it. */
static char *next_part(char **rest)
{
	char *part = *rest, *sep;

	if (!part)
		return NULL;
	sep = strpbrk(part, ",:");
	if (sep) {
		*sep = '\0';
		*rest = sep + 1;
	} else {
		*rest = NULL;
	}
	return *part ? part : NULL;
}

/*
 * ubdN=file[,backing][,serial] with flags already decoded (UML
 * ubd_setup_common): record only.
 */
int ubd_setup(int n, const char *value, unsigned int flags, char *err,
	      size_t errlen)
{
	char *copy, *rest, *file, *backing, *serial;
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
	copy = rest = kstrdup(value ? value : "");
	if (!copy) {
		set_err(err, errlen, "ubd%d: out of memory", n);
		return -ENOMEM;
	}
	file = next_part(&rest);
	backing = next_part(&rest);
	serial = next_part(&rest);
	if (!file) {
		set_err(err, errlen, "ubd%d: missing file name", n);
		goto out_inval;
	}
	if (rest) {
		set_err(err, errlen, "ubd%d: too many parts in '%s' (file, "
			"backing file, serial)", n, value);
		goto out_inval;
	}
	if (backing && (flags & UBD_FLAG_NOCOW)) {
		set_err(err, errlen, "ubd%d: can't give both the d flag and a "
			"COW file", n);
		goto out_inval;
	}
	u->file = kstrdup(file);
	u->backing = backing ? kstrdup(backing) : NULL;
	u->serial = serial ? kstrdup(serial) : NULL;
	kfree(copy);
	if (!u->file || (backing && !u->backing) || (serial && !u->serial)) {
		set_err(err, errlen, "ubd%d: out of memory", n);
		return -ENOMEM;
	}
	u->index = n;
	u->flags = flags;
	u->readonly = flags & UBD_FLAG_RO;
	INIT_LIST_HEAD(&u->dirty);
	u->drop_after = -1;
	u->configured = true;
	return 0;

out_inval:
	kfree(copy);
	return -EINVAL;
}

/* The device number of "ubd<N>": digits (UML's simple_strtoul) or a
 * letter; -1 if there is neither, UBD_MAX_DEV and up if out of range. */
static int parse_unit(const char **p)
{
	const char *s = *p;
	long n = 0;

	if (*s >= '0' && *s <= '9') {
		while (*s >= '0' && *s <= '9' && n < 1000)
			n = n * 10 + (*s++ - '0');
	} else if (*s >= 'a' && *s <= 'z') {
		n = *s++ - 'a';
	} else {
		return -1;
	}
	*p = s;
	return n;
}

int ubd_parse_option(const char *arg, char *err, size_t errlen)
{
	const char *p = arg + 3, *eq = strchr(arg, '=');
	unsigned int flags = 0;
	int n;

	if (strncmp(arg, "ubd", 3) || !eq) {
		set_err(err, errlen, "'%s' is not ubd<N>=FILE", arg);
		return -EINVAL;
	}
	n = parse_unit(&p);
	if (n < 0 || p > eq) {
		set_err(err, errlen, "bad device number in '%s' (ubd0..ubd%d or "
			"ubda..ubd%c)", arg, UBD_MAX_DEV - 1,
			'a' + UBD_MAX_DEV - 1);
		return -EINVAL;
	}
	if (n >= UBD_MAX_DEV) {
		set_err(err, errlen, "device number out of range in '%s' "
			"(ubd0..ubd%d or ubda..ubd%c)", arg, UBD_MAX_DEV - 1,
			'a' + UBD_MAX_DEV - 1);
		return -EINVAL;
	}
	for (; p < eq; p++) {
		const char *letters = "rsdct", *f = strchr(letters, *p);

		if (!*p || !f) {
			set_err(err, errlen, "unknown ubd flag '%c' in '%s' "
				"(flags: r s d c t)", *p, arg);
			return -EINVAL;
		}
		flags |= 1u << (f - letters);
	}
	if (!eq[1]) {
		set_err(err, errlen, "no file given in '%s'", arg);
		return -EINVAL;
	}
	return ubd_setup(n, eq + 1, flags, err, errlen);
}

/* Open device u's host files (ubd_user_open); log a COW overlay. */
static int ubd_open_dev(struct ubd *u)
{
	struct ubd_host_info info;
	int err;

	err = ubd_user_open(u->index, u->file, u->backing, u->flags, &u->host,
			    &info);
	if (err < 0)
		return err;
	u->size = info.size;
	u->readonly = info.readonly;
	u->cow = info.cow;
	if (info.created)
		printk(KERN_INFO "Creating \"%s\" as COW file for \"%s\"\n",
		       u->file, info.backing);
	if (info.cow)
		printk(KERN_INFO "ubd%c: %s, COW over %s\n", 'a' + u->index,
		       u->file, info.backing);
	return 0;
}

int ubd_open_all(void)
{
	int n, err;

	err = ubd_cache_setup();
	if (err)
		return err;
	for (n = 0; n < UBD_MAX_DEV; n++) {
		struct ubd *u = &ubd_devs[n];

		if (!u->configured || u->host)
			continue;
		err = ubd_open_dev(u);
		if (err < 0) {
			ubd_close_all();
			return err;
		}
	}
	return 0;
}

/* Forget device u's configuration (after a failed hot-add or a remove). */
static void ubd_unconfigure(struct ubd *u)
{
	kfree(u->file);
	kfree(u->backing);
	kfree(u->serial);
	u->file = u->backing = u->serial = NULL;
	u->configured = false;
	u->size = 0;
	u->cow = false;
}

int ubd_hotplug_add(const char *option, char *err, size_t errlen)
{
	struct ubd *u;
	int n, ret;

	ret = ubd_parse_option(option, err, errlen);
	if (ret)
		return ret;
	for (n = 0; n < UBD_MAX_DEV; n++)
		if (ubd_devs[n].configured && !ubd_devs[n].host)
			break;
	if (n == UBD_MAX_DEV)
		return 0;
	u = &ubd_devs[n];
	ret = ubd_open_dev(u);
	if (ret) {
		set_err(err, errlen, "ubd%d: cannot open %s: %s", n, u->file,
			strerror(-ret));
		ubd_unconfigure(u);
		return ret;
	}
	printk(KERN_INFO "ubd%c: %llu sectors, added from %s\n", 'a' + n,
	       (unsigned long long)(u->size >> 9), u->file);
	return n;
}

int ubd_hotplug_remove(int n, char *err, size_t errlen)
{
	struct ubd *u = ubd_get(n);

	if (!u || !u->host) {
		set_err(err, errlen, "Device doesn't exist");
		return -ENODEV;
	}
	if (u->open_count > 0) {
		set_err(err, errlen, "Device is currently open");
		return -EBUSY;
	}
	ubd_cache_release(u);
	ubd_user_close(u->host);
	u->host = NULL;
	ubd_unconfigure(u);
	printk(KERN_INFO "ubd%c: removed\n", 'a' + n);
	return 0;
}

size_t ubd_get_config(int n, char *buf, size_t len)
{
	struct ubd *u = ubd_get(n);
	int w;

	if (!len)
		return 0;
	if (!u) {
		buf[0] = '\0';
		return 0;
	}
	w = snprintf(buf, len, "%s%s%s", u->file, u->backing ? "," : "",
		     u->backing ? u->backing : "");
	return min((size_t)max(w, 0), len - 1);
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

void ubd_close_all(void)
{
	int n;

	for (n = 0; n < UBD_MAX_DEV; n++) {
		struct ubd *u = &ubd_devs[n];

		if (!u->host)
			continue;
		ubd_cache_release(u);
		ubd_user_close(u->host);
		u->host = NULL;
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

		if (!u->configured || !u->host)
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
	return u && u->host ? u : NULL;
}

/* Open: -ENXIO for a device not configured, -EROFS to write a ro one. */
static int ubd_blk_open(struct inode *inode, struct file *file)
{
	struct ubd *u = ubd_get_by_dev(inode->i_rdev);

	if (!u || !u->host)
		return -ENXIO;
	if ((file->f_mode & FMODE_WRITE) && u->readonly)
		return -EROFS;
	file->private_data = u;
	u->open_count++;
	return 0;
}

static int ubd_blk_release(struct inode *inode, struct file *file)
{
	struct ubd *u = file->private_data;

	if (u && u->open_count > 0)
		u->open_count--;
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

/* BLKDISCARD: a u64 pair (start, length) in bytes (Linux blk_ioctl_discard). */
static long blk_discard(struct file *file, struct ubd *u, unsigned long arg)
{
	uint64_t range[2];
	int err;

	if (!(file->f_mode & FMODE_WRITE))
		return -EBADF;
	if (u->readonly)
		return -EPERM;
	err = copy_from_user(range, UPTR(arg), sizeof(range));
	if (err)
		return err;
	return ubd_discard(u, range[0], range[1]);
}

/*
 * Disk ioctls (Linux block/ioctl.c): BLKGETSIZE64 (u64 bytes), BLKGETSIZE
 * (unsigned long 512-byte sectors), BLKSSZGET and BLKPBSZGET (sector
 * size), BLKIOMIN/BLKIOOPT (page size), BLKALIGNOFF (0), BLKROGET (int),
 * BLKFLSBUF (write back and drop the cached blocks; root only: -EACCES),
 * BLKDISCARD, BLKDISCARDZEROES (0). arg is a guest address; -EFAULT if it
 * is bad. Anything else is -ENOTTY.
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
	case BLKIOMIN:
	case BLKIOOPT:
		uval = PAGE_SIZE;
		return copy_to_user(UPTR(arg), &uval, sizeof(uval));
	case BLKALIGNOFF:
	case BLKDISCARDZEROES:
		ival = 0;
		return copy_to_user(UPTR(arg), &ival, sizeof(ival));
	case BLKROGET:
		ival = u->readonly;
		return copy_to_user(UPTR(arg), &ival, sizeof(ival));
	case BLKFLSBUF:
		if (current && current->cred && !capable(current->cred))
			return -EACCES;
		return ubd_cache_invalidate(u);
	case BLKDISCARD:
		return blk_discard(file, u, arg);
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
	.release = ubd_blk_release,
	.read = ubd_blk_read,
	.write = ubd_blk_write,
	.llseek = ubd_blk_llseek,
	.ioctl = ubd_blk_ioctl,
	.fsync = ubd_blk_fsync,
};

/* Register major 98 and let tasks sleep on their block I/O from now on. */
int ubd_init(void)
{
	int err = ubd_cache_init();

	if (err)
		return err;
	return register_blkdev(UBD_MAJOR, "ubd", &ubd_blk_fops);
}
