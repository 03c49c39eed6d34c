/*
 * File status: stat, fstat, lstat, newfstatat, statx, readlink and
 * readlinkat. Attributes come straight from the in-core inode
 * (generic_fillattr); the x86-64 struct stat of glibc is the kernel's.
 * Model: Linux fs/stat.c.
 */
#include <umk/fs.h>
#include <umk/syscalls.h>
#include <umk/uaccess.h>
#include <string.h>
#include <sys/sysmacros.h>
#include "internal.h"

#ifndef STATX__RESERVED
#define STATX__RESERVED 0x80000000U
#endif

static unsigned long inode_blksize(const struct inode *inode)
{
	if (inode->i_blkbits)
		return 1UL << inode->i_blkbits;
	if (inode->i_sb && inode->i_sb->s_blocksize)
		return inode->i_sb->s_blocksize;
	return PAGE_SIZE;
}

void generic_fillattr(struct inode *inode, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = inode->i_sb ? inode->i_sb->s_dev : 0;
	st->st_ino = inode->i_ino;
	st->st_mode = inode->i_mode;
	st->st_nlink = inode->i_nlink;
	st->st_uid = inode->i_uid;
	st->st_gid = inode->i_gid;
	st->st_rdev = inode->i_rdev;
	st->st_size = inode->i_size;
	st->st_blksize = inode_blksize(inode);
	st->st_blocks = inode->i_blocks;
	st->st_atim = inode->i_atime;
	st->st_mtim = inode->i_mtime;
	st->st_ctim = inode->i_ctime;
}

/*
 * stat of what dfd/name names (Linux vfs_fstatat): AT_SYMLINK_NOFOLLOW,
 * AT_EMPTY_PATH (an empty name is the file dfd itself, which may be a
 * pipe), AT_NO_AUTOMOUNT (ignored).
 */
static int vfs_fstatat(int dfd, struct uptr filename, int flags,
		       struct stat *st)
{
	unsigned int lf = LOOKUP_FOLLOW;
	struct path path;
	struct file *f;
	char *name;
	int err;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH))
		return -EINVAL;
	if (flags & AT_SYMLINK_NOFOLLOW)
		lf = 0;
	name = (flags & AT_EMPTY_PATH) ? getname_empty(filename) :
					 getname(filename);
	if (IS_ERR(name))
		return PTR_ERR(name);
	if (!*name && dfd != AT_FDCWD) {
		kfree(name);
		f = fget(dfd);
		if (!f)
			return -EBADF;
		generic_fillattr(f->f_inode, st);
		fput(f);
		return 0;
	}
	err = kern_path_at(dfd, name, lf | LOOKUP_EMPTY, &path);
	kfree(name);
	if (err)
		return err;
	generic_fillattr(path.dentry->d_inode, st);
	path_put(&path);
	return 0;
}

static long stat_to_user(int err, const struct stat *st, struct uptr buf)
{
	if (err)
		return err;
	if (copy_to_user(buf, st, sizeof(*st)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE4(newfstatat, int, dfd, struct uptr, filename, struct uptr, statbuf, int, flag)
{
	struct stat st;
	int err = vfs_fstatat(dfd, filename, flag, &st);

	return stat_to_user(err, &st, statbuf);
}

SYSCALL_DEFINE2(stat, struct uptr, filename, struct uptr, statbuf)
{
	return sys_newfstatat(AT_FDCWD, filename, statbuf, 0);
}

SYSCALL_DEFINE2(lstat, struct uptr, filename, struct uptr, statbuf)
{
	return sys_newfstatat(AT_FDCWD, filename, statbuf, AT_SYMLINK_NOFOLLOW);
}

SYSCALL_DEFINE2(fstat, unsigned int, fd, struct uptr, statbuf)
{
	struct file *f = fget(fd);
	struct stat st;

	if (!f)
		return -EBADF;
	generic_fillattr(f->f_inode, &st);
	fput(f);
	return stat_to_user(0, &st, statbuf);
}

static struct statx_timestamp statx_ts(struct timespec ts)
{
	return (struct statx_timestamp){ .tv_sec = ts.tv_sec,
					 .tv_nsec = ts.tv_nsec };
}

/* statx(2): the basic stats whatever mask asks (as Linux may); no birth
 * time; the sync flags are accepted (every attribute is in core). */
SYSCALL_DEFINE5(statx, int, dfd, struct uptr, filename, unsigned int, flags, unsigned int, mask, struct uptr, buffer)
{
	struct statx stx;
	struct stat st;
	int err;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH |
		      AT_STATX_SYNC_TYPE))
		return -EINVAL;
	if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE)
		return -EINVAL;
	if (mask & STATX__RESERVED)
		return -EINVAL;
	err = vfs_fstatat(dfd, filename, flags & ~AT_STATX_SYNC_TYPE, &st);
	if (err)
		return err;

	memset(&stx, 0, sizeof(stx));
	stx.stx_mask = STATX_BASIC_STATS;
	stx.stx_blksize = st.st_blksize;
	stx.stx_nlink = st.st_nlink;
	stx.stx_uid = st.st_uid;
	stx.stx_gid = st.st_gid;
	stx.stx_mode = st.st_mode;
	stx.stx_ino = st.st_ino;
	stx.stx_size = st.st_size;
	stx.stx_blocks = st.st_blocks;
	stx.stx_atime = statx_ts(st.st_atim);
	stx.stx_ctime = statx_ts(st.st_ctim);
	stx.stx_mtime = statx_ts(st.st_mtim);
	stx.stx_rdev_major = major(st.st_rdev);
	stx.stx_rdev_minor = minor(st.st_rdev);
	stx.stx_dev_major = major(st.st_dev);
	stx.stx_dev_minor = minor(st.st_dev);
	if (copy_to_user(buffer, &stx, sizeof(stx)))
		return -EFAULT;
	return 0;
}

/*
 * The text of the symlink inode into buf (at most size bytes, no NUL):
 * its readlink method, or for a magic link without one the d_path of the
 * path it stands for. Returns the length, or -EINVAL if not a symlink.
 */
static long vfs_readlink(struct inode *inode, char *buf, size_t size)
{
	struct path target;
	char *tmp;
	long len;

	if (!S_ISLNK(inode->i_mode) || !inode->i_op)
		return -EINVAL;
	if (inode->i_op->readlink)
		return inode->i_op->readlink(inode, buf, size);
	if (!inode->i_op->get_link_path)
		return -EINVAL;
	len = inode->i_op->get_link_path(inode, &target);
	if (len)
		return len;
	tmp = kmalloc(PAGE_SIZE);
	len = tmp ? d_path(&target, &current->fs->root, tmp, PAGE_SIZE) :
		    -ENOMEM;
	path_put(&target);
	if (len >= 0) {
		len = min((size_t)len, size);
		memcpy(buf, tmp, len);
	}
	kfree(tmp);
	return len;
}

SYSCALL_DEFINE4(readlinkat, int, dfd, struct uptr, pathname, struct uptr, buf, int, bufsiz)
{
	size_t size = min((size_t)bufsiz, PAGE_SIZE);
	struct path path;
	char *name, *kbuf;
	long len;

	if (bufsiz <= 0)
		return -EINVAL;
	name = getname_empty(pathname);
	if (IS_ERR(name))
		return PTR_ERR(name);
	len = kern_path_at(dfd, name, LOOKUP_EMPTY, &path);
	if (len) {
		kfree(name);
		return len;
	}
	kbuf = kmalloc(size);
	if (!kbuf)
		len = -ENOMEM;
	else if (!*name && !S_ISLNK(path.dentry->d_inode->i_mode))
		len = -ENOENT;
	else
		len = vfs_readlink(path.dentry->d_inode, kbuf, size);
	path_put(&path);
	kfree(name);
	if (len > 0 && copy_to_user(buf, kbuf, len))
		len = -EFAULT;
	kfree(kbuf);
	return len;
}

SYSCALL_DEFINE3(readlink, struct uptr, pathname, struct uptr, buf, int, bufsiz)
{
	return sys_readlinkat(AT_FDCWD, pathname, buf, bufsiz);
}
