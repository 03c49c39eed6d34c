/*
 * ptrace(2) between guest tasks, served by umk's kernel: attach and seize,
 * the stops (syscall entry and exit, signal delivery, group stop, events of
 * clone, exec and exit), resuming, and access to a stopped tracee's
 * registers, FPU state, siginfo and memory.
 *
 * A tracee stops in the kernel, on its own kernel stack (ptrace_stop sleeps
 * in TASK_TRACED), while its host thread waits in the mode's own stop; the
 * tracer learns of it through wait4/waitid (ptrace_do_wait). Registers are
 * task->regs, which the mode gives the guest exactly as left here; memory
 * goes through access_remote_vm, which refuses the stub's pages. Nothing
 * here reaches the host's ptrace. Semantics: ptrace(2), Linux
 * kernel/ptrace.c, kernel/signal.c (ptrace_stop, ptrace_signal,
 * do_jobctl_trap), arch/x86/kernel/ptrace.c.
 */
#include <umk/ptrace.h>
#include <umk/signal_internal.h>
#include <umk/syscalls.h>
#include <umk/uaccess.h>
#include <mode.h>
#include <stub.h>
#include <string.h>
#include <sched.h>
#include <asm/prctl.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <linux/ptrace.h>
#include <linux/elf.h>

#ifndef X86_EFLAGS_TF
#define X86_EFLAGS_TF		0x00000100UL
#endif
/* Flags a tracer may change (Linux FLAG_MASK: CF PF AF ZF SF TF DF OF NT
 * RF AC). */
#define FLAG_MASK		0x00054dd5UL
/* The kernel's struct user (glibc's lacks error_code, fault_address). */
#define USER_SIZE		928
#define USER_RPL		3
#define AUDIT_ARCH_X86_64	0xc000003eU
#define PTRACE_O_MASK_ALL	(0x000000ff | PTRACE_O_EXITKILL | \
				 PTRACE_O_SUSPEND_SECCOMP)
#ifndef CAP_SYS_PTRACE
#define CAP_SYS_PTRACE		19
#endif
#define FXSAVE_SIZE		512
#define SW_RESERVED_OFF		464	/* XCR0 for ptrace (asm/user.h) */
#define XSTATE_BV_OFF		512
#define MXCSR_OFF		24
#define XFEATURE_MASK_FPSSE	0x3ULL
#define XFEATURE_MASK_XTILEDATA	(1ULL << 18)
#define DR_OFF			offsetof(struct user, u_debugreg)
#define PEEKSIGINFO_SHARED	1
#define SIGINFO_SIZE		128

/* ---- access checks ---------------------------------------------------- */

bool ptrace_may_access(struct task *t, unsigned int mode)
{
	const struct cred *c, *tc = t->cred;
	uid_t uid;
	gid_t gid;

	if (!current || !current->cred)
		return true;
	if (t->tgid == current->tgid)
		return true;
	c = current->cred;
	if (mode & PTRACE_MODE_FSCREDS) {
		uid = c->fsuid;
		gid = c->fsgid;
	} else {
		uid = c->uid;
		gid = c->gid;
	}
	if (!has_capability(c, CAP_SYS_PTRACE)) {
		if (!tc || uid != tc->euid || uid != tc->suid || uid != tc->uid ||
		    gid != tc->egid || gid != tc->sgid || gid != tc->gid)
			return false;
		if (t->mm && t->mm->not_dumpable)
			return false;
	}
	return true;
}

/* ---- linking a tracee to its tracer ------------------------------------ */

static void ptrace_link(struct task *child, struct task *tracer)
{
	child->parent = tracer;
	list_add_tail(&child->ptrace_entry, &tracer->ptraced);
}

/* Wake a tracee from its ptrace stop; the stop returns ptrace_code. */
static void ptrace_wake(struct task *t)
{
	if (t->state == TASK_TRACED) {
		t->state = TASK_INTERRUPTIBLE;
		wake_up_process(t);
	}
}

/* The tracer's single-step over: TF off again if it was the tracer's
 * (Linux user_disable_single_step). */
static void user_disable_single_step(struct task *t)
{
	if ((t->syscall_work & SYSCALL_WORK_FORCED_TF) &&
	    um_mode->get_regs(t) == 0)
		t->regs.eflags &= ~X86_EFLAGS_TF;
	t->syscall_work &= ~(SYSCALL_WORK_STEP | SYSCALL_WORK_FORCED_TF);
}

static void user_enable_single_step(struct task *t)
{
	if (um_mode->get_regs(t) == 0 && !(t->regs.eflags & X86_EFLAGS_TF)) {
		t->regs.eflags |= X86_EFLAGS_TF;
		t->syscall_work |= SYSCALL_WORK_FORCED_TF;
	}
	t->syscall_work |= SYSCALL_WORK_STEP;
}

/*
 * child stops being traced (Linux __ptrace_unlink): its syscall work and
 * traps end; a live child of a stopped group takes part in the group stop
 * again; one in a ptrace stop resumes with ptrace_code.
 */
static void ptrace_unlink(struct task *child)
{
	bool alive = task_alive(child);

	if (alive)
		user_disable_single_step(child);
	child->syscall_work = 0;
	child->ptrace = 0;
	list_del_init(&child->ptrace_entry);
	child->parent = NULL;
	child->jobctl &= ~(JOBCTL_TRAP_MASK | JOBCTL_LISTENING |
			   JOBCTL_TRAPPING);
	if (!alive)
		return;
	if (child->signal->flags & SIGNAL_STOP_STOPPED)
		child->jobctl |= JOBCTL_STOP_PENDING;
	if (child->state == TASK_TRACED)
		ptrace_wake(child);
	else if (child->jobctl & JOBCTL_STOP_PENDING)
		signal_wake_up(child);
}

/* ---- telling the tracer ------------------------------------------------ */

/* t reached its trap, or will not: an attach waiting for it goes on
 * (Linux task_clear_jobctl_trapping). */
static void clear_trapping(struct task *t)
{
	if (t->jobctl & JOBCTL_TRAPPING) {
		t->jobctl &= ~JOBCTL_TRAPPING;
		if (t->parent)
			wake_up(&t->parent->signal->wait_chldexit);
	}
}

/* Does the parent of leader ignore SIGCHLD (no zombie for it)? */
static bool parent_ignores_sigchld(struct task *leader)
{
	struct task *p = leader->real_parent;
	struct k_sigaction *ka;

	if (!p)
		return true;
	ka = &p->sighand->action[SIGCHLD - 1];
	return ka->handler == (unsigned long)SIG_IGN || (ka->flags & SA_NOCLDWAIT);
}

/* SIGCHLD to t's tracer for a stop (CLD_TRAPPED, CLD_STOPPED) or a
 * continue, and its wait woken (Linux do_notify_parent_cldstop with
 * for_ptracer). */
static void notify_tracer_cldstop(struct task *t, int why)
{
	struct task *tracer = t->parent;
	siginfo_t info = { 0 };

	if (!tracer)
		return;
	info.si_signo = SIGCHLD;
	info.si_code = why;
	info.si_pid = t->pid;
	info.si_uid = t->cred->uid;
	if (why == CLD_CONTINUED)
		info.si_status = SIGCONT;
	else if (why == CLD_STOPPED)
		info.si_status = t->signal->stop_code & 0x7f;
	else
		info.si_status = t->ptrace_code & 0x7f;
	if (!(tracer->sighand->action[SIGCHLD - 1].flags & SA_NOCLDSTOP))
		send_sig_info(SIGCHLD, &info, tracer, true);
	wake_up(&tracer->signal->wait_chldexit);
}

/* SIGCHLD (or sig) to t's tracer for its death (do_notify_parent). */
static void notify_tracer_exit(struct task *t, int sig, int why, int status)
{
	struct task *tracer = t->parent;
	siginfo_t info = { 0 };

	info.si_signo = sig;
	info.si_code = why;
	info.si_pid = t->pid;
	info.si_uid = t->cred->uid;
	info.si_status = status;
	if (sig > 0)
		send_sig_info(sig, &info, tracer, true);
	wake_up(&tracer->signal->wait_chldexit);
}

/*
 * Stop the current task for its tracer (Linux ptrace_stop): exit_code is
 * what wait reports ((exit_code << 8) | 0x7f), why the SIGCHLD code,
 * message what PTRACE_GETEVENTMSG gives, info what PTRACE_GETSIGINFO
 * gives (NULL: -EINVAL). Returns the signal the tracer resumed with. A
 * task with SIGKILL pending, or no longer traced, does not stop.
 */
static int ptrace_stop(int exit_code, int why, unsigned long message,
		       siginfo_t *info)
{
	struct task *t = current;

	clear_trapping(t);
	if (!t->ptrace || fatal_signal_pending(t))
		return exit_code;
	t->last_siginfo = info;
	t->ptrace_message = message;
	t->ptrace_code = exit_code;
	if (why == CLD_STOPPED)
		t->jobctl &= ~JOBCTL_STOP_PENDING;
	t->jobctl &= ~JOBCTL_TRAP_STOP;
	if (info && (info->si_code >> 8) == PTRACE_EVENT_STOP)
		t->jobctl &= ~JOBCTL_TRAP_NOTIFY;
	notify_tracer_cldstop(t, why);
	schedule_traced();
	exit_code = t->ptrace_code;
	t->last_siginfo = NULL;
	t->ptrace_message = 0;
	t->ptrace_code = 0;
	t->jobctl &= ~JOBCTL_LISTENING;
	return exit_code;
}

/* A trap with a siginfo of its own (Linux ptrace_do_notify). */
static int ptrace_do_notify(int signr, int exit_code, int why,
			    unsigned long message)
{
	siginfo_t info = { 0 };

	info.si_signo = signr;
	info.si_code = exit_code;
	info.si_pid = current->pid;
	info.si_uid = current->cred->uid;
	return ptrace_stop(exit_code, why, message, &info);
}

static int ptrace_notify(int exit_code, unsigned long message)
{
	return ptrace_do_notify(SIGTRAP, exit_code, CLD_TRAPPED, message);
}

static bool ptrace_event_enabled(struct task *t, int event)
{
	return t->ptrace & PT_EVENT_FLAG(event);
}

/* PTRACE_EVENT_* stop if the tracer asked for that event. */
static void ptrace_event(int event, unsigned long message)
{
	if (unlikely(ptrace_event_enabled(current, event)))
		ptrace_notify((event << 8) | SIGTRAP, message);
}

/* ---- syscall stops ---------------------------------------------------- */

/* Linux include/linux/ptrace.h ptrace_report_syscall: true on SIGKILL. */
static bool ptrace_report_syscall(struct task *t, unsigned long message)
{
	int signr;

	if (!(t->ptrace & PT_PTRACED))
		return false;
	signr = ptrace_notify(SIGTRAP | ((t->ptrace & PT_TRACESYSGOOD) ?
					 0x80 : 0), message);
	if (signr) {
		siginfo_t info = { .si_signo = signr, .si_code = SI_KERNEL };

		send_sig_info(signr, &info, t, false);
	}
	return fatal_signal_pending(t);
}

bool ptrace_report_syscall_entry(struct task *t)
{
	unsigned int work = t->syscall_work;

	if (work & (SYSCALL_WORK_TRACE | SYSCALL_WORK_EMU)) {
		if (ptrace_report_syscall(t, PTRACE_EVENTMSG_SYSCALL_ENTRY) ||
		    (work & SYSCALL_WORK_EMU))
			return true;
	}
	return (long)t->regs.orig_rax == -1;
}

/* A SIGTRAP for a step that ended in a syscall (x86
 * user_single_step_report: TRAP_BRKPT at the next instruction). */
static void user_single_step_report(struct task *t)
{
	siginfo_t info = { 0 };

	info.si_signo = SIGTRAP;
	info.si_code = TRAP_BRKPT;
	info.si_addr = (void *)t->regs.rip;
	force_sig_fault(t, SIGTRAP, &info);
}

void ptrace_report_syscall_exit(struct task *t)
{
	unsigned int work = t->syscall_work;

	if ((work & SYSCALL_WORK_STEP) && !(work & SYSCALL_WORK_EMU))
		user_single_step_report(t);
	else if (work & SYSCALL_WORK_TRACE)
		ptrace_report_syscall(t, PTRACE_EVENTMSG_SYSCALL_EXIT);
}

/* ---- signals and job control ------------------------------------------ */

/* Linux handle_signal with TIF_SINGLESTEP: the handler starts without
 * the tracer's TF, and the tracee traps once its frame is in place. */
void ptrace_handle_signal_stepping(struct task *t, struct ksignal *ks)
{
	user_disable_single_step(t);
	handle_signal(t, ks);
	ptrace_notify(SIGTRAP, 0);
}

int ptrace_signal(int sig, siginfo_t *info)
{
	struct task *t = current, *tracer = t->parent;
	int signr = ptrace_stop(sig, CLD_TRAPPED, 0, info);

	if (!signr)
		return 0;
	if (signr != info->si_signo) {
		memset(info, 0, sizeof(*info));
		info->si_signo = signr;
		info->si_code = SI_USER;
		info->si_pid = tracer ? tracer->pid : 0;
		info->si_uid = tracer ? tracer->cred->uid : 0;
	}
	if ((t->blocked & sigmask(signr)) || fatal_signal_pending(t)) {
		send_sig_info(signr, info, t, false);
		return 0;
	}
	return signr;
}

/* A trap for job control of a traced task (Linux do_jobctl_trap and the
 * traced part of do_signal_stop). */
static void do_jobctl_trap(struct task *t)
{
	int signr = (t->signal->flags & SIGNAL_STOP_STOPPED) ?
		    t->signal->stop_code : 0;

	if (t->ptrace & PT_SEIZED) {
		if (!signr)
			signr = SIGTRAP;
		ptrace_do_notify(signr, signr | (PTRACE_EVENT_STOP << 8),
				 CLD_STOPPED, 0);
	} else if (signr) {
		ptrace_stop(signr, CLD_STOPPED, 0, NULL);
	}
}

bool ptrace_do_jobctl(struct task *t)
{
	if (!t->ptrace) {
		/* Untraced: the caller sleeps in the group stop itself. */
		t->jobctl &= ~JOBCTL_PENDING_MASK;
		return false;
	}
	if ((t->jobctl & JOBCTL_STOP_PENDING) &&
	    !(t->signal->flags & SIGNAL_STOP_STOPPED))
		t->jobctl &= ~JOBCTL_STOP_PENDING;	/* SIGCONT came first */
	if (!(t->jobctl & JOBCTL_PENDING_MASK))
		return false;
	if (fatal_signal_pending(t)) {
		t->jobctl &= ~JOBCTL_PENDING_MASK;
		clear_trapping(t);
		return false;
	}
	do_jobctl_trap(t);
	t->jobctl &= ~(JOBCTL_STOP_PENDING | JOBCTL_TRAP_STOP);
	return true;
}

void ptrace_trap_notify_group(struct task *leader)
{
	struct task *th;

	list_for_each_entry(th, &leader->thread_group, thread_node) {
		if (!task_alive(th) || !(th->ptrace & PT_SEIZED))
			continue;
		th->jobctl |= JOBCTL_TRAP_NOTIFY;
		if (th->jobctl & JOBCTL_LISTENING)
			ptrace_wake(th);
		else
			signal_wake_up(th);
	}
}

/* ---- fork, exec, exit -------------------------------------------------- */

int ptrace_clone_event(struct task *p, unsigned long flags, bool *link)
{
	int trace = 0;

	*link = false;
	if (likely(!p->ptrace))
		return 0;
	if (!(flags & CLONE_UNTRACED)) {
		if (flags & CLONE_VFORK)
			trace = PTRACE_EVENT_VFORK;
		else if ((flags & CSIGNAL) != SIGCHLD)
			trace = PTRACE_EVENT_CLONE;
		else
			trace = PTRACE_EVENT_FORK;
		if (!ptrace_event_enabled(p, trace))
			trace = 0;
	}
	*link = trace || (flags & CLONE_PTRACE);
	return trace;
}

void ptrace_init_task(struct task *c, bool link)
{
	struct task *p = current;

	c->ptrace = 0;
	c->jobctl = 0;
	c->syscall_work = 0;
	if (p->syscall_work & SYSCALL_WORK_FORCED_TF)
		c->regs.eflags &= ~X86_EFLAGS_TF;
	if (!link || !p->ptrace)
		return;
	c->ptrace = p->ptrace;
	ptrace_link(c, p->parent);
	if (c->ptrace & PT_SEIZED)
		c->jobctl |= JOBCTL_TRAP_STOP;
	else
		c->pending.signal |= sigmask(SIGSTOP);
}

void ptrace_fork_event(int event, pid_t pid)
{
	ptrace_event(event, pid);
}

void ptrace_vfork_done(pid_t pid)
{
	ptrace_event(PTRACE_EVENT_VFORK_DONE, pid);
}

void ptrace_exec_notify(pid_t old_pid)
{
	struct task *t = current;

	if (likely(!t->ptrace))
		return;
	if (ptrace_event_enabled(t, PTRACE_EVENT_EXEC)) {
		ptrace_notify((PTRACE_EVENT_EXEC << 8) | SIGTRAP, old_pid);
	} else if ((t->ptrace & (PT_PTRACED | PT_SEIZED)) == PT_PTRACED) {
		siginfo_t info = { .si_signo = SIGTRAP, .si_code = SI_USER,
				   .si_pid = t->tgid, .si_uid = t->cred->uid };

		send_sig_info(SIGTRAP, &info, t, false);
	}
}

/* Reap or hand back a dead tracee when its tracer lets it go (Linux
 * __ptrace_detach for a zombie). Returns true if it must be freed. */
static bool ptrace_detach_zombie(struct task *tracer, struct task *p)
{
	int st = p->exit_code;
	int why = (st & 0x7f) ? ((st & 0x80) ? CLD_DUMPED : CLD_KILLED)
			      : CLD_EXITED;

	if (!thread_group_leader(p))
		return true;
	if (!p->zombie)
		return false;
	if (p->real_parent && p->real_parent->tgid != tracer->tgid) {
		if (p->exit_signal == SIGCHLD && parent_ignores_sigchld(p)) {
			do_notify_parent(p, why, why == CLD_EXITED ?
					 (st >> 8) & 0xff : st & 0x7f);
			return true;
		}
		do_notify_parent(p, why, why == CLD_EXITED ? (st >> 8) & 0xff :
				 st & 0x7f);
		return false;
	}
	return parent_ignores_sigchld(p);
}

/* Free a dead tracee that nobody waits for any more. */
static void ptrace_release(struct task *p)
{
	if (thread_group_leader(p)) {
		release_task(p);
		return;
	}
	if (!p->kstack)
		kfree(p);
	else
		p->self_reap = true;
}

/* The tracer t exits: every tracee goes free (Linux exit_ptrace). */
static void exit_ptrace(struct task *t)
{
	struct task *p, *n;

	list_for_each_entry_safe(p, n, &t->ptraced, ptrace_entry) {
		bool dead;

		if ((p->ptrace & PT_EXITKILL) && task_alive(p)) {
			siginfo_t info = { .si_signo = SIGKILL,
					   .si_code = SI_KERNEL };

			send_sig_info(SIGKILL, &info, p, false);
		}
		ptrace_unlink(p);
		dead = !task_alive(p) && ptrace_detach_zombie(t, p);
		if (dead)
			ptrace_release(p);
	}
}

void ptrace_release_task(struct task *p)
{
	struct task *tracer = p->parent;

	if (!p->ptrace)
		return;
	p->ptrace = 0;
	list_del_init(&p->ptrace_entry);
	p->parent = NULL;
	wake_up(&tracer->signal->wait_chldexit);
}

void ptrace_exit_start(long code)
{
	struct task *t = current;

	if (unlikely(t->ptrace))
		ptrace_event(PTRACE_EVENT_EXIT, code);
	clear_trapping(t);
	if (unlikely(!list_empty(&t->ptraced)))
		exit_ptrace(t);
}

bool ptrace_exit_notify(struct task *leader, int why, int status)
{
	int sig = SIGCHLD;

	if (likely(!leader->ptrace))
		return false;
	if (leader->real_parent && leader->parent->tgid == leader->real_parent->tgid)
		sig = leader->exit_signal;
	notify_tracer_exit(leader, sig, why, status);
	return true;
}

bool ptrace_exit_traced_thread(struct task *t)
{
	int st = t->exit_code;

	if (likely(!t->ptrace))
		return false;
	if (st & 0x7f)
		notify_tracer_exit(t, SIGCHLD, (st & 0x80) ? CLD_DUMPED : CLD_KILLED,
				   st & 0x7f);
	else
		notify_tracer_exit(t, SIGCHLD, CLD_EXITED, (st >> 8) & 0xff);
	return true;
}

/* ---- wait ------------------------------------------------------------- */

bool ptrace_traced_by_current_group(struct task *c)
{
	return c->ptrace && c->parent && c->parent->tgid == current->tgid;
}

static bool tracee_match(struct task *p, idtype_t type, pid_t id)
{
	switch (type) {
	case P_PID:
		return p->pid == id;
	case P_PGID:
		/* A dead thread's process may be gone: no group to match. */
		if (!thread_group_leader(p) && !task_alive(p))
			return false;
		return p->signal->pgrp == id;
	case P_ALL:
		return true;
	default:
		return false;
	}
}

/* Has p's death become reportable (a leader once its whole group is
 * dead, another thread at once)? */
static bool tracee_exited(struct task *p)
{
	return thread_group_leader(p) ? p->zombie : !task_alive(p);
}

/* The tracer reaps p: a leader goes to its real parent unless that is
 * the tracer's own process (Linux wait_task_zombie's ptrace case). */
static void ptrace_reap(struct task *p)
{
	struct task *tracer = p->parent;

	ptrace_unlink(p);
	if (!thread_group_leader(p) || !p->real_parent ||
	    p->real_parent->tgid == tracer->tgid ||
	    ptrace_detach_zombie(tracer, p))
		ptrace_release(p);
}

static int wait_consider_tracee(struct task *p, int options,
				struct wait_result *res)
{
	res->pid = p->pid;
	res->ruid = p->cred->uid;
	res->utime_ns = res->stime_ns = 0;
	if (tracee_exited(p)) {
		int st = p->exit_code;

		if (!(options & WEXITED))
			return 0;
		res->status = st;
		if (st & 0x7f) {
			res->code = (st & 0x80) ? CLD_DUMPED : CLD_KILLED;
			res->cstatus = st & 0x7f;
		} else {
			res->code = CLD_EXITED;
			res->cstatus = (st >> 8) & 0xff;
		}
		if (thread_group_leader(p)) {
			res->utime_ns = p->signal->utime_ns + p->signal->cutime_ns;
			res->stime_ns = p->signal->stime_ns + p->signal->cstime_ns;
		}
		if (!(options & WNOWAIT))
			ptrace_reap(p);
		return 1;
	}
	if (!task_alive(p))
		return 0;
	if (p->state == TASK_TRACED && p->ptrace_code &&
	    !(p->jobctl & JOBCTL_LISTENING)) {
		res->status = (p->ptrace_code << 8) | 0x7f;
		res->code = CLD_TRAPPED;
		res->cstatus = p->ptrace_code;
		if (!(options & WNOWAIT))
			p->ptrace_code = 0;
		return 1;
	}
	if ((options & WCONTINUED) && thread_group_leader(p) &&
	    (p->signal->flags & SIGNAL_STOP_CONTINUED) &&
	    !p->signal->cont_reported) {
		res->status = 0xffff;
		res->code = CLD_CONTINUED;
		res->cstatus = SIGCONT;
		if (!(options & WNOWAIT))
			p->signal->cont_reported = true;
		return 1;
	}
	return 0;
}

int ptrace_do_wait(idtype_t type, pid_t id, int options,
		   struct wait_result *res)
{
	struct task *tracer, *p, *n;
	bool any = false;

	list_for_each_entry(tracer, &current->group_leader->thread_group,
			    thread_node) {
		if ((options & __WNOTHREAD) && tracer != current)
			continue;
		list_for_each_entry_safe(p, n, &tracer->ptraced, ptrace_entry) {
			if (!tracee_match(p, type, id))
				continue;
			any = true;
			if (wait_consider_tracee(p, options, res))
				return 1;
		}
	}
	return any ? 0 : -ECHILD;
}

/* ---- attach and detach ------------------------------------------------- */

static long ptrace_traceme(void)
{
	struct task *t = current, *parent = t->real_parent;

	if (t->ptrace || !parent || !task_alive(parent))
		return -EPERM;
	t->ptrace = PT_PTRACED;
	ptrace_link(t, parent);
	return 0;
}

static long ptrace_attach(struct task *task, long request,
			  unsigned long addr, unsigned long flags)
{
	bool seize = request == PTRACE_SEIZE;

	if (seize) {
		if (addr != 0 || (flags & ~(unsigned long)PTRACE_O_MASK_ALL))
			return -EIO;
		flags = PT_PTRACED | PT_SEIZED | (flags << PT_OPT_FLAG_SHIFT);
	} else {
		flags = PT_PTRACED;
	}
	if (task->tgid == current->tgid)
		return -EPERM;
	if (!ptrace_may_access(task, PTRACE_MODE_ATTACH | PTRACE_MODE_REALCREDS))
		return -EPERM;
	if (!task_alive(task) || task->signal->group_exit || task->ptrace)
		return -EPERM;
	task->ptrace = flags;
	ptrace_link(task, current);
	if (!seize) {
		siginfo_t info = { .si_signo = SIGSTOP, .si_code = SI_KERNEL };

		send_sig_info(SIGSTOP, &info, task, true);
	}
	/* A task already in a group stop re-traps to report it, before the
	 * attach returns (a SIGCONT sent next must find it trapped). */
	if (task->state == TASK_STOPPED) {
		task->jobctl |= JOBCTL_TRAP_STOP | JOBCTL_TRAPPING;
		task->state = TASK_INTERRUPTIBLE;
		wake_up_process(task);
		wait_event_interruptible(current->signal->wait_chldexit,
					 !(task->jobctl & JOBCTL_TRAPPING));
	}
	return 0;
}

/* Is child traced by current and stopped for it (Linux
 * ptrace_check_attach)? 0 or -ESRCH. */
static int ptrace_check_attach(struct task *child, bool ignore_state)
{
	if (!child->ptrace || child->parent != current)
		return -ESRCH;
	if (ignore_state)
		return 0;
	if (child->state != TASK_TRACED ||
	    (child->jobctl & JOBCTL_LISTENING) || fatal_signal_pending(child))
		return -ESRCH;
	return 0;
}

static long ptrace_detach(struct task *child, unsigned long data)
{
	if (data > KSIGNAL_MAX)
		return -EIO;
	child->ptrace_code = data;
	ptrace_unlink(child);
	return 0;
}

/* CONT, SYSCALL, SINGLESTEP, SYSEMU...: resume with signal data (Linux
 * ptrace_resume). */
static long ptrace_resume(struct task *child, long request,
			  unsigned long data)
{
	if (data > KSIGNAL_MAX)
		return -EIO;
	child->syscall_work &= ~(SYSCALL_WORK_TRACE | SYSCALL_WORK_EMU);
	if (request == PTRACE_SYSCALL)
		child->syscall_work |= SYSCALL_WORK_TRACE;
	if (request == PTRACE_SYSEMU || request == PTRACE_SYSEMU_SINGLESTEP)
		child->syscall_work |= SYSCALL_WORK_EMU;
	if (request == PTRACE_SINGLESTEP || request == PTRACE_SYSEMU_SINGLESTEP)
		user_enable_single_step(child);
	else
		user_disable_single_step(child);
	child->ptrace_code = data;
	ptrace_wake(child);
	return 0;
}

static long ptrace_setoptions(struct task *child, unsigned long data)
{
	if (data & ~(unsigned long)PTRACE_O_MASK_ALL)
		return -EINVAL;
	/* The guest's seccomp filters are never suspended. */
	if (data & PTRACE_O_SUSPEND_SECCOMP)
		return -EINVAL;
	child->ptrace = (child->ptrace & (PT_PTRACED | PT_SEIZED)) |
			(data << PT_OPT_FLAG_SHIFT);
	return 0;
}

static long ptrace_interrupt(struct task *child)
{
	if (!(child->ptrace & PT_SEIZED))
		return -EIO;
	child->jobctl |= JOBCTL_TRAP_STOP;
	if (child->jobctl & JOBCTL_LISTENING)
		ptrace_wake(child);
	else
		signal_wake_up(child);
	return 0;
}

static long ptrace_listen(struct task *child)
{
	siginfo_t *si = child->last_siginfo;

	if (!(child->ptrace & PT_SEIZED) || !si ||
	    (si->si_code >> 8) != PTRACE_EVENT_STOP)
		return -EIO;
	child->jobctl |= JOBCTL_LISTENING;
	if (child->jobctl & JOBCTL_TRAP_NOTIFY)
		ptrace_wake(child);
	return 0;
}

/* ---- registers --------------------------------------------------------- */

#define REG(f) offsetof(struct user_regs_struct, f)

static int child_regs(struct task *child)
{
	return um_mode->get_regs(child) < 0 ? -ESRCH : 0;
}

static unsigned long getreg(struct task *child, unsigned long off)
{
	unsigned long v;

	memcpy(&v, (char *)&child->regs + off, sizeof(v));
	if (off == REG(eflags) &&
	    (child->syscall_work & SYSCALL_WORK_FORCED_TF))
		v &= ~X86_EFLAGS_TF;
	return v;
}

static bool invalid_selector(unsigned long v)
{
	return v != 0 && (v & 3) != USER_RPL;
}

/* One register as a tracer sets it (Linux arch/x86/kernel/ptrace.c
 * putreg): selectors must be null or of user RPL (cs and ss not null),
 * the TLS bases below TASK_SIZE_MAX, only FLAG_MASK of eflags. 0 or
 * -EIO. */
static int putreg(struct task *child, unsigned long off, unsigned long v)
{
	struct user_regs_struct *r = &child->regs;

	switch (off) {
	case REG(cs): case REG(ss): case REG(ds): case REG(es):
	case REG(fs): case REG(gs):
		v &= 0xffff;
		if (invalid_selector(v))
			return -EIO;
		if ((off == REG(cs) || off == REG(ss)) && v == 0)
			return -EIO;
		break;
	case REG(eflags):
		if (v & X86_EFLAGS_TF)
			child->syscall_work &= ~SYSCALL_WORK_FORCED_TF;
		else if (child->syscall_work & SYSCALL_WORK_FORCED_TF)
			v |= X86_EFLAGS_TF;
		v = (r->eflags & ~FLAG_MASK) | (v & FLAG_MASK);
		break;
	case REG(fs_base): case REG(gs_base):
		if (v >= TASK_SIZE_MAX)
			return -EIO;
		break;
	}
	memcpy((char *)r + off, &v, sizeof(v));
	return 0;
}

/* The registers of the NT_PRSTATUS view, n bytes of them into buf. */
static void get_user_regs(struct task *child, void *buf, size_t n)
{
	unsigned long regs[sizeof(struct user_regs_struct) / 8];

	for (size_t i = 0; i < ARRAY_SIZE(regs); i++)
		regs[i] = getreg(child, i * 8);
	memcpy(buf, regs, n);
}

/* Set the first n bytes' worth of whole registers, in order; stops at
 * the first invalid one (Linux genregs_set). */
static int set_user_regs(struct task *child, const void *buf, size_t n)
{
	const unsigned long *regs = buf;

	for (size_t i = 0; i < n / 8; i++) {
		int err = putreg(child, i * 8, regs[i]);

		if (err)
			return err;
	}
	return 0;
}

/* The user xfeatures of the guest: the host's XCR0 without AMX tile
 * data, as in signal frames (arch/um/kernel/signal.c). */
static uint64_t user_xfeatures(void)
{
	uint32_t lo, hi;

	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (((uint64_t)hi << 32) | lo) & ~XFEATURE_MASK_XTILEDATA;
}

/* child's whole XSAVE area, as NT_X86_XSTATE shows it: XCR0 in the
 * first software-reserved word, the header's xstate_bv within it.
 * A kmalloc'ed buffer of um_xstate_size() bytes, or NULL (*err). */
static unsigned char *get_xstate(struct task *child, int *err)
{
	size_t size = um_xstate_size();
	unsigned char *buf = kzalloc(size);
	uint64_t mask = user_xfeatures(), bv;

	*err = -ENOMEM;
	if (!buf)
		return NULL;
	if (um_mode->get_fpregs(child, buf, size) < 0) {
		kfree(buf);
		*err = -ESRCH;
		return NULL;
	}
	memset(buf + SW_RESERVED_OFF, 0, FXSAVE_SIZE - SW_RESERVED_OFF);
	memcpy(buf + SW_RESERVED_OFF, &mask, 8);
	memcpy(&bv, buf + XSTATE_BV_OFF, 8);
	bv &= mask;
	memcpy(buf + XSTATE_BV_OFF, &bv, 8);
	*err = 0;
	return buf;
}

/* Load a whole XSAVE area into child: features outside the guest's set
 * are -EINVAL (Linux copy_uabi_to_xstate), and so is what the host
 * refuses (MXCSR reserved bits, a bad header). */
static int set_xstate(struct task *child, unsigned char *buf)
{
	uint64_t bv;

	memcpy(&bv, buf + XSTATE_BV_OFF, 8);
	if (bv & ~user_xfeatures())
		return -EINVAL;
	memset(buf + SW_RESERVED_OFF, 0, FXSAVE_SIZE - SW_RESERVED_OFF);
	return um_mode->set_fpregs(child, buf, um_xstate_size()) < 0 ?
	       -EINVAL : 0;
}

/* The legacy FXSAVE part (user_i387_struct, NT_PRFPREG). */
static int get_fpregs(struct task *child, void *out)
{
	int err;
	unsigned char *buf = get_xstate(child, &err);

	if (!buf)
		return err;
	memcpy(out, buf, FXSAVE_SIZE);
	memset((char *)out + SW_RESERVED_OFF, 0, FXSAVE_SIZE - SW_RESERVED_OFF);
	kfree(buf);
	return 0;
}

static int set_fpregs(struct task *child, const void *in)
{
	int err;
	unsigned char *buf = get_xstate(child, &err);
	uint64_t bv;

	if (!buf)
		return err;
	memcpy(buf, in, SW_RESERVED_OFF);
	memcpy(&bv, buf + XSTATE_BV_OFF, 8);
	bv |= XFEATURE_MASK_FPSSE;
	memcpy(buf + XSTATE_BV_OFF, &bv, 8);
	err = set_xstate(child, buf);
	kfree(buf);
	return err;
}

/* PTRACE_GETREGSET/SETREGSET: addr is the NT_* type, data an iovec
 * whose length is cut to the set's size and written back (Linux
 * ptrace_regset). */
static long ptrace_regset(struct task *child, bool set, unsigned long type,
			  struct uptr uiov)
{
	struct iovec iov;
	size_t size, len;
	unsigned char *buf;
	long err;

	if (copy_from_user(&iov, uiov, sizeof(iov)))
		return -EFAULT;
	switch (type) {
	case NT_PRSTATUS:
		size = sizeof(struct user_regs_struct);
		break;
	case NT_PRFPREG:
		size = FXSAVE_SIZE;
		break;
	case NT_X86_XSTATE:
		size = um_xstate_size();
		break;
	default:
		return -EINVAL;
	}
	if (iov.iov_len % 8)
		return -EINVAL;
	len = min(iov.iov_len, size);
	if (type == NT_PRSTATUS) {
		unsigned char regs[sizeof(struct user_regs_struct)];

		if (child_regs(child))
			return -ESRCH;
		if (!set) {
			get_user_regs(child, regs, len);
			err = copy_to_user(UPTR(iov.iov_base), regs, len);
		} else {
			err = copy_from_user(regs, UPTR(iov.iov_base), len);
			if (!err)
				err = set_user_regs(child, regs, len);
		}
		goto out;
	}
	if (set && len != size)
		return type == NT_X86_XSTATE ? -EFAULT : -EINVAL;
	buf = kzalloc(size);
	if (!buf)
		return -ENOMEM;
	if (set) {
		err = copy_from_user(buf, UPTR(iov.iov_base), len);
		if (!err)
			err = type == NT_X86_XSTATE ? set_xstate(child, buf)
						    : set_fpregs(child, buf);
	} else {
		int gerr = 0;

		if (type == NT_X86_XSTATE) {
			unsigned char *xs = get_xstate(child, &gerr);

			if (xs) {
				memcpy(buf, xs, size);
				kfree(xs);
			}
		} else {
			gerr = get_fpregs(child, buf);
		}
		err = gerr ? gerr : copy_to_user(UPTR(iov.iov_base), buf, len);
	}
	kfree(buf);
out:
	if (err)
		return err;
	iov.iov_len = len;
	return copy_to_user(uiov, &iov, sizeof(iov));
}

/*
 * Debug registers (Linux ptrace_get_debugreg/ptrace_set_debugreg): the
 * host thread's own, through the mode, so hardware breakpoints and
 * watchpoints work; an address that could reach the stub's pages (or
 * the kernel's) is -EIO. Without the mode's support they read back as
 * written and enabling one in DR7 is -ENOSPC (no slot): a debugger then
 * single-steps (gdb: set can-use-hw-watchpoints 0).
 */
static long get_debugreg(struct task *child, int n, unsigned long *v)
{
	*v = 0;
	if (n == 4 || n == 5)
		return 0;
	if (um_mode->get_debugreg)
		return um_mode->get_debugreg(child, n, v) < 0 ? -EIO : 0;
	*v = child->debugreg[n];
	return 0;
}

static long set_debugreg(struct task *child, int n, unsigned long v)
{
	switch (n) {
	case 0: case 1: case 2: case 3:
		/* A watched range is at most 8 bytes from its address. */
		if (v >= TASK_SIZE_MAX || (v < STUB_END && v + 8 > STUB_START))
			return -EIO;
		break;
	case 4: case 5:
		return -EIO;
	case 7:
		if (!um_mode->set_debugreg && (v & 0xff))	/* L0-3, G0-3 */
			return -ENOSPC;
		break;
	}
	if (um_mode->set_debugreg) {
		long err = um_mode->set_debugreg(child, n, v);

		if (err)
			return err == -ESRCH ? -EIO : err;
	}
	child->debugreg[n] = v;
	return 0;
}

static long ptrace_peekusr(struct task *child, unsigned long addr,
			   struct uptr data)
{
	unsigned long v = 0;

	if ((addr & 7) || addr >= USER_SIZE)
		return -EIO;
	if (addr < sizeof(struct user_regs_struct)) {
		if (child_regs(child))
			return -ESRCH;
		v = getreg(child, addr);
	} else if (addr >= DR_OFF && addr < DR_OFF + 8 * 8) {
		get_debugreg(child, (addr - DR_OFF) / 8, &v);
	}
	return copy_to_user(data, &v, sizeof(v));
}

static long ptrace_pokeusr(struct task *child, unsigned long addr,
			   unsigned long data)
{
	if ((addr & 7) || addr >= USER_SIZE)
		return -EIO;
	if (addr < sizeof(struct user_regs_struct)) {
		if (child_regs(child))
			return -ESRCH;
		return putreg(child, addr, data);
	}
	if (addr >= DR_OFF && addr < DR_OFF + 8 * 8)
		return set_debugreg(child, (addr - DR_OFF) / 8, data);
	return 0;
}

/* PTRACE_ARCH_PRCTL: arch_prctl(2) on the tracee (code in data). */
static long ptrace_arch_prctl(struct task *child, int code, unsigned long addr)
{
	if (child_regs(child))
		return -ESRCH;
	switch (code) {
	case ARCH_SET_FS:
		return addr >= TASK_SIZE_MAX ? -EPERM :
		       (child->regs.fs_base = addr, 0);
	case ARCH_SET_GS:
		return addr >= TASK_SIZE_MAX ? -EPERM :
		       (child->regs.gs_base = addr, 0);
	case ARCH_GET_FS:
		return copy_to_user(UPTR(addr), &child->regs.fs_base, 8);
	case ARCH_GET_GS:
		return copy_to_user(UPTR(addr), &child->regs.gs_base, 8);
	default:
		return -EINVAL;
	}
}

/* ---- siginfo and syscall info ----------------------------------------- */

static long ptrace_peeksiginfo(struct task *child, struct uptr uargs,
			       struct uptr data)
{
	struct ptrace_peeksiginfo_args args;
	struct sigpending *pending;
	struct sigqueue *q;
	long i = 0, ret = 0;
	uint64_t off;

	if (copy_from_user(&args, uargs, sizeof(args)))
		return -EFAULT;
	if (args.flags & ~PEEKSIGINFO_SHARED)
		return -EINVAL;
	if (args.nr < 0)
		return -EINVAL;
	pending = (args.flags & PEEKSIGINFO_SHARED) ?
		  &child->signal->shared_pending : &child->pending;
	off = args.off;
	list_for_each_entry(q, &pending->list, list) {
		if (i >= args.nr)
			break;
		if (off) {
			off--;
			continue;
		}
		if (copy_to_user(uptr_add(data, i * SIGINFO_SIZE), &q->info,
				 SIGINFO_SIZE)) {
			ret = -EFAULT;
			break;
		}
		i++;
	}
	return i > 0 ? i : ret;
}

/* PTRACE_GET_SYSCALL_INFO (Linux ptrace_get_syscall_info): what the
 * current stop is, and its call. Returns the size of the whole answer;
 * at most size bytes are written. */
static long ptrace_get_syscall_info(struct task *child, unsigned long size,
				    struct uptr data)
{
	struct ptrace_syscall_info info;
	const struct user_regs_struct *r = &child->regs;
	size_t actual = offsetof(struct ptrace_syscall_info, entry);

	if (child_regs(child))
		return -ESRCH;
	memset(&info, 0, sizeof(info));
	info.op = PTRACE_SYSCALL_INFO_NONE;
	info.arch = AUDIT_ARCH_X86_64;
	info.instruction_pointer = r->rip;
	info.stack_pointer = r->rsp;
	if (child->last_siginfo &&
	    child->last_siginfo->si_code == (SIGTRAP | 0x80)) {
		if (child->ptrace_message == PTRACE_EVENTMSG_SYSCALL_ENTRY) {
			info.op = PTRACE_SYSCALL_INFO_ENTRY;
			info.entry.nr = r->orig_rax;
			info.entry.args[0] = r->rdi;
			info.entry.args[1] = r->rsi;
			info.entry.args[2] = r->rdx;
			info.entry.args[3] = r->r10;
			info.entry.args[4] = r->r8;
			info.entry.args[5] = r->r9;
			actual = offsetof(struct ptrace_syscall_info,
					  entry.args) + sizeof(info.entry.args);
		} else if (child->ptrace_message == PTRACE_EVENTMSG_SYSCALL_EXIT) {
			info.op = PTRACE_SYSCALL_INFO_EXIT;
			info.exit.rval = r->rax;
			info.exit.is_error = (unsigned long)r->rax >= -4095UL;
			actual = offsetof(struct ptrace_syscall_info,
					  exit.is_error) + 1;
		}
	}
	if (copy_to_user(data, &info, min(size, actual)))
		return -EFAULT;
	return actual;
}

/* ---- memory ----------------------------------------------------------- */

/* One word of the tracee, through read-only pages too (FOLL_FORCE). */
static long ptrace_peekdata(struct task *child, unsigned long addr,
			    struct uptr data)
{
	unsigned long v;

	if (access_remote_vm(child->mm, addr, &v, sizeof(v), false) != sizeof(v))
		return -EIO;
	return copy_to_user(data, &v, sizeof(v));
}

static long ptrace_pokedata(struct task *child, unsigned long addr,
			    unsigned long data)
{
	return access_remote_vm(child->mm, addr, &data, sizeof(data), true) ==
	       sizeof(data) ? 0 : -EIO;
}

/* ---- the system call --------------------------------------------------- */

static long ptrace_request(struct task *child, long request,
			   unsigned long addr, unsigned long data)
{
	struct uptr udata = UPTR(data);
	unsigned char regs[sizeof(struct user_regs_struct)];
	unsigned char fp[FXSAVE_SIZE];
	uint64_t mask;
	long err;

	switch (request) {
	case PTRACE_PEEKTEXT:
	case PTRACE_PEEKDATA:
		return ptrace_peekdata(child, addr, udata);
	case PTRACE_POKETEXT:
	case PTRACE_POKEDATA:
		return ptrace_pokedata(child, addr, data);
	case PTRACE_PEEKUSR:
		return ptrace_peekusr(child, addr, udata);
	case PTRACE_POKEUSR:
		return ptrace_pokeusr(child, addr, data);
	case PTRACE_GETREGS:
		if (child_regs(child))
			return -ESRCH;
		get_user_regs(child, regs, sizeof(regs));
		return copy_to_user(udata, regs, sizeof(regs));
	case PTRACE_SETREGS:
		if (copy_from_user(regs, udata, sizeof(regs)))
			return -EFAULT;
		if (child_regs(child))
			return -ESRCH;
		return set_user_regs(child, regs, sizeof(regs));
	case PTRACE_GETFPREGS:
		err = get_fpregs(child, fp);
		return err ? err : copy_to_user(udata, fp, sizeof(fp));
	case PTRACE_SETFPREGS:
		if (copy_from_user(fp, udata, sizeof(fp)))
			return -EFAULT;
		return set_fpregs(child, fp);
	case PTRACE_GETREGSET:
	case PTRACE_SETREGSET:
		return ptrace_regset(child, request == PTRACE_SETREGSET, addr,
				     udata);
	case PTRACE_ARCH_PRCTL:
		return ptrace_arch_prctl(child, data, addr);
	case PTRACE_SETOPTIONS:
		return ptrace_setoptions(child, data);
	case PTRACE_GETEVENTMSG:
		return copy_to_user(udata, &child->ptrace_message,
				    sizeof(child->ptrace_message));
	case PTRACE_GETSIGINFO:
		if (!child->last_siginfo)
			return -EINVAL;
		return copy_to_user(udata, child->last_siginfo, SIGINFO_SIZE);
	case PTRACE_SETSIGINFO:
		if (!child->last_siginfo)
			return -EINVAL;
		return copy_from_user(child->last_siginfo, udata, SIGINFO_SIZE);
	case PTRACE_PEEKSIGINFO:
		return ptrace_peeksiginfo(child, UPTR(addr), udata);
	case PTRACE_GETSIGMASK:
		if (addr != sizeof(uint64_t))
			return -EINVAL;
		return copy_to_user(udata, &child->blocked, sizeof(uint64_t));
	case PTRACE_SETSIGMASK:
		if (addr != sizeof(uint64_t))
			return -EINVAL;
		if (copy_from_user(&mask, udata, sizeof(mask)))
			return -EFAULT;
		child->blocked = mask & ~(sigmask(SIGKILL) | sigmask(SIGSTOP));
		return 0;
	case PTRACE_GET_SYSCALL_INFO:
		return ptrace_get_syscall_info(child, addr, udata);
	case PTRACE_INTERRUPT:
		return ptrace_interrupt(child);
	case PTRACE_LISTEN:
		return ptrace_listen(child);
	case PTRACE_DETACH:
		return ptrace_detach(child, data);
	case PTRACE_CONT:
	case PTRACE_SYSCALL:
	case PTRACE_SINGLESTEP:
	case PTRACE_SYSEMU:
	case PTRACE_SYSEMU_SINGLESTEP:
		return ptrace_resume(child, request, data);
	case PTRACE_KILL: {
		siginfo_t info = { .si_signo = SIGKILL, .si_code = SI_USER,
				   .si_pid = current->tgid,
				   .si_uid = current->cred->uid };

		if (task_alive(child))
			send_sig_info(SIGKILL, &info, child, false);
		return 0;
	}
	default:
		return -EIO;
	}
}

SYSCALL_DEFINE4(ptrace, long, request, long, pid, unsigned long, addr, unsigned long, data)
{
	struct task *child;
	long err;

	if (request == PTRACE_TRACEME)
		return ptrace_traceme();
	child = pid > 0 ? find_task_by_pid(pid) : NULL;
	if (!child)
		return -ESRCH;
	if (request == PTRACE_ATTACH || request == PTRACE_SEIZE)
		return ptrace_attach(child, request, addr, data);
	err = ptrace_check_attach(child, request == PTRACE_KILL ||
				  request == PTRACE_INTERRUPT);
	if (err)
		return err;
	return ptrace_request(child, request, addr, data);
}
