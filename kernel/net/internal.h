/*
 * What the files of kernel/net/ share and the rest of the kernel does not
 * need: Linux constants, the host-socket transport (inet.c) that the
 * netlink family also uses, and the device ioctls of the guest's network.
 */
#ifndef UMK_NET_INTERNAL_H
#define UMK_NET_INTERNAL_H

#include <umk/net.h>

#define SOMAXCONN_LINUX	4096		/* net.core.somaxconn */
#define ENOIOCTLCMD	515		/* internal: not this layer's ioctl */
#define SHUT_RCV	1		/* Linux RCV_SHUTDOWN */
#define SHUT_SEND	2		/* Linux SEND_SHUTDOWN */
#define SHUTDOWN_MASK	3

/*
 * The interface ioctls (SIOCGIFINDEX, SIOCGIFFLAGS, SIOCGIFCONF,
 * SIOCSIFFLAGS, ...) of any socket, served on the guest's network.
 * -ENOIOCTLCMD for a command that is not one, -ENODEV without a network.
 */
long net_dev_ioctl(unsigned int cmd, unsigned long arg);

/*
 * A socket served by a host socket umk owns (inet.c): hsock_create makes
 * the host socket in the guest's network and hooks it to the event loop;
 * the hsock_* methods are proto_ops the INET and netlink families use.
 */
int hsock_create(struct socket *sock, int domain, int type, int protocol);
void hsock_release(struct socket *sock);
int hsock_getname(struct socket *sock, struct sockaddr_storage *addr,
		  int peer);
unsigned int hsock_poll(struct file *file, struct socket *sock,
			struct poll_table *pt);
long hsock_sendmsg(struct socket *sock, struct kmsg *msg, size_t len,
		   int flags);
long hsock_recvmsg(struct socket *sock, struct kmsg *msg, size_t len,
		   int flags);
int hsock_bind(struct socket *sock, const struct sockaddr_storage *addr,
	       int len);
int hsock_connect(struct socket *sock, const struct sockaddr_storage *addr,
		  int len, int flags);
int hsock_setsockopt_ops(struct socket *sock, int level, int optname,
			 const void *optval, unsigned int optlen);
int hsock_getsockopt_ops(struct socket *sock, int level, int optname,
			 void *optval, int *optlen);
/* Queue a datagram from address from for the guest, ahead of the host's
 * (netlink's own answers). 0 or -ENOBUFS (the local queue is full). */
int hsock_queue_local(struct socket *sock, const void *from, int fromlen,
		      const void *data, size_t len);
/* The host's net.core buffer sysctls and net.unix.max_dgram_qlen for
 * AF_UNIX (af_unix.c); a value <= 0 keeps Linux's default. */
void unix_init_sysctls(int wmem_default, int rmem_default, int wmem_max,
		       int rmem_max, int dgram_qlen);
/* The host socket's fd (for a family's own host calls). */
int hsock_fd(struct socket *sock);
/* The sockfs inode number of the guest socket behind host socket inode
 * host_ino, and its owner's guest uid; false if none. */
bool hsock_by_host_ino(unsigned long host_ino, unsigned long *ino,
		       uid_t *uid);

/* The guest's network mode (inet.c). */
enum net_mode {
	NET_NONE,			/* no AF_INET, no NETLINK_ROUTE */
	NET_PRIVATE,			/* a network namespace of its own */
	NET_HOST,			/* the host's network (net=host) */
};
extern enum net_mode net_mode;
/* Read a file of the guest network's /proc/net (tcp, dev, ...) into m:
 * the namespace's own, or umk's with net=host. 0 or -errno. */
struct seq_buf;
int net_read_proc(struct seq_buf *m, const char *name);

#endif
