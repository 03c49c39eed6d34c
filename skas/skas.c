/*
 * SKAS mode: PTRACE_SYSEMU, the ptrace extension of UML's SKAS host patch
 * that Linux merged. The host stops the guest at every syscall entry and
 * skips the call itself, so one stop (two host context switches) serves a
 * guest system call: read the call, serve it, write rax, resume.
 * Everything else is the ptrace machinery both ptrace modes share
 * (arch/um/ptrace/). Model: UML arch/um/os-Linux/skas/process.c
 * (userspace()).
 */
#include "../arch/um/ptrace/ptrace_mode.h"
#include <stub.h>

static int skas_init(void)
{
	ptrace_filter_allow_getpid = false;
	return ptrace_mode_init();
}

static void skas_run(struct task *t, struct um_event *ev)
{
	if (!t->thread.started && ptrace_first_stop(t) < 0) {
		ev->kind = UM_EV_EXIT;
		ev->exit_sig = SIGKILL;
		return;
	}
	ptrace_run(t, RESUME_SYSEMU, ev);
}

const struct um_mode skas_mode = {
	.name = "skas",
	.init = skas_init,
	.start_init = ptrace_start_init,
	.clone = ptrace_clone,
	.exec = ptrace_exec,
	.run = skas_run,
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
