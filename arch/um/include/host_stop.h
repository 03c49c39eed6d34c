/*
 * A host thread's wait status decoded once into a named stop kind (STYLE.md
 * 7, rr's WaitStatus). Shared by the kernel and the host side.
 */
#ifndef UMK_HOST_STOP_H
#define UMK_HOST_STOP_H

#include <stdint.h>

/* What a waitpid() status of the host thread meant; decoded once. */
enum stop_kind {
	STOP_NONE,
	STOP_SYSCALL,		/* syscall-entry (SYSEMU) or -exit (tt) stop */
	STOP_SIGNAL,		/* signal-delivery stop, sig in stop_sig */
	STOP_GROUP,		/* group stop / PTRACE_EVENT_STOP (interrupt) */
	STOP_EVENT,		/* ptrace event: stop_event, stop_msg */
	STOP_EXITED,		/* host thread gone: exit status */
	STOP_KILLED,		/* host thread killed by signal stop_sig */
};
struct host_stop {
	enum stop_kind kind;
	int sig;		/* for SIGNAL / KILLED / GROUP */
	int event;		/* PTRACE_EVENT_* for EVENT */
	int status;		/* raw waitpid status */
	int exit_code;		/* for EXITED */
	/* EXITED, KILLED: the host's final accounting of the thread (of its
	 * whole process when it led one), from wait4's rusage. */
	uint64_t utime_ns, stime_ns;
	uint64_t ctxsw;		/* voluntary + involuntary switches */
};

#endif
