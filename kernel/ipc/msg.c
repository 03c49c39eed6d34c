/*
 * System V message queues: msgget, msgsnd, msgrcv, msgctl. A queue holds
 * at most msg_qbytes bytes (and as many messages); a sender facing a full
 * queue and a receiver facing no matching message sleep unless
 * IPC_NOWAIT. A signal handler ends the sleep with EINTR, a signal with no
 * handler restarts it (ERESTARTNOHAND, as Linux).
 * Semantics: Linux ipc/msg.c, msgop(2), msgctl(2).
 */
#include <umk/syscalls.h>
#include <umk/uaccess.h>
#include <umk/mm.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/msg.h>
#include "util.h"

#ifndef MSG_COPY
#define MSG_COPY 040000
#endif
#define MSGPOOL_MIN (16UL << 20)

struct msg_msg {
	struct list_head list;		/* in q->messages, oldest first */
	long mtype;
	size_t size;
	char text[];
};

struct msg_queue {
	struct kern_ipc_perm perm;	/* first */
	time_t stime, rtime, ctime;
	unsigned long cbytes, qnum, qbytes;
	pid_t lspid, lrpid;
	struct list_head messages;
	struct wait_queue_head wait;	/* senders and receivers */
};

static struct ipc_ids msg_ids = { .max_idx = -1 };
/* Bytes of text queued in all queues (msgtql), and what the queued
 * messages cost umk's heap, headers included: at most an eighth of the
 * guest's memory (16 MiB at least), so queues cannot grow umk's heap
 * without bound, with empty messages either. */
static unsigned long msg_bytes, msg_mem;

static size_t msg_cost(size_t size)
{
	return sizeof(struct msg_msg) + size;
}

static unsigned long msg_pool(void)
{
	return max(totalram_bytes / 8, MSGPOOL_MIN);
}

static struct msg_queue *to_msq(struct kern_ipc_perm *p)
{
	return container_of(p, struct msg_queue, perm);
}

static struct kern_ipc_perm *msg_newobj(key_t key, int flg, long arg)
{
	struct msg_queue *q = kzalloc(sizeof(*q));

	if (!q)
		return ERR_PTR(-ENOMEM);
	ipc_init_perm(&q->perm, key, flg);
	q->qbytes = ipc_limits.msgmnb;
	q->ctime = ipc_now();
	INIT_LIST_HEAD(&q->messages);
	init_waitqueue_head(&q->wait);
	return &q->perm;
}

static void free_messages(struct msg_queue *q)
{
	struct msg_msg *m, *n;

	list_for_each_entry_safe(m, n, &q->messages, list) {
		msg_bytes -= m->size;
		msg_mem -= msg_cost(m->size);
		list_del_init(&m->list);
		kfree(m);
	}
}

static void msg_put(struct msg_queue *q)
{
	if (q->perm.deleted && q->perm.refs == 0)
		kfree(q);
}

static void msg_freeobj(struct kern_ipc_perm *p)
{
	kfree(to_msq(p));
}

static const struct ipc_ops msg_ops = {
	.newobj = msg_newobj,
	.freeobj = msg_freeobj,
};

SYSCALL_DEFINE2(msgget, key_t, key, int, msgflg)
{
	return ipcget(&msg_ids, ipc_limits.msgmni, &msg_ops, key, msgflg, 0);
}

/*
 * Sleep on q until it changes or a signal comes: 0 to look again,
 * -ERESTARTNOHAND on a signal, -EIDRM when q was removed meanwhile.
 */
static int msg_wait(struct msg_queue *q)
{
	struct wait_queue_entry w = { .task = current };

	if (signal_pending(current))
		return -ERESTARTNOHAND;
	q->perm.refs++;
	add_wait_queue(&q->wait, &w);
	schedule_sleep(true);
	remove_wait_queue(&q->wait, &w);
	q->perm.refs--;
	if (q->perm.deleted)
		return -EIDRM;
	return signal_pending(current) ? -ERESTARTNOHAND : 0;
}

static bool msg_fits(struct msg_queue *q, size_t size)
{
	return q->cbytes + size <= q->qbytes && q->qnum + 1 <= q->qbytes &&
	       msg_mem + msg_cost(size) <= msg_pool();
}

SYSCALL_DEFINE4(msgsnd, int, msqid, struct uptr, msgp, size_t, msgsz, int, msgflg)
{
	struct kern_ipc_perm *p;
	struct msg_queue *q;
	struct msg_msg *m;
	long mtype, err;

	if (msgsz > (size_t)ipc_limits.msgmax || (long)msgsz < 0 || msqid < 0)
		return -EINVAL;
	if (copy_from_user(&mtype, msgp, sizeof(mtype)))
		return -EFAULT;
	if (mtype < 1)
		return -EINVAL;
	if (msgsz > msg_pool())
		return -ENOMEM;
	m = kmalloc(sizeof(*m) + msgsz);
	if (!m)
		return -ENOMEM;
	m->mtype = mtype;
	m->size = msgsz;
	err = -EFAULT;
	if (copy_from_user(m->text, uptr_add(msgp, sizeof(long)), msgsz))
		goto out_free;
	err = -EINVAL;
	p = ipc_obtain(&msg_ids, msqid);
	if (!p)
		goto out_free;
	q = to_msq(p);
	err = ipcperms(p, 0222);
	if (err)
		goto out_free;
	while (!msg_fits(q, msgsz)) {
		if (msgflg & IPC_NOWAIT) {
			err = -EAGAIN;
			goto out_put;
		}
		err = msg_wait(q);
		if (err)
			goto out_put;
	}
	list_add_tail(&m->list, &q->messages);
	q->cbytes += msgsz;
	q->qnum++;
	msg_bytes += msgsz;
	msg_mem += msg_cost(msgsz);
	q->lspid = current->tgid;
	q->stime = ipc_now();
	wake_up(&q->wait);
	return 0;

out_put:
	msg_put(q);
out_free:
	kfree(m);
	return err;
}

/* The message msgrcv takes: Linux find_msg with convert_mode's modes. */
static struct msg_msg *find_msg(struct msg_queue *q, long msgtyp, int msgflg)
{
	struct msg_msg *m, *best = NULL;
	long n = 0;

	if (msgflg & MSG_COPY) {
		list_for_each_entry(m, &q->messages, list) {
			if (n++ == msgtyp)
				return m;
		}
		return NULL;
	}
	list_for_each_entry(m, &q->messages, list) {
		if (msgtyp == 0)
			return m;
		if (msgtyp > 0 && (msgflg & MSG_EXCEPT) && m->mtype != msgtyp)
			return m;
		if (msgtyp > 0 && !(msgflg & MSG_EXCEPT) && m->mtype == msgtyp)
			return m;
		if (msgtyp < 0) {
			long limit = msgtyp == LONG_MIN ? LONG_MAX : -msgtyp;

			if (m->mtype <= limit && (!best || m->mtype < best->mtype))
				best = m;
		}
	}
	return best;
}

/* Copy m to the guest: mtype, then at most bufsz bytes. The count. */
static long store_msg(struct uptr msgp, const struct msg_msg *m, size_t bufsz)
{
	size_t n = min(bufsz, m->size);

	if (copy_to_user(msgp, &m->mtype, sizeof(long)) ||
	    copy_to_user(uptr_add(msgp, sizeof(long)), m->text, n))
		return -EFAULT;
	return n;
}

SYSCALL_DEFINE5(msgrcv, int, msqid, struct uptr, msgp, size_t, msgsz, long, msgtyp, int, msgflg)
{
	struct kern_ipc_perm *p;
	struct msg_queue *q;
	struct msg_msg *m;
	long ret;

	if (msqid < 0 || (long)msgsz < 0)
		return -EINVAL;
	if ((msgflg & MSG_COPY) &&
	    ((msgflg & MSG_EXCEPT) || !(msgflg & IPC_NOWAIT)))
		return -EINVAL;
	p = ipc_obtain(&msg_ids, msqid);
	if (!p)
		return -EINVAL;
	q = to_msq(p);
	if (ipcperms(p, 0444))
		return -EACCES;
	while (!(m = find_msg(q, msgtyp, msgflg))) {
		if (msgflg & IPC_NOWAIT) {
			ret = -ENOMSG;
			goto out_put;
		}
		ret = msg_wait(q);
		if (ret)
			goto out_put;
	}
	if (msgsz < m->size && !(msgflg & MSG_NOERROR)) {
		ret = -E2BIG;
		goto out_put;
	}
	if (msgflg & MSG_COPY)
		return store_msg(msgp, m, msgsz);
	list_del_init(&m->list);
	q->cbytes -= m->size;
	q->qnum--;
	msg_bytes -= m->size;
	msg_mem -= msg_cost(m->size);
	q->lrpid = current->tgid;
	q->rtime = ipc_now();
	wake_up(&q->wait);
	ret = store_msg(msgp, m, msgsz);
	kfree(m);
	return ret;

out_put:
	msg_put(q);
	return ret;
}

/* --- msgctl --- */

static void fill_msqid_ds(struct msg_queue *q, struct msqid_ds *ds)
{
	memset(ds, 0, sizeof(*ds));
	kernel_to_ipc_perm(&q->perm, &ds->msg_perm);
	ds->msg_stime = q->stime;
	ds->msg_rtime = q->rtime;
	ds->msg_ctime = q->ctime;
	ds->__msg_cbytes = q->cbytes;
	ds->msg_qnum = q->qnum;
	ds->msg_qbytes = q->qbytes;
	ds->msg_lspid = q->lspid;
	ds->msg_lrpid = q->lrpid;
}

static long msg_info(int cmd, struct uptr buf)
{
	struct msginfo mi = {
		.msgmni = ipc_limits.msgmni, .msgmax = ipc_limits.msgmax,
		.msgmnb = ipc_limits.msgmnb, .msgssz = 16, .msgseg = 0xffff,
		.msgpool = ipc_limits.msgmni * ipc_limits.msgmnb / 1024,
		.msgmap = ipc_limits.msgmni * ipc_limits.msgmnb / 16,
		.msgtql = ipc_limits.msgmni * ipc_limits.msgmnb / 16,
	};

	if (cmd == MSG_INFO) {
		struct msg_msg *m;

		mi.msgpool = msg_ids.in_use;
		mi.msgmap = mi.msgtql = 0;
		for (int i = 0; i <= msg_ids.max_idx; i++) {
			if (!msg_ids.entries[i])
				continue;
			list_for_each_entry(m, &to_msq(msg_ids.entries[i])->messages, list)
				mi.msgmap++;
		}
		mi.msgtql = msg_bytes;
	}
	if (copy_to_user(buf, &mi, sizeof(mi)))
		return -EFAULT;
	return msg_ids.max_idx < 0 ? 0 : msg_ids.max_idx;
}

static long msg_stat(int msqid, int cmd, struct uptr buf)
{
	struct kern_ipc_perm *p;
	struct msqid_ds ds;
	long ret = 0;

	if (cmd == IPC_STAT) {
		p = ipc_obtain(&msg_ids, msqid);
	} else {
		p = ipc_obtain_idx(&msg_ids, msqid);
		if (p)
			ret = p->id;
	}
	if (!p)
		return -EINVAL;
	if (cmd != MSG_STAT_ANY && ipcperms(p, 0444))
		return -EACCES;
	fill_msqid_ds(to_msq(p), &ds);
	if (copy_to_user(buf, &ds, sizeof(ds)))
		return -EFAULT;
	return ret;
}

SYSCALL_DEFINE3(msgctl, int, msqid, int, cmd, struct uptr, buf)
{
	struct kern_ipc_perm *p;
	struct msg_queue *q;
	struct msqid_ds ds;
	int err;

	if (msqid < 0 || cmd < 0)
		return -EINVAL;
	switch (cmd) {
	case IPC_INFO:
	case MSG_INFO:
		return msg_info(cmd, buf);
	case IPC_STAT:
	case MSG_STAT:
	case MSG_STAT_ANY:
		return msg_stat(msqid, cmd, buf);
	case IPC_SET:
		if (copy_from_user(&ds, buf, sizeof(ds)))
			return -EFAULT;
		break;
	case IPC_RMID:
		break;
	default:
		return -EINVAL;
	}
	p = ipc_obtain(&msg_ids, msqid);
	if (!p)
		return -EINVAL;
	err = ipc_owner_check(p);
	if (err)
		return err;
	q = to_msq(p);
	if (cmd == IPC_SET) {
		if (ds.msg_qbytes > (unsigned long)ipc_limits.msgmnb &&
		    !capable(current->cred))
			return -EPERM;
		ipc_update_perm(&ds.msg_perm, p);
		q->qbytes = ds.msg_qbytes;
		q->ctime = ipc_now();
		wake_up(&q->wait);
		return 0;
	}
	ipc_rmid(&msg_ids, p);
	free_messages(q);
	wake_up(&q->wait);
	msg_put(q);
	return 0;
}

void msg_proc_show(void (*emit)(void *ctx, const char *line), void *ctx)
{
	char line[220];

	emit(ctx, "       key      msqid perms      cbytes       qnum lspid "
		  "lrpid   uid   gid  cuid  cgid      stime      rtime      "
		  "ctime\n");
	for (int i = 0; i <= msg_ids.max_idx; i++) {
		struct msg_queue *q;

		if (!msg_ids.entries[i])
			continue;
		q = to_msq(msg_ids.entries[i]);
		snprintf(line, sizeof(line),
			 "%10d %10d  %4o  %10lu %10lu %5u %5u %5u %5u %5u %5u "
			 "%10llu %10llu %10llu\n",
			 q->perm.key, q->perm.id, q->perm.mode, q->cbytes,
			 q->qnum, q->lspid, q->lrpid, q->perm.uid, q->perm.gid,
			 q->perm.cuid, q->perm.cgid,
			 (unsigned long long)q->stime,
			 (unsigned long long)q->rtime,
			 (unsigned long long)q->ctime);
		emit(ctx, line);
	}
}
