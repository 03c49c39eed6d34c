/*
 * pipe_poll: pipes and readiness: pipe/pipe2, O_NONBLOCK and EAGAIN, EOF,
 * SIGPIPE/EPIPE, FIONREAD, poll/ppoll/select/pselect6 on pipe ends, blocking
 * reads woken by another process, a bulk transfer; with hostile arguments.
 */
#include "guest.h"
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/select.h>

static volatile sig_atomic_t got_sigpipe;

static void on_sigpipe(int sig)
{
	got_sigpipe++;
}

static void test_basic(void)
{
	int p[2], n = -1;
	char buf[16] = "";

	resv("pipe", pipe(p));
	resv("write", write(p[1], "hello", 5));
	resv("fionread", ioctl(p[0], FIONREAD, &n) ? -1 : n);
	resv("read", read(p[0], buf, sizeof(buf)));
	say("read_data: %s", buf);
	ERR("read_from_write_end", read(p[1], buf, 1));
	ERR("write_to_read_end", write(p[0], "x", 1));
	ERR("lseek_pipe", lseek(p[0], 0, SEEK_SET));
	ERR("pread_pipe", pread(p[0], buf, 1, 0));
	ERR("pwrite_pipe", pwrite(p[1], buf, 1, 0));
	resv("getfl_read_end", fcntl(p[0], F_GETFL) & O_ACCMODE);
	resv("getfl_write_end", fcntl(p[1], F_GETFL) & O_ACCMODE);
	write(p[1], "z", 1);
	ERR("read_bad_with_data", syscall(SYS_read, p[0], BAD1, 1L));
	ERR("write_bad2", syscall(SYS_write, p[1], BAD2, 1L));
	ERR("write_unmapped", syscall(SYS_write, p[1], unmapped_page(), 1L));
	ERR("fionread_bad", syscall(SYS_ioctl, p[0], FIONREAD, BAD1));
	close(p[0]);
	close(p[1]);

	ERR("pipe_bad1", syscall(SYS_pipe, BAD1));
	ERR("pipe_bad2", syscall(SYS_pipe, BAD2));
	ERR("pipe_unmapped", syscall(SYS_pipe2, unmapped_page(), 0));
	ERR("pipe2_badflags", syscall(SYS_pipe2, p, 0x12340000));
}

static void test_nonblock_eof(void)
{
	int p[2];
	char buf[4096];
	long total = 0;
	ssize_t n;
	struct pollfd pfd;

	resv("pipe2_nonblock", pipe2(p, O_NONBLOCK | O_CLOEXEC));
	yesno("nonblock_flag", fcntl(p[0], F_GETFL) & O_NONBLOCK);
	resv("cloexec_flag", fcntl(p[0], F_GETFD));
	ERR("read_empty_nonblock", read(p[0], buf, 1));
	memset(buf, 'a', sizeof(buf));
	while ((n = write(p[1], buf, sizeof(buf))) > 0)
		total += n;
	say("fill_stops_with: %s", ename(errno));
	yesno("capacity_ge_4096", total >= 4096);
	pfd = (struct pollfd){ p[1], POLLOUT, 0 };
	resv("poll_full_pipe_pollout", poll(&pfd, 1, 0));
	while (read(p[0], buf, sizeof(buf)) > 0)
		;
	pfd = (struct pollfd){ p[1], POLLOUT, 0 };
	resv("poll_drained_pollout", poll(&pfd, 1, 0));
	say("revents_drained: 0x%x", pfd.revents);
	close(p[1]);
	resv("read_eof", read(p[0], buf, 1));
	close(p[0]);

	pipe(p);
	resv("setfl_nonblock", fcntl(p[0], F_SETFL, O_NONBLOCK));
	ERR("read_after_setfl", read(p[0], buf, 1));
	close(p[0]);
	close(p[1]);
}

static void test_sigpipe(void)
{
	int p[2];
	pid_t pid;

	pipe(p);
	close(p[0]);
	signal(SIGPIPE, SIG_IGN);
	ERR("write_no_reader_ignored", write(p[1], "x", 1));
	signal(SIGPIPE, on_sigpipe);
	ERR("write_no_reader_handler", write(p[1], "x", 1));
	resv("sigpipe_handler_ran", got_sigpipe);
	signal(SIGPIPE, SIG_DFL);
	pid = fork();
	if (pid == 0) {
		write(p[1], "x", 1);
		_exit(0);
	}
	say("write_no_reader_default: %s", reap(pid));
	close(p[1]);
}

static void test_poll(void)
{
	int p[2], q[2];
	struct pollfd pfd[4];
	struct timespec ts0 = { 0, 0 }, tsbad = { 0, 2000000000L };
	sigset_t mask;

	pipe(p);
	pfd[0] = (struct pollfd){ p[0], POLLIN, 0 };
	pfd[1] = (struct pollfd){ p[1], POLLOUT, 0 };
	resv("poll_empty", poll(pfd, 2, 0));
	say("revents_empty: 0x%x 0x%x", pfd[0].revents, pfd[1].revents);
	resv("poll_timeout_50ms", poll(pfd, 1, 50));
	write(p[1], "x", 1);
	resv("poll_data", poll(pfd, 2, 0));
	say("revents_data: 0x%x 0x%x", pfd[0].revents, pfd[1].revents);
	pfd[2] = (struct pollfd){ -1, POLLIN, 0x55 };
	pfd[3] = (struct pollfd){ 999, POLLIN, 0 };
	resv("poll_neg_and_bad_fd", poll(pfd + 2, 2, 0));
	say("revents_neg_bad: 0x%x 0x%x", pfd[2].revents, pfd[3].revents);
	close(p[1]);
	pfd[0].revents = 0;
	resv("poll_hup_with_data", poll(pfd, 1, 0));
	say("revents_hup_with_data: 0x%x", pfd[0].revents);
	{
		char c;
		read(p[0], &c, 1);
	}
	resv("poll_hup", poll(pfd, 1, 0));
	say("revents_hup: 0x%x", pfd[0].revents);
	close(p[0]);

	pipe(q);
	close(q[0]);
	pfd[0] = (struct pollfd){ q[1], POLLOUT, 0 };
	signal(SIGPIPE, SIG_IGN);
	resv("poll_no_reader", poll(pfd, 1, 0));
	say("revents_no_reader: 0x%x", pfd[0].revents);
	close(q[1]);

	ERR("poll_bad1", syscall(SYS_poll, BAD1, 1L, 0L));
	ERR("poll_unmapped", syscall(SYS_poll, unmapped_page(), 1L, 0L));
	ERR("poll_nfds_huge", syscall(SYS_poll, pfd, 0x7fffffffL, 0L));
	resv("poll_zero_fds", poll(NULL, 0, 10));

	pipe(p);
	pfd[0] = (struct pollfd){ p[0], POLLIN, 0 };
	sigemptyset(&mask);
	resv("ppoll_empty", ppoll(pfd, 1, &ts0, &mask));
	write(p[1], "y", 1);
	resv("ppoll_data", ppoll(pfd, 1, &ts0, NULL));
	ERR("ppoll_badtime", syscall(SYS_ppoll, pfd, 1L, &tsbad, NULL, 8L));
	ERR("ppoll_bad_sigsetsize", syscall(SYS_ppoll, pfd, 1L, &ts0, &mask, 3L));
	ERR("ppoll_bad_timeptr", syscall(SYS_ppoll, pfd, 1L, BAD1, NULL, 8L));
	close(p[0]);
	close(p[1]);
}

static void test_select(void)
{
	int p[2];
	fd_set rd, wr;
	struct timeval tv;
	struct timespec ts;
	sigset_t mask;

	pipe(p);
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	tv = (struct timeval){ 0, 0 };
	resv("select_empty", select(p[0] + 1, &rd, NULL, NULL, &tv));
	yesno("select_empty_cleared", !FD_ISSET(p[0], &rd));
	write(p[1], "x", 1);
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	FD_ZERO(&wr);
	FD_SET(p[1], &wr);
	tv = (struct timeval){ 0, 0 };
	resv("select_ready", select(p[1] + 1, &rd, &wr, NULL, &tv));
	yesno("select_isset", FD_ISSET(p[0], &rd) && FD_ISSET(p[1], &wr));
	tv = (struct timeval){ 0, 20000 };
	resv("select_timeout_only", select(0, NULL, NULL, NULL, &tv));
	ERR("select_negative_nfds", select(-1, NULL, NULL, NULL, &tv));
	close(50);
	FD_ZERO(&rd);
	FD_SET(50, &rd);
	tv = (struct timeval){ 0, 0 };
	ERR("select_closed_fd", select(51, &rd, NULL, NULL, &tv));
	tv = (struct timeval){ 0, -1 };
	FD_ZERO(&rd);
	ERR("select_bad_usec", select(1, &rd, NULL, NULL, &tv));
	tv = (struct timeval){ 0, 0 };
	ERR("select_bad_set", syscall(SYS_select, p[0] + 1, BAD1, NULL, NULL, &tv));
	ERR("select_bad_tv", syscall(SYS_select, p[0] + 1, NULL, NULL, NULL, BAD1));

	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	ts = (struct timespec){ 0, 0 };
	sigemptyset(&mask);
	resv("pselect_ready", pselect(p[0] + 1, &rd, NULL, NULL, &ts, &mask));
	ts = (struct timespec){ 0, 1000000000L };
	ERR("pselect_bad_nsec", pselect(p[0] + 1, &rd, NULL, NULL, &ts, NULL));
	close(p[0]);
	close(p[1]);
}

/*
 * A blocking read and an infinite poll, each woken by a child's write. The
 * child writes only once it sees us asleep in /proc (state S), so the read
 * really blocked (the second time also after we took the first bytes); it
 * exits 0 if it saw that both times, 1 and 2 if not.
 */
static int unread(int fd)
{
	int n = -1;

	return ioctl(fd, FIONREAD, &n) < 0 ? -1 : n;
}

static void test_wakeups(void)
{
	int p[2];
	char buf[8] = "";
	struct pollfd pfd;
	pid_t pid, parent = getpid();

	pipe(p);
	pid = fork();
	if (pid == 0) {
		int st = 0;

		if (!wait_sleeping(parent, parent))
			st |= 1;
		write(p[1], "late", 4);
		if (!WAIT_UNTIL(unread(p[0]) == 0 &&
				proc_state(parent, parent) == 'S'))
			st |= 2;
		write(p[1], "more", 4);
		_exit(st);
	}
	resv("blocking_read", read(p[0], buf, 4));
	say("blocking_read_data: %s", buf);
	pfd = (struct pollfd){ p[0], POLLIN, 0 };
	resv("poll_infinite", poll(&pfd, 1, -1));
	say("child_saw_us_blocked: %s", reap(pid));
	close(p[1]);
	resv("read_rest", read(p[0], buf, 8));
	resv("read_eof", read(p[0], buf, 8));
	close(p[0]);
}

/* 1 MiB through a pipe from a child, checked with a running sum. */
static void test_bulk(void)
{
	int p[2];
	unsigned long sum = 0, expect = 0, total = 0;
	unsigned char buf[7919];
	ssize_t n;
	pid_t pid;
	long i;

	for (i = 0; i < (1L << 20); i++)
		expect += (i * 31) & 0xff;
	pipe(p);
	pid = fork();
	if (pid == 0) {
		unsigned char out[4096];
		long off = 0;
		close(p[0]);
		while (off < (1L << 20)) {
			for (i = 0; i < 4096; i++)
				out[i] = ((off + i) * 31) & 0xff;
			if (write(p[1], out, 4096) != 4096)
				_exit(1);
			off += 4096;
		}
		_exit(0);
	}
	close(p[1]);
	while ((n = read(p[0], buf, sizeof(buf))) > 0) {
		for (i = 0; i < n; i++)
			sum += buf[i];
		total += n;
	}
	close(p[0]);
	say("bulk_bytes: %lu", total);
	yesno("bulk_sum_ok", sum == expect);
	say("bulk_child: %s", reap(pid));
}

int main(void)
{
	test_start();
	if (need_proc())
		say("proc: %s", ename(errno));
	test_basic();
	test_nonblock_eof();
	test_sigpipe();
	test_poll();
	test_select();
	test_wakeups();
	test_bulk();
	say("DONE pipe_poll");
	return 0;
}
