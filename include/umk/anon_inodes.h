/*
 * Files without an inode of their own (Linux fs/anon_inodes.c): epoll,
 * eventfd, timerfd, signalfd and inotify descriptors all share one inode
 * (mode 0600, no file type) and differ by f_op and private_data.
 * /proc/PID/fd shows them as "anon_inode:[name]".
 */
#ifndef UMK_ANON_INODES_H
#define UMK_ANON_INODES_H

#include <umk/fs.h>

/*
 * A new file on the shared anon inode with f_op fops, private_data priv
 * and O_* flags (access mode and O_NONBLOCK; O_CLOEXEC is the caller's,
 * for the fd). name is shown as "anon_inode:name" ("[eventfd]"). Returns
 * the file with one reference or ERR_PTR(-ENOMEM).
 */
struct file *anon_inode_getfile(const char *name,
				const struct file_operations *fops,
				void *priv, unsigned int flags);
/* anon_inode_getfile, installed at the lowest free fd: the fd, or
 * -ENOMEM / -EMFILE. priv is the file's from here on: on failure it was
 * freed (f_op->release, or kfree when no file could be made), so it must
 * be one plain allocation until the fd exists. */
int anon_inode_getfd(const char *name, const struct file_operations *fops,
		     void *priv, unsigned int flags);

#endif
