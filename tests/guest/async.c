/*
 * async: O_ASYNC and SIGIO on pipes. F_SETOWN/F_GETOWN (pid, -pgrp),
 * F_SETOWN_EX/F_GETOWN_EX, F_SETSIG/F_GETSIG, F_SETFL O_ASYNC and FIOASYNC;
 * plain SIGIO (SI_KERNEL) when data arrives; the F_SETSIG signal with
 * si_code, si_fd and si_band for the read end (POLL_IN) and the write end
 * (POLL_OUT); queued real-time signals; no owner, no signal; a process
 * group owner; close of the other end; bad arguments.
 */
#include "guest.h"
#include <poll.h>
#include <sys/ioctl.h>

static volatile sig_atomic_t nsig, last_sig, last_code, last_fd;
static volatile long last_band;

static void on_sig(int sig, siginfo_t *si, void *uc)
{
	nsig++;
	last_sig = sig;
	last_code = si->si_code;
	last_fd = si->si_fd;
	last_band = si->si_band;
}

static void catch(int sig)
{
	struct sigaction sa = { .sa_sigaction = on_sig, .sa_flags = SA_SIGINFO };

	sigfillset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static const char *code_name(int code)
{
	static char buf[16];

	switch (code) {
	case SI_KERNEL: return "SI_KERNEL";
	case POLL_IN: return "POLL_IN";
	case POLL_OUT: return "POLL_OUT";
	case POLL_HUP: return "POLL_HUP";
	}
	snprintf(buf, sizeof(buf), "%d", code);
	return buf;
}

static void test_plain_sigio(void)
{
	int p[2];
	char buf[8];

	catch(SIGIO);
	pipe(p);
	resv("getown_default", fcntl(p[0], F_GETOWN));
	resv("getsig_default", fcntl(p[0], F_GETSIG));
	chk("setown_pid", fcntl(p[0], F_SETOWN, getpid()));
	yesno("getown_is_pid", fcntl(p[0], F_GETOWN) == getpid());
	chk("setfl_async", fcntl(p[0], F_SETFL, O_ASYNC | O_NONBLOCK));
	yesno("getfl_async", fcntl(p[0], F_GETFL) & O_ASYNC);
	nsig = 0;
	write(p[1], "a", 1);
	say("sigio_after_write: %d", nsig);
	say("sigio_signal: %s", sigabbrev_np(last_sig));
	say("sigio_code: %s", code_name(last_code));
	read(p[0], buf, sizeof(buf));
	say("sigio_after_read: %d", nsig);
	ERR("read_empty", read(p[0], buf, sizeof(buf)));
	say("sigio_after_eagain: %d", nsig);
	write(p[1], "bc", 2);
	write(p[1], "d", 1);
	say("sigio_after_two_writes: %d", nsig);
	read(p[0], buf, sizeof(buf));
	chk("setown_zero", fcntl(p[0], F_SETOWN, 0));
	write(p[1], "e", 1);
	say("sigio_no_owner: %d", nsig);
	read(p[0], buf, sizeof(buf));
	chk("setown_pid_again", fcntl(p[0], F_SETOWN, getpid()));
	chk("setfl_no_async", fcntl(p[0], F_SETFL, O_NONBLOCK));
	write(p[1], "f", 1);
	say("sigio_async_off: %d", nsig);
	read(p[0], buf, sizeof(buf));
	{
		int on = 1;

		chk("fioasync_on", ioctl(p[0], FIOASYNC, &on));
		yesno("fioasync_flag", fcntl(p[0], F_GETFL) & O_ASYNC);
	}
	write(p[1], "g", 1);
	say("sigio_fioasync: %d", nsig);
	close(p[0]);
	close(p[1]);
	signal(SIGIO, SIG_DFL);
}

static void test_setsig(void)
{
	int p[2], rt = SIGRTMIN + 1, fd2;
	char buf[8];
	sigset_t set, old;

	catch(rt);
	pipe(p);
	fcntl(p[0], F_SETOWN, getpid());
	chk("setsig", fcntl(p[0], F_SETSIG, rt));
	yesno("getsig", fcntl(p[0], F_GETSIG) == rt);
	fcntl(p[0], F_SETFL, O_ASYNC | O_NONBLOCK);
	nsig = 0;
	write(p[1], "x", 1);
	say("rt_count: %d", nsig);
	yesno("rt_signal", last_sig == rt);
	say("rt_code: %s", code_name(last_code));
	yesno("rt_fd_is_read_end", last_fd == p[0]);
	say("rt_band: %#lx", last_band);
	fd2 = dup(p[0]);
	write(p[1], "y", 1);
	yesno("rt_fd_after_dup", last_fd == p[0]);
	close(fd2);
	read(p[0], buf, sizeof(buf));

	sigemptyset(&set);
	sigaddset(&set, rt);
	nsig = 0;
	sigprocmask(SIG_BLOCK, &set, &old);
	write(p[1], "1", 1);
	write(p[1], "2", 1);
	write(p[1], "3", 1);
	say("rt_while_blocked: %d", nsig);
	sigprocmask(SIG_SETMASK, &old, NULL);
	say("rt_queued: %d", nsig);
	read(p[0], buf, sizeof(buf));

	fcntl(p[0], F_SETFL, O_NONBLOCK);
	fcntl(p[1], F_SETOWN, getpid());
	fcntl(p[1], F_SETSIG, rt);
	chk("setfl_async_write_end", fcntl(p[1], F_SETFL, O_ASYNC));
	write(p[1], "z", 1);
	nsig = 0;
	read(p[0], buf, sizeof(buf));
	say("write_end_count: %d", nsig);
	say("write_end_code: %s", code_name(last_code));
	yesno("write_end_fd", last_fd == p[1]);
	say("write_end_band: %#lx", last_band);

	fcntl(p[1], F_SETFL, 0);
	fcntl(p[0], F_SETFL, O_ASYNC | O_NONBLOCK);
	nsig = 0;
	close(p[1]);
	say("close_writer_count: %d", nsig);
	say("close_writer_code: %s", code_name(last_code));
	close(p[0]);
	signal(rt, SIG_DFL);
}

/* A child in a process group of its own owns the pipe as -pgrp; it and
 * its child (same group) both get SIGIO. */
static int pgrp_owner_child(void)
{
	int p[2], ready[2], st;
	struct f_owner_ex ex;
	sigset_t set, none;
	pid_t kid;

	setpgid(0, 0);
	catch(SIGIO);
	sigemptyset(&set);
	sigaddset(&set, SIGIO);
	sigprocmask(SIG_BLOCK, &set, &none);
	sigdelset(&none, SIGIO);
	pipe(p);
	pipe(ready);
	if (fcntl(p[0], F_SETOWN, -getpgrp()) < 0)
		return 10;
	if (fcntl(p[0], F_GETOWN) != -getpgrp())
		return 11;
	if (fcntl(p[0], F_GETOWN_EX, &ex) < 0 || ex.type != F_OWNER_PGRP ||
	    ex.pid != getpgrp())
		return 12;
	fcntl(p[0], F_SETFL, O_ASYNC | O_NONBLOCK);
	kid = fork();
	if (kid == 0) {
		write(ready[1], "r", 1);
		nsig = 0;
		while (!nsig)
			sigsuspend(&none);
		_exit(nsig == 1 && last_code == SI_KERNEL ? 0 : 1);
	}
	read(ready[0], &st, 1);
	nsig = 0;
	write(p[1], "q", 1);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	if (nsig != 1)
		return 13;
	if (waitpid(kid, &st, 0) != kid || !WIFEXITED(st))
		return 14;
	return WEXITSTATUS(st);
}

static void test_pgrp_owner(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(pgrp_owner_child());
	say("pgrp_owner: %s", reap(pid));
}

static void test_errors(void)
{
	int p[2];
	struct f_owner_ex ex = { .type = 99, .pid = getpid() };

	pipe(p);
	ERR("setsig_65", fcntl(p[0], F_SETSIG, 65));
	ERR("setsig_neg", fcntl(p[0], F_SETSIG, -1));
	ERR("setsig_64", fcntl(p[0], F_SETSIG, 64));
	ERR("setown_nonexistent", fcntl(p[0], F_SETOWN, 9999999));
	ERR("setown_nonexistent_pgrp", fcntl(p[0], F_SETOWN, -9999999));
	ERR("setown_ex_badtype", fcntl(p[0], F_SETOWN_EX, &ex));
	ERR("setown_ex_bad_ptr", syscall(SYS_fcntl, p[0], F_SETOWN_EX, BAD1));
	ERR("getown_ex_bad_ptr", syscall(SYS_fcntl, p[0], F_GETOWN_EX, BAD2));
	ERR("fioasync_bad_ptr", syscall(SYS_ioctl, p[0], FIOASYNC, BAD1));
	ERR("setown_badfd", fcntl(999, F_SETOWN, getpid()));
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	test_start();
	test_plain_sigio();
	test_setsig();
	test_pgrp_owner();
	test_errors();
	say("DONE async");
	return 0;
}
