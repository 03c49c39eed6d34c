/*
 * ctxsw: run a command and count the host context switches of it and of
 * every process and thread it starts, as the host kernel accounts them.
 *
 *   ctxsw CMD [ARG...]
 *
 * Prints "ctxsw=N" after CMD has exited (nothing if perf_event_open is not
 * allowed). The count comes from an inherited PERF_COUNT_SW_CONTEXT_SWITCHES
 * counter opened on this wrapper (idle in waitpid meanwhile), which follows
 * every descendant, reaped or not: umk exits before its ptraced guests are
 * reaped, so wait4's rusage would miss the guests' half of the switches.
 */
#include <linux/perf_event.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* An inherited context-switch counter on this process, counting from now. */
static int open_counter(void)
{
	struct perf_event_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = PERF_COUNT_SW_CONTEXT_SWITCHES;
	attr.inherit = 1;
	return syscall(SYS_perf_event_open, &attr, 0, -1, -1,
		       PERF_FLAG_FD_CLOEXEC);
}

int main(int argc, char **argv)
{
	struct timespec settle = { 0, 50 * 1000 * 1000 };
	uint64_t count;
	int status, fd;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: ctxsw CMD [ARG...]\n");
		return 2;
	}
	fflush(stdout);
	fd = open_counter();
	if (fd < 0)
		perror("ctxsw: perf_event_open");
	pid = fork();
	if (pid < 0) {
		perror("ctxsw: fork");
		return 1;
	}
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		perror(argv[1]);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid) {
		perror("ctxsw: waitpid");
		return 1;
	}
	/* Let killed guests finish exiting: their counts fold in at exit. */
	nanosleep(&settle, NULL);
	if (fd >= 0 && read(fd, &count, sizeof(count)) == sizeof(count))
		printf("ctxsw=%llu\n", (unsigned long long)count);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
