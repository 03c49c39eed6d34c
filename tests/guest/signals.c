/*
 * signals: kill/raise/sigqueue and siginfo, sigaction flags (SA_SIGINFO,
 * SA_RESTART, SA_RESETHAND, SA_NODEFER, SA_ONSTACK, sa_mask), masks and
 * pending sets, sigsuspend, sigtimedwait, alarm+pause, hardware faults
 * (SIGSEGV, SIGFPE, SIGILL, SIGTRAP) caught or fatal, SIGCHLD, dispositions
 * across fork and execve; with hostile arguments.
 */
#include "guest.h"
#include <sys/time.h>

static const char *self;
static sigjmp_buf jb;
static volatile sig_atomic_t hits, hits2;
static siginfo_t last_info;
static char order[32];
static volatile int order_len;

static void on_info(int sig, siginfo_t *si, void *uc)
{
	hits++;
	last_info = *si;
}

static void on_count(int sig)
{
	hits++;
}

static void on_count2(int sig)
{
	hits2++;
}

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	last_info = *si;
	siglongjmp(jb, sig);
}

static void set_handler(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa = { .sa_handler = fn, .sa_flags = flags };

	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void set_info_handler(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa = { .sa_sigaction = fn, .sa_flags = flags | SA_SIGINFO };

	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void block(int how, int sig)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, sig);
	sigprocmask(how, &s, NULL);
}

static int is_pending(int sig)
{
	sigset_t s;

	sigpending(&s);
	return sigismember(&s, sig);
}

/* Run in a process exec'd by test_exec: report inherited signal state. */
static int report_exec(void)
{
	struct sigaction sa;
	sigset_t mask;

	sigaction(SIGUSR1, NULL, &sa);
	say("exec_usr1_handler_reset: %s", sa.sa_handler == SIG_DFL ? "yes" : "no");
	sigaction(SIGUSR2, NULL, &sa);
	say("exec_usr2_ignored_kept: %s", sa.sa_handler == SIG_IGN ? "yes" : "no");
	sigprocmask(SIG_BLOCK, NULL, &mask);
	say("exec_mask_kept: %s", sigismember(&mask, SIGINT) ? "yes" : "no");
	say("exec_pending_kept: %s", is_pending(SIGTERM) ? "yes" : "no");
	return 0;
}

static void test_kill_info(void)
{
	union sigval v = { .sival_int = 1234 };

	set_info_handler(SIGUSR1, on_info, 0);
	hits = 0;
	resv("kill_self", kill(getpid(), SIGUSR1));
	say("kill_info: hits=%d signo=%d code=%d pid_ok=%d uid=%d", hits,
	    last_info.si_signo, last_info.si_code, last_info.si_pid == getpid(),
	    last_info.si_uid);
	resv("raise", raise(SIGUSR1));
	say("raise_info: hits=%d code=%d", hits, last_info.si_code);
	resv("sigqueue", sigqueue(getpid(), SIGUSR1, v));
	say("sigqueue_info: hits=%d code=%d value=%d", hits, last_info.si_code,
	    last_info.si_value.sival_int);
	resv("kill_sig0", kill(getpid(), 0));
	ERR("kill_badsig", kill(getpid(), 1000));
	ERR("kill_negsig", kill(getpid(), -1));
	ERR("kill_missing", kill(0x3ffffff0, SIGUSR1));
	ERR("kill_missing_group", kill(-0x3ffffff0, SIGUSR1));
	ERR("sigqueue_bad_info", syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, BAD1));
	{
		siginfo_t si;
		memset(&si, 0, sizeof(si));
		si.si_code = SI_KERNEL;
		ERR("sigqueue_forged_code", syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, &si));
	}
}

static void test_sigaction(void)
{
	struct sigaction sa, old;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	ERR("sigaction_kill", sigaction(SIGKILL, &sa, NULL));
	ERR("sigaction_stop", sigaction(SIGSTOP, &sa, NULL));
	ERR("sigaction_zero", sigaction(0, &sa, NULL));
	ERR("sigaction_65", syscall(SYS_rt_sigaction, 65, &sa, NULL, 8L));
	ERR("sigaction_bad_act", syscall(SYS_rt_sigaction, SIGUSR2, BAD1, NULL, 8L));
	ERR("sigaction_bad_oldact", syscall(SYS_rt_sigaction, SIGUSR2, NULL, BAD2, 8L));
	ERR("sigaction_bad_size", syscall(SYS_rt_sigaction, SIGUSR2, NULL, &old, 4L));
	resv("sigaction_query_kill", sigaction(SIGKILL, NULL, &old));
	set_handler(SIGUSR2, on_count, SA_RESTART);
	sigaction(SIGUSR2, NULL, &old);
	yesno("sigaction_roundtrip", old.sa_handler == on_count && (old.sa_flags & SA_RESTART));

	hits = 0;
	set_handler(SIGUSR2, on_count, SA_RESETHAND);
	raise(SIGUSR2);
	sigaction(SIGUSR2, NULL, &old);
	say("resethand: hits=%d reset=%d", hits, old.sa_handler == SIG_DFL);

	set_handler(SIGWINCH, SIG_DFL, 0);
	raise(SIGWINCH);
	say("sigwinch_default_ignored: yes");
	set_handler(SIGUSR2, SIG_IGN, 0);
	raise(SIGUSR2);
	yesno("ignored_not_pending", !is_pending(SIGUSR2));
	block(SIG_BLOCK, SIGUSR2);
	raise(SIGUSR2);
	yesno("ignored_blocked_pending", is_pending(SIGUSR2));
	set_handler(SIGUSR2, SIG_IGN, 0);
	yesno("setting_ign_discards_pending", !is_pending(SIGUSR2));
	block(SIG_UNBLOCK, SIGUSR2);
}

static void on_nest_usr1(int sig)
{
	order[order_len++] = '<';
	raise(SIGUSR2);
	order[order_len++] = '>';
}

static void on_nest_usr2(int sig)
{
	order[order_len++] = '2';
}

static void on_nodefer(int sig)
{
	order[order_len++] = '(';
	if (order_len < 4)
		raise(SIGUSR1);
	order[order_len++] = ')';
}

static void test_masks(void)
{
	sigset_t s, old;
	struct sigaction sa = { .sa_handler = on_nest_usr1 };

	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigaddset(&s, SIGKILL);
	sigaddset(&s, SIGSTOP);
	resv("block_kill_stop", sigprocmask(SIG_BLOCK, &s, &old));
	sigprocmask(SIG_BLOCK, NULL, &s);
	say("mask_has: usr1=%d kill=%d stop=%d", sigismember(&s, SIGUSR1),
	    sigismember(&s, SIGKILL), sigismember(&s, SIGSTOP));
	set_handler(SIGUSR1, on_count, 0);
	hits = 0;
	raise(SIGUSR1);
	raise(SIGUSR1);
	raise(SIGUSR1);
	say("blocked: hits=%d pending=%d", hits, is_pending(SIGUSR1));
	sigprocmask(SIG_SETMASK, &old, NULL);
	say("unblocked_standard_merged: hits=%d pending=%d", hits, is_pending(SIGUSR1));

	set_handler(SIGRTMIN, on_count2, 0);
	block(SIG_BLOCK, SIGRTMIN);
	hits2 = 0;
	raise(SIGRTMIN);
	raise(SIGRTMIN);
	raise(SIGRTMIN);
	block(SIG_UNBLOCK, SIGRTMIN);
	say("unblocked_rt_queued: hits=%d", hits2);

	ERR("sigprocmask_badhow", syscall(SYS_rt_sigprocmask, 99, &s, NULL, 8L));
	ERR("sigprocmask_bad_set", syscall(SYS_rt_sigprocmask, SIG_BLOCK, BAD1, NULL, 8L));
	ERR("sigprocmask_bad_old", syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, BAD2, 8L));
	ERR("sigprocmask_bad_size", syscall(SYS_rt_sigprocmask, SIG_BLOCK, &s, NULL, 4L));
	ERR("sigpending_bad", syscall(SYS_rt_sigpending, BAD1, 8L));

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	set_handler(SIGUSR2, on_nest_usr2, 0);
	order_len = 0;
	raise(SIGUSR1);
	order[order_len] = 0;
	say("nested_order: %s", order);
	sigaddset(&sa.sa_mask, SIGUSR2);
	sigaction(SIGUSR1, &sa, NULL);
	order_len = 0;
	raise(SIGUSR1);
	order[order_len] = 0;
	say("sa_mask_defers: %s", order);
	set_handler(SIGUSR1, on_nodefer, SA_NODEFER);
	order_len = 0;
	raise(SIGUSR1);
	order[order_len] = 0;
	say("nodefer_order: %s", order);
	set_handler(SIGUSR1, on_nodefer, 0);
	order_len = 0;
	raise(SIGUSR1);
	order[order_len] = 0;
	say("defer_order: %s", order);
	set_handler(SIGUSR1, SIG_DFL, 0);
	set_handler(SIGUSR2, SIG_DFL, 0);
}

static void test_wait_for_signals(void)
{
	sigset_t s, empty;
	siginfo_t si;
	struct timespec ts = { 0, 20000000 }, bad = { 0, -1 };
	pid_t pid, parent = getpid();
	int r;

	set_handler(SIGUSR1, on_count, 0);
	block(SIG_BLOCK, SIGUSR1);
	pid = fork();
	if (pid == 0) {
		/* Once we sleep in sigsuspend: exit 0 if that was seen. */
		int seen = wait_sleeping(parent, parent);

		kill(parent, SIGUSR1);
		_exit(!seen);
	}
	sigemptyset(&empty);
	hits = 0;
	r = sigsuspend(&empty);
	say("sigsuspend: r=%d errno=%s hits=%d", r, ename(errno), hits);
	sigprocmask(SIG_BLOCK, NULL, &s);
	yesno("sigsuspend_restores_mask", sigismember(&s, SIGUSR1));
	say("sigsuspend_waker: %s", reap(pid));
	block(SIG_UNBLOCK, SIGUSR1);
	ERR("sigsuspend_bad", syscall(SYS_rt_sigsuspend, BAD1, 8L));

	block(SIG_BLOCK, SIGUSR2);
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	kill(getpid(), SIGUSR2);
	memset(&si, 0, sizeof(si));
	r = sigtimedwait(&s, &si, &ts);
	say("sigtimedwait: r=%s code=%d pid_ok=%d", sigabbrev_np(r) ?: "?", si.si_code,
	    si.si_pid == getpid());
	ERR("sigtimedwait_timeout", sigtimedwait(&s, &si, &ts));
	ERR("sigtimedwait_badtime", sigtimedwait(&s, &si, &bad));
	ERR("sigtimedwait_bad_set", syscall(SYS_rt_sigtimedwait, BAD1, &si, &ts, 8L));
	raise(SIGUSR2);
	ERR("sigtimedwait_bad_info", syscall(SYS_rt_sigtimedwait, &s, BAD1, &ts, 8L));
	ts.tv_nsec = 0;
	sigtimedwait(&s, &si, &ts);	/* Linux dropped it; drain if kept */
	block(SIG_UNBLOCK, SIGUSR2);

	set_handler(SIGALRM, on_count, 0);
	hits = 0;
	resv("alarm_first", alarm(1));
	r = pause();
	say("pause: r=%d errno=%s hits=%d", r, ename(errno), hits);
	alarm(100);
	r = alarm(0);
	yesno("alarm_remaining_about_100s", r >= 90 && r <= 100);
	set_handler(SIGALRM, SIG_DFL, 0);
}

/*
 * A blocking pipe read interrupted by a signal, with and without
 * SA_RESTART. A child waits until we sleep in the read, sends SIGALRM,
 * waits for the handler's byte on a second pipe, then until we sleep
 * again (in the restarted read, or in wait4 after EINTR), and only then
 * writes the data: no step depends on timing.
 */
static int handled_fd = -1;

static void on_count_note(int sig)
{
	hits++;
	write(handled_fd, "h", 1);
}

static void restart_case(const char *name, int flags)
{
	int p[2], h[2];
	char buf[4] = "", c;
	pid_t pid, parent = getpid();
	ssize_t n;

	pipe(p);
	pipe(h);
	handled_fd = h[1];
	set_handler(SIGALRM, on_count_note, flags);
	hits = 0;
	pid = fork();
	if (pid == 0) {
		int st = 0;

		if (!wait_sleeping(parent, parent))
			st |= 1;
		kill(parent, SIGALRM);
		if (read(h[0], &c, 1) != 1)
			st |= 2;
		if (!wait_sleeping(parent, parent))
			st |= 4;
		write(p[1], "x", 1);
		_exit(st);
	}
	n = read(p[0], buf, 1);
	if (n < 0)
		say("%s: %s hits=%d", name, ename(errno), hits);
	else
		say("%s: read %zd [%s] hits=%d", name, n, buf, hits);
	say("%s_child: %s", name, reap(pid));
	close(p[0]);
	close(p[1]);
	close(h[0]);
	close(h[1]);
	set_handler(SIGALRM, SIG_DFL, 0);
}

static char *alt_base;
static size_t alt_size = 256 * 1024;
static volatile int on_alt, alt_flag;

static void on_altstack(int sig)
{
	char local;
	stack_t cur;

	on_alt = &local >= alt_base && &local < alt_base + alt_size;
	sigaltstack(NULL, &cur);
	alt_flag = !!(cur.ss_flags & SS_ONSTACK);
}

static void test_altstack(void)
{
	stack_t ss = { 0 }, old;

	alt_base = mmap(NULL, alt_size, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ss.ss_sp = alt_base;
	ss.ss_size = alt_size;
	resv("sigaltstack", sigaltstack(&ss, &old));
	yesno("sigaltstack_old_disabled", old.ss_flags & SS_DISABLE);
	set_handler(SIGUSR1, on_altstack, SA_ONSTACK);
	raise(SIGUSR1);
	say("onstack: on_alt=%d flag=%d", on_alt, alt_flag);
	set_handler(SIGUSR1, on_altstack, 0);
	raise(SIGUSR1);
	say("not_onstack: on_alt=%d flag=%d", on_alt, alt_flag);
	sigaltstack(NULL, &old);
	yesno("sigaltstack_query", old.ss_sp == alt_base && old.ss_size == alt_size &&
	      old.ss_flags == 0);
	ss.ss_size = 512;
	ERR("sigaltstack_small", sigaltstack(&ss, NULL));
	ss.ss_size = alt_size;
	ss.ss_flags = 0x1234;
	ERR("sigaltstack_badflags", sigaltstack(&ss, NULL));
	ERR("sigaltstack_bad_ptr", syscall(SYS_sigaltstack, BAD1, NULL));
	ERR("sigaltstack_bad_old", syscall(SYS_sigaltstack, NULL, BAD2));
	ss.ss_flags = SS_DISABLE;
	resv("sigaltstack_disable", sigaltstack(&ss, NULL));
	set_handler(SIGUSR1, SIG_DFL, 0);
}

static void test_faults(void)
{
	volatile int zero = 0, one = 1;
	int sig;

	set_info_handler(SIGSEGV, on_fault, SA_NODEFER);
	set_info_handler(SIGFPE, on_fault, SA_NODEFER);
	set_info_handler(SIGILL, on_fault, SA_NODEFER);
	set_info_handler(SIGTRAP, on_fault, SA_NODEFER);

	if ((sig = sigsetjmp(jb, 1)) == 0)
		*(volatile int *)0 = 1;
	say("null_write: %s code=%d addr_null=%d", sigabbrev_np(sig) ?: "none",
	    last_info.si_code, last_info.si_addr == NULL);
	if ((sig = sigsetjmp(jb, 1)) == 0)
		(void)*(volatile int *)unmapped_page();
	say("unmapped_read: %s code=%d addr_ok=%d", sigabbrev_np(sig) ?: "none",
	    last_info.si_code, last_info.si_addr == unmapped_page());
	if ((sig = sigsetjmp(jb, 1)) == 0)
		(void)*(volatile int *)(0xffff800000000000UL);
	say("kernel_addr_read: %s", sigabbrev_np(sig) ?: "none");
	if ((sig = sigsetjmp(jb, 1)) == 0)
		one = one / zero;
	say("div_zero: %s code=%d", sigabbrev_np(sig) ?: "none", last_info.si_code);
	if ((sig = sigsetjmp(jb, 1)) == 0)
		__asm__ volatile("ud2");
	say("ud2: %s code=%d", sigabbrev_np(sig) ?: "none", last_info.si_code);
	if ((sig = sigsetjmp(jb, 1)) == 0)
		__asm__ volatile("int3");
	say("int3: %s code=%d", sigabbrev_np(sig) ?: "none", last_info.si_code);
	if ((sig = sigsetjmp(jb, 1)) == 0)
		raise(SIGSEGV);
	say("raised_segv: %s code=%d", sigabbrev_np(sig) ?: "none", last_info.si_code);
	set_handler(SIGSEGV, SIG_DFL, 0);
	set_handler(SIGFPE, SIG_DFL, 0);
	set_handler(SIGILL, SIG_DFL, 0);
	set_handler(SIGTRAP, SIG_DFL, 0);
}

static void test_fatal(void)
{
	volatile int zero = 0, one = 1;
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		*(volatile int *)0 = 1;
		_exit(0);
	}
	say("child_segv: %s", reap(pid));
	pid = fork();
	if (pid == 0) {
		block(SIG_BLOCK, SIGSEGV);
		*(volatile int *)0 = 1;
		_exit(0);
	}
	say("child_segv_blocked: %s", reap(pid));
	pid = fork();
	if (pid == 0) {
		set_handler(SIGSEGV, SIG_IGN, 0);
		*(volatile int *)0 = 1;
		_exit(0);
	}
	say("child_segv_ignored: %s", reap(pid));
	pid = fork();
	if (pid == 0)
		_exit(one / zero);
	say("child_fpe: %s", reap(pid));
	pid = fork();
	if (pid == 0) {
		__asm__ volatile("ud2");
		_exit(0);
	}
	say("child_ill: %s", reap(pid));
	pid = fork();
	if (pid == 0) {
		raise(SIGUSR1);
		_exit(0);
	}
	say("child_usr1_default: %s", reap(pid));
	pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		set_handler(SIGUSR1, on_count, 0);
		hits = 0;
		kill(0, SIGUSR1);
		_exit(hits == 1 ? 2 : 3);
	}
	say("kill_own_group: %s", reap(pid));
}

static void test_sigchld(void)
{
	pid_t pid;
	sigset_t s, empty;
	int st;

	set_info_handler(SIGCHLD, on_info, SA_RESTART);
	block(SIG_BLOCK, SIGCHLD);
	hits = 0;
	pid = fork();
	if (pid == 0)
		_exit(3);
	sigemptyset(&empty);
	while (!hits)
		sigsuspend(&empty);
	say("sigchld: hits=%d code=%d status=%d pid_ok=%d", hits, last_info.si_code,
	    last_info.si_status, last_info.si_pid == pid);
	reap(pid);
	block(SIG_UNBLOCK, SIGCHLD);

	set_handler(SIGCHLD, SIG_IGN, 0);
	pid = fork();
	if (pid == 0)
		_exit(0);
	ERR("sigchld_ignored_autoreap", waitpid(pid, &st, 0));
	set_handler(SIGCHLD, SIG_DFL, 0);

	block(SIG_BLOCK, SIGUSR1);
	raise(SIGUSR1);
	pid = fork();
	if (pid == 0) {
		sigprocmask(SIG_BLOCK, NULL, &s);
		_exit((sigismember(&s, SIGUSR1) ? 1 : 0) | (is_pending(SIGUSR1) ? 2 : 0));
	}
	say("fork_mask_kept_pending_cleared: %s", reap(pid));
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigwaitinfo(&s, NULL);
	block(SIG_UNBLOCK, SIGUSR1);
}

static void test_exec(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		set_handler(SIGUSR1, on_count, 0);
		set_handler(SIGUSR2, SIG_IGN, 0);
		block(SIG_BLOCK, SIGINT);
		block(SIG_BLOCK, SIGTERM);
		raise(SIGTERM);
		execl(self, self, "--report-exec", (char *)NULL);
		_exit(127);
	}
	say("exec_child: %s", reap(pid));
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--report-exec") == 0)
		return report_exec();
	test_start();
	if (need_proc())
		say("proc: %s", ename(errno));
	self = realpath(argv[0], NULL);
	test_kill_info();
	test_sigaction();
	test_masks();
	test_wait_for_signals();
	restart_case("read_no_restart", 0);
	restart_case("read_sa_restart", SA_RESTART);
	test_altstack();
	test_faults();
	test_fatal();
	test_sigchld();
	test_exec();
	say("DONE signals");
	return 0;
}
