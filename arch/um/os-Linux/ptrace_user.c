/*
 * The host side of tracing: thin wrappers over ptrace(2), waitpid(2) and
 * process_vm_readv(2) returning -errno, the decoding of a wait status into a
 * named stop kind (done once, here), and the birth of the first guest host
 * process. Model: UML arch/um/os-Linux/skas/process.c, rr's WaitStatus.
 */
#include <host_stop.h>
#include <ptrace_user.h>
#include <stub.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cpuid.h>
#include <elf.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <stdlib.h>
#include <os.h>

#define ALIGN64(x) (((x) + 63) & ~(size_t)63)

#ifndef PTRACE_SYSEMU
#define PTRACE_SYSEMU 31
#endif
#ifndef __WALL
#define __WALL 0x40000000
#endif

/* New host threads and processes are traced through CLONE_PTRACE in the
 * stub's clone, not PTRACE_O_TRACECLONE: no event stop in the parent. */
#define PTRACE_OPTIONS (PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD | \
	PTRACE_O_TRACEEXEC)

static long xptrace(long req, int tid, unsigned long addr, unsigned long data)
{
	long r = syscall(SYS_ptrace, req, tid, addr, data);

	return r < 0 ? -errno : r;
}

int os_ptrace_getregs(int tid, struct user_regs_struct *regs)
{
	return xptrace(PTRACE_GETREGS, tid, 0, (unsigned long)regs);
}

int os_ptrace_setregs(int tid, const struct user_regs_struct *regs)
{
	return xptrace(PTRACE_SETREGS, tid, 0, (unsigned long)regs);
}

int os_ptrace_resume(int tid, enum resume_req req, int sig)
{
	static const long reqs[] = {
		[RESUME_CONT] = PTRACE_CONT,
		[RESUME_SYSEMU] = PTRACE_SYSEMU,
		[RESUME_SYSCALL] = PTRACE_SYSCALL,
		[RESUME_SINGLESTEP] = PTRACE_SINGLESTEP,
	};

	return xptrace(reqs[req], tid, 0, sig);
}

int os_ptrace_interrupt(int tid)
{
	return xptrace(PTRACE_INTERRUPT, tid, 0, 0);
}

int os_ptrace_getsiginfo(int tid, siginfo_t *info)
{
	return xptrace(PTRACE_GETSIGINFO, tid, 0, (unsigned long)info);
}

int os_ptrace_setsiginfo(int tid, const siginfo_t *info)
{
	return xptrace(PTRACE_SETSIGINFO, tid, 0, (unsigned long)info);
}

int os_ptrace_geteventmsg(int tid, unsigned long *msg)
{
	return xptrace(PTRACE_GETEVENTMSG, tid, 0, (unsigned long)msg);
}

int os_ptrace_syscall_arch(int tid, uint32_t *arch, uint64_t *nr)
{
	struct __ptrace_syscall_info info;
	long r = xptrace(PTRACE_GET_SYSCALL_INFO, tid, sizeof(info),
			 (unsigned long)&info);

	if (r < 0)
		return r;
	*arch = info.arch;
	*nr = info.entry.nr;
	return 0;
}

int os_ptrace_syscall_entry(int tid, struct syscall_entry_info *out)
{
	struct __ptrace_syscall_info info;
	long r = xptrace(PTRACE_GET_SYSCALL_INFO, tid, sizeof(info),
			 (unsigned long)&info);

	if (r < 0)
		return r;
	out->arch = info.arch;
	out->nr = info.entry.nr;
	for (int i = 0; i < 6; i++)
		out->args[i] = info.entry.args[i];
	out->ip = info.instruction_pointer;
	out->sp = info.stack_pointer;
	return 0;
}

int os_ptrace_pokeuser(int tid, size_t offset, unsigned long value)
{
	return xptrace(PTRACE_POKEUSER, tid, offset, value);
}

int os_ptrace_peekuser(int tid, size_t offset, unsigned long *value)
{
	long v;

	errno = 0;
	v = ptrace(PTRACE_PEEKUSER, tid, offset, 0);
	if (errno)
		return -errno;
	*value = v;
	return 0;
}

size_t os_xstate_size(void)
{
	static size_t size;
	unsigned int a, b, c, d;

	if (!size) {
		__cpuid_count(0xd, 0, a, b, c, d);
		size = b > 512 + 64 ? b : 512 + 64;
	}
	return size;
}

/* One host-sized area: only the kernel thread traces, so one is enough. */
static unsigned char *xstate_area(void)
{
	static unsigned char *area;

	if (!area)
		area = aligned_alloc(64, ALIGN64(os_xstate_size()));
	return area;
}

int os_ptrace_get_xstate(int tid, void *buf, size_t len)
{
	unsigned char *area = xstate_area();
	struct iovec iov = { area, os_xstate_size() };
	long r;

	if (!area)
		return -ENOMEM;
	r = xptrace(PTRACE_GETREGSET, tid, NT_X86_XSTATE, (unsigned long)&iov);
	if (r < 0)
		return r;
	memcpy(buf, area, len < iov.iov_len ? len : iov.iov_len);
	if (len > iov.iov_len)
		memset((char *)buf + iov.iov_len, 0, len - iov.iov_len);
	return 0;
}

int os_ptrace_set_xstate(int tid, const void *buf, size_t len)
{
	unsigned char *area = xstate_area();
	size_t size = os_xstate_size();
	struct iovec iov = { area, size };

	if (!area)
		return -ENOMEM;
	memcpy(area, buf, len < size ? len : size);
	if (len < size)
		memset(area + len, 0, size - len);
	return xptrace(PTRACE_SETREGSET, tid, NT_X86_XSTATE, (unsigned long)&iov);
}

void os_kill_process(int pid)
{
	if (pid > 0)
		kill(pid, SIGKILL);
}

void os_kill_thread(int pid, int tid)
{
	if (tid > 0)
		syscall(SYS_tgkill, pid, tid, SIGKILL);
}

int os_tkill(int tid, int sig)
{
	return syscall(SYS_tkill, tid, sig) < 0 ? -errno : 0;
}

static uint64_t timeval_ns(const struct timeval *tv)
{
	return (uint64_t)tv->tv_sec * 1000000000 + (uint64_t)tv->tv_usec * 1000;
}

void os_decode_status(int status, const struct rusage *ru,
		      struct host_stop *stop)
{
	memset(stop, 0, sizeof(*stop));
	stop->status = status;
	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		if (WIFEXITED(status)) {
			stop->kind = STOP_EXITED;
			stop->exit_code = WEXITSTATUS(status);
		} else {
			stop->kind = STOP_KILLED;
			stop->sig = WTERMSIG(status);
		}
		if (ru) {
			stop->utime_ns = timeval_ns(&ru->ru_utime);
			stop->stime_ns = timeval_ns(&ru->ru_stime);
			stop->ctxsw = ru->ru_nvcsw + ru->ru_nivcsw;
		}
	} else if (WSTOPSIG(status) == (SIGTRAP | 0x80)) {
		stop->kind = STOP_SYSCALL;
	} else if (status >> 16 == PTRACE_EVENT_STOP) {
		stop->kind = STOP_GROUP;
		stop->sig = WSTOPSIG(status);
	} else if (status >> 16) {
		stop->kind = STOP_EVENT;
		stop->event = status >> 16;
	} else {
		stop->kind = STOP_SIGNAL;
		stop->sig = WSTOPSIG(status);
	}
}

int os_wait_any_rusage(struct host_stop *stop, bool rusage)
{
	struct rusage ru;
	int status;
	pid_t pid = wait4(-1, &status, __WALL | WNOHANG, rusage ? &ru : NULL);

	if (pid <= 0)
		return pid < 0 ? -errno : 0;
	os_decode_status(status, rusage ? &ru : NULL, stop);
	return pid;
}

int os_wait_any(struct host_stop *stop)
{
	return os_wait_any_rusage(stop, false);
}

int os_create_stub_memfd(const void *image, size_t len)
{
	int fd = memfd_create("umk-stub", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (fd < 0)
		return -errno;
	if (write(fd, image, len) != (ssize_t)len ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK |
		  F_SEAL_GROW | F_SEAL_SEAL) < 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	return fd;
}

static void __attribute__((noreturn)) stub_child(int stub_fd, const int *fds,
						 int nfds,
						 const char *const *args,
						 int gate)
{
	char *argv[8] = { "umk-stub" };
	static char *const envp[] = { NULL };
	int moved[8];
	sigset_t none;
	char c;

	for (int i = 0; args && args[i] && i < 6; i++)
		argv[i + 1] = (char *)args[i];
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	setsid();
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int sig = 1; sig < 32; sig++)
		signal(sig, SIG_DFL);
	if (read(gate, &c, 1) != 1)
		_exit(126);
	/* Move every fd above the ones they become, then into place. */
	stub_fd = fcntl(stub_fd, F_DUPFD, 64);
	for (int i = 0; i < nfds && i < 8; i++)
		moved[i] = fcntl(fds[i], F_DUPFD, 64);
	if (stub_fd < 0 || dup2(stub_fd, STUB_FD) < 0)
		_exit(126);
	for (int i = 0; i < nfds && i < 8; i++)
		if (moved[i] < 0 || dup2(moved[i], STUB_SOCK_FD + i) < 0)
			_exit(126);
	for (int fd = 0; fd < STUB_FD; fd++)
		close(fd);
	syscall(SYS_close_range, STUB_SOCK_FD + nfds, ~0U, 0);
	syscall(SYS_execveat, STUB_FD, "", argv, envp, AT_EMPTY_PATH);
	_exit(127);
}

int os_spawn_stub_process(int stub_fd, const int *fds, int nfds,
			  const char *const *args, bool trace)
{
	int gate[2], err;
	pid_t pid;

	if (pipe2(gate, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		err = -errno;
		goto out_close;
	}
	if (pid == 0) {
		close(gate[1]);
		stub_child(stub_fd, fds, nfds, args, gate[0]);
	}
	if (trace) {
		err = xptrace(PTRACE_SEIZE, pid, 0, PTRACE_OPTIONS);
		if (err < 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, __WALL);
			goto out_close;
		}
	}
	err = pid;
	if (write(gate[1], "x", 1) != 1)
		err = -EIO;
out_close:
	close(gate[0]);
	close(gate[1]);
	return err;
}

long os_vm_read(int pid, unsigned long addr, void *buf, size_t len)
{
	struct iovec local = { buf, len }, remote = { (void *)addr, len };
	ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);

	return n < 0 ? -errno : n;
}

long os_vm_write(int pid, unsigned long addr, const void *buf, size_t len)
{
	struct iovec local = { (void *)buf, len }, remote = { (void *)addr, len };
	ssize_t n = process_vm_writev(pid, &local, 1, &remote, 1, 0);

	return n < 0 ? -errno : n;
}

long os_vm_writev(int pid, unsigned long addr, const struct iovec *iov, int n,
		  size_t len)
{
	struct iovec remote = { (void *)addr, len };
	ssize_t r = process_vm_writev(pid, iov, n, &remote, 1, 0);

	return r < 0 ? -errno : r;
}

int os_open_mem(int pid)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = open(path, O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

long os_mem_read(int memfd, unsigned long addr, void *buf, size_t len)
{
	ssize_t n = pread(memfd, buf, len, (off_t)addr);

	return n < 0 ? -errno : n;
}

long os_mem_write(int memfd, unsigned long addr, const void *buf, size_t len)
{
	ssize_t n = pwrite(memfd, buf, len, (off_t)addr);

	return n < 0 ? -errno : n;
}

uint64_t os_process_rss(int pid)
{
	char path[64], buf[128];
	unsigned long size, rss;
	long n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/statm", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	if (sscanf(buf, "%lu %lu", &size, &rss) != 2)
		return 0;
	return (uint64_t)rss * 4096;
}
