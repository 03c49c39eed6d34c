/*
 * An interception mode: the engine that turns a guest system call into a
 * ptrace stop and gives the guest its result. The kernel above never knows
 * which mode runs; it is chosen once at boot (mode=skas|tt).
 *   skas/: PTRACE_SYSEMU, one stop per call.
 *   tt-mode/: PTRACE_SYSCALL, the host call nulled to getpid(), two stops.
 */
#ifndef UMK_MODE_H
#define UMK_MODE_H

#include <umk/sched.h>
#include <ptrace_user.h>
#include <stub.h>

struct um_mode {
	const char *name;
	/* How to run guest code until its next system call. */
	enum resume_req resume;
	/*
	 * A syscall stop of t arrived (t->regs fresh). Return true if it is a
	 * call for the kernel to serve (t->syscall_nr and the arguments in
	 * t->regs are valid), false if the mode consumed it (tt: exit stop).
	 */
	bool (*syscall_entry)(struct task *t);
	/*
	 * The kernel served the call: make the guest see t->regs (rax holds
	 * the result, or rip/rax were set for a restart). tt first completes
	 * the nulled host call. 0, or -ESRCH if the host thread vanished.
	 */
	int (*syscall_finish)(struct task *t);
	/*
	 * Let the host run the guest's current system call for real, with
	 * the registers in t->regs (rt_sigreturn: the host restores the
	 * frame). On return t->regs are the registers after the call and the
	 * task is at a syscall-exit stop. 0 or -ESRCH.
	 */
	int (*syscall_passthrough)(struct task *t);
};

extern const struct um_mode *um_mode;
extern const struct um_mode skas_mode;
extern const struct um_mode tt_mode;

/* Process-level helpers both engines and the kernel use (process.c). */
/* Wait for t's (current's) next host stop; returns it (also in t->stop). */
struct host_stop *wait_host_stop(struct task *t);
/* The same, but a PTRACE_INTERRUPT stop (a signal's wake-up that came
 * while the kernel drives the thread) is stepped over by resuming with req. */
struct host_stop *wait_host_stop_resume(struct task *t, enum resume_req req);
/* Run one host syscall inside the stopped current task via the stub;
 * t->regs are preserved. Returns the host result (-errno on failure). */
long host_syscall(struct task *t, long nr, long a0, long a1, long a2,
		  long a3, long a4, long a5);
/* The same for a call that may sleep in the host (futex wait): a guest
 * signal ends it with -ERESTARTSYS. */
long host_syscall_interruptible(struct task *t, long nr, long a0, long a1,
				long a2, long a3, long a4, long a5);
/* Run the batch already written at STUB_DATA (count calls). Returns the
 * number that succeeded; the results are read back into *batch. */
long host_batch(struct task *t, struct stub_batch *batch);
int task_setregs(struct task *t);
int task_getregs(struct task *t);
/* At a syscall stop only part of t->regs was read: fetch the rest (keeping
 * rax, rip, orig_rax as the handler left them). 0 or -ESRCH. */
int task_regs_full(struct task *t);
/* At a syscall-entry stop under PTRACE_SYSCALL: let the host run the call
 * and stop at its exit, registers read back. 0 or -ESRCH. */
int finish_guest_syscall(struct task *t);
/* From a stop outside any call (a signal stop, or the exit stop of a call
 * SYSEMU skipped): run the guest's own syscall instruction again (rip - 2,
 * the number from orig_rax) under PTRACE_SYSCALL, up to its exit stop. */
int rerun_guest_syscall(struct task *t);
/* Resume the current task's guest code after a stop (signals delivered). */
void return_to_user(struct task *t);

#endif
