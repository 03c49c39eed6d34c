/*
 * Sockets (kernel/net/): struct socket behind the VFS's file operations,
 * the operations each address family provides (struct proto_ops), and the
 * message a send or receive works on (struct kmsg). Families: AF_UNIX in
 * the kernel (af_unix.c); AF_INET, AF_INET6 and NETLINK_ROUTE served by
 * host sockets umk owns (inet.c, netlink.c). Model: Linux
 * include/linux/net.h, include/net/sock.h.
 */
#ifndef UMK_NET_H
#define UMK_NET_H

#include <umk/fs.h>
#include <umk/fasync.h>
#include <sys/socket.h>
#include <sys/uio.h>

/* struct socket.state (Linux socket_state). */
enum socket_state {
	SS_FREE = 0,
	SS_UNCONNECTED,
	SS_CONNECTING,
	SS_CONNECTED,
	SS_DISCONNECTING,
};

/* The guest buffers of one call: guest iovecs, or one kernel buffer (a
 * sendfile through a socket). Bytes are taken from the front. */
struct msg_iter {
	const struct iovec *iov;	/* iov_base are guest addresses */
	unsigned long nr_segs;
	unsigned long seg;		/* current segment */
	size_t seg_off;			/* bytes done in it */
	size_t count;			/* bytes left in all */
	char *kbuf;			/* kernel buffer instead of iov */
};

/* Copy n bytes (at most it->count) out of / into the iterator and
 * advance it. Returns 0 or -EFAULT (the iterator is then undefined). */
int copy_from_iter(void *dst, size_t n, struct msg_iter *it);
int copy_to_iter(struct msg_iter *it, const void *src, size_t n);
/* Skip n bytes (MSG_TRUNC reads that discard). */
void iter_advance(struct msg_iter *it, size_t n);

/*
 * One sendmsg/recvmsg. name: send: the destination (namelen 0: none);
 * recv: the source the family fills in (namelen set, 0: none). control:
 * send: the control messages, copied in (controllen bytes); recv: the
 * guest's buffer (ucontrol, ucontrol_len), filled by put_cmsg, which
 * advances ucontrol_used and sets MSG_CTRUNC in flags when it is full.
 */
struct kmsg {
	struct sockaddr_storage name;
	int namelen;
	struct msg_iter iter;
	void *control;
	size_t controllen;
	struct uptr ucontrol;
	size_t ucontrol_len, ucontrol_used;
	int flags;			/* recv: MSG_TRUNC, MSG_CTRUNC, ... */
	bool cmsg_cloexec;		/* recv: MSG_CMSG_CLOEXEC given */
};

/* Append a control message to a receive's control buffer. 0 or -EFAULT;
 * a message that does not fit is left out (truncated: the part that
 * fits) and MSG_CTRUNC set, as Linux put_cmsg. */
int put_cmsg(struct kmsg *msg, int level, int type, size_t len,
	     const void *data);

struct socket;

/* What a family implements; every method returns 0 / a count or -errno.
 * A NULL method means Linux's sock_no_* (-EOPNOTSUPP). */
struct proto_ops {
	int family;
	/* The file is closed: free the family's state. */
	void (*release)(struct socket *sock);
	int (*bind)(struct socket *sock, const struct sockaddr_storage *addr,
		    int len);
	/* flags: the file's O_NONBLOCK. */
	int (*connect)(struct socket *sock, const struct sockaddr_storage *addr,
		       int len, int flags);
	int (*socketpair)(struct socket *a, struct socket *b);
	/* newsock was made by the caller with sock's family, type and ops;
	 * flags: O_NONBLOCK of the listener's file. */
	int (*accept)(struct socket *sock, struct socket *newsock, int flags);
	/* Fill addr; returns its length. */
	int (*getname)(struct socket *sock, struct sockaddr_storage *addr,
		       int peer);
	unsigned int (*poll)(struct file *file, struct socket *sock,
			     struct poll_table *pt);
	long (*ioctl)(struct socket *sock, unsigned int cmd, unsigned long arg);
	int (*listen)(struct socket *sock, int backlog);
	int (*shutdown)(struct socket *sock, int how);
	/* optval is a kernel copy of optlen bytes. */
	int (*setsockopt)(struct socket *sock, int level, int optname,
			  const void *optval, unsigned int optlen);
	/* Fill up to *optlen bytes of optval (a kernel buffer); set *optlen
	 * to the length the guest gets. */
	int (*getsockopt)(struct socket *sock, int level, int optname,
			  void *optval, int *optlen);
	/* flags: MSG_* of the call, MSG_DONTWAIT added for O_NONBLOCK. */
	long (*sendmsg)(struct socket *sock, struct kmsg *msg, size_t len,
			int flags);
	long (*recvmsg)(struct socket *sock, struct kmsg *msg, size_t len,
			int flags);
};

/* struct socket.flags */
#define SOCK_PASSCRED_F	0x1		/* SO_PASSCRED */

struct socket {
	enum socket_state state;
	short type;			/* SOCK_STREAM, SOCK_DGRAM, ... */
	int family;			/* AF_UNIX, ... */
	int protocol;			/* as given to socket() */
	unsigned long flags;		/* SOCK_*_F */
	const struct proto_ops *ops;
	void *sk;			/* the family's state */
	struct file *file;		/* not referenced: the file owns us */
	struct inode *inode;		/* the sockfs inode (S_IFSOCK) */
	struct wait_queue_head wq;	/* poll and blocking calls sleep here */
	struct fasync_struct *fasync_list;	/* O_ASYNC owners */
	uint64_t rcvtimeo_ns, sndtimeo_ns;	/* SO_RCVTIMEO/SNDTIMEO, 0: none */
};

/* The socket behind file, or NULL if it is not one (-ENOTSOCK). */
struct socket *sock_from_file(struct file *file);
/* Readiness changed: wake sleepers and pollers of sock, and send SIGIO
 * (band POLL_IN, POLL_OUT, POLL_HUP...) to O_ASYNC owners. */
void sock_wake(struct socket *sock, int band);
/* The guest's deadline for a blocking call on sock: 0 none, ~0 do not
 * block (MSG_DONTWAIT), else an absolute ktime_get_ns() deadline. */
uint64_t sock_rcv_deadline(const struct socket *sock, int flags);
uint64_t sock_snd_deadline(const struct socket *sock, int flags);
/*
 * Sleep on wq until cond holds or deadline (from sock_*_deadline) passes.
 * Returns 0 (cond holds), -EAGAIN (no wait allowed, or the deadline
 * passed), -ERESTARTSYS (a signal, no deadline) or -EINTR (a signal with a
 * deadline: Linux's sock_intr_errno never restarts a timed wait).
 */
#define sock_wait_event(wq, cond, deadline)				\
({									\
	int __ret = 0;							\
	uint64_t __dl = (deadline);					\
	struct wait_queue_entry __w = { .task = current };		\
	if (!(cond)) {							\
		add_wait_queue(&(wq), &__w);				\
		for (;;) {						\
			if (cond)					\
				break;					\
			if (__dl == ~0ULL) {				\
				__ret = -EAGAIN;			\
				break;					\
			}						\
			if (signal_pending(current)) {			\
				__ret = __dl ? -EINTR : -ERESTARTSYS;	\
				break;					\
			}						\
			if (!__dl) {					\
				schedule_sleep(true);			\
			} else if (schedule_timeout(__dl) == 0 &&	\
				   !(cond)) {				\
				__ret = -EAGAIN;			\
				break;					\
			}						\
		}							\
		remove_wait_queue(&(wq), &__w);				\
	}								\
	__ret;								\
})

/* Families (kernel/net/): create the family's state for sock (type and
 * protocol checked by the family). 0 or -errno. */
int unix_create(struct socket *sock, int protocol);
/* A descriptor of the unix socket file closing is being closed: collect
 * unreachable cycles of sockets in flight (af_unix.c). */
void unix_flush(struct file *closing);
int inet_create(struct socket *sock, int protocol);
int netlink_create(struct socket *sock, int protocol);

/* The guest's network (kernel/net/inet.c): set up at boot from the net=
 * option, before privileges are dropped. mode: "private" (default),
 * "host" or "none". 0 or -errno (then AF_INET is unavailable). */
int net_early_init(const char *mode);
/* After the event loop is up: hook the network to it. 0 or -errno. */
int net_init(void);
/* Is AF_INET/AF_INET6/NETLINK_ROUTE available? */
bool net_available(void);

/* /proc/net (kernel/net/proc.c). */
struct seq_buf;
int unix_proc_show(struct seq_buf *m);

#endif
