/*
 * Host side of the sigio thread (arch/um/os-Linux/sigio_user.c): a helper
 * thread that watches what the kernel thread cannot while it blocks in
 * waitpid: the event loop's set of registered fds (one-shot: armed again
 * by the next blocking wait) and the host signals that concern the
 * terminal. It wakes the kernel thread with os_event_kick(), and reports
 * host signals through an eventfd registered with the loop. Kernel side:
 * sigio/.
 */
#ifndef UMK_SIGIO_USER_H
#define UMK_SIGIO_USER_H

#include <stdbool.h>

/* Host events (bits of os_sigio_collect's result). */
#define SIGIO_HOST_WINCH 0x1	/* SIGWINCH: the host terminal was resized */
#define SIGIO_HOST_CONT 0x2	/* SIGCONT: umk was stopped and continued */

/*
 * Block SIGWINCH and SIGCONT (and SIGTSTP when tstp is set: umk on a raw
 * terminal then stops itself cleanly, terminal restored) in the calling
 * thread, which every later thread inherits, and start the thread.
 * Returns the eventfd the event loop must watch (EVENT_KICKED), or -errno.
 */
int os_sigio_start(bool tstp);
/*
 * Kernel thread, before it blocks in waitpid: kick it once the epoll set
 * epfd has an event. A no-op while that watch is still armed; the thread
 * disarms it when it fires.
 */
void os_sigio_watch_loop(int epfd);
/* Take the SIGIO_HOST_* events that arrived since the last call. */
unsigned int os_sigio_collect(void);

#endif
