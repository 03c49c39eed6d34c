/*
 * time: clocks and sleeps: clock_gettime/clock_getres for each clock,
 * gettimeofday, time, nanosleep and clock_nanosleep (relative, absolute,
 * interrupted), setitimer/getitimer, times, getrusage. Prints only booleans,
 * never a time. System calls go through syscall(2), not the vDSO, so that
 * umk serves them.
 */
#include "guest.h"
#include <sys/time.h>
#include <sys/times.h>
#include <pthread.h>

static long long now_ns(clockid_t clk)
{
	struct timespec ts;

	syscall(SYS_clock_gettime, clk, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	alarms++;
}

static void test_clocks(void)
{
	static const struct { clockid_t id; const char *name; } clocks[] = {
		{ CLOCK_REALTIME, "realtime" }, { CLOCK_MONOTONIC, "monotonic" },
		{ CLOCK_PROCESS_CPUTIME_ID, "process_cputime" },
		{ CLOCK_THREAD_CPUTIME_ID, "thread_cputime" },
		{ CLOCK_MONOTONIC_RAW, "monotonic_raw" },
		{ CLOCK_REALTIME_COARSE, "realtime_coarse" },
		{ CLOCK_MONOTONIC_COARSE, "monotonic_coarse" },
		{ CLOCK_BOOTTIME, "boottime" },
	};
	struct timespec ts, res;
	unsigned i;

	for (i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++) {
		long r = syscall(SYS_clock_gettime, clocks[i].id, &ts);
		long g = syscall(SYS_clock_getres, clocks[i].id, &res);
		say("clock_%s: gettime=%s getres=%s nsec_ok=%d res_ok=%d", clocks[i].name,
		    r ? ename(errno) : "ok", g ? ename(errno) : "ok",
		    ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000L,
		    res.tv_sec == 0 && res.tv_nsec > 0 && res.tv_nsec <= 10000000);
	}
	yesno("realtime_after_2020", now_ns(CLOCK_REALTIME) / 1000000000LL > 1577836800LL);
	{
		long long a = now_ns(CLOCK_MONOTONIC), b = now_ns(CLOCK_MONOTONIC);
		yesno("monotonic_nondecreasing", b >= a);
	}
	{
		/* Spin until 1 ms of CPU time is used (however busy the machine),
		 * at most 30 s. */
		long long a = now_ns(CLOCK_PROCESS_CPUTIME_ID), end = now_ns(CLOCK_MONOTONIC) + 30000000000LL;
		volatile unsigned long spin = 0;
		while (now_ns(CLOCK_PROCESS_CPUTIME_ID) < a + 1000000 &&
		       now_ns(CLOCK_MONOTONIC) < end)
			spin++;
		yesno("cputime_increases", now_ns(CLOCK_PROCESS_CPUTIME_ID) > a);
	}
	ERR("clock_gettime_badclock", syscall(SYS_clock_gettime, 12345, &ts));
	ERR("clock_gettime_bad1", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, BAD1));
	ERR("clock_gettime_bad2", syscall(SYS_clock_gettime, CLOCK_REALTIME, BAD2));
	ERR("clock_getres_badclock", syscall(SYS_clock_getres, 12345, &res));
	resv("clock_getres_null", syscall(SYS_clock_getres, CLOCK_MONOTONIC, NULL));
	ERR("clock_settime_badclock", syscall(SYS_clock_settime, CLOCK_MONOTONIC, &ts));

	{
		struct timeval tv;
		long t, t2;
		yesno("gettimeofday", syscall(SYS_gettimeofday, &tv, NULL) == 0 &&
		      tv.tv_usec >= 0 && tv.tv_usec < 1000000 && tv.tv_sec > 1577836800L);
		ERR("gettimeofday_bad", syscall(SYS_gettimeofday, BAD1, NULL));
		t = syscall(SYS_time, NULL);
		yesno("time", t > 1577836800L);
		yesno("time_stores", syscall(SYS_time, &t2) > 0 && t2 >= t);
		ERR("time_bad", syscall(SYS_time, BAD1));
	}
}

static void test_sleeps(void)
{
	struct timespec ts = { 0, 50000000 }, rem, bad;
	long long t0, t1;
	long r;

	t0 = now_ns(CLOCK_MONOTONIC);
	r = syscall(SYS_nanosleep, &ts, NULL);
	t1 = now_ns(CLOCK_MONOTONIC);
	say("nanosleep_50ms: r=%ld slept_enough=%d", r, t1 - t0 >= 50000000LL);
	bad = (struct timespec){ 0, 1000000000L };
	ERR("nanosleep_bad_nsec", syscall(SYS_nanosleep, &bad, NULL));
	bad = (struct timespec){ -1, 0 };
	ERR("nanosleep_negative", syscall(SYS_nanosleep, &bad, NULL));
	ERR("nanosleep_bad_ptr", syscall(SYS_nanosleep, BAD1, NULL));
	ts = (struct timespec){ 0, 0 };
	resv("nanosleep_zero", syscall(SYS_nanosleep, &ts, NULL));

	t0 = now_ns(CLOCK_MONOTONIC);
	ts.tv_sec = (t0 + 30000000) / 1000000000LL;
	ts.tv_nsec = (t0 + 30000000) % 1000000000LL;
	r = syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	t1 = now_ns(CLOCK_MONOTONIC);
	say("clock_nanosleep_abs: r=%ld reached=%d", r, t1 >= t0 + 30000000);
	ts = (struct timespec){ 0, 20000000 };
	t0 = now_ns(CLOCK_MONOTONIC);
	r = syscall(SYS_clock_nanosleep, CLOCK_REALTIME, 0, &ts, NULL);
	t1 = now_ns(CLOCK_MONOTONIC);
	say("clock_nanosleep_rel: r=%ld slept_enough=%d", r, t1 - t0 >= 20000000);
	ts = (struct timespec){ 0, 1000 };
	ERR("clock_nanosleep_thread_cpu", syscall(SYS_clock_nanosleep, CLOCK_THREAD_CPUTIME_ID, 0, &ts, NULL));
	ERR("clock_nanosleep_badclock", syscall(SYS_clock_nanosleep, 12345, 0, &ts, NULL));
	bad = (struct timespec){ 0, -5 };
	ERR("clock_nanosleep_bad_nsec", syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &bad, NULL));

	/* A 2 s sleep cut short by SIGALRM. The timer repeats every 20 ms, so
	 * one fires inside the sleep even if the first came before it. */
	signal(SIGALRM, on_alarm);
	alarms = 0;
	{
		struct itimerval it = { { 0, 20000 }, { 0, 20000 } };
		setitimer(ITIMER_REAL, &it, NULL);
	}
	ts = (struct timespec){ 2, 0 };
	memset(&rem, 0, sizeof(rem));
	t0 = now_ns(CLOCK_MONOTONIC);
	r = syscall(SYS_nanosleep, &ts, &rem);
	t1 = now_ns(CLOCK_MONOTONIC);
	{
		struct itimerval off = { { 0, 0 }, { 0, 0 } };
		setitimer(ITIMER_REAL, &off, NULL);
	}
	say("nanosleep_interrupted: %s alarms_seen=%d rem_sane=%d early=%d",
	    r < 0 ? ename(errno) : "ok", alarms > 0,
	    rem.tv_sec <= 2 && (rem.tv_sec > 0 || rem.tv_nsec > 0), t1 - t0 < 1500000000LL);
}

static void test_itimer(void)
{
	struct itimerval it = { { 0, 0 }, { 100, 0 } }, cur;

	/* 100 s: it never fires during the test, however slow the machine. */
	resv("setitimer", setitimer(ITIMER_REAL, &it, NULL));
	resv("getitimer", getitimer(ITIMER_REAL, &cur));
	yesno("getitimer_remaining", cur.it_value.tv_sec <= 100 &&
	      (cur.it_value.tv_sec > 0 || cur.it_value.tv_usec > 0) &&
	      (cur.it_value.tv_sec < 100 || cur.it_value.tv_usec == 0));
	it.it_value.tv_sec = 0;
	resv("setitimer_cancel", setitimer(ITIMER_REAL, &it, &cur));
	yesno("setitimer_old_value", cur.it_value.tv_sec > 0 || cur.it_value.tv_usec > 0);
	getitimer(ITIMER_REAL, &cur);
	yesno("cancelled", cur.it_value.tv_sec == 0 && cur.it_value.tv_usec == 0);
	ERR("getitimer_badwhich", getitimer(99, &cur));
	ERR("getitimer_bad_ptr", syscall(SYS_getitimer, ITIMER_REAL, BAD1));
	it.it_value.tv_usec = 2000000;
	ERR("setitimer_bad_usec", setitimer(ITIMER_REAL, &it, NULL));
	ERR("setitimer_bad_ptr", syscall(SYS_setitimer, ITIMER_REAL, BAD1, NULL));

	alarms = 0;
	it = (struct itimerval){ { 0, 10000 }, { 0, 10000 } };
	setitimer(ITIMER_REAL, &it, NULL);
	while (alarms < 3)
		pause();
	it = (struct itimerval){ { 0, 0 }, { 0, 0 } };
	setitimer(ITIMER_REAL, &it, NULL);
	say("interval_timer_fired_3: yes");
	signal(SIGALRM, SIG_DFL);
}

static void test_usage(void)
{
	struct tms t;
	struct rusage ru;

	yesno("times", syscall(SYS_times, &t) != -1);
	ERR("times_bad", syscall(SYS_times, BAD1));
	resv("getrusage_self", getrusage(RUSAGE_SELF, &ru));
	yesno("rusage_cpu_used", ru.ru_utime.tv_sec > 0 || ru.ru_utime.tv_usec > 0 ||
	      ru.ru_stime.tv_sec > 0 || ru.ru_stime.tv_usec > 0);
	resv("getrusage_children", getrusage(RUSAGE_CHILDREN, &ru));
	resv("getrusage_thread", getrusage(RUSAGE_THREAD, &ru));
	ERR("getrusage_badwho", getrusage(99, &ru));
	ERR("getrusage_bad_ptr", syscall(SYS_getrusage, RUSAGE_SELF, BAD1));
}

/* Burn CPU until this process's CPU clock has advanced by ns. */
static void burn(long ns)
{
	struct timespec a, b;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
	do {
		for (volatile int i = 0; i < 100000; i++)
			;
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
	} while ((b.tv_sec - a.tv_sec) * 1000000000L + b.tv_nsec - a.tv_nsec < ns);
}

static void *burn_thread(void *arg)
{
	burn(30000000);
	return NULL;
}

static long tv_ns(struct timeval tv)
{
	return tv.tv_sec * 1000000000L + tv.tv_usec * 1000L;
}

/* A child that spends 30 ms of CPU (in a second thread that ends first,
 * when threaded) is charged at least that to its parent. */
static void test_child_cpu(int threaded)
{
	struct rusage ru, before, after;
	int st;
	pid_t pid;

	getrusage(RUSAGE_CHILDREN, &before);
	pid = fork();
	if (pid == 0) {
		pthread_t th;

		if (threaded) {
			pthread_create(&th, NULL, burn_thread, NULL);
			pthread_join(th, NULL);
		} else {
			burn(30000000);
		}
		_exit(0);
	}
	if (wait4(pid, &st, 0, &ru) != pid)
		say("child_cpu: wait4 failed");
	getrusage(RUSAGE_CHILDREN, &after);
	yesno(threaded ? "wait4_rusage_30ms_thread" : "wait4_rusage_30ms",
	      tv_ns(ru.ru_utime) + tv_ns(ru.ru_stime) >= 30000000);
	yesno(threaded ? "rusage_children_30ms_thread" : "rusage_children_30ms",
	      tv_ns(after.ru_utime) + tv_ns(after.ru_stime) -
	      tv_ns(before.ru_utime) - tv_ns(before.ru_stime) >= 30000000);
}

int main(void)
{
	test_start();
	test_clocks();
	test_sleeps();
	test_itimer();
	test_usage();
	test_child_cpu(0);
	test_child_cpu(1);
	say("DONE time");
	return 0;
}
