/*
 * ubd, kernel side, private: the device record shared by ubd_kern.c (set-up,
 * block device file) and ubd_cache.c (block cache, requests, write-back).
 * Only the kernel thread touches these.
 */
#ifndef UBD_KERN_H
#define UBD_KERN_H

#include <umk/kernel.h>
#include <umk/ubd.h>

struct ubd_host;

struct ubd {
	int index;		/* n of ubdN */
	bool configured;	/* given on the command line (ubd_setup) */
	unsigned int flags;	/* UBD_FLAG_* */
	char *file;		/* host path (the COW file if backing) */
	char *backing;		/* backing file given on the command line */
	char *serial;		/* third part of the option, kept for show */
	struct ubd_host *host;	/* NULL until ubd_open_all */
	uint64_t size;		/* bytes, a multiple of 512 */
	bool readonly;		/* host file opened O_RDONLY */
	bool cow;		/* a COW overlay */
	int open_count;		/* open files of /dev/ubdX (remove: -EBUSY) */

	/* Block cache state (ubd_cache.c). */
	struct list_head dirty;	/* dirty pages, in the order dirtied */
	unsigned long nr_dirty;
	unsigned int reads_inflight;	/* read requests queued */
	unsigned int writes_inflight;	/* write-back requests queued */
	unsigned int flushes_inflight;
	bool need_flush;	/* a write was queued since the last flush */
	int wb_err;		/* a write-back failed: the next flush says so */
	uint64_t ra_next;	/* page after the last read-ahead window */
	unsigned int ra_pages;	/* current read-ahead window, pages */
	long drop_after;	/* writes left before they are dropped, -1:
				 * never (ubd_fail_writes_after) */
	unsigned long writes_queued;	/* write requests made, ever */
	unsigned long writebacks;	/* write-backs that queued pages */
};

/* Size the cache from mem= (half of it) before the first I/O. 0/-errno. */
int ubd_cache_setup(void);
/* Let the event loop reap completions, so that tasks sleep on their I/O
 * (ubd_init, after the event loop exists). 0 or -errno. */
int ubd_cache_init(void);
/* Write back u's cache, wait for its requests, drop its pages (close). */
void ubd_cache_release(struct ubd *u);
/* Flush u, then drop its clean pages (BLKFLSBUF). 0 or -EIO. */
int ubd_cache_invalidate(struct ubd *u);

#endif
