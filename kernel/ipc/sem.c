/*
 * System V semaphores: semget, semop, semtimedop, semctl. A semop applies
 * all its operations at once or none: a caller that cannot go on sleeps on
 * the set's wait queue (counted in semncnt/semzcnt) and tries again after
 * every change of the set. A signal ends the sleep with EINTR (semop is
 * never restarted, signal(7)). SEM_UNDO adjustments are kept per process
 * and applied when its last thread exits.
 * Semantics: Linux ipc/sem.c, semget(2), semop(2), semctl(2).
 */
#include <umk/syscalls.h>
#include <umk/uaccess.h>
#include <stdio.h>
#include <string.h>
#include <sys/sem.h>
#include "util.h"

#define SEMVMX 32767			/* largest semaphore value */
#define SEMAEM SEMVMX			/* largest undo adjustment */
/* Semaphores of all sets together: Linux's semmns is 1024000000, umk
 * also keeps them within what a guest may make umk allocate. */
#define SEM_TOTAL_MAX (1 << 20)

struct sem {
	int semval;
	pid_t sempid;			/* last process to change it */
	int ncnt, zcnt;			/* sleepers waiting on it */
};

struct sem_array {
	struct kern_ipc_perm perm;	/* first */
	time_t otime, ctime;
	int nsems;
	struct wait_queue_head wait;	/* semop sleepers */
	struct sem sems[];
};

/* SEM_UNDO adjustments of one process for one set. */
struct sem_undo {
	struct list_head list;		/* in sem_undos */
	pid_t tgid;
	int semid;
	int nsems;
	short semadj[];
};

static struct ipc_ids sem_ids = { .max_idx = -1 };
static LIST_HEAD(sem_undos);
static long used_sems;
/* Bytes of all SEM_UNDO records: a guest cannot make umk hold more (a
 * semop that would need another record fails with -ENOMEM). */
#define SEM_UNDO_BYTES_MAX (32UL << 20)
static size_t undo_bytes;

static struct sem_array *to_sem(struct kern_ipc_perm *p)
{
	return container_of(p, struct sem_array, perm);
}

static struct kern_ipc_perm *sem_newobj(key_t key, int flg, long nsems)
{
	struct sem_array *sma;

	if (!nsems)
		return ERR_PTR(-EINVAL);
	if (used_sems + nsems > ipc_limits.semmns ||
	    used_sems + nsems > SEM_TOTAL_MAX)
		return ERR_PTR(-ENOSPC);
	sma = kzalloc(sizeof(*sma) + nsems * sizeof(struct sem));
	if (!sma)
		return ERR_PTR(-ENOMEM);
	ipc_init_perm(&sma->perm, key, flg);
	sma->nsems = nsems;
	sma->ctime = ipc_now();
	init_waitqueue_head(&sma->wait);
	used_sems += nsems;
	return &sma->perm;
}

static void sem_put(struct sem_array *sma)
{
	if (sma->perm.deleted && sma->perm.refs == 0)
		kfree(sma);
}

static void sem_freeobj(struct kern_ipc_perm *p)
{
	used_sems -= to_sem(p)->nsems;
	kfree(to_sem(p));
}

static int sem_more_checks(struct kern_ipc_perm *p, long nsems)
{
	return nsems > to_sem(p)->nsems ? -EINVAL : 0;
}

static const struct ipc_ops sem_ops = {
	.newobj = sem_newobj,
	.more_checks = sem_more_checks,
	.freeobj = sem_freeobj,
};

SYSCALL_DEFINE3(semget, key_t, key, int, nsems, int, semflg)
{
	if (nsems < 0 || nsems > ipc_limits.semmsl)
		return -EINVAL;
	return ipcget(&sem_ids, ipc_limits.semmni, &sem_ops, key, semflg,
		      nsems);
}

/* --- undo lists --- */

static struct sem_undo *find_undo(pid_t tgid, int semid)
{
	struct sem_undo *un;

	list_for_each_entry(un, &sem_undos, list) {
		if (un->tgid == tgid && un->semid == semid)
			return un;
	}
	return NULL;
}

static struct sem_undo *find_alloc_undo(struct sem_array *sma)
{
	struct sem_undo *un = find_undo(current->tgid, sma->perm.id);

	size_t size = sizeof(*un) + sma->nsems * sizeof(short);

	if (un)
		return un;
	if (undo_bytes + size > SEM_UNDO_BYTES_MAX)
		return NULL;
	un = kzalloc(size);
	if (!un)
		return NULL;
	undo_bytes += size;
	un->tgid = current->tgid;
	un->semid = sma->perm.id;
	un->nsems = sma->nsems;
	list_add_tail(&un->list, &sem_undos);
	return un;
}

static void free_undo(struct sem_undo *un)
{
	undo_bytes -= sizeof(*un) + un->nsems * sizeof(short);
	list_del_init(&un->list);
	kfree(un);
}

/* SETVAL (semnum) or SETALL (-1): the adjustments for it are void. */
static void clear_undos(int semid, int semnum)
{
	struct sem_undo *un;

	list_for_each_entry(un, &sem_undos, list) {
		if (un->semid != semid)
			continue;
		if (semnum < 0)
			memset(un->semadj, 0, un->nsems * sizeof(short));
		else if (semnum < un->nsems)
			un->semadj[semnum] = 0;
	}
}

static void drop_undos(int semid)
{
	struct sem_undo *un, *n;

	list_for_each_entry_safe(un, n, &sem_undos, list) {
		if (un->semid == semid)
			free_undo(un);
	}
}

void exit_sem(pid_t tgid)
{
	struct sem_undo *un, *n;

	list_for_each_entry_safe(un, n, &sem_undos, list) {
		struct kern_ipc_perm *p;

		if (un->tgid != tgid)
			continue;
		p = ipc_obtain(&sem_ids, un->semid);
		if (p) {
			struct sem_array *sma = to_sem(p);

			for (int i = 0; i < un->nsems && i < sma->nsems; i++) {
				int v = sma->sems[i].semval + un->semadj[i];

				if (!un->semadj[i])
					continue;
				sma->sems[i].semval = v < 0 ? 0 :
						      v > SEMVMX ? SEMVMX : v;
				sma->sems[i].sempid = tgid;
			}
			sma->otime = ipc_now();
			wake_up(&sma->wait);
		}
		free_undo(un);
	}
}

/* --- semop --- */

/*
 * Linux perform_atomic_semop: apply every operation or none. 0 when done,
 * 1 when the caller must wait (*blocker the operation that could not
 * go), -EAGAIN (that operation had IPC_NOWAIT), -ERANGE (a value or an
 * undo adjustment out of range).
 */
static int try_semop(struct sem_array *sma, const struct sembuf *sops,
		     unsigned int nsops, struct sem_undo *un, int *blocker)
{
	int saved[nsops];
	unsigned int i;
	int err = 0;

	for (i = 0; i < nsops; i++) {
		struct sem *s = &sma->sems[sops[i].sem_num];
		int op = sops[i].sem_op, v = s->semval + op;

		saved[i] = s->semval;
		if ((!op && s->semval) || v < 0) {
			*blocker = i;
			err = (sops[i].sem_flg & IPC_NOWAIT) ? -EAGAIN : 1;
			break;
		}
		if (v > SEMVMX) {
			err = -ERANGE;
			break;
		}
		if (sops[i].sem_flg & SEM_UNDO) {
			int adj = un->semadj[sops[i].sem_num] - op;

			if (adj < -SEMAEM - 1 || adj > SEMAEM) {
				err = -ERANGE;
				break;
			}
		}
		s->semval = v;
	}
	if (err) {
		while (i-- > 0)
			sma->sems[sops[i].sem_num].semval = saved[i];
		return err;
	}
	for (i = 0; i < nsops; i++) {
		sma->sems[sops[i].sem_num].sempid = current->tgid;
		if (sops[i].sem_flg & SEM_UNDO)
			un->semadj[sops[i].sem_num] -= sops[i].sem_op;
	}
	sma->otime = ipc_now();
	return 0;
}

/*
 * Sleep until the set changes, the deadline (ns, 0 = none) passes or a
 * signal comes; the blocking operation counts in semncnt/semzcnt
 * meanwhile. 0 to try again, -EINTR, -EAGAIN (timed out), -EIDRM.
 */
static int semop_wait(struct sem_array *sma, const struct sembuf *sop,
		      uint64_t deadline)
{
	struct wait_queue_entry w = { .task = current };
	struct sem *s = &sma->sems[sop->sem_num];
	int *cnt = sop->sem_op ? &s->ncnt : &s->zcnt;
	int r;

	if (signal_pending(current))
		return -EINTR;
	(*cnt)++;
	sma->perm.refs++;
	add_wait_queue(&sma->wait, &w);
	if (deadline)
		r = schedule_timeout(deadline);
	else {
		schedule_sleep(true);
		r = 1;
	}
	remove_wait_queue(&sma->wait, &w);
	sma->perm.refs--;
	(*cnt)--;
	if (sma->perm.deleted)
		return -EIDRM;
	if (signal_pending(current))
		return -EINTR;
	if (r == 0 || (deadline && ktime_get_ns() >= deadline))
		return -EAGAIN;
	return 0;
}

static long do_semtimedop(int semid, struct uptr tsops, unsigned int nsops,
			  const struct timespec *timeout)
{
	struct sembuf *sops;
	struct sem_array *sma;
	struct kern_ipc_perm *p;
	struct sem_undo *un = NULL;
	uint64_t deadline = 0;
	bool undo = false, alter = false;
	int max = 0, blocker = 0;
	long err;

	if (nsops < 1 || semid < 0)
		return -EINVAL;
	if (nsops > (unsigned int)ipc_limits.semopm)
		return -E2BIG;
	sops = kmalloc(nsops * sizeof(*sops));
	if (!sops)
		return -ENOMEM;
	err = -EFAULT;
	if (copy_from_user(sops, tsops, nsops * sizeof(*sops)))
		goto out_free;
	if (timeout) {
		err = -EINVAL;
		if (timeout->tv_sec < 0 || timeout->tv_nsec < 0 ||
		    timeout->tv_nsec >= 1000000000L)
			goto out_free;
		deadline = ktime_get_ns() + timeout->tv_sec * 1000000000ULL +
			   timeout->tv_nsec;
		if (!deadline)
			deadline = 1;
	}
	for (unsigned int i = 0; i < nsops; i++) {
		max = max(max, sops[i].sem_num);
		undo |= sops[i].sem_flg & SEM_UNDO;
		alter |= sops[i].sem_op != 0;
	}
	err = -EINVAL;
	p = ipc_obtain(&sem_ids, semid);
	if (!p)
		goto out_free;
	sma = to_sem(p);
	err = -EFBIG;
	if (max >= sma->nsems)
		goto out_free;
	err = ipcperms(p, alter ? 0222 : 0444);
	if (err)
		goto out_free;
	err = -ENOMEM;
	if (undo && !(un = find_alloc_undo(sma)))
		goto out_free;
	for (;;) {
		err = try_semop(sma, sops, nsops, un, &blocker);
		if (err <= 0)
			break;
		err = semop_wait(sma, &sops[blocker], deadline);
		if (err)
			break;
	}
	if (!err)
		wake_up(&sma->wait);
	sem_put(sma);
out_free:
	kfree(sops);
	return err;
}

SYSCALL_DEFINE3(semop, int, semid, struct uptr, tsops, unsigned int, nsops)
{
	return do_semtimedop(semid, tsops, nsops, NULL);
}

SYSCALL_DEFINE4(semtimedop, int, semid, struct uptr, tsops, unsigned int, nsops, struct uptr, timeout)
{
	struct timespec ts;

	if (uptr_null(timeout))
		return do_semtimedop(semid, tsops, nsops, NULL);
	if (copy_from_user(&ts, timeout, sizeof(ts)))
		return -EFAULT;
	return do_semtimedop(semid, tsops, nsops, &ts);
}

/* --- semctl --- */

static void fill_semid_ds(struct sem_array *sma, struct semid_ds *ds)
{
	memset(ds, 0, sizeof(*ds));
	kernel_to_ipc_perm(&sma->perm, &ds->sem_perm);
	ds->sem_otime = sma->otime;
	ds->sem_ctime = sma->ctime;
	ds->sem_nsems = sma->nsems;
}

static long sem_info(int cmd, struct uptr buf)
{
	struct seminfo si = {
		.semmni = ipc_limits.semmni, .semmns = ipc_limits.semmns,
		.semmsl = ipc_limits.semmsl, .semopm = ipc_limits.semopm,
		.semvmx = SEMVMX, .semusz = 20, .semume = 500,
		.semmnu = ipc_limits.semmns, .semaem = SEMAEM,
		.semmap = ipc_limits.semmns,
	};

	if (cmd == SEM_INFO) {
		si.semusz = sem_ids.in_use;
		si.semaem = used_sems;
	}
	if (copy_to_user(buf, &si, sizeof(si)))
		return -EFAULT;
	return sem_ids.max_idx < 0 ? 0 : sem_ids.max_idx;
}

static long sem_stat(int semid, int cmd, struct uptr buf)
{
	struct kern_ipc_perm *p;
	struct semid_ds ds;
	long ret = 0;

	if (cmd == IPC_STAT) {
		p = ipc_obtain(&sem_ids, semid);
	} else {
		p = ipc_obtain_idx(&sem_ids, semid);
		if (p)
			ret = p->id;
	}
	if (!p)
		return -EINVAL;
	if (cmd != SEM_STAT_ANY && ipcperms(p, 0444))
		return -EACCES;
	fill_semid_ds(to_sem(p), &ds);
	if (copy_to_user(buf, &ds, sizeof(ds)))
		return -EFAULT;
	return ret;
}

static long sem_setval(int semid, int semnum, int val)
{
	struct kern_ipc_perm *p;
	struct sem_array *sma;

	if (val > SEMVMX || val < 0)
		return -ERANGE;
	p = ipc_obtain(&sem_ids, semid);
	if (!p)
		return -EINVAL;
	sma = to_sem(p);
	if (semnum < 0 || semnum >= sma->nsems)
		return -EINVAL;
	if (ipcperms(p, 0222))
		return -EACCES;
	clear_undos(semid, semnum);
	sma->sems[semnum].semval = val;
	sma->sems[semnum].sempid = current->tgid;
	sma->ctime = ipc_now();
	wake_up(&sma->wait);
	return 0;
}

/* GETALL and SETALL: the whole set as unsigned shorts. */
static long sem_all(struct sem_array *sma, int cmd, struct uptr array)
{
	unsigned short *v = kmalloc(sma->nsems * sizeof(*v));
	long err = 0;

	if (!v)
		return -ENOMEM;
	if (cmd == GETALL) {
		for (int i = 0; i < sma->nsems; i++)
			v[i] = sma->sems[i].semval;
		if (copy_to_user(array, v, sma->nsems * sizeof(*v)))
			err = -EFAULT;
		goto out;
	}
	if (copy_from_user(v, array, sma->nsems * sizeof(*v))) {
		err = -EFAULT;
		goto out;
	}
	for (int i = 0; i < sma->nsems; i++) {
		if (v[i] > SEMVMX) {
			err = -ERANGE;
			goto out;
		}
	}
	for (int i = 0; i < sma->nsems; i++) {
		sma->sems[i].semval = v[i];
		sma->sems[i].sempid = current->tgid;
	}
	clear_undos(sma->perm.id, -1);
	sma->ctime = ipc_now();
	wake_up(&sma->wait);
out:
	kfree(v);
	return err;
}

/* GETVAL, GETPID, GETNCNT, GETZCNT, GETALL, SETALL (Linux semctl_main). */
static long semctl_main(int semid, int semnum, int cmd, unsigned long arg)
{
	struct kern_ipc_perm *p = ipc_obtain(&sem_ids, semid);
	struct sem_array *sma;

	if (!p)
		return -EINVAL;
	sma = to_sem(p);
	if (ipcperms(p, cmd == SETALL ? 0222 : 0444))
		return -EACCES;
	if (cmd == GETALL || cmd == SETALL)
		return sem_all(sma, cmd, UPTR(arg));
	if (semnum < 0 || semnum >= sma->nsems)
		return -EINVAL;
	switch (cmd) {
	case GETVAL:
		return sma->sems[semnum].semval;
	case GETPID:
		return sma->sems[semnum].sempid;
	case GETNCNT:
		return sma->sems[semnum].ncnt;
	default:
		return sma->sems[semnum].zcnt;
	}
}

static long sem_rmid_set(int semid, int cmd, unsigned long arg)
{
	struct kern_ipc_perm *p;
	struct sem_array *sma;
	struct semid_ds ds;
	int err;

	if (cmd == IPC_SET && copy_from_user(&ds, UPTR(arg), sizeof(ds)))
		return -EFAULT;
	p = ipc_obtain(&sem_ids, semid);
	if (!p)
		return -EINVAL;
	err = ipc_owner_check(p);
	if (err)
		return err;
	sma = to_sem(p);
	if (cmd == IPC_SET) {
		ipc_update_perm(&ds.sem_perm, p);
		sma->ctime = ipc_now();
		return 0;
	}
	ipc_rmid(&sem_ids, p);
	used_sems -= sma->nsems;
	drop_undos(semid);
	wake_up(&sma->wait);
	sem_put(sma);
	return 0;
}

SYSCALL_DEFINE4(semctl, int, semid, int, semnum, int, cmd, unsigned long, arg)
{
	if (semid < 0)
		return -EINVAL;
	switch (cmd) {
	case IPC_INFO:
	case SEM_INFO:
		return sem_info(cmd, UPTR(arg));
	case IPC_STAT:
	case SEM_STAT:
	case SEM_STAT_ANY:
		return sem_stat(semid, cmd, UPTR(arg));
	case GETALL:
	case GETVAL:
	case GETPID:
	case GETNCNT:
	case GETZCNT:
	case SETALL:
		return semctl_main(semid, semnum, cmd, arg);
	case SETVAL:
		return sem_setval(semid, semnum, (int)arg);
	case IPC_RMID:
	case IPC_SET:
		return sem_rmid_set(semid, cmd, arg);
	default:
		return -EINVAL;
	}
}

void sem_proc_show(void (*emit)(void *ctx, const char *line), void *ctx)
{
	char line[200];

	emit(ctx, "       key      semid perms      nsems   uid   gid  cuid  "
		  "cgid      otime      ctime\n");
	for (int i = 0; i <= sem_ids.max_idx; i++) {
		struct sem_array *sma;

		if (!sem_ids.entries[i])
			continue;
		sma = to_sem(sem_ids.entries[i]);
		snprintf(line, sizeof(line),
			 "%10d %10d  %4o %10u %5u %5u %5u %5u %10llu %10llu\n",
			 sma->perm.key, sma->perm.id, sma->perm.mode,
			 sma->nsems, sma->perm.uid, sma->perm.gid,
			 sma->perm.cuid, sma->perm.cgid,
			 (unsigned long long)sma->otime,
			 (unsigned long long)sma->ctime);
		emit(ctx, line);
	}
}
