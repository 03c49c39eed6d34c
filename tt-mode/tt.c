/*
 * TT mode (tracing thread): PTRACE_SYSCALL, as UML's first design. The host
 * stops the guest at syscall entry and again at exit and cannot skip the
 * call, so at entry the kernel serves it and rewrites the host syscall
 * number to getpid() ("nulling"); at the exit stop it writes the guest's
 * result into rax. Two stops, four host context switches per guest call.
 * Model: UML 2.6 arch/um/kernel/tt/syscall_user.c.
 */
#include <mode.h>
#include <sys/syscall.h>

static bool tt_syscall_entry(struct task *t)
{
	return true;
}

static int tt_syscall_finish(struct task *t)
{
	long result = t->regs.rax;
	unsigned long rip = t->regs.rip;
	struct host_stop *st;

	/* A stub call during the handler left the entry stop (its host call
	 * was cancelled with orig_rax -1): nothing is pending any more. */
	if (t->at_signal_stop)
		return task_setregs(t) < 0 ? -ESRCH : 0;

	/* Null the host call: the entry stop runs getpid() instead. The
	 * result is written at the exit stop, where the host's getpid()
	 * result is replaced. */
	t->regs.orig_rax = SYS_getpid;
	t->regs.rax = t->snap_rax;	/* rax is written at the exit stop */
	if (task_setregs(t) < 0 ||
	    os_ptrace_resume(t->host_tid, RESUME_SYSCALL, 0) < 0)
		return -ESRCH;
	st = wait_host_stop_resume(t, RESUME_SYSCALL);
	if (st->kind != STOP_SYSCALL)
		return -ESRCH;
	/* At the exit stop the registers are the entry's (rip included,
	 * even a restart's) but rax, which holds getpid()'s result: write
	 * the guest's result over it. */
	t->regs.rax = result;
	t->regs.rip = rip;
	if (t->regs_partial) {
		t->snap_rax = result;
		return os_ptrace_pokeuser(t->host_tid,
				offsetof(struct user_regs_struct, rax),
				result) < 0 ? -ESRCH : 0;
	}
	return task_setregs(t) < 0 ? -ESRCH : 0;
}

/* Still at the entry stop (no stub call ran): let the call go on; after a
 * stub call, run the guest's syscall instruction again. */
static int tt_syscall_passthrough(struct task *t)
{
	if (task_regs_full(t) < 0)
		return -ESRCH;
	if (t->at_signal_stop)
		return rerun_guest_syscall(t);
	if (task_setregs(t) < 0)
		return -ESRCH;
	return finish_guest_syscall(t);
}

const struct um_mode tt_mode = {
	.name = "tt",
	.resume = RESUME_SYSCALL,
	.syscall_entry = tt_syscall_entry,
	.syscall_finish = tt_syscall_finish,
	.syscall_passthrough = tt_syscall_passthrough,
};
