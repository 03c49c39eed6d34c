/*
 * TT mode (tracing thread): PTRACE_SYSCALL, as UML's first design. The host
 * stops the guest at syscall entry and again at exit and cannot skip the
 * call, so the kernel serves it at the entry stop and, before resuming,
 * rewrites the host syscall number to getpid() ("nulling"); at the exit stop
 * it writes the guest's registers (the result in rax) over what getpid()
 * left. Two stops, four host context switches per guest call. The guest
 * seccomp filter lets getpid() through from any address for this.
 * Model: UML 2.6 arch/um/kernel/tt/syscall_user.c.
 */
#include "../arch/um/ptrace/ptrace_mode.h"
#include <stub.h>
#include <sys/syscall.h>

static int tt_init(void)
{
	ptrace_filter_allow_getpid = true;
	return ptrace_mode_init();
}

#define ORIG_RAX_OFF offsetof(struct user_regs_struct, orig_rax)

/*
 * t sits in the entry stop of the call the kernel just served: let the
 * host run getpid() in its place and stop at its exit, where the guest's
 * registers are written. 0 or -ESRCH.
 */
static int tt_null_call(struct task *t)
{
	struct thread_struct *th = &t->thread;
	/* A call of another ABI (int $0x80) is cancelled instead: its
	 * getpid has another number, and the filter kills any other call. */
	long null_nr = th->entry_compat ? -1 : SYS_getpid;
	struct host_stop *st;

	if (os_ptrace_pokeuser(t->host_tid, ORIG_RAX_OFF, null_nr) < 0 ||
	    ptrace_resume(t, RESUME_SYSCALL) < 0)
		return -ESRCH;
	for (;;) {
		st = ptrace_wait_stop(t);
		if (st->kind == STOP_SYSCALL)
			break;
		if (st->kind != STOP_GROUP)
			return -ESRCH;
		/* A late PTRACE_INTERRUPT: step over it. */
		if (ptrace_resume(t, RESUME_SYSCALL) < 0)
			return -ESRCH;
	}
	th->at_entry_stop = false;
	/* The host's registers are the entry's but rax (getpid's result):
	 * make it be written again. orig_rax no longer matters (the call is
	 * over), so the nulled number stays. */
	th->snap_rax = ~t->regs.rax;
	th->snap_orig_rax = t->regs.orig_rax;
	return 0;
}

static void tt_run(struct task *t, struct um_event *ev)
{
	if (!t->thread.started && ptrace_first_stop(t) < 0)
		goto gone;
	if (t->thread.at_entry_stop && tt_null_call(t) < 0)
		goto gone;
	ptrace_run(t, RESUME_SYSCALL, ev);
	return;
gone:
	ev->kind = UM_EV_EXIT;
	ev->exit_sig = SIGKILL;
}

const struct um_mode tt_mode = {
	.name = "tt",
	.init = tt_init,
	.start_init = ptrace_start_init,
	.clone = ptrace_clone,
	.exec = ptrace_exec,
	.run = tt_run,
	.get_regs = ptrace_get_regs,
	.get_fpregs = ptrace_get_fpregs,
	.set_fpregs = ptrace_set_fpregs,
	.get_debugreg = ptrace_get_debugreg,
	.set_debugreg = ptrace_set_debugreg,
	.host_call = ptrace_host_call,
	.host_batch = ptrace_host_batch,
	.interrupt = ptrace_interrupt,
	.exit_thread = ptrace_exit_thread,
	.kill_all = ptrace_kill_all,
	.host_events = ptrace_host_events,
	.wait_idle = ptrace_wait_idle,
	.stub_vm_bytes = STUB_GLOBAL - STUB_START,
};
