/*
 * locks: POSIX record locks (F_GETLK/F_SETLK/F_SETLKW), OFD locks and
 * flock(2): conflicts seen from another process, splitting and merging,
 * l_whence/l_start/l_len rules, release at close and exit, blocking waits
 * woken by an unlock, EDEADLK, signals during F_SETLKW (EINTR and
 * SA_RESTART), /proc/locks, and hostile arguments; all of it in the
 * scratch directory (ext4 in umk's tests), then again on a tmpfs.
 * Other processes report through pipes; "is blocked" is read from
 * /proc/locks (a waiter line), never guessed with sleeps.
 */
#include "guest.h"
#include <sched.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <linux/magic.h>

static const char *tname(int t)
{
	return t == F_RDLCK ? "RD" : t == F_WRLCK ? "WR" : t == F_UNLCK ? "UN" : "?";
}

static int setlk(int fd, int cmd, int type, int whence, long start, long len)
{
	struct flock fl = { .l_type = type, .l_whence = whence,
			    .l_start = start, .l_len = len };

	return fcntl(fd, cmd, &fl);
}

/* F_GETLK (cmd) run by a child process; prints what it saw. */
static void probe(const char *name, int fd, int cmd, int type, long start,
		  long len)
{
	struct flock fl;
	int p[2];
	pid_t pid;

	pipe(p);
	pid = fork();
	if (pid == 0) {
		fl = (struct flock){ .l_type = type, .l_whence = SEEK_SET,
				     .l_start = start, .l_len = len };
		if (fcntl(fd, cmd, &fl) < 0)
			fl.l_type = -errno;
		write(p[1], &fl, sizeof(fl));
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], &fl, sizeof(fl)) != sizeof(fl))
		say("%s: short", name);
	else if (fl.l_type < 0)
		say("%s: %s", name, ename(-fl.l_type));
	else if (fl.l_type == F_UNLCK)
		say("%s: UN", name);
	else
		say("%s: %s %ld %ld pid=%s", name, tname(fl.l_type),
		    (long)fl.l_start, (long)fl.l_len,
		    fl.l_pid == getpid() ? "parent" :
		    fl.l_pid == -1 ? "-1" : "other");
	close(p[0]);
	reap(pid);
}

/* F_SETLK (cmd) by a child process: its errno name or ok. */
static void child_setlk(const char *name, int fd, int cmd, int type,
			long start, long len)
{
	pid_t pid = fork();
	int st;

	if (pid == 0)
		_exit(setlk(fd, cmd, type, SEEK_SET, start, len) < 0 ? errno : 0);
	waitpid(pid, &st, 0);
	say("%s: %s", name, WEXITSTATUS(st) ? ename(WEXITSTATUS(st)) : "ok");
}

/* Is there a waiter ("-> ") on the inode of fd in /proc/locks? */
static int has_waiter(int fd)
{
	char buf[65536], pat[64];
	struct stat st;
	int pfd, n, total = 0;

	fstat(fd, &st);
	snprintf(pat, sizeof(pat), "%02x:%02x:%lu ", major(st.st_dev),
		 minor(st.st_dev), (unsigned long)st.st_ino);
	pfd = open("/proc/locks", O_RDONLY);
	if (pfd < 0)
		return 0;
	while ((n = read(pfd, buf + total, sizeof(buf) - 1 - total)) > 0)
		total += n;
	close(pfd);
	buf[total] = 0;
	for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n"))
		if (strstr(l, "-> ") && strstr(l, pat))
			return 1;
	return 0;
}

/* Wait (bounded) until someone is blocked on fd's inode. */
static void wait_blocked(const char *name, int fd)
{
	if (!WAIT_UNTIL(has_waiter(fd)))
		say("%s: nobody blocked", name);
}

static int open_file(const char *name, int flags)
{
	int fd = open(name, flags | O_CREAT, 0644);

	return fd;
}

static void test_posix_basic(void)
{
	int fd = open_file("f1", O_RDWR);

	ftruncate(fd, 100);
	resv("setlk_wr", setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 100));
	{
		struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

		resv("getlk_own", fcntl(fd, F_GETLK, &fl));
		say("getlk_own_type: %s", tname(fl.l_type));
	}
	probe("probe_wr", fd, F_GETLK, F_RDLCK, 10, 1);
	child_setlk("child_setlk_conflict", fd, F_SETLK, F_RDLCK, 50, 10);
	child_setlk("child_setlk_free", fd, F_SETLK, F_WRLCK, 100, 10);
	/* split: unlock the middle */
	resv("unlock_middle", setlk(fd, F_SETLK, F_UNLCK, SEEK_SET, 40, 20));
	probe("split_left", fd, F_GETLK, F_WRLCK, 30, 1);
	probe("split_hole", fd, F_GETLK, F_WRLCK, 45, 10);
	probe("split_right", fd, F_GETLK, F_WRLCK, 70, 1);
	/* merge: fill the hole with the same type */
	resv("refill", setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 40, 20));
	probe("merged", fd, F_GETLK, F_WRLCK, 0, 0);
	/* downgrade part to a read lock: readers may take it */
	resv("downgrade", setlk(fd, F_SETLK, F_RDLCK, SEEK_SET, 20, 10));
	probe("downgraded_rd", fd, F_GETLK, F_RDLCK, 20, 10);
	probe("downgraded_wr", fd, F_GETLK, F_WRLCK, 25, 1);
	probe("still_wr_after", fd, F_GETLK, F_RDLCK, 30, 1);
	/* adjacent read locks merge */
	resv("rd_a", setlk(fd, F_SETLK, F_RDLCK, SEEK_SET, 200, 10));
	resv("rd_b", setlk(fd, F_SETLK, F_RDLCK, SEEK_SET, 210, 10));
	probe("rd_merged", fd, F_GETLK, F_WRLCK, 200, 100);
	/* whole-file unlock */
	resv("unlock_all", setlk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0));
	probe("after_unlock_all", fd, F_GETLK, F_WRLCK, 0, 0);
	close(fd);
}

static void test_ranges(void)
{
	int fd = open_file("f2", O_RDWR);
	struct flock fl;

	ftruncate(fd, 100);
	lseek(fd, 50, SEEK_SET);
	resv("seek_cur", setlk(fd, F_SETLK, F_WRLCK, SEEK_CUR, -10, 5));
	probe("seek_cur_probe", fd, F_GETLK, F_WRLCK, 0, 0);
	resv("seek_end_neg_len", setlk(fd, F_SETLK, F_WRLCK, SEEK_END, 0, -10));
	probe("seek_end_probe", fd, F_GETLK, F_WRLCK, 60, 0);
	resv("to_eof", setlk(fd, F_SETLK, F_RDLCK, SEEK_SET, 1000, 0));
	probe("to_eof_probe", fd, F_GETLK, F_WRLCK, 5000, 1);
	setlk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);
	ERR("start_negative", setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, -1, 1));
	ERR("neg_len_before_0", setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 5, -6));
	ERR("neg_len_to_0", setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 5, -5));
	ERR("bad_whence", setlk(fd, F_SETLK, F_WRLCK, 3, 0, 1));
	ERR("bad_type", setlk(fd, F_SETLK, 7, SEEK_SET, 0, 1));
	ERR("start_overflow", setlk(fd, F_SETLK, F_WRLCK, SEEK_END, 0x7fffffffffffffffL, 1));
	ERR("len_overflow", setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 10, 0x7fffffffffffffffL));
	ERR("max_range", setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 1, 0x7fffffffffffffffL));
	setlk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);
	fl = (struct flock){ .l_type = F_UNLCK, .l_whence = SEEK_SET };
	ERR("getlk_unlck", fcntl(fd, F_GETLK, &fl));
	fl = (struct flock){ .l_type = 9, .l_whence = SEEK_SET };
	ERR("getlk_badtype", fcntl(fd, F_GETLK, &fl));
	fl = (struct flock){ .l_type = F_RDLCK, .l_whence = 5 };
	ERR("getlk_badwhence", fcntl(fd, F_GETLK, &fl));
	fl = (struct flock){ .l_type = F_RDLCK, .l_whence = SEEK_SET,
			     .l_start = 3, .l_len = 4, .l_pid = 77 };
	resv("getlk_free", fcntl(fd, F_GETLK, &fl));
	say("getlk_free_fields: %s %ld %ld %d %d", tname(fl.l_type),
	    (long)fl.l_start, (long)fl.l_len, fl.l_pid, fl.l_whence);
	ERR("setlk_bad1", syscall(SYS_fcntl, fd, F_SETLK, BAD1));
	ERR("setlkw_bad2", syscall(SYS_fcntl, fd, F_SETLKW, BAD2));
	ERR("getlk_unmapped", syscall(SYS_fcntl, fd, F_GETLK, unmapped_page()));
	ERR("ofd_getlk_bad1", syscall(SYS_fcntl, fd, F_OFD_GETLK, BAD1));
	ERR("setlk_badfd", setlk(9999, F_SETLK, F_WRLCK, SEEK_SET, 0, 1));
	close(fd);
}

static void test_modes(void)
{
	int ro = open_file("f3", O_RDONLY), wo = open("f3", O_WRONLY);
	int op = open("f3", O_PATH), p[2];

	ERR("wrlck_on_rdonly", setlk(ro, F_SETLK, F_WRLCK, SEEK_SET, 0, 1));
	ERR("rdlck_on_wronly", setlk(wo, F_SETLK, F_RDLCK, SEEK_SET, 0, 1));
	ERR("unlck_on_rdonly", setlk(ro, F_SETLK, F_UNLCK, SEEK_SET, 0, 1));
	ERR("rdlck_on_rdonly", setlk(ro, F_SETLK, F_RDLCK, SEEK_SET, 0, 1));
	ERR("wrlck_on_wronly", setlk(wo, F_SETLK, F_WRLCK, SEEK_SET, 5, 1));
	ERR("ofd_wrlck_on_rdonly", setlk(ro, F_OFD_SETLK, F_WRLCK, SEEK_SET, 9, 1));
	ERR("setlk_opath", setlk(op, F_SETLK, F_RDLCK, SEEK_SET, 0, 1));
	ERR("flock_opath", flock(op, LOCK_SH));
	{
		struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

		ERR("getlk_rdonly_wr", fcntl(ro, F_GETLK, &fl));
	}
	close(ro);
	probe("closed_other_fd_released", wo, F_GETLK, F_WRLCK, 0, 0);
	close(wo);
	close(op);
	pipe(p);
	ERR("pipe_wrlck", setlk(p[1], F_SETLK, F_WRLCK, SEEK_SET, 0, 0));
	ERR("pipe_rdlck_on_wr_end", setlk(p[1], F_SETLK, F_RDLCK, SEEK_SET, 0, 0));
	probe("pipe_probe", p[0], F_GETLK, F_RDLCK, 0, 0);
	close(p[0]);
	close(p[1]);
}

/* Locks go at any close of the inode by the process, and at exit; they
 * are not inherited by fork. */
static void test_release(void)
{
	int fd = open_file("f4", O_RDWR), fd2 = open("f4", O_RDONLY);
	int dupfd, p[2], q[2];
	pid_t pid;
	char c;

	setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10);
	dupfd = dup(fd);
	close(dupfd);
	probe("after_close_dup", fd, F_GETLK, F_WRLCK, 0, 0);
	setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10);
	close(fd2);
	probe("after_close_other_open", fd, F_GETLK, F_WRLCK, 0, 0);
	setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10);
	fd2 = open("f4", O_RDONLY);
	dup2(fd2, fd2 + 10);
	dup2(fd, fd2 + 10);
	probe("after_dup2_over", fd, F_GETLK, F_WRLCK, 0, 0);
	close(fd2 + 10);
	close(fd2);

	/* a child's lock goes when it exits */
	pipe(p);
	pipe(q);
	pid = fork();
	if (pid == 0) {
		setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 0);
		write(p[1], "l", 1);
		read(q[0], &c, 1);
		_exit(0);
	}
	read(p[0], &c, 1);
	probe("child_lock_seen", fd, F_GETLK, F_RDLCK, 0, 0);
	ERR("parent_conflict_child", setlk(fd, F_SETLK, F_RDLCK, SEEK_SET, 0, 1));
	write(q[1], "x", 1);
	say("child: %s", reap(pid));
	probe("child_lock_gone", fd, F_GETLK, F_RDLCK, 0, 0);
	ERR("parent_after_exit", setlk(fd, F_SETLK, F_RDLCK, SEEK_SET, 0, 1));
	close(fd);
	close(p[0]); close(p[1]); close(q[0]); close(q[1]);
}

static volatile sig_atomic_t got_usr1;
static void on_usr1(int sig) { got_usr1++; }

/* F_SETLKW waits for the unlock; EDEADLK; signals. */
static void test_wait(void)
{
	int fd = open_file("f5", O_RDWR), p[2], q[2], res;
	pid_t pid;
	char c;

	/* the waiter gets the lock after the unlock */
	setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10);
	pipe(p);
	pid = fork();
	if (pid == 0) {
		res = setlk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 5, 1);
		write(p[1], res ? "e" : "g", 1);
		_exit(0);
	}
	wait_blocked("setlkw", fd);
	probe("waiter_not_yet", fd, F_GETLK, F_WRLCK, 5, 1);
	setlk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 10);
	read(p[0], &c, 1);
	say("setlkw_after_unlock: %c", c);
	say("waiter: %s", reap(pid));
	close(p[0]);
	close(p[1]);

	/* deadlock: parent holds 0, child holds 1 and waits for 0 */
	pipe(p);
	pipe(q);
	setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1);
	pid = fork();
	if (pid == 0) {
		setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 1, 1);
		write(p[1], "l", 1);
		res = setlk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1);
		write(p[1], res ? "e" : "g", 1);
		read(q[0], &c, 1);
		_exit(0);
	}
	read(p[0], &c, 1);
	wait_blocked("deadlock_setup", fd);
	ERR("edeadlk", setlk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 1, 1));
	ERR("setlk_no_deadlock_check", setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 1, 1));
	setlk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 1);
	read(p[0], &c, 1);
	say("deadlock_child_got: %c", c);
	write(q[1], "x", 1);
	say("deadlock_child: %s", reap(pid));
	close(p[0]); close(p[1]); close(q[0]); close(q[1]);

	/* a signal without SA_RESTART ends F_SETLKW with EINTR; with it,
	 * the call goes on and gets the lock */
	for (int restart = 0; restart < 2; restart++) {
		setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 0);
		pipe(p);
		pid = fork();
		if (pid == 0) {
			struct sigaction sa = { .sa_handler = on_usr1,
						.sa_flags = restart ? SA_RESTART : 0 };

			sigaction(SIGUSR1, &sa, NULL);
			res = setlk(fd, F_SETLKW, F_RDLCK, SEEK_SET, 0, 1);
			c = res ? (errno == EINTR ? 'i' : 'e') : 'g';
			write(p[1], &c, 1);
			write(p[1], got_usr1 ? "s" : "n", 1);
			_exit(0);
		}
		wait_blocked("sig_setup", fd);
		kill(pid, SIGUSR1);
		if (restart) {
			/* the restarted wait shows up again, then is woken */
			wait_blocked("restarted", fd);
			setlk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);
		}
		read(p[0], &c, 1);
		say("setlkw_signal_restart%d: %c", restart, c);
		read(p[0], &c, 1);
		say("setlkw_signal_handled%d: %c", restart, c);
		say("sig_child%d: %s", restart, reap(pid));
		setlk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);
		close(p[0]);
		close(p[1]);
	}
	close(fd);
}

static void test_ofd(void)
{
	int fd1 = open_file("f6", O_RDWR), fd2 = open("f6", O_RDWR), fd3;
	struct flock fl;

	resv("ofd_setlk", setlk(fd1, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 10));
	ERR("ofd_conflict_same_process", setlk(fd2, F_OFD_SETLK, F_RDLCK, SEEK_SET, 5, 1));
	ERR("posix_vs_ofd_same_process", setlk(fd2, F_SETLK, F_RDLCK, SEEK_SET, 5, 1));
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET };
	resv("ofd_getlk", fcntl(fd2, F_OFD_GETLK, &fl));
	say("ofd_getlk_res: %s %ld %ld %d", tname(fl.l_type), (long)fl.l_start,
	    (long)fl.l_len, fl.l_pid);
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET };
	resv("ofd_getlk_own", fcntl(fd1, F_OFD_GETLK, &fl));
	say("ofd_getlk_own_res: %s", tname(fl.l_type));
	fl = (struct flock){ .l_type = F_UNLCK, .l_whence = SEEK_SET };
	ERR("ofd_getlk_unlck", fcntl(fd1, F_OFD_GETLK, &fl));
	say("ofd_getlk_unlck_res: %s %ld %ld %d", tname(fl.l_type),
	    (long)fl.l_start, (long)fl.l_len, fl.l_pid);
	fl = (struct flock){ .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_pid = 1 };
	ERR("ofd_getlk_pid", fcntl(fd2, F_OFD_GETLK, &fl));
	ERR("ofd_setlk_pid", fcntl(fd2, F_OFD_SETLK, &fl));
	probe("ofd_probe_child", fd2, F_GETLK, F_RDLCK, 0, 0);
	/* a child shares fd1's description: the lock is its own there */
	child_setlk("ofd_child_same_description", fd1, F_OFD_SETLK, F_WRLCK, 0, 20);
	probe("ofd_child_extended", fd2, F_GETLK, F_RDLCK, 15, 1);
	fd3 = dup(fd1);
	close(fd3);
	ERR("ofd_survives_close_dup", setlk(fd2, F_OFD_SETLK, F_RDLCK, SEEK_SET, 0, 1));
	close(fd1);
	ERR("ofd_gone_at_last_close", setlk(fd2, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 1));
	close(fd2);
}

static void test_flock(void)
{
	int fd1 = open_file("f7", O_RDWR), fd2 = open("f7", O_RDONLY), p[2], q[2];
	pid_t pid;
	char c;

	resv("flock_ex", flock(fd1, LOCK_EX));
	resv("flock_ex_again", flock(fd1, LOCK_EX));
	ERR("flock_conflict_nb", flock(fd2, LOCK_SH | LOCK_NB));
	resv("flock_and_posix_independent", setlk(fd2, F_SETLK, F_RDLCK, SEEK_SET, 0, 0));
	resv("flock_sh_convert", flock(fd1, LOCK_SH));
	resv("flock_sh_other", flock(fd2, LOCK_SH | LOCK_NB));
	ERR("flock_upgrade_blocked", flock(fd1, LOCK_EX | LOCK_NB));
	/* the failed upgrade dropped fd1's shared lock, as Linux does */
	resv("flock_un_fd2", flock(fd2, LOCK_UN));
	resv("flock_ex_fd2_after", flock(fd2, LOCK_EX | LOCK_NB));
	resv("flock_un_fd2_again", flock(fd2, LOCK_UN));
	resv("flock_un_unlocked", flock(fd2, LOCK_UN));
	ERR("flock_badcmd", flock(fd1, 0));
	ERR("flock_badcmd2", flock(fd1, LOCK_SH | LOCK_EX));
	ERR("flock_badcmd_nb", flock(fd1, LOCK_NB));
	ERR("flock_badfd", flock(9999, LOCK_SH));
	ERR("flock_badfd_badcmd", flock(9999, 0));
	ERR("flock_mand_ignored", flock(fd1, 32 | LOCK_READ));

	/* fork shares the description, so the child's unlock is ours too */
	resv("flock_ex_parent", flock(fd1, LOCK_EX));
	pid = fork();
	if (pid == 0)
		_exit(flock(fd1, LOCK_UN) ? 1 : 0);
	say("child_unlock: %s", reap(pid));
	resv("flock_after_child_unlock", flock(fd2, LOCK_EX | LOCK_NB));
	flock(fd2, LOCK_UN);

	/* a blocking flock waits for the holder */
	flock(fd1, LOCK_EX);
	pipe(p);
	pipe(q);
	pid = fork();
	if (pid == 0) {
		int fd = open("f7", O_RDONLY);

		write(q[1], "o", 1);
		c = flock(fd, LOCK_SH) ? 'e' : 'g';
		write(p[1], &c, 1);
		_exit(0);
	}
	read(q[0], &c, 1);
	wait_blocked("flock_wait", fd1);
	flock(fd1, LOCK_UN);
	read(p[0], &c, 1);
	say("flock_waiter: %c", c);
	say("flock_child: %s", reap(pid));
	close(p[0]); close(p[1]); close(q[0]); close(q[1]);

	/* closing the last fd of the description releases it */
	flock(fd1, LOCK_EX);
	close(fd1);
	resv("flock_after_close", flock(fd2, LOCK_EX | LOCK_NB));
	close(fd2);
}

/* The /proc/locks lines of our locks, rebuilt from stat and getpid. */
static void test_proc_locks(void)
{
	int fd = open_file("f8", O_RDWR);
	char buf[65536], want[128], want2[128], want3[128];
	int fd2 = open("f8", O_RDONLY), ofd = 0;
	struct stat st;
	int pfd, n, total = 0, posix = 0, fl = 0;

	fstat(fd, &st);
	setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 5, 10);
	flock(fd, LOCK_SH);
	snprintf(want, sizeof(want), "POSIX  ADVISORY  WRITE %d %02x:%02x:%lu 5 14",
		 getpid(), major(st.st_dev), minor(st.st_dev),
		 (unsigned long)st.st_ino);
	snprintf(want2, sizeof(want2), "FLOCK  ADVISORY  READ %d %02x:%02x:%lu 0 EOF",
		 getpid(), major(st.st_dev), minor(st.st_dev),
		 (unsigned long)st.st_ino);
	setlk(fd2, F_OFD_SETLK, F_RDLCK, SEEK_SET, 100, 0);
	snprintf(want3, sizeof(want3), "OFDLCK ADVISORY  READ -1 %02x:%02x:%lu 100 EOF",
		 major(st.st_dev), minor(st.st_dev), (unsigned long)st.st_ino);
	pfd = open("/proc/locks", O_RDONLY);
	while ((n = read(pfd, buf + total, sizeof(buf) - 1 - total)) > 0)
		total += n;
	close(pfd);
	buf[total] = 0;
	for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n")) {
		char *s = strchr(l, ':');

		if (s && strcmp(s + 2, want) == 0)
			posix++;
		if (s && strcmp(s + 2, want2) == 0)
			fl++;
		if (s && strcmp(s + 2, want3) == 0)
			ofd++;
	}
	say("proc_locks_ofd: %d", ofd);
	close(fd2);
	say("proc_locks_posix: %d", posix);
	say("proc_locks_flock: %d", fl);
	close(fd);
}

static void run_all(void)
{
	test_posix_basic();
	test_ranges();
	test_modes();
	test_release();
	test_wait();
	test_ofd();
	test_flock();
	test_proc_locks();
}

int main(void)
{
	const char *dir;
	struct statfs sfs;

	test_start();
	/* umk's test shell runs without /proc mounted */
	if (access("/proc/locks", R_OK))
		mount("proc", "/proc", "proc", 0, NULL);
	dir = scratch_dir("locks");
	run_all();		/* the scratch directory: ext4 in umk's tests */

	/* Again on tmpfs, mounted in a private mount namespace where there
	 * is one (natively), so the host never sees it. */
	say("== tmpfs");
	if (unshare(CLONE_NEWNS) == 0)
		mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	mkdir("tmpfs", 0755);
	chk("mount_tmpfs", mount("tmpfs", "tmpfs", "tmpfs", 0, "mode=0755"));
	if (chdir("tmpfs") == 0) {
		yesno("on_tmpfs", statfs(".", &sfs) == 0 &&
		      sfs.f_type == TMPFS_MAGIC);
		run_all();
		if (chdir(".."))
			say("chdir back: %s", ename(errno));
	}
	chk("umount_tmpfs", umount("tmpfs"));
	scratch_cleanup(dir);
	say("DONE locks");
	return 0;
}
