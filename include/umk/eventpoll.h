/*
 * epoll (kernel/fs/eventpoll.c) and keyed wake-ups for the files whose
 * poll it watches. Semantics: epoll(7), Linux fs/eventpoll.c.
 */
#ifndef UMK_EVENTPOLL_H
#define UMK_EVENTPOLL_H

#include <umk/fs.h>

/* epoll events (Linux uapi/linux/eventpoll.h). */
#define EPOLLIN		0x00000001
#define EPOLLPRI	0x00000002
#define EPOLLOUT	0x00000004
#define EPOLLERR	0x00000008
#define EPOLLHUP	0x00000010
#define EPOLLNVAL	0x00000020
#define EPOLLRDNORM	0x00000040
#define EPOLLRDBAND	0x00000080
#define EPOLLWRNORM	0x00000100
#define EPOLLWRBAND	0x00000200
#define EPOLLMSG	0x00000400
#define EPOLLRDHUP	0x00002000
#define EPOLLEXCLUSIVE	(1U << 28)
#define EPOLLWAKEUP	(1U << 29)
#define EPOLLONESHOT	(1U << 30)
#define EPOLLET		(1U << 31)

/* Default per-user limit of epoll watches (/proc/sys/fs/epoll/). */
#define EPOLL_MAX_USER_WATCHES	65536

/*
 * Wake wq telling its callbacks which events happened (Linux
 * wake_up_poll): an epoll item that does not watch any of them stays
 * asleep, which edge-triggered epoll needs. Plain wake_up() is "any
 * event". Tasks on wq are woken either way.
 */
void wake_up_poll(struct wait_queue_head *wq, unsigned int events);

/* f's last reference is going: drop it from every epoll set (Linux
 * eventpoll_release). */
void eventpoll_release(struct file *f);

#endif
