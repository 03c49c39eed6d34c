/*
 * misc: system information and credentials: uname, sysinfo, getrandom,
 * rlimits (getrlimit/setrlimit/prlimit64, RLIMIT_NOFILE enforced), the
 * getuid family as root, dropping privileges in a child (then EPERM and
 * EACCES), supplementary groups, umask, prctl names, arch_prctl, unknown
 * syscall numbers, ioctl on a non-tty; with hostile arguments.
 */
#include "guest.h"
#include <sys/auxv.h>
#include <grp.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <asm/prctl.h>

static void test_uname(void)
{
	struct utsname u;

	chk("uname", uname(&u));
	say("uname_sysname: %s", u.sysname);
	say("uname_machine: %s", u.machine);
	yesno("uname_nodename_set", u.nodename[0] != 0);
	yesno("uname_release_set", u.release[0] >= '0' && u.release[0] <= '9');
	yesno("uname_version_set", u.version[0] != 0);
	ERR("uname_bad1", syscall(SYS_uname, BAD1));
	ERR("uname_bad2", syscall(SYS_uname, BAD2));
	ERR("uname_unmapped", syscall(SYS_uname, unmapped_page()));
	ERR("sethostname_toolong", syscall(SYS_sethostname, "x", 1000L));
	ERR("sethostname_bad_ptr", syscall(SYS_sethostname, BAD1, 4L));
}

static void test_sysinfo(void)
{
	struct sysinfo si;

	chk("sysinfo", sysinfo(&si));
	yesno("sysinfo_sane", si.totalram > 0 && si.mem_unit >= 1 && si.procs >= 1 &&
	      si.freeram <= si.totalram && si.uptime >= 0);
	ERR("sysinfo_bad", syscall(SYS_sysinfo, BAD1));
}

static void test_random(void)
{
	unsigned char a[32], b[32];

	resv("getrandom", getrandom(a, sizeof(a), 0));
	resv("getrandom_nonblock", getrandom(b, sizeof(b), GRND_NONBLOCK));
	yesno("getrandom_differs", memcmp(a, b, sizeof(a)) != 0);
	resv("getrandom_zero", getrandom(a, 0, 0));
	ERR("getrandom_badflags", syscall(SYS_getrandom, a, 16L, 0x100));
	ERR("getrandom_bad1", syscall(SYS_getrandom, BAD1, 16L, 0));
	ERR("getrandom_bad2", syscall(SYS_getrandom, BAD2, 16L, 0));
	ERR("getrandom_unmapped", syscall(SYS_getrandom, unmapped_page(), 16L, 0));
}

static void test_rlimits(void)
{
	struct rlimit rl, old, low;
	int fds[64], n = 0, fd, base = open(".", O_RDONLY);

	chk("getrlimit_nofile", getrlimit(RLIMIT_NOFILE, &old));
	yesno("nofile_cur_le_max", old.rlim_cur <= old.rlim_max);
	low = (struct rlimit){ 16, old.rlim_max };
	chk("setrlimit_nofile_16", setrlimit(RLIMIT_NOFILE, &low));
	getrlimit(RLIMIT_NOFILE, &rl);
	resv("nofile_now", (long)rl.rlim_cur);
	while (n < 64 && (fd = dup(base)) >= 0)
		fds[n++] = fd;
	say("dup_until_limit: %s below_16=%d", ename(errno), fds[n - 1] < 16);
	ERR("dup2_beyond_limit", dup2(base, 20));
	ERR("fcntl_dupfd_beyond_limit", fcntl(base, F_DUPFD, 16));
	while (n > 0)
		close(fds[--n]);
	close(base);
	chk("setrlimit_restore", setrlimit(RLIMIT_NOFILE, &old));
	chk("prlimit64_get", prlimit(0, RLIMIT_NOFILE, NULL, &rl));
	yesno("prlimit64_same", rl.rlim_cur == old.rlim_cur && rl.rlim_max == old.rlim_max);
	ERR("prlimit64_missing_pid", prlimit(0x3ffffff0, RLIMIT_NOFILE, NULL, &rl));
	ERR("getrlimit_badres", syscall(SYS_getrlimit, 999, &rl));
	low = (struct rlimit){ 100, 50 };
	ERR("setrlimit_cur_gt_max", setrlimit(RLIMIT_NOFILE, &low));
	ERR("getrlimit_bad_ptr", syscall(SYS_getrlimit, RLIMIT_NOFILE, BAD1));
	ERR("setrlimit_bad_ptr", syscall(SYS_setrlimit, RLIMIT_NOFILE, BAD2));
	ERR("prlimit64_bad_new", syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, BAD1, NULL));
	chk("getrlimit_stack", getrlimit(RLIMIT_STACK, &rl));
	chk("getrlimit_as", getrlimit(RLIMIT_AS, &rl));
}

static void test_creds_root(void)
{
	uid_t r, e, s;
	gid_t gr, ge, gs;

	say("ids: uid=%d euid=%d gid=%d egid=%d", getuid(), geteuid(), getgid(), getegid());
	getresuid(&r, &e, &s);
	getresgid(&gr, &ge, &gs);
	say("resids: %d %d %d / %d %d %d", r, e, s, gr, ge, gs);
	ERR("getresuid_bad", syscall(SYS_getresuid, BAD1, &e, &s));
	ERR("getgroups_negative", syscall(SYS_getgroups, -1, NULL));
	yesno("getgroups_count", getgroups(0, NULL) >= 0);
}

/*
 * In a child: supplementary groups as root, then drop to 1000:1000 and check
 * what that denies. The child reports through a pipe to keep order.
 */
static void test_drop_privileges(void)
{
	int p[2], fd;
	char buf[2048];
	ssize_t n;
	pid_t pid;

	fd = open("secret", O_CREAT | O_WRONLY | O_TRUNC, 0600);
	write(fd, "s", 1);
	close(fd);
	pipe(p);
	pid = fork();
	if (pid == 0) {
		gid_t set[2] = { 4, 27 }, got[8];
		struct rlimit rl;
		dup2(p[1], 1);
		chk("setgroups", setgroups(2, set));
		n = getgroups(8, got);
		say("getgroups: n=%ld [%d %d]", (long)n, got[0], got[1]);
		ERR("getgroups_small", getgroups(1, got));
		ERR("getgroups_bad", syscall(SYS_getgroups, 4, BAD1));
		ERR("setgroups_bad", syscall(SYS_setgroups, 2, BAD1));
		ERR("setgroups_too_many", syscall(SYS_setgroups, 100000, got));
		chk("setresgid", setresgid(1000, 1000, 1000));
		chk("setresuid", setresuid(1000, 1000, 1000));
		say("dropped: uid=%d euid=%d gid=%d egid=%d", getuid(), geteuid(), getgid(), getegid());
		ERR("setuid_0", setuid(0));
		ERR("setgid_0", setgid(0));
		ERR("setgroups_unpriv", setgroups(0, NULL));
		ERR("open_root_0600", open("secret", O_RDONLY));
		ERR("create_in_root_dir", open("newfile", O_CREAT | O_WRONLY, 0644));
		ERR("chmod_not_owner", chmod("secret", 0777));
		ERR("kill_root_parent", kill(getppid(), 0));
		getrlimit(RLIMIT_NOFILE, &rl);
		rl.rlim_max += 1;
		ERR("raise_hard_limit", setrlimit(RLIMIT_NOFILE, &rl));
		ERR("sethostname_unpriv", sethostname("x", 1));
		chk("setuid_same", setuid(1000));
		_exit(0);
	}
	close(p[1]);
	while ((n = read(p[0], buf, sizeof(buf))) > 0)
		write(1, buf, n);
	close(p[0]);
	say("drop_child: %s", reap(pid));
	unlink("secret");
}

static void test_misc(void)
{
	char name[32] = "";
	unsigned long fs = 0;
	int fd;

	say("umask_initial: %04o", umask(027));
	say("umask_set: %04o", umask(022));
	chk("prctl_set_name", prctl(PR_SET_NAME, "tname"));
	chk("prctl_get_name", prctl(PR_GET_NAME, name));
	say("prctl_name: %s", name);
	ERR("prctl_badoption", prctl(0x7fff1234, 0, 0, 0, 0));
	ERR("prctl_get_name_bad", syscall(SYS_prctl, PR_GET_NAME, BAD1, 0, 0, 0));
	chk("arch_prctl_get_fs", syscall(SYS_arch_prctl, ARCH_GET_FS, &fs));
	yesno("fs_base_set", fs != 0);
	ERR("arch_prctl_badcode", syscall(SYS_arch_prctl, 0x9999, &fs));
	ERR("arch_prctl_bad_ptr", syscall(SYS_arch_prctl, ARCH_GET_FS, BAD1));
	ERR("syscall_1000", syscall(1000));
	ERR("syscall_neg", syscall(-1L));
	ERR("syscall_512", syscall(512));
	fd = open("plain", O_CREAT | O_RDWR, 0644);
	{
		struct termios_like { char b[64]; } t;
		ERR("ioctl_tcgets_file", ioctl(fd, TCGETS, &t));
	}
	ERR("ioctl_badfd", ioctl(999, FIONREAD, &fs));
	close(fd);
	unlink("plain");
	errno = 0;
	getpriority(PRIO_PROCESS, 0);
	say("getpriority: %s", ename(errno));
	ERR("getpriority_badwhich", getpriority(99, 0));
	chk("sched_getscheduler", sched_getscheduler(0));
}

/* What exec put in the auxiliary vector from the host's own: the vDSO,
 * the CPU's features, the signal stack size this CPU needs. */
static void test_auxv(void)
{
	say("auxv_vdso: %s", getauxval(AT_SYSINFO_EHDR) ? "yes" : "no");
	say("auxv_hwcap: %#lx", getauxval(AT_HWCAP));
	say("auxv_hwcap2: %#lx", getauxval(AT_HWCAP2));
	say("auxv_minsigstksz: %lu", getauxval(AT_MINSIGSTKSZ));
	say("auxv_pagesz: %lu", getauxval(AT_PAGESZ));
}

int main(void)
{
	const char *dir;
	mode_t initial;

	initial = umask(022);
	umask(initial);
	test_start();
	umask(initial);
	dir = scratch_dir("misc");
	test_uname();
	test_sysinfo();
	test_random();
	test_rlimits();
	test_creds_root();
	test_drop_privileges();
	test_misc();
	test_auxv();
	scratch_cleanup(dir);
	say("DONE misc");
	return 0;
}
