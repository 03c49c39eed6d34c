/*
 * AF_NETLINK (netlink(7)): NETLINK_ROUTE only, enough for iproute2
 * (ip addr, ip link, ip link set lo up, ip route) and glibc (getifaddrs,
 * if_nameindex, getaddrinfo's AI_ADDRCONFIG). It is the host kernel's own
 * rtnetlink, reached through a host netlink socket in the guest's network
 * (inet.c): the private namespace's, or umk's with net=host. A request
 * that changes the network (every RTM_* that is not a GET) needs the
 * guest's root, as Linux's CAP_NET_ADMIN check: for anyone else umk
 * answers it itself with an NLMSG_ERROR of -EPERM and does not pass it
 * on. Every other protocol (NETLINK_AUDIT, NETLINK_KOBJECT_UEVENT, ...)
 * fails as on a kernel built without it: EPROTONOSUPPORT.
 */
#include <umk/net.h>
#include <string.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include "internal.h"

#define NL_MSG_MAX	(64 * 1024)	/* one send, copied to check it */
#define MAX_LINKS	32


/* Does this request change the network (rtnetlink's "kind" is not GET)? */
static bool nl_needs_admin(const struct nlmsghdr *h)
{
	if (h->nlmsg_type < RTM_BASE)
		return false;
	return ((h->nlmsg_type - RTM_BASE) & 3) != 2;
}

/* Answer request h with an NLMSG_ERROR of err, as Linux netlink_ack does
 * (the request copied after the error). */
static void nl_ack_error(struct socket *sock, const struct nlmsghdr *h,
			 int err)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct sockaddr_storage me;
	size_t len = NLMSG_LENGTH(sizeof(struct nlmsgerr) - sizeof(*h) +
				  h->nlmsg_len);
	struct nlmsghdr *r = kzalloc(NLMSG_ALIGN(len));
	struct nlmsgerr *e;

	if (!r)
		return;
	memset(&me, 0, sizeof(me));
	hsock_getname(sock, &me, 0);
	r->nlmsg_len = len;
	r->nlmsg_type = NLMSG_ERROR;
	r->nlmsg_seq = h->nlmsg_seq;
	r->nlmsg_pid = ((struct sockaddr_nl *)&me)->nl_pid;
	e = NLMSG_DATA(r);
	e->error = err;
	memcpy(&e->msg, h, h->nlmsg_len);
	hsock_queue_local(sock, &kernel, sizeof(kernel), r, len);
	kfree(r);
}

/*
 * Keep, in buf, the messages the guest may send: a change by anyone but
 * root is answered with -EPERM here and dropped. Returns the new length.
 */
static size_t nl_filter(struct socket *sock, char *buf, size_t len)
{
	size_t in = 0, out = 0;

	if (capable(current->cred))
		return len;
	while (len - in >= sizeof(struct nlmsghdr)) {
		struct nlmsghdr h;
		size_t step;

		memcpy(&h, buf + in, sizeof(h));
		if (h.nlmsg_len < sizeof(h) || h.nlmsg_len > len - in)
			break;	/* malformed: the host judges the rest */
		step = min((size_t)NLMSG_ALIGN(h.nlmsg_len), len - in);
		if (nl_needs_admin(&h)) {
			nl_ack_error(sock, (struct nlmsghdr *)(buf + in),
				     -EPERM);
		} else {
			memmove(buf + out, buf + in, step);
			out += step;
		}
		in += step;
	}
	memmove(buf + out, buf + in, len - in);
	return out + len - in;
}

static long netlink_sendmsg(struct socket *sock, struct kmsg *msg, size_t len,
			    int flags)
{
	const struct sockaddr_nl *dst = (const struct sockaddr_nl *)&msg->name;
	struct kmsg out;
	size_t keep;
	char *buf;
	long ret;

	if (msg->namelen >= (int)sizeof(*dst) && dst->nl_groups &&
	    !capable(current->cred))
		return -EPERM;
	if (len > NL_MSG_MAX)
		return -EMSGSIZE;
	buf = kmalloc(len + 1);
	if (!buf)
		return -ENOBUFS;
	if (copy_from_iter(buf, len, &msg->iter)) {
		kfree(buf);
		return -EFAULT;
	}
	keep = nl_filter(sock, buf, len);
	ret = len;
	if (keep || !len) {
		out = *msg;
		out.iter = (struct msg_iter){ .kbuf = buf, .count = keep };
		ret = hsock_sendmsg(sock, &out, keep, flags);
		if (ret >= 0)
			ret = len;
	}
	kfree(buf);
	return ret;
}

static int netlink_bind(struct socket *sock,
			const struct sockaddr_storage *addr, int len)
{
	return hsock_bind(sock, addr, len);
}

static const struct proto_ops netlink_ops = {
	.family = AF_NETLINK,
	.release = hsock_release,
	.bind = netlink_bind,
	.connect = hsock_connect,
	.getname = hsock_getname,
	.poll = hsock_poll,
	.setsockopt = hsock_setsockopt_ops,
	.getsockopt = hsock_getsockopt_ops,
	.sendmsg = netlink_sendmsg,
	.recvmsg = hsock_recvmsg,
};

/* Linux netlink_create: type, then protocol, then whether it exists. */
int netlink_create(struct socket *sock, int protocol)
{
	int err;

	if (sock->type != SOCK_RAW && sock->type != SOCK_DGRAM)
		return -ESOCKTNOSUPPORT;
	if (protocol < 0 || protocol >= MAX_LINKS)
		return -EPROTONOSUPPORT;
	if (protocol != NETLINK_ROUTE || !net_available())
		return -EPROTONOSUPPORT;
	err = hsock_create(sock, AF_NETLINK, sock->type, protocol);
	if (err)
		return err;
	sock->ops = &netlink_ops;
	return 0;
}
