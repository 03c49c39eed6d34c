/*
 * sparse_hold: maps a 2 GiB sparse file of the tmpfs at /mnt shared, stores
 * into one page, prints "mapped" and holds the mapping until a line comes
 * on stdin, so the harness can measure what the host pays for it.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

int main(void)
{
	int fd = open("/mnt/sparse", O_RDWR | O_CREAT, 0600);
	char *p, line[16];

	setvbuf(stdout, NULL, _IONBF, 0);
	if (fd < 0 || ftruncate(fd, 2L << 30)) {
		perror("sparse");
		return 1;
	}
	p = mmap(NULL, 2L << 30, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	p[1L << 30] = 1;
	printf("mapped\n");
	if (!fgets(line, sizeof(line), stdin))
		return 1;
	munmap(p, 2L << 30);
	printf("unmapped\n");
	return 0;
}
