/*
 * The wall between the ubd driver's kernel side (ubd_kern.c, ubd_cache.c)
 * and its host side (ubd_user.c, cow_user.c): opening and checking the host
 * files (raw images and UML COW v3 overlays), and the per-device I/O thread
 * that moves their bytes. Every function returns a value or -errno.
 * Model: UML arch/um/drivers/ubd_user.c, ubd_kern.c (open_ubd_file) and
 * cow_user.c.
 */
#ifndef UBD_USER_H
#define UBD_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include <umk/ubd.h>		/* UBD_FLAG_* */

#define UBD_SECTOR_SIZE 512

/* One open device on the host: its fds, COW state and I/O thread. */
struct ubd_host;

/* What ubd_user_open found, for the kernel side and its messages. */
struct ubd_host_info {
	uint64_t size;		/* device bytes, a multiple of 512 */
	bool readonly;		/* opened O_RDONLY */
	bool cow;		/* a COW overlay over a backing file */
	bool created;		/* the COW file was created by this open */
	char backing[4096];	/* the backing file's path, if cow */
};

/*
 * Open device n from its command line parts: file, an optional backing file
 * (file is then a COW overlay, created as UML does when it does not exist)
 * and UBD_FLAG_*. Without NOCOW a file that starts with a COW header is an
 * overlay whose backing file the header names. Checks everything UML checks
 * (header, backing size and mtime, locks) before writing anything; the
 * backing file is opened read-only. On failure prints one clear line
 * ("umk: ubd0: ...") on stderr and returns -errno; no file is modified (a
 * COW file this call created is removed again).
 */
int ubd_user_open(int n, const char *file, const char *backing,
		  unsigned int flags, struct ubd_host **res,
		  struct ubd_host_info *info);
/* Stop the device's I/O thread (after its queue drains) and close it. */
void ubd_user_close(struct ubd_host *h);

/* --- requests --- */

enum ubd_op {
	UBD_OP_READ,		/* [off, off + len) into iov */
	UBD_OP_WRITE,		/* iov to [off, off + len) */
	UBD_OP_FLUSH,		/* fdatasync: earlier writes reach the disk */
	UBD_OP_DISCARD,		/* [off, off + len) need not be kept */
};

#define UBD_MAX_IOV 1024	/* IOV_MAX */

/*
 * One request. The kernel side fills op, off, len, iov (iovcnt buffers
 * of len bytes in all, at most UBD_MAX_IOV) and done; the I/O thread sets
 * error. off and len are bytes, multiples of 512. Requests of
 * one device run one at a time in the order submitted, so a flush is a
 * barrier and a read sees every write submitted before it.
 */
struct ubd_req {
	enum ubd_op op;
	uint64_t off;
	size_t len;
	const struct iovec *iov;
	int iovcnt;
	int error;		/* 0 or -errno, set by the I/O thread */
	void (*done)(struct ubd_req *r);	/* called on the kernel thread */
	struct ubd_req *next;	/* link of the queue it is on */
};

/* Queue r on h's I/O thread (started on first use). Never waits for I/O. */
void ubd_user_submit(struct ubd_host *h, struct ubd_req *r);
/*
 * The eventfd the I/O threads signal when requests complete (created on
 * first use). Readable while completed requests wait to be reaped.
 * -errno if it cannot be created.
 */
int ubd_user_event_fd(void);
/* Take every completed request, oldest first, linked by ->next. */
struct ubd_req *ubd_user_reap(void);
/* Block the calling host thread until some request completes (for callers
 * that may not sleep: boot, shutdown). */
void ubd_user_wait(void);
/* bytes of page-aligned memory for cache pages, already faulted in;
 * NULL if the host has no memory. Never freed. */
void *ubd_user_alloc_frames(size_t bytes);

#endif
