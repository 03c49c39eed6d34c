/*
 * manyproc: many short-lived processes. A thousand fork/exit/wait in a
 * row, ten waves of a hundred children alive at once reaped by wait(-1),
 * a hundred fork/execve/wait; every exit status accounted for, and at the
 * end no child left: wait reports ECHILD and /proc lists no process whose
 * parent we are (a zombie would be listed). Prints no pid.
 */
#include "guest.h"
#include <dirent.h>

static const char *self;

/* Processes in /proc whose PPid is pid. */
static int children_in_proc(pid_t pid)
{
	char path[300], buf[1024], *p;
	struct dirent *d;
	DIR *dir = opendir("/proc");
	int n = 0, fd;
	ssize_t len;

	if (!dir)
		return -1;
	while ((d = readdir(dir)) != NULL) {
		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/status", d->d_name);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (len <= 0)
			continue;
		buf[len] = 0;
		p = strstr(buf, "\nPPid:\t");
		if (p && atoi(p + 7) == pid)
			n++;
	}
	closedir(dir);
	return n;
}

static void test_sequential(void)
{
	int i, st, bad = 0;
	long sum = 0;
	pid_t pid;

	for (i = 0; i < 1000; i++) {
		pid = fork();
		if (pid == 0)
			_exit(i % 251);
		if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st)) {
			bad++;
			continue;
		}
		sum += WEXITSTATUS(st);
	}
	say("sequential_1000: failures=%d exit_sum=%ld", bad, sum);
}

static void test_waves(void)
{
	int wave, i, st, reaped = 0, bad = 0;
	long sum = 0;
	pid_t pid;

	for (wave = 0; wave < 10; wave++) {
		for (i = 0; i < 100; i++) {
			pid = fork();
			if (pid == 0)
				_exit(i + wave);
			if (pid < 0)
				bad++;
		}
		while ((pid = wait(&st)) > 0) {
			reaped++;
			if (WIFEXITED(st))
				sum += WEXITSTATUS(st);
			else
				bad++;
		}
	}
	say("waves_10x100: reaped=%d failures=%d exit_sum=%ld", reaped, bad, sum);
}

static void test_exec(void)
{
	int i, st, bad = 0;
	long sum = 0;
	pid_t pid;
	char arg[16];

	for (i = 0; i < 100; i++) {
		pid = fork();
		if (pid == 0) {
			snprintf(arg, sizeof(arg), "%d", i);
			execl(self, self, "--exit", arg, (char *)NULL);
			_exit(255);
		}
		if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st)) {
			bad++;
			continue;
		}
		sum += WEXITSTATUS(st);
	}
	say("fork_exec_100: failures=%d exit_sum=%ld", bad, sum);
}

int main(int argc, char **argv)
{
	if (argc > 2 && strcmp(argv[1], "--exit") == 0)
		return atoi(argv[2]);
	test_start();
	if (need_proc())
		say("proc: %s", ename(errno));
	self = realpath(argv[0], NULL);
	test_sequential();
	test_waves();
	test_exec();
	ERR("nothing_left_to_wait_for", waitpid(-1, NULL, WNOHANG));
	resv("children_in_proc", children_in_proc(getpid()));
	say("DONE manyproc");
	return 0;
}
