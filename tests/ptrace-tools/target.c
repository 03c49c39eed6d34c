/*
 * The program Debian's gdb and strace work on inside the guest
 * (tests/ptrace-tools/run.sh): a loop calling a function (break, step,
 * print, backtrace, a watched global), a fork whose child a debugger
 * follows, two threads, and a mode that announces itself and waits to be
 * attached.
 * Built with -g -O0 so that every line and variable is there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <pthread.h>

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

static void *thread_body(void *arg)
{
	return (void *)((long)arg * 2);
}

/* Two threads, joined: their clone, exit and the futex wake. */
static int threads(void)
{
	pthread_t th[2];
	long sum = 0;

	for (long i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, thread_body, (void *)(i + 1));
	for (int i = 0; i < 2; i++) {
		void *r;

		pthread_join(th[i], &r);
		sum += (long)r;
	}
	printf("threads %ld\n", sum);
	return 0;
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
	if (argc > 1 && !strcmp(argv[1], "threads"))
		return threads();
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
