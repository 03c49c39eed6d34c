/*
 * sigio (sigio/sigio.c): host fd readiness for the kernel. A driver
 * registers a host fd with a handler; the sigio thread polls it (one-shot)
 * and the kernel thread's event loop calls the handler, outside any task,
 * on the kernel thread. The handler turns readiness into guest wake-ups and
 * re-arms the watch with sigio_arm() when it wants to hear again.
 * Model: UML arch/um/kernel/sigio.c and os-Linux/sigio.c.
 */
#ifndef UMK_SIGIO_H
#define UMK_SIGIO_H

#include <stdbool.h>

/* Start the sigio thread and hook it into the event loop. Call before any
 * other host thread starts (it blocks the terminal's host signals). */
int sigio_init(void);
/* Call fn(fd, revents, data) once fd has one of events (POLLIN, POLLOUT).
 * The watch starts disarmed. 0 or -errno. */
int sigio_register(int fd, short events,
		   void (*fn)(int fd, short revents, void *data), void *data);
void sigio_unregister(int fd);
/* Watch fd again (one more event). 0 or -errno. */
int sigio_arm(int fd);
/* Called on the kernel thread for SIGIO_HOST_* host events (sigio_user.h). */
void sigio_set_host_handler(void (*fn)(unsigned int events));

#endif
