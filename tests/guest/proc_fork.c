/*
 * proc_fork: processes: fork/vfork, wait4/waitid statuses (exit codes,
 * signals, stop/continue), pid/ppid relations, process groups and sessions,
 * execve (argv/envp round trip, close-on-exec, #! scripts, errors), orphan
 * reparenting, zombies; with hostile arguments.
 */
#include "guest.h"
#include <sys/resource.h>
#include <sched.h>

static const char *self;	/* argv[0]: the path this program was run by */

/* Run in a process exec'd by test_exec: print what exec handed over. */
static int exec_child(int argc, char **argv, char **envp)
{
	int i;

	say("exec_argc: %d", argc);
	for (i = 4; i < argc; i++)
		say("exec_argv[%d]: [%s]", i, argv[i]);
	for (i = 0; envp[i]; i++)
		say("exec_envp[%d]: [%s]", i, envp[i]);
	say("exec_cloexec_fd: %s", fcntl(atoi(argv[2]), F_GETFD) < 0 ? ename(errno) : "open");
	say("exec_plain_fd: %s", fcntl(atoi(argv[3]), F_GETFD) < 0 ? ename(errno) : "open");
	return 5;
}

static void test_exit_codes(void)
{
	static const int codes[] = { 0, 1, 42, 255, 256 };
	unsigned i;
	pid_t pid;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		pid = fork();
		if (pid == 0)
			exit(codes[i]);
		say("exit_%d: %s", codes[i], reap(pid));
	}
	pid = fork();
	if (pid == 0)
		syscall(SYS_exit_group, 77);
	say("exit_group: %s", reap(pid));
	pid = fork();
	if (pid == 0) {
		raise(SIGTERM);
		_exit(0);
	}
	say("raise_sigterm: %s", reap(pid));
	pid = fork();
	if (pid == 0)
		abort();
	say("abort: %s", reap(pid));
	pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	kill(pid, SIGKILL);
	say("sigkill: %s", reap(pid));
}

static void test_ids(void)
{
	pid_t me = getpid(), pid;
	int st;

	yesno("getpid_is_gettid", me == (pid_t)syscall(SYS_gettid));
	pid = fork();
	if (pid == 0)
		_exit(getppid() == me ? 10 : 11);
	yesno("child_pid_differs", pid != me && pid > 0);
	say("child_sees_parent: %s", reap(pid));
	pid = fork();
	if (pid == 0)
		_exit(0);
	waitpid(pid, &st, 0);
	ERR("wait_again", waitpid(pid, &st, 0));
	ERR("wait_no_children", wait(&st));
	ERR("wait4_not_child", wait4(1, &st, 0, NULL));
	ERR("wait4_badopts", wait4(-1, &st, 0x1000, NULL));

	{
		int p[2];
		char c;

		pipe(p);
		pid = fork();
		if (pid == 0) {
			close(p[1]);
			_exit(read(p[0], &c, 1) == 0 ? 3 : 2);
		}
		close(p[0]);
		resv("wnohang_running", waitpid(pid, &st, WNOHANG));
		close(p[1]);
		say("wait_after_wnohang: %s", reap(pid));
	}

	pid = fork();
	if (pid == 0)
		_exit(4);
	{
		siginfo_t si = { 0 };

		/* Until it is a zombie: exited, not reaped. */
		resv("zombie_waitid_nowait", waitid(P_PID, pid, &si, WEXITED | WNOWAIT));
		say("zombie_state: %c", proc_state(pid, pid));
	}
	resv("zombie_kill0", kill(pid, 0));
	say("zombie_status: %s", reap(pid));
	ERR("reaped_kill0", kill(pid, 0));

	pid = fork();
	if (pid == 0)
		_exit(6);
	ERR("wait4_bad_status", syscall(SYS_wait4, pid, BAD1, 0, NULL));
	waitpid(pid, &st, 0);	/* Linux reaped it already; reap if not */
}

static void test_many(void)
{
	pid_t pids[20];
	int i, st, sum = 0, n = 0;

	for (i = 0; i < 20; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			_exit(i + 1);
	}
	while (wait(&st) > 0) {
		sum += WEXITSTATUS(st);
		n++;
	}
	say("many_children: n=%d sum=%d", n, sum);
}

/* The child waits on a pipe after SIGCONT, so its exit cannot overtake the
 * "continued" report. */
static void test_stop_continue(void)
{
	int p[2], st;
	char c;
	pid_t pid;

	pipe(p);
	pid = fork();
	if (pid == 0) {
		close(p[1]);
		raise(SIGSTOP);
		_exit(read(p[0], &c, 1) == 0 ? 8 : 9);
	}
	close(p[0]);
	waitpid(pid, &st, WUNTRACED);
	say("wuntraced: %s", wstr(st));
	kill(pid, SIGCONT);
	waitpid(pid, &st, WCONTINUED);
	say("wcontinued: %s", wstr(st));
	close(p[1]);
	say("after_continue: %s", reap(pid));
}

static void test_waitid(void)
{
	siginfo_t si;
	pid_t pid = fork();

	if (pid == 0)
		_exit(3);
	memset(&si, 0, sizeof(si));
	resv("waitid_nowait", waitid(P_PID, pid, &si, WEXITED | WNOWAIT));
	say("waitid_nowait_info: code=%d status=%d pid_ok=%d", si.si_code,
	    si.si_status, si.si_pid == pid);
	memset(&si, 0, sizeof(si));
	resv("waitid", waitid(P_PID, pid, &si, WEXITED));
	say("waitid_info: signo=%d code=%d status=%d uid=%d", si.si_signo,
	    si.si_code, si.si_status, si.si_uid);
	pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	kill(pid, SIGKILL);
	memset(&si, 0, sizeof(si));
	waitid(P_ALL, 0, &si, WEXITED);
	say("waitid_killed: code=%d status=%d", si.si_code, si.si_status);
	ERR("waitid_bad_idtype", waitid(99, 0, &si, WEXITED));
	ERR("waitid_no_options", waitid(P_ALL, 0, &si, 0));
	ERR("waitid_no_children", waitid(P_ALL, 0, &si, WEXITED));
	pid = fork();
	if (pid == 0)
		_exit(0);
	waitid(P_PID, pid, &si, WEXITED | WNOWAIT);	/* a zombie now */
	ERR("waitid_bad_info", syscall(SYS_waitid, P_PID, pid, BAD1, WEXITED, NULL));
	reap(pid);
}

static void test_vfork(void)
{
	volatile int shared = 0;
	pid_t pid = vfork();

	if (pid == 0) {
		shared = 1;
		_exit(7);
	}
	say("vfork_child: %s", reap(pid));
	yesno("vfork_shares_memory", shared == 1);
	pid = vfork();
	if (pid == 0) {
		execl(self, self, "--exit", "9", (char *)NULL);
		_exit(127);
	}
	say("vfork_exec: %s", reap(pid));
}

static void test_pgrp_session(void)
{
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		if (setpgid(0, 0))
			_exit(1);
		_exit(getpgid(0) == getpid() ? 20 : 21);
	}
	say("setpgid_self: %s", reap(pid));
	pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	resv("setpgid_child", setpgid(pid, pid));
	yesno("getpgid_child", getpgid(pid) == pid);
	kill(pid, SIGKILL);
	reap(pid);
	ERR("getpgid_missing", getpgid(0x3ffffff0));
	ERR("setpgid_negative", setpgid(0, -1));
	ERR("setpgid_missing", setpgid(0x3ffffff0, 0));
	ERR("getsid_missing", getsid(0x3ffffff0));
	yesno("getsid_self", getsid(0) >= 0);	/* 0 under an init that never called setsid */

	pid = fork();
	if (pid == 0) {
		pid_t s = setsid();
		if (s != getpid())
			_exit(1);
		_exit(getsid(0) == s && getpgid(0) == s ? 30 : 31);
	}
	say("setsid: %s", reap(pid));
	pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		_exit(setsid() < 0 && errno == EPERM ? 40 : 41);
	}
	say("setsid_leader_eperm: %s", reap(pid));
	pid = fork();
	if (pid == 0) {
		pid_t s = setsid(), child;
		if (s < 0)
			_exit(1);
		child = fork();
		if (child == 0)
			_exit(getsid(0) == s ? 50 : 51);
		_exit(WEXITSTATUS(({ int st; waitpid(child, &st, 0); st; })));
	}
	say("session_inherited: %s", reap(pid));
	pid = fork();
	if (pid == 0) {
		pid_t s = setsid();
		_exit(setpgid(0, getppid()) < 0 && errno == EPERM && s > 0 ? 60 : 61);
	}
	say("setpgid_other_session: %s", reap(pid));
}

static void write_file(const char *name, const char *text, mode_t mode)
{
	int fd = open(name, O_CREAT | O_WRONLY | O_TRUNC, mode);

	write(fd, text, strlen(text));
	close(fd);
}

/* exec self ("--exit 7") with count arguments of size bytes each, under an
 * 8 MiB RLIMIT_STACK (argv+envp may use a quarter of it, as Linux);
 * the child exits 7 if the exec worked, 9 on E2BIG, 1 otherwise. */
static const char *exec_with_args(int count, size_t size)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct rlimit rl = { 8 << 20, 8 << 20 };
		char **argv = calloc(count + 4, sizeof(char *));
		char *arg = malloc(size + 1);

		setrlimit(RLIMIT_STACK, &rl);
		memset(arg, 'x', size);
		arg[size] = 0;
		argv[0] = "proc_fork";
		argv[1] = "--exit";
		argv[2] = "7";
		for (int i = 0; i < count; i++)
			argv[3 + i] = arg;
		execv(self, argv);
		_exit(errno == E2BIG ? 9 : 1);
	}
	return reap(pid);
}

/* Copy the file at from into to (mode 0755, truncated first). */
static void copy_file(const char *from, const char *to)
{
	char buf[65536];
	int in = open(from, O_RDONLY);
	int out = open(to, O_CREAT | O_WRONLY | O_TRUNC, 0755);
	ssize_t n;

	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n)
			break;
	close(in);
	close(out);
}

/* exec path ("--exit 7" for a copy of this program) in a child: its end. */
static const char *exec_status(const char *path)
{
	pid_t pid = fork();

	if (pid == 0) {
		char *argv[] = { (char *)path, "--exit", "7", NULL };

		execv(path, argv);
		_exit(127);
	}
	return reap(pid);
}

/*
 * A program's file rewritten between two execs runs as rewritten: what an
 * exec maps of a file (a page cache kept after the process ended) follows
 * every write and truncation of it.
 */
static void test_exec_rewritten(void)
{
	copy_file(self, "prog");
	say("exec_copy: %s", exec_status("./prog"));
	write_file("prog", "#!/bin/sh\nexit 5\n", 0755);
	say("exec_after_truncating_write: %s", exec_status("./prog"));
	copy_file(self, "prog");
	say("exec_after_rewrite: %s", exec_status("./prog"));
	unlink("prog");
	copy_file(self, "prog");
	say("exec_recreated: %s", exec_status("./prog"));
	unlink("prog");
}

static void test_exec(void)
{
	char cfd[16], pfd[16];
	int fd_cloexec = open(".", O_RDONLY | O_CLOEXEC);
	int fd_plain = open(".", O_RDONLY);
	pid_t pid;
	char *env[] = { "FOO=bar", "EMPTY=", "SPACES=a b  c", NULL };
	char *noargs[] = { "x", NULL };

	snprintf(cfd, sizeof(cfd), "%d", fd_cloexec);
	snprintf(pfd, sizeof(pfd), "%d", fd_plain);
	pid = fork();
	if (pid == 0) {
		char *argv[] = { "proc_fork", "--exec-child", cfd, pfd, "a b", "", "c", NULL };
		execve(self, argv, env);
		_exit(127);
	}
	say("exec_status: %s", reap(pid));
	close(fd_cloexec);
	close(fd_plain);

	say("exec_args_1_5mib: %s", exec_with_args(1536, 1023));
	say("exec_args_3mib_e2big: %s", exec_with_args(3072, 1023));
	say("exec_arg_over_128kib_e2big: %s", exec_with_args(1, 128 * 1024 + 1));

	write_file("script.sh", "#!/bin/sh\necho \"script ran: $1 $2\"\nexit 3\n", 0755);
	pid = fork();
	if (pid == 0) {
		char *argv[] = { "script.sh", "one", "two words", NULL };
		execve("./script.sh", argv, env);
		_exit(127);
	}
	say("script_status: %s", reap(pid));
	write_file("badinterp.sh", "#!/nonexistent/interp\n", 0755);
	ERR("exec_missing_interp", execve("./badinterp.sh", noargs, env));
	write_file("noexec", "#!/bin/sh\n", 0644);
	ERR("exec_noexec_bit", execve("./noexec", noargs, env));
	write_file("garbage", "this is not a program\n", 0755);
	ERR("exec_garbage", execve("./garbage", noargs, env));
	ERR("exec_missing", execve("./nope", noargs, env));
	ERR("exec_dir", execve(".", noargs, env));
	ERR("exec_notdir", execve("./garbage/x", noargs, env));
	ERR("exec_bad_path", syscall(SYS_execve, BAD1, noargs, env));
	test_exec_rewritten();
	ERR("exec_bad_argv", syscall(SYS_execve, self, BAD1, env));
	ERR("exec_bad_envp", syscall(SYS_execve, self, noargs, BAD2));
	{
		char *badarg[] = { "x", BAD1, NULL };
		ERR("exec_bad_argv_elem", syscall(SYS_execve, self, badarg, env));
	}
	unlink("script.sh");
	unlink("badinterp.sh");
	unlink("noexec");
	unlink("garbage");
}

/*
 * The middle process exits while its child still runs; the grandchild must
 * be re-parented (to init, or a subreaper natively) and tells us by a pipe.
 */
static void test_orphan(void)
{
	int p[2];
	char c = '?';
	pid_t mid;

	pipe(p);
	mid = fork();
	if (mid == 0) {
		pid_t me = getpid();
		if (fork() == 0) {
			c = WAIT_UNTIL(getppid() != me) ? 'y' : 'n';
			write(p[1], &c, 1);
			_exit(0);
		}
		_exit(0);
	}
	close(p[1]);
	say("orphan_parent: %s", reap(mid));
	read(p[0], &c, 1);
	yesno("orphan_reparented", c == 'y');
	close(p[0]);
}

static void test_clone_errors(void)
{
	ERR("clone_sighand_without_vm", syscall(SYS_clone, CLONE_SIGHAND, NULL, NULL, NULL, 0));
	ERR("clone_thread_without_sighand", syscall(SYS_clone, CLONE_THREAD | CLONE_VM, NULL, NULL, NULL, 0));
	ERR("clone_newns_and_fs", syscall(SYS_clone, CLONE_NEWNS | CLONE_FS, NULL, NULL, NULL, 0));
}

int main(int argc, char **argv, char **envp)
{
	const char *dir;

	if (argc > 1 && strcmp(argv[1], "--exec-child") == 0)
		return exec_child(argc, argv, envp);
	if (argc > 2 && strcmp(argv[1], "--exit") == 0)
		return atoi(argv[2]);
	test_start();
	if (need_proc())
		say("proc: %s", ename(errno));
	self = realpath(argv[0], NULL);
	dir = scratch_dir("proc_fork");
	test_exit_codes();
	test_ids();
	test_many();
	test_stop_continue();
	test_waitid();
	test_vfork();
	test_pgrp_session();
	test_exec();
	test_orphan();
	test_clone_errors();
	scratch_cleanup(dir);
	say("DONE proc_fork");
	return 0;
}
