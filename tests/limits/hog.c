/*
 * hog MIB [HOLD]: a memory hog for the limits suite. First one mapping
 * larger than any mem= the suite uses (the overcommit heuristic must refuse
 * it), then MIB MiB of anonymous memory in 8 MiB pieces, each touched, so
 * the OOM killer must stop it. After HOLD MiB it prints "hog: holding" and
 * waits for a line on stdin, so the harness can measure the host's side
 * at a known point; it measures meanwhile too.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long mib = argc > 1 ? atol(argv[1]) : 1024;
	long hold = argc > 2 ? atol(argv[2]) : -1;
	char line[16];
	void *big = mmap(NULL, 64UL << 30, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	setvbuf(stdout, NULL, _IONBF, 0);
	printf("hog: one 64 GiB mapping: %s\n",
	       big == MAP_FAILED ? strerrorname_np(errno) : "mapped");
	for (long got = 0; got < mib; got += 8) {
		if (got == hold) {
			printf("hog: holding %ld MiB\n", got);
			if (!fgets(line, sizeof(line), stdin))
				return 2;
		}
		char *p = mmap(NULL, 8 << 20, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED) {
			printf("hog: mmap after %ld MiB: %s\n", got,
			       strerrorname_np(errno));
			return 1;
		}
		memset(p, 0x5a, 8 << 20);
	}
	printf("hog: touched %ld MiB\n", mib);
	return 0;
}
