/*
 * The event loop's host side: epoll over a signalfd (SIGCHLD and the
 * termination signals umk itself receives) and the fds of the console and
 * the helper threads. SIGCHLD stays blocked in umk, so ptrace stops are
 * seen only here, never as asynchronous signal handlers (HOST-NOTES).
 */
#include <event.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>

static int epfd = -1, sigfd = -1;
static int fd_source[1024];
static int term_signal;

int os_event_init(void)
{
	struct epoll_event ev = { .events = EPOLLIN };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sigfd < 0)
		return -errno;
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0)
		return -errno;
	ev.data.fd = sigfd;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, sigfd, &ev) < 0)
		return -errno;
	return 0;
}

int os_event_add_fd(int fd, enum event_source src)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	if (fd < 0 || fd >= (int)(sizeof(fd_source) / sizeof(fd_source[0])))
		return -EBADF;
	fd_source[fd] = src;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	return 0;
}

int os_event_del_fd(int fd)
{
	return epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL) < 0 ? -errno : 0;
}

static void drain_signalfd(unsigned int *ready)
{
	struct signalfd_siginfo si;

	while (read(sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGCHLD) {
			*ready |= 1u << EV_CHILD;
		} else {
			term_signal = si.ssi_signo;
			*ready |= 1u << EV_TERM;
		}
	}
}

int os_event_wait(int64_t timeout_ns, unsigned int *ready)
{
	struct epoll_event evs[16];
	struct timespec ts, *tsp = NULL;
	int n;

	if (timeout_ns >= 0) {
		ts.tv_sec = timeout_ns / 1000000000;
		ts.tv_nsec = timeout_ns % 1000000000;
		tsp = &ts;
	}
	do {
		n = epoll_pwait2(epfd, evs, 16, tsp, NULL);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	for (int i = 0; i < n; i++) {
		if (evs[i].data.fd == sigfd)
			drain_signalfd(ready);
		else
			*ready |= 1u << fd_source[evs[i].data.fd];
	}
	return 0;
}

int os_event_term_signal(void)
{
	return term_signal;
}
