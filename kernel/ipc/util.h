/*
 * What shm.c, sem.c and msg.c share (Linux ipc/util.h): the permission
 * record of every object, the id table of each kind with ids that carry a
 * sequence number (so a stale id is -EINVAL, not another object), the
 * get-or-create of *get(2) and the checks of the *ctl(2) commands.
 */
#ifndef UMK_IPC_UTIL_H
#define UMK_IPC_UTIL_H

#include <umk/ipc.h>
#include <umk/sched.h>
#include <sys/ipc.h>

/* Linux struct kern_ipc_perm. */
struct kern_ipc_perm {
	key_t key;			/* IPC_PRIVATE (0) once removed */
	int id;				/* seq * IPCMNI + index */
	uid_t uid, cuid;
	gid_t gid, cgid;
	unsigned int mode;		/* 0777 bits, plus SHM_DEST... */
	unsigned short seq;
	bool deleted;			/* IPC_RMID done: sleepers see EIDRM */
	int refs;			/* sleepers holding it past IPC_RMID */
};

/* The objects of one kind: entries[index], NULL when free. */
struct ipc_ids {
	struct kern_ipc_perm *entries[IPCMNI];
	int in_use;
	int max_idx;			/* highest index in use, -1 none */
	unsigned short seq;
};

/* The kind's constructor and checks for ipcget. */
struct ipc_ops {
	/* A new object for key with the create flags (perm bits in flg):
	 * its kern_ipc_perm, not yet in ids, or ERR_PTR. */
	struct kern_ipc_perm *(*newobj)(key_t key, int flg, long arg);
	/* An existing object asked for again: -EINVAL if it cannot do what
	 * arg asks (a bigger segment, more semaphores). */
	int (*more_checks)(struct kern_ipc_perm *p, long arg);
	/* Undo newobj when the object gets no id after all. */
	void (*freeobj)(struct kern_ipc_perm *p);
};

/* get(2): find key or create (IPC_CREAT, IPC_EXCL, IPC_PRIVATE); the id,
 * -ENOENT, -EEXIST, -EACCES, -ENOSPC (mni objects), or newobj's error. */
int ipcget(struct ipc_ids *ids, int mni, const struct ipc_ops *ops,
	   key_t key, int flg, long arg);
/* The object of id, or NULL (-EINVAL for the caller). */
struct kern_ipc_perm *ipc_obtain(struct ipc_ids *ids, int id);
/* The object at index idx (the *_STAT commands), or NULL. */
struct kern_ipc_perm *ipc_obtain_idx(struct ipc_ids *ids, int idx);
/* Take p out of ids (IPC_RMID): lookups fail from now on. */
void ipc_rmid(struct ipc_ids *ids, struct kern_ipc_perm *p);
/* Linux ipcperms: may the caller access p with flag (S_IRUGO, S_IWUGO...
 * bits)? 0 or -EACCES (root passes). */
int ipcperms(const struct kern_ipc_perm *p, int flag);
/* May the caller change or remove p (owner, creator or root)? 0, -EPERM. */
int ipc_owner_check(const struct kern_ipc_perm *p);
/* Fill the common kern_ipc_perm of a new object from the caller. */
void ipc_init_perm(struct kern_ipc_perm *p, key_t key, int flg);
/* IPC_STAT's struct ipc_perm from p. */
void kernel_to_ipc_perm(const struct kern_ipc_perm *p, struct ipc_perm *out);
/* IPC_SET: uid, gid and the 0777 mode bits from in. */
void ipc_update_perm(const struct ipc_perm *in, struct kern_ipc_perm *p);
/* Seconds of the wall clock, for the *_time fields. */
time_t ipc_now(void);

/* Permission bits for ipcperms. */
#define S_IRUGO_IPC 0444

/* The lines of /proc/sysvipc/{shm,sem,msg}. */
void shm_proc_show(void (*emit)(void *ctx, const char *line), void *ctx);
void sem_proc_show(void (*emit)(void *ctx, const char *line), void *ctx);
void msg_proc_show(void (*emit)(void *ctx, const char *line), void *ctx);

#define S_IRWXUGO_IPC 0777

#endif
