/*
 * The memory character devices of major 1: /dev/null (minor 3), zero (5),
 * full (7), random (8) and urandom (9). One f_op is registered for the major;
 * its open picks the minor's own f_op. Randomness comes from the host
 * (os_getrandom). Reads of zero, full, random and urandom fill the whole
 * count; /dev/zero maps as anonymous memory, shared or private.
 * /dev/mem, kmem, port and kmsg are not provided (-ENXIO).
 * Semantics: Linux drivers/char/mem.c and drivers/char/random.c.
 */
#include <umk/fs.h>
#include <umk/init.h>
#include <umk/uaccess.h>
#include <umk/filemap.h>
#include <umk/ipc.h>
#include <stub.h>
#include <os.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/random.h>
#include <sys/sysmacros.h>
#include <string.h>

#define MEM_MAJOR 1
#define RANDOM_CHUNK (1UL << 20)	/* bytes per os_getrandom call */

static ssize_t read_null(struct file *file, char *buf, size_t len, loff_t *pos)
{
	return 0;
}

static ssize_t write_null(struct file *file, const char *buf, size_t len,
			  loff_t *pos)
{
	return len;
}

/* null, zero and full: every seek lands at 0 (Linux null_lseek). */
static loff_t null_lseek(struct file *file, loff_t off, int whence)
{
	file->f_pos = 0;
	return 0;
}

/* random, urandom: seeking succeeds and changes nothing (noop_llseek). */
static loff_t noop_llseek(struct file *file, loff_t off, int whence)
{
	return file->f_pos;
}

static ssize_t read_zero(struct file *file, char *buf, size_t len, loff_t *pos)
{
	memset(buf, 0, len);
	return len;
}

/*
 * mmap of /dev/zero (Linux mmap_zero): a shared mapping is shared
 * anonymous memory (shared with the children a fork makes), a private one
 * private anonymous memory. -EACCES as do_mmap for a file not open for
 * reading, or not for writing under a shared writable mapping.
 */
static long mmap_zero(struct file *file, unsigned long addr, unsigned long len,
		      unsigned long prot, unsigned long flags,
		      unsigned long off)
{
	unsigned long type = flags & MAP_TYPE;
	bool shared = type == MAP_SHARED || type == MAP_SHARED_VALIDATE;

	if (!(file->f_mode & FMODE_READ))
		return -EACCES;
	if (shared && (prot & PROT_WRITE) && !(file->f_mode & FMODE_WRITE))
		return -EACCES;
	if (flags & MAP_FIXED) {
		filemap_unmap(current->mm, addr, addr + len);
		shm_mm_unmap(current->mm, addr, addr + len);
	}
	flags = (flags & ~MAP_TYPE) | MAP_ANONYMOUS |
		(shared ? MAP_SHARED : MAP_PRIVATE);
	return host_syscall(current, SYS_mmap, addr, len, prot, flags, -1, 0);
}

static ssize_t write_full(struct file *file, const char *buf, size_t len,
			  loff_t *pos)
{
	return -ENOSPC;
}

/* len random bytes from the host; on a host error after some bytes, the
 * count so far, as a short read. */
static ssize_t read_random(struct file *file, char *buf, size_t len,
			   loff_t *pos)
{
	size_t done = 0;
	int err;

	while (done < len) {
		size_t n = min(len - done, RANDOM_CHUNK);

		err = os_getrandom(buf + done, n);
		if (err)
			return done ? (ssize_t)done : err;
		done += n;
	}
	return done;
}

/*
 * The RND* ioctls of random(4): RNDGETENTCNT answers a full pool (256 bits,
 * the entropy count Linux 5.18+ reports once the CRNG is seeded); the calls
 * that feed or clear the pool need root and change nothing, since the host
 * keeps the pool. Others are -EINVAL, as Linux random_ioctl().
 */
static long random_ioctl(struct file *file, unsigned int cmd,
			 unsigned long arg)
{
	int count = 256;

	switch (cmd) {
	case RNDGETENTCNT:
		return copy_to_user(UPTR(arg), &count, sizeof(count));
	case RNDADDTOENTCNT:
	case RNDADDENTROPY:
	case RNDZAPENTCNT:
	case RNDCLEARPOOL:
	case RNDRESEEDCRNG:
		if (!current || !capable(current->cred))
			return -EPERM;
		return 0;
	default:
		return -EINVAL;
	}
}

static const struct file_operations null_fops = {
	.read = read_null,
	.write = write_null,
	.llseek = null_lseek,
};

static const struct file_operations zero_fops = {
	.read = read_zero,
	.write = write_null,
	.llseek = null_lseek,
	.mmap = mmap_zero,
	.fop_flags = FOP_FULL_READ,
};

static const struct file_operations full_fops = {
	.read = read_zero,
	.write = write_full,
	.llseek = null_lseek,
	.fop_flags = FOP_FULL_READ,
};

static const struct file_operations random_fops = {
	.read = read_random,
	.write = write_null,
	.llseek = noop_llseek,
	.ioctl = random_ioctl,
	.fop_flags = FOP_FULL_READ,
};

/* Minor number -> f_op, as Linux's devlist[]. */
static const struct file_operations *const memdev_fops[] = {
	[3] = &null_fops,
	[5] = &zero_fops,
	[7] = &full_fops,
	[8] = &random_fops,
	[9] = &random_fops,
};

/* Open of any (1, minor) node: switch to the minor's f_op (Linux
 * memory_open). -ENXIO for a minor umk does not provide. */
static int memory_open(struct inode *inode, struct file *file)
{
	unsigned int m = minor(inode->i_rdev);
	const struct file_operations *fop;

	if (m >= ARRAY_SIZE(memdev_fops) || !memdev_fops[m])
		return -ENXIO;
	fop = memdev_fops[m];
	file->f_op = fop;
	return fop->open ? fop->open(inode, file) : 0;
}

static const struct file_operations memory_fops = {
	.open = memory_open,
};

/* Register major 1 "mem". The console's majors 4 and 5 are registered by
 * the tty driver. 0 or -errno. */
int init_chrdevs(void)
{
	int err = register_chrdev(MEM_MAJOR, "mem", &memory_fops);

	if (err < 0)
		printk(KERN_ERR "mem: cannot register major %d: %d\n",
		       MEM_MAJOR, err);
	return err < 0 ? err : 0;
}
