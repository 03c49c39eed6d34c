/*
 * threads: clone(CLONE_VM|CLONE_THREAD) through pthreads: create/join,
 * shared memory, thread ids, TLS, futex wait/wake/timeouts,
 * CLONE_CHILD_CLEARTID (pthread_join), set_tid_address, signals aimed at one
 * thread, exit_group and execve from a non-main thread; hostile futexes.
 */
#include "guest.h"
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>

#define NTHREADS 4
#define NINCR 20000

static const char *self;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static __thread int tls_value = 5;
static pid_t main_pid;

static long futex(void *uaddr, int op, int val, const struct timespec *ts)
{
	return syscall(SYS_futex, uaddr, op, val, ts, NULL, 0);
}

static void *adder(void *arg)
{
	int i;

	tls_value = (int)(long)arg;
	for (i = 0; i < NINCR; i++) {
		pthread_mutex_lock(&lock);
		counter++;
		pthread_mutex_unlock(&lock);
	}
	if (tls_value != (int)(long)arg)
		return (void *)-1L;
	return (void *)(100 + (long)arg);
}

static void *ids(void *arg)
{
	long *out = arg;

	out[0] = getpid() == main_pid;
	out[1] = syscall(SYS_gettid) != main_pid;
	out[2] = tls_value == 5;
	return NULL;
}

static void test_create_join(void)
{
	pthread_t t[NTHREADS];
	long out[3] = { 0, 0, 0 }, sum = 0;
	void *ret;
	int i;

	for (i = 0; i < NTHREADS; i++)
		pthread_create(&t[i], NULL, adder, (void *)(long)i);
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(t[i], &ret);
		sum += (long)ret;
	}
	say("counter: %ld", counter);
	say("join_values_sum: %ld", sum);
	yesno("main_tls_unchanged", tls_value == 5);
	pthread_create(&t[0], NULL, ids, out);
	pthread_join(t[0], NULL);
	say("thread_ids: same_pid=%ld own_tid=%ld fresh_tls=%ld", out[0], out[1], out[2]);
}

static int futex_word;
static volatile int woke;

static void *futex_waiter(void *arg)
{
	while (__atomic_load_n(&futex_word, __ATOMIC_SEQ_CST) == 0)
		futex(&futex_word, FUTEX_WAIT_PRIVATE, 0, NULL);
	woke = 1;
	return NULL;
}

static void test_futex(void)
{
	struct timespec ts = { 0, 20000000 }, bad = { 0, 2000000000L };
	int word = 1, waked;
	pthread_t t;

	ERR("futex_wait_mismatch", futex(&word, FUTEX_WAIT_PRIVATE, 0, NULL));
	ERR("futex_wait_timeout", futex(&word, FUTEX_WAIT_PRIVATE, 1, &ts));
	resv("futex_wake_nobody", futex(&word, FUTEX_WAKE_PRIVATE, 1, NULL));
	ERR("futex_bad1", futex(BAD1, FUTEX_WAIT_PRIVATE, 0, NULL));
	ERR("futex_bad2", futex(BAD2, FUTEX_WAIT_PRIVATE, 0, NULL));
	ERR("futex_kernel_addr", futex((void *)0xffff800000000000UL, FUTEX_WAIT_PRIVATE, 0, NULL));
	ERR("futex_unmapped", futex(unmapped_page(), FUTEX_WAIT_PRIVATE, 0, NULL));
	ERR("futex_badop", futex(&word, 99, 0, NULL));
	ERR("futex_bad_timeout", futex(&word, FUTEX_WAIT_PRIVATE, 1, &bad));
	ERR("futex_bad_timeout_ptr", futex(&word, FUTEX_WAIT_PRIVATE, 1, BAD1));

	/* The waiter sleeps in FUTEX_WAIT while the word is 0: wake it until a
	 * wake finds it waiting (returns 1), then let it go with word 1. */
	pthread_create(&t, NULL, futex_waiter, NULL);
	waked = WAIT_UNTIL(futex(&futex_word, FUTEX_WAKE_PRIVATE, 1, NULL) == 1);
	yesno("futex_wake_found_a_waiter", waked);
	__atomic_store_n(&futex_word, 1, __ATOMIC_SEQ_CST);
	futex(&futex_word, FUTEX_WAKE_PRIVATE, 1, NULL);
	pthread_join(t, NULL);
	yesno("futex_wait_wake", woke);
}

static pid_t tid_in_thread;
static int cleartid_word = -1;

static void *report_tid(void *arg)
{
	tid_in_thread = syscall(SYS_gettid);
	return NULL;
}

/* Re-points this thread's clear-tid word at cleartid_word, then exits. */
static void *cleartid_thread(void *arg)
{
	long tid = syscall(SYS_set_tid_address, &cleartid_word);

	__atomic_store_n(&cleartid_word, (int)tid, __ATOMIC_SEQ_CST);
	syscall(SYS_exit, 0);
	return NULL;
}

static void test_tid(void)
{
	pthread_attr_t attr;
	pthread_t t;
	pid_t pid;
	int w, tries = 0;

	pid = fork();
	if (pid == 0) {
		int ctid;
		_exit(syscall(SYS_set_tid_address, &ctid) == syscall(SYS_gettid) ? 1 : 2);
	}
	say("set_tid_address_returns_tid: %s", reap(pid));
	pthread_create(&t, NULL, report_tid, NULL);
	pthread_join(t, NULL);
	yesno("thread_tid_differs", tid_in_thread > 0 && tid_in_thread != main_pid);

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_create(&t, &attr, cleartid_thread, NULL);
	pthread_attr_destroy(&attr);
	while ((w = __atomic_load_n(&cleartid_word, __ATOMIC_SEQ_CST)) != 0 && tries++ < 1000) {
		struct timespec ts = { 0, 10000000 };
		futex(&cleartid_word, FUTEX_WAIT, w, &ts);
	}
	yesno("cleartid_cleared_and_woken", cleartid_word == 0);
}

static volatile pid_t handler_tid;
static int tid_pipe[2];

static void on_usr1(int sig)
{
	handler_tid = syscall(SYS_gettid);
}

/* Reports its tid, then waits in sigsuspend (SIGUSR1 blocked until then,
 * so it cannot slip past) until the handler ran. */
static void *sleeper(void *arg)
{
	pid_t tid = syscall(SYS_gettid);
	sigset_t none;

	write(tid_pipe[1], &tid, sizeof(tid));
	sigemptyset(&none);
	while (!handler_tid)
		sigsuspend(&none);
	return NULL;
}

static void test_thread_signal(void)
{
	pthread_t t;
	pid_t tid = 0;
	sigset_t usr1, old;

	signal(SIGUSR1, on_usr1);
	pipe(tid_pipe);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &usr1, &old);
	pthread_create(&t, NULL, sleeper, NULL);	/* inherits the mask */
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	read(tid_pipe[0], &tid, sizeof(tid));
	resv("pthread_kill", pthread_kill(t, SIGUSR1));
	pthread_join(t, NULL);
	yesno("handler_ran_in_target_thread", handler_tid == tid);
	close(tid_pipe[0]);
	close(tid_pipe[1]);
	ERR("tgkill_bad_tid", syscall(SYS_tgkill, getpid(), 0x3ffffff0, SIGUSR1));
	ERR("tgkill_wrong_tgid", syscall(SYS_tgkill, 0x3ffffff0, tid_in_thread, SIGUSR1));
	ERR("tgkill_bad_sig", syscall(SYS_tgkill, getpid(), getpid(), 1000));
	ERR("tkill_bad_tid", syscall(SYS_tkill, -5, SIGUSR1));
	signal(SIGUSR1, SIG_DFL);
}

/* Signals racing a futex wait: each must run its handler promptly,
 * whether it comes just before the wait begins or during it (a lost
 * interrupt leaves the waiter asleep and the loop stuck). */
static volatile int storm_count, storm_stop;
static int storm_word;
static void on_storm(int sig)
{
	storm_count++;
}

static void *storm_waiter(void *arg)
{
	*(volatile pid_t *)arg = syscall(SYS_gettid);
	while (!storm_stop)
		futex(&storm_word, FUTEX_WAIT, 0, NULL);
	return NULL;
}

static void test_futex_signal_storm(void)
{
	struct sigaction sa = { .sa_handler = on_storm };	/* no SA_RESTART */
	volatile pid_t tid = 0;
	pthread_t t;
	int i, seen;

	sigaction(SIGUSR2, &sa, NULL);
	pthread_create(&t, NULL, storm_waiter, (void *)&tid);
	while (!tid)
		sched_yield();
	for (i = 0; i < 3000; i++) {
		seen = storm_count;
		syscall(SYS_tgkill, getpid(), tid, SIGUSR2);
		while (storm_count == seen)
			sched_yield();
	}
	storm_stop = 1;
	storm_word = 1;
	futex(&storm_word, FUTEX_WAKE, 1, NULL);
	syscall(SYS_tgkill, getpid(), tid, SIGUSR2);
	pthread_join(t, NULL);
	say("futex_signal_storm_handled: %d", i);
	signal(SIGUSR2, SIG_DFL);
}

/* exit_group from a thread, once the main thread sleeps in pause(). */
static void *exiter(void *arg)
{
	pid_t pid = getpid();

	wait_sleeping(pid, pid);
	syscall(SYS_exit_group, 3);
	return NULL;
}

static void *thread_only_exit(void *arg)
{
	syscall(SYS_exit, 0);
	return NULL;
}

static void *execer(void *arg)
{
	execl(self, self, "--exit", "4", (char *)NULL);
	return NULL;
}

static int detached_pipe[2];

static void *detached(void *arg)
{
	write(detached_pipe[1], "d", 1);
	return NULL;
}

static void test_exits(void)
{
	pthread_t t;
	pthread_attr_t attr;
	pid_t pid;
	char c;

	pid = fork();
	if (pid == 0) {
		pthread_create(&t, NULL, exiter, NULL);
		for (;;)
			pause();
	}
	say("exit_group_from_thread: %s", reap(pid));
	pid = fork();
	if (pid == 0) {
		/* pthread_join returns once the kernel cleared the thread's
		 * tid word at its SYS_exit (CLONE_CHILD_CLEARTID). */
		pthread_create(&t, NULL, thread_only_exit, NULL);
		pthread_join(t, NULL);
		_exit(12);
	}
	say("thread_exit_leaves_process: %s", reap(pid));
	pid = fork();
	if (pid == 0) {
		pthread_create(&t, NULL, execer, NULL);
		for (;;)
			pause();
	}
	say("execve_from_thread: %s", reap(pid));
	pid = fork();
	if (pid == 0) {
		pthread_create(&t, NULL, thread_only_exit, NULL);
		pthread_join(t, NULL);
		pthread_exit(NULL);
	}
	say("main_thread_exit_last: %s", reap(pid));

	pipe(detached_pipe);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	resv("detached_create", pthread_create(&t, &attr, detached, NULL));
	pthread_attr_destroy(&attr);
	resv("detached_ran", read(detached_pipe[0], &c, 1));
}

int main(int argc, char **argv)
{
	if (argc > 2 && strcmp(argv[1], "--exit") == 0)
		return atoi(argv[2]);
	test_start();
	if (need_proc())
		say("proc: %s", ename(errno));
	self = realpath(argv[0], NULL);
	main_pid = getpid();
	test_create_join();
	test_futex();
	test_tid();
	test_thread_signal();
	test_futex_signal_storm();
	test_exits();
	resv("sched_yield", sched_yield());
	say("DONE threads");
	return 0;
}
