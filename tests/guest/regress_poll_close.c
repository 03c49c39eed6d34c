/*
 * Regression: poll, select and epoll_wait put the sleeping task on the
 * wait queues of the files they watch without holding the files; another
 * thread that closed the last fd of one (a pipe, an eventfd, the epoll fd
 * itself) freed the object holding the wait queue, and the sleeper then
 * unlinked itself from freed memory (a heap-use-after-free in umk). As on
 * Linux, the files now stay alive until the call returns: the sleeper
 * times out (the close does not wake it) and the close takes effect then.
 * The close usually comes while the call sleeps; if it came first, the
 * call sees closed fds (POLLNVAL, EBADF): both are Linux's answers.
 */
#include "guest.h"
#include <poll.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>

static int fds[2], efd, epfd;
static int ready[2];	/* the sleeper says it is about to sleep */

/* Close the watched fds once the main thread sleeps (in the call, unless
 * a slow start let its timeout pass first: then in pthread_join). */
static void *closer(void *arg)
{
	char c;

	read(ready[0], &c, 1);
	wait_sleeping(getpid(), getpid());
	close(fds[0]);		/* the write end stays: no wake-up */
	close(efd);
	close(epfd);
	return NULL;
}

static void start(pthread_t *th)
{
	pipe(fds);
	efd = eventfd(0, 0);
	epfd = epoll_create1(0);
	pthread_create(th, NULL, closer, NULL);
	write(ready[1], "x", 1);
}

int main(void)
{
	struct epoll_event ev = { .events = EPOLLIN }, out;
	pthread_t th;
	int r;

	need_proc();
	pipe(ready);
	start(&th);
	{
		struct pollfd p[2] = { { .fd = fds[0], .events = POLLIN },
				       { .fd = efd, .events = POLLIN } };
		r = poll(p, 2, 300);
	}
	pthread_join(th, NULL);
	close(fds[1]);
	say("poll: %s", r == 0 || r == 2 ? "timed out or POLLNVAL" : "?");

	start(&th);
	{
		fd_set rd;
		struct timeval tv = { 0, 300000 };
		int a = fds[0], b = efd;

		FD_ZERO(&rd);
		FD_SET(a, &rd);
		FD_SET(b, &rd);
		r = select((a > b ? a : b) + 1, &rd, NULL, NULL, &tv);
	}
	pthread_join(th, NULL);
	close(fds[1]);
	/* Recent Linux reports the closed fds ready in its last scan. */
	say("select: %s", r == 0 || r == 2 ? "timed out or closed fds ready" :
	    "?");

	start(&th);
	epoll_ctl(epfd, EPOLL_CTL_ADD, fds[0], &ev);
	epoll_ctl(epfd, EPOLL_CTL_ADD, efd, &ev);
	r = epoll_wait(epfd, &out, 1, 300);
	pthread_join(th, NULL);
	close(fds[1]);
	say("epoll_wait: %s", r == 0 || (r < 0 && errno == EBADF) ?
	    "timed out or EBADF" : "?");
	say("fds closed after: %s", fcntl(efd, F_GETFD) < 0 ? ename(errno) : "open");
	say("DONE regress_poll_close");
	return 0;
}
