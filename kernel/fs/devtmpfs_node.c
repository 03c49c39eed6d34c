/*
 * Hot-plugged device nodes (Linux drivers/base/devtmpfs.c,
 * devtmpfs_create_node / devtmpfs_delete_node): a disk added or removed
 * while umk runs (the mconsole's config and remove) appears in or leaves
 * the devtmpfs instance, if one is mounted.
 */
#include <umk/fs.h>
#include <string.h>
#include "internal.h"
#include "tmpfs.h"

int devtmpfs_create_node(const char *name, mode_t mode, dev_t dev)
{
	struct super_block *sb = devtmpfs_super();

	if (!sb)
		return 0;
	return tmpfs_make_node(sb->s_root->d_inode, name, mode, dev, NULL,
			       NULL);
}

int devtmpfs_delete_node(const char *name)
{
	struct qstr q = { .name = name, .len = strlen(name) };
	struct super_block *sb = devtmpfs_super();
	struct inode *dir;
	struct dentry *d;
	int err;

	if (!sb)
		return 0;
	dir = sb->s_root->d_inode;
	lock_dir();
	d = lookup_one(sb->s_root, &q);
	err = PTR_ERR(d);
	if (IS_ERR(d))
		goto out_unlock;
	err = 0;
	if (d->d_inode && !S_ISDIR(d->d_inode->i_mode) && !d->d_mounted &&
	    dir->i_op && dir->i_op->unlink) {
		err = dir->i_op->unlink(dir, &q, d->d_inode);
		if (!err)
			d_delete(d);
	}
	dput(d);
out_unlock:
	unlock_dir();
	return err;
}
