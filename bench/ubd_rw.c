/*
 * ubd_rw: sequential file throughput, run natively on the host and inside
 * umk by bench/ubd.sh (static, no dependencies).
 *
 *   ubd_rw read PATH [PASSES [OFFSET_MIB [MIB]]]
 *       read the file (or MIB MiB from OFFSET_MIB) PASSES times with 1 MiB
 *       reads; one line per pass: "read pass=K bytes=B ns=T mibps=X"
 *   ubd_rw write PATH MIB [OFFSET_MIB]
 *       write MIB MiB with 1 MiB writes (at OFFSET_MIB into an existing
 *       file, else into a new one), then fsync; the time includes the
 *       fsync: "write bytes=B ns=T mibps=X"
 *   ubd_rw drop PATH...
 *       write back and drop the host's page cache of each file
 *       (fdatasync, posix_fadvise DONTNEED), so the next read is cold
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (1 << 20)

static char buf[CHUNK];

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void report(const char *what, int pass, unsigned long long bytes,
		   unsigned long long ns)
{
	if (pass)
		printf("%s pass=%d ", what, pass);
	else
		printf("%s ", what);
	printf("bytes=%llu ns=%llu mibps=%.1f\n", bytes, ns,
	       ns ? bytes / 1048576.0 / (ns / 1e9) : 0.0);
	fflush(stdout);
}

static int do_read(const char *path, int passes, off_t off, off_t limit)
{
	int fd = open(path, O_RDONLY);

	if (fd < 0) {
		perror(path);
		return 1;
	}
	for (int p = 1; p <= passes; p++) {
		unsigned long long t0 = now_ns(), bytes = 0;
		ssize_t n;

		while (!limit || (off_t)bytes < limit) {
			size_t want = CHUNK;

			if (limit && limit - (off_t)bytes < CHUNK)
				want = limit - bytes;
			n = pread(fd, buf, want, off + bytes);
			if (n < 0) {
				perror("read");
				return 1;
			}
			if (n == 0)
				break;
			bytes += n;
		}
		report("read", p, bytes, now_ns() - t0);
	}
	close(fd);
	return 0;
}

static int do_write(const char *path, off_t mib, off_t off)
{
	int fd = open(path, off >= 0 ? O_WRONLY : O_WRONLY | O_CREAT | O_TRUNC,
		      0644);
	unsigned long long t0, bytes = 0;

	if (fd < 0) {
		perror(path);
		return 1;
	}
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = i * 131 + 7;
	t0 = now_ns();
	for (off_t i = 0; i < mib; i++) {
		ssize_t n = pwrite(fd, buf, CHUNK, (off < 0 ? 0 : off) + bytes);

		if (n != CHUNK) {
			perror("write");
			return 1;
		}
		bytes += n;
	}
	if (fsync(fd) < 0) {
		perror("fsync");
		return 1;
	}
	report("write", 0, bytes, now_ns() - t0);
	close(fd);
	return 0;
}

static int do_drop(int n, char **paths)
{
	for (int i = 0; i < n; i++) {
		int fd = open(paths[i], O_RDONLY);

		if (fd < 0) {
			perror(paths[i]);
			return 1;
		}
		fdatasync(fd);
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		close(fd);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "read"))
		return do_read(argv[2], argc > 3 ? atoi(argv[3]) : 1,
			       argc > 4 ? atoll(argv[4]) << 20 : 0,
			       argc > 5 ? atoll(argv[5]) << 20 : 0);
	if (argc >= 4 && !strcmp(argv[1], "write"))
		return do_write(argv[2], atoll(argv[3]),
				argc > 4 ? atoll(argv[4]) << 20 : -1);
	if (argc >= 3 && !strcmp(argv[1], "drop"))
		return do_drop(argc - 2, argv + 2);
	fprintf(stderr, "usage: ubd_rw read PATH [PASSES [OFF_MIB [MIB]]] | "
		"write PATH MIB [OFF_MIB] | drop PATH...\n");
	return 2;
}
