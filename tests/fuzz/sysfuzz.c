/*
 * sysfuzz: umk's own system call fuzzer, run inside the guest (never on the
 * host: it makes random system calls). A supervisor forks one child per
 * round; the child drops to an unprivileged user, opens a few files of each
 * kind and makes random system calls (random numbers, also out of range)
 * with arguments drawn from valid and hostile values: pointers into a
 * scratch area laid out with paths, iovecs and pointer arrays, pointers at
 * 1, -1, NULL, an unmapped page, a read-only page, the last byte before a
 * guard page, kernel addresses; its fds; flag bits; boundary integers. The
 * supervisor kills every process of the round at its end (or when the
 * child died) and starts the next, so a child that blocks, crashes or
 * forks does not stop the run.
 *
 * usage: sysfuzz SECONDS [SEED [UID]]     fuzz for SECONDS as UID (1000;
 *                                          0 leaves out reboot and kills)
 *        sysfuzz --round SEED [UID]       repeat one round
 * Prints "sysfuzz: round N seed S" before each round (its seed reproduces
 * it with --round) and "sysfuzz: done R rounds" at the end; exits 0. The
 * test of umk is that umk neither crashes, hangs, nor reports a sanitizer
 * error.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdbool.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ROUND_MS	1000	/* a round's length */
#define ROUND_CALLS	4000	/* at most this many calls a round */
#define NR_MAX		460	/* highest x86-64 number tried, plus a few */
#define SCRATCH_PAGES	16

static uint64_t rng;

/* xorshift64*: small, fast, reproducible from the seed. */
static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545F4914F6CDD1DULL;
}

static unsigned long below(unsigned long n) { return n ? rnd() % n : 0; }

static char *scratch;		/* SCRATCH_PAGES pages, then a guard page */
static char *unmapped;		/* an address with nothing mapped */
static int fds[32];
static int nfds;

static void add_fd(int fd)
{
	if (fd >= 0 && nfds < (int)(sizeof(fds) / sizeof(fds[0])))
		fds[nfds++] = fd;
}

/* Open one file of each kind the kernel has (a failure just means one
 * fewer fd to fuzz with). */
static void open_fds(void)
{
	int p[2], sv[2];
	sigset_t set;

	add_fd(open("/dev/null", O_RDWR));
	add_fd(open("/dev/zero", O_RDONLY));
	add_fd(open("/dev/urandom", O_RDONLY));
	add_fd(open("/", O_RDONLY | O_DIRECTORY));
	add_fd(open("/etc/passwd", O_RDONLY));
	add_fd(open("/proc/self/status", O_RDONLY));
	add_fd(open("/proc", O_RDONLY | O_DIRECTORY));
	add_fd(open("f1", O_RDWR | O_CREAT, 0644));
	add_fd(open("f2", O_RDWR | O_CREAT | O_APPEND, 0600));
	add_fd(open(".", O_RDONLY | O_DIRECTORY));
	add_fd(open("/tmp", O_PATH));
	if (pipe2(p, O_NONBLOCK) == 0) {
		add_fd(p[0]);
		add_fd(p[1]);
	}
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0) {
		add_fd(sv[0]);
		add_fd(sv[1]);
	}
	add_fd(eventfd(3, EFD_NONBLOCK));
	add_fd(epoll_create1(0));
	add_fd(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	add_fd(signalfd(-1, &set, SFD_NONBLOCK));
	add_fd(inotify_init1(IN_NONBLOCK));
	if (nfds > 0 && mkfifo("fifo", 0644) == 0)
		add_fd(open("fifo", O_RDWR | O_NONBLOCK));
}

static const char *const paths[] = {
	"/", ".", "..", "f1", "f2", "fifo", "nodir/x", "/tmp", "/proc/self/fd/0",
	"/proc/self/maps", "/dev/null", "/etc/passwd", "/bin/busybox",
	"/proc/1/status", "d1", "d1/d2", "/sys", "l1", "", "/dev/console",
};

/* Lay out the scratch area: random bytes, then paths at 256-byte slots in
 * page 1, iovecs over the scratch in page 2, a NULL-ended pointer array
 * (argv-like) in page 3. */
static void fill_scratch(void)
{
	struct iovec *iov = (struct iovec *)(scratch + 2 * 4096);
	char **argv = (char **)(scratch + 3 * 4096);
	size_t i;

	for (i = 0; i < SCRATCH_PAGES * 4096; i += 8) {
		uint64_t v = rnd();

		memcpy(scratch + i, &v, 8);
	}
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		strcpy(scratch + 4096 + i * 128, paths[i]);
	for (i = 0; i < 16; i++) {
		iov[i].iov_base = scratch + 4 * 4096 + below(8 * 4096);
		iov[i].iov_len = below(4) ? below(512) : rnd();
	}
	for (i = 0; i < 8; i++)
		argv[i] = scratch + 4096 + below(20) * 128;
	argv[8] = NULL;
}

/* A pointer into the scratch area, often at its interesting places. */
static unsigned long scratch_ptr(void)
{
	switch (below(6)) {
	case 0: return (unsigned long)scratch + 4096 + below(20) * 128;
	case 1: return (unsigned long)scratch + 2 * 4096;
	case 2: return (unsigned long)scratch + 3 * 4096;
	case 3: return (unsigned long)scratch + SCRATCH_PAGES * 4096 - below(64);
	default: return (unsigned long)scratch + below(SCRATCH_PAGES * 4096);
	}
}

static unsigned long hostile_ptr(void)
{
	static const unsigned long fixed[] = {
		0, 1, (unsigned long)-1L, 0xffff800000000000UL,
		0x00007ffffffff000UL, 0x0000800000000000UL, 4096,
		(unsigned long)-4096L,
	};

	switch (below(4)) {
	case 0: return fixed[below(sizeof(fixed) / sizeof(fixed[0]))];
	case 1: return (unsigned long)unmapped + below(4096);
	case 2: return (unsigned long)&open_fds;	/* read-only text */
	default: return (unsigned long)scratch + SCRATCH_PAGES * 4096 - 1;
	}
}

static unsigned long boundary(void)
{
	static const unsigned long v[] = {
		0, 1, 2, 7, 8, 16, 255, 256, 4095, 4096, 4097, 65536,
		0x7fffffff, 0x80000000UL, 0xffffffffUL, 0x100000000UL,
		0x7fffffffffffffffUL, 0x8000000000000000UL, (unsigned long)-1L,
		(unsigned long)-2L, (unsigned long)-4095L, 1UL << 40,
	};

	return v[below(sizeof(v) / sizeof(v[0]))];
}

static unsigned long arg(void)
{
	unsigned int k = below(100);

	if (k < 15)
		return below(10);
	if (k < 35)
		return scratch_ptr();
	if (k < 47)
		return hostile_ptr();
	if (k < 62)
		return nfds ? (unsigned long)fds[below(nfds)] : below(64);
	if (k < 72)
		return 1UL << below(32) | (below(2) ? 1UL << below(32) : 0);
	if (k < 85)
		return boundary();
	return rnd();
}

/* A system call number: mostly real ones, sometimes out of range, x32, or
 * negative. */
static long pick_nr(void)
{
	switch (below(40)) {
	case 0: return -1 - (long)below(4);
	case 1: return 0x40000000 | below(NR_MAX);	/* x32 */
	case 2: return 512 + below(2000);
	default: return below(NR_MAX);
	}
}

/* Calls that would only end the round early, or that the supervisor's
 * clean-up needs to keep working: made rarely. */
static bool rare(long nr)
{
	return nr == SYS_exit || nr == SYS_exit_group || nr == SYS_pause ||
	       nr == SYS_vfork || nr == SYS_fork || nr == SYS_clone ||
	       nr == SYS_clone3 || nr == SYS_rt_sigsuspend ||
	       nr == SYS_munmap || nr == SYS_mremap || nr == SYS_execve ||
	       nr == SYS_execveat || nr == SYS_kill || nr == SYS_tkill ||
	       nr == SYS_tgkill;
}

/* As root (UID 0) the calls that would end the whole run are left out:
 * reboot, and kill/tkill/tgkill, which could reach the supervisor. */
static bool root_only_skip(long nr, uid_t uid)
{
	return uid == 0 && (nr == SYS_reboot || nr == SYS_kill ||
			    nr == SYS_tkill || nr == SYS_tgkill ||
			    nr == SYS_rt_sigqueueinfo ||
			    nr == SYS_rt_tgsigqueueinfo || nr == SYS_pidfd_send_signal);
}

static void child(uint64_t seed, uid_t uid)
{
	struct rlimit core = { 0, 0 }, fsize = { 16 << 20, 16 << 20 };
	char dir[64];
	int i, null;

	rng = seed | 1;
	/* A session of its own, without the console as controlling tty:
	 * TIOCSTI of a ^C or ^Z there would signal init's shell, as on
	 * Linux. */
	setsid();
	setrlimit(RLIMIT_CORE, &core);
	setrlimit(RLIMIT_FSIZE, &fsize);
	snprintf(dir, sizeof(dir), "/tmp/sysfuzz.%d", getpid());
	if (mkdir(dir, 0755) == 0 && chown(dir, uid, uid) == 0 && chdir(dir) == 0)
		mkdir("d1", 0755);
	if (uid != 0 && (setgroups(0, NULL) || setgid(uid) || setuid(uid)))
		_exit(2);
	null = open("/dev/null", O_RDWR);
	dup2(null, 0);
	dup2(null, 1);
	dup2(null, 2);
	scratch = mmap(NULL, (SCRATCH_PAGES + 1) * 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unmapped = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	if (scratch == MAP_FAILED || unmapped == MAP_FAILED)
		_exit(3);
	mprotect(scratch + SCRATCH_PAGES * 4096, 4096, PROT_NONE);
	munmap(unmapped, 4096);
	open_fds();
	for (i = 0; i < ROUND_CALLS; i++) {
		long nr = pick_nr();
		unsigned long a[6];

		if ((rare(nr) && below(20)) || root_only_skip(nr, uid))
			continue;
		if (i % 64 == 0)
			fill_scratch();
		for (int j = 0; j < 6; j++)
			a[j] = arg();
		syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	}
	_exit(0);
}

static volatile sig_atomic_t round_over;

static void on_alarm(int sig) { round_over = 1; }

/* Remove every System V IPC object (the round's: nothing else here makes
 * any), up to the highest index in use, which *_INFO returns. */
static void remove_ipc(void)
{
	struct shmid_ds shm;
	struct msqid_ds msq;
	struct semid_ds sem;
	struct shm_info si;
	struct msginfo mi;
	struct seminfo smi;
	int max, id;

	max = shmctl(0, SHM_INFO, (struct shmid_ds *)&si);
	for (int i = 0; i <= max; i++)
		if ((id = shmctl(i, SHM_STAT_ANY, &shm)) >= 0)
			shmctl(id, IPC_RMID, NULL);
	max = msgctl(0, MSG_INFO, (struct msqid_ds *)&mi);
	for (int i = 0; i <= max; i++)
		if ((id = msgctl(i, MSG_STAT_ANY, &msq)) >= 0)
			msgctl(id, IPC_RMID, NULL);
	max = semctl(0, 0, SEM_INFO, &smi);
	for (int i = 0; i <= max; i++)
		if ((id = semctl(i, 0, SEM_STAT_ANY, &sem)) >= 0)
			semctl(id, 0, IPC_RMID);
}

/* Kill whatever the round left (every process but init and us), reap it
 * and remove its files and IPC objects: umk keeps them in its memory as
 * long as they exist, as Linux does, and a run that left them would
 * measure the guest's hoard rather than umk. */
static void end_round(pid_t child)
{
	char cmd[64];

	kill(-1, SIGKILL);
	while (waitpid(-1, NULL, __WALL) > 0 || errno == EINTR)
		;
	snprintf(cmd, sizeof(cmd), "rm -rf /tmp/sysfuzz.%d", (int)child);
	if (system(cmd) != 0)
		fprintf(stderr, "sysfuzz: %s failed\n", cmd);
	remove_ipc();
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Inside umk's guest: its /proc/umk exists and its release says so. */
static bool in_umk(void)
{
	struct utsname u;

	return access("/proc/umk/stats", R_OK) == 0 && uname(&u) == 0 &&
	       strstr(u.release, "-umk") != NULL;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	bool one = argc > 2 && !strcmp(argv[1], "--round");
	long seconds = argc > 1 && !one ? atol(argv[1]) : 10, end;
	uid_t uid = argc > 3 ? (uid_t)atol(argv[3]) : 1000;
	unsigned long rounds = 0;
	uint64_t seed;

	if (one && argc > 3)
		uid = (uid_t)atol(argv[3]);
	else if (one)
		uid = argc > 3 ? (uid_t)atol(argv[3]) : 1000;
	if (argc > 2)
		seed = strtoull(argv[2], NULL, 0);
	else
		seed = (uint64_t)now_ms() * 0x9E3779B97F4A7C15ULL ^ getpid();
	if (getpid() == 1 || getuid() != 0 || !in_umk()) {
		fprintf(stderr, "sysfuzz: run as root inside umk, not as init"
			" (never on a host: it makes random calls and kills"
			" every process it can)\n");
		return 2;
	}
	sigaction(SIGALRM, &sa, NULL);
	rng = seed | 1;
	end = now_ms() + seconds * 1000;
	do {
		uint64_t s = one ? seed : rnd();
		struct itimerval it = { .it_value = { ROUND_MS / 1000,
						      ROUND_MS % 1000 * 1000 } };
		pid_t pid;

		printf("sysfuzz: round %lu seed %llu\n", rounds,
		       (unsigned long long)s);
		fflush(stdout);
		round_over = 0;
		pid = fork();
		if (pid == 0)
			child(s, uid);
		if (pid < 0) {
			perror("sysfuzz: fork");
			return 1;
		}
		setitimer(ITIMER_REAL, &it, NULL);
		while (!round_over && waitpid(pid, NULL, __WALL) < 0 &&
		       errno == EINTR)
			;
		end_round(pid);
		rounds++;
	} while (!one && now_ms() < end);
	system("rm -rf /tmp/sysfuzz.*");
	printf("sysfuzz: done %lu rounds\n", rounds);
	return 0;
}
