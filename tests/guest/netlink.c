/*
 * netlink: NETLINK_ROUTE as iproute2 and glibc use it: RTM_GETLINK and
 * RTM_GETADDR dumps (lo, 127.0.0.1/8, ::1/128), RTM_NEWLINK setting lo
 * down and up as root, the -EPERM answer to anyone else, getifaddrs and
 * if_nameindex, the socket's name, and bad arguments. The native run
 * happens in a fresh network namespace with lo up.
 */
#include "guest.h"
#include <stdbool.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

static int nl_open(void)
{
	struct sockaddr_nl a = { .nl_family = AF_NETLINK };
	int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0)
		say("nl_open: %s", ename(errno));
	return s;
}

static int nl_request(int s, int type, int flags, void *body, size_t blen,
		      unsigned int seq)
{
	struct {
		struct nlmsghdr h;
		char body[256];
	} req;

	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = NLMSG_LENGTH(blen);
	req.h.nlmsg_type = type;
	req.h.nlmsg_flags = NLM_F_REQUEST | flags;
	req.h.nlmsg_seq = seq;
	memcpy(req.body, body, blen);
	return send(s, &req, req.h.nlmsg_len, 0);
}

/* Read replies to seq until NLMSG_DONE or an error; call fn on each. */
static int nl_collect(int s, unsigned int seq, void (*fn)(struct nlmsghdr *))
{
	static char buf[65536];

	for (;;) {
		int n = recv(s, buf, sizeof(buf), 0);
		struct nlmsghdr *h;

		if (n < 0)
			return -errno;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (unsigned)n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
			fn(h);
		}
	}
}

static void show_link(struct nlmsghdr *h)
{
	struct ifinfomsg *ifi = NLMSG_DATA(h);
	struct rtattr *a = IFLA_RTA(ifi);
	int len = IFLA_PAYLOAD(h);
	char name[IFNAMSIZ] = "?";
	unsigned int mtu = 0;

	for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == IFLA_IFNAME)
			snprintf(name, sizeof(name), "%s", (char *)RTA_DATA(a));
		if (a->rta_type == IFLA_MTU)
			memcpy(&mtu, RTA_DATA(a), sizeof(mtu));
	}
	say("link: %d %s type=%d up=%d loopback=%d mtu=%u", ifi->ifi_index, name,
	    ifi->ifi_type, !!(ifi->ifi_flags & IFF_UP),
	    !!(ifi->ifi_flags & IFF_LOOPBACK), mtu);
}

static void show_addr(struct nlmsghdr *h)
{
	struct ifaddrmsg *ifa = NLMSG_DATA(h);
	struct rtattr *a = IFA_RTA(ifa);
	int len = IFA_PAYLOAD(h);
	char text[64] = "?";

	for (; RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == IFA_ADDRESS)
			inet_ntop(ifa->ifa_family, RTA_DATA(a), text, sizeof(text));
	say("addr: if=%d family=%s %s/%d scope=%d", ifa->ifa_index,
	    ifa->ifa_family == AF_INET ? "inet" : "inet6", text,
	    ifa->ifa_prefixlen, ifa->ifa_scope);
}

static int set_lo(int s, bool up, unsigned int seq)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = 1,
				 .ifi_change = IFF_UP,
				 .ifi_flags = up ? IFF_UP : 0 };

	nl_request(s, RTM_NEWLINK, NLM_F_ACK, &ifi, sizeof(ifi), seq);
	return nl_collect(s, seq, show_link);
}

static void test_dumps(void)
{
	int s = nl_open();
	struct rtgenmsg g = { .rtgen_family = AF_UNSPEC };
	struct sockaddr_nl me;
	socklen_t len = sizeof(me);

	resv("getsockname", getsockname(s, (struct sockaddr *)&me, &len));
	say("nl_family: %d len=%d groups=%u", me.nl_family, len, me.nl_groups);
	nl_request(s, RTM_GETLINK, NLM_F_DUMP, &g, sizeof(g), 1);
	resv("dump_links", nl_collect(s, 1, show_link));
	nl_request(s, RTM_GETADDR, NLM_F_DUMP, &g, sizeof(g), 2);
	resv("dump_addrs", nl_collect(s, 2, show_addr));
	resv("lo_down", set_lo(s, false, 3));
	nl_request(s, RTM_GETLINK, NLM_F_DUMP, &g, sizeof(g), 4);
	nl_collect(s, 4, show_link);
	resv("lo_up", set_lo(s, true, 5));
	nl_request(s, RTM_GETLINK, NLM_F_DUMP, &g, sizeof(g), 6);
	nl_collect(s, 6, show_link);
	close(s);
}

static void ignore(struct nlmsghdr *h)
{
}

/* A user that is not root may read but not change. */
static void test_unprivileged(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct rtgenmsg g = { .rtgen_family = AF_UNSPEC };
		int s, err;

		if (setgid(1000) || setuid(1000))
			_exit(100);
		s = nl_open();
		nl_request(s, RTM_GETLINK, NLM_F_DUMP, &g, sizeof(g), 7);
		if (nl_collect(s, 7, ignore) != 0)
			_exit(102);
		err = set_lo(s, false, 8);
		_exit(err == -EPERM ? 0 : 101);
	}
	say("unprivileged_set_lo_eperm: %s", reap(pid));
}

static void test_libc(void)
{
	struct ifaddrs *ifs, *i;
	struct if_nameindex *ni;
	int n = 0;

	if (getifaddrs(&ifs) == 0) {
		for (i = ifs; i; i = i->ifa_next) {
			char text[64] = "-";

			if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET)
				inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, text, sizeof(text));
			else if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET6)
				inet_ntop(AF_INET6, &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, text, sizeof(text));
			else if (i->ifa_addr)
				snprintf(text, sizeof(text), "family %d", i->ifa_addr->sa_family);
			say("getifaddrs: %s %s", i->ifa_name, text);
		}
		freeifaddrs(ifs);
	} else {
		say("getifaddrs: %s", ename(errno));
	}
	ni = if_nameindex();
	for (; ni && ni[n].if_index; n++)
		say("if_nameindex: %u %s", ni[n].if_index, ni[n].if_name);
	if (ni)
		if_freenameindex(ni);
}

static void test_errors(void)
{
	int s;

	ERR("netlink_stream", socket(AF_NETLINK, SOCK_STREAM, NETLINK_ROUTE));
	ERR("netlink_proto_huge", socket(AF_NETLINK, SOCK_RAW, 99));
	ERR("netlink_proto_neg", socket(AF_NETLINK, SOCK_RAW, -1));
	s = socket(AF_NETLINK, SOCK_DGRAM, NETLINK_ROUTE);
	chk("netlink_dgram", s);
	ERR("netlink_bind_bad", syscall(SYS_bind, s, BAD1, 12));
	ERR("netlink_send_bad", syscall(SYS_sendto, s, BAD1, 16L, 0, NULL, 0));
	ERR("netlink_listen", listen(s, 1));
	close(s);
}

int main(void)
{
	test_start();
	test_dumps();
	test_unprivileged();
	test_libc();
	test_errors();
	say("DONE netlink");
	return 0;
}
