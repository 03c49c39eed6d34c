/*
 * umk_only: what only holds inside umk, checked against the explicit
 * expected output in umk_only.expected (never against a native run): no
 * i386 or x32 system calls, the test shell is pid 1 (init), orphans go to
 * init, the guest is root with its own hostname and its own /etc/shadow,
 * and init cannot be killed from inside.
 */
#include "guest.h"
#include <sys/socket.h>
#include <linux/netlink.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <sys/utsname.h>
#include <sched.h>

static sigjmp_buf jb;

static void on_fault(int sig)
{
	siglongjmp(jb, sig);
}

/* getpid through int $0x80 (i386 number 20): umk must answer -ENOSYS. */
static void test_int80(void)
{
	long ret = 0;
	int sig;

	signal(SIGSEGV, on_fault);
	if ((sig = sigsetjmp(jb, 1)) == 0) {
		__asm__ volatile("int $0x80" : "=a"(ret) : "a"(20L) : "memory");
		if ((int)ret == -ENOSYS)
			say("int80_getpid: ENOSYS");
		else if ((int)ret == getpid())
			say("int80_getpid: served as i386 getpid");
		else
			say("int80_getpid: served, returned %d", (int)ret);
	} else {
		say("int80_getpid: %s", sigabbrev_np(sig));
	}
	signal(SIGSEGV, SIG_DFL);
}

/* getpid with the x32 bit set: umk must answer -ENOSYS. */
static void test_x32(void)
{
	long ret;

	__asm__ volatile("syscall" : "=a"(ret) : "a"(39L | 0x40000000L)
			 : "rcx", "r11", "memory");
	if (ret == -ENOSYS)
		say("x32_getpid: ENOSYS");
	else
		say("x32_getpid: served, returned %ld", ret);
}

static void test_pids(void)
{
	int p[2];
	char buf[16] = "";
	pid_t mid;

	say("getppid: %d", getppid());
	yesno("getpid_not_1", getpid() != 1);
	say("getpgid_1: %s", getpgid(1) >= 0 ? "ok" : ename(errno));
	pipe(p);
	mid = fork();
	if (mid == 0) {
		pid_t me = getpid();
		if (fork() == 0) {
			WAIT_UNTIL(getppid() != me);
			snprintf(buf, sizeof(buf), "%d", getppid());
			write(p[1], buf, strlen(buf));
			_exit(0);
		}
		_exit(0);
	}
	close(p[1]);
	reap(mid);
	read(p[0], buf, sizeof(buf) - 1);
	say("orphan_ppid: %s", buf);
	close(p[0]);
}

/* True on a umk test image (its /etc/shadow is the guest's), never on a host. */
static int on_guest_image(void)
{
	char buf[4096] = "";
	int fd = open("/etc/shadow", O_RDONLY);

	if (fd < 0)
		return 0;
	read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return strstr(buf, "root:GUEST-SHADOW-umk:") != NULL;
}

static void test_identity(void)
{
	struct utsname u;

	say("ids: uid=%d euid=%d gid=%d egid=%d", getuid(), geteuid(), getgid(), getegid());
	chk("sethostname", sethostname("umk-test", 8));
	uname(&u);
	say("nodename: %s", u.nodename);
	say("sysname: %s", u.sysname);
}

static void test_init_unkillable(void)
{
	/* Linux drops it when it is sent; init (the shell that runs this
	 * test) also shows it lived on by printing exit= after us. */
	chk("kill_init_sigkill", kill(1, SIGKILL));
	chk("init_alive", kill(1, 0));
}

/* One counter of /proc/umk/stats, or -1. */
static long long stat_value(const char *name)
{
	char line[256], key[200];
	long long v, found = -1;
	FILE *f = fopen("/proc/umk/stats", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%199s %lld", key, &v) == 2 && !strcmp(key, name))
			found = v;
	fclose(f);
	return found;
}

/* The interception counters move exactly as this process's own calls do:
 * every getppid is one served call, with one ptrace stop in SKAS mode, two
 * in TT mode (issue: TT takes two stops per call, SKAS one), and one trap
 * into the stub in seccomp mode. */
static void test_stats(void)
{
	long long s0, c0, t0, s1, c1, t1;
	char cmdline[4096] = "";
	int fd, n, expect;

	if (access("/proc/umk/stats", R_OK) != 0)
		mount("proc", "/proc", "proc", 0, NULL);
	fd = open("/proc/cmdline", O_RDONLY);
	n = fd >= 0 ? read(fd, cmdline, sizeof(cmdline) - 1) : -1;
	if (n > 0)
		cmdline[n] = 0;
	if (fd >= 0)
		close(fd);
	expect = strstr(cmdline, "mode=tt") ? 2 : 1;
	s0 = stat_value("syscalls");
	c0 = stat_value("syscall.getppid.calls");
	t0 = stat_value("syscall.getppid.stops");
	for (int i = 0; i < 1000; i++)
		syscall(SYS_getppid);
	s1 = stat_value("syscalls");
	c1 = stat_value("syscall.getppid.calls");
	t1 = stat_value("syscall.getppid.stops");
	yesno("stats_readable", s0 > 0 &&
	      stat_value("ptrace_stops") + stat_value("seccomp_traps") > 0 &&
	      stat_value("ctxsw_kernel_thread") >= 0 &&
	      stat_value("ctxsw_guest") >= 0);
	yesno("stats_syscalls_moved_by_1000", s1 - s0 >= 1000);
	say("stats_getppid_calls: %lld", c1 - (c0 < 0 ? 0 : c0));
	yesno("stats_stops_per_getppid_as_mode",
	      t1 - (t0 < 0 ? 0 : t0) == expect * (c1 - (c0 < 0 ? 0 : c0)));
}

/* Families and netlink protocols umk does not have fail as on a Linux
 * kernel built without them (a host kernel has AF_PACKET and the audit
 * socket, so these cannot be compared with a native run). PAM and
 * shadow's tools accept EPROTONOSUPPORT from the audit socket. */
static void test_missing_net(void)
{
	ERR("socket_packet", socket(AF_PACKET, SOCK_RAW, 0));
	ERR("socket_bluetooth", socket(AF_BLUETOOTH, SOCK_STREAM, 0));
	ERR("socket_vsock", socket(AF_VSOCK, SOCK_STREAM, 0));
	ERR("netlink_audit", socket(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT));
	ERR("netlink_uevent", socket(AF_NETLINK, SOCK_DGRAM, NETLINK_KOBJECT_UEVENT));
	ERR("netlink_sock_diag", socket(AF_NETLINK, SOCK_RAW, NETLINK_SOCK_DIAG));
}

static char fail_stack[64 * 1024] __attribute__((aligned(16)));

static int never_runs(void *arg)
{
	_exit(99);
}

/* Arm the fork fault injection for the next n forks. */
static int set_fail_fork(int n)
{
	char buf[16];
	int fd = open("/proc/umk/fail_fork", O_WRONLY), len, ok;

	if (fd < 0)
		return -1;
	len = snprintf(buf, sizeof(buf), "%d\n", n);
	ok = write(fd, buf, len) == len;
	close(fd);
	return ok ? 0 : -1;
}

/* n forks, n clone(CLONE_VM) processes and n threads, each failing at the
 * host clone (fault injection); how many failed with EAGAIN. */
static int failing_forks(int n)
{
	int eagain = 0;

	if (set_fail_fork(3 * n))
		return -1;
	for (int i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(99);
		eagain += pid < 0 && errno == EAGAIN;
		if (pid > 0)
			waitpid(pid, NULL, 0);
		pid = clone(never_runs, fail_stack + sizeof(fail_stack),
			    CLONE_VM | SIGCHLD, NULL);
		eagain += pid < 0 && errno == EAGAIN;
		if (pid > 0)
			waitpid(pid, NULL, 0);
		pid = clone(never_runs, fail_stack + sizeof(fail_stack),
			    CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
			    CLONE_THREAD | CLONE_SYSVSEM, NULL);
		eagain += pid < 0 && errno == EAGAIN;
	}
	set_fail_fork(0);
	return eagain;
}

/* A fork that fails part-way gives back everything it took (Linux's
 * copy_process error path; umk's abort_fork): the kernel's live
 * allocations are the same before and after 300 failed forks, and a
 * fork works afterwards. */
static void test_fork_failure(void)
{
	long long before, after;
	int got, st;
	pid_t pid;

	failing_forks(2);		/* first-use allocations out of the way */
	before = stat_value("kmalloc_live");
	got = failing_forks(100);
	after = stat_value("kmalloc_live");
	say("fork_fail_eagain: %d of 300", got);
	say("fork_fail_leaked_allocations: %lld", before < 0 ? -1 : after - before);
	pid = fork();
	if (pid == 0)
		_exit(7);
	waitpid(pid, &st, 0);
	say("fork_after_failures: %s", pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 7 ? "ok" : "failed");
}

/* A cycle of two sockets, each in flight in the other, is freed by
 * umk's collector when both are closed (net/unix/garbage.c). When a
 * host Linux collects it depends on its version, so this is not
 * compared with a native run. The bound (WAIT_LIMIT_S) is reached only
 * by a failure. */
static void test_unix_gc(void)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	int sv[2], base, now, end;

	base = count_unix_sockets();
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv)) {
		say("unix_gc: socketpair %s", strerrorname_np(errno));
		return;
	}
	for (end = 0; end < 2; end++) {
		struct iovec iov = { "x", 1 };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
				    .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
		struct cmsghdr *c = CMSG_FIRSTHDR(&m);

		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &sv[end], sizeof(int));
		if (sendmsg(sv[end], &m, 0) != 1)
			say("unix_gc: sendmsg %s", strerrorname_np(errno));
	}
	say("unix_gc_before_close: %d", count_unix_sockets() - base);
	close(sv[0]);
	close(sv[1]);
	WAIT_UNTIL((now = count_unix_sockets()) == base);
	say("unix_gc_after_close: %d", now - base);
}

#define MSG_QUEUES_MAX 8192	/* 64 MiB of 8 KiB messages, past any pool */

/* How many empty messages one new queue takes without blocking (at most
 * its msg_qbytes, 16384). */
static int empty_messages_fit(int id)
{
	struct { long mtype; char text[1]; } m = { 1, "" };
	int n = 0;

	while (n < 20000 && msgsnd(id, &m, 0, IPC_NOWAIT) == 0)
		n++;
	return n;
}

/* umk bounds what all message queues hold in its heap (an eighth of mem=,
 * kernel/ipc/msg.c; Linux has no such pool and accounts the memory to the
 * sender's cgroup instead). Every message counts with its header, so
 * empty messages cannot grow the heap past it either: once the pool is
 * full of text, freeing one 8 KiB message lets a few hundred empty ones
 * in, not a queue's 16384. */
static void test_msg_pool(void)
{
	static int ids[MSG_QUEUES_MAX];
	struct { long mtype; char text[8192]; } *m = calloc(1, sizeof(*m));
	int nq = 0, fit = -1, i, full = 0;

	m->mtype = 1;
	while (!full && nq < MSG_QUEUES_MAX) {
		ids[nq] = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
		if (ids[nq] < 0)
			break;
		/* a fresh queue refusing its first message: the pool is full */
		full = msgsnd(ids[nq], m, sizeof(m->text), IPC_NOWAIT) != 0;
		if (!full)
			msgsnd(ids[nq], m, sizeof(m->text), IPC_NOWAIT);
		nq++;
	}
	say("msg_pool_fills: %s", full ? "yes" : "no");
	if (full && nq > 1 &&
	    msgrcv(ids[0], m, sizeof(m->text), 0, IPC_NOWAIT) == sizeof(m->text))
		fit = empty_messages_fit(ids[nq - 1]);
	say("msg_pool_empty_messages_after_8k_freed: %s",
	    fit < 0 ? "error" : fit > 0 && fit <= 8192 / 8 ? "a few" : "too many");
	for (i = 0; i < nq; i++)
		msgctl(ids[i], IPC_RMID, NULL);
	free(m);
}

int main(void)
{
	test_start();
	if (!on_guest_image()) {
		say("umk_only: not on a umk guest image, refusing to run (it sets the hostname and signals pid 1)");
		return 1;
	}
	say("shadow_is_guest: yes");
	test_int80();
	test_x32();
	test_pids();
	test_identity();
	test_init_unkillable();
	test_stats();
	test_missing_net();
	test_unix_gc();
	test_fork_failure();
	test_msg_pool();
	say("DONE umk_only");
	return 0;
}
