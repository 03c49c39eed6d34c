/*
 * Host side of seccomp mode (seccomp/seccomp.c): memory shared with guest
 * host processes (memfd mappings and the futexes on them), the doorbell
 * eventfd, a guest process's own fd taken with pidfd_getfd(2), and the
 * list of umk's host children. Every function returns a value or -errno.
 */
#include <os.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <linux/futex.h>
#include <sys/auxv.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

void *os_map_shared(int fd, size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	return p == MAP_FAILED ? NULL : p;
}

void os_unmap(void *addr, size_t len)
{
	munmap(addr, len);
}

int os_futex_wake(uint32_t *addr)
{
	/* A shared futex (no FUTEX_PRIVATE_FLAG): the waiter is in another
	 * process, on its own mapping of the same memfd page. */
	return syscall(SYS_futex, addr, FUTEX_WAKE, INT_MAX, NULL, NULL, 0) < 0 ?
	       -errno : 0;
}

int os_eventfd(void)
{
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	return fd < 0 ? -errno : fd;
}

void os_eventfd_drain(int fd)
{
	uint64_t v;

	/* One read takes the whole count and resets it. */
	if (read(fd, &v, sizeof(v)) < 0 && errno == EINTR)
		(void)!read(fd, &v, sizeof(v));
}

int os_fd_of_process(int pid, int fd)
{
	int pidfd = syscall(SYS_pidfd_open, pid, 0), got;

	if (pidfd < 0)
		return -errno;
	got = syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	if (got < 0)
		got = -errno;
	close(pidfd);
	return got;
}

/* Host children umk made for itself (the network helper): not guests. */
static int helper_children[8], nr_helper_children;

void os_helper_child(int pid)
{
	if (nr_helper_children < 8)
		helper_children[nr_helper_children++] = pid;
}

static bool is_helper_child(int pid)
{
	for (int i = 0; i < nr_helper_children; i++)
		if (helper_children[i] == pid)
			return true;
	return false;
}

int os_children(int *pids, int max)
{
	char path[64], buf[8192], *p, *end;
	long n;
	int count = 0;

	snprintf(path, sizeof(path), "/proc/self/task/%d/children", getpid());
	n = os_read_file(path, buf, sizeof(buf) - 1);
	if (n < 0)
		return n;
	buf[n] = 0;
	for (p = buf; count < max; p = end) {
		long v = strtol(p, &end, 10);

		if (end == p)
			break;
		if (!is_helper_child(v))
			pids[count++] = v;
	}
	return count;
}

bool os_is_child(int pid)
{
	siginfo_t si;

	if (pid <= 0 || is_helper_child(pid))
		return false;
	return waitid(P_PID, pid, &si, WEXITED | WSTOPPED | WNOHANG |
		      WNOWAIT) == 0;
}

int os_tgkill(int pid, int tid, int sig)
{
	return syscall(SYS_tgkill, pid, tid, sig) < 0 ? -errno : 0;
}

bool os_has_fsgsbase(void)
{
	return getauxval(AT_HWCAP2) & 2;	/* HWCAP2_FSGSBASE */
}
