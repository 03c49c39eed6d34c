/*
 * Boot-time registration of the built-in filesystems and drivers, called in
 * this order by start_kernel(). Each returns 0 or -errno.
 */
#ifndef UMK_INIT_H
#define UMK_INIT_H

int init_ext2_fs(void);		/* "ext2", "ext3", "ext4": kernel/fs/ext2/ */
int init_proc_fs(void);		/* "proc": kernel/fs/proc/ */
int init_devtmpfs(void);	/* "devtmpfs": kernel/fs/devfs.c */
int init_tmpfs(void);		/* "tmpfs": kernel/fs/tmpfs.c */
int init_chrdevs(void);		/* mem, tty devices: kernel/drivers/ */
int ubd_init(void);		/* ubd block devices: ubd/ubd_kern.c */

#endif
