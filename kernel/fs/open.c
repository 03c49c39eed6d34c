/*
 * Open files and the per-task filesystem context: struct file life cycle
 * (dentry_open, alloc_file, get_file, fput), open(2) and its relatives,
 * close, access, chdir, fchdir, chroot, getcwd, umask, and fs_struct
 * copies. Model: Linux fs/open.c, fs/file_table.c (alloc/fput part),
 * fs/d_path.c (getcwd) and fs/fs_struct.c.
 */
#include <umk/fs.h>
#include <umk/syscalls.h>
#include <umk/uaccess.h>
#include <umk/filelock.h>
#include <umk/eventpoll.h>
#include <umk/fsnotify.h>
#include <string.h>
#include "internal.h"

/* --- struct file --- */

static unsigned int open_fmode(unsigned int flags)
{
	if (flags & O_PATH)
		return 0;
	switch (flags & O_ACCMODE) {
	case O_RDONLY:
		return FMODE_READ;
	case O_WRONLY:
		return FMODE_WRITE;
	case O_RDWR:
		return FMODE_READ | FMODE_WRITE;
	default:
		return 0;
	}
}

/* MAY_* access an open with these flags needs (Linux ACC_MODE + O_TRUNC). */
static int open_acc_mode(unsigned int flags)
{
	static const int acc[4] = { MAY_READ, MAY_WRITE, MAY_READ | MAY_WRITE,
				    MAY_READ | MAY_WRITE };
	int mode = acc[flags & O_ACCMODE];

	if (flags & O_TRUNC)
		mode |= MAY_WRITE;
	return mode;
}

/* Flags that act on the open only: f_op->open still sees them (a tty
 * takes O_NOCTTY from f_flags), F_GETFL never does (Linux
 * do_dentry_open clears them after ->open). */
#define OPEN_ONLY_FLAGS (O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC)

/* A zeroed file with one reference and the caller's credentials; f_flags
 * are the open's flags, OPEN_ONLY_FLAGS included. */
static struct file *file_alloc(unsigned int flags)
{
	struct file *f = kzalloc(sizeof(*f));

	if (!f)
		return NULL;
	f->f_count = 1;
	f->f_flags = flags | KO_LARGEFILE;
	f->f_mode = open_fmode(flags);
	if (current && current->cred) {
		f->f_cred = current->cred;
		f->f_cred->usage++;
	}
	return f;
}

/* Free a file whose open failed: no release, references dropped. */
static void file_free(struct file *f)
{
	path_put(&f->f_path);
	iput(f->f_inode);
	if (f->f_cred)
		put_cred(f->f_cred);
	kfree(f);
}

/*
 * A file on no filesystem (pipes, anonymous inodes): f_op given, access
 * mode from flags, and a pseudo path ("pipe:[ino]") so /proc/PID/fd/N
 * shows and reopens it. The file takes over the caller's reference on
 * inode (on failure the caller still owns it), as Linux alloc_file_pseudo.
 */
struct file *alloc_file(struct inode *inode, const struct file_operations *fop,
			unsigned int flags)
{
	struct file *f = file_alloc(flags & ~OPEN_ONLY_FLAGS);

	if (!f)
		return ERR_PTR(-ENOMEM);
	if (alloc_pseudo_path(inode, &f->f_path)) {
		file_free(f);
		return ERR_PTR(-ENOMEM);
	}
	f->f_inode = inode;
	f->f_op = fop;
	return f;
}

struct file *get_file(struct file *f)
{
	f->f_count++;
	return f;
}

/* Drop a reference; the last one releases the file (f_op->release) and the
 * path, inode and credentials it held. */
void fput(struct file *f)
{
	if (!f || --f->f_count > 0)
		return;
	fsnotify_close(f);
	eventpoll_release(f);
	locks_remove_file(f);
	if (f->f_op && f->f_op->release)
		f->f_op->release(f->f_inode, f);
	file_free(f);
}

void filp_close(struct file *f, struct files_struct *files)
{
	if (f->f_op && f->f_op->flush)
		f->f_op->flush(f);
	if (!(f->f_flags & O_PATH))
		locks_remove_posix(f, files);
	fput(f);
}

struct file *fget_no_path(int fd)
{
	struct file *f = fget(fd);

	if (f && (f->f_flags & O_PATH)) {
		fput(f);
		return NULL;
	}
	return f;
}

static bool special_file(mode_t mode)
{
	return S_ISCHR(mode) || S_ISBLK(mode) || S_ISFIFO(mode) ||
	       S_ISSOCK(mode);
}

/* The access checks of open on an existing file (Linux may_open). */
static int may_open(const struct path *path, int acc_mode, unsigned int flags)
{
	struct inode *inode = path->dentry->d_inode;
	int err;

	switch (inode->i_mode & S_IFMT) {
	case S_IFLNK:
		return -ELOOP;
	case S_IFDIR:
		if (acc_mode & MAY_WRITE)
			return -EISDIR;
		break;
	case S_IFBLK:
	case S_IFCHR:
		if (path->mnt->mnt_flags & MNT_NODEV)
			return -EACCES;
		break;
	}
	if ((flags & O_DIRECTORY) && !S_ISDIR(inode->i_mode))
		return -ENOTDIR;
	err = inode_permission(inode, acc_mode);
	if (err)
		return err;
	if ((flags & O_NOATIME) && !inode_owner_or_capable(inode))
		return -EPERM;
	return 0;
}

/*
 * Open the file at path: access checks unless the open created it, the
 * f_op of the inode (or of the device / FIFO behind a special inode), its
 * open method, then O_TRUNC. O_PATH files get no f_op and no checks.
 */
static struct file *do_dentry_open(const struct path *path, unsigned int flags,
				   bool created)
{
	struct inode *inode = path->dentry->d_inode;
	int acc_mode = open_acc_mode(flags);
	struct file *f;
	int err;

	if (!(flags & O_PATH)) {
		if (!created) {
			err = may_open(path, acc_mode, flags);
			if (err)
				return ERR_PTR(err);
		}
		if ((acc_mode & MAY_WRITE) && !special_file(inode->i_mode)) {
			err = mnt_want_write(path->mnt);
			if (err)
				return ERR_PTR(err);
		}
	} else if ((flags & O_DIRECTORY) && !S_ISDIR(inode->i_mode)) {
		return ERR_PTR(-ENOTDIR);
	}

	f = file_alloc(flags);
	if (!f)
		return ERR_PTR(-ENOMEM);
	f->f_path = *path;
	path_get(path);
	ihold(inode);
	f->f_inode = inode;
	if (flags & O_PATH) {
		f->f_flags &= ~OPEN_ONLY_FLAGS;
		return f;
	}

	if (S_ISCHR(inode->i_mode) || S_ISBLK(inode->i_mode) ||
	    S_ISFIFO(inode->i_mode))
		err = init_special_inode_open(inode, f);
	else if (S_ISSOCK(inode->i_mode))
		err = -ENXIO;
	else
		err = (f->f_op = inode->i_fop) ? 0 : -ENXIO;
	if (!err && f->f_op && f->f_op->open)
		err = f->f_op->open(inode, f);
	if (err) {
		file_free(f);
		return ERR_PTR(err);
	}
	f->f_flags &= ~OPEN_ONLY_FLAGS;
	if ((flags & O_TRUNC) && !created && S_ISREG(inode->i_mode)) {
		err = do_truncate(path->dentry, 0);
		if (err) {
			fput(f);
			return ERR_PTR(err);
		}
	}
	fsnotify_open(f);
	return f;
}

struct file *dentry_open(const struct path *path, unsigned int flags)
{
	return do_dentry_open(path, flags, false);
}

/* execve's open; see internal.h. */
struct file *open_exec(const char *name)
{
	struct path path;
	struct inode *inode;
	struct file *f;
	int err;

	err = kern_path_at(AT_FDCWD, name, LOOKUP_FOLLOW, &path);
	if (err)
		return ERR_PTR(err);
	inode = path.dentry->d_inode;
	err = -EACCES;
	if (!S_ISREG(inode->i_mode) || (path.mnt->mnt_flags & MNT_NOEXEC))
		goto out_put_path;
	err = inode_permission(inode, MAY_EXEC);
	if (err)
		goto out_put_path;
	f = do_dentry_open(&path, O_RDONLY, true);
	path_put(&path);
	return f;

out_put_path:
	path_put(&path);
	return ERR_PTR(err);
}

/* The flags open(2) really uses (Linux build_open_flags). */
static int build_open_flags(unsigned int *flags)
{
	unsigned int f = *flags;

	if ((f & O_TMPFILE) == O_TMPFILE) {
		if (!(f & O_ACCMODE) || (f & O_CREAT))
			return -EINVAL;
		return -EOPNOTSUPP;
	}
	if (f & O_PATH)
		f &= O_DIRECTORY | O_NOFOLLOW | O_PATH | O_CLOEXEC;
	else if ((f & O_CREAT) && (f & O_DIRECTORY))
		return -EINVAL;
	*flags = f;
	return 0;
}

struct file *do_filp_open(int dfd, const char *name, unsigned int flags,
			  mode_t mode)
{
	struct path path;
	struct file *f;
	bool created;
	int err;

	err = build_open_flags(&flags);
	if (err)
		return ERR_PTR(err);
	err = path_lookup_open(dfd, name, flags, mode, &path, &created);
	if (err)
		return ERR_PTR(err);
	f = do_dentry_open(&path, flags, created);
	path_put(&path);
	return f;
}

static long do_sys_open(int dfd, struct uptr filename, int flags, mode_t mode)
{
	struct file *f;
	char *name;

	name = getname(filename);
	if (IS_ERR(name))
		return PTR_ERR(name);
	f = do_filp_open(dfd, name, flags, mode);
	kfree(name);
	if (IS_ERR(f))
		return PTR_ERR(f);
	return get_unused_fd_install(f, 0, flags & O_CLOEXEC);
}

SYSCALL_DEFINE3(open, struct uptr, filename, int, flags, mode_t, mode)
{
	return do_sys_open(AT_FDCWD, filename, flags, mode);
}

SYSCALL_DEFINE4(openat, int, dfd, struct uptr, filename, int, flags, mode_t, mode)
{
	return do_sys_open(dfd, filename, flags, mode);
}

SYSCALL_DEFINE2(creat, struct uptr, pathname, mode_t, mode)
{
	return do_sys_open(AT_FDCWD, pathname, O_CREAT | O_WRONLY | O_TRUNC,
			   mode);
}

SYSCALL_DEFINE1(close, unsigned int, fd)
{
	return close_fd(fd);
}

/* --- access --- */

/*
 * access(2) and friends: the check runs with the real uid and gid as fsuid
 * and fsgid unless AT_EACCESS (Linux do_faccessat with override_creds).
 */
static long do_faccessat(int dfd, struct uptr filename, int mode, int flags)
{
	struct cred *saved = NULL, *tmp = NULL;
	unsigned int lf = LOOKUP_FOLLOW;
	struct path path;
	struct inode *inode;
	char *name;
	long err;

	if (mode & ~(R_OK | W_OK | X_OK))
		return -EINVAL;
	if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (flags & AT_SYMLINK_NOFOLLOW)
		lf = 0;
	if (flags & AT_EMPTY_PATH)
		lf |= LOOKUP_EMPTY;
	name = (flags & AT_EMPTY_PATH) ? getname_empty(filename) :
					 getname(filename);
	if (IS_ERR(name))
		return PTR_ERR(name);

	if (!(flags & AT_EACCESS) &&
	    (current->cred->fsuid != current->cred->uid ||
	     current->cred->fsgid != current->cred->gid)) {
		tmp = prepare_creds(current->cred);
		err = -ENOMEM;
		if (!tmp)
			goto out_free_name;
		tmp->fsuid = tmp->uid;
		tmp->fsgid = tmp->gid;
		saved = current->cred;
		current->cred = tmp;
	}
	err = kern_path_at(dfd, name, lf, &path);
	if (err)
		goto out_revert;
	inode = path.dentry->d_inode;
	err = 0;
	if ((mode & X_OK) && S_ISREG(inode->i_mode) &&
	    (path.mnt->mnt_flags & MNT_NOEXEC))
		err = -EACCES;
	if (!err)
		err = inode_permission(inode, mode);
	if (!err && (mode & W_OK) && !special_file(inode->i_mode) &&
	    mnt_want_write(path.mnt))
		err = -EROFS;
	path_put(&path);
out_revert:
	if (saved) {
		current->cred = saved;
		put_cred(tmp);
	}
out_free_name:
	kfree(name);
	return err;
}

SYSCALL_DEFINE4(faccessat2, int, dfd, struct uptr, filename, int, mode, int, flags)
{
	return do_faccessat(dfd, filename, mode, flags);
}

SYSCALL_DEFINE3(faccessat, int, dfd, struct uptr, filename, int, mode)
{
	return do_faccessat(dfd, filename, mode, 0);
}

SYSCALL_DEFINE2(access, struct uptr, filename, int, mode)
{
	return do_faccessat(AT_FDCWD, filename, mode, 0);
}

/* --- cwd and root --- */

static void set_fs_path(struct path *slot, const struct path *p)
{
	path_get(p);
	path_put(slot);
	*slot = *p;
}

/* The directory name names, with search permission on it. */
static int lookup_dir_for_chdir(struct uptr filename, struct path *path)
{
	char *name = getname(filename);
	int err;

	if (IS_ERR(name))
		return PTR_ERR(name);
	err = kern_path_at(AT_FDCWD, name, LOOKUP_FOLLOW | LOOKUP_DIRECTORY,
			   path);
	kfree(name);
	if (err)
		return err;
	err = inode_permission(path->dentry->d_inode, MAY_EXEC);
	if (err)
		path_put(path);
	return err;
}

SYSCALL_DEFINE1(chdir, struct uptr, filename)
{
	struct path path;
	int err = lookup_dir_for_chdir(filename, &path);

	if (err)
		return err;
	set_fs_path(&current->fs->pwd, &path);
	path_put(&path);
	return 0;
}

SYSCALL_DEFINE1(fchdir, unsigned int, fd)
{
	struct file *f = fget(fd);
	int err;

	if (!f)
		return -EBADF;
	err = -ENOTDIR;
	if (f->f_path.dentry && d_is_dir(f->f_path.dentry))
		err = inode_permission(f->f_inode, MAY_EXEC);
	if (!err)
		set_fs_path(&current->fs->pwd, &f->f_path);
	fput(f);
	return err;
}

SYSCALL_DEFINE1(chroot, struct uptr, filename)
{
	struct path path;
	int err = lookup_dir_for_chdir(filename, &path);

	if (err)
		return err;
	if (capable(current->cred))
		set_fs_path(&current->fs->root, &path);
	else
		err = -EPERM;
	path_put(&path);
	return err;
}

/*
 * getcwd(2): the cwd as seen from the task's root, "(unreachable)" before
 * it when the cwd is outside that root; -ENOENT when the cwd was removed,
 * -ERANGE when size is too small. Returns the length with the NUL.
 */
SYSCALL_DEFINE2(getcwd, struct uptr, buf, unsigned long, size)
{
	static const char unreach[] = "(unreachable)";
	const size_t ulen = sizeof(unreach) - 1;
	struct fs_struct *fs = current->fs;
	bool unreachable;
	char *page;
	long len;

	if (d_unhashed(fs->pwd.dentry))
		return -ENOENT;
	page = kmalloc(PAGE_SIZE);
	if (!page)
		return -ENOMEM;
	len = __d_path(&fs->pwd, &fs->root, page + ulen, PAGE_SIZE - ulen,
		       &unreachable);
	if (len >= 0 && unreachable) {
		memcpy(page, unreach, ulen);
		len += ulen;
	} else if (len >= 0) {
		memmove(page, page + ulen, len + 1);
	}
	if (len >= 0) {
		len++;
		if ((unsigned long)len > size)
			len = -ERANGE;
		else if (copy_to_user(buf, page, len))
			len = -EFAULT;
	}
	kfree(page);
	return len;
}

SYSCALL_DEFINE1(umask, int, mask)
{
	mode_t old = current->fs->umask;

	current->fs->umask = mask & 0777;
	return old;
}

/* --- fs_struct --- */

struct fs_struct *copy_fs_struct(struct fs_struct *old)
{
	struct fs_struct *fs = kzalloc(sizeof(*fs));

	if (!fs)
		return NULL;
	fs->users = 1;
	fs->umask = old->umask;
	fs->root = old->root;
	fs->pwd = old->pwd;
	path_get(&fs->root);
	path_get(&fs->pwd);
	return fs;
}

void put_fs_struct(struct fs_struct *fs)
{
	if (!fs || --fs->users > 0)
		return;
	path_put(&fs->root);
	path_put(&fs->pwd);
	kfree(fs);
}
