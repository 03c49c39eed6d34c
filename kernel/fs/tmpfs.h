/*
 * What tmpfs (kernel/fs/tmpfs.c) lends to the filesystems built on it:
 * devtmpfs fills a tmpfs superblock with device nodes at mount time, and
 * procfs reports tmpfs's memory as Shmem in /proc/meminfo.
 */
#ifndef UMK_FS_TMPFS_H
#define UMK_FS_TMPFS_H

#include <umk/fs.h>

#define TMPFS_MAGIC 0x01021994

/*
 * Fill sb as a fresh tmpfs: parse the mount options in data (NULL or
 * "size=,nr_inodes=,mode=,uid=,gid=" plus the generic flags), with
 * root_mode the root directory's mode unless "mode=" says otherwise.
 * 0, -EINVAL (bad option) or -ENOMEM.
 */
int tmpfs_fill_super_mode(struct super_block *sb, void *data, mode_t root_mode);

/*
 * Create name in the tmpfs directory dir from inside the kernel, owned by
 * root:root with exactly mode (no umask): a directory, a symlink to target
 * (S_IFLNK), a device node, FIFO or socket (rdev), or an empty regular file.
 * If res is not NULL it receives a referenced inode. 0 or -errno
 * (-EEXIST, -ENOMEM, -ENOSPC, -ENAMETOOLONG).
 */
int tmpfs_make_node(struct inode *dir, const char *name, mode_t mode,
		    dev_t rdev, const char *target, struct inode **res);

/* The devtmpfs instance once mounted (kernel/fs/devfs.c), or NULL. */
struct super_block *devtmpfs_super(void);

/* Pages of file data held by every tmpfs instance (Shmem in meminfo). */
uint64_t tmpfs_shmem_pages(void);

#endif
