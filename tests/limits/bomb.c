/*
 * bomb: a fork bomb, bounded by the kernel. As root it starts a bomb that
 * runs as UID (argument 1, 0 for root itself): every process forks until
 * fork fails, then waits to be killed. Root watches until its own fork
 * fails too (threads-max, or the bomb's NPROC reached and stable), counts
 * the tasks in /proc, prints the count and threads-max, kills every
 * process of the bomb and reaps it. The harness measures the host's
 * processes meanwhile and checks that init still runs commands after.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/wait.h>

static int count_tasks(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d))) {
		char path[300];
		DIR *t;
		struct dirent *te;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/task", e->d_name);
		t = opendir(path);
		while (t && (te = readdir(t)))
			n += te->d_name[0] != '.';
		if (t)
			closedir(t);
	}
	if (d)
		closedir(d);
	return n;
}

static void ms(long n)
{
	struct timespec ts = { n / 1000, n % 1000 * 1000000 };

	nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
	uid_t uid = argc > 1 ? atoi(argv[1]) : 1000;
	int last = -1, stable = 0, n;
	pid_t bomb;
	char buf[32] = "";
	FILE *f;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (access("/proc/self", F_OK))
		mount("proc", "/proc", "proc", 0, NULL);
	bomb = fork();
	if (bomb == 0) {
		setpgid(0, 0);
		if (uid && (setgid(uid) || setuid(uid)))
			_exit(1);
		for (;;)
			if (fork() < 0)
				pause();
	}
	/* Until the task count stops growing for a second (bounded: 60 s). */
	for (int i = 0; i < 600 && stable < 10; i++) {
		ms(100);
		n = count_tasks();
		stable = n == last ? stable + 1 : 0;
		last = n;
	}
	pid_t extra = fork();

	if (extra == 0)
		_exit(0);
	if (extra > 0)
		waitpid(extra, NULL, 0);
	f = fopen("/proc/sys/kernel/threads-max", "r");
	if (f) {
		fgets(buf, sizeof(buf), f);
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = 0;
	printf("bomb uid %u: %d tasks at the end, threads-max %s, root's fork %s\n",
	       uid, last, buf, extra < 0 ? strerrorname_np(errno) : "ok");
	kill(-bomb, SIGKILL);
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
	/* Grandchildren went to init (the shell) and are reaped there. */
	printf("bomb uid %u: killed\n", uid);
	return 0;
}
