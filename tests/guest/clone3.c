/*
 * clone3: raw syscalls (glibc would fall back to clone on ENOSYS). The
 * argument struct's sizes (VER0, a page, E2BIG for a nonzero tail, EFAULT
 * for a tail on an unmapped page), hostile pointers, flag and signal
 * checks, the stack pair, set_tid (EEXIST, EPERM, a chosen free pid),
 * CLONE_INTO_CGROUP with an fd that is not a cgroup, CLONE_CLEAR_SIGHAND;
 * the process form (exit signal SIGCHLD or none) and the thread form on
 * its own stack with CLONE_SETTLS, CLONE_PARENT_SETTID and
 * CLONE_CHILD_CLEARTID. Semantics: clone(2), Linux kernel/fork.c.
 */
#include "guest.h"
#include <linux/futex.h>
#include <linux/sched.h>
#include <sched.h>
#include <stdint.h>
#include <asm/prctl.h>

#ifndef CLONE_CLEAR_SIGHAND
#define CLONE_CLEAR_SIGHAND 0x100000000ULL
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

#define PG 4096

static long clone3(void *args, size_t size)
{
	return syscall(SYS_clone3, args, size);
}

/* A clone3 expected to fail: "name: ERRNO", or "name: ok" after reaping
 * the child it made (which exits at once). */
static void try3(const char *name, void *args, size_t size)
{
	long pid = clone3(args, size);

	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid(pid, NULL, __WALL);
	chk(name, pid);
}

/* A process-form clone3 of args (size bytes): the child exits 7 at once.
 * "ok" when the child ran and was reaped with that status, else the
 * errno name or the odd status. */
static const char *fork_with(void *args, size_t size, int wait_flags)
{
	static char buf[64];
	long pid = clone3(args, size);
	int st;

	if (pid < 0)
		return ename(errno);
	if (pid == 0)
		_exit(7);
	if (waitpid(pid, &st, wait_flags) != pid)
		return ename(errno);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 7)
		return "ok";
	snprintf(buf, sizeof(buf), "%s", wstr(st));
	return buf;
}

static void test_sizes(void)
{
	struct clone_args a = { .exit_signal = SIGCHLD };
	char *two = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *big;

	try3("null_size0", NULL, 0);
	try3("null_ver0", NULL, CLONE_ARGS_SIZE_VER0);
	try3("bad1", BAD1, sizeof(a));
	try3("bad2", BAD2, sizeof(a));
	try3("unmapped", unmapped_page(), sizeof(a));
	try3("size8", &a, 8);
	try3("size63", &a, CLONE_ARGS_SIZE_VER0 - 1);
	try3("size_page_plus1", &a, PG + 1);
	say("size_ver0: %s", fork_with(&a, CLONE_ARGS_SIZE_VER0, 0));
	say("size_ver1: %s", fork_with(&a, CLONE_ARGS_SIZE_VER1, 0));
	say("size_full: %s", fork_with(&a, sizeof(a), 0));

	/* Past the known struct: zeros are fine, anything else is E2BIG,
	 * and a tail on an unmapped page is EFAULT. */
	big = two;
	memset(big, 0, PG);
	memcpy(big, &a, sizeof(a));
	say("size_page_zero_tail: %s", fork_with(big, PG, 0));
	big[sizeof(a) + 3] = 1;
	try3("nonzero_tail", big, sizeof(a) + 8);
	say("nonzero_tail_beyond_size: %s", fork_with(big, sizeof(a), 0));
	munmap(two + PG, PG);
	big = two + PG - sizeof(a);
	memcpy(big, &a, sizeof(a));
	try3("tail_unmapped", big, sizeof(a) + 8);
	say("struct_at_page_end: %s", fork_with(big, sizeof(a), 0));
	munmap(two, PG);
}

static void test_flags(void)
{
	struct clone_args a = { .exit_signal = SIGCHLD };
	static char stack[PG] __attribute__((aligned(16)));

	a.exit_signal = 65;
	try3("exit_signal_65", &a, sizeof(a));
	a.exit_signal = (1ULL << 32) | SIGCHLD;
	try3("exit_signal_high_bits", &a, sizeof(a));
	a.exit_signal = 0;
	say("exit_signal_0_wall: %s", fork_with(&a, sizeof(a), __WALL));
	a.exit_signal = SIGCHLD;

	a.flags = SIGCHLD;
	try3("signal_in_flags", &a, sizeof(a));
	a.flags = CLONE_DETACHED;
	try3("clone_detached", &a, sizeof(a));
	a.flags = 1ULL << 40;
	try3("unknown_high_flag", &a, sizeof(a));
	a.flags = CLONE_VM | CLONE_SIGHAND | CLONE_CLEAR_SIGHAND;
	try3("sighand_and_clear_sighand", &a, sizeof(a));
	a.flags = CLONE_VM | CLONE_SIGHAND | CLONE_THREAD;
	try3("thread_with_exit_signal", &a, sizeof(a));
	a.flags = CLONE_PARENT;
	try3("parent_with_exit_signal", &a, sizeof(a));
	a.flags = CLONE_THREAD;
	a.exit_signal = 0;
	try3("thread_without_sighand", &a, sizeof(a));
	a.flags = CLONE_SIGHAND;
	try3("sighand_without_vm", &a, sizeof(a));
	a.flags = 0;
	a.exit_signal = SIGCHLD;

	a.stack = (uintptr_t)stack;
	try3("stack_without_size", &a, sizeof(a));
	a.stack = 0;
	a.stack_size = sizeof(stack);
	try3("size_without_stack", &a, sizeof(a));
	a.stack = 0xffff800000000000ULL;
	try3("stack_kernel", &a, sizeof(a));
	a.stack = -4096ULL;
	a.stack_size = 8192;
	try3("stack_wraps", &a, sizeof(a));
	a.stack = 0;
	a.stack_size = 0;

	a.flags = CLONE_INTO_CGROUP;
	a.cgroup = open("/", O_RDONLY | O_DIRECTORY);
	try3("cgroup_not_a_cgroup", &a, sizeof(a));
	try3("cgroup_ver0", &a, CLONE_ARGS_SIZE_VER0 + 16);
	close(a.cgroup);
	a.cgroup = 999;
	try3("cgroup_badfd", &a, sizeof(a));
	a.cgroup = 1ULL << 31;
	try3("cgroup_past_int", &a, sizeof(a));
}

/* A free pid below 32768 (no task, group or session), from the top. */
static pid_t free_pid(void)
{
	for (pid_t p = 32000; p > 300; p--)
		if (kill(p, 0) < 0 && errno == ESRCH && kill(-p, 0) < 0 &&
		    errno == ESRCH && getsid(p) < 0 && errno == ESRCH)
			return p;
	return -1;
}

static void test_set_tid(void)
{
	struct clone_args a = { .exit_signal = SIGCHLD };
	pid_t tid[33] = { 0 }, want;
	int p[2];
	long pid;

	a.set_tid_size = 1;
	try3("set_tid_null", &a, sizeof(a));
	a.set_tid = (uintptr_t)tid;
	a.set_tid_size = 0;
	try3("set_tid_size0", &a, sizeof(a));
	a.set_tid_size = 33;
	try3("set_tid_size33", &a, sizeof(a));
	a.set_tid = (uintptr_t)unmapped_page();
	a.set_tid_size = 1;
	try3("set_tid_unmapped", &a, sizeof(a));
	a.set_tid = (uintptr_t)tid;
	tid[0] = 0;
	try3("set_tid_zero", &a, sizeof(a));
	tid[0] = -5;
	try3("set_tid_negative", &a, sizeof(a));
	tid[0] = getpid();
	try3("set_tid_taken", &a, sizeof(a));
	tid[0] = 1;
	try3("set_tid_init", &a, sizeof(a));

	want = free_pid();
	tid[0] = want;
	pipe(p);
	pid = clone3(&a, sizeof(a));
	if (pid == 0) {
		pid_t me = getpid();

		write(p[1], &me, sizeof(me));
		_exit(0);
	}
	if (pid > 0) {
		pid_t seen = -1;

		read(p[0], &seen, sizeof(seen));
		say("set_tid_free: returned %s, child sees %s",
		    pid == want ? "it" : "another", seen == want ? "it" : "another");
		reap(pid);
	} else {
		say("set_tid_free: %s", ename(errno));
	}
	close(p[0]);
	close(p[1]);

	/* Not root: EPERM (no CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE). */
	pid = fork();
	if (pid == 0) {
		long r;

		if (setuid(65534))
			_exit(99);
		tid[0] = free_pid();
		r = clone3(&a, sizeof(a));
		if (r == 0)
			_exit(0);
		_exit(r < 0 && errno == EPERM ? 0 : 1);
	}
	say("set_tid_unprivileged_eperm: %s", reap(pid));
}

static void on_usr1(int sig) { }

/* CLONE_CLEAR_SIGHAND: handlers back to SIG_DFL, SIG_IGN kept; the
 * parent's stay. */
static void test_clear_sighand(void)
{
	struct clone_args a = { .flags = CLONE_CLEAR_SIGHAND,
				.exit_signal = SIGCHLD };
	struct sigaction sa = { .sa_handler = on_usr1 }, got;
	long pid;

	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGUSR2, SIG_IGN);
	pid = clone3(&a, sizeof(a));
	if (pid == 0) {
		struct sigaction s1, s2;

		sigaction(SIGUSR1, NULL, &s1);
		sigaction(SIGUSR2, NULL, &s2);
		_exit((s1.sa_handler == SIG_DFL) | (s2.sa_handler == SIG_IGN) << 1);
	}
	say("clear_sighand_child: %s", pid < 0 ? ename(errno) : reap(pid));
	sigaction(SIGUSR1, NULL, &got);
	yesno("clear_sighand_parent_keeps", got.sa_handler == on_usr1);
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
}

/* The thread form: what the thread saw, written before it exits. */
static volatile long thr_tid, thr_pid, thr_fs, thr_sp;
static uint64_t thr_tls[8] __attribute__((aligned(64)));

static long raw_syscall2(long nr, long a0, long a1)
{
	long ret;

	asm volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a0), "S"(a1)
		     : "rcx", "r11", "memory");
	return ret;
}

/* Runs on the new stack, sharing everything: no libc, raw calls only. */
static void __attribute__((used, noinline)) thread_fn(void)
{
	long fs = 0, sp;

	asm volatile("mov %%rsp, %0" : "=r"(sp));
	raw_syscall2(SYS_arch_prctl, ARCH_GET_FS, (long)&fs);
	thr_fs = fs;
	thr_sp = sp;
	thr_pid = raw_syscall2(SYS_getpid, 0, 0);
	thr_tid = raw_syscall2(SYS_gettid, 0, 0);
}

/* clone3 whose child calls thread_fn on its stack, then exit(0). */
static long clone3_thread(struct clone_args *a, size_t size)
{
	long ret;

	asm volatile("syscall\n\t"
		     "test %%rax, %%rax\n\t"
		     "jnz 1f\n\t"
		     "xor %%ebp, %%ebp\n\t"
		     "call thread_fn\n\t"
		     "mov $60, %%eax\n\t"
		     "xor %%edi, %%edi\n\t"
		     "syscall\n\t"
		     "ud2\n"
		     "1:"
		     : "=a"(ret)
		     : "a"((long)SYS_clone3), "D"(a), "S"(size)
		     : "rcx", "r11", "memory");
	return ret;
}

static void test_thread(void)
{
	static char stack[64 * 1024] __attribute__((aligned(16)));
	static volatile pid_t ptid, ctid = -1;
	struct clone_args a = {
		.flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
			 CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS |
			 CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID,
		.parent_tid = (uintptr_t)&ptid,
		.child_tid = (uintptr_t)&ctid,
		.stack = (uintptr_t)stack,
		.stack_size = sizeof(stack),
		.tls = (uintptr_t)thr_tls,
	};
	struct timespec ts = { 5, 0 };
	long tid;
	int tries = 0;

	thr_tls[0] = (uintptr_t)thr_tls;	/* %fs:0 points to itself */
	tid = clone3_thread(&a, sizeof(a));
	if (tid < 0) {
		say("thread: %s", ename(-tid));
		return;
	}
	/* CLONE_CHILD_CLEARTID: 0 and a futex wake when the thread is gone. */
	while (ctid != 0 && tries++ < 10)
		syscall(SYS_futex, &ctid, FUTEX_WAIT, ctid, &ts, NULL, 0);
	yesno("thread_exited_cleartid", ctid == 0);
	yesno("thread_parent_settid", ptid == tid);
	yesno("thread_gettid_is_returned", thr_tid == tid);
	yesno("thread_same_tgid", thr_pid == getpid());
	yesno("thread_settls", thr_fs == (long)(uintptr_t)thr_tls);
	yesno("thread_on_its_stack", thr_sp > (long)(uintptr_t)stack &&
	      thr_sp < (long)(uintptr_t)stack + (long)sizeof(stack));
}

int main(void)
{
	test_start();
	test_sizes();
	test_flags();
	test_set_tid();
	test_clear_sighand();
	test_thread();
	say("DONE clone3");
	return 0;
}
