/*
 * ext2/ext3/ext4, kernel side: the inode operations. Directory methods
 * (lookup, create, mkdir, mknod, symlink, link, unlink, rmdir, rename),
 * readlink and setattr. Each takes sb->s_lock around its calls across the
 * wall and re-reads the in-core inodes the change touched.
 * Semantics: Linux fs/ext4/namei.c, fs/ext4/inode.c (ext4_setattr).
 */
#include <umk/kernel.h>
#include <umk/fs.h>
#include <umk/sched.h>
#include <stdio.h>		/* RENAME_NOREPLACE, RENAME_EXCHANGE */
#include <sys/sysmacros.h>
#include <umk/xattr.h>
#include "ext2.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#define RENAME_EXCHANGE (1 << 1)
#define RENAME_WHITEOUT (1 << 2)
#endif

static int check_name(const struct qstr *name)
{
	if (!name->len)
		return -ENOENT;
	return name->len > EXT2_HOST_NAME_LEN ? -ENAMETOOLONG : 0;
}

static int ext2_lookup(struct inode *dir, const struct qstr *name,
		       struct inode **res)
{
	struct super_block *sb = dir->i_sb;
	uint32_t ino;
	int err = check_name(name);

	if (err)
		return err;
	mutex_lock(&sb->s_lock);
	err = ext2_host_lookup(EXT2_HOST(sb), dir->i_ino, name->name,
			       name->len, &ino);
	if (!err)
		err = ext2_iget_locked(sb, ino, res);
	mutex_unlock(&sb->s_lock);
	return err;
}

/*
 * Create name in dir as a new inode of mode (type and permissions),
 * owned as Linux inode_init_owner says (fsuid; dir's group and setgid bit
 * when dir is setgid). rdev for devices, target for symlinks.
 */
static int new_node(struct inode *dir, const struct qstr *name, mode_t mode,
		    dev_t rdev, const char *target, struct inode **res)
{
	struct super_block *sb = dir->i_sb;
	struct ext2_time now = ext2_now();
	struct ext2_attr a = { .atime = now, .mtime = now, .ctime = now };
	struct inode *inode;
	uint32_t ino;
	int err = check_name(name);

	if (err)
		return err;
	inode = new_inode(sb);
	if (!inode)
		return -ENOMEM;
	inode_init_owner(inode, dir, mode);
	a.mode = inode->i_mode;
	a.uid = inode->i_uid;
	a.gid = inode->i_gid;
	a.rdev_major = major(rdev);
	a.rdev_minor = minor(rdev);
	mutex_lock(&sb->s_lock);
	err = ext2_host_create(EXT2_HOST(sb), dir->i_ino, name->name,
			       name->len, &a, target, &ino);
	if (!err) {
		inode->i_ino = ino;
		ext2_refresh_inode(inode);
		ext2_set_ops(inode);
	}
	ext2_refresh_inode(dir);
	mutex_unlock(&sb->s_lock);
	if (err) {
		iput(inode);
		return err;
	}
	*res = inode;
	return 0;
}

static int ext2_create(struct inode *dir, const struct qstr *name,
		       mode_t mode, struct inode **res)
{
	return new_node(dir, name, S_IFREG | (mode & 07777), 0, NULL, res);
}

static int ext2_mkdir(struct inode *dir, const struct qstr *name, mode_t mode,
		      struct inode **res)
{
	return new_node(dir, name, S_IFDIR | (mode & 07777), 0, NULL, res);
}

/* mknod: regular files, devices, FIFOs and sockets; -EINVAL otherwise. */
static int ext2_mknod(struct inode *dir, const struct qstr *name, mode_t mode,
		      dev_t rdev, struct inode **res)
{
	switch (mode & S_IFMT) {
	case 0:
		mode |= S_IFREG;
		break;
	case S_IFREG: case S_IFCHR: case S_IFBLK: case S_IFIFO: case S_IFSOCK:
		break;
	default:
		return -EINVAL;
	}
	if (!S_ISCHR(mode) && !S_ISBLK(mode))
		rdev = 0;
	return new_node(dir, name, mode, rdev, NULL, res);
}

static int ext2_symlink(struct inode *dir, const struct qstr *name,
			const char *target, struct inode **res)
{
	return new_node(dir, name, S_IFLNK | 0777, 0, target, res);
}

static int ext2_link(struct inode *old, struct inode *dir,
		     const struct qstr *name)
{
	struct super_block *sb = dir->i_sb;
	struct ext2_time now = ext2_now();
	int err = check_name(name);

	if (err)
		return err;
	mutex_lock(&sb->s_lock);
	err = ext2_host_link(EXT2_HOST(sb), dir->i_ino, name->name, name->len,
			     old->i_ino, &now);
	ext2_refresh_inode(old);
	ext2_refresh_inode(dir);
	mutex_unlock(&sb->s_lock);
	return err;
}

static int ext2_unlink(struct inode *dir, const struct qstr *name,
		       struct inode *victim)
{
	struct super_block *sb = dir->i_sb;
	struct ext2_time now = ext2_now();
	int err;

	mutex_lock(&sb->s_lock);
	err = ext2_host_unlink(EXT2_HOST(sb), dir->i_ino, name->name,
			       name->len, victim->i_ino, &now);
	ext2_refresh_inode(victim);
	ext2_refresh_inode(dir);
	mutex_unlock(&sb->s_lock);
	return err;
}

static int ext2_rmdir(struct inode *dir, const struct qstr *name,
		      struct inode *victim)
{
	struct super_block *sb = dir->i_sb;
	struct ext2_time now = ext2_now();
	int err;

	mutex_lock(&sb->s_lock);
	err = ext2_host_rmdir(EXT2_HOST(sb), dir->i_ino, name->name,
			      name->len, victim->i_ino, &now);
	ext2_refresh_inode(victim);
	ext2_refresh_inode(dir);
	mutex_unlock(&sb->s_lock);
	return err;
}

/* rename(2)/renameat2(2): RENAME_NOREPLACE and RENAME_EXCHANGE; a
 * RENAME_WHITEOUT (overlayfs only) is -EINVAL. */
static int ext2_rename(struct inode *olddir, const struct qstr *oldname,
		       struct inode *old_victim, struct inode *newdir,
		       const struct qstr *newname, struct inode *new_victim,
		       unsigned int flags)
{
	struct super_block *sb = olddir->i_sb;
	struct ext2_time now = ext2_now();
	unsigned int hflags = 0;
	int err;

	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE) ||
	    ((flags & RENAME_NOREPLACE) && (flags & RENAME_EXCHANGE)))
		return -EINVAL;
	err = check_name(newname);
	if (err)
		return err;
	if (flags & RENAME_NOREPLACE)
		hflags |= EXT2_RENAME_NOREPLACE;
	if (flags & RENAME_EXCHANGE)
		hflags |= EXT2_RENAME_EXCHANGE;
	mutex_lock(&sb->s_lock);
	err = ext2_host_rename(EXT2_HOST(sb), olddir->i_ino, oldname->name,
			       oldname->len, old_victim->i_ino, newdir->i_ino,
			       newname->name, newname->len,
			       new_victim ? new_victim->i_ino : 0, hflags,
			       &now);
	ext2_refresh_inode(old_victim);
	ext2_refresh_inode(new_victim);
	ext2_refresh_inode(olddir);
	if (newdir != olddir)
		ext2_refresh_inode(newdir);
	mutex_unlock(&sb->s_lock);
	return err;
}

static long ext2_readlink(struct inode *inode, char *buf, size_t size)
{
	struct super_block *sb = inode->i_sb;
	long ret;

	mutex_lock(&sb->s_lock);
	ret = ext2_host_readlink(EXT2_HOST(sb), inode->i_ino, buf, size);
	mutex_unlock(&sb->s_lock);
	return ret;
}

/* The fields of attr as ext2 attributes: the EXT2_ATTR_* mask to store. */
static unsigned int iattr_to_ext2(const struct iattr *attr,
				  struct ext2_time now, struct ext2_attr *a)
{
	unsigned int valid = attr->ia_valid, mask = EXT2_ATTR_CTIME;

	a->ctime = (valid & ATTR_CTIME) ? ext2_ts(attr->ia_ctime) : now;
	if (valid & ATTR_SIZE) {
		mask |= EXT2_ATTR_MTIME;
		a->mtime = now;
	}
	if (valid & ATTR_MODE) {
		mask |= EXT2_ATTR_MODE;
		a->mode = attr->ia_mode;
	}
	if (valid & ATTR_UID) {
		mask |= EXT2_ATTR_UID;
		a->uid = attr->ia_uid;
	}
	if (valid & ATTR_GID) {
		mask |= EXT2_ATTR_GID;
		a->gid = attr->ia_gid;
	}
	if (valid & ATTR_ATIME) {
		mask |= EXT2_ATTR_ATIME;
		a->atime = ext2_ts(attr->ia_atime);
	}
	if (valid & ATTR_MTIME) {
		mask |= EXT2_ATTR_MTIME;
		a->mtime = ext2_ts(attr->ia_mtime);
	}
	return mask;
}

/*
 * chmod, chown, truncate, utimes (checked by the VFS). ctime becomes now
 * (or ia_ctime); a size change (ATTR_SIZE) also sets mtime unless the
 * caller gave one, as Linux's do_truncate does. -EISDIR / -EINVAL for a
 * size change of a directory / non-regular file, -EFBIG past the format's
 * limit, -EROFS on a read-only mount.
 */
static int ext2_setattr(struct inode *inode, const struct iattr *attr)
{
	struct super_block *sb = inode->i_sb;
	struct ext2_attr a = { 0 };
	unsigned int mask;
	int err = 0;

	if (attr->ia_valid & ATTR_SIZE) {
		if (S_ISDIR(inode->i_mode))
			return -EISDIR;
		if (!S_ISREG(inode->i_mode) || attr->ia_size < 0)
			return -EINVAL;
	}
	mask = iattr_to_ext2(attr, ext2_now(), &a);
	mutex_lock(&sb->s_lock);
	if (attr->ia_valid & ATTR_SIZE)
		err = ext2_host_truncate(EXT2_HOST(sb), inode->i_ino,
					 attr->ia_size);
	if (!err)
		err = ext2_host_write_attr(EXT2_HOST(sb), inode->i_ino, &a,
					   mask);
	ext2_refresh_inode(inode);
	mutex_unlock(&sb->s_lock);
	return err;
}

/* --- extended attributes (the VFS checked names and permissions) --- */

static ssize_t ext2_getxattr(struct inode *inode, const char *name,
			     void *value, size_t size)
{
	struct super_block *sb = inode->i_sb;
	ssize_t ret;

	mutex_lock(&sb->s_lock);
	ret = ext2_host_getxattr(EXT2_HOST(sb), inode->i_ino, name, value,
				 size);
	mutex_unlock(&sb->s_lock);
	return ret;
}

static int ext2_setxattr(struct inode *inode, const char *name,
			 const void *value, size_t size, int flags)
{
	struct super_block *sb = inode->i_sb;
	int hflags = ((flags & XATTR_CREATE) ? EXT2_XATTR_CREATE : 0) |
		     ((flags & XATTR_REPLACE) ? EXT2_XATTR_REPLACE : 0);
	struct ext2_time now = ext2_now();
	int err;

	mutex_lock(&sb->s_lock);
	err = ext2_host_setxattr(EXT2_HOST(sb), inode->i_ino, name, value,
				 size, hflags, &now);
	ext2_refresh_inode(inode);
	mutex_unlock(&sb->s_lock);
	return err;
}

static ssize_t ext2_listxattr(struct inode *inode, char *list, size_t size)
{
	struct super_block *sb = inode->i_sb;
	ssize_t ret;

	mutex_lock(&sb->s_lock);
	ret = ext2_host_listxattr(EXT2_HOST(sb), inode->i_ino, list, size);
	mutex_unlock(&sb->s_lock);
	return ret;
}

const struct inode_operations ext2_dir_inode_operations = {
	.lookup = ext2_lookup,
	.create = ext2_create,
	.mkdir = ext2_mkdir,
	.mknod = ext2_mknod,
	.symlink = ext2_symlink,
	.link = ext2_link,
	.unlink = ext2_unlink,
	.rmdir = ext2_rmdir,
	.rename = ext2_rename,
	.setattr = ext2_setattr,
	.getxattr = ext2_getxattr,
	.setxattr = ext2_setxattr,
	.listxattr = ext2_listxattr,
};

const struct inode_operations ext2_file_inode_operations = {
	.setattr = ext2_setattr,
	.getxattr = ext2_getxattr,
	.setxattr = ext2_setxattr,
	.listxattr = ext2_listxattr,
};

const struct inode_operations ext2_symlink_inode_operations = {
	.readlink = ext2_readlink,
	.setattr = ext2_setattr,
	.getxattr = ext2_getxattr,
	.setxattr = ext2_setxattr,
	.listxattr = ext2_listxattr,
};

const struct inode_operations ext2_special_inode_operations = {
	.setattr = ext2_setattr,
	.getxattr = ext2_getxattr,
	.setxattr = ext2_setxattr,
	.listxattr = ext2_listxattr,
};
