/*
 * capget(2) and capset(2) (Linux kernel/capability.c) over umk's model of
 * capabilities: a task whose euid is 0 has every capability (effective
 * and permitted), any other task none, and no task inherits any. capset
 * accepts what Linux would accept from that state (sets that do not grow)
 * and records nothing: a root task that drops capabilities keeps being
 * root to the kernel. Programs such as iproute2 drop their capabilities
 * at start and stop when capset fails.
 */
#include <umk/sched.h>
#include <umk/syscalls.h>
#include <umk/uaccess.h>
#include <linux/capability.h>

#define CAP_FULL_LOW	0xffffffffu
#define CAP_FULL_HIGH	((1u << (CAP_LAST_CAP - 31)) - 1)

/* Words of data per header version (1 or 2); -EINVAL after writing the
 * version the kernel prefers into the header, as Linux. */
static int cap_words(struct uptr header, struct __user_cap_header_struct *h)
{
	if (copy_from_user(h, header, sizeof(*h)))
		return -EFAULT;
	switch (h->version) {
	case _LINUX_CAPABILITY_VERSION_1:
		return 1;
	case _LINUX_CAPABILITY_VERSION_2:
	case _LINUX_CAPABILITY_VERSION_3:
		return 2;
	}
	h->version = _LINUX_CAPABILITY_VERSION_3;
	if (copy_to_user(header, &h->version, sizeof(h->version)))
		return -EFAULT;
	return -EINVAL;
}

/* The sets of task t as Linux reports them. */
static void cap_of(const struct task *t, struct __user_cap_data_struct d[2])
{
	bool root = t->cred->euid == 0;

	d[0] = (struct __user_cap_data_struct){
		.effective = root ? CAP_FULL_LOW : 0,
		.permitted = root ? CAP_FULL_LOW : 0,
	};
	d[1] = (struct __user_cap_data_struct){
		.effective = root ? CAP_FULL_HIGH : 0,
		.permitted = root ? CAP_FULL_HIGH : 0,
	};
}

SYSCALL_DEFINE2(capget, struct uptr, header, struct uptr, dataptr)
{
	struct __user_cap_header_struct h;
	struct __user_cap_data_struct d[2];
	struct task *t = current;
	int words = cap_words(header, &h);

	if (words < 0)
		return uptr_null(dataptr) && words == -EINVAL ? 0 : words;
	if (h.pid < 0)
		return -EINVAL;
	if (h.pid && h.pid != current->pid) {
		t = find_task_by_pid(h.pid);
		if (!t)
			return -ESRCH;
	}
	if (uptr_null(dataptr))
		return 0;
	cap_of(t, d);
	return copy_to_user(dataptr, d, words * sizeof(d[0])) ? -EFAULT : 0;
}

SYSCALL_DEFINE2(capset, struct uptr, header, struct uptr, data)
{
	struct __user_cap_header_struct h;
	struct __user_cap_data_struct want[2] = { { 0 } }, now[2];
	int words = cap_words(header, &h);

	if (words < 0)
		return words;
	if (h.pid && h.pid != current->pid)
		return -EPERM;
	if (copy_from_user(want, data, words * sizeof(want[0])))
		return -EFAULT;
	cap_of(current, now);
	for (int i = 0; i < words; i++) {
		/* Linux cap_capset: nothing new in permitted, effective
		 * within the new permitted, inheritable within permitted. */
		if ((want[i].permitted & ~now[i].permitted) ||
		    (want[i].effective & ~want[i].permitted) ||
		    (want[i].inheritable & ~now[i].permitted))
			return -EPERM;
	}
	return 0;
}
