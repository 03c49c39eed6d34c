/*
 * runas UID PROG [ARG...]: run PROG as the unprivileged guest user UID (its
 * own group, no supplementary groups), from the guest's root user. The fuzz
 * image has no su, and busybox's needs a password: this is the whole of
 * what the fuzz harness needs (tests/fuzz/run.sh). Exit 126 if the
 * credentials cannot be dropped, 127 if PROG cannot be run.
 */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	uid_t uid;

	if (argc < 3) {
		fprintf(stderr, "usage: runas UID PROG [ARG...]\n");
		return 2;
	}
	uid = (uid_t)strtoul(argv[1], NULL, 10);
	if (setgroups(0, NULL) || setgid(uid) || setuid(uid)) {
		fprintf(stderr, "runas: %s\n", strerror(errno));
		return 126;
	}
	if (getuid() != uid || geteuid() != uid || setuid(0) == 0) {
		fprintf(stderr, "runas: credentials not dropped\n");
		return 126;
	}
	execv(argv[2], argv + 2);
	fprintf(stderr, "runas: %s: %s\n", argv[2], strerror(errno));
	return 127;
}
