/*
 * Extended attribute syscalls: {,l,f}{set,get,list,remove}xattr. The VFS
 * part: copy the name and value in (ERANGE for an empty or too long name,
 * E2BIG past XATTR_SIZE_MAX), resolve the namespace against what the
 * filesystem holds (EOPNOTSUPP, EINVAL for a bare prefix), check who may
 * touch it (trusted.* is root's, user.* only on files and directories,
 * the sticky-directory rule), and hand POSIX ACL names to posix_acl.c.
 * Filesystems store the blobs (inode_operations getxattr/setxattr/
 * listxattr). Model: Linux fs/xattr.c, xattr(7).
 */
#include <umk/fs.h>
#include <umk/xattr.h>
#include <umk/syscalls.h>
#include <umk/uaccess.h>
#include <string.h>
#include "internal.h"

static const struct {
	const char *prefix;
	unsigned int ns;
} xattr_prefixes[] = {
	{ "user.", XATTR_NS_USER },
	{ "trusted.", XATTR_NS_TRUSTED },
	{ "security.", XATTR_NS_SECURITY },
};

static bool has_prefix(const char *name, const char *prefix)
{
	return !strncmp(name, prefix, strlen(prefix));
}

static bool is_posix_acl_name(const char *name)
{
	return !strcmp(name, XATTR_NAME_ACL_ACCESS) ||
	       !strcmp(name, XATTR_NAME_ACL_DEFAULT);
}

/*
 * The namespace of name on inode (Linux xattr_resolve_name): its
 * XATTR_NS_* bit, -EOPNOTSUPP when inode holds no xattrs or not that
 * namespace, -EINVAL for a prefix with nothing after it.
 */
static int xattr_resolve(struct inode *inode, const char *name)
{
	unsigned int held = inode->i_sb ? inode->i_sb->s_xattr : 0;

	if (!inode->i_op || !inode->i_op->getxattr)
		return -EOPNOTSUPP;
	if (is_posix_acl_name(name))
		return (held & XATTR_NS_POSIX_ACL) ? XATTR_NS_POSIX_ACL :
						     -EOPNOTSUPP;
	for (size_t i = 0; i < ARRAY_SIZE(xattr_prefixes); i++) {
		if (!has_prefix(name, xattr_prefixes[i].prefix) ||
		    !(held & xattr_prefixes[i].ns))
			continue;
		if (!name[strlen(xattr_prefixes[i].prefix)])
			return -EINVAL;
		return xattr_prefixes[i].ns;
	}
	return -EOPNOTSUPP;
}

/* Linux cap_inode_setxattr/cap_inode_removexattr: changing security.*
 * takes CAP_SYS_ADMIN. */
static int security_xattr_change(const char *name)
{
	if (has_prefix(name, "security.") && !capable(current->cred))
		return -EPERM;
	return 0;
}

/* Linux xattr_permission: who may read (MAY_READ) or change (MAY_WRITE)
 * the attribute name of inode. 0 or -errno. */
static int xattr_permission(struct inode *inode, const char *name, int mask)
{
	bool write = mask & MAY_WRITE;

	if (has_prefix(name, "security.") || has_prefix(name, "system."))
		return 0;
	if (has_prefix(name, "trusted.")) {
		if (!capable(current->cred))
			return write ? -EPERM : -ENODATA;
		return 0;
	}
	if (has_prefix(name, "user.")) {
		if (!S_ISREG(inode->i_mode) && !S_ISDIR(inode->i_mode))
			return write ? -EPERM : -ENODATA;
		if (S_ISDIR(inode->i_mode) && (inode->i_mode & S_ISVTX) &&
		    write && !inode_owner_or_capable(inode))
			return -EPERM;
	}
	return inode_permission(inode, mask);
}

ssize_t vfs_getxattr_raw(struct inode *inode, const char *name, void *value,
			 size_t size)
{
	if (!inode->i_op || !inode->i_op->getxattr)
		return -EOPNOTSUPP;
	return inode->i_op->getxattr(inode, name, value, size);
}

int vfs_setxattr_raw(struct inode *inode, const char *name, const void *value,
		     size_t size, int flags)
{
	if (!inode->i_op || !inode->i_op->setxattr)
		return -EOPNOTSUPP;
	return inode->i_op->setxattr(inode, name, value, size, flags);
}

/* --- the ACL names: parsed, checked and stored through posix_acl.c --- */

/*
 * Get an ACL name: the canonical xattr form of the stored ACL (ids of the
 * non-named entries as ACL_UNDEFINED_ID, whatever the filesystem keeps).
 * -ENODATA without one.
 */
static ssize_t get_acl_xattr(struct inode *inode, const char *name,
			     void *value, size_t size)
{
	struct posix_acl *acl;
	ssize_t len;
	char *raw;

	len = vfs_getxattr_raw(inode, name, NULL, 0);
	if (len < 0)
		return len;
	if (len > XATTR_SIZE_MAX)
		return -E2BIG;
	raw = kmalloc(len ? len : 1);
	if (!raw)
		return -ENOMEM;
	len = vfs_getxattr_raw(inode, name, raw, len);
	if (len >= 0)
		len = posix_acl_from_xattr(raw, len, &acl);
	kfree(raw);
	if (len < 0)
		return len == -EINVAL || len == -EOPNOTSUPP ? -EIO : len;
	if (!acl)
		return -ENODATA;
	len = posix_acl_to_xattr(acl, NULL);
	if (size && (size_t)len > size)
		len = -ERANGE;
	else if (size)
		posix_acl_to_xattr(acl, value);
	kfree(acl);
	return len;
}

/*
 * Set (value != NULL) or remove an ACL name, as Linux do_set_acl and
 * set_posix_acl: owner or root only; a default ACL only on directories
 * (-EACCES, removing one elsewhere is a no-op); an access ACL that says no
 * more than the mode bits is not stored, and the mode follows the ACL.
 */
static int set_acl_xattr(struct dentry *dentry, const char *name,
			 const void *value, size_t size)
{
	struct inode *inode = dentry->d_inode;
	bool access = !strcmp(name, XATTR_NAME_ACL_ACCESS);
	struct posix_acl *acl = NULL;
	int err;

	if (value) {
		err = posix_acl_from_xattr(value, size, &acl);
		if (err)
			return err;
	}
	err = xattr_resolve(inode, name);
	if (err < 0)
		goto out;
	if (!access && !S_ISDIR(inode->i_mode)) {
		err = acl ? -EACCES : 0;
		goto out;
	}
	if (!inode_owner_or_capable(inode)) {
		err = -EPERM;
		goto out;
	}
	err = posix_acl_set(dentry, access, acl);
out:
	kfree(acl);
	return err;
}

/* --- the common paths --- */

static ssize_t do_getxattr(struct inode *inode, const char *name,
			   struct uptr uvalue, size_t size)
{
	void *kvalue = NULL;
	ssize_t err;

	err = xattr_permission(inode, name, MAY_READ);
	if (err)
		return err;
	err = xattr_resolve(inode, name);
	if (err < 0)
		return err;
	if (size > XATTR_SIZE_MAX)
		size = XATTR_SIZE_MAX;
	if (size) {
		kvalue = kmalloc(size);
		if (!kvalue)
			return -ENOMEM;
	}
	if (is_posix_acl_name(name))
		err = get_acl_xattr(inode, name, kvalue, size);
	else
		err = vfs_getxattr_raw(inode, name, kvalue, size);
	if (err > 0 && size && copy_to_user(uvalue, kvalue, err))
		err = -EFAULT;
	else if (err == -ERANGE && size >= XATTR_SIZE_MAX)
		err = -E2BIG;
	kfree(kvalue);
	return err;
}

static int do_setxattr(const struct path *path, const char *name,
		       const void *kvalue, size_t size, int flags)
{
	struct inode *inode = path->dentry->d_inode;
	int err = mnt_want_write(path->mnt);

	if (err)
		return err;
	if (is_posix_acl_name(name))
		return set_acl_xattr(path->dentry, name, size ? kvalue : NULL,
				     size);
	err = xattr_permission(inode, name, MAY_WRITE);
	if (!err)
		err = security_xattr_change(name);
	if (err)
		return err;
	err = xattr_resolve(inode, name);
	if (err < 0)
		return err;
	return vfs_setxattr_raw(inode, name, kvalue ? kvalue : "", size,
				flags);
}

static int do_removexattr(const struct path *path, const char *name)
{
	struct inode *inode = path->dentry->d_inode;
	int err = mnt_want_write(path->mnt);

	if (err)
		return err;
	if (is_posix_acl_name(name))
		return set_acl_xattr(path->dentry, name, NULL, 0);
	err = xattr_permission(inode, name, MAY_WRITE);
	if (!err)
		err = security_xattr_change(name);
	if (err)
		return err;
	err = xattr_resolve(inode, name);
	if (err < 0)
		return err;
	return vfs_setxattr_raw(inode, name, NULL, 0, XATTR_REPLACE);
}

/*
 * The names of inode's attributes the caller may see: trusted.* only for
 * root (Linux's trusted handler list()), into klist (size bytes, 0: only
 * the length). -ERANGE when they do not fit, -E2BIG past XATTR_LIST_MAX.
 */
static ssize_t do_listxattr(struct inode *inode, char *klist, size_t size)
{
	char *all;
	ssize_t len, out = 0;

	if (!inode->i_op || !inode->i_op->listxattr)
		return 0;
	all = kmalloc(XATTR_LIST_MAX);
	if (!all)
		return -ENOMEM;
	len = inode->i_op->listxattr(inode, all, XATTR_LIST_MAX);
	if (len == -ERANGE)
		len = -E2BIG;
	for (ssize_t off = 0; len > 0 && off < len;) {
		size_t n = strnlen(all + off, len - off) + 1;

		if (!has_prefix(all + off, "trusted.") ||
		    capable(current->cred)) {
			if (size && (size_t)out + n > size) {
				out = -ERANGE;
				break;
			}
			if (size)
				memcpy(klist + out, all + off, n);
			out += n;
		}
		off += n;
	}
	kfree(all);
	return len < 0 ? len : out;
}

static ssize_t listxattr_common(struct inode *inode, struct uptr ulist,
				size_t size)
{
	char *klist = NULL;
	ssize_t err;

	if (size > XATTR_LIST_MAX)
		size = XATTR_LIST_MAX;
	if (size) {
		klist = kmalloc(size);
		if (!klist)
			return -ENOMEM;
	}
	err = do_listxattr(inode, klist, size);
	if (err > 0 && size && copy_to_user(ulist, klist, err))
		err = -EFAULT;
	kfree(klist);
	return err;
}

/* Linux import_xattr_name: -ERANGE for "" or a name past 255 bytes. */
static int import_xattr_name(char *kname, struct uptr uname)
{
	long n = strncpy_from_user(kname, uname, XATTR_NAME_MAX + 1);

	if (n == 0 || n == -ENAMETOOLONG)
		return -ERANGE;
	return n < 0 ? n : 0;
}

/* Copy in the arguments of a set: flags, name, value (kfree *kvalue). */
static int setxattr_copy(struct uptr uname, struct uptr uvalue, size_t size,
			 int flags, char *kname, void **kvalue)
{
	int err;

	*kvalue = NULL;
	if (flags & ~(XATTR_CREATE | XATTR_REPLACE))
		return -EINVAL;
	err = import_xattr_name(kname, uname);
	if (err)
		return err;
	if (!size)
		return 0;
	if (size > XATTR_SIZE_MAX)
		return -E2BIG;
	*kvalue = kmalloc(size);
	if (!*kvalue)
		return -ENOMEM;
	if (copy_from_user(*kvalue, uvalue, size)) {
		kfree(*kvalue);
		*kvalue = NULL;
		return -EFAULT;
	}
	return 0;
}

static int xattr_path(struct uptr pathname, bool follow, struct path *path)
{
	char *name = getname(pathname);
	int err;

	if (IS_ERR(name))
		return PTR_ERR(name);
	err = kern_path_at(AT_FDCWD, name, follow ? LOOKUP_FOLLOW : 0, path);
	kfree(name);
	return err;
}

/* --- set --- */

static long path_setxattr(struct uptr pathname, struct uptr uname,
			  struct uptr uvalue, size_t size, int flags,
			  bool follow)
{
	char kname[XATTR_NAME_MAX + 1];
	struct path path;
	void *kvalue;
	long err;

	err = setxattr_copy(uname, uvalue, size, flags, kname, &kvalue);
	if (err)
		return err;
	err = xattr_path(pathname, follow, &path);
	if (!err) {
		err = do_setxattr(&path, kname, kvalue, size, flags);
		path_put(&path);
	}
	kfree(kvalue);
	return err;
}

SYSCALL_DEFINE5(setxattr, struct uptr, pathname, struct uptr, name, struct uptr, value, size_t, size, int, flags)
{
	return path_setxattr(pathname, name, value, size, flags, true);
}

SYSCALL_DEFINE5(lsetxattr, struct uptr, pathname, struct uptr, name, struct uptr, value, size_t, size, int, flags)
{
	return path_setxattr(pathname, name, value, size, flags, false);
}

SYSCALL_DEFINE5(fsetxattr, int, fd, struct uptr, name, struct uptr, value, size_t, size, int, flags)
{
	char kname[XATTR_NAME_MAX + 1];
	struct file *f = fget_no_path(fd);
	void *kvalue;
	long err;

	if (!f)
		return -EBADF;
	err = setxattr_copy(name, value, size, flags, kname, &kvalue);
	if (!err)
		err = do_setxattr(&f->f_path, kname, kvalue, size, flags);
	kfree(kvalue);
	fput(f);
	return err;
}

/* --- get --- */

static long path_getxattr(struct uptr pathname, struct uptr uname,
			  struct uptr value, size_t size, bool follow)
{
	char kname[XATTR_NAME_MAX + 1];
	struct path path;
	long err;

	err = import_xattr_name(kname, uname);
	if (err)
		return err;
	err = xattr_path(pathname, follow, &path);
	if (err)
		return err;
	err = do_getxattr(path.dentry->d_inode, kname, value, size);
	path_put(&path);
	return err;
}

SYSCALL_DEFINE4(getxattr, struct uptr, pathname, struct uptr, name, struct uptr, value, size_t, size)
{
	return path_getxattr(pathname, name, value, size, true);
}

SYSCALL_DEFINE4(lgetxattr, struct uptr, pathname, struct uptr, name, struct uptr, value, size_t, size)
{
	return path_getxattr(pathname, name, value, size, false);
}

SYSCALL_DEFINE4(fgetxattr, int, fd, struct uptr, name, struct uptr, value, size_t, size)
{
	char kname[XATTR_NAME_MAX + 1];
	struct file *f = fget_no_path(fd);
	long err;

	if (!f)
		return -EBADF;
	err = import_xattr_name(kname, name);
	if (!err)
		err = do_getxattr(f->f_inode, kname, value, size);
	fput(f);
	return err;
}

/* --- list --- */

static long path_listxattr(struct uptr pathname, struct uptr list,
			   size_t size, bool follow)
{
	struct path path;
	long err = xattr_path(pathname, follow, &path);

	if (err)
		return err;
	err = listxattr_common(path.dentry->d_inode, list, size);
	path_put(&path);
	return err;
}

SYSCALL_DEFINE3(listxattr, struct uptr, pathname, struct uptr, list, size_t, size)
{
	return path_listxattr(pathname, list, size, true);
}

SYSCALL_DEFINE3(llistxattr, struct uptr, pathname, struct uptr, list, size_t, size)
{
	return path_listxattr(pathname, list, size, false);
}

SYSCALL_DEFINE3(flistxattr, int, fd, struct uptr, list, size_t, size)
{
	struct file *f = fget_no_path(fd);
	long err;

	if (!f)
		return -EBADF;
	err = listxattr_common(f->f_inode, list, size);
	fput(f);
	return err;
}

/* --- remove --- */

static long path_removexattr(struct uptr pathname, struct uptr uname,
			     bool follow)
{
	char kname[XATTR_NAME_MAX + 1];
	struct path path;
	long err;

	err = import_xattr_name(kname, uname);
	if (err)
		return err;
	err = xattr_path(pathname, follow, &path);
	if (err)
		return err;
	err = do_removexattr(&path, kname);
	path_put(&path);
	return err;
}

SYSCALL_DEFINE2(removexattr, struct uptr, pathname, struct uptr, name)
{
	return path_removexattr(pathname, name, true);
}

SYSCALL_DEFINE2(lremovexattr, struct uptr, pathname, struct uptr, name)
{
	return path_removexattr(pathname, name, false);
}

SYSCALL_DEFINE2(fremovexattr, int, fd, struct uptr, name)
{
	char kname[XATTR_NAME_MAX + 1];
	struct file *f = fget_no_path(fd);
	long err;

	if (!f)
		return -EBADF;
	err = import_xattr_name(kname, name);
	if (!err)
		err = do_removexattr(&f->f_path, kname);
	fput(f);
	return err;
}
