/*
 * The character and block device registries. Drivers register the f_op of
 * a major number at boot; open() of a device node finds it here by the
 * node's i_rdev (init_special_inode_open), and /proc/devices lists them.
 * Model: Linux fs/char_dev.c, block/genhd.c and init_special_inode() in
 * fs/inode.c.
 */
#include <umk/fs.h>
#include <sys/sysmacros.h>
#include <stdarg.h>
#include <stdio.h>

#define MAX_MAJOR		512	/* CHRDEV_MAJOR_MAX, BLKDEV_MAJOR_MAX */
#define DYN_MAJOR_FIRST		254	/* dynamic majors are handed out */
#define DYN_MAJOR_LAST		234	/* downwards from 254 to 234 */

struct device_major {
	const char *name;			/* NULL: free */
	const struct file_operations *fops;
};

/* Written at boot by the drivers, read by every device open. */
static struct device_major chrdevs[MAX_MAJOR];
static struct device_major blkdevs[MAX_MAJOR];

/*
 * Claim major in table for name/fops. major 0 asks for a free dynamic major
 * (254 down to 234), as Linux's register_chrdev(0, ...). Returns 0 for a
 * given major, the major chosen for 0, -EINVAL (out of range, no name or no
 * fops) or -EBUSY (taken, or no dynamic major left).
 */
static int register_major(struct device_major *table, unsigned int major,
			  const char *name, const struct file_operations *fops)
{
	unsigned int m;

	if (major >= MAX_MAJOR || !name || !fops)
		return -EINVAL;
	if (major == 0) {
		for (m = DYN_MAJOR_FIRST; m >= DYN_MAJOR_LAST; m--) {
			if (!table[m].name) {
				table[m].name = name;
				table[m].fops = fops;
				return m;
			}
		}
		return -EBUSY;
	}
	if (table[major].name)
		return -EBUSY;
	table[major].name = name;
	table[major].fops = fops;
	return 0;
}

int register_chrdev(unsigned int major, const char *name,
		    const struct file_operations *fops)
{
	return register_major(chrdevs, major, name, fops);
}

int register_blkdev(unsigned int major, const char *name,
		    const struct file_operations *fops)
{
	return register_major(blkdevs, major, name, fops);
}

static const struct file_operations *lookup_major(struct device_major *table,
						  dev_t dev)
{
	unsigned int m = major(dev);

	return m < MAX_MAJOR ? table[m].fops : NULL;
}

const struct file_operations *get_chrdev_fops(dev_t dev)
{
	return lookup_major(chrdevs, dev);
}

const struct file_operations *get_blkdev_fops(dev_t dev)
{
	return lookup_major(blkdevs, dev);
}

/* snprintf at buf + *pos, never past len; *pos stops at len - 1. */
static void append(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*pos + 1 >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *pos, len - *pos, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	*pos = min(*pos + (size_t)n, len - 1);
}

/*
 * /proc/devices (Linux fs/proc/devices.c): "Character devices:\n" then
 * "%3d %s\n" per major, a blank line, "Block devices:\n" and the same.
 * The text is NUL-terminated when len > 0 and truncated to len - 1 bytes;
 * returns its length.
 */
size_t list_devices(char *buf, size_t len)
{
	size_t pos = 0;
	unsigned int m;

	if (len == 0)
		return 0;
	buf[0] = '\0';
	append(buf, len, &pos, "Character devices:\n");
	for (m = 0; m < MAX_MAJOR; m++)
		if (chrdevs[m].name)
			append(buf, len, &pos, "%3u %s\n", m, chrdevs[m].name);
	append(buf, len, &pos, "\nBlock devices:\n");
	for (m = 0; m < MAX_MAJOR; m++)
		if (blkdevs[m].name)
			append(buf, len, &pos, "%3u %s\n", m, blkdevs[m].name);
	return pos;
}

/*
 * Open of a device, FIFO or socket inode (the VFS calls it when the inode
 * has no i_fop of its own): file->f_op becomes the driver's f_op for the
 * node's major number; FIFOs get fifo_fops. The driver's open is not
 * called here: do_dentry_open calls f_op->open right after, exactly once.
 * Returns 0, -ENXIO (no driver for the number, or a socket node: those are
 * reached through connect(2), not open) or -EACCES (device node on a nodev
 * mount). Semantics: init_special_inode(), chrdev_open() and may_open() in
 * Linux.
 */
int init_special_inode_open(struct inode *inode, struct file *file)
{
	const struct file_operations *fop;
	mode_t mode = inode->i_mode;

	if (S_ISCHR(mode) || S_ISBLK(mode)) {
		if (file->f_path.mnt && (file->f_path.mnt->mnt_flags & MNT_NODEV))
			return -EACCES;
		fop = S_ISCHR(mode) ? get_chrdev_fops(inode->i_rdev)
				    : get_blkdev_fops(inode->i_rdev);
	} else if (S_ISFIFO(mode)) {
		fop = &fifo_fops;
	} else {
		return -ENXIO;
	}
	if (!fop)
		return -ENXIO;
	file->f_op = fop;
	return 0;
}
