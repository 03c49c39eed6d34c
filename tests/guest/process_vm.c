/*
 * process_vm: process_vm_readv/writev between processes (partial
 * transfers, read-only pages, bad iovecs, flags, pids, the ptrace access
 * check for another uid) and /proc/PID/mem (read and write at an address,
 * into read-only text too, an unmapped address, lseek). procfs is mounted
 * on a scratch directory for the test (there may be no /proc).
 */
#include "guest.h"
#include <sys/mount.h>
#include <sys/uio.h>

static char buf_a[64] = "process memory, part a";
static char buf_b[64] = "and part b";
static const char ro_text[] = "read-only bytes";

/* A child that keeps its copy of our memory until it reads a byte, then
 * exits with 7 if buf_a was rewritten. */
static pid_t keeper(int fd)
{
	pid_t pid = fork();
	char c;

	if (pid == 0) {
		while (read(fd, &c, 1) < 0 && errno == EINTR)
			;
		_exit(!strcmp(buf_a, "REWRITTEN") ? 7 : 8);
	}
	return pid;
}

static void test_process_vm(pid_t pid)
{
	char x[32] = { 0 }, y[32] = { 0 };
	struct iovec l[2] = { { x, sizeof(x) }, { y, sizeof(y) } };
	struct iovec r[2] = { { buf_a, 12 }, { buf_b, 3 } };
	struct iovec bad = { unmapped_page(), 8 };
	struct iovec mix[2] = { { buf_a, 8 }, { unmapped_page(), 8 } };
	struct iovec ro = { (void *)ro_text, 4 };
	long n;

	n = process_vm_readv(pid, l, 1, r, 2, 0);
	say("readv two remote into one local: %ld '%s'", n, x);
	memset(x, 0, sizeof(x));
	n = process_vm_readv(pid, l, 2, r, 1, 0);
	say("readv one remote: %ld '%s'", n, x);
	n = process_vm_readv(pid, l, 1, mix, 2, 0);
	say("readv partial: %ld", n);
	ERR("readv unmapped", process_vm_readv(pid, l, 1, &bad, 1, 0));
	ERR("readv flags", process_vm_readv(pid, l, 1, r, 1, 1));
	ERR("readv bad local iovec", syscall(SYS_process_vm_readv, pid, BAD1, 1, r, 1, 0));
	ERR("readv bad local buffer", process_vm_readv(pid, &bad, 1, r, 1, 0));
	ERR("readv iovcnt 1025", process_vm_readv(pid, l, 1025, r, 1, 0));
	ERR("readv no such pid", process_vm_readv(999999, l, 1, r, 1, 0));
	say("readv nothing: %ld", (long)process_vm_readv(pid, l, 0, r, 1, 0));
	ERR("writev read-only", process_vm_writev(pid, l, 1, &ro, 1, 0));
	strcpy(x, "REWRITTEN");
	l[0].iov_len = 10;
	r[0].iov_len = 10;
	n = process_vm_writev(pid, l, 1, r, 1, 0);
	say("writev: %ld", n);
}

static void test_other_uid(pid_t pid)
{
	pid_t c = fork();

	if (c == 0) {
		char x[8];
		struct iovec l = { x, 8 }, r = { buf_a, 8 };

		if (setgid(1000) || setuid(1000))
			_exit(60);
		if (process_vm_readv(pid, &l, 1, &r, 1, 0) >= 0)
			_exit(61);
		_exit(errno == EPERM ? 7 : 62);
	}
	say("readv of root's process as uid 1000: %s", reap(c));
}

static void test_proc_mem(const char *procdir, pid_t pid)
{
	char path[700], x[32] = { 0 };
	int fd;
	long n;

	snprintf(path, sizeof(path), "%s/%d/mem", procdir, pid);
	fd = open(path, O_RDWR);
	if (fd < 0) {
		say("open mem: %s", ename(errno));
		return;
	}
	n = pread(fd, x, 10, (off_t)(unsigned long)buf_b);
	say("pread mem: %ld '%s'", n, x);
	n = pwrite(fd, "RO", 2, (off_t)(unsigned long)ro_text);
	say("pwrite read-only text: %ld", n);
	n = pread(fd, x, 4, (off_t)(unsigned long)ro_text);
	say("read back: %ld '%.4s'", n, x);
	ERR("pread unmapped", pread(fd, x, 4, (off_t)(unsigned long)unmapped_page()));
	ERR("lseek end", lseek(fd, 0, SEEK_END));
	say("lseek set: %s", lseek(fd, (off_t)(unsigned long)buf_b, SEEK_SET) ==
	    (off_t)(unsigned long)buf_b ? "ok" : ename(errno));
	n = read(fd, x, 3);
	say("read at lseek: %ld '%.3s'", n, x);
	close(fd);
	/* Only a process that may ptrace it opens its mem. */
	{
		pid_t c = fork();

		if (c == 0) {
			if (setgid(1000) || setuid(1000))
				_exit(60);
			if (open(path, O_RDONLY) >= 0)
				_exit(61);
			_exit(errno == EACCES ? 7 : 62);
		}
		say("open as uid 1000: %s", reap(c));
	}
}

int main(void)
{
	const char *dir;
	char procdir[600];
	int p[2];
	pid_t pid;

	test_start();
	dir = scratch_dir("process_vm");
	if (pipe(p))
		return 1;
	pid = keeper(p[0]);
	test_process_vm(pid);
	test_other_uid(pid);
	snprintf(procdir, sizeof(procdir), "%s/proc", dir);
	if (mkdir(procdir, 0755) || mount("proc", procdir, "proc", 0, NULL)) {
		say("mount proc: %s", ename(errno));
	} else {
		test_proc_mem(procdir, pid);
		if (umount(procdir))
			say("umount: %s", ename(errno));
	}
	if (write(p[1], "x", 1) != 1)
		say("write: %s", ename(errno));
	say("keeper: %s", reap(pid));
	scratch_cleanup(dir);
	say("DONE process_vm");
	return 0;
}
