/*
 * Host side of the guest's network: the namespace helper and the socket
 * calls umk makes on the host sockets it owns (arch/um/include/net_user.h).
 * The helper is a fork of umk made while umk is still single-threaded; it
 * runs only async-signal-safe calls, keeps nothing but its end of the
 * socketpair, dies with umk (PR_SET_PDEATHSIG) and answers one request at
 * a time: socket(domain, type, protocol) for AF_INET, AF_INET6 and
 * AF_NETLINK only. Once lo is up it runs under a seccomp filter that
 * allows just that: recv, socket of those families, sendmsg, close, exit.
 */
#include <net_user.h>
#include <os.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <seccomp.h>

struct helper_req {
	int domain, type, protocol;
};

static int helper_pid;

/* Set IFF_UP on lo, in the helper's new namespace. */
static int lo_up(void)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		err = -errno;
	} else {
		ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
			err = -errno;
	}
	close(fd);
	return err;
}

/* Send err, and fd when err is 0, to umk. */
static void helper_answer(int chan, int err, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { &err, sizeof(err) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (!err) {
		struct cmsghdr *c;

		m.msg_control = u.buf;
		m.msg_controllen = sizeof(u.buf);
		c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	while (sendmsg(chan, &m, MSG_NOSIGNAL) < 0 && errno == EINTR)
		;
}

static void __attribute__((noreturn)) helper_loop(int chan)
{
	struct helper_req r;
	ssize_t n;

	for (;;) {
		n = recv(chan, &r, sizeof(r), 0);
		if (n == 0 || (n < 0 && errno != EINTR))
			_exit(0);
		if (n != sizeof(r))
			continue;
		if (r.domain != AF_INET && r.domain != AF_INET6 &&
		    r.domain != AF_NETLINK) {
			helper_answer(chan, -EAFNOSUPPORT, -1);
			continue;
		}
		int fd = socket(r.domain, (r.type & 0xf) | SOCK_NONBLOCK |
				SOCK_CLOEXEC, r.protocol);

		helper_answer(chan, fd < 0 ? -errno : 0, fd);
		if (fd >= 0)
			close(fd);
	}
}

/* The helper's seccomp filter: anything else kills it. 0 or -errno. */
static int helper_filter(void)
{
	static const int plain[] = {
		SCMP_SYS(recvfrom), SCMP_SYS(sendto), SCMP_SYS(sendmsg),
		SCMP_SYS(close), SCMP_SYS(exit), SCMP_SYS(exit_group),
	};
	static const int domains[] = { AF_INET, AF_INET6, AF_NETLINK };
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	int err = 0;

	if (!ctx)
		return -ENOMEM;
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]) && !err; i++)
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, plain[i], 0);
	for (size_t i = 0; i < sizeof(domains) / sizeof(domains[0]) && !err; i++)
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
				       SCMP_A0(SCMP_CMP_EQ, domains[i]));
	if (!err)
		err = seccomp_load(ctx);
	seccomp_release(ctx);
	return err;
}

/* The child: namespaces, lo up, then serve. Its first message tells umk
 * whether that worked (0, or -errno and the step). */
static void __attribute__((noreturn)) helper_child(int chan)
{
	struct { int err; int step; } st = { 0, 0 };
	sigset_t none;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_NAME, "umk-net");
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int fd = 0; fd < 3; fd++)
		if (fd != chan)
			close(fd);
	if (chan != 3 && dup2(chan, 3) == 3) {
		close(chan);
		chan = 3;
	}
	syscall(SYS_close_range, 4, ~0U, 0);
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0) {
		st.err = -errno;
		st.step = 1;
		if (geteuid() == 0 && unshare(CLONE_NEWNET) == 0)
			st.err = 0;
	}
	if (!st.err) {
		st.err = lo_up();
		st.step = 2;
	}
	if (!st.err) {
		st.err = helper_filter();
		st.step = 3;
	}
	if (st.err) {
		send(chan, &st, sizeof(st), MSG_NOSIGNAL);
		_exit(1);
	}
	st.step = 0;
	send(chan, &st, sizeof(st), MSG_NOSIGNAL);
	helper_loop(chan);
}

int os_net_start_helper(const char **why)
{
	struct { int err; int step; } st;
	int sv[2];
	pid_t pid;
	ssize_t n;

	*why = "socketpair";
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	*why = "fork";
	pid = fork();
	if (pid < 0) {
		int err = -errno;

		close(sv[0]);
		close(sv[1]);
		return err;
	}
	if (pid == 0) {
		close(sv[0]);
		helper_child(sv[1]);
	}
	close(sv[1]);
	do {
		n = recv(sv[0], &st, sizeof(st), 0);
	} while (n < 0 && errno == EINTR);
	if (n != sizeof(st) || st.err) {
		*why = n != sizeof(st) ? "the helper died" :
		       st.step == 1 ? "unshare(CLONE_NEWUSER|CLONE_NEWNET)" :
		       st.step == 2 ? "bringing lo up" : "the helper's seccomp filter";
		close(sv[0]);
		return n != sizeof(st) ? -EPIPE : st.err;
	}
	helper_pid = pid;
	os_helper_child(pid);
	if (fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK) < 0) {
		close(sv[0]);
		return -errno;
	}
	return sv[0];
}

int os_net_helper_pid(void)
{
	return helper_pid;
}

int os_net_helper_request(int helper_fd, int domain, int type, int protocol)
{
	struct helper_req r = { domain, type, protocol };
	ssize_t n = send(helper_fd, &r, sizeof(r), MSG_NOSIGNAL | MSG_DONTWAIT);

	if (n < 0)
		return -errno;
	return n == sizeof(r) ? 0 : -EIO;
}

int os_net_helper_reply(int helper_fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	int err = 0, fd = -1;
	struct iovec iov = { &err, sizeof(err) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c;
	ssize_t n = recvmsg(helper_fd, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

	if (n < 0)
		return -errno;
	if (n == 0)
		return -EPIPE;
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		    c->cmsg_len >= CMSG_LEN(sizeof(int)))
			memcpy(&fd, CMSG_DATA(c), sizeof(int));
	if (err)
		return err < 0 ? err : -EIO;
	return fd >= 0 ? fd : -EIO;
}

int os_socket(int domain, int type, int protocol)
{
	int fd = socket(domain, (type & 0xf) | SOCK_NONBLOCK | SOCK_CLOEXEC,
			protocol);

	return fd < 0 ? -errno : fd;
}

int os_bind(int fd, const void *addr, socklen_t len)
{
	return bind(fd, addr, len) < 0 ? -errno : 0;
}

int os_connect(int fd, const void *addr, socklen_t len)
{
	return connect(fd, addr, len) < 0 ? -errno : 0;
}

int os_listen(int fd, int backlog)
{
	return listen(fd, backlog) < 0 ? -errno : 0;
}

int os_accept(int fd, void *addr, socklen_t *len)
{
	int n = accept4(fd, addr, len, SOCK_NONBLOCK | SOCK_CLOEXEC);

	return n < 0 ? -errno : n;
}

int os_shutdown(int fd, int how)
{
	return shutdown(fd, how) < 0 ? -errno : 0;
}

int os_getsockname(int fd, void *addr, socklen_t *len)
{
	return getsockname(fd, addr, len) < 0 ? -errno : 0;
}

int os_getpeername(int fd, void *addr, socklen_t *len)
{
	return getpeername(fd, addr, len) < 0 ? -errno : 0;
}

int os_setsockopt(int fd, int level, int name, const void *val,
		  socklen_t len)
{
	return setsockopt(fd, level, name, val, len) < 0 ? -errno : 0;
}

int os_getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	return getsockopt(fd, level, name, val, len) < 0 ? -errno : 0;
}

long os_sendmsg(int fd, const struct msghdr *m, int flags)
{
	ssize_t n = sendmsg(fd, m, flags | MSG_DONTWAIT | MSG_NOSIGNAL);

	return n < 0 ? -errno : n;
}

long os_recvmsg(int fd, struct msghdr *m, int flags)
{
	ssize_t n = recvmsg(fd, m, flags | MSG_DONTWAIT);

	return n < 0 ? -errno : n;
}

int os_sock_ioctl(int fd, unsigned long cmd, void *arg)
{
	int r = ioctl(fd, cmd, arg);

	return r < 0 ? -errno : r;
}

unsigned int os_poll_now(int fd)
{
	struct pollfd p = { .fd = fd,
			    .events = POLLIN | POLLOUT | POLLPRI | POLLRDHUP |
				      POLLRDNORM | POLLWRNORM | POLLRDBAND |
				      POLLWRBAND };

	if (poll(&p, 1, 0) < 0)
		return 0;
	return p.revents;
}

unsigned long os_sock_ino(int fd)
{
	struct stat st;

	return fstat(fd, &st) < 0 ? 0 : st.st_ino;
}

long os_raise_nofile(void)
{
	struct rlimit r;

	if (getrlimit(RLIMIT_NOFILE, &r) < 0)
		return 1024;
	if (r.rlim_cur < r.rlim_max && r.rlim_cur < 65536) {
		r.rlim_cur = r.rlim_max < 65536 ? r.rlim_max : 65536;
		if (setrlimit(RLIMIT_NOFILE, &r) < 0)
			getrlimit(RLIMIT_NOFILE, &r);
	}
	return r.rlim_cur;
}
