/*
 * micro: the microbenchmarks of bench/, one static program that runs the
 * same way natively, inside umk (as init) and under the peers.
 *
 *   micro NAME ITERS [PATH]
 *
 * Runs benchmark NAME for ITERS operations after a short warm-up, timing the
 * loop with clock_gettime(CLOCK_MONOTONIC) (a vDSO call, no syscall), and
 * prints one line: "NAME iters=N ns_per_op=X" (plus mib_per_s for read64m).
 * PATH is the program exec'd by "exec" (default /bench/true) or the file read
 * by "read64m" (default /bench/data).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define READ_CHUNK	(64 * 1024)

static const char *path_arg;

static void die(const char *what)
{
	fprintf(stderr, "micro: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* getppid() straight to the kernel: the null system call. */
static void bench_getppid(long iters)
{
	for (long i = 0; i < iters; i++)
		syscall(SYS_getppid);
}

/* write(2) of one byte to /dev/null. */
static void bench_write(long iters)
{
	static int fd = -1;
	char c = 0;

	if (fd < 0) {
		fd = open("/dev/null", O_WRONLY);
		if (fd < 0)
			die("open /dev/null");
	}
	for (long i = 0; i < iters; i++)
		if (write(fd, &c, 1) != 1)
			die("write /dev/null");
}

/* One byte there and back between two processes over two pipes. */
static void bench_pipe(long iters)
{
	int to_child[2], to_parent[2];
	char c = 0;
	pid_t pid;

	if (pipe(to_child) < 0 || pipe(to_parent) < 0)
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		close(to_child[1]);
		close(to_parent[0]);
		while (read(to_child[0], &c, 1) == 1)
			if (write(to_parent[1], &c, 1) != 1)
				_exit(1);
		_exit(0);
	}
	close(to_child[0]);
	close(to_parent[1]);
	for (long i = 0; i < iters; i++)
		if (write(to_child[1], &c, 1) != 1 ||
		    read(to_parent[0], &c, 1) != 1)
			die("pipe round trip");
	close(to_child[1]);
	close(to_parent[0]);
	waitpid(pid, NULL, 0);
}

/* fork, the child exits at once, the parent waits for it. */
static void bench_fork(long iters)
{
	for (long i = 0; i < iters; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork");
		if (pid == 0)
			_exit(0);
		if (waitpid(pid, NULL, 0) != pid)
			die("waitpid");
	}
}

/* fork, the child execs a tiny static program, the parent waits for it. */
static void bench_exec(long iters)
{
	const char *prog = path_arg ? path_arg : "/bench/true";
	char *argv[] = { (char *)prog, NULL };
	char *envp[] = { NULL };
	int status;

	for (long i = 0; i < iters; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork");
		if (pid == 0) {
			execve(prog, argv, envp);
			_exit(127);
		}
		if (waitpid(pid, &status, 0) != pid)
			die("waitpid");
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "micro: exec %s: status %#x\n",
				prog, status);
			exit(1);
		}
	}
}

static long long file_size;

/* Sequential read of the whole file in 64 KiB reads; one op is one pass. */
static void bench_read64m(long iters)
{
	const char *file = path_arg ? path_arg : "/bench/data";
	static char buf[READ_CHUNK];
	long long total;
	ssize_t n;
	int fd;

	fd = open(file, O_RDONLY);
	if (fd < 0)
		die(file);
	for (long i = 0; i < iters; i++) {
		total = 0;
		if (lseek(fd, 0, SEEK_SET) != 0)
			die("lseek");
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			total += n;
		if (n < 0)
			die("read");
		file_size = total;
	}
	close(fd);
}

static const struct bench {
	const char *name;
	void (*run)(long iters);
	long warmup;
} benches[] = {
	{ "getppid",	bench_getppid,	100 },
	{ "write",	bench_write,	100 },
	{ "pipe",	bench_pipe,	10 },
	{ "fork",	bench_fork,	2 },
	{ "exec",	bench_exec,	2 },
	{ "read64m",	bench_read64m,	1 },
};

int main(int argc, char **argv)
{
	const struct bench *b = NULL;
	double start, ns;
	long iters;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: micro NAME ITERS [PATH]\n");
		return 2;
	}
	for (size_t i = 0; i < sizeof(benches) / sizeof(benches[0]); i++)
		if (strcmp(argv[1], benches[i].name) == 0)
			b = &benches[i];
	iters = atol(argv[2]);
	if (!b || iters <= 0) {
		fprintf(stderr, "micro: unknown benchmark or bad count\n");
		return 2;
	}
	path_arg = argc == 4 ? argv[3] : NULL;

	b->run(b->warmup);
	start = now_ns();
	b->run(iters);
	ns = (now_ns() - start) / iters;

	printf("%s iters=%ld ns_per_op=%.1f", b->name, iters, ns);
	if (file_size)
		printf(" mib_per_s=%.1f", file_size / 1048576.0 / (ns / 1e9));
	printf("\n");
	return 0;
}
