/*
 * inet: TCP and UDP over the loopback, IPv4 (127.0.0.1) and IPv6 (::1):
 * listen backlog, blocking and non-blocking connect (EINPROGRESS,
 * SO_ERROR), accept4, half-close, MSG_PEEK, MSG_WAITALL, urgent data,
 * TCP_NODELAY, SO_REUSEADDR and SO_REUSEPORT, ECONNREFUSED, ECONNRESET,
 * EPIPE/SIGPIPE, EADDRINUSE, EAGAIN; UDP datagrams with MSG_TRUNC and
 * connect; device ioctls on lo; /proc/net/tcp showing our listener. The
 * native run happens in a fresh network namespace with lo up.
 */
#include "guest.h"
#include <poll.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/mount.h>

static volatile sig_atomic_t got_sigpipe;

static void on_sigpipe(int sig)
{
	got_sigpipe++;
}

static int fam;				/* AF_INET or AF_INET6 */
static const char *tag;			/* "v4" / "v6" for the lines */

static socklen_t loop_addr(struct sockaddr_storage *ss, int port)
{
	memset(ss, 0, sizeof(*ss));
	if (fam == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		return sizeof(*a);
	}
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

	a6->sin6_family = AF_INET6;
	a6->sin6_port = htons(port);
	a6->sin6_addr = in6addr_loopback;
	return sizeof(*a6);
}

static int port_of(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	getsockname(fd, (struct sockaddr *)&ss, &len);
	return ntohs(fam == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
				    : ((struct sockaddr_in6 *)&ss)->sin6_port);
}

static void line(const char *what, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void line(const char *what, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	say("%s_%s: %s", tag, what, buf);
}

static void res(const char *what, long r)
{
	if (r < 0)
		line(what, "%s", ename(errno));
	else
		line(what, "%ld", r);
}

static const char *pollstr(int fd)
{
	static char buf[64];
	struct pollfd p = { fd, POLLIN | POLLOUT | POLLRDHUP | POLLPRI, 0 };

	poll(&p, 1, 0);
	snprintf(buf, sizeof(buf), "%s%s%s%s%s%s",
		 p.revents & POLLIN ? "IN " : "", p.revents & POLLOUT ? "OUT " : "",
		 p.revents & POLLRDHUP ? "RDHUP " : "",
		 p.revents & POLLHUP ? "HUP " : "", p.revents & POLLERR ? "ERR " : "",
		 p.revents & POLLPRI ? "PRI " : "");
	return buf;
}

/* A listener on the loopback, port chosen by the kernel. */
static int listener(int backlog)
{
	struct sockaddr_storage ss;
	socklen_t len = loop_addr(&ss, 0);
	int l = socket(fam, SOCK_STREAM, 0), one = 1;

	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(l, (struct sockaddr *)&ss, len) < 0 || listen(l, backlog) < 0)
		say("listener: %s", ename(errno));
	return l;
}

static int connect_to(int port, int flags)
{
	struct sockaddr_storage ss;
	socklen_t len = loop_addr(&ss, port);
	int c = socket(fam, SOCK_STREAM | flags, 0);

	if (connect(c, (struct sockaddr *)&ss, len) < 0 && errno != EINPROGRESS)
		return -errno;
	return c;
}

static void wait_pollout(int fd)
{
	struct pollfd p = { fd, POLLOUT, 0 };

	poll(&p, 1, 5000);
}

static void test_tcp(void)
{
	int l = listener(4), port = port_of(l), c, s, v;
	char buf[64] = "";
	socklen_t len = sizeof(v);
	pid_t pid;

	yesno("tcp_port_chosen", port > 0);
	line("listen_poll", "%s", pollstr(l));
	c = connect_to(port, 0);
	res("connect", c < 0 ? -1 : 0);
	s = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	res("accept", s < 0 ? -1 : 0);
	line("accept_cloexec", "%d", !!(fcntl(s, F_GETFD) & FD_CLOEXEC));
	res("send", send(c, "hello tcp", 9, 0));
	res("peek", recv(s, buf, 5, MSG_PEEK));
	res("recv_waitall", recv(s, buf, 9, MSG_WAITALL));
	line("data", "%.9s", buf);
	v = 1;
	res("nodelay_set", setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &v, sizeof(v)));
	v = 0;
	getsockopt(c, IPPROTO_TCP, TCP_NODELAY, &v, &len);
	line("nodelay_get", "%d", v);
	getsockopt(c, SOL_SOCKET, SO_TYPE, &v, &len);
	line("so_type", "%d", v);
	getsockopt(c, SOL_SOCKET, SO_DOMAIN, &v, &len);
	line("so_domain_is_family", "%d", v == fam);
	ERR("recv_empty_dontwait", recv(s, buf, 1, MSG_DONTWAIT));
	line("poll_idle", "%s", pollstr(s));
	/* Half-close: the peer reads EOF and can still send. */
	res("shutdown_wr", shutdown(c, SHUT_WR));
	res("read_eof", read(s, buf, sizeof(buf)));
	line("poll_after_peer_shut", "%s", pollstr(s));
	res("send_back_after_shut", send(s, "back", 4, 0));
	res("recv_back", recv(c, buf, sizeof(buf), 0));
	/* Urgent data goes through as on Linux. */
	res("send_oob", send(s, "U", 1, MSG_OOB));
	{
		struct pollfd p = { c, POLLPRI, 0 };

		poll(&p, 1, 5000);
		line("poll_oob", "%s", (p.revents & POLLPRI) ? "PRI" : "none");
	}
	res("recv_oob", recv(c, buf, 1, MSG_OOB));
	line("oob_byte", "%c", buf[0]);
	close(s);
	close(c);

	/* A reader woken by a writer in another process. */
	pid = fork();
	if (pid == 0) {
		int cc = connect_to(port, 0);

		wait_sleeping(getppid(), getppid());	/* in accept or read */
		write(cc, "from-child", 10);
		_exit(0);
	}
	s = accept(l, NULL, NULL);
	res("blocking_read_woken", read(s, buf, sizeof(buf)));
	line("child", "%s", reap(pid));
	res("read_eof_child_gone", read(s, buf, sizeof(buf)));
	close(s);

	/* EADDRINUSE, then SO_REUSEPORT lets two share a port. */
	{
		struct sockaddr_storage ss;
		socklen_t sl = loop_addr(&ss, port);
		int d = socket(fam, SOCK_STREAM, 0), one = 1, r1, r2;

		ERR("bind_in_use", bind(d, (struct sockaddr *)&ss, sl));
		close(d);
		r1 = socket(fam, SOCK_STREAM, 0);
		r2 = socket(fam, SOCK_STREAM, 0);
		setsockopt(r1, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
		setsockopt(r2, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
		sl = loop_addr(&ss, 0);
		bind(r1, (struct sockaddr *)&ss, sl);
		sl = loop_addr(&ss, port_of(r1));
		res("bind_reuseport", bind(r2, (struct sockaddr *)&ss, sl));
		close(r1);
		close(r2);
	}
	close(l);

	/* Nothing listens now: ECONNREFUSED, blocking and not. */
	c = connect_to(port, 0);
	line("connect_refused", "%s", c < 0 ? ename(-c) : "connected");
	if (c >= 0)
		close(c);
	c = connect_to(port, SOCK_NONBLOCK);
	if (c >= 0) {
		wait_pollout(c);
		v = 0;
		getsockopt(c, SOL_SOCKET, SO_ERROR, &v, &len);
		line("nonblock_refused_so_error", "%s", v ? ename(v) : "0");
		close(c);
	} else {
		line("nonblock_refused_so_error", "%s", ename(-c));
	}
}

static void test_nonblocking(void)
{
	int l = listener(1), port = port_of(l), c, s, n, v = -1, total = 0;
	socklen_t len = sizeof(v);
	char buf[65536];

	c = connect_to(port, SOCK_NONBLOCK);
	wait_pollout(c);
	getsockopt(c, SOL_SOCKET, SO_ERROR, &v, &len);
	line("nonblock_connect_so_error", "%d", v);
	line("nonblock_poll_connected", "%s", pollstr(c));
	fcntl(l, F_SETFL, O_NONBLOCK);
	s = accept(l, NULL, NULL);
	res("nonblock_accept", s < 0 ? -1 : 0);
	ERR("nonblock_accept_again", accept(l, NULL, NULL));
	ERR("nonblock_recv_empty", recv(c, buf, 1, 0));
	/* Fill until EAGAIN (nobody reads), then drain. */
	memset(buf, 'x', sizeof(buf));
	for (n = 0; n < 10000; n++) {
		int w = send(c, buf, sizeof(buf), 0);

		if (w < 0)
			break;
		total += w;
	}
	line("fill_stops_with", "%s", ename(errno));
	line("fill_poll", "%s", pollstr(c));
	fcntl(s, F_SETFL, O_NONBLOCK);
	while (total > 0) {
		int r = read(s, buf, sizeof(buf));

		if (r < 0) {
			struct pollfd p = { s, POLLIN, 0 };

			poll(&p, 1, 1000);
			continue;
		}
		if (r == 0)
			break;
		total -= r;
	}
	line("drained", "%d", total);
	/* Reset: SO_LINGER {1, 0} and close send an RST. */
	{
		struct linger lg = { 1, 0 };
		struct pollfd p = { c, POLLIN, 0 };

		setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(s);
		poll(&p, 1, 5000);
		line("reset_poll", "%s", pollstr(c));
		ERR("reset_recv", recv(c, buf, 1, 0));
		signal(SIGPIPE, on_sigpipe);
		got_sigpipe = 0;
		ERR("reset_send", send(c, "x", 1, 0));
		line("reset_sigpipe", "%d", got_sigpipe);
		signal(SIGPIPE, SIG_DFL);
	}
	close(c);
	close(l);
}

static void test_udp(void)
{
	struct sockaddr_storage ss, from;
	socklen_t len, flen = sizeof(from);
	int a = socket(fam, SOCK_DGRAM, 0), b = socket(fam, SOCK_DGRAM, 0);
	char buf[64] = "";

	len = loop_addr(&ss, 0);
	bind(a, (struct sockaddr *)&ss, len);
	len = loop_addr(&ss, port_of(a));
	res("udp_sendto", sendto(b, "datagram-one", 12, 0, (struct sockaddr *)&ss, len));
	res("udp_sendto2", sendto(b, "two", 3, 0, (struct sockaddr *)&ss, len));
	res("udp_recv_trunc", recv(a, buf, 4, MSG_TRUNC));
	res("udp_recvfrom", recvfrom(a, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen));
	line("udp_from_family", "%d", from.ss_family == fam);
	line("udp_from_port_is_b", "%d", ntohs(fam == AF_INET ?
	     ((struct sockaddr_in *)&from)->sin_port :
	     ((struct sockaddr_in6 *)&from)->sin6_port) == port_of(b));
	ERR("udp_recv_empty", recv(a, buf, 1, MSG_DONTWAIT));
	res("udp_connect", connect(b, (struct sockaddr *)&ss, len));
	res("udp_send_connected", send(b, "c", 1, 0));
	res("udp_recv_connected", recv(a, buf, sizeof(buf), 0));
	line("udp_poll_writable", "%s", pollstr(b));
	close(a);
	/* Nobody at the port: the next send or receive says so. */
	send(b, "x", 1, 0);
	{
		struct pollfd p = { b, POLLERR, 0 };

		poll(&p, 1, 2000);
	}
	ERR("udp_refused", recv(b, buf, 1, MSG_DONTWAIT));
	close(b);
}

/* Our listener appears in /proc/net/tcp with its inode and our uid. */
static void test_proc_net(void)
{
	int l = listener(1);
	struct stat st;
	char want[32], row[512];
	FILE *f = fopen(fam == AF_INET ? "/proc/net/tcp" : "/proc/net/tcp6", "r");
	int found = 0, uid = -1;

	fstat(l, &st);
	snprintf(want, sizeof(want), " %lu ", (unsigned long)st.st_ino);
	while (f && fgets(row, sizeof(row), f)) {
		if (strstr(row, want)) {
			found = 1;
			sscanf(row, "%*s %*s %*s %*s %*s %*s %*s %d", &uid);
		}
	}
	if (f)
		fclose(f);
	line("proc_net_tcp_listener", "found=%d uid=%d", found, uid);
	close(l);
}

static void test_family(int f, const char *t)
{
	fam = f;
	tag = t;
	test_tcp();
	test_nonblocking();
	test_udp();
	test_proc_net();
}

static void test_misc(void)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM, 0), v6;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(1) };
	socklen_t len = sizeof(v6);

	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	resv("siocgifindex_lo", ioctl(s, SIOCGIFINDEX, &ifr) ? -1 : ifr.ifr_ifindex);
	ioctl(s, SIOCGIFFLAGS, &ifr);
	say("lo_flags_up_loopback: %d", (ifr.ifr_flags & (IFF_UP | IFF_LOOPBACK)) == (IFF_UP | IFF_LOOPBACK));
	strcpy(ifr.ifr_name, "eth77");
	ERR("siocgifindex_none", ioctl(s, SIOCGIFINDEX, &ifr));
	say("if_nametoindex_lo: %u", if_nametoindex("lo"));
	a.sin_addr.s_addr = htonl(0x08080808);
	ERR("connect_udp_outside", connect(s, (struct sockaddr *)&a, sizeof(a)));
	close(s);
	s = socket(AF_INET6, SOCK_STREAM, 0);
	getsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &v6, &len);
	say("v6only_default: %d", v6);
	close(s);
	ERR("socket_inet_seqpacket", socket(AF_INET, SOCK_SEQPACKET, 0));
	ERR("socket_inet_bad_proto", socket(AF_INET, SOCK_STREAM, IPPROTO_UDP));
	ERR("socket_appletalk", socket(AF_APPLETALK, SOCK_DGRAM, 0));
	ERR("socket_bad_type", socket(AF_INET, 77, 0));
	s = socket(AF_INET, SOCK_STREAM, 0);
	ERR("bind_short_addr", bind(s, (struct sockaddr *)&a, 4));
	ERR("bind_bad_ptr", syscall(SYS_bind, s, BAD1, 16));
	ERR("connect_bad_ptr", syscall(SYS_connect, s, BAD2, 16));
	ERR("listen_then_recv", (listen(s, 1), recv(s, &v6, 1, MSG_DONTWAIT)));
	close(s);
}

int main(void)
{
	test_start();
	if (access("/proc/self/fd", F_OK) != 0)	/* umk's test shell is init */
		mount("proc", "/proc", "proc", 0, NULL);
	test_family(AF_INET, "v4");
	test_family(AF_INET6, "v6");
	test_misc();
	say("DONE inet");
	return 0;
}
