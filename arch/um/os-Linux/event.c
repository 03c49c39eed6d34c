/*
 * The event loop's host side: epoll over a signalfd (SIGCHLD and the
 * termination signals umk itself receives) and the fds of the console and
 * the helper threads. SIGCHLD stays blocked in umk, so ptrace stops are
 * seen only here, never as asynchronous signal handlers (HOST-NOTES).
 */
#include <event.h>
#include <stdbool.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <stdatomic.h>
#include <host_stop.h>
#include <ptrace_user.h>
#include <os.h>

#ifndef __WALL
#define __WALL 0x40000000
#endif
/* The kernel thread's tick and kick signal: interrupts a blocking waitpid. */
#define SIG_KICK SIGALRM
#define TICK_NS (20 * 1000000L)

static int epfd = -1, sigfd = -1;
static int fd_source[1024];
static bool fd_kicked[1024];		/* its producer calls os_event_kick */
static int nr_fds;			/* watched fds besides the signalfd */
static int term_signal;
static pid_t kernel_tid;
static atomic_int kicked;

static void kick_handler(int sig)
{
	(void)sig;
	atomic_store(&kicked, 1);
}

static timer_t deadline_timer;
static uint64_t deadline_armed;		/* host CLOCK_MONOTONIC ns, 0 = none */

/* A one-shot kick of the kernel thread at an absolute host monotonic time
 * (the earliest kernel timer), re-armed only when it changes. */
void os_event_arm_deadline(uint64_t mono_ns)
{
	struct itimerspec its = { 0 };

	if (mono_ns == deadline_armed)
		return;
	its.it_value.tv_sec = mono_ns / 1000000000;
	its.it_value.tv_nsec = mono_ns % 1000000000;
	if (timer_settime(deadline_timer, TIMER_ABSTIME, &its, NULL) == 0)
		deadline_armed = mono_ns;
}

/* A periodic tick for the kernel thread only, so a blocking waitpid never
 * sleeps longer than TICK_NS without looking at the other sources. */
static int start_tick(void)
{
	struct sigevent sev = { 0 };
	struct itimerspec its = {
		.it_value = { 0, TICK_NS }, .it_interval = { 0, TICK_NS },
	};
	struct sigaction sa = { .sa_handler = kick_handler };
	timer_t timer;

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIG_KICK, &sa, NULL) < 0)	/* no SA_RESTART: EINTR */
		return -errno;
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIG_KICK;
	sev._sigev_un._tid = kernel_tid;
	if (timer_create(CLOCK_MONOTONIC, &sev, &timer) < 0 ||
	    timer_settime(timer, 0, &its, NULL) < 0 ||
	    timer_create(CLOCK_MONOTONIC, &sev, &deadline_timer) < 0)
		return -errno;
	return 0;
}

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
	kernel_tid = gettid();
	return start_tick();
}

int os_event_add_fd(int fd, enum event_source src)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	if (fd < 0 || fd >= (int)(sizeof(fd_source) / sizeof(fd_source[0])))
		return -EBADF;
	fd_source[fd] = src;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	nr_fds++;
	return 0;
}

int os_event_add_fd_kicked(int fd, enum event_source src)
{
	int err = os_event_add_fd(fd, src);

	if (err)
		return err;
	nr_fds--;
	fd_kicked[fd] = true;
	return 0;
}

int os_event_del_fd(int fd)
{
	if (epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL) < 0)
		return -errno;
	if (!fd_kicked[fd])
		nr_fds--;
	fd_kicked[fd] = false;
	return 0;
}

bool os_event_fds_watched(void)
{
	return nr_fds > 0;
}

void os_event_kick(void)
{
	atomic_store(&kicked, 1);
	syscall(SYS_tgkill, getpid(), kernel_tid, SIG_KICK);
}

int os_wait_child_blocking(struct host_stop *stop)
{
	int status;
	pid_t pid;

	if (atomic_exchange(&kicked, 0))
		return -EINTR;
	pid = waitpid(-1, &status, __WALL);
	if (pid < 0)
		return -errno;
	os_decode_status(status, stop);
	return pid;
}

static void drain_signalfd(unsigned int *ready)
{
	struct signalfd_siginfo si[8];
	ssize_t n = read(sigfd, si, sizeof(si));

	for (int i = 0; i < n / (ssize_t)sizeof(si[0]); i++) {
		if (si[i].ssi_signo == SIGCHLD) {
			*ready |= 1u << EV_CHILD;
		} else {
			term_signal = si[i].ssi_signo;
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
	/* EINTR (the tick, a kick) returns with nothing ready: the caller
	 * recomputes its timeout, which a retry here would restart. */
	n = epoll_pwait2(epfd, evs, 16, tsp, NULL);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	atomic_store(&kicked, 0);
	deadline_armed = 0;	/* it may have fired: arm it again if needed */
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
