/*
 * devmisc: pipe packet mode (pipe2 O_DIRECT and F_SETFL O_DIRECT: one
 * packet per read, the rest of it dropped, writes split at PIPE_BUF),
 * full-length reads of /dev/zero, /dev/full and /dev/urandom, mmap of
 * /dev/zero shared between a parent and its child and private, the
 * /proc/sys entries Debian's tools read; hostile arguments.
 */
#include "guest.h"
#include <sys/mount.h>

#ifndef PIPE_BUF
#define PIPE_BUF 4096
#endif

static void test_packets(void)
{
	char buf[8192];
	int p[2], q[2];

	chk("pipe2_direct", pipe2(p, O_DIRECT));
	resv("getfl_direct", !!(fcntl(p[1], F_GETFL) & O_DIRECT));
	write(p[1], "one", 3);
	write(p[1], "second", 6);
	write(p[1], "3", 1);
	resv("read_packet1", read(p[0], buf, sizeof(buf)));
	resv("read_packet2_short", read(p[0], buf, 3));
	say("packet2_head: %.3s", buf);
	resv("read_packet3", read(p[0], buf, sizeof(buf)));
	resv("read_zero_len", read(p[0], buf, 0));
	memset(buf, 'x', sizeof(buf));
	resv("write_big", write(p[1], buf, PIPE_BUF + 100));
	resv("big_first", read(p[0], buf, sizeof(buf)));
	resv("big_second", read(p[0], buf, sizeof(buf)));
	{
		int n = 0;

		fcntl(p[1], F_SETFL, O_NONBLOCK | O_DIRECT);
		while (n < 100 && write(p[1], "x", 1) == 1)
			n++;
		say("packets_until_full: %d %s", n, ename(errno));
		fcntl(p[1], F_SETFL, O_DIRECT);
	}
	close(p[0]);
	close(p[1]);

	chk("pipe", pipe(q));
	write(q[1], "ab", 2);
	write(q[1], "cd", 2);
	resv("stream_merges", read(q[0], buf, sizeof(buf)));
	chk("setfl_direct", fcntl(q[1], F_SETFL, O_DIRECT));
	write(q[1], "pq", 2);
	write(q[1], "rs", 2);
	resv("after_setfl_packet", read(q[0], buf, sizeof(buf)));
	close(q[0]);
	close(q[1]);
	ERR("pipe2_badflag", pipe2(p, O_DIRECT | O_APPEND));
}

static void test_devreads(void)
{
	size_t big = 3 << 20;
	char *buf = malloc(big);
	int fd;

	fd = open("/dev/zero", O_RDONLY);
	memset(buf, 1, big);
	resv("zero_read_3M", read(fd, buf, big));
	yesno("zero_all_zero", buf[0] == 0 && buf[big - 1] == 0 && buf[big / 2] == 0);
	ERR("zero_read_bad", syscall(SYS_read, fd, BAD1, 100L));
	close(fd);
	fd = open("/dev/full", O_RDWR);
	resv("full_read_3M", read(fd, buf, big));
	ERR("full_write", write(fd, "x", 1));
	close(fd);
	fd = open("/dev/urandom", O_RDONLY);
	resv("urandom_read_3M", read(fd, buf, big));
	close(fd);
	fd = open("/dev/random", O_RDONLY);
	resv("random_read_1M", read(fd, buf, 1 << 20));
	close(fd);
	free(buf);
}

static void test_zero_mmap(void)
{
	int fd = open("/dev/zero", O_RDWR), ro = open("/dev/zero", O_RDONLY);
	char *shared, *priv;
	pid_t pid;

	shared = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	yesno("mmap_zero_shared", shared != MAP_FAILED);
	priv = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	yesno("mmap_zero_private", priv != MAP_FAILED);
	yesno("zero_pages_zero", shared[0] == 0 && priv[4096] == 0);
	pid = fork();
	if (pid == 0) {
		strcpy(shared, "child was here");
		strcpy(priv, "not seen");
		_exit(0);
	}
	say("child: %s", reap(pid));
	say("shared_sees: %s", shared);
	yesno("private_unchanged", priv[0] == 0);
	ERR("mmap_zero_shared_rdonly_fd",
	    mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0) ==
	    MAP_FAILED ? -1 : 0);
	yesno("mmap_zero_private_rdonly_fd",
	      mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0) !=
	      MAP_FAILED);
	close(fd);
	close(ro);
}

static void test_sysctls(void)
{
	static const char *const files[] = {
		"/proc/sys/fs/pipe-max-size", "/proc/sys/fs/nr_open",
		"/proc/sys/kernel/pid_max", "/proc/sys/kernel/cap_last_cap",
		"/proc/sys/vm/overcommit_memory", "/proc/sys/kernel/ostype",
	};
	static const char *const present[] = {
		"/proc/sys/fs/file-max", "/proc/sys/kernel/threads-max",
		"/proc/sys/kernel/osrelease", "/proc/sys/kernel/hostname",
		"/proc/sys/kernel/ngroups_max", "/proc/sys/vm/max_map_count",
	};
	char buf[128];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		int fd = open(files[i], O_RDONLY);
		long n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

		close(fd);
		say("%s: %.*s", files[i], n > 0 ? (int)n - 1 : 0, buf);
	}
	for (size_t i = 0; i < sizeof(present) / sizeof(present[0]); i++) {
		int fd = open(present[i], O_RDONLY);
		long n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

		close(fd);
		yesno(present[i], n > 1 && buf[n - 1] == '\n');
	}
}

int main(void)
{
	test_start();
	if (access("/proc/self/stat", F_OK))
		mount("proc", "/proc", "proc", 0, NULL);
	if (access("/dev/zero", F_OK))
		mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	test_packets();
	test_devreads();
	test_zero_mmap();
	test_sysctls();
	say("DONE devmisc");
	return 0;
}
