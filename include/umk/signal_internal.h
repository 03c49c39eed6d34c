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
/*
 * Run the handler of ks in t (arch/um/kernel/signal.c, Linux's
 * handle_signal): the kernel writes the rt_sigframe (registers, FPU state,
 * the mask to restore, siginfo) on t's stack or alternate stack and points
 * t->regs at the handler; a frame that cannot be written kills the task
 * with SIGSEGV (force_sigsegv).
 */
void handle_signal(struct task *t, struct ksignal *ks);
/* The handler's frame is in place: block its mask (and the signal unless
 * SA_NODEFER), disarm an SS_AUTODISARM stack (Linux signal_delivered). */
void signal_delivered(struct task *t, const struct ksignal *ks);
/* A signal could not be delivered (bad frame, no restorer): SIGSEGV, with
 * the default action if sig was SIGSEGV itself (Linux force_sigsegv). */
void force_sigsegv(struct task *t, int sig);
/* Set current's blocked mask; SIGKILL and SIGSTOP can never be blocked. */
void set_current_blocked(uint64_t mask);
/* rt_sigreturn: the frame's saved alternate stack (ss_sp, ss_flags,
 * ss_size) becomes t's again where sigaltstack(2) would allow it; other
 * errors are ignored, as Linux's restore_altstack does. */
void restore_altstack(struct task *t, unsigned long sp, int flags, size_t size);
/* Kill t's whole process at once, whatever it blocks or ignores, init too
 * (a halt: Linux's SIGKILL to every process). */
void force_sigkill(struct task *t);
/* Sleep with a temporary blocked mask until a signal is delivered
 * (rt_sigsuspend, pause); returns -ERESTARTNOHAND. */
long sigsuspend_with_mask(uint64_t mask);
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


/* --- for signalfd (kernel/fs/signalfd.c) --- */
/* Take t's next pending signal among mask (blocked or not) into *info:
 * its number, or 0 if none is pending (Linux dequeue_signal with a mask). */
int dequeue_signal_mask(struct task *t, uint64_t mask, siginfo_t *info);
/* A signal was queued for t: wake the signalfd readers and pollers. */
void signalfd_notify(struct task *t, int sig);

#endif
