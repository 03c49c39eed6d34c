/*
 * Regression: clock_gettime and clock_getres on the CPU clock of another
 * process or thread (clockid ~pid << 3 | kind, as glibc's
 * clock_getcpuclockid makes) shifted a negative int, undefined behaviour
 * that the sanitizer build stops on (found by trinity); a clock of a
 * process umk had no host thread for could name umk's own clock. A live
 * child's clocks work, a reaped one's are EINVAL, as on Linux.
 */
#include "guest.h"

#define CPUCLOCK(pid, kind) ((clockid_t)((unsigned int)~(pid) << 3 | (kind)))

static const char *try(clockid_t clk)
{
	struct timespec ts;

	if (syscall(SYS_clock_gettime, clk, &ts) < 0)
		return ename(errno);
	if (syscall(SYS_clock_getres, clk, &ts) < 0)
		return ename(errno);
	return "ok";
}

int main(void)
{
	int p[2], st;
	pid_t pid;
	char c;

	if (pipe(p))
		return 1;
	pid = fork();
	if (pid == 0) {
		close(p[1]);
		read(p[0], &c, 1);
		_exit(0);
	}
	close(p[0]);
	say("child prof: %s", try(CPUCLOCK(pid, 0)));
	say("child virt: %s", try(CPUCLOCK(pid, 1)));
	say("child sched: %s", try(CPUCLOCK(pid, 2)));
	say("child kind 3: %s", try(CPUCLOCK(pid, 3)));
	say("self sched: %s", try(CPUCLOCK(getpid(), 2)));
	write(p[1], "x", 1);
	waitpid(pid, &st, 0);
	say("reaped child sched: %s", try(CPUCLOCK(pid, 2)));
	say("pid 0 sched: %s", try(CPUCLOCK(0, 2)));
	say("DONE regress_cpuclock_pid");
	return 0;
}
