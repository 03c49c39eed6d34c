/*
 * hostfs, kernel side: a directory of the host as a guest filesystem, as
 * UML's fs/hostfs/hostfs_kern.c, with UML's mount syntax
 *	mount -t hostfs none /mnt -o /host/dir
 * but confined: the boot option hostfs=DIR names the one host directory
 * (the share) hostfs may reach; without it every mount is -EPERM. The
 * mount option names the share or a directory beneath it; a path outside
 * the share's is taken relative to it, as UML's hostfs= prefix does. The
 * host side (hostfs_user.c, hostfs.h) does every lookup beneath the share.
 *
 * Each inode remembers its path relative to the share; dentries of hostfs
 * are not kept once unused (the host may change the tree), so a path is
 * the one its name had when looked up, kept in step with guest renames.
 *
 * Credentials (documented in README.md, "hostfs"): every host call is made
 * by umk, as its host user, without capabilities. umk's host uid and gid
 * show in the guest as the mount's uid= and gid= (default 0: the guest's
 * root owns what umk's user owns); other host ids show unchanged. The
 * guest VFS checks permissions with those ids, then the host checks umk's.
 * A chown to uid=/gid= becomes one to umk's ids; one to other ids is the
 * host's (EPERM without CAP_CHOWN). setuid and setgid bits never reach
 * the host. Only the "user." xattr namespace is passed through.
 */
#include <umk/fs.h>
#include <umk/init.h>
#include <umk/sched.h>
#include <umk/filemap.h>
#include <umk/xattr.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/sysmacros.h>
#include "../internal.h"
#include "hostfs.h"

#define HOSTFS_MAX_OPEN 512	/* host fds hostfs files may hold at once */

const char *hostfs_root_dir;

/* A mount: where in the share its root is, and the guest ids of umk's
 * host user. */
struct hostfs_sb_info {
	char *prefix;		/* "" or "sub/dir" */
	uid_t uid;
	gid_t gid;
};

/* An inode: its path in the share, the fd a create left open for the
 * open that follows it, and its open files. */
struct hostfs_inode_info {
	char *path;
	int create_fd;
	struct list_head files;	/* struct hostfs_file, i_list */
};

struct hostfs_file {
	int fd;
	struct inode *inode;
	struct list_head i_list;
};

static int nr_open;		/* host fds held by open hostfs files */

static const struct inode_operations hostfs_dir_iops, hostfs_file_iops,
	hostfs_link_iops, hostfs_special_iops;
static const struct file_operations hostfs_file_fops, hostfs_dir_fops;

static inline struct hostfs_inode_info *HOSTFS_I(const struct inode *inode)
{
	return inode->i_private;
}

static inline struct hostfs_sb_info *HOSTFS_SB(const struct super_block *sb)
{
	return sb->s_fs_info;
}

/* "dir/name" (or "name" at the share's top); NULL on -ENOMEM. */
static char *join(const char *dir, const char *name, size_t len)
{
	size_t dl = strlen(dir);
	char *p = kmalloc(dl + len + 2);

	if (!p)
		return NULL;
	memcpy(p, dir, dl);
	if (dl)
		p[dl++] = '/';
	memcpy(p + dl, name, len);
	p[dl + len] = '\0';
	return p;
}

static char *child_path(struct inode *dir, const struct qstr *name)
{
	return join(HOSTFS_I(dir)->path, name->name, name->len);
}

static struct timespec ts_of(struct hostfs_time t)
{
	return (struct timespec){ .tv_sec = t.sec, .tv_nsec = t.nsec };
}

/* Host attributes into inode, umk's host ids mapped to the mount's. */
static void fill_inode(struct inode *inode, const struct hostfs_stat *st)
{
	struct hostfs_sb_info *sbi = HOSTFS_SB(inode->i_sb);

	inode->i_ino = st->ino;
	inode->i_mode = st->mode;
	inode->i_uid = st->uid == hostfs_host_uid() ? sbi->uid : st->uid;
	inode->i_gid = st->gid == hostfs_host_gid() ? sbi->gid : st->gid;
	inode->i_nlink = st->nlink;
	inode->i_size = st->size;
	inode->i_blocks = st->blocks;
	inode->i_atime = ts_of(st->atime);
	inode->i_mtime = ts_of(st->mtime);
	inode->i_ctime = ts_of(st->ctime);
	inode->i_rdev = (S_ISCHR(st->mode) || S_ISBLK(st->mode)) ?
			makedev(st->rdev_major, st->rdev_minor) : 0;
	inode->i_blkbits = st->blksize ? __builtin_ctz(st->blksize) : 12;
}

static void set_ops(struct inode *inode)
{
	switch (inode->i_mode & S_IFMT) {
	case S_IFREG:
		inode->i_op = &hostfs_file_iops;
		inode->i_fop = &hostfs_file_fops;
		break;
	case S_IFDIR:
		inode->i_op = &hostfs_dir_iops;
		inode->i_fop = &hostfs_dir_fops;
		break;
	case S_IFLNK:
		inode->i_op = &hostfs_link_iops;
		break;
	default:		/* devices, FIFOs, sockets: the guest's own */
		inode->i_op = &hostfs_special_iops;
		break;
	}
}

/* An open host fd of inode, or -1: reaches the object even when its
 * name is gone. */
static int open_fd(struct inode *inode)
{
	struct hostfs_inode_info *hi = HOSTFS_I(inode);

	if (list_empty(&hi->files))
		return -1;
	return list_first_entry(&hi->files, struct hostfs_file, i_list)->fd;
}

/* Re-read inode's attributes from the host (after a change). */
static void refresh_inode(struct inode *inode)
{
	struct hostfs_stat st;
	int fd = inode ? open_fd(inode) : -1;

	if (!inode)
		return;
	if ((fd >= 0 ? hostfs_fstat(fd, &st) :
		       hostfs_stat(HOSTFS_I(inode)->path, &st)) == 0)
		fill_inode(inode, &st);
}

/* A new inode for path (taken over, freed on failure) with st. */
static struct inode *hostfs_iget(struct super_block *sb, char *path,
				 const struct hostfs_stat *st)
{
	struct inode *inode = new_inode(sb);
	struct hostfs_inode_info *hi = kzalloc(sizeof(*hi));

	if (!inode || !hi) {
		if (inode)
			iput(inode);
		kfree(hi);
		kfree(path);
		return NULL;
	}
	hi->path = path;
	hi->create_fd = -1;
	INIT_LIST_HEAD(&hi->files);
	inode->i_private = hi;
	fill_inode(inode, st);
	set_ops(inode);
	return inode;
}

/* ---- inode operations ---- */

static int hostfs_lookup(struct inode *dir, const struct qstr *name,
			 struct inode **res)
{
	struct hostfs_stat st;
	char *path;
	int err;

	if (name->len > HOSTFS_NAME_MAX)
		return -ENAMETOOLONG;
	path = child_path(dir, name);
	if (!path)
		return -ENOMEM;
	err = hostfs_stat(path, &st);
	if (err) {
		kfree(path);
		return err;
	}
	*res = hostfs_iget(dir->i_sb, path, &st);
	return *res ? 0 : -ENOMEM;
}

/* After a name was made in dir: its inode, from the host. */
static int instantiate(struct inode *dir, const struct qstr *name,
		       struct inode **res)
{
	int err = hostfs_lookup(dir, name, res);

	refresh_inode(dir);
	return err;
}

/* The mode the host gets for a new object: no setuid/setgid. */
static uint32_t host_mode(mode_t mode)
{
	return mode & (S_IFMT | 01777);
}

static int hostfs_create_op(struct inode *dir, const struct qstr *name,
			 mode_t mode, struct inode **res)
{
	struct hostfs_stat st;
	char *path;
	int fd, err;

	if (nr_open >= HOSTFS_MAX_OPEN)
		return -ENFILE;
	fd = hostfs_create(HOSTFS_I(dir)->path, name->name, host_mode(mode));
	if (fd < 0)
		return fd;
	path = child_path(dir, name);
	err = path ? hostfs_fstat(fd, &st) : -ENOMEM;
	if (err) {
		kfree(path);
		hostfs_close(fd);
		return err;
	}
	*res = hostfs_iget(dir->i_sb, path, &st);
	if (!*res) {
		hostfs_close(fd);
		return -ENOMEM;
	}
	HOSTFS_I(*res)->create_fd = fd;
	nr_open++;
	refresh_inode(dir);
	return 0;
}

static int hostfs_mkdir_op(struct inode *dir, const struct qstr *name,
			mode_t mode, struct inode **res)
{
	int err = hostfs_mkdir(HOSTFS_I(dir)->path, name->name,
			       host_mode(mode));

	return err ? err : instantiate(dir, name, res);
}

static int hostfs_mknod_op(struct inode *dir, const struct qstr *name,
			mode_t mode, dev_t rdev, struct inode **res)
{
	int err;

	if (!(mode & S_IFMT))
		mode |= S_IFREG;
	err = hostfs_mknod(HOSTFS_I(dir)->path, name->name, host_mode(mode));
	return err ? err : instantiate(dir, name, res);
}

static int hostfs_symlink_op(struct inode *dir, const struct qstr *name,
			  const char *target, struct inode **res)
{
	int err = hostfs_symlink(HOSTFS_I(dir)->path, name->name, target);

	return err ? err : instantiate(dir, name, res);
}

static int hostfs_link_op(struct inode *old, struct inode *dir,
		       const struct qstr *name)
{
	int err = hostfs_link(HOSTFS_I(old)->path, HOSTFS_I(dir)->path,
			      name->name);

	refresh_inode(old);
	refresh_inode(dir);
	return err;
}

static int hostfs_unlink_op(struct inode *dir, const struct qstr *name,
			 struct inode *victim)
{
	int err = hostfs_unlink(HOSTFS_I(dir)->path, name->name);

	if (!err) {
		if (open_fd(victim) >= 0)
			refresh_inode(victim);
		else if (victim->i_nlink)
			victim->i_nlink--;
	}
	refresh_inode(dir);
	return err;
}

static int hostfs_rmdir_op(struct inode *dir, const struct qstr *name,
			struct inode *victim)
{
	int err = hostfs_rmdir(HOSTFS_I(dir)->path, name->name);

	if (!err)
		victim->i_nlink = 0;
	refresh_inode(dir);
	return err;
}

/* A rename moved old to new: every cached inode at or below old (a
 * directory's descendants too) gets its new path. */
static void move_paths(struct super_block *sb, const char *old,
		       const char *new)
{
	size_t ol = strlen(old), nl = strlen(new);
	struct inode *inode;

	list_for_each_entry(inode, &sb->s_inodes, i_sb_list) {
		struct hostfs_inode_info *hi = HOSTFS_I(inode);
		char *p;

		if (!hi || strncmp(hi->path, old, ol) ||
		    (hi->path[ol] && hi->path[ol] != '/'))
			continue;
		p = kmalloc(nl + strlen(hi->path + ol) + 1);
		if (!p)
			continue;	/* its later calls may fail: -ENOENT */
		memcpy(p, new, nl);
		strcpy(p + nl, hi->path + ol);
		kfree(hi->path);
		hi->path = p;
	}
}

static int hostfs_rename_op(struct inode *olddir, const struct qstr *oldname,
			 struct inode *old_victim, struct inode *newdir,
			 const struct qstr *newname, struct inode *new_victim,
			 unsigned int flags)
{
	char *oldpath = child_path(olddir, oldname);
	char *newpath = child_path(newdir, newname);
	int err = -ENOMEM;

	if (oldpath && newpath)
		err = hostfs_rename(HOSTFS_I(olddir)->path, oldname->name,
				    HOSTFS_I(newdir)->path, newname->name,
				    flags);
	if (!err) {
		if (new_victim && new_victim->i_nlink)
			new_victim->i_nlink--;
		if (new_victim && S_ISDIR(new_victim->i_mode))
			new_victim->i_nlink = 0;
		move_paths(olddir->i_sb, oldpath, newpath);
		refresh_inode(olddir);
		if (newdir != olddir)
			refresh_inode(newdir);
	}
	kfree(oldpath);
	kfree(newpath);
	return err;
}

static long hostfs_readlink_op(struct inode *inode, char *buf, size_t size)
{
	return hostfs_readlink(HOSTFS_I(inode)->path, buf, size);
}

/* chmod, chown, truncate, utimes, after the VFS's checks. */
static int hostfs_setattr_op(struct inode *inode, const struct iattr *attr)
{
	struct hostfs_sb_info *sbi = HOSTFS_SB(inode->i_sb);
	struct hostfs_iattr a = { 0 };
	int err;

	if (attr->ia_valid & ATTR_SIZE) {
		if (S_ISDIR(inode->i_mode))
			return -EISDIR;
		if (!S_ISREG(inode->i_mode) || attr->ia_size < 0)
			return -EINVAL;
		a.valid |= HOSTFS_ATTR_SIZE;
		a.size = attr->ia_size;
	}
	if (attr->ia_valid & ATTR_MODE) {
		a.valid |= HOSTFS_ATTR_MODE;
		a.mode = attr->ia_mode & 07777;
	}
	if (attr->ia_valid & ATTR_UID) {
		a.valid |= HOSTFS_ATTR_UID;
		a.uid = attr->ia_uid == sbi->uid ? hostfs_host_uid() :
			attr->ia_uid;
	}
	if (attr->ia_valid & ATTR_GID) {
		a.valid |= HOSTFS_ATTR_GID;
		a.gid = attr->ia_gid == sbi->gid ? hostfs_host_gid() :
			attr->ia_gid;
	}
	if (attr->ia_valid & ATTR_ATIME) {
		a.valid |= HOSTFS_ATTR_ATIME;
		a.atime = (struct hostfs_time){ attr->ia_atime.tv_sec,
						attr->ia_atime.tv_nsec };
	}
	if (attr->ia_valid & ATTR_MTIME) {
		a.valid |= HOSTFS_ATTR_MTIME;
		a.mtime = (struct hostfs_time){ attr->ia_mtime.tv_sec,
						attr->ia_mtime.tv_nsec };
	}
	err = hostfs_setattr(HOSTFS_I(inode)->path, open_fd(inode), &a);
	refresh_inode(inode);
	if (!err && (a.valid & HOSTFS_ATTR_SIZE))
		filemap_resize(inode, a.size);
	return err;
}

/*
 * Extended attributes, "user." only (sb->s_xattr): the VFS's xattr inode
 * operations (fs.h) on the host file's. The VFS has checked the name, the
 * guest's permissions and that the inode is a file or a directory; the
 * host's errnos (ENODATA, ERANGE, EEXIST, ENOSPC, EOPNOTSUPP where the
 * host filesystem has none) come back as they are.
 */
static ssize_t hostfs_getxattr_op(struct inode *inode, const char *name,
				  void *value, size_t size)
{
	if (strncmp(name, "user.", 5))
		return -EOPNOTSUPP;
	return hostfs_getxattr(HOSTFS_I(inode)->path, open_fd(inode), name,
			       value, size);
}

static int hostfs_setxattr_op(struct inode *inode, const char *name,
			      const void *value, size_t size, int flags)
{
	int err;

	if (strncmp(name, "user.", 5))
		return -EOPNOTSUPP;
	err = hostfs_setxattr(HOSTFS_I(inode)->path, open_fd(inode), name,
			      value, size, flags);
	refresh_inode(inode);
	return err;
}

/* The host's list with every name outside "user." left out. */
static ssize_t hostfs_listxattr_op(struct inode *inode, char *list, size_t size)
{
	long n = hostfs_listxattr(HOSTFS_I(inode)->path, open_fd(inode),
				  NULL, 0);
	char *all, *p;
	size_t out = 0;

	if (n <= 0)
		return n == -EOPNOTSUPP ? 0 : n;
	all = kmalloc(n);
	if (!all)
		return -ENOMEM;
	n = hostfs_listxattr(HOSTFS_I(inode)->path, open_fd(inode), all, n);
	for (p = all; n > 0 && p < all + n; p += strlen(p) + 1) {
		size_t len = strlen(p) + 1;

		if (strncmp(p, "user.", 5))
			continue;
		if (size && out + len > size) {
			out = (size_t)-ERANGE;
			break;
		}
		if (size)
			memcpy(list + out, p, len);
		out += len;
	}
	kfree(all);
	return n < 0 ? n : (ssize_t)out;
}

static const struct inode_operations hostfs_dir_iops = {
	.lookup = hostfs_lookup,
	.create = hostfs_create_op,
	.mkdir = hostfs_mkdir_op,
	.mknod = hostfs_mknod_op,
	.symlink = hostfs_symlink_op,
	.link = hostfs_link_op,
	.unlink = hostfs_unlink_op,
	.rmdir = hostfs_rmdir_op,
	.rename = hostfs_rename_op,
	.setattr = hostfs_setattr_op,
	.getxattr = hostfs_getxattr_op,
	.setxattr = hostfs_setxattr_op,
	.listxattr = hostfs_listxattr_op,
};

static const struct inode_operations hostfs_file_iops = {
	.setattr = hostfs_setattr_op,
	.getxattr = hostfs_getxattr_op,
	.setxattr = hostfs_setxattr_op,
	.listxattr = hostfs_listxattr_op,
};

static const struct inode_operations hostfs_link_iops = {
	.readlink = hostfs_readlink_op,
	.setattr = hostfs_setattr_op,
};

static const struct inode_operations hostfs_special_iops = {
	.setattr = hostfs_setattr_op,
};

/* ---- file operations ---- */

static struct hostfs_file *HOSTFS_F(const struct file *file)
{
	return file->private_data;
}

/* Open: the fd its create left, or the host object opened afresh. */
static int hostfs_open(struct inode *inode, struct file *file)
{
	struct hostfs_inode_info *hi = HOSTFS_I(inode);
	struct hostfs_file *hf;
	int flags = (file->f_mode & FMODE_WRITE) ?
		    ((file->f_mode & FMODE_READ) ? O_RDWR : O_WRONLY) : O_RDONLY;
	int fd = hi->create_fd;

	hf = kzalloc(sizeof(*hf));
	if (!hf)
		return -ENOMEM;
	if (fd >= 0) {
		hi->create_fd = -1;
	} else if (nr_open >= HOSTFS_MAX_OPEN) {
		kfree(hf);
		return -ENFILE;
	} else {
		fd = hostfs_open_file(hi->path, flags, S_ISDIR(inode->i_mode));
		if (fd < 0) {
			kfree(hf);
			return fd;
		}
		nr_open++;
	}
	hf->fd = fd;
	hf->inode = inode;
	list_add_tail(&hf->i_list, &hi->files);
	file->private_data = hf;
	return 0;
}

static int hostfs_release(struct inode *inode, struct file *file)
{
	struct hostfs_file *hf = HOSTFS_F(file);

	if (!hf)
		return 0;
	list_del_init(&hf->i_list);
	hostfs_close(hf->fd);
	nr_open--;
	kfree(hf);
	return 0;
}

static ssize_t hostfs_read(struct file *file, char *buf, size_t len,
			   loff_t *pos)
{
	long n;

	if (*pos < 0)
		return -EINVAL;
	n = hostfs_pread(HOSTFS_F(file)->fd, buf, len, *pos);
	if (n > 0)
		*pos += n;
	return n;
}

/* write(2): at the host file's end for O_APPEND; the inode follows the
 * host's size, times and mode (the host clears setuid on write). */
static ssize_t hostfs_write(struct file *file, const char *buf, size_t len,
			    loff_t *pos)
{
	struct inode *inode = file->f_inode;
	int fd = HOSTFS_F(file)->fd;
	struct hostfs_stat st;
	long n;

	if (file->f_flags & O_APPEND) {
		n = hostfs_fstat(fd, &st);
		if (n)
			return n;
		*pos = st.size;
	}
	if (*pos < 0)
		return -EINVAL;
	n = hostfs_pwrite(fd, buf, len, *pos);
	if (n > 0)
		*pos += n;
	if (hostfs_fstat(fd, &st) == 0)
		fill_inode(inode, &st);
	return n;
}

/* SEEK_END and SEEK_DATA see the host's size now. */
static loff_t hostfs_llseek(struct file *file, loff_t off, int whence)
{
	struct hostfs_stat st;

	if (hostfs_fstat(HOSTFS_F(file)->fd, &st) == 0)
		fill_inode(file->f_inode, &st);
	return generic_file_llseek(file, off, whence);
}

static int hostfs_fsync_op(struct file *file, int datasync)
{
	return hostfs_fsync(HOSTFS_F(file)->fd, datasync);
}

/* Hands one entry to the VFS's actor with ctx->pos at the next entry;
 * on a full buffer ctx->pos goes back so the entry comes again. */
static bool hostfs_filldir(void *priv, const char *name, int len,
			   uint64_t next, uint64_t ino, unsigned int dtype)
{
	struct dir_context *ctx = priv;
	loff_t saved = ctx->pos;

	ctx->pos = next;
	if (ctx->actor(ctx, name, len, next, ino, dtype))
		return true;
	ctx->pos = saved;
	return false;
}

static int hostfs_iterate(struct file *file, struct dir_context *ctx)
{
	uint64_t pos = ctx->pos;
	int err;

	if (ctx->pos < 0)
		return 0;
	err = hostfs_readdir(HOSTFS_F(file)->fd, &pos, hostfs_filldir, ctx);
	ctx->pos = pos;
	return err;
}

static const struct file_operations hostfs_file_fops = {
	.open = hostfs_open,
	.release = hostfs_release,
	.read = hostfs_read,
	.write = hostfs_write,
	.llseek = hostfs_llseek,
	.fsync = hostfs_fsync_op,
};

static const struct file_operations hostfs_dir_fops = {
	.open = hostfs_open,
	.release = hostfs_release,
	.iterate = hostfs_iterate,
	.fsync = hostfs_fsync_op,
};

/* ---- the superblock ---- */

static int hostfs_statfs_op(struct super_block *sb, struct kstatfs *buf)
{
	struct hostfs_statfs st;
	int err = hostfs_statfs(&st);

	if (err)
		return err;
	memset(buf, 0, sizeof(*buf));
	buf->f_type = HOSTFS_SUPER_MAGIC;
	buf->f_bsize = buf->f_frsize = st.bsize;
	buf->f_blocks = st.blocks;
	buf->f_bfree = st.bfree;
	buf->f_bavail = st.bavail;
	buf->f_files = st.files;
	buf->f_ffree = st.ffree;
	buf->f_fsid = st.fsid;
	buf->f_namelen = st.namelen;
	return 0;
}

static void hostfs_evict_inode(struct inode *inode)
{
	struct hostfs_inode_info *hi = HOSTFS_I(inode);

	if (!hi)
		return;
	if (hi->create_fd >= 0) {
		hostfs_close(hi->create_fd);
		nr_open--;
	}
	kfree(hi->path);
	kfree(hi);
	inode->i_private = NULL;
}

static void hostfs_put_super(struct super_block *sb)
{
	struct hostfs_sb_info *sbi = HOSTFS_SB(sb);

	if (!sbi)
		return;
	kfree(sbi->prefix);
	kfree(sbi);
	sb->s_fs_info = NULL;
}

static const struct super_operations hostfs_sops = {
	.statfs = hostfs_statfs_op,
	.put_super = hostfs_put_super,
	.evict_inode = hostfs_evict_inode,
};

/*
 * The mount's directory in the share from the option's path: the share's
 * own path or one beneath it, else a path taken relative to the share.
 * "" for the share itself. Components "." and empty ones are dropped; a
 * ".." is -EINVAL (the mount names a directory in the share, by its name).
 */
static char *share_relative(const char *opt)
{
	size_t rl = strlen(hostfs_root_dir), len;
	const char *p = opt, *end;
	char *rel, *q;

	while (rl > 1 && hostfs_root_dir[rl - 1] == '/')
		rl--;
	if (!strncmp(p, hostfs_root_dir, rl) && (!p[rl] || p[rl] == '/'))
		p += rl;
	rel = kzalloc(strlen(p) + 1);
	if (!rel)
		return ERR_PTR(-ENOMEM);
	for (q = rel; *p; p = end) {
		while (*p == '/')
			p++;
		end = strchrnul(p, '/');
		len = end - p;
		if (!len || (len == 1 && p[0] == '.'))
			continue;
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			kfree(rel);
			return ERR_PTR(-EINVAL);
		}
		if (q != rel)
			*q++ = '/';
		memcpy(q, p, len);
		q += len;
	}
	return rel;
}

/* "PATH[,uid=N][,gid=N]": the path first, then the id options. */
static int parse_options(char *data, const char **path,
			 struct hostfs_sb_info *sbi)
{
	char *opt, *rest = data, *end;
	unsigned long v;

	*path = "";
	for (int i = 0; (opt = strsep(&rest, ",")); i++) {
		if (!strncmp(opt, "uid=", 4) || !strncmp(opt, "gid=", 4)) {
			v = strtoul(opt + 4, &end, 10);
			if (!opt[4] || *end || v >= (uid_t)-1)
				return -EINVAL;
			if (opt[0] == 'u')
				sbi->uid = v;
			else
				sbi->gid = v;
		} else if (i == 0) {
			*path = opt;
		} else if (*opt) {
			printk(KERN_ERR "hostfs: unknown mount option "
			       "\"%s\"\n", opt);
			return -EINVAL;
		}
	}
	return 0;
}

static int hostfs_fill_super(struct super_block *sb, const char *dev_name,
			     void *data, int flags)
{
	struct hostfs_sb_info *sbi;
	struct hostfs_stat st;
	struct inode *root;
	const char *path;
	char *opts = kstrdup(data ? data : ""), *rel;
	int err;

	if (!hostfs_root_dir || !hostfs_share_open()) {
		printk(KERN_ERR "hostfs: refused: umk was booted without "
		       "hostfs=DIR\n");
		kfree(opts);
		return -EPERM;
	}
	sbi = kzalloc(sizeof(*sbi));
	err = -ENOMEM;
	if (!sbi || !opts)
		goto out_free;
	err = parse_options(opts, &path, sbi);
	if (err)
		goto out_free;
	rel = share_relative(path);
	err = PTR_ERR(rel);
	if (IS_ERR(rel))
		goto out_free;
	err = hostfs_stat(rel, &st);
	if (!err && !S_ISDIR(st.mode))
		err = -ENOTDIR;
	if (err) {
		kfree(rel);
		goto out_free;
	}
	sbi->prefix = rel;
	sb->s_fs_info = sbi;
	sb->s_magic = HOSTFS_SUPER_MAGIC;
	sb->s_blocksize = PAGE_SIZE;
	sb->s_xattr = XATTR_NS_USER;
	sb->s_op = &hostfs_sops;
	path = kstrdup(rel);
	root = path ? hostfs_iget(sb, (char *)path, &st) : NULL;
	sb->s_root = root ? d_make_root(root) : NULL;
	if (!sb->s_root) {
		hostfs_put_super(sb);
		kfree(opts);
		return -ENOMEM;
	}
	kfree(opts);
	return 0;
out_free:
	kfree(sbi);
	kfree(opts);
	return err;
}

static struct file_system_type hostfs_type = {
	.name = "hostfs",
	.fill_super = hostfs_fill_super,
};

int hostfs_setup(void)
{
	return hostfs_root_dir ? hostfs_open_share(hostfs_root_dir) : 0;
}

int init_hostfs(void)
{
	return register_filesystem(&hostfs_type);
}
