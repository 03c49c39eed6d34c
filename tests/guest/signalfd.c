/*
 * signalfd: reading blocked signals as struct signalfd_siginfo (kill,
 * sigqueue, SIGCHLD), several per read, mask updates through the same
 * fd, poll readiness, blocking reads woken by another process, and
 * hostile arguments.
 */
#include "guest.h"
#include <poll.h>
#include <sys/signalfd.h>

static int readable(int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

int main(void)
{
	struct signalfd_siginfo si[4];
	sigset_t mask, cur;
	union sigval sv = { .sival_int = 77 };
	int fd, fd2, p[2];
	pid_t pid;
	long n;
	char c;

	test_start();
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGUSR2);
	sigaddset(&mask, SIGRTMIN);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);

	fd = signalfd(-1, &mask, SFD_NONBLOCK);
	resv("sfd_getfl", fcntl(fd, F_GETFL));
	ERR("sfd_empty", read(fd, si, sizeof(si[0])));
	yesno("sfd_readable_empty", readable(fd));
	kill(getpid(), SIGUSR1);
	yesno("sfd_readable", readable(fd));
	n = read(fd, si, sizeof(si));
	resv("sfd_read", n);
	say("sfd_signo: %s code %d pid_ok %d uid %u", sigabbrev_np(si[0].ssi_signo),
	    si[0].ssi_code, si[0].ssi_pid == (uint32_t)getpid(), si[0].ssi_uid);
	sigpending(&cur);
	yesno("usr1_still_pending", sigismember(&cur, SIGUSR1));

	sigqueue(getpid(), SIGRTMIN, sv);
	sigqueue(getpid(), SIGRTMIN, sv);
	kill(getpid(), SIGUSR2);
	n = read(fd, si, sizeof(si));
	resv("sfd_read_three", n);
	for (int i = 0; i < n / (long)sizeof(si[0]); i++)
		say("sfd_%d: %d code %d int %d", i, si[i].ssi_signo == (uint32_t)SIGRTMIN ?
		    -1 : (int)si[i].ssi_signo, si[i].ssi_code, si[i].ssi_int);
	ERR("sfd_short_buf", read(fd, si, sizeof(si[0]) - 1));

	/* only the signals of the mask */
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	kill(getpid(), SIGTERM);
	ERR("sfd_not_in_mask", read(fd, si, sizeof(si[0])));
	resv("sfd_update_mask", signalfd(fd, &mask, 0) == fd);
	n = read(fd, si, sizeof(si));
	say("sfd_after_update: %ld %s", n, n > 0 ? sigabbrev_np(si[0].ssi_signo) : "-");

	/* SIGCHLD info */
	pid = fork();
	if (pid == 0)
		_exit(3);
	waitid(P_PID, pid, NULL, WEXITED | WNOWAIT);
	n = read(fd, si, sizeof(si));
	say("sfd_chld: %ld %s code %d status %d pid_ok %d", n,
	    sigabbrev_np(si[0].ssi_signo), si[0].ssi_code, si[0].ssi_status,
	    si[0].ssi_pid == (uint32_t)pid);
	reap(pid);

	/* a blocking read waits for a signal from another process */
	fd2 = signalfd(-1, &mask, SFD_CLOEXEC);
	resv("sfd2_getfd", fcntl(fd2, F_GETFD));
	pipe(p);
	pid = fork();
	if (pid == 0) {
		read(p[0], &c, 1);
		kill(getppid(), SIGUSR2);
		_exit(0);
	}
	write(p[1], "g", 1);
	n = read(fd2, si, sizeof(si[0]));
	say("sfd_blocking: %ld %s", n, sigabbrev_np(si[0].ssi_signo));
	reap(pid);
	/* SIGCHLD of that child */
	read(fd2, si, sizeof(si));
	close(p[0]);
	close(p[1]);

	/* hostile arguments */
	ERR("sfd_badsize", syscall(SYS_signalfd4, -1, &mask, 4, 0));
	ERR("sfd_badflags", syscall(SYS_signalfd4, -1, &mask, 8, 1));
	ERR("sfd_mask_bad1", syscall(SYS_signalfd4, -1, BAD1, 8, 0));
	ERR("sfd_mask_unmapped", syscall(SYS_signalfd4, -1, unmapped_page(), 8, 0));
	ERR("sfd_badfd", syscall(SYS_signalfd4, 9999, &mask, 8, 0));
	ERR("sfd_not_signalfd", syscall(SYS_signalfd4, 1, &mask, 8, 0));
	ERR("sfd_old_badsize", syscall(SYS_signalfd, -1, &mask, 16));
	ERR("sfd_neg2", syscall(SYS_signalfd4, -2, &mask, 8, 0));
	kill(getpid(), SIGUSR1);
	ERR("sfd_read_bad1", syscall(SYS_read, fd, BAD1, sizeof(si[0])));
	ERR("sfd_lseek", lseek(fd, 0, SEEK_SET));
	close(fd);
	close(fd2);
	say("DONE signalfd");
	return 0;
}
