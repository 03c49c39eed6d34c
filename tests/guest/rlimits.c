/*
 * rlimits: resource limits enforced as Linux does (getrlimit(2)).
 *  RLIMIT_FSIZE   a write is cut at the limit; past it EFBIG and SIGXFSZ
 *                 (whose default action kills); ftruncate too.
 *  RLIMIT_NOFILE  open/dup EMFILE at the limit; dup2 and F_DUPFD past it
 *                 EBADF and EINVAL.
 *  RLIMIT_AS      mmap and brk past the limit: ENOMEM.
 *  RLIMIT_NPROC   fork as a user at its limit: EAGAIN (root is exempt).
 * Every part runs in a child, so its limits die with it.
 */
#include "guest.h"

static volatile sig_atomic_t xfsz;

static void on_xfsz(int sig)
{
	xfsz++;
}

/* Results are kept and printed after the limit is lifted again: stdout
 * may be a regular file (natively), which the limit would cut too. */
static void fsize_caught(void)
{
	struct rlimit rl = { 10, RLIM_INFINITY }, unl = { RLIM_INFINITY, RLIM_INFINITY };
	struct sigaction sa = { .sa_handler = on_xfsz };
	long r[7];
	int e[7], x[2], fd;
	char buf[32] = "";

	sigaction(SIGXFSZ, &sa, NULL);
	fd = open("fsize", O_RDWR | O_CREAT | O_TRUNC, 0644);
	setrlimit(RLIMIT_FSIZE, &rl);
	errno = 0; r[0] = write(fd, "abcdefghijklmnopqrstuvwxyz", 26); e[0] = errno;
	x[0] = xfsz;
	errno = 0; r[1] = write(fd, "x", 1); e[1] = errno;
	x[1] = xfsz;
	errno = 0; r[2] = pwrite(fd, "0123456789", 10, 4); e[2] = errno;
	errno = 0; r[3] = ftruncate(fd, 100); e[3] = errno;
	errno = 0; r[4] = ftruncate(fd, 5); e[4] = errno;
	errno = 0; r[5] = pwrite(fd, "", 0, 20); e[5] = errno;
	errno = 0; r[6] = pread(fd, buf, sizeof(buf), 0); e[6] = errno;
	setrlimit(RLIMIT_FSIZE, &unl);
	errno = e[0]; resv("FSIZE 10: write 26 bytes", r[0]);
	say("FSIZE 10: SIGXFSZ so far %d", x[0]);
	errno = e[1]; resv("FSIZE 10: write at the limit", r[1]);
	say("FSIZE 10: SIGXFSZ so far %d", x[1]);
	errno = e[2]; resv("FSIZE 10: pwrite 10 bytes at 4", r[2]);
	errno = e[3]; resv("FSIZE 10: ftruncate 100", r[3]);
	errno = e[4]; resv("FSIZE 10: ftruncate 5", r[4]);
	errno = e[5]; resv("FSIZE 10: pwrite 0 bytes at 20", r[5]);
	say("FSIZE 10: SIGXFSZ total %d", (int)xfsz);
	say("FSIZE 10: file holds \"%.*s\"", (int)(r[6] > 0 ? r[6] : 0), buf);
	_exit(0);
}

static void fsize_default(void)
{
	struct rlimit rl = { 4, RLIM_INFINITY };
	int fd = open("fsize2", O_RDWR | O_CREAT | O_TRUNC, 0644);

	setrlimit(RLIMIT_FSIZE, &rl);
	if (write(fd, "abcd", 4) != 4)
		_exit(3);
	write(fd, "e", 1);
	_exit(4);
}

static void nofile(void)
{
	struct rlimit rl = { 5, 5 };
	int fd;

	for (fd = 3; fd < 64; fd++)
		close(fd);
	setrlimit(RLIMIT_NOFILE, &rl);
	resv("NOFILE 5: open", open("/", O_RDONLY));
	resv("NOFILE 5: dup", dup(0));
	ERR("NOFILE 5: open at the limit", open("/", O_RDONLY));
	ERR("NOFILE 5: dup at the limit", dup(0));
	ERR("NOFILE 5: dup2 to 5", dup2(0, 5));
	ERR("NOFILE 5: F_DUPFD 7", fcntl(0, F_DUPFD, 7));
	ERR("NOFILE 5: pipe", pipe((int[2]){ 0, 0 }));
	rl.rlim_cur = rl.rlim_max = 1 << 30;
	ERR("NOFILE: raise past nr_open", setrlimit(RLIMIT_NOFILE, &rl));
	_exit(0);
}

static void as_limit(void)
{
	struct rlimit rl = { 64 << 20, 64 << 20 };
	void *p;

	setrlimit(RLIMIT_AS, &rl);
	p = mmap(NULL, 128 << 20, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	say("AS 64M: mmap 128M: %s", p == MAP_FAILED ? ename(errno) : "ok");
	p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	say("AS 64M: mmap 1M: %s", p == MAP_FAILED ? ename(errno) : "ok");
	p = sbrk(96 << 20);
	say("AS 64M: sbrk 96M: %s", p == (void *)-1 ? ename(errno) : "ok");
	_exit(0);
}

/* Recurse through about 2 MiB of stack. */
static int deep(int n)
{
	volatile char pad[4096];

	pad[0] = n;
	return n ? deep(n - 1) + pad[0] : 0;
}

static void stack_limit(void)
{
	struct rlimit rl;

	getrlimit(RLIMIT_STACK, &rl);
	rl.rlim_cur = 256 << 10;
	setrlimit(RLIMIT_STACK, &rl);
	_exit(deep(512) == 0 ? 0 : 1);
}

static void nproc(void)
{
	struct rlimit rl = { 4, 4 };
	pid_t kids[8];
	int n = 0, err = 0;

	/* A uid with no other process on the machine. */
	if (setresgid(54321, 54321, 54321) || setresuid(54321, 54321, 54321))
		_exit(10);
	setrlimit(RLIMIT_NPROC, &rl);
	while (n < 8) {
		pid_t p = fork();

		if (p == 0) {
			pause();
			_exit(0);
		}
		if (p < 0) {
			err = errno;
			break;
		}
		kids[n++] = p;
	}
	say("NPROC 4: forks before the refusal %d, then %s", n, ename(err));
	for (int i = 0; i < n; i++)
		kill(kids[i], SIGKILL);
	while (wait(NULL) > 0)
		;
	_exit(0);
}

static void in_child(const char *what, void (*fn)(void))
{
	pid_t pid = fork();

	if (pid == 0)
		fn();
	say("%s: %s", what, reap(pid));
}

int main(void)
{
	const char *dir;

	test_start();
	dir = scratch_dir("rlimits");
	in_child("FSIZE caught", fsize_caught);
	in_child("FSIZE default action", fsize_default);
	in_child("NOFILE", nofile);
	in_child("AS", as_limit);
	in_child("STACK 256K, 2 MiB deep", stack_limit);
	in_child("NPROC", nproc);
	scratch_cleanup(dir);
	say("DONE rlimits");
	return 0;
}
