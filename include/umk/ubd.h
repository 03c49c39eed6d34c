/*
 * ubd: UML's block devices, ubd0..ubd15 (the guest's /dev/ubda..ubdp),
 * each backed by a host file: a raw image, or a UML COW v3 overlay over a
 * read-only backing file. The kernel side (ubd/ubd_kern.c) owns the
 * devices and the guest-visible block device f_op; ubd/ubd_cache.c is the
 * block cache and the request path; the host side (ubd/ubd_user.c,
 * ubd/cow_user.c) opens the host files and runs the I/O threads.
 * Semantics: UML arch/um/drivers/ubd_kern.c.
 * Offsets and lengths here are bytes; the device sector size is 512.
 */
#ifndef UMK_UBD_H
#define UMK_UBD_H

#include <umk/kernel.h>

#define UBD_MAX_DEV 16
#define UBD_MAJOR 98
#define UBD_SHIFT 4		/* minor = N << 4, as Linux */

/* Flags of ubd<N><flags>=... (UML's letters). */
#define UBD_FLAG_RO	0x01	/* r: read-only */
#define UBD_FLAG_SYNC	0x02	/* s: O_SYNC, every write synchronous */
#define UBD_FLAG_NOCOW	0x04	/* d: no COW detection, the file is raw */
#define UBD_FLAG_SHARED	0x08	/* c: no host file lock */
#define UBD_FLAG_NOTRIM	0x10	/* t: no discard */

struct ubd;

/*
 * Parse one command line option "ubd<N><flags>=<file>[,<backing>][,<serial>]"
 * (',' or ':' separate the parts; N is 0..15 or a..p; flags r s d c t) and
 * record it with ubd_setup. Touches nothing on the host. 0, or -EINVAL /
 * -EBUSY with a message for the user in err.
 */
int ubd_parse_option(const char *arg, char *err, size_t errlen);
/*
 * Record device n (0..UBD_MAX_DEV-1) from "file[,backing][,serial]" and
 * UBD_FLAG_* flags. Touches nothing on the host. Returns 0, -EINVAL (bad
 * n, empty file name, d with a backing file) or -EBUSY (n given twice). A
 * message for the user is written into err (size errlen).
 */
int ubd_setup(int n, const char *value, unsigned int flags, char *err,
	      size_t errlen);
/*
 * Open every configured device's host files (creating a COW file given
 * with its backing file, as UML does). On failure prints one clear line
 * ("umk: ubd0: cannot open rootfs.img: No such file or directory") and
 * returns -errno; no file is modified.
 */
int ubd_open_all(void);
/*
 * Hot-plug (the mconsole's config and remove, UML ubd_config/ubd_remove).
 * ubd_hotplug_add: option is a command line option "ubd<N>[flags]=FILE...";
 * the device is configured and its host files opened. N, or -errno with a
 * message in err (-EINVAL, -EBUSY: N in use, the host's open errors).
 * ubd_hotplug_remove: -ENODEV (not configured), -EBUSY (/dev/ubdX open;
 * the caller checks that no filesystem is mounted from it); else the
 * cache is written back and the files closed. The caller makes and
 * removes /dev/ubdX (devtmpfs_create_node). ubd_get_config: the device's
 * "FILE[,BACKING]" into buf ("" when not configured); returns its length.
 */
int ubd_hotplug_add(const char *option, char *err, size_t errlen);
int ubd_hotplug_remove(int n, char *err, size_t errlen);
size_t ubd_get_config(int n, char *buf, size_t len);
/* Device n, or NULL if not configured. */
struct ubd *ubd_get(int n);
/* Device by device number (major 98, minor n<<4), or NULL. */
struct ubd *ubd_get_by_dev(dev_t dev);
int ubd_index(const struct ubd *u);
uint64_t ubd_size(const struct ubd *u);	/* bytes */
bool ubd_readonly(const struct ubd *u);
const char *ubd_file(const struct ubd *u);	/* host path, for messages */
/*
 * Read/write len bytes at byte offset off, through the block cache. The
 * calling task sleeps while the I/O thread works (other tasks run); at
 * boot and shutdown, outside any task, the kernel thread waits instead.
 * A write is cached and written back later (at once with the s flag).
 * 0 or -EIO (host error, or beyond the device end), -EROFS (write to a
 * read-only device), -ENOMEM.
 */
int ubd_read(struct ubd *u, void *buf, uint64_t off, size_t len);
/* ubd_read handing the bytes to sink s (umk/sink.h) out of the cache's
 * pages, flushed before any sleep and at the end: 0, or -EIO as
 * ubd_read, or the error of s. */
struct read_sink;
int ubd_read_sink(struct ubd *u, struct read_sink *s, uint64_t off,
		  size_t len);
int ubd_write(struct ubd *u, const void *buf, uint64_t off, size_t len);
/*
 * ubd_write with a place in the next write-back of u: UBD_WB_FIRST pages
 * are written before every other dirty page, UBD_WB_LAST ones after.
 * Requests complete in order, so a crash (umk killed) part way leaves the
 * FIRST writes on the host without the others, or all but the LAST. A
 * filesystem orders its writes this way so what a crash leaves is fixable
 * (ext2: a new name before its inode, an inode freed before its name goes;
 * e2fsck -p then clears the name). A page written with the other order
 * while dirty has its write-back started first. Returns as ubd_write.
 * Model: the ordering rules of soft updates (McKusick, Ganger 1999).
 */
enum ubd_wb_order { UBD_WB_NORMAL, UBD_WB_FIRST, UBD_WB_LAST };
int ubd_write_ordered(struct ubd *u, const void *buf, uint64_t off,
		      size_t len, enum ubd_wb_order order);
/*
 * Fault injection for crash tests (as Linux's dm-flakey drop_writes):
 * after n more write requests (write-back runs) of u, every later one is
 * dropped unwritten, as if umk had been killed then; n < 0 ends it.
 * ubd_writes_queued: the write requests u has made, dropped ones too.
 */
void ubd_fail_writes_after(struct ubd *u, long n);
/* A write barrier: queue the write-back of every dirty page of u now, so
 * every later write reaches the host after them (requests complete in
 * order). Never sleeps. 0 or -ENOMEM. */
int ubd_write_barrier(struct ubd *u);
/* How many write-backs of u have queued its dirty pages: when it moves,
 * everything written before is on its way to the host. */
unsigned long ubd_writebacks(struct ubd *u);
unsigned long ubd_writes_queued(struct ubd *u);
/*
 * Write back every cached write of u and make it durable on the host
 * (fdatasync of the image or COW file), COW bitmap included. Returns when
 * done: 0, or -EIO if this or an earlier background write failed.
 */
int ubd_flush(struct ubd *u);
/* Discard [off, off + len), 512-aligned: 0, -EINVAL, -EROFS, -EOPNOTSUPP
 * (t flag, or the host cannot punch holes), -EIO. */
int ubd_discard(struct ubd *u, uint64_t off, uint64_t len);
/* Flush every device (shutdown, sync(2)). */
void ubd_sync_all(void);
/* Flush, then close the host files (shutdown). */
void ubd_close_all(void);
/* /proc/partitions text into buf; returns its length. */
size_t ubd_partitions(char *buf, size_t len);
/* Bytes the block cache holds (for /proc/meminfo "Buffers:"). */
uint64_t ubd_cache_bytes(void);

#endif
