/*
 * The life of a guest task on the host: its kernel stack runs task_main(),
 * which lets the mode run the task's guest code until the next event (a
 * system call, a fault, an interrupt, the thread's death), serves it, and
 * on the way back delivers signals, as Linux's syscall and exception exit
 * paths do (exit_to_user_mode). The kernel talks to the mode only through
 * struct um_mode. Model: UML arch/um/kernel/skas/syscall.c, Linux
 * kernel/entry/common.c.
 */
#include <umk/sched.h>
#include <umk/syscalls.h>
#include <umk/kernel.h>
#include <umk/stats.h>
#include <umk/strace.h>
#include <umk/signal_internal.h>
#include <umk/ptrace.h>
#include <mode.h>
#include <stub.h>
#include <string.h>
#include <asm/prctl.h>

const struct um_mode *um_mode = &skas_mode;

/* The call ends: its restart resolved for the handler about to run (ka)
 * or for none (NULL); counted per syscall. */
static void syscall_done(struct task *t, const struct k_sigaction *ka)
{
	long nr = t->syscall_nr;

	syscall_restart_fixup(t, ka);
	t->in_syscall = false;
	if (nr >= 0 && nr < STATS_NR_MAX) {
		umk_stats.nr_calls[nr]++;
		umk_stats.nr_stops[nr] += t->stops_cur;
	}
}

static long serve_syscall(struct task *t, long nr, const unsigned long args[6])
{
	long ret;

	if (strace_enabled)
		strace_enter(t, nr, args);
	ret = do_syscall(nr, args);
	if (strace_enabled)
		strace_exit(t, ret);
	t->restarting = false;
	return ret;
}

/*
 * A syscall of a task whose tracer watches (PTRACE_SYSCALL, SYSEMU,
 * SINGLESTEP; kernel/ptrace.c): the entry stop may change the call in
 * t->regs or cancel it (rax is then left as the tracer set it), the exit
 * stop sees the result (Linux syscall_trace_enter, syscall_exit_work).
 */
static void do_traced_syscall(struct task *t)
{
	const struct user_regs_struct *r = &t->regs;

	if (!ptrace_report_syscall_entry(t)) {
		unsigned long args[6] = { r->rdi, r->rsi, r->rdx, r->r10,
					  r->r8, r->r9 };

		t->syscall_nr = r->orig_rax;
		t->regs.rax = serve_syscall(t, r->orig_rax, args);
	}
	ptrace_report_syscall_exit(t);
}

/* Serve one system call event: the handler's result goes into rax. */
static void do_syscall_event(struct task *t, const struct um_event *ev)
{
	t->in_syscall = true;
	t->syscall_nr = ev->nr;
	umk_stats.syscalls++;
	if (ev->compat) {
		/* i386 int $0x80, sysenter or x32: never served as an x86-64
		 * call (the numbers mean other things there). */
		t->regs.rax = -ENOSYS;
	} else if (likely(!t->syscall_work)) {
		t->regs.rax = serve_syscall(t, ev->nr, ev->args);
	} else {
		do_traced_syscall(t);
	}
}

/*
 * On the way back to guest code (Linux exit_to_user_mode_loop): resolve a
 * syscall restart, then deliver every pending signal that is not blocked,
 * each handler's frame on top of the last, as Linux does.
 */
static void exit_to_user_mode(struct task *t)
{
	struct ksignal ks;

	while (get_signal(t, &ks)) {
		if (t->in_syscall)
			syscall_done(t, &ks.ka);
		if (likely(!(t->syscall_work & SYSCALL_WORK_STEP)))
			handle_signal(t, &ks);
		else
			ptrace_handle_signal_stepping(t, &ks);
	}
	if (t->in_syscall)
		syscall_done(t, NULL);
	t->stops_cur = 0;
}

void task_main(struct task *t)
{
	struct um_event ev;

	for (;;) {
		exit_to_user_mode(t);
		um_mode->run(t, &ev);
		switch (ev.kind) {
		case UM_EV_SYSCALL:
			do_syscall_event(t, &ev);
			break;
		case UM_EV_FAULT:
			force_sig_fault(t, ev.sig, &ev.info);
			break;
		case UM_EV_INTERRUPT:
			break;
		case UM_EV_EXIT:
			exit_host_gone(t, ev.exit_sig);
		}
	}
}

/* arch_prctl(2): the TLS bases live in the saved registers and reach the
 * host thread with them at the return to guest code. */
SYSCALL_DEFINE2(arch_prctl, int, code, unsigned long, addr)
{
	struct task *t = current;

	if (um_mode->get_regs(t) < 0)
		return -ESRCH;
	switch (code) {
	case ARCH_SET_FS:
		if (addr >= TASK_SIZE_MAX)
			return -EPERM;
		t->regs.fs_base = addr;
		return 0;
	case ARCH_SET_GS:
		if (addr >= TASK_SIZE_MAX)
			return -EPERM;
		t->regs.gs_base = addr;
		return 0;
	case ARCH_GET_FS:
		return copy_to_user(UPTR(addr), &t->regs.fs_base, 8) ? -EFAULT : 0;
	case ARCH_GET_GS:
		return copy_to_user(UPTR(addr), &t->regs.gs_base, 8) ? -EFAULT : 0;
	default:
		return -EINVAL;
	}
}
