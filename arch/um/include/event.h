/*
 * The kernel thread's event loop on the host: one epoll set over a signalfd
 * for SIGCHLD (every ptrace stop), the helper threads' eventfds and the
 * console. Host side: arch/um/os-Linux/event.c.
 */
#ifndef UMK_EVENT_H
#define UMK_EVENT_H

#include <stdint.h>
#include <stdbool.h>

enum event_source {
	EV_CHILD,		/* a tracee changed state: call os_wait_any */
	EV_UBD,			/* the ubd I/O thread completed requests */
	EV_SIGIO,		/* the sigio thread saw host fd readiness */
	EV_TERM,		/* SIGTERM/SIGHUP/SIGINT to umk from the host */
	EV_MCONSOLE,		/* a request on the mconsole socket */
	EV_MAX
};

/* Block SIGCHLD and the termination signals and create the epoll set.
 * 0 or -errno. */
int os_event_init(void);
/* Watch fd for input as source src. 0 or -errno. */
int os_event_add_fd(int fd, enum event_source src);
int os_event_del_fd(int fd);
/* Watch fd as source src, where the thread that makes fd readable (a
 * helper thread's eventfd) calls os_event_kick() right after: such an fd
 * does not keep the loop out of its waitpid fast path. 0 or -errno. */
int os_event_add_fd_kicked(int fd, enum event_source src);
/*
 * Wait until at least one source is ready or timeout_ns passes (-1: no
 * timeout, 0: poll). Sets bit (1 << src) in *ready for each ready source.
 * Returns 0 or -errno; an interruption (the tick, a kick) returns 0 with
 * nothing ready.
 */
int os_event_wait(int64_t timeout_ns, unsigned int *ready);
/*
 * Kernel side (arch/um/kernel/um_arch.c): the function the kernel thread's
 * loop calls, on its own stack and outside any task, when source src is
 * ready. A driver registers it at boot together with os_event_add_fd().
 * EV_CHILD and EV_TERM are the loop's own.
 */
void event_set_handler(enum event_source src, void (*fn)(void));

/* Is any fd besides the loop's own signalfd being watched? */
bool os_event_fds_watched(void);
/*
 * The fast path of the loop when only ptrace stops can matter: block in
 * waitpid(-1, __WALL) and decode the status. Returns the host tid, or
 * -EINTR when the periodic tick (20 ms) or a kick interrupted the wait;
 * then the caller polls every source once with os_event_wait(0, ...).
 */
struct host_stop;
int os_wait_child_blocking(struct host_stop *stop);
/* Kick the kernel thread at host CLOCK_MONOTONIC time mono_ns (the next
 * kernel timer) so the waitpid fast path can run while timers are armed. */
void os_event_arm_deadline(uint64_t mono_ns);
/* Any thread: make the kernel thread look at its sources now (a helper
 * thread that queued a completion for it). Async-signal-safe. */
void os_event_kick(void);

/* Which termination signal arrived (EV_TERM), 0 if none. */
int os_event_term_signal(void);

#endif
