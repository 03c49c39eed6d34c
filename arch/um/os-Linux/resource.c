/*
 * What guest host processes cost the host, read from the host's own
 * accounting, and the host limits umk puts on them (the kernel's side is
 * kernel/oom_kill.c and kernel/sys.c): a host thread's scheduler state,
 * a process's resident memory split as the host counts it, the bytes a
 * memfd of umk's really holds, and prlimit64 on a guest host process.
 */
#include <os.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>

char os_host_thread_state(int tid)
{
	char path[64], buf[512], *p;
	long n;

	snprintf(path, sizeof(path), "/proc/%d/stat", tid);
	n = os_read_file(path, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

/* The value of "Key:\t N kB" in a /proc status text, in bytes. */
static uint64_t status_kb(const char *text, const char *key)
{
	const char *p = strstr(text, key);

	return p ? strtoull(p + strlen(key), NULL, 10) * 1024 : 0;
}

int os_process_mem(int pid, struct os_mem_usage *u)
{
	char path[64], buf[4096];
	long n;

	memset(u, 0, sizeof(*u));
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	n = os_read_file(path, buf, sizeof(buf) - 1);
	if (n <= 0)
		return n < 0 ? (int)n : -ESRCH;
	buf[n] = 0;
	u->anon = status_kb(buf, "\nRssAnon:");
	u->file = status_kb(buf, "\nRssFile:");
	u->shmem = status_kb(buf, "\nRssShmem:");
	u->vm = status_kb(buf, "\nVmSize:");
	return 0;
}

int os_process_pss(int pid, uint64_t *pss, uint64_t *rss)
{
	char path[64], buf[2048];
	long n;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", pid);
	n = os_read_file(path, buf, sizeof(buf) - 1);
	if (n <= 0)
		return n < 0 ? (int)n : -ESRCH;
	buf[n] = 0;
	*pss = status_kb(buf, "\nPss_Anon:") + status_kb(buf, "\nPss_Shmem:");
	*rss = status_kb(buf, "\nRss:");
	return 0;
}

uint64_t os_memfd_bytes(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? 0 : (uint64_t)st.st_blocks * 512;
}

int os_prlimit(int pid, int resource, uint64_t cur)
{
	struct rlimit64 {
		uint64_t cur, max;
	} rl;

	if (syscall(SYS_prlimit64, pid, resource, NULL, &rl))
		return -errno;
	rl.cur = cur < rl.max ? cur : rl.max;
	return syscall(SYS_prlimit64, pid, resource, &rl, NULL) ? -errno : 0;
}

long long os_lseek(int fd, long long off, int whence)
{
	off_t r = lseek(fd, off, whence);

	return r < 0 ? -errno : r;
}
