/*
 * Kernel side of the sigio thread: which host fds are watched, and for
 * whom. The EV_SIGIO handler runs on the kernel thread's loop, takes what
 * the thread saw and calls each fd's handler (a driver's, e.g. the
 * console's input). Host side: arch/um/os-Linux/sigio_user.c.
 */
#include <umk/kernel.h>
#include <umk/sigio.h>
#include <event.h>
#include <sigio_user.h>
#include <console_user.h>

#define SIGIO_MAX 64

struct sigio_watch {
	int fd;				/* -1: free */
	short events;
	void (*fn)(int fd, short revents, void *data);
	void *data;
};

static struct sigio_watch watches[SIGIO_MAX];
static void (*host_handler)(unsigned int events);

static struct sigio_watch *find_watch(int fd)
{
	for (int i = 0; i < SIGIO_MAX; i++)
		if (watches[i].fd == fd)
			return &watches[i];
	return NULL;
}

static void sigio_event(void)
{
	struct os_sigio_ready r[16];
	unsigned int ev = 0, more;
	int n;

	do {
		n = os_sigio_collect(r, ARRAY_SIZE(r), &more);
		ev |= more;
		for (int i = 0; i < n; i++) {
			struct sigio_watch *w = find_watch(r[i].fd);

			if (w && w->fn)
				w->fn(w->fd, r[i].revents, w->data);
		}
	} while (n == ARRAY_SIZE(r));
	if (ev && host_handler)
		host_handler(ev);
}

int sigio_init(void)
{
	int fd;

	for (int i = 0; i < SIGIO_MAX; i++)
		watches[i].fd = -1;
	fd = os_sigio_start(os_isatty(0));
	if (fd < 0)
		return fd;
	event_set_handler(EV_SIGIO, sigio_event);
	return os_event_add_fd_kicked(fd, EV_SIGIO);
}

int sigio_register(int fd, short events,
		   void (*fn)(int fd, short revents, void *data), void *data)
{
	struct sigio_watch *w = find_watch(fd);

	if (!w)
		w = find_watch(-1);
	if (!w)
		return -ENOSPC;
	*w = (struct sigio_watch){ .fd = fd, .events = events, .fn = fn,
				   .data = data };
	return 0;
}

void sigio_unregister(int fd)
{
	struct sigio_watch *w = find_watch(fd);

	if (w) {
		os_sigio_disarm(fd);
		w->fd = -1;
	}
}

int sigio_arm(int fd)
{
	struct sigio_watch *w = find_watch(fd);

	if (!w)
		return -EBADF;
	return os_sigio_arm(fd, w->events);
}

void sigio_set_host_handler(void (*fn)(unsigned int events))
{
	host_handler = fn;
}
