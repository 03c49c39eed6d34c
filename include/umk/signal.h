/*
 * Guest signal types (the kernel's own, independent of the host's libc):
 * sigset_t as a 64-bit mask, k_sigaction as the rt_sigaction ABI.
 * Semantics: signal(7), Linux kernel/signal.c.
 */
#ifndef UMK_SIGNAL_H
#define UMK_SIGNAL_H

#include <umk/kernel.h>
#include <signal.h>

#ifndef _NSIG
#define _NSIG 65
#endif
#define KSIGNAL_MAX 64
/* The x86-64 ABI's values that glibc's headers do not all carry. */
#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif
#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif

/* x86-64 rt_sigaction ABI (struct kernel_sigaction). */
struct k_sigaction {
	unsigned long handler;		/* SIG_DFL 0, SIG_IGN 1, or a guest address */
	unsigned long flags;
	unsigned long restorer;
	uint64_t mask;
};

/* A queued signal with its siginfo. */
struct sigqueue {
	struct list_head list;
	siginfo_t info;
};
struct sigpending {
	struct list_head list;
	uint64_t signal;		/* bit (sig-1) set when pending */
};

#undef sigmask
static inline uint64_t sigmask(int sig) { return 1ULL << (sig - 1); }

struct task;
/* True when t has a pending signal that is not blocked. */
bool signal_pending(struct task *t);
/* True when t is being killed: SIGKILL is pending for it (Linux
 * fatal_signal_pending, include/linux/sched/signal.h). */
bool fatal_signal_pending(struct task *t);
/*
 * Send sig to a process (thread group) / one thread with the given siginfo
 * (NULL means SI_USER from the current task). Implements kill(2)/tgkill(2)
 * semantics after permission checks: 0, or -EINVAL / -EPERM / -ESRCH.
 */
int send_sig_info(int sig, siginfo_t *info, struct task *t, bool group);
/* kill(2): pid > 0, 0, -1, < -1 as the man page. */
int kill_something_info(int sig, siginfo_t *info, pid_t pid);
/* Send sig to every process of process group pgrp (no permission check:
 * kernel-generated, e.g. the tty's SIGINT). Returns 0 or -ESRCH. */
int kill_pgrp(pid_t pgrp, int sig, int priv);
void init_sigpending(struct sigpending *p);
void flush_sigqueue(struct sigpending *p);

#endif
