/*
 * ext2/ext3/ext4, kernel side: what super.c, namei.c and file.c share.
 * The filesystem itself lives behind the wall in the *_user.c files
 * (ext2_user.h); this side turns it into VFS objects, and holds
 * sb->s_lock around every call across the wall.
 */
#ifndef EXT2_KERN_H
#define EXT2_KERN_H

#include <umk/fs.h>
#include "ext2_user.h"

#define EXT2_SUPER_MAGIC_NR 0xEF53

/* The mounted filesystem behind sb (NULL once put_super ran). */
static inline struct ext2_host *EXT2_HOST(struct super_block *sb)
{
	return sb->s_fs_info;
}

static inline struct ext2_time ext2_ts(struct timespec ts)
{
	return (struct ext2_time){ .sec = ts.tv_sec, .nsec = ts.tv_nsec };
}

static inline struct ext2_time ext2_now(void)
{
	return ext2_ts(current_time());
}

/*
 * The in-core inode ino of sb, with a new reference: the cached one, or a
 * new one read from disk. Caller holds sb->s_lock. -EUCLEAN when ino is
 * out of range, unused (a directory entry naming a deleted inode) or of
 * an unknown type; -ENOMEM, -EIO.
 */
int ext2_iget_locked(struct super_block *sb, uint32_t ino,
		     struct inode **res);
/* Copy a's attributes into inode (not i_ino, not the operation tables). */
void ext2_fill_inode(struct inode *inode, const struct ext2_attr *a);
/* Point i_op / i_fop at this filesystem's tables for inode's type. */
void ext2_set_ops(struct inode *inode);
/* Re-read inode's attributes from disk after a change (sb->s_lock held).
 * A NULL inode is allowed. */
void ext2_refresh_inode(struct inode *inode);
/* Make everything written to sb's device durable on the host (after
 * ext2_host_sync; without s_lock). 0 or -EIO. */
int ext2_sync_device(struct super_block *sb);

extern const struct inode_operations ext2_dir_inode_operations;
extern const struct inode_operations ext2_file_inode_operations;
extern const struct inode_operations ext2_symlink_inode_operations;
extern const struct inode_operations ext2_special_inode_operations;
extern const struct file_operations ext2_file_operations;
extern const struct file_operations ext2_dir_operations;

#endif
