/*
 * Kernel side of the sigio thread: its eventfd is one registration of the
 * event loop; its callback takes the host events the thread saw (terminal
 * resized, umk continued) and hands them to the console. The thread's
 * other duty, watching the loop's fds while the kernel thread blocks in
 * waitpid, needs nothing here. Host side: arch/um/os-Linux/sigio_user.c.
 */
#include <umk/kernel.h>
#include <umk/sigio.h>
#include <event.h>
#include <poll.h>
#include <sigio_user.h>
#include <console_user.h>

static void (*host_handler)(unsigned int events);

static void sigio_event(int fd, unsigned int revents, void *data)
{
	unsigned int ev = os_sigio_collect();

	if (ev && host_handler)
		host_handler(ev);
}

int sigio_init(void)
{
	int fd = os_sigio_start(os_isatty(0));

	if (fd < 0)
		return fd;
	return os_event_add(fd, POLLIN | EVENT_KICKED, sigio_event, NULL);
}

void sigio_set_host_handler(void (*fn)(unsigned int events))
{
	host_handler = fn;
}
