/*
 * ext2/ext3/ext4, kernel side: the three filesystem types, mounting on a
 * ubd device (fill_super), the super operations (statfs, sync, unmount,
 * inode write-back and eviction) and the inode cache glue (iget).
 * Semantics: Linux fs/ext4/super.c and fs/ext4/inode.c (ext4_iget).
 */
#include <umk/kernel.h>
#include <umk/fs.h>
#include <umk/init.h>
#include <umk/ubd.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/sysmacros.h>
#include <umk/xattr.h>
#include "ext2.h"

void ext2_fill_inode(struct inode *inode, const struct ext2_attr *a)
{
	inode->i_mode = a->mode;
	inode->i_uid = a->uid;
	inode->i_gid = a->gid;
	inode->i_nlink = a->nlink;
	inode->i_size = a->size;
	inode->i_blocks = a->blocks;
	inode->i_atime = (struct timespec){ a->atime.sec, a->atime.nsec };
	inode->i_mtime = (struct timespec){ a->mtime.sec, a->mtime.nsec };
	inode->i_ctime = (struct timespec){ a->ctime.sec, a->ctime.nsec };
	inode->i_rdev = (S_ISCHR(a->mode) || S_ISBLK(a->mode)) ?
			makedev(a->rdev_major, a->rdev_minor) : 0;
	inode->i_blkbits = __builtin_ctzl(inode->i_sb->s_blocksize);
}

/* Devices, FIFOs and sockets get no f_op: the VFS's open routes them. */
void ext2_set_ops(struct inode *inode)
{
	switch (inode->i_mode & S_IFMT) {
	case S_IFREG:
		inode->i_op = &ext2_file_inode_operations;
		inode->i_fop = &ext2_file_operations;
		break;
	case S_IFDIR:
		inode->i_op = &ext2_dir_inode_operations;
		inode->i_fop = &ext2_dir_operations;
		break;
	case S_IFLNK:
		inode->i_op = &ext2_symlink_inode_operations;
		inode->i_fop = NULL;
		break;
	default:
		inode->i_op = &ext2_special_inode_operations;
		inode->i_fop = NULL;
		break;
	}
}

void ext2_refresh_inode(struct inode *inode)
{
	struct ext2_attr a;

	if (inode && inode->i_ino &&
	    !ext2_host_read_attr(EXT2_HOST(inode->i_sb), inode->i_ino, &a))
		ext2_fill_inode(inode, &a);
}

static bool valid_type(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: case S_IFDIR: case S_IFLNK: case S_IFCHR:
	case S_IFBLK: case S_IFIFO: case S_IFSOCK:
		return true;
	default:
		return false;
	}
}

int ext2_iget_locked(struct super_block *sb, uint32_t ino,
		     struct inode **res)
{
	struct inode *inode = ilookup(sb, ino);
	struct ext2_attr a;
	int err;

	if (inode) {
		*res = inode;
		return 0;
	}
	err = ext2_host_read_attr(EXT2_HOST(sb), ino, &a);
	if (err)
		return err;
	if (!a.nlink || !valid_type(a.mode)) {
		printk(KERN_ERR "EXT4-fs error (device %s): ext4_iget: inode "
		       "#%u: %s\n", sb->s_id, ino, !a.nlink ?
		       "deleted inode referenced" : "bogus i_mode");
		return -EUCLEAN;
	}
	inode = new_inode(sb);
	if (!inode)
		return -ENOMEM;
	inode->i_ino = ino;
	ext2_fill_inode(inode, &a);
	ext2_set_ops(inode);
	*res = inode;
	return 0;
}

/* --- super operations --- */

static int ext2_statfs(struct super_block *sb, struct kstatfs *buf)
{
	struct ext2_statfs st;
	int err;

	mutex_lock(&sb->s_lock);
	err = ext2_host_statfs(EXT2_HOST(sb), &st);
	mutex_unlock(&sb->s_lock);
	if (err)
		return err;
	memset(buf, 0, sizeof(*buf));
	buf->f_type = EXT2_SUPER_MAGIC_NR;
	buf->f_bsize = st.bsize;
	buf->f_frsize = st.bsize;
	buf->f_blocks = st.blocks;
	buf->f_bfree = st.bfree;
	buf->f_bavail = st.bavail;
	buf->f_files = st.files;
	buf->f_ffree = st.ffree;
	buf->f_namelen = EXT2_HOST_NAME_LEN;
	buf->f_fsid = st.fsid;
	return 0;
}

int ext2_sync_device(struct super_block *sb)
{
	struct ubd *u = ubd_get_by_dev(sb->s_dev);

	return u && !(sb->s_flags & MS_RDONLY) ? ubd_flush(u) : 0;
}

static int ext2_sync_fs(struct super_block *sb, int wait)
{
	int err;

	mutex_lock(&sb->s_lock);
	err = EXT2_HOST(sb) ? ext2_host_sync(EXT2_HOST(sb)) : 0;
	mutex_unlock(&sb->s_lock);
	return err ? err : ext2_sync_device(sb);
}

/*
 * Unmount. Inodes still in core with no link left (open when their last
 * name went) are freed now, as Linux's orphan cleanup would at the next
 * mount; their later eviction finds s_fs_info NULL and does nothing.
 */
static void ext2_put_super(struct super_block *sb)
{
	struct ext2_host *h = EXT2_HOST(sb);
	struct ext2_time now = ext2_now();
	struct inode *inode;

	if (!h)
		return;
	mutex_lock(&sb->s_lock);
	if (!ext2_host_readonly(h))
		list_for_each_entry(inode, &sb->s_inodes, i_sb_list)
			if (inode->i_ino && !inode->i_nlink)
				ext2_host_free_inode(h, inode->i_ino, &now);
	ext2_host_umount(h);
	sb->s_fs_info = NULL;
	mutex_unlock(&sb->s_lock);
}

/* The last reference is gone: an inode without links loses its blocks. */
static void ext2_evict_inode(struct inode *inode)
{
	struct super_block *sb = inode->i_sb;
	struct ext2_time now;

	if (!EXT2_HOST(sb) || !inode->i_ino || inode->i_nlink ||
	    ext2_host_readonly(EXT2_HOST(sb)))
		return;
	now = ext2_now();
	mutex_lock(&sb->s_lock);
	if (EXT2_HOST(sb))
		ext2_host_free_inode(EXT2_HOST(sb), inode->i_ino, &now);
	mutex_unlock(&sb->s_lock);
}

/* mark_inode_dirty: store the attributes the VFS may have changed. */
static int ext2_write_inode(struct inode *inode)
{
	struct super_block *sb = inode->i_sb;
	struct ext2_attr a = {
		.mode = inode->i_mode, .uid = inode->i_uid,
		.gid = inode->i_gid, .atime = ext2_ts(inode->i_atime),
		.mtime = ext2_ts(inode->i_mtime),
		.ctime = ext2_ts(inode->i_ctime),
	};
	int err;

	if (!inode->i_ino || !inode->i_nlink)
		return 0;
	mutex_lock(&sb->s_lock);
	err = EXT2_HOST(sb) ? ext2_host_write_attr(EXT2_HOST(sb),
			inode->i_ino, &a, EXT2_ATTR_MODE | EXT2_ATTR_UID |
			EXT2_ATTR_GID | EXT2_ATTR_ATIME | EXT2_ATTR_MTIME |
			EXT2_ATTR_CTIME) : -EIO;
	mutex_unlock(&sb->s_lock);
	return err;
}

static const struct super_operations ext2_sops = {
	.statfs = ext2_statfs,
	.sync_fs = ext2_sync_fs,
	.put_super = ext2_put_super,
	.evict_inode = ext2_evict_inode,
	.write_inode = ext2_write_inode,
};

/* --- mounting --- */

/*
 * Mount options: the ones Linux's ext4 takes that change nothing here are
 * accepted (a trailing '=' matches any value); anything else is -EINVAL
 * after Linux's "Unrecognized mount option" line.
 */
static int check_options(const char *id, const char *data)
{
	static const char *const ok[] = {
		"defaults", "ro", "rw", "errors=", "data=", "commit=",
		"barrier", "barrier=", "nobarrier", "user_xattr",
		"nouser_xattr", "acl", "noacl", "noload", "norecovery",
		"discard", "nodiscard", "delalloc", "nodelalloc",
		"auto_da_alloc", "noauto_da_alloc", "init_itable",
		"noinit_itable", "block_validity", "noblock_validity",
		"i_version", "lazytime", "nolazytime", "relatime", "noatime",
		"strictatime", "nodiratime", "journal_checksum",
		"nojournal_checksum", "dioread_lock", "dioread_nolock",
	};
	const char *p = data, *end;
	size_t len, i, n;

	while (p && *p) {
		end = strchr(p, ',');
		len = end ? (size_t)(end - p) : strlen(p);
		for (i = 0; len && i < ARRAY_SIZE(ok); i++) {
			n = strlen(ok[i]);
			if (ok[i][n - 1] == '=' ? len >= n && !strncmp(p, ok[i], n)
			    : len == n && !strncmp(p, ok[i], n))
				break;
		}
		if (len && i == ARRAY_SIZE(ok)) {
			printk(KERN_ERR "EXT4-fs (%s): Unrecognized mount "
			       "option \"%.*s\" or missing value\n", id,
			       (int)len, p);
			return -EINVAL;
		}
		p = end ? end + 1 : NULL;
	}
	return 0;
}

/* Read the root inode and make the root dentry. */
static int make_root(struct super_block *sb)
{
	struct inode *root;
	int err;

	mutex_lock(&sb->s_lock);
	err = ext2_iget_locked(sb, EXT2_HOST_ROOT_INO, &root);
	mutex_unlock(&sb->s_lock);
	if (err)
		return err;
	if (!S_ISDIR(root->i_mode)) {
		printk(KERN_ERR "EXT4-fs (%s): get root inode failed\n",
		       sb->s_id);
		iput(root);
		return -EUCLEAN;
	}
	sb->s_root = d_make_root(root);
	return sb->s_root ? 0 : -ENOMEM;
}

static int ext2_fill_super_common(struct super_block *sb, const char *type,
				  void *data, int flags)
{
	struct ubd *u = ubd_get_by_dev(sb->s_dev);
	bool rdonly = flags & MS_RDONLY;
	struct ext2_host *h;
	char id[8];
	int err;

	if (!u)
		return -ENXIO;
	snprintf(id, sizeof(id), "ubd%c", 'a' + ubd_index(u));
	if (!sb->s_id[0])
		snprintf(sb->s_id, sizeof(sb->s_id), "%s", id);
	err = check_options(id, data);
	if (err)
		return err;
	mutex_lock(&sb->s_lock);
	err = ext2_host_mount(u, id, type, rdonly, &h);
	mutex_unlock(&sb->s_lock);
	if (err)
		return err;
	sb->s_fs_info = h;
	sb->s_magic = EXT2_SUPER_MAGIC_NR;
	sb->s_blocksize = ext2_host_blocksize(h);
	sb->s_xattr = ext2_host_has_xattr(h) ? XATTR_NS_ALL : 0;
	sb->s_op = &ext2_sops;
	if (rdonly)
		sb->s_flags |= MS_RDONLY;
	err = make_root(sb);
	if (err) {
		ext2_put_super(sb);
		return err;
	}
	printk(KERN_INFO "EXT4-fs (%s): mounted filesystem %s without "
	       "journal (%s). Quota mode: none.\n", id, rdonly ? "ro" : "r/w",
	       type);
	return 0;
}

static int ext2_fill_super(struct super_block *sb, const char *dev_name,
			   void *data, int flags)
{
	return ext2_fill_super_common(sb, "ext2", data, flags);
}

static int ext3_fill_super(struct super_block *sb, const char *dev_name,
			   void *data, int flags)
{
	return ext2_fill_super_common(sb, "ext3", data, flags);
}

static int ext4_fill_super(struct super_block *sb, const char *dev_name,
			   void *data, int flags)
{
	return ext2_fill_super_common(sb, "ext4", data, flags);
}

static struct file_system_type ext2_fs_types[] = {
	{ .name = "ext2", .fs_flags = FS_REQUIRES_DEV,
	  .fill_super = ext2_fill_super },
	{ .name = "ext3", .fs_flags = FS_REQUIRES_DEV,
	  .fill_super = ext3_fill_super },
	{ .name = "ext4", .fs_flags = FS_REQUIRES_DEV,
	  .fill_super = ext4_fill_super },
};

void ext2_init_started(void)
{
	ext2_host_init_started();
}

int init_ext2_fs(void)
{
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(ext2_fs_types); i++) {
		err = register_filesystem(&ext2_fs_types[i]);
		if (err)
			return err;
	}
	return 0;
}
