/*
 * The sigio thread (UML arch/um/os-Linux/sigio.c): one host thread that
 * poll()s the host fds the kernel asked for (the console's input now, host
 * sockets later) and a signalfd for the host signals of the terminal, and
 * tells the kernel thread through an eventfd that its event loop watches.
 * The kernel thread never blocks on those fds; it reads them only once this
 * thread saw them ready. Everything shared with the kernel thread is under
 * `lock`; the kernel thread wakes this one through `ctl` after a change.
 */
#include <sigio_user.h>
#include <console_user.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <event.h>
#include <sys/signalfd.h>


#define MAX_WATCH 64

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct pollfd watch[MAX_WATCH];	/* fd -1: free slot; events 0: fired */
static struct os_sigio_ready fired[MAX_WATCH];
static int nfired;
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
	struct pollfd p[MAX_WATCH + 2];
	int slot[MAX_WATCH + 2];

	for (;;) {
		int n = 0;
		bool notify = false;

		p[n++] = (struct pollfd){ .fd = ctl_fd, .events = POLLIN };
		p[n++] = (struct pollfd){ .fd = sig_fd, .events = POLLIN };
		pthread_mutex_lock(&lock);
		for (int i = 0; i < MAX_WATCH; i++) {
			if (watch[i].fd >= 0 && watch[i].events) {
				slot[n] = i;
				p[n++] = watch[i];
			}
		}
		pthread_mutex_unlock(&lock);
		if (poll(p, n, -1) < 0)
			continue;
		if (p[0].revents)
			drain(ctl_fd);
		pthread_mutex_lock(&lock);
		if (p[1].revents) {
			unsigned int ev = take_signals();

			host_events |= ev;
			notify |= ev != 0;
		}
		for (int j = 2; j < n; j++) {
			struct pollfd *w = &watch[slot[j]];

			if (!p[j].revents || w->fd != p[j].fd || !w->events)
				continue;
			w->events = 0;
			fired[nfired++] = (struct os_sigio_ready){
				.fd = w->fd, .revents = p[j].revents };
			notify = true;
		}
		pthread_mutex_unlock(&lock);
		if (notify) {
			poke(notify_fd);
			os_event_kick();	/* it may sit in waitpid */
		}
	}
	return NULL;
}

int os_sigio_start(bool tstp)
{
	sigset_t set;
	pthread_t th;
	int err;

	for (int i = 0; i < MAX_WATCH; i++)
		watch[i].fd = -1;
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

int os_sigio_arm(int fd, short events)
{
	int free_slot = -1, ret = 0;

	pthread_mutex_lock(&lock);
	for (int i = 0; i < MAX_WATCH; i++) {
		if (watch[i].fd == fd) {
			free_slot = i;
			break;
		}
		if (watch[i].fd < 0 && free_slot < 0)
			free_slot = i;
	}
	if (free_slot < 0)
		ret = -ENOSPC;
	else
		watch[free_slot] = (struct pollfd){ .fd = fd, .events = events };
	pthread_mutex_unlock(&lock);
	if (!ret)
		poke(ctl_fd);
	return ret;
}

void os_sigio_disarm(int fd)
{
	pthread_mutex_lock(&lock);
	for (int i = 0; i < MAX_WATCH; i++)
		if (watch[i].fd == fd)
			watch[i].fd = -1;
	for (int i = 0; i < nfired; i++)
		if (fired[i].fd == fd)
			fired[i--] = fired[--nfired];
	pthread_mutex_unlock(&lock);
	poke(ctl_fd);
}

int os_sigio_collect(struct os_sigio_ready *r, int max,
		     unsigned int *events)
{
	int n;

	drain(notify_fd);
	pthread_mutex_lock(&lock);
	n = nfired < max ? nfired : max;
	memcpy(r, fired, n * sizeof(*r));
	memmove(fired, fired + n, (nfired - n) * sizeof(*r));
	nfired -= n;
	*events = host_events;
	host_events = 0;
	pthread_mutex_unlock(&lock);
	return n;
}
