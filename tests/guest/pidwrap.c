/*
 * pidwrap: pid allocation past pid_max. Forks and reaps children until a
 * child's pid is lower than the one before (the allocator wrapped), checks
 * that it came back at the low end, and that no new pid ever equals the pid
 * of a process still alive (three held children, their parent, ourselves).
 * Threads take their ids from the same allocator; most of the pid space is
 * gone through with short-lived threads (cheaper than processes under
 * umk), the last 200 pids before the wrap and the wrap itself with forks.
 *
 * Linux's pid_max may be far larger than umk's 32768 (systemd sets
 * 4194304; since Linux 6.14 each pid namespace has its own). Natively, as root, the test therefore runs in a pid namespace
 * of its own, where it sets ns_last_pid: the held children at 301.. (just
 * above Linux's RESERVED_PIDS, where a wrapped allocation restarts), the
 * forks from just below pid_max. Where that cannot be done (inside umk, or
 * not root) it forks through the whole pid space, at most pid_max + 1000
 * times. Prints no pid.
 */
#include "guest.h"
#include <pthread.h>
#include <sched.h>

#define NHELD 3
#define NEAR_END 200		/* forks before the wrap on the fast path */

static long pid_max;
static pid_t held[NHELD];
static int hold[2];

static long read_long(const char *path)
{
	char buf[32] = "";
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		close(fd);
	return n > 0 ? strtol(buf, NULL, 10) : -1;
}

/* Make the next pid allocated in our pid namespace last + 1. */
static int set_last_pid(long last)
{
	char buf[32];
	int fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY);
	int n = snprintf(buf, sizeof(buf), "%ld", last);
	int ok = fd >= 0 && write(fd, buf, n) == n;

	if (fd >= 0)
		close(fd);
	return ok ? 0 : -1;
}

static int is_live(pid_t pid)
{
	int i;

	if (pid == getpid() || pid == getppid())
		return 1;
	for (i = 0; i < NHELD; i++)
		if (pid == held[i])
			return 1;
	return 0;
}

static void *report_tid(void *arg)
{
	*(pid_t *)arg = syscall(SYS_gettid);
	return NULL;
}

/*
 * Short-lived threads, 8 at a time, until a thread's id comes within
 * NEAR_END of pid_max (or the ids wrapped: then the forks see no wrap and
 * the test says so). No id may be a live process's pid.
 */
static int advance_with_threads(int *collided)
{
	pid_t tid[8], prev = 0, top = 0;
	pthread_t t[8];
	long n = 0;
	int i;

	while (n < pid_max + 1000) {
		for (i = 0; i < 8; i++) {
			tid[i] = 0;
			if (pthread_create(&t[i], NULL, report_tid, &tid[i]))
				return -1;
		}
		for (i = 0; i < 8; i++) {
			pthread_join(t[i], NULL);
			*collided |= is_live(tid[i]);
			if (tid[i] > top)
				top = tid[i];
		}
		n += 8;
		if (top >= pid_max - NEAR_END || (prev && top < prev))
			return 0;
		prev = top;
		top = 0;
	}
	return 0;
}

/* A child that exits at once, reaped; its pid, or -1. */
static pid_t fork_reap(void)
{
	pid_t pid = fork();
	int st;

	if (pid == 0)
		_exit(0);
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return pid;
}

static int run(int fast)
{
	pid_t prev = 0, pid = 0, max_held = 0;
	long i, limit = pid_max + 1000;
	int wrapped = 0, collided = 0, failed = 0, low = 0, past_held = 0;
	char c;

	/* pid_max belongs to the pid namespace (Linux 6.14): ours, again. */
	if (read_long("/proc/sys/kernel/pid_max") >= 300)
		pid_max = read_long("/proc/sys/kernel/pid_max");
	limit = pid_max + 1000;
	pipe(hold);
	if (fast)
		set_last_pid(300);
	for (i = 0; i < NHELD; i++) {
		held[i] = fork();
		if (held[i] == 0) {
			close(hold[1]);
			_exit(read(hold[0], &c, 1) == 0 ? 0 : 1);
		}
		if (held[i] > max_held)
			max_held = held[i];
	}
	close(hold[0]);
	if (fast)
		set_last_pid(pid_max - NEAR_END);
	else if (advance_with_threads(&collided))
		failed++;

	/* Up to the wrap. */
	for (i = 0; i < limit && !wrapped; i++) {
		pid = fork_reap();
		if (pid < 0) {
			failed++;
			break;
		}
		collided |= is_live(pid);
		wrapped = prev && pid < prev;
		prev = pid;
	}
	yesno("wrapped", wrapped);
	low = wrapped && pid < pid_max / 4;
	yesno("wrapped_to_the_low_end", low);

	/* On past the held children, which must be skipped. */
	for (i = 0; wrapped && i < limit && pid <= max_held; i++) {
		prev = pid;
		pid = fork_reap();
		if (pid < 0) {
			failed++;
			break;
		}
		collided |= is_live(pid);
		if (pid < prev)
			break;		/* wrapped again: cannot happen */
	}
	past_held = wrapped && pid > max_held;
	yesno("allocated_past_the_live_pids", past_held);
	yesno("no_pid_of_a_live_process_reused", !collided);
	yesno("fork_never_failed", !failed);

	close(hold[1]);
	for (i = 0; i < NHELD; i++)
		say("held_child_%ld: %s", i, reap(held[i]));
	errno = 0;
	ERR("nothing_left", waitpid(-1, NULL, WNOHANG));
	return 0;
}

int main(void)
{
	pid_t ns_init;
	int st;

	test_start();
	if (need_proc())
		say("proc: %s", ename(errno));
	pid_max = read_long("/proc/sys/kernel/pid_max");
	yesno("pid_max_readable", pid_max >= 300);
	if (pid_max < 300)
		pid_max = 32768;

	/* Natively: a pid namespace of our own, its ns_last_pid ours to set. */
	if (unshare(CLONE_NEWPID) == 0) {
		ns_init = fork();
		if (ns_init == 0) {
			int fast = set_last_pid(1) == 0;

			_exit(run(fast));
		}
		if (ns_init > 0 && waitpid(ns_init, &st, 0) == ns_init &&
		    WIFEXITED(st) && WEXITSTATUS(st) == 0) {
			say("DONE pidwrap");
			return 0;
		}
		say("pid namespace run: %s", wstr(st));
		return 1;
	}
	run(0);
	say("DONE pidwrap");
	return 0;
}
