/*
 * shm_hold MIB: System V shared memory that no process keeps attached, for
 * the limits suite. MIB MiB in 4 MiB segments, each attached, touched and
 * detached again; the segments stay (no IPC_RMID), as a guest may leave
 * them. Prints "shm_hold: N MiB in segments" (what it got) and why it
 * stopped if short; exits 0 when it got all of it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#define SEG_MIB 4

int main(int argc, char **argv)
{
	long mib = argc > 1 ? atol(argv[1]) : 32, got;

	setvbuf(stdout, NULL, _IONBF, 0);
	for (got = 0; got < mib; got += SEG_MIB) {
		int id = shmget(IPC_PRIVATE, SEG_MIB << 20, IPC_CREAT | 0600);
		char *p;

		if (id < 0) {
			printf("shm_hold: shmget after %ld MiB: %s\n", got,
			       strerrorname_np(errno));
			break;
		}
		p = shmat(id, NULL, 0);
		if (p == (void *)-1) {
			printf("shm_hold: shmat after %ld MiB: %s\n", got,
			       strerrorname_np(errno));
			break;
		}
		memset(p, 0x5a, SEG_MIB << 20);
		shmdt(p);
	}
	printf("shm_hold: %ld MiB in segments\n", got);
	return got < mib;
}
