/*
 * System V IPC (kernel/ipc/): shared memory segments, semaphore sets and
 * message queues, one namespace for the whole guest. What the rest of the
 * kernel calls: the address-space hooks of shared memory attaches, the
 * SEM_UNDO adjustments at exit, the limits /proc/sys/kernel shows and
 * sets, and the text of /proc/sysvipc. Semantics: Linux ipc/, svipc(7).
 */
#ifndef UMK_IPC_H
#define UMK_IPC_H

#include <umk/kernel.h>

struct mm_struct;

/* The tunables of /proc/sys/kernel, Linux's defaults (ipc/namespace.c). */
struct ipc_limits {
	unsigned long shmmax;		/* bytes of one segment */
	unsigned long shmall;		/* pages of all segments */
	int shmmni;			/* segments */
	int semmsl, semmns, semopm, semmni;	/* kernel/sem, in this order */
	int msgmax;			/* bytes of one message */
	int msgmnb;			/* default bytes of a queue */
	int msgmni;			/* queues */
};
extern struct ipc_limits ipc_limits;
#define IPCMNI 32768			/* most objects of one kind */

/* Shared memory attaches follow their address space (shm.c): */
/* fork: dst has the same attaches as src (nattch counts them). */
void shm_mm_dup(struct mm_struct *dst, struct mm_struct *src);
/* exit or exec: mm is gone, detach everything it had attached. */
void shm_mm_exit(struct mm_struct *mm);
/* munmap or MAP_FIXED over [start, end) of mm: an attach inside it goes. */
void shm_mm_unmap(struct mm_struct *mm, unsigned long start,
		  unsigned long end);
/* mremap moved the mapping at old_start to new_start. */
void shm_mm_remap(struct mm_struct *mm, unsigned long old_start,
		  unsigned long new_start);

/* Bytes the host holds for all shared memory segments, attached or not
 * (their memfds' allocated blocks): guest memory charged against mem=,
 * as Linux counts SysV shm as Shmem (kernel/oom_kill.c). */
uint64_t shm_resident_bytes(void);

/* The last thread of process tgid exits: apply its SEM_UNDO adjustments
 * (sem.c, Linux exit_sem). */
void exit_sem(pid_t tgid);

/* /proc/sysvipc/{shm,sem,msg} (which = 0, 1, 2): the header and one line
 * per object, each passed to emit (NUL-terminated, newline included). */
void sysvipc_proc_show(int which, void (*emit)(void *ctx, const char *line),
		       void *ctx);

#endif
