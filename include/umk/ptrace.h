/*
 * Guest ptrace (kernel/ptrace.c): one guest task tracing another, entirely
 * inside umk's kernel. A tracee's stops are kernel-level: its task sleeps on
 * its kernel stack (TASK_TRACED) at the stop point while its host thread
 * stays in the mode's own stop; the tracer's wait4/waitid see the stop
 * through the wait code of kernel/exit.c. The host's ptrace is never used
 * for a guest request. Semantics: ptrace(2), Linux kernel/ptrace.c,
 * kernel/signal.c (ptrace_stop, do_jobctl_trap), include/linux/ptrace.h.
 *
 * This header is the set of hooks the rest of the kernel calls; each hook is
 * a no-op (one test of t->ptrace or t->jobctl) for a task nobody traces.
 */
#ifndef UMK_PTRACE_H
#define UMK_PTRACE_H

#include <umk/sched.h>
#include <sys/wait.h>

/* task->ptrace (Linux include/linux/ptrace.h). */
#define PT_PTRACED		0x00000001
#define PT_SEIZED		0x00010000
#define PT_OPT_FLAG_SHIFT	3
#define PT_EVENT_FLAG(ev)	(1U << (PT_OPT_FLAG_SHIFT + (ev)))
#define PT_TRACESYSGOOD		PT_EVENT_FLAG(0)
#define PT_EXITKILL		(0x00100000U << PT_OPT_FLAG_SHIFT)
#define PT_SUSPEND_SECCOMP	(0x00200000U << PT_OPT_FLAG_SHIFT)

/* task->jobctl (Linux include/linux/sched/jobctl.h). */
#define JOBCTL_STOP_SIGMASK	0xffff	/* signal of the pending group stop */
#define JOBCTL_STOP_PENDING	(1U << 17)	/* take part in a group stop */
#define JOBCTL_TRAP_STOP	(1U << 19)	/* trap for PTRACE_INTERRUPT */
#define JOBCTL_TRAP_NOTIFY	(1U << 20)	/* trap for a job control change */
#define JOBCTL_TRAPPING		(1U << 21)	/* attach: on its way to the trap */
#define JOBCTL_LISTENING	(1U << 22)	/* PTRACE_LISTEN in effect */
#define JOBCTL_TRAP_MASK	(JOBCTL_TRAP_STOP | JOBCTL_TRAP_NOTIFY)
#define JOBCTL_PENDING_MASK	(JOBCTL_STOP_PENDING | JOBCTL_TRAP_MASK)

/* task->syscall_work: what the task loop does around a syscall and on the
 * way back to guest code (Linux SYSCALL_WORK_* and TIF_SINGLESTEP). */
#define SYSCALL_WORK_TRACE	0x1	/* PTRACE_SYSCALL: entry and exit stops */
#define SYSCALL_WORK_EMU	0x2	/* PTRACE_SYSEMU: entry stop, call skipped */
#define SYSCALL_WORK_STEP	0x4	/* single-stepping (TIF_SINGLESTEP) */
#define SYSCALL_WORK_FORCED_TF	0x8	/* TF set by the tracer, not the guest */

/* Access modes of ptrace_may_access (Linux PTRACE_MODE_*). */
#define PTRACE_MODE_READ	0x01
#define PTRACE_MODE_ATTACH	0x02
#define PTRACE_MODE_FSCREDS	0x04
#define PTRACE_MODE_REALCREDS	0x08

/*
 * May current access t in mode (Linux __ptrace_may_access): its own thread
 * group always; else the caller's uid (fsuid with FSCREDS) must equal the
 * target's real, effective and saved uid, and likewise gid, and the
 * target's mm must be dumpable, unless the caller has CAP_SYS_PTRACE.
 */
bool ptrace_may_access(struct task *t, unsigned int mode);

/* --- the task loop (arch/um/kernel/process.c) --- */
/*
 * Syscall-entry stop of a task with SYSCALL_WORK_TRACE or _EMU: the
 * tracer sees and may change the call (orig_rax, arguments). Returns true
 * when the call must not run: SYSEMU, orig_rax set to -1, or SIGKILL.
 * t->regs hold the call (orig_rax and the argument registers) afterwards.
 */
bool ptrace_report_syscall_entry(struct task *t);
/* Syscall-exit stop (PTRACE_SYSCALL), or the single-step SIGTRAP queued
 * after a syscall (Linux syscall_exit_work). */
void ptrace_report_syscall_exit(struct task *t);

/* The task loop delivers ks to a single-stepped task: its handler
 * starts without the tracer's TF and the tracee reports a SIGTRAP there
 * (Linux handle_signal, signal_delivered with stepping). */
struct ksignal;
void ptrace_handle_signal_stepping(struct task *t, struct ksignal *ks);

/* --- signals (kernel/signal.c) --- */
/*
 * get_signal's ptrace part for a dequeued signal sig with *info (Linux
 * ptrace_signal): the signal-delivery stop. Returns the signal to act on,
 * as the tracer chose it (0: none; a blocked one is queued again).
 */
int ptrace_signal(int sig, siginfo_t *info);
/*
 * get_signal's job control traps (Linux do_signal_stop's traced part and
 * do_jobctl_trap): a traced task with JOBCTL_STOP_PENDING or a trap
 * pending stops for its tracer. Returns true if it stopped (the caller
 * looks at its signals again).
 */
bool ptrace_do_jobctl(struct task *t);
/* A group stop began or ended in leader's thread group: seized tracees
 * re-trap to report it (Linux ptrace_trap_notify). */
void ptrace_trap_notify_group(struct task *leader);

/* --- fork, exec, exit --- */
/* PTRACE_O_TRACE* event of a clone (do_fork): is it traced? Returns the
 * PTRACE_EVENT_* to report or 0; *link: the child is to be traced. */
int ptrace_clone_event(struct task *p, unsigned long flags, bool *link);
/* The new child c of current joins current's tracer (before it runs). */
void ptrace_init_task(struct task *c, bool link);
/* After the clone (Linux kernel_clone): the PTRACE_EVENT_* of the new
 * child pid; for a vfork, PTRACE_EVENT_VFORK_DONE once the child let go
 * of the parent's memory (the tracer sees the vfork before that). */
void ptrace_fork_event(int event, pid_t pid);
void ptrace_vfork_done(pid_t pid);
/* execve succeeded in current (old_pid its tid before): PTRACE_EVENT_EXEC
 * stop, or the legacy SIGTRAP (Linux ptrace_event(PTRACE_EVENT_EXEC)). */
void ptrace_exec_notify(pid_t old_pid);
/* do_exit's start: the PTRACE_EVENT_EXIT stop (code: the wait status),
 * then every tracee of current is let go (Linux exit_ptrace). */
void ptrace_exit_start(long code);
/*
 * The last thread of a traced process died (exit_notify): its tracer is
 * told instead of its parent. Returns true when the tracer took the
 * zombie (the parent hears of it once the tracer reaps or detaches).
 */
bool ptrace_exit_notify(struct task *leader, int why, int status);
/* A dead task is freed without a wait (de_thread's old leader): it
 * leaves its tracer's list. */
void ptrace_release_task(struct task *p);
/* A traced thread that is not its group's leader died: it stays a
 * zombie for its tracer. Returns true when it did (do not self-reap). */
bool ptrace_exit_traced_thread(struct task *t);

/* --- wait (kernel/exit.c) --- */
struct wait_result {
	pid_t pid;
	uint64_t utime_ns, stime_ns;	/* the child's, for rusage */
	int status;		/* wait4 status word */
	int code;		/* CLD_* for waitid */
	int cstatus;
	uid_t ruid;
};
/* Is child leader c traced by a thread of current's own group? Its real
 * parent's wait then treats it as a tracee (Linux wait_consider_task). */
bool ptrace_traced_by_current_group(struct task *c);
/*
 * The tracees of current's thread group (only current's with __WNOTHREAD)
 * for wait4/waitid: a ptrace stop, a continue or an exit to report fills
 * *res and returns 1; 0 if one matches but has nothing to report; -ECHILD
 * if none matches.
 */
int ptrace_do_wait(idtype_t type, pid_t id, int options,
		   struct wait_result *res);
/* kernel/exit.c: free a reaped leader zombie (its parent's wait). */
void release_task(struct task *leader);

#endif
