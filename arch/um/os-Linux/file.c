/*
 * Host file and time primitives for the kernel side (os.h). Every function
 * returns a value or -errno; none leaves errno for its caller to read.
 */
#include <os.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <stdio.h>
#include <dirent.h>
#include <sys/mman.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <stdbool.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/stat.h>

int os_getrandom(void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = getrandom(p, len, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= n;
	}
	return 0;
}

long os_read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t done = 0;

	if (fd < 0)
		return -errno;
	while (done < len) {
		ssize_t n = read(fd, buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = errno;

			close(fd);
			return -err;
		}
		if (n == 0)
			break;
		done += n;
	}
	close(fd);
	return done;
}

long os_pread(int fd, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done, off + done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		done += n;
	}
	return done;
}

long os_pwrite(int fd, const void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pwrite(fd, (const char *)buf + done, len - done,
				   off + done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		done += n;
	}
	return done;
}

int os_fdatasync(int fd)
{
	return fdatasync(fd) < 0 ? -errno : 0;
}

int os_open(const char *path, int flags, int mode)
{
	int fd = open(path, flags | O_CLOEXEC, mode);

	return fd < 0 ? -errno : fd;
}

int os_close(int fd)
{
	return close(fd) < 0 ? -errno : 0;
}

long long os_file_size(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISBLK(st.st_mode)) {
		off_t end = lseek(fd, 0, SEEK_END);

		return end < 0 ? -errno : end;
	}
	return st.st_size;
}

int os_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= n;
	}
	return 0;
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

uint64_t os_realtime_ns(void) { return clock_ns(CLOCK_REALTIME); }
uint64_t os_monotonic_ns(void) { return clock_ns(CLOCK_MONOTONIC); }

int os_clock_gettime(int clk, struct timespec *ts)
{
	return clock_gettime(clk, ts) < 0 ? -errno : 0;
}

int os_clock_getres(int clk, struct timespec *ts)
{
	return clock_getres(clk, ts) < 0 ? -errno : 0;
}

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#endif

void os_exit(int status)
{
#ifdef __SANITIZE_ADDRESS__
	/* umk-san with UMK_LSAN=1 (and nosandbox: the check needs a host
	 * process) reports what umk leaked before it exits. */
	if (getenv("UMK_LSAN"))
		__lsan_do_leak_check();
#endif
	_exit(status);
}

/* Nanoseconds on CPU of one host task, from /proc/TID/schedstat. */
static uint64_t schedstat_ns(const char *path)
{
	char buf[128];
	unsigned long long ns = 0;
	long n = os_read_file(path, buf, sizeof(buf) - 1);

	if (n <= 0)
		return 0;
	buf[n] = 0;
	sscanf(buf, "%llu", &ns);
	return ns;
}

/* A host process's CPU-time clock (Linux posix-cpu-timers.h
 * make_process_cpuclock); which: 0 PROF (user + system, in ticks), 1 VIRT
 * (user, in ticks), 2 SCHED (exact). Any process's may be read. */
static uint64_t process_clock_ns(int pid, int which)
{
	clockid_t clk = (clockid_t)((~(unsigned int)pid << 3) | which);
	struct timespec ts;

	if (clock_gettime(clk, &ts) < 0)
		return 0;
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * CPU time of a host process (every thread it had, dead ones included:
 * its CPU-time clocks) or of one thread of another process (its
 * /proc/TID/schedstat and stat, as the host allows no other process's
 * thread clock), in ns: the scheduler's exact total, split between user
 * and system in the proportion of the tick counts.
 */
void os_task_times(int id, bool thread, uint64_t *utime_ns, uint64_t *stime_ns)
{
	char path[64], buf[1024], *p;
	unsigned long long ut = 0, st = 0;
	uint64_t total;
	long n;

	*utime_ns = *stime_ns = 0;
	if (!thread) {
		total = process_clock_ns(id, 2);
		ut = process_clock_ns(id, 1);
		st = process_clock_ns(id, 0);
		st = st > ut ? st - ut : 0;
	} else {
		snprintf(path, sizeof(path), "/proc/%d/schedstat", id);
		total = schedstat_ns(path);
		snprintf(path, sizeof(path), "/proc/%d/stat", id);
		n = os_read_file(path, buf, sizeof(buf) - 1);
		if (n > 0) {
			buf[n] = 0;
			p = strrchr(buf, ')');
			if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u "
					 "%*u %*u %*u %*u %llu %llu", &ut,
					 &st) != 2)
				ut = st = 0;
		}
	}
	if (ut + st == 0) {
		*utime_ns = total;
		return;
	}
	*stime_ns = (unsigned __int128)total * st / (ut + st);
	*utime_ns = total - *stime_ns;
}

/* Voluntary plus involuntary context switches of one host task's status. */
static uint64_t status_ctxsw(const char *path)
{
	char buf[4096], *p;
	uint64_t sum = 0;
	long n = os_read_file(path, buf, sizeof(buf) - 1);

	if (n <= 0)
		return 0;
	buf[n] = 0;
	for (p = buf; (p = strstr(p, "ctxt_switches:")); p++)
		sum += strtoull(p + strlen("ctxt_switches:"), NULL, 10);
	return sum;
}

uint64_t os_process_ctxsw(int pid)
{
	char path[300];
	struct dirent *e;
	uint64_t sum = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/status", pid,
			 e->d_name);
		sum += status_ctxsw(path);
	}
	closedir(d);
	return sum;
}

uint64_t os_reaped_children_ctxsw(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_CHILDREN, &ru) < 0)
		return 0;
	return ru.ru_nvcsw + ru.ru_nivcsw;
}

uint64_t os_thread_ctxsw(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_THREAD, &ru) < 0)
		return 0;
	return ru.ru_nvcsw + ru.ru_nivcsw;
}

int os_memfd(const char *name)
{
	int fd = memfd_create(name, MFD_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int os_ftruncate(int fd, uint64_t size)
{
	return ftruncate(fd, size) < 0 ? -errno : 0;
}
