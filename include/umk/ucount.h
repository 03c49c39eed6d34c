/*
 * Per-user counts of kernel objects a guest user may create (Linux
 * kernel/ucount.c): epoll watches, inotify instances and watches. Each
 * kind has a per-user limit given by the caller; a global ceiling bounds
 * the total whatever the number of uids.
 */
#ifndef UMK_UCOUNT_H
#define UMK_UCOUNT_H

#include <umk/kernel.h>
#include <sys/types.h>

enum ucount_type {
	UCOUNT_EPOLL_WATCHES,
	UCOUNT_INOTIFY_INSTANCES,
	UCOUNT_INOTIFY_WATCHES,
	UCOUNT_COUNTS,
};

/* Count one more object of type for uid: true, or false when uid is at
 * max or every user together is at 4 * max (or no memory). */
bool inc_ucount(uid_t uid, enum ucount_type type, long max);
void dec_ucount(uid_t uid, enum ucount_type type);

#endif
