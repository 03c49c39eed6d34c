/*
 * Capabilities of the guest credentials: capget, capset, the bounding and
 * ambient sets of prctl, what a change of user ids does to them
 * (cap_emulate_setxuid, the fsuid rule) and what execve does (no file
 * capabilities in umk: root gets its bounding set, others their ambient
 * set). Guest root starts with every capability; capable() is
 * CAP_SYS_ADMIN in the effective set (include/umk/sched.h).
 * Semantics: Linux kernel/capability.c, security/commoncap.c,
 * capabilities(7).
 */
#include <umk/capability.h>
#include <umk/syscalls.h>
#include <umk/uaccess.h>
#include <linux/capability.h>
#include <sys/prctl.h>

#define CAP_FS_MASK	((1ULL << 0) | (1ULL << 1) | (1ULL << 2) | \
			 (1ULL << 3) | (1ULL << 4) | (1ULL << 9) | \
			 (1ULL << 27) | (1ULL << 32))	/* CAP_FS_SET */

static bool any_root_uid(uid_t r, uid_t e, uid_t s)
{
	return r == 0 || e == 0 || s == 0;
}

void cap_fix_setuid(struct cred *new, const struct cred *old)
{
	if (any_root_uid(old->uid, old->euid, old->suid) &&
	    !any_root_uid(new->uid, new->euid, new->suid)) {
		if (!old->keep_caps) {
			new->cap_permitted = 0;
			new->cap_effective = 0;
		}
		new->cap_ambient = 0;
	}
	if (old->euid == 0 && new->euid != 0)
		new->cap_effective = 0;
	if (old->euid != 0 && new->euid == 0)
		new->cap_effective = new->cap_permitted;
	if (old->fsuid == 0 && new->fsuid != 0)
		new->cap_effective &= ~CAP_FS_MASK;
	if (old->fsuid != 0 && new->fsuid == 0)
		new->cap_effective |= new->cap_permitted & CAP_FS_MASK;
}

void cap_bprm_apply(struct cred *new)
{
	bool root = new->uid == 0 || new->euid == 0;

	if (root)
		new->cap_permitted = new->cap_bset | new->cap_inheritable;
	else
		new->cap_permitted = new->cap_ambient;
	new->cap_effective = new->euid == 0 ? new->cap_permitted :
					      new->cap_ambient;
	new->suid = new->fsuid = new->euid;
	new->sgid = new->fsgid = new->egid;
	new->keep_caps = false;
}

/* Linux cap_validate_magic: the number of 32-bit words of the version,
 * or -EINVAL with the preferred version written back. */
static int cap_validate_magic(struct uptr header, uint32_t version)
{
	uint32_t v3 = _LINUX_CAPABILITY_VERSION_3;

	switch (version) {
	case _LINUX_CAPABILITY_VERSION_1:
		return _LINUX_CAPABILITY_U32S_1;
	case _LINUX_CAPABILITY_VERSION_2:
	case _LINUX_CAPABILITY_VERSION_3:
		return _LINUX_CAPABILITY_U32S_3;
	}
	if (copy_to_user(header, &v3, sizeof(v3)))
		return -EFAULT;
	return -EINVAL;
}

SYSCALL_DEFINE2(capget, struct uptr, header, struct uptr, dataptr)
{
	struct __user_cap_header_struct h;
	struct __user_cap_data_struct d[2];
	const struct cred *c = current->cred;
	int words;

	if (copy_from_user(&h, header, sizeof(h)))
		return -EFAULT;
	words = cap_validate_magic(header, h.version);
	if (uptr_null(dataptr))		/* a probe for the version */
		return words == -EINVAL ? 0 : min(words, 0);
	if (words < 0)
		return words;
	if (h.pid < 0)
		return -EINVAL;
	if (h.pid && h.pid != current->pid) {
		struct task *t = find_task_by_pid(h.pid);

		if (!t)
			return -ESRCH;
		c = t->cred;
	}
	for (int i = 0; i < 2; i++) {
		d[i].effective = c->cap_effective >> (32 * i);
		d[i].permitted = c->cap_permitted >> (32 * i);
		d[i].inheritable = c->cap_inheritable >> (32 * i);
	}
	if (copy_to_user(dataptr, d, words * sizeof(d[0])))
		return -EFAULT;
	return 0;
}

void commit_creds(struct cred *new);

SYSCALL_DEFINE2(capset, struct uptr, header, struct uptr, data)
{
	struct __user_cap_header_struct h;
	struct __user_cap_data_struct d[2] = { 0 };
	const struct cred *old = current->cred;
	uint64_t eff = 0, perm = 0, inh = 0;
	struct cred *new;
	int words;

	if (copy_from_user(&h, header, sizeof(h)))
		return -EFAULT;
	words = cap_validate_magic(header, h.version);
	if (words < 0)
		return words;
	if (h.pid != 0 && h.pid != current->pid)
		return -EPERM;
	if (copy_from_user(d, data, words * sizeof(d[0])))
		return -EFAULT;
	for (int i = 0; i < words; i++) {
		eff |= (uint64_t)d[i].effective << (32 * i);
		perm |= (uint64_t)d[i].permitted << (32 * i);
		inh |= (uint64_t)d[i].inheritable << (32 * i);
	}
	eff &= CAP_FULL_SET;
	perm &= CAP_FULL_SET;
	inh &= CAP_FULL_SET;
	if (!has_capability(old, CAP_SETPCAP) &&
	    (inh & ~(old->cap_inheritable | old->cap_permitted)))
		return -EPERM;
	if (inh & ~(old->cap_inheritable | old->cap_bset))
		return -EPERM;
	if (perm & ~old->cap_permitted)
		return -EPERM;
	if (eff & ~perm)
		return -EPERM;
	new = prepare_creds(old);
	if (!new)
		return -ENOMEM;
	new->cap_effective = eff;
	new->cap_permitted = perm;
	new->cap_inheritable = inh;
	new->cap_ambient &= perm & inh;
	commit_creds(new);
	return 0;
}

static bool cap_ok(unsigned long cap)
{
	return cap <= CAP_LAST_CAP;
}

/* A copy of the current credentials changed by fn, installed. */
static long change_creds(void (*fn)(struct cred *c, unsigned long arg),
			 unsigned long arg)
{
	struct cred *new = prepare_creds(current->cred);

	if (!new)
		return -ENOMEM;
	fn(new, arg);
	commit_creds(new);
	return 0;
}

static void drop_bset(struct cred *c, unsigned long cap)
{
	c->cap_bset &= ~(1ULL << cap);
}

static void raise_ambient(struct cred *c, unsigned long cap)
{
	c->cap_ambient |= 1ULL << cap;
}

static void lower_ambient(struct cred *c, unsigned long cap)
{
	c->cap_ambient &= ~(1ULL << cap);
}

static void clear_ambient(struct cred *c, unsigned long unused)
{
	c->cap_ambient = 0;
}

static void set_keep_caps(struct cred *c, unsigned long on)
{
	c->keep_caps = on;
}

static void set_no_new_privs(struct cred *c, unsigned long unused)
{
	c->no_new_privs = true;
}

long cap_prctl(int option, unsigned long a2, unsigned long a3,
	       unsigned long a4, unsigned long a5)
{
	const struct cred *c = current->cred;

	switch (option) {
	case PR_CAPBSET_READ:
		if (!cap_ok(a2))
			return -EINVAL;
		return (c->cap_bset >> a2) & 1;
	case PR_CAPBSET_DROP:
		if (!has_capability(c, CAP_SETPCAP))
			return -EPERM;
		if (!cap_ok(a2))
			return -EINVAL;
		return change_creds(drop_bset, a2);
	case PR_CAP_AMBIENT:
		if (a2 == PR_CAP_AMBIENT_CLEAR_ALL) {
			if (a3 | a4 | a5)
				return -EINVAL;
			return change_creds(clear_ambient, 0);
		}
		if (!cap_ok(a3) || a4 || a5)
			return -EINVAL;
		if (a2 == PR_CAP_AMBIENT_IS_SET)
			return (c->cap_ambient >> a3) & 1;
		if (a2 == PR_CAP_AMBIENT_LOWER)
			return change_creds(lower_ambient, a3);
		if (a2 != PR_CAP_AMBIENT_RAISE)
			return -EINVAL;
		if (!((c->cap_permitted >> a3) & 1) ||
		    !((c->cap_inheritable >> a3) & 1))
			return -EPERM;
		return change_creds(raise_ambient, a3);
	case PR_GET_KEEPCAPS:
		return c->keep_caps;
	case PR_SET_KEEPCAPS:
		if (a2 > 1)
			return -EINVAL;
		return change_creds(set_keep_caps, a2);
	case PR_SET_NO_NEW_PRIVS:
		if (a2 != 1 || a3 || a4 || a5)
			return -EINVAL;
		return change_creds(set_no_new_privs, 0);
	case PR_GET_NO_NEW_PRIVS:
		if (a2 || a3 || a4 || a5)
			return -EINVAL;
		return c->no_new_privs;
	}
	return -EINVAL;
}
