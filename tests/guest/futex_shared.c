/*
 * futex_shared: futex sleepers and shared futexes, as Linux.
 *  - a thread or process asleep in FUTEX_WAIT shows state S in
 *    /proc/PID/stat and /proc/PID/task/TID/stat (programs wait for that);
 *  - FUTEX_WAKE and FUTEX_CMP_REQUEUE reach waiters in other processes on
 *    MAP_SHARED|MAP_ANONYMOUS memory and on a MAP_SHARED file;
 *  - tgkill of a thread blocked in FUTEX_WAIT runs its handler and the wait
 *    ends with EINTR; the process lives on;
 *  - rt_sigtimedwait returns when the awaited signal comes from another
 *    process.
 * Every wait has a timeout, so a broken kernel fails instead of hanging.
 * Semantics: futex(2), proc(5), sigtimedwait(2).
 */
#include "guest.h"
#include <sys/mount.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

static long futex(atomic_int *uaddr, int op, int val, const struct timespec *ts,
		  atomic_int *uaddr2, int val3)
{
	return syscall(SYS_futex, uaddr, op, val, ts, uaddr2, val3);
}

/* The state letter of /proc/PID/task/TID/stat (or /proc/PID/stat if tid
 * is 0), or '?' if unreadable. */
static char task_state(pid_t pid, pid_t tid)
{
	char path[64], buf[512], *p;
	int fd;
	ssize_t n;

	if (tid)
		snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
	else
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return '?';
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return '?';
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : '?';
}

/* Poll (bounded) until the task is asleep; its last state. */
static char wait_asleep(pid_t pid, pid_t tid)
{
	char s = '?';

	WAIT_UNTIL((s = task_state(pid, tid)) == 'S');
	return s;
}

static const struct timespec ten_s = { 10, 0 };

/* ---- a thread asleep in FUTEX_WAIT, then tgkill'ed ---- */

static atomic_int thread_word;
static atomic_int waiter_tid;
static atomic_int handler_ran;
static long wait_result, wait_errno;

static void on_usr1(int sig)
{
	handler_ran = 1;
}

static void *futex_waiter(void *arg)
{
	waiter_tid = gettid();
	wait_result = futex(&thread_word, FUTEX_WAIT_PRIVATE, 0, &ten_s, NULL, 0);
	wait_errno = errno;
	return NULL;
}

static void thread_sleeper(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	pthread_t th;

	sigaction(SIGUSR1, &sa, NULL);
	pthread_create(&th, NULL, futex_waiter, NULL);
	WAIT_UNTIL(waiter_tid != 0);
	say("thread in futex wait: task stat %c", wait_asleep(getpid(), waiter_tid));
	/* The process's own stat shows its leader (running here). */
	say("thread in futex wait: tgkill %ld",
	    syscall(SYS_tgkill, getpid(), waiter_tid, SIGUSR1));
	pthread_join(th, NULL);
	say("thread in futex wait: handler %s, wait %s", handler_ran ? "ran" : "did not run",
	    wait_result < 0 ? ename(wait_errno) : "returned 0");
}

/* ---- processes on shared memory ---- */

/* A child that waits on *w (shared op) and exits 0 when woken, 1 on
 * timeout, 2 on another error. */
static pid_t shared_waiter(atomic_int *w, bool private_op)
{
	pid_t pid = fork();

	if (pid == 0) {
		long r = futex(w, private_op ? FUTEX_WAIT_PRIVATE : FUTEX_WAIT,
			       0, &ten_s, NULL, 0);
		_exit(r == 0 ? 0 : errno == ETIMEDOUT ? 1 : 2);
	}
	return pid;
}

static void shared_wake(const char *what, atomic_int *w)
{
	pid_t c = shared_waiter(w, false);

	say("%s: waiter state %c", what, wait_asleep(c, 0));
	say("%s: FUTEX_WAKE woke %ld", what, futex(w, FUTEX_WAKE, 1, NULL, NULL, 0));
	say("%s: waiter %s", what, reap(c));
}

static void shared_requeue(const char *what, atomic_int *a, atomic_int *b)
{
	pid_t c1 = shared_waiter(a, false), c2 = shared_waiter(a, false);

	wait_asleep(c1, 0);
	say("%s: waiters state %c", what, wait_asleep(c2, 0));
	say("%s: CMP_REQUEUE with a stale value: %s", what,
	    futex(a, FUTEX_CMP_REQUEUE, 1, (void *)1L, b, 5) < 0 ?
	    ename(errno) : "ok");
	say("%s: CMP_REQUEUE woke+requeued %ld", what,
	    futex(a, FUTEX_CMP_REQUEUE, 1, (void *)1L, b, 0));
	say("%s: FUTEX_WAKE on the target woke %ld", what,
	    futex(b, FUTEX_WAKE, 1, NULL, NULL, 0));
	say("%s: waiters %s", what, reap(c1));
	say("%s: waiters %s", what, reap(c2));
}

static void anon_shared(void)
{
	atomic_int *w = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			     MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (w == MAP_FAILED) {
		say("mmap shared anon: %s", ename(errno));
		return;
	}
	shared_wake("MAP_SHARED|MAP_ANONYMOUS", w);
	shared_requeue("MAP_SHARED|MAP_ANONYMOUS", w + 16, w + 32);
	munmap(w, 4096);
}

static void file_shared(void)
{
	int fd = open("futexfile", O_RDWR | O_CREAT | O_TRUNC, 0600);
	atomic_int *w;

	if (fd < 0 || ftruncate(fd, 4096)) {
		say("futex file: %s", ename(errno));
		return;
	}
	w = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (w == MAP_FAILED) {
		say("mmap shared file: %s", ename(errno));
		return;
	}
	shared_wake("MAP_SHARED file", w);
	shared_requeue("MAP_SHARED file", w + 16, w + 32);
	munmap(w, 4096);
}

/* ---- rt_sigtimedwait woken by another process ---- */

static void sigtimedwait_other(void)
{
	sigset_t set;
	pid_t c;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	c = fork();
	if (c == 0) {
		struct timespec ts = { 10, 0 };
		int sig = sigtimedwait(&set, NULL, &ts);

		_exit(sig == SIGUSR2 ? 0 : sig < 0 && errno == EAGAIN ? 1 : 2);
	}
	say("sigtimedwait: waiter state %c", wait_asleep(c, 0));
	say("sigtimedwait: kill %s", kill(c, SIGUSR2) ? ename(errno) : "ok");
	say("sigtimedwait: waiter %s", reap(c));
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

int main(void)
{
	const char *dir;

	test_start();
	/* umk's test shell runs without /proc mounted */
	if (access("/proc/self/stat", R_OK))
		mount("proc", "/proc", "proc", 0, NULL);
	dir = scratch_dir("futex_shared");
	thread_sleeper();
	anon_shared();
	file_shared();
	sigtimedwait_other();
	scratch_cleanup(dir);
	say("DONE futex_shared");
	return 0;
}
