/*
 * Host privileges: before any guest task exists umk drops every host
 * capability (effective, permitted, inheritable, ambient and the bounding
 * set, with libcap) and sets no_new_privs, so even when run as host root
 * it gives its guests nothing. It also becomes a child subreaper, so a
 * guest host process whose host parent died is still reaped by umk.
 */
#include <os.h>
#include <errno.h>
#include <sys/prctl.h>
#include <sys/capability.h>

int os_drop_privileges(void)
{
	cap_t none;
	int err = 0;

	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		return -errno;
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	for (int cap = 0; cap <= CAP_LAST_CAP; cap++)
		if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) > 0)
			prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
	none = cap_init();
	if (!none)
		return -ENOMEM;
	if (cap_set_proc(none) < 0)
		err = -errno;
	cap_free(none);
	if (err)
		return err;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	return 0;
}

/* Does the host process still hold any capability? (for the boot log) */
int os_has_capabilities(void)
{
	cap_t now = cap_get_proc(), none = cap_init();
	int differ = cap_compare(now, none) != 0;

	cap_free(now);
	cap_free(none);
	return differ;
}
