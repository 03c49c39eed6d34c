/*
 * Host side of the sigio thread (arch/um/os-Linux/sigio_user.c): a helper
 * thread that poll()s the host fds whose readiness the kernel needs and the
 * host signals that concern the terminal, and wakes the kernel thread's
 * event loop (EV_SIGIO) through an eventfd. Watches are one-shot: once an
 * fd fires it is not polled again until the kernel re-arms it, so an fd the
 * kernel does not drain yet never spins the thread. Kernel side: sigio/.
 */
#ifndef UMK_SIGIO_USER_H
#define UMK_SIGIO_USER_H

#include <stdbool.h>

/* Host events besides fd readiness (bits of *host_events). */
#define SIGIO_HOST_WINCH 0x1	/* SIGWINCH: the host terminal was resized */
#define SIGIO_HOST_CONT 0x2	/* SIGCONT: umk was stopped and continued */

struct os_sigio_ready {
	int fd;
	short revents;		/* poll(2) bits */
};

/*
 * Block SIGWINCH and SIGCONT (and SIGTSTP when tstp is set: umk on a raw
 * terminal then stops itself cleanly, terminal restored) in the calling
 * thread, which every later thread inherits, and start the thread.
 * Returns the fd the event loop must watch, or -errno.
 */
int os_sigio_start(bool tstp);
/* Watch fd for events (POLLIN, POLLOUT) until it fires once. 0 or -errno. */
int os_sigio_arm(int fd, short events);
/* Stop watching fd (armed or not). */
void os_sigio_disarm(int fd);
/*
 * Take what happened since the last call: up to max fds that fired (their
 * watches are now off) and the SIGIO_HOST_* bits. Returns the number of
 * fds; call again while it returns max.
 */
int os_sigio_collect(struct os_sigio_ready *r, int max,
		     unsigned int *host_events);

#endif
