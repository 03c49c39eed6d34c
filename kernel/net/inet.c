/*
 * The guest's network: AF_INET and AF_INET6 sockets served by host
 * sockets that umk owns (arch/um/include/net_user.h), and the transport
 * the netlink family shares (hsock_*). By default (net=private) the host
 * sockets live in a network namespace of their own made at boot, whose
 * only device is lo (127.0.0.1, ::1): nothing the guest binds is reachable
 * from the host and the guest reaches nothing outside. net=host gives the
 * guest umk's own network; net=none (and a host that refuses namespaces)
 * leaves AF_INET, AF_INET6 and NETLINK_ROUTE out (EAFNOSUPPORT,
 * EPROTONOSUPPORT), with one boot warning in the second case.
 *
 * The host stack does TCP and UDP; this file checks what the guest may
 * do (its credentials, the options and control messages it may pass: only
 * plain values, never a pointer or an fd number the host would read) and
 * turns the guest's blocking calls into sleeps on the socket's wait queue:
 * host sockets are non-blocking and the event loop wakes the queue
 * (edge-triggered) when the host socket becomes ready.
 */
#include <umk/net.h>
#include <umk/signal.h>
#include <event.h>
#include <os.h>
#include <net_user.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <linux/netlink.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include "../fs/proc/internal.h"
#include "internal.h"

#define BOUNCE_MAX	(256 * 1024)	/* bytes moved per host call */
#define CMSG_MAX	4096		/* control bytes per host call */
#define HSOCK_RESERVE	256		/* host fds left for the rest of umk */
#define LOCALQ_MAX	(256 * 1024)	/* local datagrams not yet read */
#define SOL_NETLINK_	270
#ifndef SO_RCVBUFFORCE
#define SO_RCVBUFFORCE	33
#define SO_SNDBUFFORCE	32
#endif

enum net_mode net_mode = NET_NONE;
static int helper_fd = -1;
static int ctl_fd = -1;			/* AF_INET datagram: device ioctls */
static struct mutex helper_lock = {
	.owner = NULL, .wait = WAIT_QUEUE_HEAD_INIT(helper_lock.wait),
};
static struct wait_queue_head helper_wq = WAIT_QUEUE_HEAD_INIT(helper_wq);
static long nr_hsocks, max_hsocks = 1024;
static LIST_HEAD(hsocks);

/* A local datagram a family queued for the guest before the host's (a
 * netlink error it answered itself). */
struct local_dgram {
	struct list_head list;
	struct sockaddr_storage from;	/* its source address */
	int fromlen;
	size_t len;
	char data[];
};

/* The family state of a socket served by a host socket. */
struct hsock {
	struct socket *sock;
	int fd;				/* host socket: non-blocking */
	unsigned long host_ino;		/* its inode on the host */
	uid_t uid;			/* the creator's guest fsuid */
	bool connecting;		/* a connect in progress */
	struct linger linger;		/* SO_LINGER as the guest set it */
	struct list_head localq;	/* struct local_dgram */
	size_t localq_bytes;		/* bounded by LOCALQ_MAX */
	struct list_head node;		/* in hsocks */
};

static struct hsock *hsock_of(struct socket *sock)
{
	return sock->sk;
}

int hsock_fd(struct socket *sock)
{
	return hsock_of(sock)->fd;
}

bool net_available(void)
{
	return net_mode != NET_NONE;
}

/* ---- boot ------------------------------------------------------------- */

int net_early_init(const char *mode)
{
	const char *why;
	int fd;

	if (!mode || !strcmp(mode, "private")) {
		fd = os_net_start_helper(&why);
		if (fd < 0) {
			printk(KERN_WARNING "umk: no private network (%s: "
			       "error %d): AF_INET, AF_INET6 and NETLINK_ROUTE "
			       "are off; net=host shares the host's network\n",
			       why, fd);
			return fd;
		}
		helper_fd = fd;
		net_mode = NET_PRIVATE;
	} else if (!strcmp(mode, "host")) {
		net_mode = NET_HOST;
	} else {
		net_mode = NET_NONE;
	}
	return 0;
}

static void helper_event(int fd, unsigned int revents, void *data)
{
	wake_up(&helper_wq);
}

/* A host socket in the guest's network. fd or -errno. */
static int net_socket(int domain, int type, int protocol)
{
	int fd;

	if (net_mode == NET_HOST)
		return os_socket(domain, type, protocol);
	if (net_mode != NET_PRIVATE)
		return -EAFNOSUPPORT;
	mutex_lock(&helper_lock);
	fd = os_net_helper_request(helper_fd, domain, type, protocol);
	while (fd == 0 || fd == -EAGAIN) {
		fd = os_net_helper_reply(helper_fd);
		if (fd != -EAGAIN)
			break;
		/* Uninterruptible: the answer must be taken, or the next
		 * request would get it. The helper answers at once. */
		wait_event(helper_wq, os_poll_now(helper_fd) &
			   (POLLIN | POLLHUP | POLLERR));
	}
	mutex_unlock(&helper_lock);
	return fd == -EPIPE ? -ENOBUFS : fd;
}

static int read_sysctl(const char *path)
{
	char buf[32];
	long n = os_read_file(path, buf, sizeof(buf) - 1);

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return atoi(buf);
}

/* After the event loop exists: hook the helper to it, open the device
 * ioctl socket, size the host socket budget, take the host's sysctls. */
int net_init(void)
{
	long nofile = os_raise_nofile();
	int err;

	unix_init_sysctls(read_sysctl("/proc/sys/net/core/wmem_default"),
			  read_sysctl("/proc/sys/net/core/rmem_default"),
			  read_sysctl("/proc/sys/net/core/wmem_max"),
			  read_sysctl("/proc/sys/net/core/rmem_max"),
			  read_sysctl("/proc/sys/net/unix/max_dgram_qlen"));
	if (nofile > 2 * HSOCK_RESERVE)
		max_hsocks = nofile - HSOCK_RESERVE;
	else
		max_hsocks = nofile / 2;
	if (net_mode == NET_PRIVATE) {
		err = os_event_add(helper_fd, POLLIN | EVENT_EDGE, helper_event,
				   NULL);
		if (err)
			return err;
	}
	if (net_mode != NET_NONE) {
		printk(KERN_INFO "NET: %s network\n", net_mode == NET_HOST ?
		       "the host's" : "a private, isolated");
	}
	return 0;
}

/* The device ioctl socket, made on first use (it needs a task: the
 * helper's answer is waited for, and another task may get there first). */
static int ctl_socket(void)
{
	int fd;

	if (ctl_fd >= 0 || !net_available())
		return ctl_fd;
	fd = net_socket(AF_INET, SOCK_DGRAM, 0);
	if (fd >= 0 && ctl_fd >= 0)
		os_close(fd);
	else if (fd >= 0)
		ctl_fd = fd;
	return ctl_fd;
}

/* ---- host sockets ----------------------------------------------------- */

static void hsock_event(int fd, unsigned int revents, void *data)
{
	struct hsock *hs = data;

	if (!hs->sock)
		return;
	sock_wake(hs->sock, 0);
	if (!hs->sock->fasync_list)
		return;
	if (revents & (POLLIN | POLLRDHUP))
		kill_fasync(&hs->sock->fasync_list, SIGIO, POLL_IN);
	if (revents & POLLOUT)
		kill_fasync(&hs->sock->fasync_list, SIGIO, POLL_OUT);
	if (revents & POLLPRI)
		kill_fasync(&hs->sock->fasync_list, SIGIO, POLL_PRI);
}

/* Wrap host socket fd as sock's family state. 0 or -errno (fd closed). */
static int hsock_attach(struct socket *sock, int fd)
{
	struct hsock *hs;
	int err;

	hs = kzalloc(sizeof(*hs));
	if (!hs) {
		os_close(fd);
		return -ENOMEM;
	}
	hs->sock = sock;
	hs->fd = fd;
	hs->host_ino = os_sock_ino(fd);
	hs->uid = current->cred->fsuid;
	INIT_LIST_HEAD(&hs->localq);
	err = os_event_add(fd, POLLIN | POLLOUT | POLLPRI | POLLRDHUP |
			   EVENT_EDGE, hsock_event, hs);
	if (err) {
		os_close(fd);
		kfree(hs);
		return err;
	}
	list_add_tail(&hs->node, &hsocks);
	nr_hsocks++;
	sock->sk = hs;
	return 0;
}

int hsock_create(struct socket *sock, int domain, int type, int protocol)
{
	int fd;

	if (nr_hsocks >= max_hsocks)
		return -ENFILE;
	fd = net_socket(domain, type, protocol);
	if (fd < 0)
		return fd;
	return hsock_attach(sock, fd);
}

void hsock_release(struct socket *sock)
{
	struct hsock *hs = hsock_of(sock);
	struct local_dgram *d, *n;

	if (!hs)
		return;
	os_event_del(hs->fd);
	os_close(hs->fd);
	list_for_each_entry_safe(d, n, &hs->localq, list)
		kfree(d);
	list_del_init(&hs->node);
	nr_hsocks--;
	sock->sk = NULL;
	kfree(hs);
}

bool hsock_by_host_ino(unsigned long host_ino, unsigned long *ino,
		       uid_t *uid)
{
	struct hsock *hs;

	list_for_each_entry(hs, &hsocks, node) {
		if (hs->host_ino == host_ino && hs->sock) {
			*ino = hs->sock->inode->i_ino;
			*uid = hs->uid;
			return true;
		}
	}
	return false;
}

/* Does the host socket have any of mask (or an error, a hang-up)? */
static bool host_ready(struct hsock *hs, unsigned int mask)
{
	return (os_poll_now(hs->fd) & (mask | POLLERR | POLLHUP)) ||
	       !list_empty(&hs->localq);
}

int hsock_bind(struct socket *sock, const struct sockaddr_storage *addr,
	       int len)
{
	return os_bind(hsock_fd(sock), addr, len);
}

int hsock_getname(struct socket *sock, struct sockaddr_storage *addr,
		  int peer)
{
	socklen_t len = sizeof(*addr);
	int err = peer ? os_getpeername(hsock_fd(sock), addr, &len)
		       : os_getsockname(hsock_fd(sock), addr, &len);

	return err ? err : (int)len;
}

unsigned int hsock_poll(struct file *file, struct socket *sock,
			struct poll_table *pt)
{
	struct hsock *hs = hsock_of(sock);
	unsigned int mask;

	poll_wait(file, &sock->wq, pt);
	mask = os_poll_now(hs->fd);
	if (!list_empty(&hs->localq))
		mask |= POLLIN | POLLRDNORM;
	return mask;
}

/* A send's control messages for the host: what carries plain values
 * (IP_PKTINFO, IPV6_HOPLIMIT, UDP_SEGMENT...) is copied; SOL_SOCKET ones
 * (SCM_RIGHTS, SCM_CREDENTIALS) mean nothing to a host socket: -EINVAL. */
static int check_send_control(const struct kmsg *msg)
{
	const char *p = msg->control, *end = p + msg->controllen;

	if (msg->controllen > CMSG_MAX)
		return -ENOBUFS;
	while (p && (size_t)(end - p) >= sizeof(struct cmsghdr)) {
		struct cmsghdr cm;

		memcpy(&cm, p, sizeof(cm));
		if (cm.cmsg_len < sizeof(cm) || cm.cmsg_len > (size_t)(end - p))
			return -EINVAL;
		if (cm.cmsg_level == SOL_SOCKET)
			return -EINVAL;
		p += CMSG_ALIGN(cm.cmsg_len);
	}
	return 0;
}

/* MSG_* a guest may pass to the host on a send / a receive. */
#define HOST_SEND_FLAGS (MSG_OOB | MSG_DONTROUTE | MSG_EOR | MSG_MORE | \
			 MSG_CONFIRM)
#define HOST_RECV_FLAGS (MSG_OOB | MSG_PEEK | MSG_TRUNC | MSG_ERRQUEUE)

/* One host sendmsg of buf, waiting while the host says EAGAIN. */
static long send_wait(struct socket *sock, struct msghdr *m, int hflags,
		      uint64_t deadline)
{
	struct hsock *hs = hsock_of(sock);
	long n;
	int err;

	for (;;) {
		n = os_sendmsg(hs->fd, m, hflags);
		if (n != -EAGAIN)
			return n;
		err = sock_wait_event(sock->wq, host_ready(hs, POLLOUT),
				      deadline);
		if (err)
			return err;
	}
}

long hsock_sendmsg(struct socket *sock, struct kmsg *msg, size_t len,
		   int flags)
{
	uint64_t deadline = sock_snd_deadline(sock, flags);
	struct msghdr m = { 0 };
	struct iovec iov;
	size_t sent = 0;
	char *buf;
	long n;

	n = check_send_control(msg);
	if (n)
		return n;
	if (sock->type != SOCK_STREAM && len > BOUNCE_MAX)
		return -EMSGSIZE;
	buf = kmalloc(min(len, (size_t)BOUNCE_MAX) + 1);
	if (!buf)
		return -ENOBUFS;
	if (msg->namelen) {
		m.msg_name = &msg->name;
		m.msg_namelen = msg->namelen;
	}
	m.msg_control = msg->controllen ? msg->control : NULL;
	m.msg_controllen = msg->controllen;
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	do {
		size_t chunk = min(len - sent, (size_t)BOUNCE_MAX), off = 0;

		if (copy_from_iter(buf, chunk, &msg->iter)) {
			n = -EFAULT;
			break;
		}
		do {
			iov = (struct iovec){ buf + off, chunk - off };
			n = send_wait(sock, &m, flags & HOST_SEND_FLAGS,
				      deadline);
			if (n < 0)
				break;
			off += n;
			sent += n;
			m.msg_control = NULL;
			m.msg_controllen = 0;
		} while (off < chunk);
	} while (n >= 0 && sent < len);
	kfree(buf);
	if (n == -EPIPE && sock->type == SOCK_STREAM && !(flags & MSG_NOSIGNAL))
		send_sig_info(SIGPIPE, NULL, current, false);
	return sent ? (long)sent : n;
}

/* The host's control messages that a guest may see: all but SOL_SOCKET
 * ones other than timestamps (no credentials of the host's). */
static void copy_recv_control(struct kmsg *msg, struct msghdr *m)
{
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
		if (c->cmsg_level == SOL_SOCKET &&
		    c->cmsg_type != SO_TIMESTAMP && c->cmsg_type != SO_TIMESTAMPNS)
			continue;
		put_cmsg(msg, c->cmsg_level, c->cmsg_type,
			 c->cmsg_len - CMSG_LEN(0), CMSG_DATA(c));
	}
	if (m->msg_flags & MSG_CTRUNC)
		msg->flags |= MSG_CTRUNC;
}

/* A datagram the family queued itself, if any: its length, or -EAGAIN. */
static long recv_local(struct hsock *hs, struct kmsg *msg, size_t len,
		       int flags)
{
	struct local_dgram *d;
	long ret;

	if (list_empty(&hs->localq))
		return -EAGAIN;
	d = list_first_entry(&hs->localq, struct local_dgram, list);
	if (len < d->len)
		msg->flags |= MSG_TRUNC;
	if (copy_to_iter(&msg->iter, d->data, min(len, d->len)))
		return -EFAULT;
	ret = (flags & MSG_TRUNC) ? (long)d->len : (long)min(len, d->len);
	memcpy(&msg->name, &d->from, d->fromlen);
	msg->namelen = d->fromlen;
	if (!(flags & MSG_PEEK)) {
		hs->localq_bytes -= d->len;
		list_del_init(&d->list);
		kfree(d);
	}
	return ret;
}

long hsock_recvmsg(struct socket *sock, struct kmsg *msg, size_t len,
		   int flags)
{
	struct hsock *hs = hsock_of(sock);
	uint64_t deadline = sock_rcv_deadline(sock, flags);
	bool waitall = (flags & MSG_WAITALL) && sock->type == SOCK_STREAM &&
		       !(flags & MSG_PEEK);
	size_t copied = 0, bufsz = min(len, (size_t)BOUNCE_MAX);
	char *buf, *cbuf = NULL;
	long n;
	int err;

	n = recv_local(hs, msg, len, flags);
	if (n != -EAGAIN)
		return n;
	buf = kmalloc(bufsz + 1);
	if (msg->ucontrol_len)
		cbuf = kzalloc(CMSG_MAX);
	if (!buf || (msg->ucontrol_len && !cbuf)) {
		n = -ENOBUFS;
		goto out;
	}
	for (;;) {
		struct iovec iov = { buf, min(len - copied, bufsz) };
		struct msghdr m = {
			.msg_name = &msg->name, .msg_namelen = sizeof(msg->name),
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = cbuf,
			.msg_controllen = cbuf ? min(msg->ucontrol_len,
						     (size_t)CMSG_MAX) : 0,
		};

		n = os_recvmsg(hs->fd, &m, flags & HOST_RECV_FLAGS);
		if (n == -EAGAIN) {
			if (copied)
				break;
			err = sock_wait_event(sock->wq, host_ready(hs, POLLIN |
					      ((flags & MSG_OOB) ? POLLPRI : 0)),
					      deadline);
			if (err) {
				n = err;
				break;
			}
			n = recv_local(hs, msg, len, flags);
			if (n != -EAGAIN)
				break;
			continue;
		}
		if (n < 0)
			break;
		if (copy_to_iter(&msg->iter, buf, min((size_t)n, iov.iov_len))) {
			n = -EFAULT;
			break;
		}
		msg->namelen = m.msg_namelen;
		msg->flags |= m.msg_flags & (MSG_TRUNC | MSG_EOR | MSG_OOB |
					     MSG_ERRQUEUE);
		if (cbuf)
			copy_recv_control(msg, &m);
		copied += n;
		if (!waitall || n == 0 || copied >= len)
			break;
	}
out:
	kfree(buf);
	kfree(cbuf);
	return copied ? (long)copied : n;
}

/* ---- AF_INET and AF_INET6 -------------------------------------------- */

/* Linux inet_port_requires_bind_service: binding a port below 1024
 * needs CAP_NET_BIND_SERVICE, the guest's own (root). */
static int check_bind_port(struct socket *sock,
			   const struct sockaddr_storage *addr, int len)
{
	unsigned int port = 0;

	if (sock->type == SOCK_RAW)
		return 0;
	if (addr->ss_family == AF_INET && len >= (int)sizeof(struct sockaddr_in))
		port = ntohs(((const struct sockaddr_in *)addr)->sin_port);
	else if (addr->ss_family == AF_INET6 &&
		 len >= (int)sizeof(struct sockaddr_in6))
		port = ntohs(((const struct sockaddr_in6 *)addr)->sin6_port);
	if (port && port < 1024 && !capable(current->cred))
		return -EACCES;
	return 0;
}

static int inet_bind(struct socket *sock, const struct sockaddr_storage *addr,
		     int len)
{
	int err = check_bind_port(sock, addr, len);

	return err ? err : hsock_bind(sock, addr, len);
}

/* Linux inet_stream_connect / inet_dgram_connect over the host's. */
static int inet_connect(struct socket *sock,
			const struct sockaddr_storage *addr, int len,
			int flags)
{
	struct hsock *hs = hsock_of(sock);
	uint64_t deadline = sock_snd_deadline(sock, flags ? MSG_DONTWAIT : 0);
	socklen_t sl = sizeof(int);
	int err, soerr = 0;

	err = os_connect(hs->fd, addr, len);
	if (sock->type != SOCK_STREAM)
		return err;
	if (err == -EISCONN && hs->connecting) {
		hs->connecting = false;
		return 0;
	}
	if (err != -EINPROGRESS && err != -EALREADY) {
		hs->connecting = false;
		return err;
	}
	hs->connecting = true;
	if (deadline == ~0ULL)
		return err;
	err = sock_wait_event(sock->wq, host_ready(hs, POLLOUT), deadline);
	if (err)
		return err == -EAGAIN ? -EINPROGRESS : err;
	hs->connecting = false;
	err = os_getsockopt(hs->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
	return err ? err : -soerr;
}

static int inet_listen(struct socket *sock, int backlog)
{
	return os_listen(hsock_fd(sock), backlog);
}

static int inet_accept(struct socket *sock, struct socket *newsock, int flags)
{
	struct hsock *hs = hsock_of(sock);
	uint64_t deadline = sock_rcv_deadline(sock, flags ? MSG_DONTWAIT : 0);
	int fd, err;

	if (nr_hsocks >= max_hsocks)
		return -ENFILE;
	for (;;) {
		fd = os_accept(hs->fd, NULL, NULL);
		if (fd != -EAGAIN)
			break;
		err = sock_wait_event(sock->wq, host_ready(hs, POLLIN),
				      deadline);
		if (err)
			return err;
	}
	if (fd < 0)
		return fd;
	err = hsock_attach(newsock, fd);
	if (!err)
		newsock->state = SS_CONNECTED;
	return err;
}

static int inet_shutdown(struct socket *sock, int how)
{
	int err = os_shutdown(hsock_fd(sock), how);

	sock_wake(sock, 0);
	return err;
}

static long inet_ioctl(struct socket *sock, unsigned int cmd,
		       unsigned long arg)
{
	int v;
	long err;

	switch (cmd) {
	case SIOCINQ:
	case SIOCOUTQ:
	case SIOCOUTQNSD:
	case SIOCATMARK:
		err = os_sock_ioctl(hsock_fd(sock), cmd, &v);
		if (err < 0)
			return err;
		return copy_to_user(UPTR(arg), &v, sizeof(v)) ? -EFAULT : 0;
	}
	return -ENOIOCTLCMD;
}

/* An option a guest may set or read on a host socket: its value is plain
 * data. cap: setting it needs the guest's root. */
struct host_opt {
	int level, name;
	bool cap;
};

static const struct host_opt host_opts[] = {
	{ SOL_SOCKET, SO_REUSEADDR }, { SOL_SOCKET, SO_REUSEPORT },
	{ SOL_SOCKET, SO_KEEPALIVE }, { SOL_SOCKET, SO_BROADCAST },
	{ SOL_SOCKET, SO_DONTROUTE }, { SOL_SOCKET, SO_OOBINLINE },
	{ SOL_SOCKET, SO_SNDBUF }, { SOL_SOCKET, SO_RCVBUF },
	{ SOL_SOCKET, SO_SNDBUFFORCE, true }, { SOL_SOCKET, SO_RCVBUFFORCE, true },
	{ SOL_SOCKET, SO_RCVLOWAT }, { SOL_SOCKET, SO_SNDLOWAT },
	{ SOL_SOCKET, SO_ERROR }, { SOL_SOCKET, SO_PROTOCOL },
	{ SOL_SOCKET, SO_ACCEPTCONN }, { SOL_SOCKET, SO_PRIORITY },
	{ SOL_SOCKET, SO_TIMESTAMP }, { SOL_SOCKET, SO_TIMESTAMPNS },
	{ SOL_SOCKET, SO_PASSCRED }, { SOL_SOCKET, SO_MARK, true },
	{ SOL_SOCKET, SO_BINDTODEVICE, true }, { SOL_SOCKET, SO_BINDTOIFINDEX, true },
	{ SOL_SOCKET, SO_INCOMING_CPU }, { SOL_SOCKET, SO_PEEK_OFF },
	{ IPPROTO_TCP, TCP_NODELAY }, { IPPROTO_TCP, TCP_MAXSEG },
	{ IPPROTO_TCP, TCP_CORK }, { IPPROTO_TCP, TCP_KEEPIDLE },
	{ IPPROTO_TCP, TCP_KEEPINTVL }, { IPPROTO_TCP, TCP_KEEPCNT },
	{ IPPROTO_TCP, TCP_SYNCNT }, { IPPROTO_TCP, TCP_LINGER2 },
	{ IPPROTO_TCP, TCP_DEFER_ACCEPT }, { IPPROTO_TCP, TCP_WINDOW_CLAMP },
	{ IPPROTO_TCP, TCP_INFO }, { IPPROTO_TCP, TCP_QUICKACK },
	{ IPPROTO_TCP, TCP_CONGESTION }, { IPPROTO_TCP, TCP_USER_TIMEOUT },
	{ IPPROTO_TCP, TCP_FASTOPEN }, { IPPROTO_TCP, TCP_NOTSENT_LOWAT },
	{ IPPROTO_TCP, TCP_FASTOPEN_CONNECT },
	{ IPPROTO_IP, IP_TOS }, { IPPROTO_IP, IP_TTL },
	{ IPPROTO_IP, IP_HDRINCL }, { IPPROTO_IP, IP_OPTIONS },
	{ IPPROTO_IP, IP_RECVOPTS }, { IPPROTO_IP, IP_RETOPTS },
	{ IPPROTO_IP, IP_PKTINFO }, { IPPROTO_IP, IP_MTU_DISCOVER },
	{ IPPROTO_IP, IP_RECVERR }, { IPPROTO_IP, IP_RECVTTL },
	{ IPPROTO_IP, IP_RECVTOS }, { IPPROTO_IP, IP_MTU },
	{ IPPROTO_IP, IP_FREEBIND }, { IPPROTO_IP, IP_TRANSPARENT, true },
	{ IPPROTO_IP, IP_MULTICAST_IF }, { IPPROTO_IP, IP_MULTICAST_TTL },
	{ IPPROTO_IP, IP_MULTICAST_LOOP }, { IPPROTO_IP, IP_ADD_MEMBERSHIP },
	{ IPPROTO_IP, IP_DROP_MEMBERSHIP }, { IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT },
	{ IPPROTO_IP, IP_RECVORIGDSTADDR },
	{ IPPROTO_IPV6, IPV6_V6ONLY }, { IPPROTO_IPV6, IPV6_UNICAST_HOPS },
	{ IPPROTO_IPV6, IPV6_MULTICAST_IF }, { IPPROTO_IPV6, IPV6_MULTICAST_HOPS },
	{ IPPROTO_IPV6, IPV6_MULTICAST_LOOP }, { IPPROTO_IPV6, IPV6_JOIN_GROUP },
	{ IPPROTO_IPV6, IPV6_LEAVE_GROUP }, { IPPROTO_IPV6, IPV6_RECVPKTINFO },
	{ IPPROTO_IPV6, IPV6_PKTINFO }, { IPPROTO_IPV6, IPV6_RECVHOPLIMIT },
	{ IPPROTO_IPV6, IPV6_HOPLIMIT }, { IPPROTO_IPV6, IPV6_TCLASS },
	{ IPPROTO_IPV6, IPV6_RECVTCLASS }, { IPPROTO_IPV6, IPV6_MTU_DISCOVER },
	{ IPPROTO_IPV6, IPV6_MTU }, { IPPROTO_IPV6, IPV6_RECVERR },
	{ IPPROTO_IPV6, IPV6_TRANSPARENT, true },
	{ IPPROTO_UDP, 1 /* UDP_CORK */ }, { IPPROTO_UDP, 103 /* UDP_SEGMENT */ },
	{ IPPROTO_UDP, 104 /* UDP_GRO */ },
	{ SOL_NETLINK_, NETLINK_ADD_MEMBERSHIP },
	{ SOL_NETLINK_, NETLINK_DROP_MEMBERSHIP },
	{ SOL_NETLINK_, NETLINK_PKTINFO }, { SOL_NETLINK_, NETLINK_BROADCAST_ERROR },
	{ SOL_NETLINK_, NETLINK_NO_ENOBUFS }, { SOL_NETLINK_, NETLINK_CAP_ACK },
	{ SOL_NETLINK_, NETLINK_EXT_ACK }, { SOL_NETLINK_, NETLINK_GET_STRICT_CHK },
	{ SOL_NETLINK_, NETLINK_LIST_MEMBERSHIPS },
};

static const struct host_opt *find_host_opt(int level, int name)
{
	for (size_t i = 0; i < ARRAY_SIZE(host_opts); i++)
		if (host_opts[i].level == level && host_opts[i].name == name)
			return &host_opts[i];
	return NULL;
}

static int hsock_setsockopt(struct socket *sock, int level, int optname,
			    const void *optval, unsigned int optlen)
{
	struct hsock *hs = hsock_of(sock);
	const struct host_opt *o;
	int v;

	if (level == SOL_SOCKET && optname == SO_LINGER) {
		/* Only an abortive close (l_linger 0) reaches the host: a
		 * lingering close would block umk's kernel thread. */
		struct linger l;

		if (optlen < sizeof(l))
			return -EINVAL;
		memcpy(&l, optval, sizeof(l));
		hs->linger = (struct linger){ !!l.l_onoff, l.l_linger };
		l.l_onoff = l.l_onoff && l.l_linger == 0;
		l.l_linger = 0;
		return os_setsockopt(hs->fd, level, optname, &l, sizeof(l));
	}
	o = find_host_opt(level, optname);
	if (!o)
		return -ENOPROTOOPT;
	if (o->cap && !capable(current->cred))
		return -EPERM;
	if (level == SOL_SOCKET && optname == SO_PRIORITY &&
	    optlen >= sizeof(int)) {
		memcpy(&v, optval, sizeof(v));
		if ((v < 0 || v > 6) && !capable(current->cred))
			return -EPERM;
	}
	return os_setsockopt(hs->fd, level, optname, optval, optlen);
}

static int hsock_getsockopt(struct socket *sock, int level, int optname,
			    void *optval, int *optlen)
{
	struct hsock *hs = hsock_of(sock);
	socklen_t len = *optlen;
	int err;

	if (level == SOL_SOCKET && optname == SO_LINGER) {
		len = min((size_t)*optlen, sizeof(hs->linger));
		memcpy(optval, &hs->linger, len);
		*optlen = len;
		return 0;
	}
	if (!find_host_opt(level, optname))
		return -ENOPROTOOPT;
	err = os_getsockopt(hs->fd, level, optname, optval, &len);
	if (!err)
		*optlen = len;
	return err;
}

static const struct proto_ops inet_ops = {
	.family = AF_INET,
	.release = hsock_release,
	.bind = inet_bind,
	.connect = inet_connect,
	.accept = inet_accept,
	.getname = hsock_getname,
	.poll = hsock_poll,
	.ioctl = inet_ioctl,
	.listen = inet_listen,
	.shutdown = inet_shutdown,
	.setsockopt = hsock_setsockopt,
	.getsockopt = hsock_getsockopt,
	.sendmsg = hsock_sendmsg,
	.recvmsg = hsock_recvmsg,
};

int inet_create(struct socket *sock, int protocol)
{
	int err;

	if (!net_available())
		return -EAFNOSUPPORT;
	err = hsock_create(sock, sock->family, sock->type, protocol);
	if (err)
		return err;
	sock->ops = &inet_ops;
	if ((sock->type == SOCK_RAW || sock->type == SOCK_PACKET) &&
	    !capable(current->cred)) {
		hsock_release(sock);
		sock->ops = NULL;
		return -EPERM;
	}
	return 0;
}

/* ---- shared pieces for netlink.c -------------------------------------- */

int hsock_connect(struct socket *sock, const struct sockaddr_storage *addr,
		  int len, int flags)
{
	return os_connect(hsock_fd(sock), addr, len);
}

int hsock_setsockopt_ops(struct socket *sock, int level, int optname,
			 const void *optval, unsigned int optlen)
{
	return hsock_setsockopt(sock, level, optname, optval, optlen);
}

int hsock_getsockopt_ops(struct socket *sock, int level, int optname,
			 void *optval, int *optlen)
{
	return hsock_getsockopt(sock, level, optname, optval, optlen);
}

int hsock_queue_local(struct socket *sock, const void *from, int fromlen,
		      const void *data, size_t len)
{
	struct hsock *hs = hsock_of(sock);
	struct local_dgram *d;

	/* A full receive queue drops, as Linux's netlink does. */
	if (hs->localq_bytes + len > LOCALQ_MAX)
		return -ENOBUFS;
	d = kmalloc(sizeof(*d) + len);
	if (!d)
		return -ENOBUFS;
	hs->localq_bytes += len;
	memset(&d->from, 0, sizeof(d->from));
	memcpy(&d->from, from, min(fromlen, (int)sizeof(d->from)));
	d->fromlen = min(fromlen, (int)sizeof(d->from));
	d->len = len;
	memcpy(d->data, data, len);
	list_add_tail(&d->list, &hs->localq);
	sock_wake(sock, POLL_IN);
	return 0;
}

/* ---- device ioctls ------------------------------------------------------ */

/* SIOCGIFCONF: struct ifconf with a guest buffer. */
static long dev_ifconf(int fd, unsigned long arg)
{
	struct ifconf ifc;
	char *buf = NULL;
	long err;

	if (copy_from_user(&ifc, UPTR(arg), sizeof(ifc)))
		return -EFAULT;
	if (ifc.ifc_buf && ifc.ifc_len > 0) {
		ifc.ifc_len = min(ifc.ifc_len, 64 * 1024);
		buf = kmalloc(ifc.ifc_len);
		if (!buf)
			return -ENOMEM;
	}
	{
		struct ifconf k = { .ifc_len = buf ? ifc.ifc_len : 0,
				    .ifc_buf = buf };

		err = os_sock_ioctl(fd, SIOCGIFCONF, &k);
		if (!err && buf && copy_to_user(UPTR(ifc.ifc_buf), buf,
						k.ifc_len))
			err = -EFAULT;
		if (!err && copy_to_user(UPTR(arg) , &k.ifc_len,
					 sizeof(k.ifc_len)))
			err = -EFAULT;
	}
	kfree(buf);
	return err;
}

long net_dev_ioctl(unsigned int cmd, unsigned long arg)
{
	struct ifreq ifr;
	bool set;
	long err;
	int fd;

	switch (cmd) {
	case SIOCGIFNAME: case SIOCGIFFLAGS: case SIOCGIFADDR:
	case SIOCGIFDSTADDR: case SIOCGIFBRDADDR: case SIOCGIFNETMASK:
	case SIOCGIFMETRIC: case SIOCGIFMTU: case SIOCGIFHWADDR:
	case SIOCGIFINDEX: case SIOCGIFTXQLEN: case SIOCGIFCONF:
		set = false;
		break;
	case SIOCSIFFLAGS: case SIOCSIFADDR: case SIOCSIFDSTADDR:
	case SIOCSIFBRDADDR: case SIOCSIFNETMASK: case SIOCSIFMTU:
	case SIOCSIFTXQLEN:
		set = true;
		break;
	default:
		return -ENOIOCTLCMD;
	}
	fd = ctl_socket();
	if (fd < 0)
		return -ENODEV;
	if (cmd == SIOCGIFCONF)
		return dev_ifconf(fd, arg);
	if (copy_from_user(&ifr, UPTR(arg), sizeof(ifr)))
		return -EFAULT;
	ifr.ifr_name[IFNAMSIZ - 1] = '\0';
	if (set && !capable(current->cred))
		return -EPERM;
	err = os_sock_ioctl(fd, cmd, &ifr);
	if (err < 0)
		return err;
	if (!set && copy_to_user(UPTR(arg), &ifr, sizeof(ifr)))
		return -EFAULT;
	return 0;
}

/* ---- /proc/net ---------------------------------------------------------- */

int net_read_proc(struct seq_buf *m, const char *name)
{
	char path[64];

	if (net_mode == NET_PRIVATE)
		snprintf(path, sizeof(path), "/proc/%d/net/%s",
			 os_net_helper_pid(), name);
	else if (net_mode == NET_HOST)
		snprintf(path, sizeof(path), "/proc/self/net/%s", name);
	else
		return -ENOENT;
	return proc_read_host_file(m, path);
}
