/*
 * Writing data back: sync, syncfs, fsync, fdatasync, and fadvise64 (whose
 * advice is validated and then ignored, as Linux may). Model: Linux
 * fs/sync.c and mm/fadvise.c.
 */
#include <umk/fs.h>
#include <umk/filemap.h>
#include <umk/syscalls.h>
#include <umk/ubd.h>
#include <sys/sysmacros.h>
#include "internal.h"

static void sync_one_sb(struct super_block *sb, void *arg)
{
	if (!sb_rdonly(sb) && sb->s_op && sb->s_op->sync_fs)
		sb->s_op->sync_fs(sb, 1);
}

/* Every filesystem's dirty state to its device, then every device to the
 * host file (sync(2), shutdown). */
void ksys_sync(void)
{
	filemap_writeback_all();
	iterate_supers(sync_one_sb, NULL);
	ubd_sync_all();
}

SYSCALL_DEFINE0(sync)
{
	ksys_sync();
	return 0;
}

SYSCALL_DEFINE1(syncfs, int, fd)
{
	struct file *f = fget_no_path(fd);
	struct super_block *sb;
	int err = 0;

	if (!f)
		return -EBADF;
	sb = f->f_inode->i_sb;
	if (sb && !sb_rdonly(sb) && sb->s_op && sb->s_op->sync_fs)
		err = sb->s_op->sync_fs(sb, 1);
	if (!err && sb && sb->s_type &&
	    (sb->s_type->fs_flags & FS_REQUIRES_DEV)) {
		struct ubd *u = ubd_get_by_dev(sb->s_dev);

		if (u)
			err = ubd_flush(u);
	}
	fput(f);
	return err;
}

/* fsync/fdatasync: the file's fsync method; -EINVAL for files that have
 * none (pipes, most devices), as Linux. */
static long do_fsync(unsigned int fd, int datasync)
{
	struct file *f = fget_no_path(fd);
	long err;

	if (!f)
		return -EBADF;
	filemap_writeback(f->f_inode);	/* stores through shared mappings */
	if (f->f_op && f->f_op->fsync)
		err = f->f_op->fsync(f, datasync);
	else
		err = -EINVAL;
	fput(f);
	return err;
}

SYSCALL_DEFINE1(fsync, unsigned int, fd)
{
	return do_fsync(fd, 0);
}

SYSCALL_DEFINE1(fdatasync, unsigned int, fd)
{
	return do_fsync(fd, 1);
}

SYSCALL_DEFINE4(fadvise64, int, fd, loff_t, offset, size_t, len, int, advice)
{
	struct file *f = fget_no_path(fd);
	long err = 0;

	if (!f)
		return -EBADF;
	if (S_ISFIFO(f->f_inode->i_mode))
		err = -ESPIPE;
	else if ((long)len < 0 || advice < POSIX_FADV_NORMAL ||
		 advice > POSIX_FADV_NOREUSE)
		err = -EINVAL;
	fput(f);
	return err;
}
