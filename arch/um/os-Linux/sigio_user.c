/*
 * The sigio thread (UML arch/um/os-Linux/sigio.c): one host thread that
 * poll()s what the kernel thread cannot watch while it blocks in waitpid:
 * the event loop's inner epoll set (console, host sockets; armed by the
 * kernel thread before each blocking wait, one-shot) and a signalfd for
 * the host signals of the terminal. It kicks the kernel thread out of
 * waitpid, and reports host signals through an eventfd the loop watches.
 * Everything shared with the kernel thread is under `lock`; the kernel
 * thread wakes this one through `ctl` after a change.
 */
#include <sigio_user.h>
#include <console_user.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <event.h>
#include <sys/signalfd.h>


static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int loop_fd = -1;		/* the epoll set to watch */
static atomic_bool loop_armed;		/* watch it until it fires */
static unsigned int host_events;
static int notify_fd = -1;		/* eventfd: this thread -> kernel */
static int ctl_fd = -1;			/* eventfd: kernel -> this thread */
static int sig_fd = -1;

static void poke(int fd)
{
	uint64_t one = 1;

	while (write(fd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
}

static void drain(int fd)
{
	uint64_t v;

	while (read(fd, &v, sizeof(v)) < 0 && errno == EINTR)
		;
}

/* Host job control of umk itself: SIGTSTP stops umk with the terminal
 * restored; SIGCONT puts the terminal back in raw mode. */
static unsigned int take_signals(void)
{
	struct signalfd_siginfo si;
	unsigned int ev = 0;

	while (read(sig_fd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGWINCH:
			ev |= SIGIO_HOST_WINCH;
			break;
		case SIGTSTP:
			os_console_suspend();
			kill(getpid(), SIGSTOP);
			/* We run again after SIGCONT. */
			__attribute__((fallthrough));
		case SIGCONT:
			os_console_resume();
			ev |= SIGIO_HOST_CONT | SIGIO_HOST_WINCH;
			break;
		}
	}
	return ev;
}

static void *sigio_thread(void *arg)
{
	struct pollfd p[3];

	for (;;) {
		int n = 0;
		bool kick = false;

		p[n++] = (struct pollfd){ .fd = ctl_fd, .events = POLLIN };
		p[n++] = (struct pollfd){ .fd = sig_fd, .events = POLLIN };
		pthread_mutex_lock(&lock);
		if (loop_armed)
			p[n++] = (struct pollfd){ .fd = loop_fd, .events = POLLIN };
		pthread_mutex_unlock(&lock);
		if (poll(p, n, -1) < 0)
			continue;
		if (p[0].revents)
			drain(ctl_fd);
		pthread_mutex_lock(&lock);
		if (p[1].revents) {
			unsigned int ev = take_signals();

			host_events |= ev;
			if (ev) {
				poke(notify_fd);
				kick = true;
			}
		}
		if (n > 2 && p[2].revents && loop_armed) {
			loop_armed = false;
			kick = true;
		}
		pthread_mutex_unlock(&lock);
		if (kick)
			os_event_kick();	/* it may sit in waitpid */
	}
	return NULL;
}

int os_sigio_start(bool tstp)
{
	sigset_t set;
	pthread_t th;
	int err;

	sigemptyset(&set);
	sigaddset(&set, SIGWINCH);
	sigaddset(&set, SIGCONT);
	if (tstp)
		sigaddset(&set, SIGTSTP);
	err = pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (err)
		return -err;
	sig_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	notify_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ctl_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (sig_fd < 0 || notify_fd < 0 || ctl_fd < 0)
		return -errno;
	err = pthread_create(&th, NULL, sigio_thread, NULL);
	if (err)
		return -err;
	pthread_detach(th);
	return notify_fd;
}

void os_sigio_watch_loop(int epfd)
{
	bool newly;

	if (atomic_load(&loop_armed) && loop_fd == epfd)
		return;		/* the common case: no lock taken */
	pthread_mutex_lock(&lock);
	newly = !loop_armed || loop_fd != epfd;
	loop_fd = epfd;
	loop_armed = true;
	pthread_mutex_unlock(&lock);
	if (newly)
		poke(ctl_fd);
}

unsigned int os_sigio_collect(void)
{
	unsigned int ev;

	drain(notify_fd);
	pthread_mutex_lock(&lock);
	ev = host_events;
	host_events = 0;
	pthread_mutex_unlock(&lock);
	return ev;
}
