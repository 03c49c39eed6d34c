/*
 * devtmpfs: a tmpfs that arrives filled with the device nodes umk's drivers
 * provide (mem, the console, the configured ubd disks), the usual /dev
 * symlinks into /proc/self/fd and the pts and shm directories. The VFS
 * keeps a single instance (as Linux does), filled at its first mount;
 * after that it is an ordinary tmpfs. Modes as Linux's devtmpfs with the
 * drivers' devnode() hints.
 * Model: Linux drivers/base/devtmpfs.c.
 */
#include <umk/fs.h>
#include <umk/init.h>
#include <umk/ubd.h>
#include <umk/tty.h>
#include <sys/sysmacros.h>
#include <stdio.h>
#include "tmpfs.h"

#define MEM_MAJOR 1

/* The single devtmpfs instance once mounted (hot-plugged nodes go there). */
static struct super_block *devtmpfs_sb;

struct devtmpfs_node {
	const char *name;
	mode_t mode;			/* type and permission bits */
	unsigned int major, minor;	/* device nodes */
	const char *target;		/* symlinks */
};

static const struct devtmpfs_node devtmpfs_nodes[] = {
	{ "null",	S_IFCHR | 0666, MEM_MAJOR, 3 },
	{ "zero",	S_IFCHR | 0666, MEM_MAJOR, 5 },
	{ "full",	S_IFCHR | 0666, MEM_MAJOR, 7 },
	{ "random",	S_IFCHR | 0666, MEM_MAJOR, 8 },
	{ "urandom",	S_IFCHR | 0666, MEM_MAJOR, 9 },
	{ "tty",	S_IFCHR | 0666, TTYAUX_MAJOR, 0 },
	{ "console",	S_IFCHR | 0600, TTYAUX_MAJOR, 1 },
	{ "tty0",	S_IFCHR | 0600, TTY_MAJOR, 0 },
	{ "ptmx",	S_IFCHR | 0666, TTYAUX_MAJOR, 2 },
	{ "fd",		S_IFLNK | 0777, 0, 0, "/proc/self/fd" },
	{ "stdin",	S_IFLNK | 0777, 0, 0, "/proc/self/fd/0" },
	{ "stdout",	S_IFLNK | 0777, 0, 0, "/proc/self/fd/1" },
	{ "stderr",	S_IFLNK | 0777, 0, 0, "/proc/self/fd/2" },
	{ "pts",	S_IFDIR | 0755 },
	{ "shm",	S_IFDIR | S_ISVTX | 0777 },
};

/* Create the nodes in the root directory dir. 0 or -errno. */
static int devtmpfs_populate(struct inode *dir)
{
	const struct devtmpfs_node *n;
	char name[8];
	int err, i;

	for (n = devtmpfs_nodes; n < devtmpfs_nodes + ARRAY_SIZE(devtmpfs_nodes);
	     n++) {
		err = tmpfs_make_node(dir, n->name, n->mode,
				      makedev(n->major, n->minor), n->target,
				      NULL);
		if (err)
			return err;
	}
	for (i = 0; i < UBD_MAX_DEV; i++) {
		if (!ubd_get(i))
			continue;
		snprintf(name, sizeof(name), "ubd%c", 'a' + i);
		err = tmpfs_make_node(dir, name, S_IFBLK | 0660,
				      makedev(UBD_MAJOR, i << UBD_SHIFT), NULL,
				      NULL);
		if (err)
			return err;
	}
	return 0;
}

/* Mount: a tmpfs with a 0755 root (mode= may change it), then the nodes.
 * On failure everything made so far is torn down. 0 or -errno. */
static int devtmpfs_fill_super(struct super_block *sb, const char *dev_name,
			       void *data, int flags)
{
	int err = tmpfs_fill_super_mode(sb, data, 0755);

	if (err)
		return err;
	err = devtmpfs_populate(sb->s_root->d_inode);
	if (err) {
		sb->s_op->put_super(sb);
		dput(sb->s_root);
		sb->s_root = NULL;
		return err;
	}
	devtmpfs_sb = sb;
	return 0;
}

struct super_block *devtmpfs_super(void)
{
	return devtmpfs_sb && devtmpfs_sb->s_root ? devtmpfs_sb : NULL;
}

static struct file_system_type devtmpfs_fs_type = {
	.name = "devtmpfs",
	.fill_super = devtmpfs_fill_super,
};

int init_devtmpfs(void)
{
	return register_filesystem(&devtmpfs_fs_type);
}
