/*
 * fsync_writer: the guest side of the ubd crash test (tests/ubd/run.sh).
 *
 *   fsync_writer write DIR [FIRST]  create DIR/f<N> for N = FIRST, FIRST+1,
 *                                   ... forever; after the fsync (fdatasync
 *                                   for every third file) of each returned,
 *                                   print "synced N" on stdout
 *   fsync_writer expect N           print the content file N must have
 *
 * Content: N-dependent size (1 byte..8 KiB) and bytes, so a torn, stale or
 * swapped file is told apart from the right one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static size_t file_size(unsigned long n)
{
	return 1 + (n * 7919) % 8192;
}

static void fill(unsigned long n, char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = 'a' + (n * 31 + i / 97) % 26;
	if (len > 1)
		buf[len - 1] = '\n';
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		len -= w;
	}
	return 0;
}

static int writer(const char *dir, unsigned long n)
{
	static char buf[65536];
	char path[256];

	mkdir(dir, 0755);
	for (;; n++) {
		size_t len = file_size(n);
		int fd;

		snprintf(path, sizeof(path), "%s/f%lu", dir, n);
		fill(n, buf, len);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || write_all(fd, buf, len) < 0 ||
		    (n % 3 ? fsync(fd) : fdatasync(fd)) < 0) {
			printf("error %lu: %s\n", n, strerror(errno));
			return 1;
		}
		close(fd);
		printf("synced %lu\n", n);
		fflush(stdout);
	}
}

int main(int argc, char **argv)
{
	static char buf[65536];

	if (argc >= 3 && !strcmp(argv[1], "write"))
		return writer(argv[2], argc > 3 ? strtoul(argv[3], NULL, 10) : 1);
	if (argc == 3 && !strcmp(argv[1], "expect")) {
		unsigned long n = strtoul(argv[2], NULL, 10);

		fill(n, buf, file_size(n));
		fwrite(buf, 1, file_size(n), stdout);
		return 0;
	}
	fprintf(stderr, "usage: fsync_writer write DIR [FIRST] | expect N\n");
	return 2;
}
