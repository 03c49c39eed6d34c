/*
 * Fakes of the kernel pieces that the filesystem unit tests (tmpfs_test,
 * proc_test) link their objects against: allocation, the inode cache,
 * dentries, `current`, the filesystem registry, the clock, and TAP output.
 * Just enough VFS for calling filesystem methods directly on the host.
 */
#ifndef UMK_TESTS_FS_FAKES_H
#define UMK_TESTS_FS_FAKES_H

#include <umk/fs.h>

extern struct cred test_cred;		/* current->cred */
extern struct task test_task;		/* current unless a test changes it */
extern int live_inodes;			/* allocated by new_inode, not freed */

/* TAP: prints "ok N - ..." or "not ok N - ..."; counts failures. */
void ok(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
extern int test_no, failures;

/* Mount a registered filesystem type on a fresh superblock (NULL and *err
 * on failure) and tear it down again (put_super, then the root dput). */
struct super_block *mount_fs(const char *type, const char *opts, int *err);
void umount_fs(struct super_block *sb);

struct qstr q(const char *name);
/* Referenced inode of name in dir, or NULL. */
struct inode *lookup(struct inode *dir, const char *name);
/* A struct file on inode with flags, f_op from i_fop. */
void file_init(struct file *f, struct inode *inode, unsigned int flags);

#endif
