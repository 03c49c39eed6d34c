/*
 * caps: capabilities and prctl. capget/capset (version probe, dropping and
 * raising, EPERM rules), what setuid does to the sets (with and without
 * PR_SET_KEEPCAPS, seteuid back to root), the bounding and ambient sets,
 * execve of root and of a non-root process with ambient capabilities,
 * no_new_privs, timer slack and its inheritance, the dumpable flag,
 * PR_SET_CHILD_SUBREAPER adopting grandchildren and PR_SET_PDEATHSIG
 * firing when the parent dies; hostile arguments. Native root may lack
 * some capabilities (containers), so only relations are printed.
 */
#include "guest.h"
#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>

#define CHOWN_BIT (1ULL << CAP_CHOWN)

struct caps {
	unsigned long long eff, perm, inh;
};

static int get_caps(pid_t pid, struct caps *c)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, pid };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -errno;
	c->eff = d[0].effective | (unsigned long long)d[1].effective << 32;
	c->perm = d[0].permitted | (unsigned long long)d[1].permitted << 32;
	c->inh = d[0].inheritable | (unsigned long long)d[1].inheritable << 32;
	return 0;
}

static int set_caps(const struct caps *c)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = {
		{ c->eff, c->perm, c->inh },
		{ c->eff >> 32, c->perm >> 32, c->inh >> 32 },
	};

	return syscall(SYS_capset, &h, d) ? -errno : 0;
}

/* Run fn in a child; its exit status (a bit mask or errno) is printed. */
static void in_child(const char *name, int (*fn)(void))
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn());
	say("%s: %s", name, reap(pid));
}

static int drop_and_raise(void)
{
	struct caps c, d;
	int r = 0;

	get_caps(0, &c);
	d = c;
	d.eff &= ~CHOWN_BIT;
	r |= set_caps(&d) == 0;
	get_caps(0, &d);
	r |= (!(d.eff & CHOWN_BIT) && (d.perm & CHOWN_BIT)) << 1;
	d.eff |= CHOWN_BIT;
	r |= (set_caps(&d) == 0) << 2;
	d.perm &= ~CHOWN_BIT;
	d.eff &= ~CHOWN_BIT;
	r |= (set_caps(&d) == 0) << 3;
	d.eff |= CHOWN_BIT;
	r |= (set_caps(&d) == -EPERM) << 4;
	d.eff &= ~CHOWN_BIT;
	d.perm |= CHOWN_BIT;
	r |= (set_caps(&d) == -EPERM) << 5;
	return r;
}

static int setuid_drops(void)
{
	struct caps c;

	if (setuid(1000))
		return 100;
	get_caps(0, &c);
	return (c.eff == 0) | (c.perm == 0) << 1 | (c.inh == 0) << 2;
}

static int keepcaps(void)
{
	struct caps before, after;

	get_caps(0, &before);
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0))
		return 100;
	if (setresuid(1000, 1000, 1000))
		return 101;
	get_caps(0, &after);
	return (after.perm == before.perm) | (after.eff == 0) << 1 |
	       (prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0) == 1) << 2;
}

static int seteuid_back(void)
{
	struct caps c, full;

	get_caps(0, &full);
	if (seteuid(1000))
		return 100;
	get_caps(0, &c);
	if (c.eff != 0 || c.perm != full.perm)
		return 101;
	if (seteuid(0))
		return 102;
	get_caps(0, &c);
	return c.eff == full.perm ? 0 : 103;
}

static int ambient(void)
{
	struct caps c;
	int r = 0;

	r |= (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_CHOWN, 0, 0) < 0 &&
	      errno == EPERM);
	get_caps(0, &c);
	c.inh |= CHOWN_BIT;
	set_caps(&c);
	r |= (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_CHOWN, 0, 0) == 0) << 1;
	r |= (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_CHOWN, 0, 0) == 1) << 2;
	r |= (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_LOWER, CAP_CHOWN, 0, 0) == 0) << 3;
	r |= (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_CHOWN, 0, 0) == 0) << 4;
	r |= (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 1, 0, 0) < 0 &&
	      errno == EINVAL) << 5;
	r |= (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, 99, 0, 0) < 0 &&
	      errno == EINVAL) << 6;
	r |= (prctl(PR_CAP_AMBIENT, 9, CAP_CHOWN, 0, 0) < 0 &&
	      errno == EINVAL) << 7;
	return r;
}

static int bset(void)
{
	int r = 0;

	r |= prctl(PR_CAPBSET_READ, CAP_SYS_BOOT, 0, 0, 0) == 1;
	r |= (prctl(PR_CAPBSET_DROP, CAP_SYS_BOOT, 0, 0, 0) == 0) << 1;
	r |= (prctl(PR_CAPBSET_READ, CAP_SYS_BOOT, 0, 0, 0) == 0) << 2;
	r |= (prctl(PR_CAPBSET_DROP, 99, 0, 0, 0) < 0 && errno == EINVAL) << 3;
	if (setuid(1000))
		return 100;
	r |= (prctl(PR_CAPBSET_DROP, CAP_CHOWN, 0, 0, 0) < 0 && errno == EPERM) << 4;
	return r;
}

static const char *self;

/* Exec self to report the sets after execve (see main). */
static int exec_root(void)
{
	struct caps c;

	get_caps(0, &c);
	c.eff &= ~CHOWN_BIT;
	set_caps(&c);
	execl(self, "caps", "report", (char *)NULL);
	return 99;
}

static int exec_ambient(void)
{
	struct caps c;

	get_caps(0, &c);
	c.inh |= CHOWN_BIT;
	set_caps(&c);
	prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0);
	if (setresuid(1000, 1000, 1000))
		return 100;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_CHOWN, 0, 0))
		return 101;
	execl(self, "caps", "report", (char *)NULL);
	return 99;
}

/* After execve: 1 eff == perm, 2 eff == CHOWN only, 4 CHOWN in eff,
 * 8 keepcaps cleared. */
static int report(void)
{
	struct caps c;

	get_caps(0, &c);
	return (c.eff == c.perm) | (c.eff == CHOWN_BIT) << 1 |
	       !!(c.eff & CHOWN_BIT) << 2 |
	       (prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0) == 0) << 3;
}

static int nnp(void)
{
	int r = 0;

	r |= prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 0;
	r |= (prctl(PR_SET_NO_NEW_PRIVS, 1, 1, 0, 0) < 0 && errno == EINVAL) << 1;
	r |= (prctl(PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0) < 0 && errno == EINVAL) << 2;
	r |= (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0) << 3;
	r |= (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1) << 4;
	r |= (prctl(PR_GET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 && errno == EINVAL) << 5;
	return r;
}

static void test_capget(void)
{
	struct __user_cap_header_struct h = { 0, 0 };
	struct __user_cap_data_struct d[2];
	struct caps c;
	pid_t pid;

	resv("capget_probe", syscall(SYS_capget, &h, NULL));
	say("capget_probe_version: %#x", h.version);
	h.version = _LINUX_CAPABILITY_VERSION_3;
	resv("capget_null_data", syscall(SYS_capget, &h, NULL));
	resv("capget_v1", syscall(SYS_capget,
		&(struct __user_cap_header_struct){ _LINUX_CAPABILITY_VERSION_1, 0 }, d));
	resv("capget", get_caps(0, &c));
	yesno("root_eff_eq_perm", c.eff == c.perm);
	yesno("root_inh_empty", c.inh == 0);
	yesno("root_has_setuid_sysadmin_chown",
	      (c.eff >> CAP_SETUID & 1) && (c.eff >> CAP_SYS_ADMIN & 1) &&
	      (c.eff & CHOWN_BIT));
	resv("capget_self_pid", get_caps(getpid(), &c));
	resv("capget_neg_pid", get_caps(-1, &c));
	pid = fork();
	if (pid == 0)
		_exit(0);
	reap(pid);
	resv("capget_dead_pid", get_caps(pid, &c));
	resv("capget_bad_header", syscall(SYS_capget, BAD1, d));
	resv("capget_bad_data", syscall(SYS_capget, &h, BAD1));
	h = (struct __user_cap_header_struct){ _LINUX_CAPABILITY_VERSION_3, 1 };
	get_caps(0, &c);
	resv("capset_other_pid", syscall(SYS_capset, &h, d));
	h.pid = 0;
	resv("capset_bad_data", syscall(SYS_capset, &h, unmapped_page()));
	h.version = 0x1234;
	resv("capset_bad_version", syscall(SYS_capset, &h, d));
	resv("capbset_read_chown", prctl(PR_CAPBSET_READ, CAP_CHOWN, 0, 0, 0));
	resv("capbset_read_41", prctl(PR_CAPBSET_READ, 41, 0, 0, 0));
	resv("capbset_read_neg", prctl(PR_CAPBSET_READ, -1L, 0, 0, 0));
	in_child("drop_and_raise", drop_and_raise);
	in_child("setuid_drops_all", setuid_drops);
	in_child("keepcaps", keepcaps);
	in_child("seteuid_back", seteuid_back);
	in_child("ambient", ambient);
	in_child("bset", bset);
	in_child("exec_root", exec_root);
	in_child("exec_ambient", exec_ambient);
	in_child("no_new_privs", nnp);
	resv("keepcaps_bad", prctl(PR_SET_KEEPCAPS, 2, 0, 0, 0));
}

static void test_prctl_misc(void)
{
	pid_t pid;
	int v = -1;

	resv("timerslack_default", prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
	resv("timerslack_set", prctl(PR_SET_TIMERSLACK, 1000, 0, 0, 0));
	resv("timerslack_get", prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
	pid = fork();
	if (pid == 0) {
		int inherited = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0) == 1000;

		prctl(PR_SET_TIMERSLACK, 5000, 0, 0, 0);
		prctl(PR_SET_TIMERSLACK, 0, 0, 0, 0);
		_exit(inherited | (prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0) == 1000) << 1);
	}
	say("timerslack_child: %s", reap(pid));
	resv("timerslack_reset", prctl(PR_SET_TIMERSLACK, 0, 0, 0, 0));
	resv("timerslack_after_reset", prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
	resv("dumpable", prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
	resv("dumpable_set0", prctl(PR_SET_DUMPABLE, 0, 0, 0, 0));
	resv("dumpable_now", prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
	resv("dumpable_set2", prctl(PR_SET_DUMPABLE, 2, 0, 0, 0));
	resv("dumpable_set1", prctl(PR_SET_DUMPABLE, 1, 0, 0, 0));
	resv("pdeathsig_set", prctl(PR_SET_PDEATHSIG, SIGUSR1, 0, 0, 0));
	prctl(PR_GET_PDEATHSIG, &v, 0, 0, 0);
	resv("pdeathsig_get", v);
	resv("pdeathsig_bad", prctl(PR_SET_PDEATHSIG, 99, 0, 0, 0));
	resv("pdeathsig_get_bad", prctl(PR_GET_PDEATHSIG, BAD1, 0, 0, 0));
	prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
	resv("unknown_option", prctl(0x7fff0000, 0, 0, 0, 0));
}

/* Subreaper: a grandchild whose parent exits is ours; it also gets its
 * parent-death signal. */
static void test_subreaper(void)
{
	int p[2], q[2], v = -1;
	pid_t mid, grand = -1, got;
	int st;

	resv("subreaper_set", prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
	prctl(PR_GET_CHILD_SUBREAPER, &v, 0, 0, 0);
	resv("subreaper_get", v);
	resv("subreaper_get_bad", prctl(PR_GET_CHILD_SUBREAPER, BAD1, 0, 0, 0));
	if (pipe(p) || pipe(q))
		return;
	mid = fork();
	if (mid == 0) {
		char c;

		if (fork() == 0) {
			pid_t me = getpid(), first = getppid();

			prctl(PR_SET_PDEATHSIG, SIGUSR2, 0, 0, 0);
			if (write(p[1], &me, sizeof(me)) < 0 ||
			    write(q[1], "r", 1) < 0)
				_exit(1);
			WAIT_UNTIL(getppid() != first);
			/* SIGUSR2 kills us before this unless it never came */
			_exit(0);
		}
		_exit(read(q[0], &c, 1) == 1 ? 0 : 1);
	}
	close(p[1]);
	close(q[1]);
	say("middle_exit: %s", reap(mid));
	if (read(p[0], &grand, sizeof(grand)) != sizeof(grand))
		grand = -1;
	do
		got = waitpid(-1, &st, 0);
	while (got < 0 && errno == EINTR);
	yesno("grandchild_reaped_by_subreaper", got == grand && grand > 0);
	say("grandchild_status: %s", got > 0 ? wstr(st) : ename(errno));
	close(p[0]);
	close(q[0]);
	prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "report"))
		return report();
	test_start();
	if (access("/proc/self/exe", F_OK))
		mount("proc", "/proc", "proc", 0, NULL);
	/* The magic link itself, not the path it names: uid 1000 must reach
	 * the program even when a directory above it is closed to others
	 * (a checkout in a mktemp -d directory, mode 0700). */
	self = "/proc/self/exe";
	test_capget();
	test_prctl_misc();
	test_subreaper();
	say("DONE caps");
	return 0;
}
