/*
 * SKAS mode: PTRACE_SYSEMU, the ptrace extension of UML's SKAS host patch
 * that Linux merged. The host stops the guest at every syscall entry and
 * skips the call itself, so one stop (two host context switches) serves a
 * guest system call: read the registers, serve, write rax, resume.
 * Model: UML arch/um/os-Linux/skas/process.c (userspace()).
 */
#include <mode.h>

static bool skas_syscall_entry(struct task *t)
{
	return true;
}

static int skas_syscall_finish(struct task *t)
{
	return task_setregs(t) < 0 ? -ESRCH : 0;
}

/*
 * SYSEMU skipped the call at entry. Resuming that stop with PTRACE_SYSCALL
 * first reports a syscall-exit stop for the skipped call (HOST-NOTES), so:
 * take that exit stop, point rip back at the guest's own syscall
 * instruction, and run it under PTRACE_SYSCALL, entry stop then exit stop.
 */
static int skas_syscall_passthrough(struct task *t)
{
	struct host_stop *st;

	if (task_regs_full(t) < 0)
		return -ESRCH;
	if (!t->at_signal_stop) {
		if (os_ptrace_resume(t->host_tid, RESUME_SYSCALL, 0) < 0)
			return -ESRCH;
		/* the exit stop of the skipped call */
		st = wait_host_stop_resume(t, RESUME_SYSCALL);
		if (st->kind != STOP_SYSCALL)
			return -ESRCH;
	}
	return rerun_guest_syscall(t);
}

const struct um_mode skas_mode = {
	.name = "skas",
	.resume = RESUME_SYSEMU,
	.syscall_entry = skas_syscall_entry,
	.syscall_finish = skas_syscall_finish,
	.syscall_passthrough = skas_syscall_passthrough,
};
