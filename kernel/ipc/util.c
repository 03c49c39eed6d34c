/*
 * System V IPC common code: object ids, get-or-create, permissions, the
 * /proc/sysvipc dispatch. Model: Linux ipc/util.c.
 */
#include <os.h>
#include <string.h>
#include <sys/stat.h>
#include "util.h"


time_t ipc_now(void)
{
	return os_realtime_ns() / 1000000000ULL;
}

static struct kern_ipc_perm *find_key(struct ipc_ids *ids, key_t key)
{
	for (int i = 0; i <= ids->max_idx; i++) {
		struct kern_ipc_perm *p = ids->entries[i];

		if (p && p->key == key)
			return p;
	}
	return NULL;
}

/* Put p at the lowest free index: its id. -ENOSPC past mni. */
static int ipc_addid(struct ipc_ids *ids, struct kern_ipc_perm *p, int mni)
{
	int idx;

	if (ids->in_use >= mni)
		return -ENOSPC;
	for (idx = 0; idx < IPCMNI && ids->entries[idx]; idx++)
		;
	if (idx >= min(mni, IPCMNI))
		return -ENOSPC;
	p->seq = ids->seq;
	ids->seq = (ids->seq + 1) % (INT32_MAX / IPCMNI);
	p->id = p->seq * IPCMNI + idx;
	ids->entries[idx] = p;
	ids->in_use++;
	if (idx > ids->max_idx)
		ids->max_idx = idx;
	return p->id;
}

void ipc_rmid(struct ipc_ids *ids, struct kern_ipc_perm *p)
{
	int idx = p->id % IPCMNI;

	if (ids->entries[idx] != p)
		return;
	ids->entries[idx] = NULL;
	ids->in_use--;
	while (ids->max_idx >= 0 && !ids->entries[ids->max_idx])
		ids->max_idx--;
	p->deleted = true;
}

struct kern_ipc_perm *ipc_obtain(struct ipc_ids *ids, int id)
{
	struct kern_ipc_perm *p;

	if (id < 0)
		return NULL;
	p = ids->entries[id % IPCMNI];
	return p && p->id == id ? p : NULL;
}

struct kern_ipc_perm *ipc_obtain_idx(struct ipc_ids *ids, int idx)
{
	if (idx < 0 || idx >= IPCMNI)
		return NULL;
	return ids->entries[idx];
}

static bool in_egroup(const struct cred *c, gid_t gid)
{
	if (c->egid == gid)
		return true;
	for (int i = 0; i < c->ngroups; i++)
		if (c->groups[i] == gid)
			return true;
	return false;
}

int ipcperms(const struct kern_ipc_perm *p, int flag)
{
	const struct cred *c = current->cred;
	int requested = (flag >> 6) | (flag >> 3) | flag;
	int granted = p->mode;

	if (c->euid == p->cuid || c->euid == p->uid)
		granted >>= 6;
	else if (in_egroup(c, p->cgid) || in_egroup(c, p->gid))
		granted >>= 3;
	if ((requested & ~granted & 0007) && !capable(c))
		return -EACCES;
	return 0;
}

int ipc_owner_check(const struct kern_ipc_perm *p)
{
	const struct cred *c = current->cred;

	if (c->euid == p->cuid || c->euid == p->uid || capable(c))
		return 0;
	return -EPERM;
}

void ipc_init_perm(struct kern_ipc_perm *p, key_t key, int flg)
{
	const struct cred *c = current->cred;

	p->key = key;
	p->mode = flg & S_IRWXUGO_IPC;
	p->uid = p->cuid = c->euid;
	p->gid = p->cgid = c->egid;
}

void kernel_to_ipc_perm(const struct kern_ipc_perm *p, struct ipc_perm *out)
{
	memset(out, 0, sizeof(*out));
	out->__key = p->key;
	out->uid = p->uid;
	out->gid = p->gid;
	out->cuid = p->cuid;
	out->cgid = p->cgid;
	out->mode = p->mode;
	out->__seq = p->seq;
}

void ipc_update_perm(const struct ipc_perm *in, struct kern_ipc_perm *p)
{
	p->uid = in->uid;
	p->gid = in->gid;
	p->mode = (p->mode & ~S_IRWXUGO_IPC) | (in->mode & S_IRWXUGO_IPC);
}

int ipcget(struct ipc_ids *ids, int mni, const struct ipc_ops *ops,
	   key_t key, int flg, long arg)
{
	struct kern_ipc_perm *p = NULL;
	int err;

	if (key != IPC_PRIVATE) {
		p = find_key(ids, key);
		if (!p && !(flg & IPC_CREAT))
			return -ENOENT;
	}
	if (p) {
		if ((flg & IPC_CREAT) && (flg & IPC_EXCL))
			return -EEXIST;
		err = ops->more_checks ? ops->more_checks(p, arg) : 0;
		if (!err)
			err = ipcperms(p, flg);
		return err ? err : p->id;
	}
	if (ids->in_use >= mni)
		return -ENOSPC;
	p = ops->newobj(key, flg, arg);
	if (IS_ERR(p))
		return PTR_ERR(p);
	err = ipc_addid(ids, p, mni);
	if (err < 0)
		ops->freeobj(p);
	return err;
}

void sysvipc_proc_show(int which, void (*emit)(void *ctx, const char *line),
		       void *ctx)
{
	if (which == 0)
		shm_proc_show(emit, ctx);
	else if (which == 1)
		sem_proc_show(emit, ctx);
	else
		msg_proc_show(emit, ctx);
}
