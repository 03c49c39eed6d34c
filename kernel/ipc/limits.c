/*
 * The System V IPC limits of /proc/sys/kernel (shmmax, shmall, shmmni,
 * sem, msgmax, msgmnb, msgmni) with Linux's defaults, apart from the code
 * that enforces them so that procfs needs nothing else.
 * Model: Linux ipc/namespace.c, ipc/shm.c shm_init_ns, ipc/msg.c.
 */
#include <umk/ipc.h>

struct ipc_limits ipc_limits = {
	.shmmax = ~0UL - (1UL << 24),
	.shmall = ~0UL - (1UL << 24),
	.shmmni = 4096,
	.semmsl = 32000, .semmns = 1024000000, .semopm = 500,
	.semmni = 32000,
	.msgmax = 8192,
	.msgmnb = 16384,
	.msgmni = 32000,
};
