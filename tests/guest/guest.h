/*
 * Helpers shared by the guest test programs in tests/guest/.
 *
 * Every program prints deterministic lines ("name: value") and ends with
 * "DONE <prog>". tests/run.sh compares a native run with a run inside umk, so
 * nothing printed may depend on pids, times, addresses or inode numbers.
 * Output goes through write(2) unbuffered, so fork() never duplicates it;
 * only the process that owns the test prints, children report through their
 * exit status or a pipe.
 */
#ifndef GUEST_H
#define GUEST_H

#include <errno.h>
#include <ftw.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Hostile pointers: a low address, a kernel address, an unmapped page. */
#define BAD1 ((void *)1)
#define BAD2 ((void *)-1L)

static inline void say(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static inline void say(const char *fmt, ...)
{
	char buf[4096];
	va_list ap;
	int n, off = 0;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	while (off < n) {
		ssize_t w = write(1, buf + off, n - off);
		if (w <= 0) {
			if (w < 0 && errno == EINTR)
				continue;
			return;
		}
		off += w;
	}
}

static inline const char *ename(int e)
{
	const char *s = strerrorname_np(e);
	static char buf[32];

	if (s)
		return s;
	snprintf(buf, sizeof(buf), "errno%d", e);
	return buf;
}

/*
 * A page that is certainly not mapped: 16 TiB sits far from the program
 * (0x400000), the heap after it, and mmap's area below 0x7f0000000000.
 * (Unmapping a page of our own would not do: a later mmap may reuse it.)
 */
static inline void *unmapped_page(void)
{
	return (void *)0x100000000000UL;
}

/* Print "name: ok" for r >= 0, else "name: ENAME" from errno. */
static inline long chk(const char *name, long r)
{
	if (r < 0)
		say("%s: %s", name, ename(errno));
	else
		say("%s: ok", name);
	return r;
}

/* Print "name: <r>" for r >= 0, else "name: ENAME". */
static inline long resv(const char *name, long r)
{
	if (r < 0)
		say("%s: %s", name, ename(errno));
	else
		say("%s: %ld", name, r);
	return r;
}

/* errno-or-ok of a raw call, for hostile-argument checks. */
#define ERR(name, call) do { errno = 0; chk(name, (long)(call)); } while (0)

static inline void yesno(const char *name, int cond)
{
	say("%s: %s", name, cond ? "yes" : "no");
}

/* Decoded wait status: "exit N", "signal N", "stopped N", "continued". */
static inline const char *wstr(int st)
{
	static char buf[48];

	if (WIFEXITED(st))
		snprintf(buf, sizeof(buf), "exit %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(buf, sizeof(buf), "signal %s", sigabbrev_np(WTERMSIG(st)) ?: "?");
	else if (WIFSTOPPED(st))
		snprintf(buf, sizeof(buf), "stopped %s", sigabbrev_np(WSTOPSIG(st)) ?: "?");
	else if (WIFCONTINUED(st))
		snprintf(buf, sizeof(buf), "continued");
	else
		snprintf(buf, sizeof(buf), "status 0x%x", st);
	return buf;
}

/* Wait for pid and return its status decoded (or the wait error). */
static inline const char *reap(pid_t pid)
{
	int st;
	pid_t r;

	do
		r = waitpid(pid, &st, 0);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return ename(errno);
	return wstr(st);
}

/*
 * A fresh scratch directory under $TMPDIR (or /tmp), mode 0755 so a child
 * that dropped privileges can still reach it; the process chdirs into it.
 */
static inline const char *scratch_dir(const char *prog)
{
	static char path[512];
	const char *base = getenv("TMPDIR");

	if (!base || !*base)
		base = "/tmp";
	snprintf(path, sizeof(path), "%s/%s.XXXXXX", base, prog);
	if (!mkdtemp(path) || chmod(path, 0755) || chdir(path)) {
		say("scratch: %s", ename(errno));
		exit(1);
	}
	return path;
}

static inline int rm_one(const char *p, const struct stat *sb, int type,
			 struct FTW *ftw)
{
	return remove(p);
}

/* Remove the scratch directory tree; says so only if that fails. */
static inline void scratch_cleanup(const char *path)
{
	if (chdir("/") || nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS))
		say("cleanup: %s", ename(errno));
}

/* Common start: unbuffered, umask 022, no core files. */
static inline void test_start(void)
{
	struct rlimit rl = { 0, 0 };

	setvbuf(stdout, NULL, _IONBF, 0);
	umask(022);
	setrlimit(RLIMIT_CORE, &rl);
}

/*
 * Synchronisation: a test waits for something that happened (a pipe byte, a
 * wait status, a state in /proc), never for a time. WAIT_UNTIL polls an
 * observable condition every millisecond, at most WAIT_LIMIT_S seconds,
 * and is true if the condition came to hold.
 */
#define WAIT_LIMIT_S 60

static inline long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static inline void poll_pause(void)
{
	struct timespec ts = { 0, 1000000 };

	nanosleep(&ts, NULL);
}

#define WAIT_UNTIL(cond)						\
({									\
	long long __end = mono_ms() + WAIT_LIMIT_S * 1000LL;		\
	int __held;							\
	while (!(__held = !!(cond)) && mono_ms() < __end)		\
		poll_pause();						\
	__held;								\
})

/*
 * /proc, mounted if it is not there (inside umk, a test run by
 * init=/bin/sh finds it unmounted). 0, or -1 if it cannot be had.
 */
static inline int need_proc(void)
{
	if (access("/proc/self/stat", R_OK) == 0)
		return 0;
	mkdir("/proc", 0555);
	return mount("proc", "/proc", "proc", 0, NULL);
}

/* AF_UNIX sockets in the system: the lines of /proc/net/unix, or -1. */
static inline int count_unix_sockets(void)
{
	FILE *f = fopen("/proc/net/unix", "r");
	char line[512];
	int n = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n;
}

/*
 * The state letter of thread tid of process pid from /proc (R, S, D, T, Z),
 * or 0 if it cannot be read.
 */
static inline char proc_state(pid_t pid, pid_t tid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

/*
 * Until thread tid of pid sleeps in the kernel (state S: blocked in a
 * read, a wait, sigsuspend...). True if it was seen sleeping.
 */
static inline int wait_sleeping(pid_t pid, pid_t tid)
{
	return WAIT_UNTIL(proc_state(pid, tid) == 'S');
}

#endif
