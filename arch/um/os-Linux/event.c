/*
 * The event loop's host side. Two epoll sets: the outer one, which the
 * kernel thread waits on, holds a signalfd (SIGCHLD and the termination
 * signals umk itself receives), the eventfds of helper threads that kick
 * the kernel thread themselves (EVENT_KICKED) and the inner set; the inner
 * set holds every other registered fd (console, host sockets). While the
 * kernel thread blocks in waitpid the sigio thread polls the inner set and
 * kicks it, so a ptrace stop costs no epoll call and a stop's SIGCHLD never
 * wakes the sigio thread. SIGCHLD stays blocked in umk, so ptrace stops
 * are seen only here, never as asynchronous signal handlers (HOST-NOTES).
 */
#include <event.h>
#include <sigio_user.h>
#include <stdbool.h>
#include <stdlib.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/resource.h>
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
#define TAG_SIGNALFD	(~0ULL)
#define TAG_INNER	(~0ULL - 1)
#define OUTER_MAX	16		/* events taken from the outer set */
#define INNER_MAX	64		/* from the inner set per round */

/* One registered fd; regs[] is indexed by fd. gen tells a registration
 * from an older one of the same fd whose event is still pending. */
struct event_reg {
	void (*fn)(int fd, unsigned int revents, void *data);
	void *data;
	unsigned int events;		/* as given: poll bits and EVENT_* */
	uint32_t gen;
	bool used;
};

static int epfd = -1, inner_epfd = -1, sigfd = -1;
static struct event_reg *regs;
static int nregs;			/* entries allocated in regs */
static uint32_t next_gen = 1;
static int nr_inner;			/* registrations in the inner set */
static struct epoll_event due[OUTER_MAX + INNER_MAX];	/* to dispatch */
static int ndue;
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
	inner_epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0 || inner_epfd < 0)
		return -errno;
	ev.data.u64 = TAG_SIGNALFD;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, sigfd, &ev) < 0)
		return -errno;
	ev.data.u64 = TAG_INNER;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, inner_epfd, &ev) < 0)
		return -errno;
	kernel_tid = gettid();
	return start_tick();
}

/* The registration of fd, or NULL. */
static struct event_reg *reg_of(int fd)
{
	if (fd < 0 || fd >= nregs || !regs[fd].used)
		return NULL;
	return &regs[fd];
}

static int grow_regs(int fd)
{
	int n = nregs ? nregs : 64;
	struct event_reg *r;

	while (n <= fd)
		n *= 2;
	r = realloc(regs, n * sizeof(*r));
	if (!r)
		return -ENOMEM;
	memset(r + nregs, 0, (n - nregs) * sizeof(*r));
	regs = r;
	nregs = n;
	return 0;
}

static struct epoll_event epoll_event_of(int fd, const struct event_reg *r)
{
	struct epoll_event ev = {
		.events = r->events & ~EVENT_KICKED,
		.data.u64 = (uint64_t)r->gen << 32 | (uint32_t)fd,
	};
	return ev;
}

static int set_of(const struct event_reg *r)
{
	return r->events & EVENT_KICKED ? epfd : inner_epfd;
}

int os_event_add(int fd, unsigned int events,
		 void (*fn)(int fd, unsigned int revents, void *data),
		 void *data)
{
	struct epoll_event ev;
	struct event_reg *r;
	int err;

	if (fd < 0)
		return -EBADF;
	if (reg_of(fd))
		return -EEXIST;
	if (fd >= nregs && (err = grow_regs(fd)) < 0)
		return err;
	r = &regs[fd];
	*r = (struct event_reg){ .fn = fn, .data = data, .events = events,
				 .gen = next_gen++, .used = true };
	ev = epoll_event_of(fd, r);
	if (epoll_ctl(set_of(r), EPOLL_CTL_ADD, fd, &ev) < 0) {
		err = -errno;
		r->used = false;
		return err;
	}
	if (!(events & EVENT_KICKED))
		nr_inner++;
	return 0;
}

int os_event_mod(int fd, unsigned int events)
{
	struct event_reg *r = reg_of(fd);
	struct epoll_event ev;

	if (!r)
		return -ENOENT;
	r->events = (r->events & EVENT_KICKED) | (events & ~EVENT_KICKED);
	ev = epoll_event_of(fd, r);
	return epoll_ctl(set_of(r), EPOLL_CTL_MOD, fd, &ev) < 0 ? -errno : 0;
}

int os_event_del(int fd)
{
	struct event_reg *r = reg_of(fd);

	if (!r)
		return -ENOENT;
	epoll_ctl(set_of(r), EPOLL_CTL_DEL, fd, NULL);
	if (!(r->events & EVENT_KICKED))
		nr_inner--;
	r->used = false;
	return 0;
}

void os_event_kick(void)
{
	atomic_store(&kicked, 1);
	syscall(SYS_tgkill, getpid(), kernel_tid, SIG_KICK);
}

int os_wait_child_blocking(struct host_stop *stop, bool rusage)
{
	struct rusage ru;
	int status;
	pid_t pid;

	if (nr_inner > 0)
		os_sigio_watch_loop(inner_epfd);
	if (atomic_exchange(&kicked, 0))
		return -EINTR;
	pid = wait4(-1, &status, __WALL, rusage ? &ru : NULL);
	if (pid < 0)
		return -errno;
	os_decode_status(status, rusage ? &ru : NULL, stop);
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
	struct epoll_event evs[OUTER_MAX];
	struct timespec ts, *tsp = NULL;
	int n;

	if (timeout_ns >= 0) {
		ts.tv_sec = timeout_ns / 1000000000;
		ts.tv_nsec = timeout_ns % 1000000000;
		tsp = &ts;
	}
	/* EINTR (the tick, a kick) returns with nothing ready: the caller
	 * recomputes its timeout, which a retry here would restart. */
	n = epoll_pwait2(epfd, evs, OUTER_MAX, tsp, NULL);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	atomic_store(&kicked, 0);
	deadline_armed = 0;	/* it may have fired: arm it again if needed */
	for (int i = 0; i < n; i++) {
		if (evs[i].data.u64 == TAG_SIGNALFD) {
			drain_signalfd(ready);
		} else if (evs[i].data.u64 == TAG_INNER) {
			/* Room is kept for the outer events. */
			int room = INNER_MAX - ndue;
			int m = room > 0 ? epoll_wait(inner_epfd, due + ndue,
						      room, 0) : 0;

			if (m > 0)
				ndue += m;
		} else if (ndue < INNER_MAX + OUTER_MAX) {
			due[ndue++] = evs[i];
		}
	}
	if (ndue)
		*ready |= 1u << EV_FD;
	return 0;
}

void os_event_dispatch(void)
{
	struct epoll_event now[OUTER_MAX + INNER_MAX];
	int n = ndue;

	memcpy(now, due, n * sizeof(now[0]));
	ndue = 0;
	for (int i = 0; i < n; i++) {
		int fd = (uint32_t)now[i].data.u64;
		uint32_t gen = now[i].data.u64 >> 32;
		struct event_reg *r = reg_of(fd);

		if (r && r->gen == gen)
			r->fn(fd, now[i].events & ~(EPOLLET | EPOLLONESHOT),
			      r->data);
	}
}

int os_event_term_signal(void)
{
	return term_signal;
}
