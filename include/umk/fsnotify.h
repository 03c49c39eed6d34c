/*
 * VFS change notification hooks (kernel/fs/inotify.c), called once from
 * each VFS operation as Linux include/linux/fsnotify.h: the inotify
 * watches on the inode, and on its directory for events about a named
 * child, get events. Each hook is cheap when nothing is watched.
 */
#ifndef UMK_FSNOTIFY_H
#define UMK_FSNOTIFY_H

#include <umk/fs.h>

struct inotify_watch;

/* dentry was created in dir (create, mkdir, mknod, symlink): IN_CREATE. */
void fsnotify_create(struct inode *dir, struct dentry *dentry);
/* A new name dentry in dir for inode (link): IN_CREATE, IN_ATTRIB. */
void fsnotify_link(struct inode *dir, struct inode *inode,
		   struct dentry *dentry);
/* dentry (its inode still attached) was unlinked from / removed as a
 * directory from dir: IN_ATTRIB (unlink), IN_DELETE_SELF and IN_IGNORED
 * when no link is left, IN_DELETE on dir. */
void fsnotify_unlink(struct inode *dir, struct dentry *dentry);
void fsnotify_rmdir(struct inode *dir, struct dentry *dentry);
/* source moved from old_dir/old_name to new_dir/new_name over target
 * (or NULL): IN_MOVED_FROM and IN_MOVED_TO with one cookie, IN_MOVE_SELF,
 * and for target IN_ATTRIB (+ IN_DELETE_SELF when its last link went). */
void fsnotify_move(struct inode *old_dir, struct inode *new_dir,
		   const struct qstr *old_name, const struct qstr *new_name,
		   struct inode *source, struct inode *target);
/* File events: IN_OPEN, IN_ACCESS (read), IN_MODIFY (write), and at the
 * last fput IN_CLOSE_WRITE or IN_CLOSE_NOWRITE. */
void fsnotify_open(struct file *f);
void fsnotify_access(struct file *f);
void fsnotify_modify(struct file *f);
void fsnotify_close(struct file *f);
/* Attributes of dentry's inode changed (ATTR_* of ia_valid): IN_ATTRIB,
 * or IN_MODIFY for a size change, IN_ACCESS/IN_MODIFY for one time
 * alone (Linux fsnotify_change). */
void fsnotify_change(struct dentry *dentry, unsigned int ia_valid);

/* sb is going away (its last mount): every watch on its inodes gets
 * IN_UNMOUNT and IN_IGNORED and goes, dropping its inode reference. */
void fsnotify_sb_delete(struct super_block *sb);

/* Default limits (/proc/sys/fs/inotify/). */
#define INOTIFY_MAX_USER_INSTANCES	128
#define INOTIFY_MAX_USER_WATCHES	8192
#define INOTIFY_MAX_QUEUED_EVENTS	16384

#endif
