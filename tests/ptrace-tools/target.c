/*
 * The program Debian's gdb and strace work on inside the guest
 * (tests/ptrace-tools/run.sh): a loop calling a function (break, step,
 * print, backtrace, a watched global), a fork whose child a debugger
 * follows, and a mode that announces itself and waits to be attached.
 * Built with -g -O0 so that every line and variable is there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

int counter;

static int square(int x)
{
	int y = x * x;

	return y;
}

static int child_work(int n)
{
	int r = n + 100;

	return r;
}

/* Say so on stdout (the harness reads one line), then wait forever. */
static void spin(void)
{
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	int total = 0;

	if (argc > 1 && !strcmp(argv[1], "spin"))
		spin();
	if (argc > 1 && !strcmp(argv[1], "fork")) {
		pid_t pid = fork();
		int st;

		if (pid == 0)
			return child_work(1) == 101 ? 0 : 1;
		waitpid(pid, &st, 0);
		printf("child exit %d\n", WEXITSTATUS(st));
		return 0;
	}
	for (int i = 1; i <= 3; i++) {
		total += square(i);
		counter++;
	}
	printf("total %d\n", total);
	return 0;
}
