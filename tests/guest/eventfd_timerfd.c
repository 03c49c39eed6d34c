/*
 * eventfd_timerfd: eventfd counters (plain, EFD_SEMAPHORE, EFD_NONBLOCK,
 * overflow limits, blocking reads woken by another process), timerfd on
 * each clock (relative, absolute, periodic, gettime, TFD_IOC_SET_TICKS),
 * poll readiness of both, and hostile arguments.
 */
#include "guest.h"
#include <poll.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/timerfd.h>

#ifndef TFD_IOC_SET_TICKS
#define TFD_IOC_SET_TICKS _IOW('T', 0, uint64_t)
#endif

static long rd64(int fd, uint64_t *v)
{
	return read(fd, v, sizeof(*v));
}

static long wr64(int fd, uint64_t v)
{
	return write(fd, &v, sizeof(v));
}

static int pollin(int fd)
{
	struct pollfd p = { fd, POLLIN | POLLOUT, 0 };

	if (poll(&p, 1, 0) < 0)
		return -1;
	return p.revents;
}

static void test_eventfd(void)
{
	uint64_t v = 0;
	int fd, p[2];
	pid_t pid;
	char c;

	fd = eventfd(3, 0);
	resv("efd_getfl", fcntl(fd, F_GETFL));
	resv("efd_poll_init", pollin(fd));
	resv("efd_read", rd64(fd, &v));
	say("efd_value: %lu", (unsigned long)v);
	resv("efd_poll_empty", pollin(fd));
	resv("efd_write", wr64(fd, 5));
	resv("efd_write2", wr64(fd, 6));
	rd64(fd, &v);
	say("efd_sum: %lu", (unsigned long)v);
	ERR("efd_write_max", wr64(fd, UINT64_MAX));
	ERR("efd_short_read", read(fd, &v, 4));
	ERR("efd_short_write", write(fd, &v, 7));
	ERR("efd_lseek", lseek(fd, 0, SEEK_SET));
	ERR("efd_pread", pread(fd, &v, 8, 0));
	ERR("efd_pwrite", pwrite(fd, &v, 8, 0));
	wr64(fd, 9);
	ERR("efd_read_bad1", syscall(SYS_read, fd, BAD1, 8L));
	resv("efd_poll_after_efault", pollin(fd));
	ERR("efd_write_bad1", syscall(SYS_write, fd, BAD1, 8L));
	{
		struct stat st;

		fstat(fd, &st);
		say("efd_mode: 0%o", st.st_mode);
	}
	close(fd);

	fd = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC);
	resv("sem_getfd", fcntl(fd, F_GETFD));
	resv("sem_getfl", fcntl(fd, F_GETFL));
	rd64(fd, &v);
	say("sem_read1: %lu", (unsigned long)v);
	rd64(fd, &v);
	say("sem_read2: %lu", (unsigned long)v);
	ERR("sem_read3_eagain", rd64(fd, &v));
	resv("fill", wr64(fd, UINT64_MAX - 1));
	resv("efd_poll_full", pollin(fd));
	ERR("overflow_eagain", wr64(fd, 1));
	resv("write_zero_when_full", wr64(fd, 0));
	close(fd);

	ERR("eventfd2_badflags", syscall(SYS_eventfd2, 0, 0x10));
	ERR("eventfd2_badflags2", syscall(SYS_eventfd2, 0, O_RDWR));

	/* a blocking read waits for another process's write */
	fd = eventfd(0, 0);
	pipe(p);
	pid = fork();
	if (pid == 0) {
		uint64_t got = 0;

		write(p[1], "r", 1);
		rd64(fd, &got);
		_exit(got == 42 ? 0 : 1);
	}
	read(p[0], &c, 1);
	wr64(fd, 42);
	say("efd_blocking_reader: %s", reap(pid));
	close(p[0]);
	close(p[1]);
	/* a blocking write waits for room */
	wr64(fd, UINT64_MAX - 1);
	pid = fork();
	if (pid == 0)
		_exit(wr64(fd, 10) == 8 ? 0 : 1);
	for (int i = 0; i < 100 && pollin(fd) & POLLIN; i++) {
		rd64(fd, &v);
		break;
	}
	say("efd_blocking_writer: %s", reap(pid));
	rd64(fd, &v);
	say("efd_after_writer: %lu", (unsigned long)v);
	close(fd);
}

static void test_timerfd(void)
{
	struct itimerspec its = { 0 }, old;
	struct timespec now;
	uint64_t v = 0;
	int fd;

	fd = timerfd_create(CLOCK_MONOTONIC, 0);
	resv("tfd_getfl", fcntl(fd, F_GETFL));
	resv("tfd_poll_unarmed", pollin(fd));
	resv("tfd_gettime_unarmed", timerfd_gettime(fd, &old));
	say("tfd_unarmed_value: %ld %ld", (long)old.it_value.tv_sec,
	    old.it_value.tv_nsec);
	its.it_value.tv_nsec = 20 * 1000000;
	resv("tfd_settime", timerfd_settime(fd, 0, &its, NULL));
	timerfd_gettime(fd, &old);
	yesno("tfd_remaining_le_20ms", old.it_value.tv_sec == 0 &&
	      old.it_value.tv_nsec > 0 && old.it_value.tv_nsec <= 20000000);
	resv("tfd_read_blocks_until_expiry", rd64(fd, &v));
	say("tfd_ticks: %lu", (unsigned long)v);
	timerfd_gettime(fd, &old);
	say("tfd_after_expiry: %ld %ld", (long)old.it_value.tv_sec,
	    old.it_value.tv_nsec);
	close(fd);

	/* periodic: 5 ms period, wait about 4 periods with poll */
	fd = timerfd_create(CLOCK_BOOTTIME, TFD_NONBLOCK | TFD_CLOEXEC);
	resv("tfd_nb_getfl", fcntl(fd, F_GETFL));
	ERR("tfd_read_eagain", rd64(fd, &v));
	its.it_value.tv_nsec = 5000000;
	its.it_interval.tv_nsec = 5000000;
	timerfd_settime(fd, 0, &its, NULL);
	{
		struct pollfd p = { fd, POLLIN, 0 };

		resv("tfd_poll_wait", poll(&p, 1, 5000));
	}
	{
		/* Read the expirations as they come (poll, then read), until
		 * four have been counted. */
		struct pollfd p = { fd, POLLIN, 0 };
		uint64_t total = 0;

		while (total < 4 && poll(&p, 1, 5000) == 1 && rd64(fd, &v) == 8)
			total += v;
		yesno("tfd_periodic_ticks_ge_4", total >= 4);
	}
	timerfd_gettime(fd, &old);
	say("tfd_interval: %ld %ld", (long)old.it_interval.tv_sec,
	    old.it_interval.tv_nsec);
	its = (struct itimerspec){ 0 };
	resv("tfd_disarm", timerfd_settime(fd, 0, &its, &old));
	say("tfd_old_interval: %ld", old.it_interval.tv_nsec);
	ERR("tfd_disarmed_read", rd64(fd, &v));
	v = 7;
	resv("tfd_set_ticks", ioctl(fd, TFD_IOC_SET_TICKS, &v));
	rd64(fd, &v);
	say("tfd_ticks_set: %lu", (unsigned long)v);
	v = 0;
	ERR("tfd_set_ticks_zero", ioctl(fd, TFD_IOC_SET_TICKS, &v));
	ERR("tfd_set_ticks_bad1", syscall(SYS_ioctl, fd, TFD_IOC_SET_TICKS, BAD1));
	ERR("tfd_bad_ioctl", ioctl(fd, 0x1234, 0));
	close(fd);

	/* absolute on CLOCK_REALTIME, in the past: fires at once */
	fd = timerfd_create(CLOCK_REALTIME, 0);
	clock_gettime(CLOCK_REALTIME, &now);
	its = (struct itimerspec){ .it_value = { now.tv_sec - 10, 0 } };
	resv("tfd_abs_past", timerfd_settime(fd, TFD_TIMER_ABSTIME |
					     TFD_TIMER_CANCEL_ON_SET, &its, NULL));
	rd64(fd, &v);
	say("tfd_abs_past_ticks: %lu", (unsigned long)v);
	clock_gettime(CLOCK_REALTIME, &now);
	its = (struct itimerspec){ .it_value = { now.tv_sec + 100, 0 } };
	timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL);
	timerfd_gettime(fd, &old);
	yesno("tfd_abs_future_remaining", old.it_value.tv_sec >= 98 &&
	      old.it_value.tv_sec <= 100);
	close(fd);

	fd = timerfd_create(CLOCK_MONOTONIC, 0);
	clock_gettime(CLOCK_MONOTONIC, &now);
	its = (struct itimerspec){ .it_value = { now.tv_sec, now.tv_nsec + 1 } };
	if (its.it_value.tv_nsec >= 1000000000)
		its.it_value.tv_nsec = 999999999;
	timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL);
	rd64(fd, &v);
	say("tfd_abs_mono_ticks: %lu", (unsigned long)v);

	/* hostile arguments */
	its = (struct itimerspec){ .it_value = { 0, 1000000000 } };
	ERR("tfd_settime_bad_nsec", timerfd_settime(fd, 0, &its, NULL));
	its = (struct itimerspec){ .it_value = { -1, 0 } };
	ERR("tfd_settime_neg", timerfd_settime(fd, 0, &its, NULL));
	its = (struct itimerspec){ 0 };
	ERR("tfd_settime_badflags", timerfd_settime(fd, 4, &its, NULL));
	ERR("tfd_settime_bad1", syscall(SYS_timerfd_settime, fd, 0, BAD1, NULL));
	ERR("tfd_settime_badfd_bad1", syscall(SYS_timerfd_settime, 9999, 0, BAD1, NULL));
	ERR("tfd_settime_badfd", timerfd_settime(9999, 0, &its, NULL));
	ERR("tfd_settime_notimer", timerfd_settime(0, 0, &its, NULL));
	ERR("tfd_settime_old_bad", syscall(SYS_timerfd_settime, fd, 0, &its, BAD2));
	ERR("tfd_gettime_bad", syscall(SYS_timerfd_gettime, fd, unmapped_page()));
	ERR("tfd_gettime_badfd", timerfd_gettime(-1, &old));
	ERR("tfd_short_read", read(fd, &v, 7));
	close(fd);
	ERR("tfd_create_badclock", timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0));
	ERR("tfd_create_badclock2", timerfd_create(12345, 0));
	ERR("tfd_create_badflags", timerfd_create(CLOCK_MONOTONIC, 1));
	fd = timerfd_create(CLOCK_REALTIME_ALARM, 0);
	chk("tfd_alarm_root", fd);
	close(fd);
	{
		pid_t pid = fork();

		if (pid == 0) {
			setuid(1000);
			_exit(timerfd_create(CLOCK_BOOTTIME_ALARM, 0) < 0 ?
			      errno : 0);
		}
		say("tfd_alarm_user: %s", reap(pid));
	}
}

int main(void)
{
	test_start();
	test_eventfd();
	test_timerfd();
	say("DONE eventfd_timerfd");
	return 0;
}
