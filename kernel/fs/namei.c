/*
 * Path name lookup and the syscalls that change names: the path walk
 * (components, ".", "..", mount crossings, symlinks and magic links, search
 * permission), permission checks, and mkdir, mknod, rmdir, unlink, rename,
 * link, symlink. Model: Linux fs/namei.c.
 *
 * A walk holds references on its current path and on the task's root; it
 * never goes above that root with "..". Name changes run under lock_dir()
 * from the lookup of the last component to the dcache update.
 */
#include <umk/fs.h>
#include <umk/syscalls.h>
#include <umk/uaccess.h>
#include <string.h>
#include <stdio.h>
#include <umk/fsnotify.h>
#include <umk/xattr.h>
#include "internal.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE	(1 << 0)
#define RENAME_EXCHANGE		(1 << 1)
#define RENAME_WHITEOUT		(1 << 2)
#endif

/* The state of one path walk. */
struct nameidata {
	struct path path;	/* where the walk is now; referenced */
	struct path root;	/* the task's root; referenced */
	int total_links;	/* symlinks followed so far */
};

static struct mutex dir_mutex = {
	.owner = NULL,
	.wait = WAIT_QUEUE_HEAD_INIT(dir_mutex.wait),
};

void lock_dir(void)
{
	if (current)
		mutex_lock(&dir_mutex);
}

void unlock_dir(void)
{
	if (current)
		mutex_unlock(&dir_mutex);
}

/* --- permissions --- */

bool fs_capable(void)
{
	return !current || current->cred->fsuid == 0;
}

bool inode_owner_or_capable(const struct inode *inode)
{
	return fs_capable() || current->cred->fsuid == inode->i_uid;
}

int inode_permission(struct inode *inode, int mask)
{
	const struct cred *cred;
	mode_t mode = inode->i_mode;

	mask &= MAY_READ | MAY_WRITE | MAY_EXEC;
	if ((mask & MAY_WRITE) && sb_rdonly(inode->i_sb) &&
	    (S_ISREG(mode) || S_ISDIR(mode) || S_ISLNK(mode)))
		return -EROFS;
	if (!current)
		return 0;
	cred = current->cred;
	if (cred->fsuid == inode->i_uid) {
		mode >>= 6;
	} else {
		int acl = (mode & S_IRWXG) ? check_acl(inode, mask) : -EAGAIN;

		if (acl == 0)
			return 0;
		if (acl == -EACCES)
			mode = 0;
		else if (in_group_p(cred, inode->i_gid))
			mode >>= 3;
	}
	if ((mask & ~mode & 7) == 0)
		return 0;
	if (cred->fsuid == 0 &&
	    (!(mask & MAY_EXEC) || S_ISDIR(inode->i_mode) ||
	     (inode->i_mode & 0111)))
		return 0;
	return -EACCES;
}

/* Sticky directory: only the owner of the file or of dir (or root) may
 * delete or rename. True when the caller is refused. */
static bool check_sticky(const struct inode *dir, const struct inode *inode)
{
	if (!(dir->i_mode & S_ISVTX) || fs_capable())
		return false;
	return current->cred->fsuid != inode->i_uid &&
	       current->cred->fsuid != dir->i_uid;
}

int may_delete(struct inode *dir, struct dentry *victim, bool isdir)
{
	struct inode *inode = victim->d_inode;
	int err;

	if (!inode)
		return -ENOENT;
	err = inode_permission(dir, MAY_WRITE | MAY_EXEC);
	if (err)
		return err;
	if (check_sticky(dir, inode))
		return -EPERM;
	if (isdir) {
		if (!S_ISDIR(inode->i_mode))
			return -ENOTDIR;
		if (d_is_root(victim))
			return -EBUSY;
	} else if (S_ISDIR(inode->i_mode)) {
		return -EISDIR;
	}
	if (d_unhashed(victim->d_parent))
		return -ENOENT;
	return 0;
}

int may_create(struct dentry *dir)
{
	if (d_unhashed(dir))
		return -ENOENT;
	return inode_permission(dir->d_inode, MAY_WRITE | MAY_EXEC);
}

/* --- the walk --- */

static void nd_put(struct nameidata *nd)
{
	path_put(&nd->path);
	path_put(&nd->root);
}

static void nd_set_path(struct nameidata *nd, const struct path *p)
{
	path_get(p);
	path_put(&nd->path);
	nd->path = *p;
}

/*
 * Start a walk of name: at the task's root for an absolute name, else at
 * the cwd (dfd AT_FDCWD) or at the file dfd, which must be a directory
 * unless name is empty.
 */
static int path_init(struct nameidata *nd, int dfd, const char *name)
{
	struct fs_struct *fs = current ? current->fs : NULL;
	struct file *f;
	int err = 0;

	memset(nd, 0, sizeof(*nd));
	if (!fs || !fs->root.mnt)
		return -ENOENT;
	nd->root = fs->root;
	path_get(&nd->root);
	if (*name == '/') {
		nd_set_path(nd, &nd->root);
		return 0;
	}
	if (dfd == AT_FDCWD) {
		nd_set_path(nd, &fs->pwd);
		return 0;
	}
	f = fget(dfd);
	if (!f) {
		err = -EBADF;
	} else {
		if (!f->f_path.dentry)
			err = *name ? -ENOTDIR : -ENOENT;
		else if (*name && !d_is_dir(f->f_path.dentry))
			err = -ENOTDIR;
		else
			nd_set_path(nd, &f->f_path);
		fput(f);
	}
	if (err)
		path_put(&nd->root);
	return err;
}

static int link_path_walk(struct nameidata *nd, const char *name,
			  const char *end, unsigned int flags);

/*
 * ".." from nd->path: up to the parent, out of mounted filesystems to
 * their mountpoints, never above nd->root (nor above a detached tree).
 */
static void follow_dotdot(struct nameidata *nd)
{
	for (;;) {
		struct vfsmount *mnt = nd->path.mnt;
		struct dentry *d = nd->path.dentry;
		struct path up;

		if (path_equal(&nd->path, &nd->root))
			return;
		if (d != mnt->mnt_root && !d_is_root(d)) {
			nd->path.dentry = dget(d->d_parent);
			dput(d);
			break;
		}
		if (mnt->mnt_parent == mnt)
			return;
		up.mnt = mnt->mnt_parent;
		up.dentry = mnt->mnt_mountpoint;
		nd_set_path(nd, &up);
	}
	follow_mount(&nd->path);
}

/* Read the text of the symlink inode into a new PATH_MAX buffer. */
static char *read_link_text(struct inode *inode)
{
	char *buf;
	long len;

	if (!inode->i_op || !inode->i_op->readlink)
		return ERR_PTR(-EINVAL);
	buf = kmalloc(PATH_MAX_VFS);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	len = inode->i_op->readlink(inode, buf, PATH_MAX_VFS - 1);
	if (len == 0)
		len = -ENOENT;
	if (len < 0) {
		kfree(buf);
		return ERR_PTR(len);
	}
	buf[len] = '\0';
	return buf;
}

/*
 * Follow the symlink at link (reference consumed) from nd->path, the
 * directory that holds it: a magic link jumps to the path it stands for,
 * a symlink's text is walked with its last component followed.
 */
static int follow_link(struct nameidata *nd, struct path *link)
{
	struct inode *inode = link->dentry->d_inode;
	struct path target;
	char *text;
	int err;

	if (++nd->total_links > MAXSYMLINKS) {
		path_put(link);
		return -ELOOP;
	}
	if (inode->i_op && inode->i_op->get_link_path) {
		err = inode->i_op->get_link_path(inode, &target);
		path_put(link);
		if (err)
			return err;
		path_put(&nd->path);
		nd->path = target;
		return 0;
	}
	text = read_link_text(inode);
	path_put(link);
	if (IS_ERR(text))
		return PTR_ERR(text);
	err = link_path_walk(nd, text, text + strlen(text), LOOKUP_FOLLOW);
	kfree(text);
	return err;
}

/*
 * One component (name, len) from the directory nd->path: needs search
 * permission there; moves nd->path to the result, into whatever is mounted
 * on it, and through it when it is a symlink and follow is set.
 */
static int walk_component(struct nameidata *nd, const char *name,
			  size_t len, bool follow)
{
	struct inode *dir = nd->path.dentry->d_inode;
	struct qstr q = { .name = name, .len = len };
	struct path next;
	struct dentry *d;
	int err;

	if (!dir || !S_ISDIR(dir->i_mode))
		return -ENOTDIR;
	err = inode_permission(dir, MAY_EXEC);
	if (err)
		return err;
	if (len > NAME_MAX_VFS)
		return -ENAMETOOLONG;
	if (qstr_is_dot(&q))
		return 0;
	if (qstr_is_dotdot(&q)) {
		follow_dotdot(nd);
		return 0;
	}
	d = lookup_one(nd->path.dentry, &q);
	if (IS_ERR(d))
		return PTR_ERR(d);
	if (!d->d_inode) {
		dput(d);
		return -ENOENT;
	}
	next.mnt = mntget(nd->path.mnt);
	next.dentry = d;
	follow_mount(&next);
	if (follow && S_ISLNK(next.dentry->d_inode->i_mode))
		return follow_link(nd, &next);
	path_put(&nd->path);
	nd->path = next;
	return 0;
}

/*
 * Walk every component of [name, end) from nd->path (from nd->root if name
 * starts with '/'). Symlinks are followed except a final one without
 * LOOKUP_FOLLOW; a trailing slash or LOOKUP_DIRECTORY requires a directory
 * at the end (and makes a final symlink followed).
 */
static int link_path_walk(struct nameidata *nd, const char *name,
			  const char *end, unsigned int flags)
{
	bool must_dir = flags & LOOKUP_DIRECTORY;
	int err;

	if (name < end && *name == '/')
		nd_set_path(nd, &nd->root);
	for (;;) {
		const char *comp, *comp_end;
		bool last, slash;

		while (name < end && *name == '/')
			name++;
		if (name == end)
			break;
		comp = name;
		while (name < end && *name != '/')
			name++;
		comp_end = name;
		slash = comp_end < end;
		while (name < end && *name == '/')
			name++;
		last = name == end;
		if (last && slash)
			must_dir = true;
		err = walk_component(nd, comp, comp_end - comp,
				     !last || slash || (flags & LOOKUP_FOLLOW));
		if (err)
			return err;
	}
	if (must_dir && !d_is_dir(nd->path.dentry))
		return -ENOTDIR;
	return 0;
}

int kern_path_at(int dfd, const char *name, unsigned int flags,
		 struct path *res)
{
	struct nameidata nd;
	int err;

	if (!*name && !(flags & LOOKUP_EMPTY))
		return -ENOENT;
	err = path_init(&nd, dfd, name);
	if (err)
		return err;
	err = link_path_walk(&nd, name, name + strlen(name), flags);
	if (!err) {
		*res = nd.path;
		memset(&nd.path, 0, sizeof(nd.path));
	}
	nd_put(&nd);
	return err;
}

/*
 * Walk nd to the directory that holds the last component of name, with
 * search permission on it. *last points into name: len 0 for "/", "." and
 * ".." as they are (the caller decides); *trailing tells whether slashes
 * followed it (they are not in last->len).
 */
static int walk_parent(struct nameidata *nd, const char *name,
		       struct qstr *last, bool *trailing)
{
	const char *end = name + strlen(name), *stop = end, *start;
	struct inode *dir;
	int err;

	while (stop > name && stop[-1] == '/')
		stop--;
	*trailing = stop != end;
	if (stop == name) {
		if (end == name)
			return -ENOENT;
		nd_set_path(nd, &nd->root);
		*last = (struct qstr){ .name = name, .len = 0 };
		return 0;
	}
	start = stop;
	while (start > name && start[-1] != '/')
		start--;
	err = link_path_walk(nd, name, start, LOOKUP_FOLLOW);
	if (err)
		return err;
	dir = nd->path.dentry->d_inode;
	if (!S_ISDIR(dir->i_mode))
		return -ENOTDIR;
	err = inode_permission(dir, MAY_EXEC);
	if (err)
		return err;
	if (stop - start > NAME_MAX_VFS)
		return -ENAMETOOLONG;
	*last = (struct qstr){ .name = start, .len = stop - start };
	return 0;
}

int kern_path_parent(int dfd, const char *name, struct path *parent,
		     struct qstr *last, bool *trailing_slash)
{
	struct nameidata nd;
	int err;

	if (!*name)
		return -ENOENT;
	err = path_init(&nd, dfd, name);
	if (err)
		return err;
	err = walk_parent(&nd, name, last, trailing_slash);
	if (!err) {
		*parent = nd.path;
		memset(&nd.path, 0, sizeof(nd.path));
	}
	nd_put(&nd);
	return err;
}

static bool last_is_normal(const struct qstr *last)
{
	return last->len && !qstr_is_dot(last) && !qstr_is_dotdot(last);
}

/* --- open's last component --- */

/* Create the regular file d (negative, in parent) for O_CREAT. */
static int vfs_create(const struct path *parent, struct dentry *d,
		      mode_t mode)
{
	struct inode *dir = parent->dentry->d_inode;
	struct posix_acl *acl, *dacl;
	struct inode *inode = NULL;
	struct qstr q = d_qstr(d);
	int err;

	err = may_create(parent->dentry);
	if (err)
		return err;
	err = mnt_want_write(parent->mnt);
	if (err)
		return err;
	if (!dir->i_op || !dir->i_op->create)
		return -EACCES;
	mode = (mode & S_IALLUGO) | S_IFREG;
	err = posix_acl_create(dir, &mode, &acl, &dacl);
	if (err)
		return err;
	err = dir->i_op->create(dir, &q, mode, &inode);
	posix_acl_init_new(err ? NULL : inode, acl, dacl);
	if (err)
		return err;
	d_instantiate(d, inode);
	fsnotify_create(dir, d);
	return 0;
}

/*
 * The last component of an O_CREAT open, in the directory nd->path:
 * created when absent (*created set), else looked up. Returns 0 with *res
 * the file, 1 with *res a symlink the caller should follow, or -errno
 * (-EEXIST for O_EXCL, -EISDIR for a directory).
 */
static int open_last_lookup(struct nameidata *nd, const struct qstr *last,
			    unsigned int flags, mode_t mode, struct path *res,
			    bool *created)
{
	struct dentry *d;
	int err;

	lock_dir();
	d = lookup_one(nd->path.dentry, last);
	if (IS_ERR(d)) {
		unlock_dir();
		return PTR_ERR(d);
	}
	if (!d->d_inode) {
		err = vfs_create(&nd->path, d, mode);
		unlock_dir();
		if (err) {
			dput(d);
			return err;
		}
		*created = true;
		res->mnt = mntget(nd->path.mnt);
		res->dentry = d;
		return 0;
	}
	unlock_dir();
	if (flags & O_EXCL) {
		dput(d);
		return -EEXIST;
	}
	res->mnt = mntget(nd->path.mnt);
	res->dentry = d;
	follow_mount(res);
	if (d_is_dir(res->dentry)) {
		path_put(res);
		return -EISDIR;
	}
	return S_ISLNK(d->d_inode->i_mode) && !(flags & O_NOFOLLOW);
}

/* O_CREAT and the last component of open(2); see internal.h. */
int path_lookup_open(int dfd, const char *name, unsigned int flags,
		     mode_t mode, struct path *res, bool *created)
{
	struct nameidata nd;
	char *text = NULL;
	int err;

	*created = false;
	if (!(flags & O_CREAT)) {
		unsigned int lf = 0;

		if (!(flags & O_NOFOLLOW))
			lf |= LOOKUP_FOLLOW;
		if (flags & O_DIRECTORY)
			lf |= LOOKUP_DIRECTORY;
		return kern_path_at(dfd, name, lf, res);
	}
	if (!*name)
		return -ENOENT;
	err = path_init(&nd, dfd, name);
	if (err)
		return err;
	for (;;) {
		struct inode *inode;
		struct qstr last;
		struct path link;
		bool trailing;

		err = walk_parent(&nd, name, &last, &trailing);
		if (err)
			break;
		if (!last_is_normal(&last) || trailing) {
			err = -EISDIR;
			break;
		}
		err = open_last_lookup(&nd, &last, flags, mode, &link, created);
		if (err <= 0) {
			if (!err)
				*res = link;
			break;
		}
		inode = link.dentry->d_inode;
		if (++nd.total_links > MAXSYMLINKS) {
			err = -ELOOP;
		} else if (inode->i_op && inode->i_op->get_link_path) {
			err = inode->i_op->get_link_path(inode, res);
			if (!err && d_is_dir(res->dentry)) {
				path_put(res);
				err = -EISDIR;
			}
		} else {
			kfree(text);
			text = read_link_text(inode);
			err = IS_ERR(text) ? PTR_ERR(text) : 1;
			if (IS_ERR(text))
				text = NULL;
		}
		path_put(&link);
		if (err <= 0)
			break;
		name = text;
	}
	kfree(text);
	nd_put(&nd);
	return err;
}

/* --- name changes --- */

/*
 * Look up the last component of name for creating it (Linux
 * filename_create): returns its negative dentry with lock_dir() held and
 * *parent referenced, or ERR_PTR with nothing held. -EEXIST when the name
 * exists (even on a read-only mount), -ENOENT for a trailing slash when
 * not creating a directory.
 */
static struct dentry *filename_create(int dfd, const char *name,
				      struct path *parent, bool is_dir)
{
	struct qstr last;
	bool trailing;
	struct dentry *d;
	int err, err_rofs;

	err = kern_path_parent(dfd, name, parent, &last, &trailing);
	if (err)
		return ERR_PTR(err);
	if (!last_is_normal(&last)) {
		err = -EEXIST;
		goto out_put_parent;
	}
	err_rofs = mnt_want_write(parent->mnt);
	lock_dir();
	d = lookup_one(parent->dentry, &last);
	if (IS_ERR(d)) {
		err = PTR_ERR(d);
		goto out_unlock;
	}
	if (d->d_inode)
		err = -EEXIST;
	else if (trailing && !is_dir)
		err = -ENOENT;
	else
		err = err_rofs;
	if (!err)
		return d;
	dput(d);
out_unlock:
	unlock_dir();
out_put_parent:
	path_put(parent);
	return ERR_PTR(err);
}

static void done_path_create(struct path *parent, struct dentry *d)
{
	dput(d);
	unlock_dir();
	path_put(parent);
}

static int do_mkdirat(int dfd, const char *name, mode_t mode)
{
	struct posix_acl *acl, *dacl;
	struct path parent;
	struct inode *dir, *inode = NULL;
	struct dentry *d;
	struct qstr q;
	int err;

	d = filename_create(dfd, name, &parent, true);
	if (IS_ERR(d))
		return PTR_ERR(d);
	dir = parent.dentry->d_inode;
	q = d_qstr(d);
	mode = (mode & (S_IRWXUGO | S_ISVTX)) | S_IFDIR;
	err = may_create(parent.dentry);
	if (!err && (!dir->i_op || !dir->i_op->mkdir))
		err = -EPERM;
	if (!err)
		err = posix_acl_create(dir, &mode, &acl, &dacl);
	if (!err) {
		err = dir->i_op->mkdir(dir, &q, mode, &inode);
		posix_acl_init_new(err ? NULL : inode, acl, dacl);
	}
	if (!err)
		d_instantiate(d, inode);
	if (!err)
		fsnotify_create(dir, d);
	done_path_create(&parent, d);
	return err;
}

SYSCALL_DEFINE3(mkdirat, int, dfd, struct uptr, pathname, mode_t, mode)
{
	char *name = getname(pathname);
	long err;

	if (IS_ERR(name))
		return PTR_ERR(name);
	err = do_mkdirat(dfd, name, mode);
	kfree(name);
	return err;
}

SYSCALL_DEFINE2(mkdir, struct uptr, pathname, mode_t, mode)
{
	return sys_mkdirat(AT_FDCWD, pathname, mode);
}

static int may_mknod(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
	case S_IFCHR:
	case S_IFBLK:
	case S_IFIFO:
	case S_IFSOCK:
	case 0:
		return 0;
	case S_IFDIR:
		return -EPERM;
	default:
		return -EINVAL;
	}
}

int do_mknodat(int dfd, const char *name, mode_t mode, dev_t dev)
{
	struct posix_acl *acl, *dacl;
	struct path parent;
	struct inode *dir, *inode = NULL;
	struct dentry *d;
	struct qstr q;
	int err;

	err = may_mknod(mode);
	if (err)
		return err;
	if (!(mode & S_IFMT))
		mode |= S_IFREG;
	if (!S_ISCHR(mode) && !S_ISBLK(mode))
		dev = 0;
	d = filename_create(dfd, name, &parent, false);
	if (IS_ERR(d))
		return PTR_ERR(d);
	dir = parent.dentry->d_inode;
	q = d_qstr(d);
	mode &= S_IFMT | S_IALLUGO;
	err = may_create(parent.dentry);
	if (!err && (S_ISCHR(mode) || S_ISBLK(mode)) && !fs_capable())
		err = -EPERM;
	if (!err)
		err = posix_acl_create(dir, &mode, &acl, &dacl);
	if (!err && S_ISREG(mode)) {
		if (!dir->i_op || !dir->i_op->create)
			err = -EPERM;
		else
			err = dir->i_op->create(dir, &q, mode, &inode);
		posix_acl_init_new(err ? NULL : inode, acl, dacl);
	} else if (!err) {
		if (!dir->i_op || !dir->i_op->mknod)
			err = -EPERM;
		else
			err = dir->i_op->mknod(dir, &q, mode, dev, &inode);
		posix_acl_init_new(err ? NULL : inode, acl, dacl);
	}
	if (!err)
		d_instantiate(d, inode);
	if (!err)
		fsnotify_create(dir, d);
	done_path_create(&parent, d);
	return err;
}

SYSCALL_DEFINE4(mknodat, int, dfd, struct uptr, filename, mode_t, mode, unsigned int, dev)
{
	char *name = getname(filename);
	long err;

	if (IS_ERR(name))
		return PTR_ERR(name);
	err = do_mknodat(dfd, name, mode, (dev_t)dev);
	kfree(name);
	return err;
}

SYSCALL_DEFINE3(mknod, struct uptr, filename, mode_t, mode, unsigned int, dev)
{
	return sys_mknodat(AT_FDCWD, filename, mode, dev);
}

/*
 * Look up the existing last component of name for removing or renaming it:
 * *parent referenced, lock_dir() held, the positive dentry returned; or
 * ERR_PTR with nothing held. last_err is the error for "/", "." and "..".
 */
static struct dentry *lookup_for_delete(int dfd, const char *name,
					struct path *parent, bool *trailing,
					int (*last_err)(const struct qstr *))
{
	struct qstr last;
	struct dentry *d;
	int err;

	err = kern_path_parent(dfd, name, parent, &last, trailing);
	if (err)
		return ERR_PTR(err);
	if (!last_is_normal(&last))
		err = last_err(&last);
	else
		err = mnt_want_write(parent->mnt);
	if (err)
		goto out_put_parent;
	lock_dir();
	d = lookup_one(parent->dentry, &last);
	if (IS_ERR(d)) {
		err = PTR_ERR(d);
		goto out_unlock;
	}
	if (d->d_inode)
		return d;
	dput(d);
	err = -ENOENT;
out_unlock:
	unlock_dir();
out_put_parent:
	path_put(parent);
	return ERR_PTR(err);
}

static int rmdir_last_err(const struct qstr *last)
{
	if (qstr_is_dot(last))
		return -EINVAL;
	if (qstr_is_dotdot(last))
		return -ENOTEMPTY;
	return -EBUSY;
}

static int unlink_last_err(const struct qstr *last)
{
	return -EISDIR;
}

static int do_rmdir(int dfd, const char *name)
{
	struct path parent;
	struct inode *dir;
	struct dentry *d;
	struct qstr q;
	bool trailing;
	int err;

	d = lookup_for_delete(dfd, name, &parent, &trailing, rmdir_last_err);
	if (IS_ERR(d))
		return PTR_ERR(d);
	dir = parent.dentry->d_inode;
	q = d_qstr(d);
	err = may_delete(dir, d, true);
	if (!err && d->d_mounted)
		err = -EBUSY;
	if (!err && (!dir->i_op || !dir->i_op->rmdir))
		err = -EPERM;
	if (!err)
		err = dir->i_op->rmdir(dir, &q, d->d_inode);
	if (!err)
		d_delete(d);
	if (!err)
		fsnotify_rmdir(dir, d);
	done_path_create(&parent, d);
	return err;
}

static int do_unlinkat(int dfd, const char *name)
{
	struct path parent;
	struct inode *dir;
	struct dentry *d;
	struct qstr q;
	bool trailing;
	int err;

	d = lookup_for_delete(dfd, name, &parent, &trailing, unlink_last_err);
	if (IS_ERR(d))
		return PTR_ERR(d);
	dir = parent.dentry->d_inode;
	q = d_qstr(d);
	if (trailing)
		err = d_is_dir(d) ? -EISDIR : -ENOTDIR;
	else
		err = may_delete(dir, d, false);
	if (!err && d->d_mounted)
		err = -EBUSY;
	if (!err && (!dir->i_op || !dir->i_op->unlink))
		err = -EPERM;
	if (!err)
		err = dir->i_op->unlink(dir, &q, d->d_inode);
	if (!err)
		d_delete(d);
	if (!err)
		fsnotify_unlink(dir, d);
	done_path_create(&parent, d);
	return err;
}

SYSCALL_DEFINE1(rmdir, struct uptr, pathname)
{
	char *name = getname(pathname);
	long err;

	if (IS_ERR(name))
		return PTR_ERR(name);
	err = do_rmdir(AT_FDCWD, name);
	kfree(name);
	return err;
}

SYSCALL_DEFINE3(unlinkat, int, dfd, struct uptr, pathname, int, flag)
{
	char *name;
	long err;

	if (flag & ~AT_REMOVEDIR)
		return -EINVAL;
	name = getname(pathname);
	if (IS_ERR(name))
		return PTR_ERR(name);
	if (flag & AT_REMOVEDIR)
		err = do_rmdir(dfd, name);
	else
		err = do_unlinkat(dfd, name);
	kfree(name);
	return err;
}

SYSCALL_DEFINE1(unlink, struct uptr, pathname)
{
	return sys_unlinkat(AT_FDCWD, pathname, 0);
}

/*
 * The checks of Linux vfs_rename once both dentries are known: deletion
 * rights on the old name, creation or deletion rights on the new one, write
 * access to a directory that changes parent (its ".."), no mount points.
 */
static int may_rename(struct dentry *olddir, struct dentry *old,
		      struct dentry *newdir, struct dentry *new)
{
	bool is_dir = d_is_dir(old);
	int err;

	err = may_delete(olddir->d_inode, old, is_dir);
	if (err)
		return err;
	if (!new->d_inode)
		err = may_create(newdir);
	else
		err = may_delete(newdir->d_inode, new, is_dir);
	if (err)
		return err;
	if (is_dir && newdir != olddir) {
		err = inode_permission(old->d_inode, MAY_WRITE);
		if (err)
			return err;
	}
	if (old->d_mounted || new->d_mounted)
		return -EBUSY;
	if (!olddir->d_inode->i_op || !olddir->d_inode->i_op->rename)
		return -EPERM;
	return 0;
}

/* Rename the positive old (in olddir) to new (in newdir) under lock_dir. */
static int vfs_rename(struct dentry *olddir, struct dentry *old,
		      struct dentry *newdir, struct dentry *new,
		      unsigned int flags)
{
	struct qstr oldq = d_qstr(old), newq = d_qstr(new);
	int err;

	if (old->d_inode == new->d_inode)
		return 0;
	if (is_subdir(newdir, old))
		return -EINVAL;
	if (new->d_inode && is_subdir(olddir, new))
		return -ENOTEMPTY;
	err = may_rename(olddir, old, newdir, new);
	if (err)
		return err;
	err = olddir->d_inode->i_op->rename(olddir->d_inode, &oldq,
					    old->d_inode, newdir->d_inode,
					    &newq, new->d_inode, flags);
	if (err)
		return err;
	fsnotify_move(olddir->d_inode, newdir->d_inode, &oldq, &newq,
		      old->d_inode, new->d_inode);
	d_delete(new);
	d_move(old, newdir, &newq);
	return 0;
}

static int do_renameat2(int olddfd, const char *oldname, int newdfd,
			const char *newname, unsigned int flags)
{
	struct path oldp, newp;
	struct qstr oldlast, newlast;
	bool oldslash, newslash;
	struct dentry *old, *new;
	int err;

	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
		return -EINVAL;
	if (flags & (RENAME_EXCHANGE | RENAME_WHITEOUT))
		return -EINVAL;
	err = kern_path_parent(olddfd, oldname, &oldp, &oldlast, &oldslash);
	if (err)
		return err;
	err = kern_path_parent(newdfd, newname, &newp, &newlast, &newslash);
	if (err)
		goto out_put_old;
	err = -EXDEV;
	if (oldp.mnt != newp.mnt)
		goto out_put_new;
	err = -EBUSY;
	if (!last_is_normal(&oldlast))
		goto out_put_new;
	if (!last_is_normal(&newlast)) {
		err = (flags & RENAME_NOREPLACE) ? -EEXIST : -EBUSY;
		goto out_put_new;
	}
	err = mnt_want_write(oldp.mnt);
	if (err)
		goto out_put_new;

	lock_dir();
	old = lookup_one(oldp.dentry, &oldlast);
	err = PTR_ERR(old);
	if (IS_ERR(old))
		goto out_unlock;
	err = -ENOENT;
	if (!old->d_inode)
		goto out_put_olddentry;
	new = lookup_one(newp.dentry, &newlast);
	err = PTR_ERR(new);
	if (IS_ERR(new))
		goto out_put_olddentry;
	err = -EEXIST;
	if ((flags & RENAME_NOREPLACE) && new->d_inode)
		goto out_put_newdentry;
	err = -ENOTDIR;
	if (!d_is_dir(old) && (oldslash || newslash))
		goto out_put_newdentry;
	err = vfs_rename(oldp.dentry, old, newp.dentry, new, flags);
out_put_newdentry:
	dput(new);
out_put_olddentry:
	dput(old);
out_unlock:
	unlock_dir();
out_put_new:
	path_put(&newp);
out_put_old:
	path_put(&oldp);
	return err;
}

SYSCALL_DEFINE5(renameat2, int, olddfd, struct uptr, oldname, int, newdfd, struct uptr, newname, unsigned int, flags)
{
	char *from, *to;
	long err;

	from = getname(oldname);
	if (IS_ERR(from))
		return PTR_ERR(from);
	to = getname(newname);
	err = PTR_ERR(to);
	if (IS_ERR(to))
		goto out_free_from;
	err = do_renameat2(olddfd, from, newdfd, to, flags);
	kfree(to);
out_free_from:
	kfree(from);
	return err;
}

SYSCALL_DEFINE4(renameat, int, olddfd, struct uptr, oldname, int, newdfd, struct uptr, newname)
{
	return sys_renameat2(olddfd, oldname, newdfd, newname, 0);
}

SYSCALL_DEFINE2(rename, struct uptr, oldname, struct uptr, newname)
{
	return sys_renameat2(AT_FDCWD, oldname, AT_FDCWD, newname, 0);
}

/* A new name d (negative, in parent) for the inode at old. */
static int vfs_link(struct dentry *old, const struct path *parent,
		    struct dentry *d)
{
	struct inode *dir = parent->dentry->d_inode;
	struct inode *inode = old->d_inode;
	struct qstr q = d_qstr(d);
	int err;

	if (!inode)
		return -ENOENT;
	err = may_create(parent->dentry);
	if (err)
		return err;
	if (dir->i_sb != inode->i_sb)
		return -EXDEV;
	if (S_ISDIR(inode->i_mode))
		return -EPERM;
	if (!dir->i_op || !dir->i_op->link)
		return -EPERM;
	if (inode->i_nlink == 0)
		return -ENOENT;
	err = dir->i_op->link(inode, dir, &q);
	if (err)
		return err;
	ihold(inode);
	d_instantiate(d, inode);
	fsnotify_link(dir, inode, d);
	return 0;
}

static int do_linkat(int olddfd, const char *oldname, int newdfd,
		     const char *newname, int flags)
{
	unsigned int lf = 0;
	struct path oldp, parent;
	struct dentry *d;
	int err;

	if (flags & AT_SYMLINK_FOLLOW)
		lf |= LOOKUP_FOLLOW;
	if (flags & AT_EMPTY_PATH)
		lf |= LOOKUP_EMPTY;
	err = kern_path_at(olddfd, oldname, lf, &oldp);
	if (err)
		return err;
	d = filename_create(newdfd, newname, &parent, false);
	err = PTR_ERR(d);
	if (IS_ERR(d))
		goto out_put_old;
	err = -EXDEV;
	if (oldp.mnt == parent.mnt)
		err = vfs_link(oldp.dentry, &parent, d);
	done_path_create(&parent, d);
out_put_old:
	path_put(&oldp);
	return err;
}

SYSCALL_DEFINE5(linkat, int, olddfd, struct uptr, oldname, int, newdfd, struct uptr, newname, int, flags)
{
	char *from, *to;
	long err;

	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	from = (flags & AT_EMPTY_PATH) ? getname_empty(oldname) :
					 getname(oldname);
	if (IS_ERR(from))
		return PTR_ERR(from);
	to = getname(newname);
	err = PTR_ERR(to);
	if (IS_ERR(to))
		goto out_free_from;
	err = -ENOENT;
	if (*from || fs_capable())
		err = do_linkat(olddfd, from, newdfd, to, flags);
	kfree(to);
out_free_from:
	kfree(from);
	return err;
}

SYSCALL_DEFINE2(link, struct uptr, oldname, struct uptr, newname)
{
	return sys_linkat(AT_FDCWD, oldname, AT_FDCWD, newname, 0);
}

static int do_symlinkat(const char *target, int newdfd, const char *newname)
{
	struct path parent;
	struct inode *dir, *inode = NULL;
	struct dentry *d;
	struct qstr q;
	int err;

	d = filename_create(newdfd, newname, &parent, false);
	if (IS_ERR(d))
		return PTR_ERR(d);
	dir = parent.dentry->d_inode;
	q = d_qstr(d);
	err = may_create(parent.dentry);
	if (!err && (!dir->i_op || !dir->i_op->symlink))
		err = -EPERM;
	if (!err)
		err = dir->i_op->symlink(dir, &q, target, &inode);
	if (!err)
		d_instantiate(d, inode);
	if (!err)
		fsnotify_create(dir, d);
	done_path_create(&parent, d);
	return err;
}

SYSCALL_DEFINE3(symlinkat, struct uptr, oldname, int, newdfd, struct uptr, newname)
{
	char *target, *to;
	long err;

	target = getname(oldname);
	if (IS_ERR(target))
		return PTR_ERR(target);
	to = getname(newname);
	err = PTR_ERR(to);
	if (IS_ERR(to))
		goto out_free_target;
	err = do_symlinkat(target, newdfd, to);
	kfree(to);
out_free_target:
	kfree(target);
	return err;
}

SYSCALL_DEFINE2(symlink, struct uptr, oldname, struct uptr, newname)
{
	return sys_symlinkat(oldname, AT_FDCWD, newname);
}
