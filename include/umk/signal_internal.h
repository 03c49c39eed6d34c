/*
 * Signal delivery between the kernel (kernel/signal.c) and the task loop
 * (arch/um/kernel/process.c). Semantics: Linux kernel/signal.c get_signal,
 * arch/x86/kernel/signal.c handle_signal.
 */
#ifndef UMK_SIGNAL_INTERNAL_H
#define UMK_SIGNAL_INTERNAL_H

#include <umk/sched.h>

struct ksignal {
	int sig;
	siginfo_t info;
	struct k_sigaction ka;
};

/* Take the next deliverable signal of t. Default actions (ignore, stop,
 * continue, terminate) are carried out here (terminate does not return);
 * returns true with *ks filled when a guest handler must run. */
bool get_signal(struct task *t, struct ksignal *ks);
/* Resolve a -ERESTART* syscall result in t->regs, knowing the handler
 * about to run (ka) or that none runs (NULL). */
void syscall_restart_fixup(struct task *t, const struct k_sigaction *ka);
/* Have the host build the signal frame for ks in t (its registers already
 * final) and stop at the handler's first instruction; then fix the frame's
 * saved mask and apply the handler's mask. */
void inject_signal(struct task *t, struct ksignal *ks);
/* A fault the host raised in t's guest code (SIGSEGV, ...): deliver it to
 * the guest handler or kill the process, as Linux force_sig_info. */
void force_sig_fault(struct task *t, int sig, const siginfo_t *info);
/* Dispositions back to default on execve (flush_signal_handlers). */
void flush_signal_handlers(struct task *t);
/* Notify the parent of a child's exit or stop (do_notify_parent). */
void do_notify_parent(struct task *leader, int why, int status);
/* Wake t so it notices a new signal (signal_wake_up). */
void signal_wake_up(struct task *t);
/* POSIX orphaned process group test for current's pgrp (job control). */
bool is_current_pgrp_orphaned(void);

#endif
