/*
 * ioctl(2): the generic commands every descriptor understands (close-on-
 * exec, non-blocking and async flags, sizes of regular files), then the
 * file's own f_op->ioctl, else -ENOTTY. Model: Linux fs/ioctl.c.
 */
#include <umk/fs.h>
#include <umk/syscalls.h>
#include <umk/uaccess.h>
#include <umk/fasync.h>
#include <limits.h>
#include <sys/ioctl.h>
#include "internal.h"

#ifndef FIOQSIZE
#define FIOQSIZE	0x5460
#endif
#define FIGETBSZ	2	/* _IO(0x00, 2), linux/fs.h */

/* FIONBIO / FIOASYNC: set or clear flag from the guest int at arg. */
static long ioctl_setflag(struct file *f, struct uptr arg, unsigned int flag)
{
	int on;

	if (copy_from_user(&on, arg, sizeof(on)))
		return -EFAULT;
	if (on)
		f->f_flags |= flag;
	else
		f->f_flags &= ~flag;
	return 0;
}

static long put_int(struct uptr arg, int v)
{
	return copy_to_user(arg, &v, sizeof(v)) ? -EFAULT : 0;
}

static long do_vfs_ioctl(struct file *f, unsigned int fd, unsigned int cmd,
			 unsigned long arg)
{
	struct inode *inode = f->f_inode;
	struct fdtable_entry *e;
	loff_t size;

	switch (cmd) {
	case FIOCLEX:
	case FIONCLEX:
		e = fd_entry(fd);
		if (e)
			e->cloexec = cmd == FIOCLEX;
		return 0;
	case FIONBIO:
		return ioctl_setflag(f, UPTR(arg), O_NONBLOCK);
	case FIOASYNC: {
		int on;

		if (copy_from_user(&on, UPTR(arg), sizeof(on)))
			return -EFAULT;
		return file_set_async(f, fd, on != 0);
	}
	case FIOQSIZE:
		if (!S_ISDIR(inode->i_mode) && !S_ISREG(inode->i_mode) &&
		    !S_ISLNK(inode->i_mode))
			return -ENOTTY;
		size = inode->i_size;
		if (copy_to_user(UPTR(arg), &size, sizeof(size)))
			return -EFAULT;
		return 0;
	case FIGETBSZ:
		if (!inode->i_sb)
			return -EINVAL;
		return put_int(UPTR(arg), inode->i_sb->s_blocksize);
	}
	if (S_ISREG(inode->i_mode) && cmd == FIONREAD) {
		size = inode->i_size - f->f_pos;
		size = size < 0 ? 0 : min(size, (loff_t)INT_MAX);
		return put_int(UPTR(arg), size);
	}
	if (f->f_op && f->f_op->ioctl)
		return f->f_op->ioctl(f, cmd, arg);
	return -ENOTTY;
}

SYSCALL_DEFINE3(ioctl, unsigned int, fd, unsigned int, cmd, unsigned long, arg)
{
	struct file *f = fget_no_path(fd);
	long ret;

	if (!f)
		return -EBADF;
	ret = do_vfs_ioctl(f, fd, cmd, arg);
	fput(f);
	return ret;
}
