/*
 * ubd: UML's block devices, ubd0..ubd7 (the guest's /dev/ubda..), each backed
 * by a host file. The kernel side (ubd/ubd_kern.c) owns the devices and the
 * guest-visible block device f_op; the host side (ubd/ubd_user.c) opens and
 * reads the host files. Semantics: UML arch/um/drivers/ubd_kern.c.
 * Offsets and lengths here are bytes; the device sector size is 512.
 */
#ifndef UMK_UBD_H
#define UMK_UBD_H

#include <umk/kernel.h>

#define UBD_MAX_DEV 8
#define UBD_MAJOR 98
#define UBD_SHIFT 4		/* minor = N << 4, as Linux */

struct ubd;

/*
 * Record device n (0..UBD_MAX_DEV-1) from a command line value
 * "file[,backing]" with UML flags already split off (ro). Touches nothing on
 * the host. Returns 0, -EINVAL (bad n, empty file name) or -EBUSY (n given
 * twice). A message for the user is written into err (size errlen).
 */
int ubd_setup(int n, const char *value, bool readonly, char *err, size_t errlen);
/*
 * Open every configured device's host file (read-only for ro devices). On
 * failure prints one clear line ("ubd0: cannot open rootfs.img: No such file
 * or directory") and returns -errno; nothing is written to any file.
 */
int ubd_open_all(void);
/* Device n, or NULL if not configured. */
struct ubd *ubd_get(int n);
/* Device by device number (major 98, minor n<<4), or NULL. */
struct ubd *ubd_get_by_dev(dev_t dev);
int ubd_index(const struct ubd *u);
uint64_t ubd_size(const struct ubd *u);	/* bytes */
bool ubd_readonly(const struct ubd *u);
const char *ubd_file(const struct ubd *u);	/* host path, for messages */
/* Read/write len bytes at byte offset off. 0 or -EIO (host error, or beyond
 * the device end), -EROFS (write to a read-only device). */
int ubd_read(struct ubd *u, void *buf, uint64_t off, size_t len);
int ubd_write(struct ubd *u, const void *buf, uint64_t off, size_t len);
/* Make every completed write durable on the host (fdatasync). 0 or -EIO. */
int ubd_flush(struct ubd *u);
/* Flush every device (shutdown, sync(2)). */
void ubd_sync_all(void);
/* Close the host files (shutdown). */
void ubd_close_all(void);
/* /proc/partitions text into buf; returns its length. */
size_t ubd_partitions(char *buf, size_t len);

#endif
