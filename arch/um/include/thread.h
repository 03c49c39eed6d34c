/*
 * The mode-private part of a task (Linux's thread_struct): what the
 * interception engine keeps about the task's host thread. Only the mode
 * engines (arch/um/ptrace/, skas/, tt-mode/, seccomp/) read or write it;
 * the kernel embeds it in struct task and never looks inside.
 */
#ifndef UMK_THREAD_H
#define UMK_THREAD_H

#include <stdbool.h>
#include <stdint.h>
#include <umk/kernel.h>
#include <host_stop.h>

struct task;
struct sc_mm;

struct thread_struct {
	/* The last decoded host stop (ptrace modes) and whether it is new. */
	struct host_stop stop;
	bool stop_ready;
	/*
	 * At a syscall stop only the fields of PTRACE_GET_SYSCALL_INFO are
	 * read into task->regs (orig_rax, the arguments, rip, rsp; rax is
	 * -ENOSYS): the rest is fetched on demand. snap_* hold what the host
	 * has for rax, rip and orig_rax meanwhile, so only changed registers
	 * are written back.
	 */
	bool regs_partial;
	unsigned long snap_rax, snap_rip, snap_orig_rax;
	/*
	 * The task sits in the syscall-entry stop of the call it made
	 * (false once a stub call moved it off that stop). In tt mode the
	 * host call is still pending there and must be nulled.
	 */
	bool at_entry_stop;
	bool entry_compat;		/* ...of a call of another ABI (i386) */
	bool started;			/* its first stop was consumed */
	bool interrupted;		/* PTRACE_INTERRUPT sent, not yet seen */
	bool guest_running;		/* resumed into guest code or an
					 * interruptible host call */
	bool exec_seen;			/* PTRACE_EVENT_EXEC in a stub run */
	bool host_leader;		/* its host thread leads its host
					 * process (not made with CLONE_THREAD) */
	unsigned long clone_flags;	/* host flags of the clone under way */
	int cpu;			/* the host CPU its thread is bound to,
					 * or -1 (ptrace modes: co-location) */
	uint64_t resumed_ns;		/* when it was last resumed */
	unsigned int short_runs;	/* stops in a row after a short run */
	int host_pid;			/* its host process (the tgid) */
	int reap_pid;			/* exit: the host process it waits to
					 * see reaped, or 0 */
	bool reaped;			/* ...which happened */

	/* seccomp mode (seccomp/seccomp.c) */
	struct sc_mm *scm;		/* the region of its address space */
	int slot;			/* its slot there */
	int svc;			/* the service slot of its process */
	int sc_pid;			/* its host process */
	bool sc_pending;		/* its thread waits in the handler */
	bool sc_hostcall;		/* its thread runs a host call */
	bool sc_dead;			/* its host thread or process is gone */
	int sc_exit_sig;		/* the host signal that killed it */
	uint32_t sc_uc;			/* the pending frame's ucontext, from
					 * the slot base (validated) */
	uint64_t sc_fs, sc_gs;		/* the TLS bases its host thread has */
	struct list_head sc_wait;	/* on seccomp.c's waiters */
	int sc_wait_kind;
	uint32_t sc_wait_arg;
	int sc_wait_pid;		/* the host process waited on */
	bool sc_wait_gone;		/* ...which died meanwhile */
	struct task *sc_waiter;		/* who sleeps for it: the task, or
					 * its tracer reading its registers */
};

#endif
