/*
 * epoll: level and edge triggered items on pipes and eventfds, ONESHOT,
 * EPOLLRDHUP/EPOLLHUP/EPOLLERR, MOD/DEL, items keyed by (file, fd) with
 * close and dup, nested epoll sets with the loop and depth checks,
 * EPOLLEXCLUSIVE (its ctl rules, events, waiters in several processes),
 * epoll_pwait/epoll_pwait2 with signals, a wait woken by another process,
 * poll/select on an epoll fd, and hostile arguments.
 */
#include "guest.h"
#include <poll.h>
#include <sys/mount.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>

static int by_data(const void *a, const void *b)
{
	const struct epoll_event *x = a, *y = b;

	return x->data.u64 < y->data.u64 ? -1 : x->data.u64 > y->data.u64;
}

/* epoll_wait's result, sorted by data: the order of simultaneous events
 * is not something programs may rely on. */
static void show(const char *name, int ep, int timeout)
{
	struct epoll_event ev[8];
	char buf[256];
	int n = epoll_wait(ep, ev, 8, timeout), off;

	if (n < 0) {
		say("%s: %s", name, ename(errno));
		return;
	}
	qsort(ev, n, sizeof(ev[0]), by_data);
	off = snprintf(buf, sizeof(buf), "%d", n);
	for (int i = 0; i < n; i++)
		off += snprintf(buf + off, sizeof(buf) - off, " [%lu 0x%x]",
				(unsigned long)ev[i].data.u64, ev[i].events);
	say("%s: %s", name, buf);
}

static int add(int ep, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static void test_basic(void)
{
	int ep = epoll_create1(0), p[2], e;
	struct epoll_event ev = { 0 };
	char buf[8];

	resv("getfl", fcntl(ep, F_GETFL));
	pipe(p);
	resv("add_pipe", add(ep, p[0], EPOLLIN, 1));
	show("empty", ep, 0);
	write(p[1], "ab", 2);
	show("lt_1", ep, 0);
	show("lt_2", ep, 0);
	read(p[0], buf, 2);
	show("lt_drained", ep, 0);
	ERR("add_again", add(ep, p[0], EPOLLIN, 1));
	ev.events = EPOLLIN | EPOLLET;
	ev.data.u64 = 2;
	resv("mod_et", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
	write(p[1], "ab", 2);
	show("et_1", ep, 0);
	show("et_2", ep, 0);
	read(p[0], buf, 1);
	show("et_after_partial_read", ep, 0);
	write(p[1], "c", 1);
	show("et_new_data", ep, 0);
	read(p[0], buf, 8);
	ev.events = EPOLLIN | EPOLLONESHOT;
	ev.data.u64 = 3;
	epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev);
	write(p[1], "d", 1);
	show("oneshot_1", ep, 0);
	show("oneshot_2", ep, 0);
	write(p[1], "e", 1);
	show("oneshot_disabled", ep, 0);
	resv("oneshot_rearm", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
	show("oneshot_rearmed", ep, 0);
	resv("del", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
	ERR("del_again", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
	ERR("mod_absent", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
	show("after_del", ep, 0);
	read(p[0], buf, 8);

	/* hang-ups */
	add(ep, p[0], EPOLLIN | EPOLLRDHUP, 4);
	add(ep, p[1], EPOLLOUT, 5);
	show("both_ends", ep, 0);
	close(p[1]);
	show("writer_closed", ep, 0);
	pipe(p);
	add(ep, p[1], EPOLLOUT, 6);
	close(p[0]);
	show("reader_closed", ep, 0);
	close(p[1]);

	/* eventfd, out and in */
	e = eventfd(0, EFD_NONBLOCK);
	add(ep, e, EPOLLIN | EPOLLOUT | EPOLLET, 7);
	show("efd_out", ep, 0);
	show("efd_out_et_again", ep, 0);
	{
		uint64_t v = 1;

		write(e, &v, 8);
		show("efd_in", ep, 0);
		read(e, &v, 8);
		show("efd_read_wakes_out", ep, 0);
	}
	close(e);
	show("closed_fd_gone", ep, 0);
	close(ep);
}

/* Items are keyed by (file, fd): a dup keeps the file registered. */
static void test_dup_close(void)
{
	int ep = epoll_create(1), p[2], d;
	char buf[4];

	pipe(p);
	add(ep, p[0], EPOLLIN, 10);
	d = dup(p[0]);
	resv("add_dup", add(ep, d, EPOLLIN, 11));
	write(p[1], "x", 1);
	show("two_items", ep, 0);
	close(p[0]);
	show("after_close_orig", ep, 0);
	ERR("del_closed_fd", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
	resv("del_dup", epoll_ctl(ep, EPOLL_CTL_DEL, d, NULL));
	show("still_orig_item", ep, 0);
	close(d);
	show("last_ref_gone", ep, 0);
	read(p[1], buf, 0);
	close(p[1]);
	close(ep);
}

static void test_nested(void)
{
	int ep[8], e = eventfd(0, 0), i, outer, n;
	struct epoll_event ev = { .events = EPOLLIN };
	uint64_t v = 1;

	outer = epoll_create1(0);
	ep[0] = epoll_create1(0);
	add(ep[0], e, EPOLLIN, 20);
	resv("nest_add", add(outer, ep[0], EPOLLIN, 21));
	show("nest_idle", outer, 0);
	write(e, &v, 8);
	show("nest_ready", outer, 0);
	{
		struct pollfd pfd = { outer, POLLIN, 0 };
		fd_set rs;
		struct timeval tv = { 0, 0 };

		resv("poll_epfd", poll(&pfd, 1, 0));
		FD_ZERO(&rs);
		FD_SET(outer, &rs);
		resv("select_epfd", select(outer + 1, &rs, NULL, NULL, &tv));
	}
	ERR("loop_direct", add(ep[0], outer, EPOLLIN, 22));
	ERR("self_add", add(outer, outer, EPOLLIN, 23));
	ERR("exclusive_epoll", add(outer, ep[0], EPOLLIN | EPOLLEXCLUSIVE, 24));
	read(e, &v, 8);
	close(outer);
	close(ep[0]);

	/* a chain ep[0] <- ep[1] <- ... until ELOOP */
	for (i = 0; i < 8; i++)
		ep[i] = epoll_create1(0);
	for (n = 1; n < 8; n++)
		if (epoll_ctl(ep[n], EPOLL_CTL_ADD, ep[n - 1], &ev) < 0)
			break;
	say("chain_links: %d %s", n - 1, ename(errno));
	for (i = 0; i < 8; i++)
		close(ep[i]);
	close(e);
}

static void test_exclusive(void)
{
	int ep = epoll_create1(0), e = eventfd(0, 0);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLEXCLUSIVE };

	resv("excl_add", epoll_ctl(ep, EPOLL_CTL_ADD, e, &ev));
	ERR("excl_mod", epoll_ctl(ep, EPOLL_CTL_MOD, e, &ev));
	ev.events = EPOLLIN;
	ERR("mod_of_excl_item", epoll_ctl(ep, EPOLL_CTL_MOD, e, &ev));
	ev.events = EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT;
	ERR("excl_oneshot", epoll_ctl(ep, EPOLL_CTL_ADD, eventfd(0, 0), &ev));
	ev.events = EPOLLIN | EPOLLEXCLUSIVE | EPOLLRDHUP;
	ERR("excl_rdhup", epoll_ctl(ep, EPOLL_CTL_ADD, eventfd(0, 0), &ev));
	ev.events = EPOLLIN | EPOLLEXCLUSIVE | EPOLLPRI;
	ERR("excl_pri", epoll_ctl(ep, EPOLL_CTL_ADD, eventfd(0, 0), &ev));
	ev.events = EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLET |
		    EPOLLEXCLUSIVE;
	ev.data.u64 = 51;
	resv("excl_ok_bits", epoll_ctl(ep, EPOLL_CTL_ADD, eventfd(0, 0), &ev));
	/* An exclusive item reports as any other, level then edge. */
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	ev.data.u64 = 50;
	epoll_ctl(ep, EPOLL_CTL_DEL, e, NULL);
	resv("excl_readd", epoll_ctl(ep, EPOLL_CTL_ADD, e, &ev));
	{
		uint64_t v = 1;

		write(e, &v, 8);
	}
	show("excl_ready", ep, 0);
	show("excl_ready_again", ep, 0);
	resv("excl_del", epoll_ctl(ep, EPOLL_CTL_DEL, e, NULL));
	close(e);
	close(ep);
}

/*
 * Three processes wait in their own epoll on one eventfd added with
 * EPOLLEXCLUSIVE; one event wakes "one or more" of them (epoll(7)): at
 * least one reports it, none fails.
 */
static void test_exclusive_waiters(void)
{
	int e = eventfd(0, 0), p[2], asleep = 0;
	pid_t pid[3];
	uint64_t v = 1;
	char c = '?';

	pipe(p);
	for (int i = 0; i < 3; i++) {
		pid[i] = fork();
		if (pid[i] == 0) {
			int ep = epoll_create1(0);
			struct epoll_event ev = { .events = EPOLLIN | EPOLLEXCLUSIVE };
			int n;

			epoll_ctl(ep, EPOLL_CTL_ADD, e, &ev);
			n = epoll_wait(ep, &ev, 1, -1);
			write(p[1], n == 1 && (ev.events & EPOLLIN) ? "w" : "x", 1);
			_exit(0);
		}
	}
	for (int i = 0; i < 3; i++)
		asleep += wait_sleeping(pid[i], pid[i]);
	say("excl_waiters_asleep: %d", asleep);
	write(e, &v, 8);
	{
		struct pollfd pf = { .fd = p[0], .events = POLLIN };

		if (poll(&pf, 1, 10000) == 1)
			read(p[0], &c, 1);
	}
	say("excl_first_woken: %c", c);
	for (int i = 0; i < 3; i++) {
		kill(pid[i], SIGKILL);
		waitpid(pid[i], NULL, 0);
	}
	close(p[0]);
	close(p[1]);
	close(e);
}

static volatile sig_atomic_t got;
static void on_usr1(int sig) { got++; }

static void test_wait(void)
{
	int ep = epoll_create1(EPOLL_CLOEXEC), e = eventfd(0, 0), p[2];
	struct epoll_event ev[2];
	struct timespec ts = { 0, 10 * 1000000 };
	sigset_t mask, old;
	pid_t pid;
	char c;

	resv("cloexec", fcntl(ep, F_GETFD));
	add(ep, e, EPOLLIN, 30);
	resv("timeout", epoll_wait(ep, ev, 2, 10));
	resv("pwait2_timeout", syscall(SYS_epoll_pwait2, ep, ev, 2, &ts, NULL, 8));
	pipe(p);
	pid = fork();
	if (pid == 0) {
		uint64_t v = 5;

		read(p[0], &c, 1);
		write(e, &v, 8);
		_exit(0);
	}
	write(p[1], "g", 1);
	resv("woken_by_child", epoll_wait(ep, ev, 2, -1));
	say("woken_data: %lu", (unsigned long)ev[0].data.u64);
	reap(pid);
	{
		uint64_t v;

		read(e, &v, 8);
	}

	/* a signal ends the wait with EINTR, even with SA_RESTART */
	{
		struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_RESTART };

		sigaction(SIGUSR1, &sa, NULL);
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	sigprocmask(SIG_BLOCK, &mask, &old);
	pid = fork();
	if (pid == 0) {
		read(p[0], &c, 1);
		kill(getppid(), SIGUSR1);
		_exit(0);
	}
	write(p[1], "g", 1);
	/* SIGUSR1 stays blocked until epoll_pwait unblocks it */
	sigemptyset(&mask);
	ERR("pwait_eintr", epoll_pwait(ep, ev, 2, -1, &mask));
	say("handler_ran: %d", got);
	reap(pid);
	sigprocmask(SIG_SETMASK, &old, NULL);
	ERR("pwait_badsize", syscall(SYS_epoll_pwait, ep, ev, 2, 0, &mask, 4));
	ERR("pwait_badmask", syscall(SYS_epoll_pwait, ep, ev, 2, 0, BAD1, 8));
	close(p[0]);
	close(p[1]);
	close(e);
	close(ep);
}

static void test_hostile(void)
{
	int ep = epoll_create1(0), e = eventfd(0, 0), fd;
	struct epoll_event ev = { .events = EPOLLIN };
	struct timespec ts = { 0, 2000000000L };
	uint64_t v = 1;

	ERR("create_zero", epoll_create(0));
	ERR("create_neg", epoll_create(-1));
	ERR("create1_badflags", epoll_create1(1));
	ERR("ctl_badepfd", epoll_ctl(9999, EPOLL_CTL_ADD, e, &ev));
	ERR("ctl_badfd", epoll_ctl(ep, EPOLL_CTL_ADD, 9999, &ev));
	ERR("ctl_not_epoll", epoll_ctl(e, EPOLL_CTL_ADD, ep, &ev));
	ERR("ctl_badop", epoll_ctl(ep, 7, e, &ev));
	ERR("ctl_badop_badptr", syscall(SYS_epoll_ctl, ep, 7, e, BAD1));
	ERR("ctl_ev_bad1", syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, e, BAD1));
	ERR("ctl_ev_unmapped", syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, e, unmapped_page()));
	ERR("ctl_del_nullev", syscall(SYS_epoll_ctl, ep, EPOLL_CTL_DEL, e, NULL));
	fd = open("/", O_RDONLY | O_DIRECTORY);
	ERR("ctl_directory", epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
	close(fd);
	fd = open("epoll_regular", O_RDWR | O_CREAT, 0600);
	ERR("ctl_regular", epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
	close(fd);
	unlink("epoll_regular");
	ERR("wait_zero", epoll_wait(ep, &ev, 0, 0));
	ERR("wait_neg", syscall(SYS_epoll_wait, ep, &ev, -1, 0));
	ERR("wait_huge", syscall(SYS_epoll_wait, ep, &ev, 0x7fffffff, 0));
	ERR("wait_badfd", epoll_wait(9999, &ev, 1, 0));
	ERR("wait_not_epoll", epoll_wait(e, &ev, 1, 0));
	ERR("wait_bad1_idle", syscall(SYS_epoll_wait, ep, BAD1, 1, 0));
	ERR("wait_bad2", syscall(SYS_epoll_wait, ep, BAD2, 1, 0));
	add(ep, e, EPOLLIN, 40);
	write(e, &v, 8);
	ERR("wait_bad1_ready", syscall(SYS_epoll_wait, ep, BAD1, 1, 0));
	ERR("wait_unmapped_ready", syscall(SYS_epoll_wait, ep, unmapped_page(), 1, 0));
	show("still_ready_after_efault", ep, 0);
	ERR("pwait2_badts", syscall(SYS_epoll_pwait2, ep, &ev, 1, &ts, NULL, 8));
	ERR("pwait2_ts_bad1", syscall(SYS_epoll_pwait2, ep, &ev, 1, BAD1, NULL, 8));
	close(e);
	close(ep);
}

int main(void)
{
	const char *dir;

	test_start();
	need_proc();	/* umk's test shell is init: no /proc yet */
	dir = scratch_dir("epoll");
	test_basic();
	test_dup_close();
	test_nested();
	test_exclusive();
	test_exclusive_waiters();
	test_wait();
	test_hostile();
	scratch_cleanup(dir);
	say("DONE epoll");
	return 0;
}
