/*
 * statfs(2) and fstatfs(2): the filesystem's statistics from
 * s_op->statfs, in the x86-64 struct statfs of <sys/vfs.h>, with f_flags
 * from the mount and superblock flags. Model: Linux fs/statfs.c.
 */
#include <umk/fs.h>
#include <umk/syscalls.h>
#include <umk/uaccess.h>
#include <string.h>
#include <sys/vfs.h>
#include <sys/statvfs.h>
#include "internal.h"

#define ST_VALID	0x0020	/* f_flags is filled in (Linux) */
#define PIPEFS_MAGIC	0x50495045

static long statfs_flags(const struct vfsmount *mnt,
			 const struct super_block *sb)
{
	long flags = ST_VALID;

	if (sb_rdonly(sb) || (mnt && (mnt->mnt_flags & MNT_READONLY)))
		flags |= ST_RDONLY;
	if (mnt && (mnt->mnt_flags & MNT_NOSUID))
		flags |= ST_NOSUID;
	if (mnt && (mnt->mnt_flags & MNT_NODEV))
		flags |= ST_NODEV;
	if (mnt && (mnt->mnt_flags & MNT_NOEXEC))
		flags |= ST_NOEXEC;
	if (sb && (sb->s_flags & MS_SYNCHRONOUS))
		flags |= ST_SYNCHRONOUS;
	if (sb && (sb->s_flags & MS_NOATIME))
		flags |= ST_NOATIME;
	return flags;
}

/* Statistics of the filesystem holding inode, mounted at mnt. Internal
 * superblocks (no s_type: pipes) answer as Linux simple_statfs; -ENOSYS
 * if a mounted filesystem has no statfs. */
static int vfs_statfs(const struct vfsmount *mnt, struct inode *inode,
		      struct statfs *st)
{
	struct super_block *sb = inode->i_sb;
	struct kstatfs k = { 0 };
	int err;

	memset(st, 0, sizeof(*st));
	if (!sb || !sb->s_type) {
		st->f_type = PIPEFS_MAGIC;
		if (sb && sb->s_magic)
			st->f_type = sb->s_magic;
		st->f_bsize = st->f_frsize = PAGE_SIZE;
		st->f_namelen = NAME_MAX_VFS;
		st->f_flags = ST_VALID;
		return 0;
	}
	if (!sb->s_op || !sb->s_op->statfs)
		return -ENOSYS;
	err = sb->s_op->statfs(sb, &k);
	if (err)
		return err;
	st->f_type = k.f_type ? k.f_type : (long)sb->s_magic;
	st->f_bsize = k.f_bsize ? k.f_bsize : (long)sb->s_blocksize;
	st->f_blocks = k.f_blocks;
	st->f_bfree = k.f_bfree;
	st->f_bavail = k.f_bavail;
	st->f_files = k.f_files;
	st->f_ffree = k.f_ffree;
	memcpy(&st->f_fsid, &k.f_fsid, sizeof(st->f_fsid));
	st->f_namelen = k.f_namelen ? k.f_namelen : NAME_MAX_VFS;
	st->f_frsize = k.f_frsize ? k.f_frsize : st->f_bsize;
	st->f_flags = statfs_flags(mnt, sb);
	return 0;
}

static long statfs_to_user(int err, const struct statfs *st, struct uptr buf)
{
	if (err)
		return err;
	return copy_to_user(buf, st, sizeof(*st)) ? -EFAULT : 0;
}

SYSCALL_DEFINE2(statfs, struct uptr, pathname, struct uptr, buf)
{
	struct statfs st;
	struct path path;
	char *name;
	int err;

	name = getname(pathname);
	if (IS_ERR(name))
		return PTR_ERR(name);
	err = kern_path_at(AT_FDCWD, name, LOOKUP_FOLLOW, &path);
	kfree(name);
	if (err)
		return err;
	err = vfs_statfs(path.mnt, path.dentry->d_inode, &st);
	path_put(&path);
	return statfs_to_user(err, &st, buf);
}

SYSCALL_DEFINE2(fstatfs, unsigned int, fd, struct uptr, buf)
{
	struct file *f = fget(fd);
	struct statfs st;
	int err;

	if (!f)
		return -EBADF;
	err = vfs_statfs(f->f_path.mnt, f->f_inode, &st);
	fput(f);
	return statfs_to_user(err, &st, buf);
}
