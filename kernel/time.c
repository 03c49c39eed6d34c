/*
 * Time: clocks come from the host (the guest's realtime and monotonic
 * clocks are the host's; CPU-time clocks are those of the task's host
 * thread); sleeps are kernel timers, so a sleeping task costs no host
 * thread time and a signal ends the sleep. alarm and ITIMER_REAL send
 * SIGALRM. Semantics: clock_gettime(2), nanosleep(2), setitimer(2).
 */
#include <umk/sched.h>
#include <umk/syscalls.h>
#include <umk/timer.h>
#include <os.h>
#include <string.h>
#include <time.h>
#include <sys/time.h>

#define NSEC_PER_SEC 1000000000ULL

static uint64_t boot_ns;

uint64_t ktime_get_ns(void)
{
	if (!boot_ns)
		boot_ns = os_monotonic_ns();
	return os_monotonic_ns() - boot_ns;
}

uint64_t ktime_to_host_ns(uint64_t kt)
{
	ktime_get_ns();		/* boot_ns is set */
	return kt + boot_ns;
}

static bool timespec_valid(const struct timespec *ts)
{
	return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < (long)NSEC_PER_SEC;
}

static uint64_t timespec_to_ns(const struct timespec *ts)
{
	return ts->tv_sec * NSEC_PER_SEC + ts->tv_nsec;
}

static struct timespec ns_to_timespec(uint64_t ns)
{
	return (struct timespec){ .tv_sec = ns / NSEC_PER_SEC,
				  .tv_nsec = ns % NSEC_PER_SEC };
}

/* Map a guest clock id to a host one: CPU clocks name guest pids. */
static int host_clock(clockid_t clk, int *host)
{
	switch (clk) {
	case CLOCK_REALTIME: case CLOCK_MONOTONIC: case CLOCK_MONOTONIC_RAW:
	case CLOCK_REALTIME_COARSE: case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME: case CLOCK_TAI:
		*host = clk;
		return 0;
	case CLOCK_PROCESS_CPUTIME_ID:
		*host = (int)((unsigned int)~current->mm->host_pid << 3) | 2;
		return 0;
	case CLOCK_THREAD_CPUTIME_ID:
		*host = (int)((unsigned int)~current->host_tid << 3) | 2 | 4;
		return 0;
	}
	if (clk < 0) {
		pid_t pid = ~(clk >> 3);
		struct task *t = pid ? find_task_by_pid(pid) : current;

		int hid;

		if (!t || (clk & 3) == 3)
			return -EINVAL;
		/* a process clock names the host process, as
		 * CLOCK_PROCESS_CPUTIME_ID does; a thread clock its thread */
		hid = (clk & 4) ? t->host_tid : t->mm ? t->mm->host_pid : 0;
		if (hid <= 0)
			return -EINVAL;
		*host = (int)((unsigned int)~hid << 3) | (clk & 7);
		return 0;
	}
	return -EINVAL;
}

/* A thread's CPU clock cannot be read by another host process (the host
 * allows it only within the thread group): use the host's accounting. */
static bool thread_cpu_clock(clockid_t clk, struct timespec *ts)
{
	uint64_t ut, st, ns;
	struct task *t = current;

	if (clk != CLOCK_THREAD_CPUTIME_ID) {
		if (clk >= 0 || (clk & 7) != 6)
			return false;
		t = ~(clk >> 3) ? find_task_by_pid(~(clk >> 3)) : current;
		if (!t)
			return false;
	}
	os_task_times(t->host_tid, true, &ut, &st);
	ns = ut + st;
	if (!ns)
		ns = 1;		/* it has run: never report zero */
	*ts = ns_to_timespec(ns);
	return true;
}

SYSCALL_DEFINE2(clock_gettime, clockid_t, clk, struct uptr, tp)
{
	struct timespec ts;
	int hclk, err;

	if (thread_cpu_clock(clk, &ts))
		return copy_to_user(tp, &ts, sizeof(ts)) ? -EFAULT : 0;
	err = host_clock(clk, &hclk);
	if (err)
		return err;
	err = os_clock_gettime(hclk, &ts);
	if (err)
		return err == -ESRCH ? -EINVAL : err;
	return copy_to_user(tp, &ts, sizeof(ts)) ? -EFAULT : 0;
}

SYSCALL_DEFINE2(clock_getres, clockid_t, clk, struct uptr, tp)
{
	struct timespec ts;
	int hclk, err;

	if (thread_cpu_clock(clk, &ts)) {
		hclk = CLOCK_THREAD_CPUTIME_ID;	/* same resolution for all */
	} else {
		err = host_clock(clk, &hclk);
		if (err)
			return err;
	}
	err = os_clock_getres(hclk, &ts);
	if (err)
		return err;
	if (!uptr_null(tp) && copy_to_user(tp, &ts, sizeof(ts)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE2(gettimeofday, struct uptr, tv, struct uptr, tz)
{
	uint64_t ns = os_realtime_ns();
	struct timeval t = { ns / NSEC_PER_SEC, (ns % NSEC_PER_SEC) / 1000 };
	struct timezone z = { 0, 0 };

	if (!uptr_null(tv) && copy_to_user(tv, &t, sizeof(t)))
		return -EFAULT;
	if (!uptr_null(tz) && copy_to_user(tz, &z, sizeof(z)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE1(time, struct uptr, tloc)
{
	time_t t = os_realtime_ns() / NSEC_PER_SEC;

	if (!uptr_null(tloc) && copy_to_user(tloc, &t, sizeof(t)))
		return -EFAULT;
	return t;
}

/*
 * Sleep until deadline (ns on the guest's monotonic scale, i.e. since boot).
 * On a signal: rem (if any) gets the time left and the call is restarted
 * with the same deadline when no handler runs (restart_block in Linux).
 */
static long do_nanosleep(uint64_t deadline, struct uptr rem)
{
	int ret = 1;

	while (ret == 1)
		ret = schedule_timeout(deadline);
	if (ret == 0)
		return 0;
	if (!uptr_null(rem)) {
		uint64_t now = ktime_get_ns();
		struct timespec left = ns_to_timespec(deadline > now ?
						      deadline - now : 0);

		if (copy_to_user(rem, &left, sizeof(left)))
			return -EFAULT;
	}
	current->restart_deadline = deadline;
	return -ERESTART_RESTARTBLOCK;
}

/* Is this call the restart of a sleep a signal interrupted? Then keep its
 * deadline instead of sleeping the whole time again. */
static uint64_t restart_or(uint64_t deadline)
{
	uint64_t d = current->restart_deadline;

	current->restart_deadline = 0;
	return d && current->restarting ? d : deadline;
}

SYSCALL_DEFINE2(nanosleep, struct uptr, req, struct uptr, rem)
{
	struct timespec ts;

	if (copy_from_user(&ts, req, sizeof(ts)))
		return -EFAULT;
	if (!timespec_valid(&ts))
		return -EINVAL;
	return do_nanosleep(restart_or(ktime_get_ns() + timespec_to_ns(&ts)), rem);
}

SYSCALL_DEFINE4(clock_nanosleep, clockid_t, clk, int, flags, struct uptr, req, struct uptr, rem)
{
	struct timespec ts;
	uint64_t deadline;

	if (clk != CLOCK_REALTIME && clk != CLOCK_MONOTONIC &&
	    clk != CLOCK_BOOTTIME && clk != CLOCK_TAI) {
		/* Linux: -EINVAL for a thread CPU clock, sleeping on a
		 * process CPU clock is supported there but not here. */
		if (clk == CLOCK_THREAD_CPUTIME_ID)
			return -EOPNOTSUPP;
		return clk == CLOCK_PROCESS_CPUTIME_ID ? -EOPNOTSUPP : -EINVAL;
	}
	if (flags & ~TIMER_ABSTIME)
		return -EINVAL;
	if (copy_from_user(&ts, req, sizeof(ts)))
		return -EFAULT;
	if (!timespec_valid(&ts))
		return -EINVAL;
	if (flags & TIMER_ABSTIME) {
		uint64_t want = timespec_to_ns(&ts), now;

		now = (clk == CLOCK_REALTIME || clk == CLOCK_TAI) ?
		      os_realtime_ns() : ktime_get_ns() + 0;
		if (clk != CLOCK_REALTIME && clk != CLOCK_TAI)
			now = os_monotonic_ns();
		deadline = ktime_get_ns() + (want > now ? want - now : 0);
		return do_nanosleep(deadline, UPTR(0)) ==
		       -ERESTART_RESTARTBLOCK ? -ERESTARTNOHAND : 0;
	}
	deadline = restart_or(ktime_get_ns() + timespec_to_ns(&ts));
	return do_nanosleep(deadline, rem);
}

/* ITIMER_REAL of a process: SIGALRM at expiry, re-armed by the interval. */
static void it_real_fn(struct timer_list *timer)
{
	struct signal_struct *sig = container_of(timer, struct signal_struct,
						 it_real_timer);
	struct task *t;

	list_for_each_entry(t, &task_list, tasks) {
		if (t->signal == sig && thread_group_leader(t) && task_alive(t)) {
			siginfo_t info = { .si_signo = SIGALRM,
					   .si_code = SI_TIMER };

			send_sig_info(SIGALRM, &info, t, true);
			break;
		}
	}
	if (sig->it_real_interval) {
		timer->expires += sig->it_real_interval;
		add_timer(timer);
	}
}

void exit_itimers(struct signal_struct *sig)
{
	del_timer(&sig->it_real_timer);
	sig->it_real_interval = 0;
}

static void get_itimer_real(struct itimerval *v)
{
	struct signal_struct *sig = current->signal;
	uint64_t now = ktime_get_ns(), left = 0;

	if (sig->it_real_timer.pending && sig->it_real_timer.expires > now)
		left = sig->it_real_timer.expires - now;
	else if (sig->it_real_timer.pending)
		left = 1000;
	v->it_value.tv_sec = left / NSEC_PER_SEC;
	v->it_value.tv_usec = (left % NSEC_PER_SEC + 999) / 1000;
	if (v->it_value.tv_usec >= 1000000) {
		v->it_value.tv_sec++;
		v->it_value.tv_usec -= 1000000;
	}
	v->it_interval.tv_sec = sig->it_real_interval / NSEC_PER_SEC;
	v->it_interval.tv_usec = (sig->it_real_interval % NSEC_PER_SEC) / 1000;
}

static void set_itimer_real(const struct itimerval *v)
{
	struct signal_struct *sig = current->signal;
	uint64_t val = v->it_value.tv_sec * NSEC_PER_SEC +
		       v->it_value.tv_usec * 1000ULL;

	del_timer(&sig->it_real_timer);
	sig->it_real_interval = v->it_interval.tv_sec * NSEC_PER_SEC +
				v->it_interval.tv_usec * 1000ULL;
	if (val) {
		sig->it_real_timer.fn = it_real_fn;
		sig->it_real_timer.expires = ktime_get_ns() + val;
		add_timer(&sig->it_real_timer);
	}
}

SYSCALL_DEFINE2(getitimer, int, which, struct uptr, value)
{
	struct itimerval v;

	if (which != ITIMER_REAL)
		return which == ITIMER_VIRTUAL || which == ITIMER_PROF ?
		       -EINVAL : -EINVAL;
	get_itimer_real(&v);
	return copy_to_user(value, &v, sizeof(v)) ? -EFAULT : 0;
}

SYSCALL_DEFINE3(setitimer, int, which, struct uptr, value, struct uptr, ovalue)
{
	struct itimerval v = { 0 }, old;

	if (which != ITIMER_REAL)
		return -EINVAL;
	if (!uptr_null(value) && copy_from_user(&v, value, sizeof(v)))
		return -EFAULT;
	if (v.it_value.tv_usec < 0 || v.it_value.tv_usec >= 1000000 ||
	    v.it_interval.tv_usec < 0 || v.it_interval.tv_usec >= 1000000 ||
	    v.it_value.tv_sec < 0 || v.it_interval.tv_sec < 0)
		return -EINVAL;
	get_itimer_real(&old);
	set_itimer_real(&v);
	if (!uptr_null(ovalue) && copy_to_user(ovalue, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE1(alarm, unsigned int, seconds)
{
	struct itimerval v = { .it_value = { seconds, 0 } }, old;

	get_itimer_real(&old);
	set_itimer_real(&v);
	return old.it_value.tv_sec + (old.it_value.tv_usec >= 500000 ||
				      (!old.it_value.tv_sec && old.it_value.tv_usec));
}

/* The guest may not set the host's clock: Linux's answer to a caller
 * without CAP_SYS_TIME, after the same argument checks. */
SYSCALL_DEFINE2(clock_settime, clockid_t, clk, struct uptr, tp)
{
	struct timespec ts;

	if (clk != CLOCK_REALTIME)
		return -EINVAL;
	if (copy_from_user(&ts, tp, sizeof(ts)))
		return -EFAULT;
	if (!timespec_valid(&ts))
		return -EINVAL;
	return -EPERM;
}

SYSCALL_DEFINE2(settimeofday, struct uptr, tv, struct uptr, tz)
{
	struct timeval t;

	if (!uptr_null(tv)) {
		if (copy_from_user(&t, tv, sizeof(t)))
			return -EFAULT;
		if (t.tv_usec < 0 || t.tv_usec >= 1000000)
			return -EINVAL;
	}
	return -EPERM;
}
