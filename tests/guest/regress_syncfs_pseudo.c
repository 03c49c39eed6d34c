/*
 * Regression: syncfs(2) on a file of a pseudo filesystem whose super block
 * has no file_system_type (pipes, eventfd, epoll, ... on umk's anonymous
 * inodes) read through a NULL pointer in umk (found by tests/fuzz's
 * sysfuzz under the sanitizer build). Linux syncs nothing there and
 * returns 0.
 */
#include "guest.h"
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>

static void try(const char *what, int fd)
{
	long r = fd < 0 ? -1 : syscall(SYS_syncfs, fd);

	say("syncfs %s: %s", what, fd < 0 ? "no fd" : r == 0 ? "0" : ename(errno));
	if (fd >= 0)
		close(fd);
}

int main(void)
{
	int p[2];
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	if (pipe(p) == 0) {
		try("pipe read end", p[0]);
		try("pipe write end", p[1]);
	}
	try("eventfd", eventfd(0, 0));
	try("epoll", epoll_create1(0));
	try("timerfd", timerfd_create(CLOCK_MONOTONIC, 0));
	try("signalfd", signalfd(-1, &set, 0));
	try("inotify", inotify_init1(0));
	try("/dev/null", open("/dev/null", O_RDONLY));
	try("/", open("/", O_RDONLY));
	say("syncfs bad fd: %s", syscall(SYS_syncfs, 999) < 0 ? ename(errno) : "0");
	say("DONE regress_syncfs_pseudo");
	return 0;
}
