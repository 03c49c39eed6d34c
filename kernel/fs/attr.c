/*
 * Attribute changes: chmod, chown, truncate, utimensat and their variants.
 * Each syscall resolves its target, checks who may change what (owner or
 * root, Linux setattr_prepare rules), then calls notify_change, which hands
 * the change to the filesystem's setattr. Model: Linux fs/attr.c, fs/open.c
 * (chmod/chown/truncate) and fs/utimes.c.
 */
#include <umk/fs.h>
#include <umk/resource.h>
#include <umk/filemap.h>
#include <umk/syscalls.h>
#include <umk/uaccess.h>
#include <sys/time.h>
#include <umk/fsnotify.h>
#include <umk/xattr.h>
#include "internal.h"

int notify_change(struct dentry *dentry, struct iattr *attr)
{
	struct inode *inode = dentry->d_inode;

	if (!inode->i_op || !inode->i_op->setattr)
		return -EPERM;
	int err;

	attr->ia_valid |= ATTR_CTIME;
	attr->ia_ctime = current_time();
	err = inode->i_op->setattr(inode, attr);
	if (!err && (attr->ia_valid & ATTR_SIZE))
		filemap_resize(inode, attr->ia_size);	/* a mapped file */
	if (!err)
		fsnotify_change(dentry, attr->ia_valid);
	return err;
}

/* mode without the set-id bits a change of owner or data drops: setuid,
 * and setgid when group-executable (Linux should_remove_suid). */
static mode_t kill_suid(mode_t mode)
{
	mode &= ~S_ISUID;
	if ((mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP))
		mode &= ~S_ISGID;
	return mode;
}

int do_truncate(struct dentry *dentry, loff_t length)
{
	struct inode *inode = dentry->d_inode;
	struct iattr attr = { .ia_valid = ATTR_SIZE, .ia_size = length };
	rlim_t limit = rlimit(RLIMIT_FSIZE);

	/* Growing past RLIMIT_FSIZE: SIGXFSZ and EFBIG (inode_newsize_ok). */
	if (length > inode->i_size && limit != RLIM_INFINITY &&
	    (rlim_t)length > limit) {
		send_sig_info(SIGXFSZ, NULL, current, false);
		return -EFBIG;
	}

	if (length != inode->i_size) {
		attr.ia_valid |= ATTR_MTIME;
		attr.ia_mtime = current_time();
	}
	if (!fs_capable() && kill_suid(inode->i_mode) != inode->i_mode) {
		attr.ia_valid |= ATTR_MODE;
		attr.ia_mode = kill_suid(inode->i_mode);
	}
	return notify_change(dentry, &attr);
}

/* Resolve a guest path name; "" is allowed with LOOKUP_EMPTY. */
static int user_path_at(int dfd, struct uptr filename, unsigned int flags,
			struct path *path)
{
	char *name = (flags & LOOKUP_EMPTY) ? getname_empty(filename) :
					      getname(filename);
	int err;

	if (IS_ERR(name))
		return PTR_ERR(name);
	err = kern_path_at(dfd, name, flags, path);
	kfree(name);
	return err;
}

/* --- chmod --- */

static int chmod_common(const struct path *path, mode_t mode)
{
	struct inode *inode = path->dentry->d_inode;
	struct iattr attr = { .ia_valid = ATTR_MODE };
	int err;

	err = mnt_want_write(path->mnt);
	if (err)
		return err;
	if (!inode_owner_or_capable(inode))
		return -EPERM;
	attr.ia_mode = (mode & S_IALLUGO) | (inode->i_mode & S_IFMT);
	if (!fs_capable() && !in_group_p(current->cred, inode->i_gid))
		attr.ia_mode &= ~S_ISGID;
	err = notify_change(path->dentry, &attr);
	if (!err)
		err = posix_acl_chmod(inode);
	return err;
}

SYSCALL_DEFINE3(fchmodat, int, dfd, struct uptr, filename, mode_t, mode)
{
	struct path path;
	long err;

	err = user_path_at(dfd, filename, LOOKUP_FOLLOW, &path);
	if (err)
		return err;
	err = chmod_common(&path, mode);
	path_put(&path);
	return err;
}

SYSCALL_DEFINE2(chmod, struct uptr, filename, mode_t, mode)
{
	return sys_fchmodat(AT_FDCWD, filename, mode);
}

SYSCALL_DEFINE2(fchmod, unsigned int, fd, mode_t, mode)
{
	struct file *f = fget_no_path(fd);
	long err;

	if (!f)
		return -EBADF;
	err = chmod_common(&f->f_path, mode);
	fput(f);
	return err;
}

/* --- chown --- */

/*
 * Change owner and/or group ((uid_t)-1 / (gid_t)-1: unchanged). Only root
 * changes the owner; the owner may set the group to one of its groups. A
 * non-directory loses setuid (and group-executable setgid), as Linux.
 */
static int chown_common(const struct path *path, uid_t user,
			gid_t group)
{
	struct inode *inode = path->dentry->d_inode;
	const struct cred *cred = current->cred;
	struct iattr attr = { .ia_valid = 0 };
	int err;

	err = mnt_want_write(path->mnt);
	if (err)
		return err;
	if (user != (uid_t)-1) {
		if (!fs_capable() &&
		    (cred->fsuid != inode->i_uid || user != inode->i_uid))
			return -EPERM;
		attr.ia_valid |= ATTR_UID;
		attr.ia_uid = user;
	}
	if (group != (gid_t)-1) {
		if (!fs_capable() &&
		    (cred->fsuid != inode->i_uid ||
		     (group != inode->i_gid && !in_group_p(cred, group))))
			return -EPERM;
		attr.ia_valid |= ATTR_GID;
		attr.ia_gid = group;
	}
	if (!S_ISDIR(inode->i_mode) &&
	    kill_suid(inode->i_mode) != inode->i_mode) {
		attr.ia_valid |= ATTR_MODE;
		attr.ia_mode = kill_suid(inode->i_mode);
	}
	return notify_change(path->dentry, &attr);
}

SYSCALL_DEFINE5(fchownat, int, dfd, struct uptr, filename, uid_t, user, gid_t, group, int, flag)
{
	unsigned int lf = LOOKUP_FOLLOW;
	struct path path;
	long err;

	if (flag & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (flag & AT_SYMLINK_NOFOLLOW)
		lf = 0;
	if (flag & AT_EMPTY_PATH)
		lf |= LOOKUP_EMPTY;
	err = user_path_at(dfd, filename, lf, &path);
	if (err)
		return err;
	err = chown_common(&path, user, group);
	path_put(&path);
	return err;
}

SYSCALL_DEFINE3(chown, struct uptr, filename, uid_t, user, gid_t, group)
{
	return sys_fchownat(AT_FDCWD, filename, user, group, 0);
}

SYSCALL_DEFINE3(lchown, struct uptr, filename, uid_t, user, gid_t, group)
{
	return sys_fchownat(AT_FDCWD, filename, user, group,
			    AT_SYMLINK_NOFOLLOW);
}

SYSCALL_DEFINE3(fchown, unsigned int, fd, uid_t, user, gid_t, group)
{
	struct file *f = fget_no_path(fd);
	long err;

	if (!f)
		return -EBADF;
	err = chown_common(&f->f_path, user, group);
	fput(f);
	return err;
}

/* --- truncate --- */

SYSCALL_DEFINE2(truncate, struct uptr, pathname, long, length)
{
	struct path path;
	struct inode *inode;
	long err;

	if (length < 0)
		return -EINVAL;
	err = user_path_at(AT_FDCWD, pathname, LOOKUP_FOLLOW, &path);
	if (err)
		return err;
	inode = path.dentry->d_inode;
	if (S_ISDIR(inode->i_mode))
		err = -EISDIR;
	else if (!S_ISREG(inode->i_mode))
		err = -EINVAL;
	else
		err = mnt_want_write(path.mnt);
	if (!err)
		err = inode_permission(inode, MAY_WRITE);
	if (!err)
		err = do_truncate(path.dentry, length);
	path_put(&path);
	return err;
}

SYSCALL_DEFINE2(ftruncate, unsigned int, fd, long, length)
{
	struct file *f;
	long err;

	if (length < 0)
		return -EINVAL;
	f = fget_no_path(fd);
	if (!f)
		return -EBADF;
	if (!S_ISREG(f->f_inode->i_mode) || !(f->f_mode & FMODE_WRITE))
		err = -EINVAL;
	else
		err = do_truncate(f->f_path.dentry, length);
	fput(f);
	return err;
}

/* --- utimes --- */

static bool nsec_valid(long nsec)
{
	return nsec == UTIME_OMIT || nsec == UTIME_NOW ||
	       (nsec >= 0 && nsec <= 999999999);
}

/*
 * Set the times of inode: times NULL means both now; UTIME_NOW and
 * UTIME_OMIT per entry. Explicit times need the owner or root; "now" also
 * accepts write permission (Linux utimes_common / setattr_prepare).
 */
static int utimes_common(const struct path *path,
			 const struct timespec *times)
{
	struct inode *inode = path->dentry->d_inode;
	struct timespec now = current_time();
	struct iattr attr = { .ia_valid = ATTR_ATIME | ATTR_MTIME,
			      .ia_atime = now, .ia_mtime = now };
	bool explicit = false;
	int err;

	err = mnt_want_write(path->mnt);
	if (err)
		return err;
	if (times) {
		if (times[0].tv_nsec == UTIME_OMIT) {
			attr.ia_valid &= ~ATTR_ATIME;
		} else if (times[0].tv_nsec != UTIME_NOW) {
			attr.ia_atime = times[0];
			explicit = true;
		}
		if (times[1].tv_nsec == UTIME_OMIT) {
			attr.ia_valid &= ~ATTR_MTIME;
		} else if (times[1].tv_nsec != UTIME_NOW) {
			attr.ia_mtime = times[1];
			explicit = true;
		}
	}
	if (!inode_owner_or_capable(inode)) {
		if (explicit)
			return -EPERM;
		err = inode_permission(inode, MAY_WRITE);
		if (err)
			return err;
	}
	return notify_change(path->dentry, &attr);
}

static long do_utimes(int dfd, struct uptr filename,
		      const struct timespec *times, int flags)
{
	unsigned int lf = LOOKUP_FOLLOW;
	struct path path;
	struct file *f;
	long err;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (times && (!nsec_valid(times[0].tv_nsec) ||
		      !nsec_valid(times[1].tv_nsec)))
		return -EINVAL;
	if (times && times[0].tv_nsec == UTIME_OMIT &&
	    times[1].tv_nsec == UTIME_OMIT)
		return 0;

	if (uptr_null(filename) && dfd != AT_FDCWD) {
		if (flags & AT_SYMLINK_NOFOLLOW)
			return -EINVAL;
		f = fget_no_path(dfd);
		if (!f)
			return -EBADF;
		err = utimes_common(&f->f_path, times);
		fput(f);
		return err;
	}
	if (flags & AT_SYMLINK_NOFOLLOW)
		lf = 0;
	if (flags & AT_EMPTY_PATH)
		lf |= LOOKUP_EMPTY;
	err = user_path_at(dfd, filename, lf, &path);
	if (err)
		return err;
	err = utimes_common(&path, times);
	path_put(&path);
	return err;
}

SYSCALL_DEFINE4(utimensat, int, dfd, struct uptr, filename, struct uptr, utimes, int, flags)
{
	struct timespec times[2];

	if (uptr_null(utimes))
		return do_utimes(dfd, filename, NULL, flags);
	if (copy_from_user(times, utimes, sizeof(times)))
		return -EFAULT;
	return do_utimes(dfd, filename, times, flags);
}

SYSCALL_DEFINE2(utimes, struct uptr, filename, struct uptr, utimes)
{
	struct timeval tv[2];
	struct timespec times[2];

	if (uptr_null(utimes))
		return do_utimes(AT_FDCWD, filename, NULL, 0);
	if (copy_from_user(tv, utimes, sizeof(tv)))
		return -EFAULT;
	for (int i = 0; i < 2; i++) {
		if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000)
			return -EINVAL;
		times[i].tv_sec = tv[i].tv_sec;
		times[i].tv_nsec = tv[i].tv_usec * 1000;
	}
	return do_utimes(AT_FDCWD, filename, times, 0);
}
