/*
 * Keeps a guest alive for the harness's host-side checks: a second thread
 * and a child process exist, "READY" is printed, then the probe waits for
 * EOF on its stdin (the console, fed by the harness) and exits.
 */
#include "probe.h"
#include <pthread.h>

static void *idle(void *arg)
{
	int *fd = arg;
	char c;

	while (read(*fd, &c, 1) > 0)
		;
	return NULL;
}

int main(int argc, char **argv)
{
	int p[2];
	pthread_t th;
	pid_t child;
	char c;

	canary_init(argc, argv);
	if (pipe(p) < 0)
		return 1;
	pthread_create(&th, NULL, idle, &p[0]);
	child = fork();
	if (child == 0) {
		close(p[1]);
		while (read(p[0], &c, 1) > 0)
			;
		_exit(0);
	}
	say("READY");
	while (read(0, &c, 1) > 0)
		;
	close(p[1]);
	waitpid(child, NULL, 0);
	say("DONE hold");
	return 0;
}
