/*
 * swapper DIR STOPFILE COUNTFILE: on the host, swap DIR/race (a directory)
 * and DIR/race.link (a symlink out of the share) with renameat2
 * RENAME_EXCHANGE as fast as it can, until STOPFILE exists (at most 60 s);
 * then write the number of swaps to COUNTFILE, leaving race a directory.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	time_t end = time(NULL) + 60;
	unsigned long swaps = 0;
	FILE *f;
	int dfd;

	if (argc < 4 || (dfd = open(argv[1], O_RDONLY | O_DIRECTORY)) < 0)
		return 2;
	while (access(argv[2], F_OK) < 0 && time(NULL) < end) {
		for (int i = 0; i < 1000; i++)
			if (renameat2(dfd, "race", dfd, "race.link",
				      RENAME_EXCHANGE) == 0)
				swaps++;
	}
	if (swaps % 2)
		renameat2(dfd, "race", dfd, "race.link", RENAME_EXCHANGE);
	f = fopen(argv[3], "w");
	if (!f)
		return 2;
	fprintf(f, "%lu\n", swaps);
	return fclose(f) ? 2 : 0;
}
