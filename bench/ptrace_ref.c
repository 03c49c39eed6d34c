/*
 * ptrace_ref: the physical limits of umk's two modes. A child runs a tight
 * getppid() loop; this tracer answers every call and does nothing else.
 *
 *   ptrace_ref syscall ITERS   PTRACE_SYSCALL: at the entry stop, read the
 *                              number (PEEKUSER orig_rax), null the call to
 *                              getpid (POKEUSER orig_rax); at the exit stop,
 *                              write the answer over getpid's (POKEUSER
 *                              rax) (TT mode's floor, two stops)
 *   ptrace_ref sysemu ITERS    PTRACE_SYSEMU: read the number, write the
 *                              answer (POKEUSER rax), resume (SKAS mode's
 *                              floor, one stop)
 *
 * Reading the number and writing one register is the least any tracer must
 * do to answer a call; umk does the same (PTRACE_GET_SYSCALL_INFO, which
 * also checks the ABI, and POKEUSER) plus its own handler.
 *
 * Prints "ptrace-MODE iters=N ns_per_op=X ctxsw_per_call=Y", where the
 * context switches are the host's own count (tracer and child, voluntary and
 * involuntary) over the timed calls.
 */
#include <errno.h>
#include <stddef.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "ptrace_ref: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Voluntary plus involuntary context switches of a stopped tracee. */
static long task_ctxsw(pid_t pid)
{
	char path[64], line[128];
	long n, total = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		die(path);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "voluntary_ctxt_switches: %ld", &n) == 1 ||
		    sscanf(line, "nonvoluntary_ctxt_switches: %ld", &n) == 1)
			total += n;
	fclose(f);
	return total;
}

static long self_ctxsw(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_nvcsw + ru.ru_nivcsw;
}

static void child(long iters)
{
	if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0)
		die("PTRACE_TRACEME");
	raise(SIGSTOP);
	for (long i = 0; i < iters; i++)
		syscall(SYS_getppid);
	syscall(SYS_exit_group, 0);
}

int main(int argc, char **argv)
{
	enum __ptrace_request resume;
	double start = 0, end;
	long iters, calls = 0, cs_start = 0, cs_end, nr;
	bool sysemu, in_syscall = false;
	pid_t self = getpid();
	int status;
	pid_t pid;

	if (argc != 3 || (strcmp(argv[1], "syscall") && strcmp(argv[1], "sysemu"))) {
		fprintf(stderr, "usage: ptrace_ref syscall|sysemu ITERS\n");
		return 2;
	}
	sysemu = strcmp(argv[1], "sysemu") == 0;
	resume = sysemu ? PTRACE_SYSEMU : PTRACE_SYSCALL;
	iters = atol(argv[2]);
	if (iters <= 0)
		return 2;

	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0)
		child(iters);
	if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status))
		die("waitpid for SIGSTOP");
	if (ptrace(PTRACE_SETOPTIONS, pid, NULL,
		   PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL) < 0)
		die("PTRACE_SETOPTIONS");

	for (;;) {
		if (ptrace(resume, pid, NULL, NULL) < 0)
			die("resume");
		if (waitpid(pid, &status, 0) != pid)
			die("waitpid");
		if (!WIFSTOPPED(status) || WSTOPSIG(status) != (SIGTRAP | 0x80)) {
			fprintf(stderr, "ptrace_ref: unexpected status %#x\n",
				status);
			return 1;
		}
		if (!sysemu && in_syscall) {
			in_syscall = false;
			if (ptrace(PTRACE_POKEUSER, pid,
				   offsetof(struct user_regs_struct, rax),
				   (long)self) < 0)
				die("PTRACE_POKEUSER");
			continue;
		}
		in_syscall = true;
		errno = 0;
		nr = ptrace(PTRACE_PEEKUSER, pid,
			    offsetof(struct user_regs_struct, orig_rax), NULL);
		if (nr == -1 && errno)
			die("PTRACE_PEEKUSER");
		if (nr == SYS_exit_group)
			break;
		if (nr == SYS_getppid && calls++ == 0) {
			cs_start = self_ctxsw() + task_ctxsw(pid);
			start = now_ns();
		}
		if (ptrace(PTRACE_POKEUSER, pid, sysemu ?
			   offsetof(struct user_regs_struct, rax) :
			   offsetof(struct user_regs_struct, orig_rax),
			   sysemu ? (long)self : (long)SYS_getpid) < 0)
			die("PTRACE_POKEUSER");
	}
	end = now_ns();
	cs_end = self_ctxsw() + task_ctxsw(pid);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);

	if (calls != iters) {
		fprintf(stderr, "ptrace_ref: saw %ld calls, expected %ld\n",
			calls, iters);
		return 1;
	}
	printf("ptrace-%s iters=%ld ns_per_op=%.1f ctxsw_per_call=%.2f\n",
	       argv[1], iters, (end - start) / iters,
	       (double)(cs_end - cs_start) / iters);
	return 0;
}
