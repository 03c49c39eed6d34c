/*
 * Credentials (Linux kernel/cred.c): copy-on-write struct cred. A task
 * changes its ids by preparing a copy, editing it and installing it.
 */
#include <umk/sched.h>
#include <umk/capability.h>
#include <string.h>

struct cred *prepare_creds(const struct cred *old)
{
	struct cred *c = kmalloc(sizeof(*c));

	if (!c)
		return NULL;
	*c = *old;
	c->usage = 1;
	return c;
}

void put_cred(struct cred *c)
{
	if (c && --c->usage == 0)
		kfree(c);
}

bool in_group_p(const struct cred *c, gid_t gid)
{
	if (c->fsgid == gid)
		return true;
	for (int i = 0; i < c->ngroups; i++)
		if (c->groups[i] == gid)
			return true;
	return false;
}

/* Install new as the current task's credentials as they are. */
static void install_creds(struct cred *new)
{
	const struct cred *old = current->cred;

	/* Linux: a process whose ids change is no longer dumpable
	 * (suid_dumpable 0) until its next execve. */
	if (current->mm && (old->euid != new->euid || old->egid != new->egid ||
			    old->fsuid != new->fsuid || old->fsgid != new->fsgid))
		current->mm->not_dumpable = true;
	put_cred(current->cred);
	current->cred = new;
}

/* Install new as the current task's credentials (commit_creds); a change
 * of user ids moves the capability sets as Linux does. */
void commit_creds(struct cred *new)
{
	cap_fix_setuid(new, current->cred);
	install_creds(new);
}

void exec_creds(void)
{
	struct cred *new = prepare_creds(current->cred);

	if (!new)
		return;
	cap_bprm_apply(new);
	install_creds(new);
}
