/*
 * The kernel thread's event loop on the host, keyed by fd as UML's
 * um_request_irq: any host fd (a helper thread's eventfd, the console, a
 * host socket) is registered with a callback that the loop calls on the
 * kernel thread, outside any task, when the fd is ready. Besides the fds
 * the loop watches SIGCHLD (every ptrace stop) and the termination signals
 * umk receives. Host side: arch/um/os-Linux/event.c.
 */
#ifndef UMK_EVENT_H
#define UMK_EVENT_H

#include <stdint.h>
#include <stdbool.h>

/* What os_event_wait reports besides fd callbacks (bits of *ready). */
enum event_source {
	EV_CHILD,		/* a tracee changed state: call os_wait_any */
	EV_TERM,		/* SIGTERM/SIGHUP/SIGINT to umk from the host */
	EV_FD,			/* fd callbacks are due: os_event_dispatch */
	EV_MAX
};

/*
 * Flags of a registration, or'ed with the poll(2) bits it waits for
 * (POLLIN, POLLOUT, POLLPRI, POLLRDHUP; POLLERR and POLLHUP always come):
 *   EVENT_ONESHOT  fires once, then stays disarmed until os_event_mod();
 *                  registered with no poll bit it starts disarmed
 *   EVENT_EDGE     fires once per new readiness (epoll's EPOLLET), so an
 *                  fd nobody drains yet never spins the loop
 *   EVENT_KICKED   a host thread makes fd ready and calls os_event_kick()
 *                  right after (a helper's eventfd)
 * Without ONESHOT or EDGE the callback must drain the fd.
 */
#define EVENT_KICKED	(1u << 29)
#define EVENT_ONESHOT	(1u << 30)
#define EVENT_EDGE	(1u << 31)

/* Block SIGCHLD and the termination signals and create the epoll sets.
 * 0 or -errno. */
int os_event_init(void);
/*
 * Watch fd for events (poll bits and EVENT_* flags) and call fn(fd,
 * revents, data) on the kernel thread, with the poll(2) bits that are
 * ready, when it is. 0, -EEXIST (fd already registered),
 * -EBADF, -EPERM (a regular file), -ENOMEM.
 */
int os_event_add(int fd, unsigned int events,
		 void (*fn)(int fd, unsigned int revents, void *data),
		 void *data);
/* Change the events of a registered fd; for EVENT_ONESHOT this re-arms
 * it. 0 or -errno (-ENOENT if fd is not registered). */
int os_event_mod(int fd, unsigned int events);
/* Stop watching fd (before closing it). 0 or -ENOENT. */
int os_event_del(int fd);
/*
 * Wait until something is ready or timeout_ns passes (-1: no timeout, 0:
 * poll). Sets bit (1 << EV_*) in *ready for what is. Returns 0 or -errno;
 * an interruption (the tick, a kick) returns 0 with nothing ready.
 */
int os_event_wait(int64_t timeout_ns, unsigned int *ready);
/* Call the callbacks of the fds os_event_wait found ready (EV_FD). A
 * callback may add, change or remove registrations. */
void os_event_dispatch(void);

/*
 * The fast path of the loop when a ptrace stop is the likely next event:
 * block in waitpid(-1, __WALL) and decode the status. The sigio thread
 * watches the registered fds meanwhile and kicks the kernel thread when
 * one is ready (the EVENT_KICKED ones kick by themselves). Returns the
 * host tid, or -EINTR when the periodic tick (20 ms) or a kick
 * interrupted the wait; then the caller polls with os_event_wait(0, ...).
 * rusage: a death's status comes with its rusage (os_wait_any_rusage).
 */
struct host_stop;
int os_wait_child_blocking(struct host_stop *stop, bool rusage);
/* Kick the kernel thread at host CLOCK_MONOTONIC time mono_ns (the next
 * kernel timer) so the waitpid fast path can run while timers are armed. */
void os_event_arm_deadline(uint64_t mono_ns);
/* Any thread: make the kernel thread look at its sources now (a helper
 * thread that queued a completion for it). Async-signal-safe. */
void os_event_kick(void);

/* Which termination signal arrived (EV_TERM), 0 if none. */
int os_event_term_signal(void);

#endif
