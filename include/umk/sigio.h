/*
 * sigio (sigio/sigio.c): the sigio thread, which watches the event loop's
 * fds while the kernel thread blocks in waitpid and reports the host
 * signals of the terminal. Drivers register host fds with the loop itself
 * (os_event_add, arch/um/include/event.h).
 * Model: UML arch/um/kernel/sigio.c and os-Linux/sigio.c.
 */
#ifndef UMK_SIGIO_H
#define UMK_SIGIO_H

#include <stdbool.h>

/* Start the sigio thread and hook it into the event loop. Call before any
 * other host thread starts (it blocks the terminal's host signals). */
int sigio_init(void);
/* Called on the kernel thread for SIGIO_HOST_* host events (sigio_user.h). */
void sigio_set_host_handler(void (*fn)(unsigned int events));

#endif
