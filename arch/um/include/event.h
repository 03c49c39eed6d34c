/*
 * The kernel thread's event loop on the host: one epoll set over a signalfd
 * for SIGCHLD (every ptrace stop), the helper threads' eventfds and the
 * console. Host side: arch/um/os-Linux/event.c.
 */
#ifndef UMK_EVENT_H
#define UMK_EVENT_H

#include <stdint.h>

enum event_source {
	EV_CHILD,		/* a tracee changed state: call os_wait_any */
	EV_CONSOLE,		/* the host's stdin is readable or hung up */
	EV_UBD,			/* the ubd I/O thread completed requests */
	EV_SIGIO,		/* the sigio thread saw host fd readiness */
	EV_TERM,		/* SIGTERM/SIGHUP/SIGINT to umk from the host */
	EV_MAX
};

/* Block SIGCHLD and the termination signals and create the epoll set.
 * 0 or -errno. */
int os_event_init(void);
/* Watch fd for input as source src. 0 or -errno. */
int os_event_add_fd(int fd, enum event_source src);
int os_event_del_fd(int fd);
/*
 * Wait until at least one source is ready or timeout_ns passes (-1: no
 * timeout, 0: poll). Sets bit (1 << src) in *ready for each ready source.
 * Returns 0 or -errno (-EINTR is retried inside).
 */
int os_event_wait(int64_t timeout_ns, unsigned int *ready);
/*
 * Kernel side (arch/um/kernel/um_arch.c): the function the kernel thread's
 * loop calls, on its own stack and outside any task, when source src is
 * ready. A driver registers it at boot together with os_event_add_fd().
 * EV_CHILD and EV_TERM are the loop's own.
 */
void event_set_handler(enum event_source src, void (*fn)(void));

/* Which termination signal arrived (EV_TERM), 0 if none. */
int os_event_term_signal(void);

#endif
