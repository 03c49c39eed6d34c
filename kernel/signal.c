/*
 * Signals: the guest's dispositions, masks and pending sets live here, not
 * in the host. Sending queues and wakes (a task running guest code is
 * interrupted through its mode); get_signal() picks the next one on the
 * way back to guest code and carries out default actions; a handler runs
 * on a frame the kernel builds itself (arch/um/kernel/signal.c), and
 * rt_sigreturn is served from that frame, checked as Linux checks it.
 * Semantics: signal(7), Linux kernel/signal.c, arch/x86/kernel/signal.c.
 */
#include <umk/sched.h>
#include <umk/signal_internal.h>
#include <umk/syscalls.h>
#include <umk/timer.h>
#include <umk/ptrace.h>
#include <mode.h>
#include <umk/coredump.h>
#include <string.h>

#define SIG_KERNEL_ONLY (sigmask(SIGKILL) | sigmask(SIGSTOP))
#define SIG_STOP_MASK (sigmask(SIGSTOP) | sigmask(SIGTSTP) | \
		       sigmask(SIGTTIN) | sigmask(SIGTTOU))
#define SIG_IGNORE_MASK (sigmask(SIGCHLD) | sigmask(SIGURG) | \
			 sigmask(SIGWINCH) | sigmask(SIGCONT))
#define SIG_COREDUMP_MASK (sigmask(SIGQUIT) | sigmask(SIGILL) | \
	sigmask(SIGTRAP) | sigmask(SIGABRT) | sigmask(SIGFPE) | \
	sigmask(SIGSEGV) | sigmask(SIGBUS) | sigmask(SIGSYS) | \
	sigmask(SIGXCPU) | sigmask(SIGXFSZ))
#define SIG_SYNC_MASK (sigmask(SIGSEGV) | sigmask(SIGBUS) | sigmask(SIGILL) | \
		       sigmask(SIGTRAP) | sigmask(SIGFPE) | sigmask(SIGSYS))


static bool valid_signal(int sig) { return sig >= 1 && sig <= KSIGNAL_MAX; }

void init_sigpending(struct sigpending *p)
{
	INIT_LIST_HEAD(&p->list);
	p->signal = 0;
}

void flush_sigqueue(struct sigpending *p)
{
	struct sigqueue *q, *n;

	list_for_each_entry_safe(q, n, &p->list, list) {
		list_del_init(&q->list);
		kfree(q);
	}
	p->signal = 0;
}

static void sigqueue_remove(struct sigpending *p, uint64_t mask)
{
	struct sigqueue *q, *n;

	list_for_each_entry_safe(q, n, &p->list, list) {
		if (mask & sigmask(q->info.si_signo)) {
			list_del_init(&q->list);
			kfree(q);
		}
	}
	p->signal &= ~mask;
}

static struct k_sigaction *sig_action(struct task *t, int sig)
{
	return &t->sighand->action[sig - 1];
}

static bool sig_handler_ignored(struct task *t, int sig)
{
	unsigned long h = sig_action(t, sig)->handler;

	return h == (unsigned long)SIG_IGN ||
	       (h == (unsigned long)SIG_DFL && (SIG_IGNORE_MASK & sigmask(sig)));
}

static uint64_t pending_mask(struct task *t)
{
	return (t->pending.signal | t->signal->shared_pending.signal) & ~t->blocked;
}

bool signal_pending(struct task *t)
{
	return pending_mask(t) != 0 || t->signal->group_exit ||
	       (t->jobctl & JOBCTL_PENDING_MASK);
}

bool fatal_signal_pending(struct task *t)
{
	return t->pending.signal & sigmask(SIGKILL);
}

void signal_wake_up(struct task *t)
{
	if (t->state == TASK_INTERRUPTIBLE) {
		wake_up_process(t);
	} else if ((t->state == TASK_STOPPED || t->state == TASK_TRACED) &&
		   (((t->pending.signal | t->signal->shared_pending.signal) &
		     sigmask(SIGKILL)) || (t->jobctl & JOBCTL_LISTENING))) {
		t->state = TASK_INTERRUPTIBLE;
		wake_up_process(t);
	} else if (t->state == TASK_WAIT_HOST) {
		um_mode->interrupt(t);
	}
}

/* Choose the thread that will take a process-directed signal. */
static void complete_signal(int sig, struct task *t, bool group)
{
	struct task *leader = t->group_leader, *th;

	if (sig == SIGKILL || (!group && !(t->blocked & sigmask(sig)))) {
		if (sig == SIGKILL) {
			list_for_each_entry(th, &leader->thread_group, thread_node) {
				th->pending.signal |= sigmask(SIGKILL);
				signal_wake_up(th);
			}
			return;
		}
		signal_wake_up(t);
		return;
	}
	if (!group)
		return;
	if (task_alive(t) && !(t->blocked & sigmask(sig))) {
		signal_wake_up(t);
		return;
	}
	list_for_each_entry(th, &leader->thread_group, thread_node) {
		if (task_alive(th) && !(th->blocked & sigmask(sig))) {
			signal_wake_up(th);
			return;
		}
	}
}

/*
 * Whether sig sent to t is dropped at once (Linux sig_ignored). A blocked
 * signal is never ignored: its action may change before it is unblocked;
 * blocked includes what a sigtimedwait waiter had blocked before the call
 * (real_blocked). A tracee gets even ignored signals: its tracer sees
 * them. init (SIGNAL_UNKILLABLE) ignores every signal whose action is the
 * default, SIGKILL and SIGSTOP included.
 */
static bool sig_ignored(struct task *t, int sig)
{
	if ((t->blocked | t->real_blocked) & sigmask(sig))
		return false;
	if (t->ptrace && sig != SIGKILL)
		return false;
	if ((t->signal->flags & SIGNAL_UNKILLABLE) &&
	    sig_action(t, sig)->handler == (unsigned long)SIG_DFL)
		return true;
	return sig_handler_ignored(t, sig);
}

/* Side effects of stop and continue signals at send time (prepare_signal). */
static bool prepare_signal(int sig, struct task *t)
{
	struct signal_struct *sig_s = t->signal;
	struct task *th, *leader = t->group_leader;

	if (sig_s->group_exit)
		return sig == SIGKILL;
	if (SIG_STOP_MASK & sigmask(sig)) {
		list_for_each_entry(th, &leader->thread_group, thread_node)
			sigqueue_remove(&th->pending, sigmask(SIGCONT));
		sigqueue_remove(&sig_s->shared_pending, sigmask(SIGCONT));
	} else if (sig == SIGCONT || sig == SIGKILL) {
		list_for_each_entry(th, &leader->thread_group, thread_node)
			sigqueue_remove(&th->pending, SIG_STOP_MASK);
		sigqueue_remove(&sig_s->shared_pending, SIG_STOP_MASK);
		list_for_each_entry(th, &leader->thread_group, thread_node)
			th->jobctl &= ~JOBCTL_STOP_PENDING;
		if (sig_s->flags & SIGNAL_STOP_STOPPED) {
			ptrace_trap_notify_group(leader);
			sig_s->flags = (sig_s->flags & ~SIGNAL_STOP_MASK) |
				       SIGNAL_STOP_CONTINUED;
			sig_s->cont_reported = false;
			list_for_each_entry(th, &leader->thread_group, thread_node) {
				if (th->state == TASK_STOPPED) {
					th->state = TASK_INTERRUPTIBLE;
					wake_up_process(th);
				}
			}
			if (sig == SIGCONT)
				do_notify_parent(leader, CLD_CONTINUED, SIGCONT);
		}
	}
	return !sig_ignored(t, sig);
}

int send_sig_info(int sig, siginfo_t *info, struct task *t, bool group)
{
	struct sigpending *pending;
	struct sigqueue *q;

	if (!valid_signal(sig))
		return -EINVAL;
	/* A process-directed signal reaches the group while any thread of
	 * it lives, even after its leader exited (pthread_exit in main). */
	if (group ? t->signal->count == 0 : !task_alive(t))
		return 0;
	if (!prepare_signal(sig, t))
		return 0;
	pending = group ? &t->signal->shared_pending : &t->pending;
	if (sig < SIGRTMIN && (pending->signal & sigmask(sig)))
		return 0;
	q = kzalloc(sizeof(*q));
	if (!q)
		return -EAGAIN;
	if (info) {
		q->info = *info;
	} else {
		q->info.si_signo = sig;
		q->info.si_code = SI_USER;
		q->info.si_pid = current ? current->tgid : 0;
		q->info.si_uid = current ? current->cred->uid : 0;
	}
	q->info.si_signo = sig;
	list_add_tail(&q->list, &pending->list);
	pending->signal |= sigmask(sig);
	complete_signal(sig, t, group);
	signalfd_notify(t, sig);
	return 0;
}

/* kill(2) permission: root, or real/effective uid matches the target's
 * real or saved uid; SIGCONT within the session. */
static bool kill_ok(int sig, struct task *t)
{
	const struct cred *c = current->cred, *tc = t->cred;

	if (capable(c))
		return true;
	if (c->euid == tc->suid || c->euid == tc->uid ||
	    c->uid == tc->suid || c->uid == tc->uid)
		return true;
	return sig == SIGCONT && t->signal->session == current->signal->session;
}

static int group_send_sig_info(int sig, siginfo_t *info, struct task *t)
{
	if (!kill_ok(sig, t))
		return -EPERM;
	if (!sig)
		return 0;
	return send_sig_info(sig, info, t, true);
}

static int kill_pgrp_info(int sig, siginfo_t *info, pid_t pgrp, bool check)
{
	struct task *t;
	bool found = false;
	int ret = -ESRCH, err;

	list_for_each_entry(t, &task_list, tasks) {
		if (!thread_group_leader(t) ||
		    t->signal->pgrp != pgrp || t->signal->count == 0)
			continue;
		if (check) {
			err = group_send_sig_info(sig, info, t);
		} else {
			err = sig ? send_sig_info(sig, info, t, true) : 0;
		}
		if (!found || !err)
			ret = err;
		found = true;
	}
	return ret;
}

int kill_pgrp(pid_t pgrp, int sig, int priv)
{
	siginfo_t info = { .si_signo = sig, .si_code = SI_KERNEL };

	return kill_pgrp_info(sig, &info, pgrp, false);
}

int kill_something_info(int sig, siginfo_t *info, pid_t pid)
{
	struct task *t;
	int ret, count = 0, err;

	if (pid > 0) {
		/* A zombie still has its pid: kill(2) on it succeeds. */
		list_for_each_entry(t, &task_list, tasks)
			if (t->tgid == pid && thread_group_leader(t))
				return group_send_sig_info(sig, info, t);
		return -ESRCH;
	}
	if (pid == 0)
		return kill_pgrp_info(sig, info, current->signal->pgrp, true);
	if (pid != -1)
		return kill_pgrp_info(sig, info, -pid, true);
	ret = 0;
	list_for_each_entry(t, &task_list, tasks) {
		if (!thread_group_leader(t) || t->pid == 1 ||
		    t->tgid == current->tgid || t->signal->count == 0)
			continue;
		err = group_send_sig_info(sig, info, t);
		count++;
		if (err != -EPERM)
			ret = err;
	}
	return count ? ret : -ESRCH;
}

/* Take a pending signal of t that is not blocked: synchronous faults
 * first, then the lowest number; thread-directed before shared. */
static int dequeue_signal(struct task *t, siginfo_t *info)
{
	struct sigpending *sets[2] = { &t->pending, &t->signal->shared_pending };

	for (int i = 0; i < 2; i++) {
		uint64_t ready = sets[i]->signal & ~t->blocked;
		struct sigqueue *q;
		int sig;

		if (!ready)
			continue;
		if (ready & sigmask(SIGKILL))
			sig = SIGKILL;
		else if (ready & SIG_SYNC_MASK)
			sig = __builtin_ctzll(ready & SIG_SYNC_MASK) + 1;
		else
			sig = __builtin_ctzll(ready) + 1;
		memset(info, 0, sizeof(*info));
		info->si_signo = sig;
		info->si_code = SI_KERNEL;
		list_for_each_entry(q, &sets[i]->list, list) {
			if (q->info.si_signo == sig) {
				*info = q->info;
				list_del_init(&q->list);
				kfree(q);
				break;
			}
		}
		bool more = false;

		list_for_each_entry(q, &sets[i]->list, list)
			if (q->info.si_signo == sig)
				more = true;
		if (!more)
			sets[i]->signal &= ~sigmask(sig);
		return sig;
	}
	return 0;
}

/* signalfd's dequeue: the signals of mask, blocked or not. */
int dequeue_signal_mask(struct task *t, uint64_t mask, siginfo_t *info)
{
	uint64_t blocked = t->blocked;
	int sig;

	t->blocked = ~mask;
	sig = dequeue_signal(t, info);
	t->blocked = blocked;
	return sig;
}

/* Stop the whole thread group (do_signal_stop). */
static void do_signal_stop(struct task *t, int sig)
{
	struct signal_struct *s = t->signal;
	struct task *th;

	if (!(s->flags & SIGNAL_STOP_STOPPED)) {
		s->flags = (s->flags & ~SIGNAL_STOP_MASK) | SIGNAL_STOP_STOPPED;
		s->stop_code = sig;
		s->stop_reported = false;
		list_for_each_entry(th, &t->group_leader->thread_group,
				    thread_node) {
			if (task_alive(th))
				th->jobctl |= JOBCTL_STOP_PENDING;
			if (th != t)
				signal_wake_up(th);
		}
		ptrace_trap_notify_group(t->group_leader);
		do_notify_parent(t->group_leader, CLD_STOPPED, sig);
	}
	t->jobctl |= JOBCTL_STOP_PENDING;
}

/* Is the current pgrp orphaned (no live member has a parent other than
 * init in another pgrp of the same session: Linux will_become_orphaned_pgrp)?
 * Stop signals from the tty are ignored then, and tty job control gives
 * -EIO (POSIX). */
bool is_current_pgrp_orphaned(void)
{
	struct task *t;
	pid_t pgrp = current->signal->pgrp;

	list_for_each_entry(t, &task_list, tasks) {
		struct task *p;

		if (!thread_group_leader(t) || t->signal->pgrp != pgrp ||
		    t->signal->count == 0 || t->zombie)
			continue;
		p = t->real_parent;
		if (p && p != init_task && p->signal->pgrp != pgrp &&
		    p->signal->session == t->signal->session)
			return false;
	}
	return true;
}

/*
 * A fatal signal that dumps core (Linux do_coredump from get_signal): the
 * other threads are told to die first, the dump is written, and the
 * process ends with the core bit in its wait status if it was.
 */
static void __attribute__((noreturn)) do_coredump_exit(struct task *t,
						       const siginfo_t *info)
{
	struct signal_struct *s = t->signal;
	struct task *th;

	s->group_exit = true;
	s->group_exit_code = info->si_signo;
	list_for_each_entry(th, &t->group_leader->thread_group, thread_node) {
		if (th != t && task_alive(th)) {
			th->pending.signal |= sigmask(SIGKILL);
			signal_wake_up(th);
		}
	}
	if (do_coredump(info))
		s->group_exit_code |= 0x80;
	do_group_exit(s->group_exit_code);
}

bool get_signal(struct task *t, struct ksignal *ks)
{
	for (;;) {
		struct k_sigaction *ka;
		int sig;

		if (t->signal->group_exit)
			do_group_exit(t->signal->group_exit_code);
		if (t->signal->group_exec_task && t->signal->group_exec_task != t)
			do_exit(0);	/* another thread is in execve */
		if (unlikely(t->jobctl & JOBCTL_PENDING_MASK) &&
		    ptrace_do_jobctl(t))
			continue;	/* stopped for the tracer */
		if (!t->ptrace && t->signal->flags & SIGNAL_STOP_STOPPED &&
		    !((t->pending.signal | t->signal->shared_pending.signal) &
		      sigmask(SIGKILL))) {
			schedule_stopped();
			continue;	/* woken: SIGCONT, SIGKILL or a tracer */
		}
		sig = dequeue_signal(t, &ks->info);
		if (sig && unlikely(t->ptrace) && sig != SIGKILL) {
			sig = ptrace_signal(sig, &ks->info);
			if (!sig)
				continue;
		}
		if (!sig) {
			if (t->restore_sigmask) {
				t->restore_sigmask = false;
				t->blocked = t->saved_sigmask;
			}
			return false;
		}
		ka = sig_action(t, sig);
		if (ka->handler == (unsigned long)SIG_IGN)
			continue;
		if (ka->handler != (unsigned long)SIG_DFL) {
			ks->sig = sig;
			ks->ka = *ka;
			if (ka->flags & SA_RESETHAND)
				ka->handler = (unsigned long)SIG_DFL;
			return true;
		}
		if (SIG_IGNORE_MASK & sigmask(sig))
			continue;
		/* init gets no signal it does not handle, even one queued
		 * while it was blocked (Linux get_signal). */
		if ((t->signal->flags & SIGNAL_UNKILLABLE) &&
		    !(SIG_KERNEL_ONLY & sigmask(sig)))
			continue;
		if (SIG_STOP_MASK & sigmask(sig)) {
			if (sig != SIGSTOP && is_current_pgrp_orphaned())
				continue;
			do_signal_stop(t, sig);
			continue;
		}
		if (SIG_COREDUMP_MASK & sigmask(sig))
			do_coredump_exit(t, &ks->info);
		do_group_exit(sig);
	}
}

void syscall_restart_fixup(struct task *t, const struct k_sigaction *ka)
{
	long ret = t->regs.rax;

	switch (ret) {
	case -ERESTARTNOHAND:
	case -ERESTART_RESTARTBLOCK:
		if (ka) {
			t->regs.rax = -EINTR;
			return;
		}
		break;
	case -ERESTARTSYS:
		if (ka && !(ka->flags & SA_RESTART)) {
			t->regs.rax = -EINTR;
			return;
		}
		break;
	case -ERESTARTNOINTR:
		break;
	default:
		return;
	}
	t->regs.rax = t->syscall_nr;
	t->regs.rip -= 2;
	t->restarting = true;
}

void signal_delivered(struct task *t, const struct ksignal *ks)
{
	t->restore_sigmask = false;
	t->blocked |= ks->ka.mask;
	if (!(ks->ka.flags & SA_NODEFER))
		t->blocked |= sigmask(ks->sig);
	t->blocked &= ~SIG_KERNEL_ONLY;
	if (t->sas.ss_flags & SS_AUTODISARM)
		t->sas = (stack_t){ .ss_flags = SS_DISABLE };
}

void force_sigsegv(struct task *t, int sig)
{
	siginfo_t info = { .si_signo = SIGSEGV, .si_code = SI_KERNEL };

	/* A handler of SIGSEGV itself that could not run: the default
	 * action, so the task dies (Linux force_sigsegv). */
	if (sig == SIGSEGV)
		sig_action(t, SIGSEGV)->handler = (unsigned long)SIG_DFL;
	force_sig_fault(t, SIGSEGV, &info);
}

/* Kill t's whole process whatever it blocks or ignores, init too (halt). */
void force_sigkill(struct task *t)
{
	struct signal_struct *sig = t->signal;
	struct task *th;

	if (!sig->group_exit) {
		sig->group_exit = true;
		sig->group_exit_code = SIGKILL;
	}
	list_for_each_entry(th, &t->group_leader->thread_group, thread_node) {
		if (!task_alive(th))
			continue;
		th->pending.signal |= sigmask(SIGKILL);
		signal_wake_up(th);
	}
}

void force_sig_fault(struct task *t, int sig, const siginfo_t *info)
{
	struct k_sigaction *ka = sig_action(t, sig);
	siginfo_t si = *info;

	if (ka->handler == (unsigned long)SIG_IGN || (t->blocked & sigmask(sig))) {
		ka->handler = (unsigned long)SIG_DFL;
		t->blocked &= ~sigmask(sig);
	}
	/* A fault init cannot take kills it (Linux force_sig_info_to_task). */
	if (ka->handler == (unsigned long)SIG_DFL && !t->ptrace)
		t->signal->flags &= ~SIGNAL_UNKILLABLE;
	send_sig_info(sig, &si, t, false);
}

void flush_signal_handlers(struct task *t)
{
	for (int i = 0; i < _NSIG; i++) {
		struct k_sigaction *ka = &t->sighand->action[i];

		if (ka->handler != (unsigned long)SIG_IGN)
			ka->handler = (unsigned long)SIG_DFL;
		ka->flags = 0;
		ka->restorer = 0;
		ka->mask = 0;
	}
	t->sas = (stack_t){ .ss_flags = SS_DISABLE };
}

void do_notify_parent(struct task *leader, int why, int status)
{
	struct task *parent = leader->real_parent;
	struct k_sigaction *ka;
	siginfo_t info = { 0 };
	int sig;

	if (!parent)
		return;
	wake_up(&parent->signal->wait_chldexit);
	ka = sig_action(parent, SIGCHLD);
	if (why != CLD_EXITED && why != CLD_KILLED && why != CLD_DUMPED &&
	    (ka->flags & SA_NOCLDSTOP))
		return;
	if (why == CLD_EXITED || why == CLD_KILLED || why == CLD_DUMPED) {
		if (leader->exit_signal <= 0)
			return;
	}
	info.si_signo = SIGCHLD;
	info.si_code = why;
	info.si_pid = leader->tgid;
	info.si_uid = leader->cred->uid;
	info.si_status = status;
	sig = why <= CLD_DUMPED && leader->exit_signal > 0 ?
	      leader->exit_signal : SIGCHLD;
	/* A parent that exec'd since the fork (maybe setuid) gets only
	 * SIGCHLD (Linux do_notify_parent). */
	if (leader->parent_exec_id != parent->self_exec_id)
		sig = SIGCHLD;
	send_sig_info(sig, &info, parent, true);
}

/* ---- system calls ---- */

SYSCALL_DEFINE2(kill, pid_t, pid, int, sig)
{
	siginfo_t info = { .si_signo = sig, .si_code = SI_USER,
			   .si_pid = current->tgid, .si_uid = current->cred->uid };

	if (sig < 0 || sig > KSIGNAL_MAX)
		return -EINVAL;
	if (pid == INT32_MIN)
		return -ESRCH;
	return kill_something_info(sig, &info, pid);
}

static long do_tkill(pid_t tgid, pid_t tid, int sig)
{
	siginfo_t info = { .si_signo = sig, .si_code = SI_TKILL,
			   .si_pid = current->tgid, .si_uid = current->cred->uid };
	struct task *t;

	if (tid <= 0 || sig < 0 || sig > KSIGNAL_MAX)
		return -EINVAL;
	t = find_task_by_pid(tid);
	if (!t || (tgid > 0 && t->tgid != tgid))
		return -ESRCH;
	if (!kill_ok(sig, t))
		return -EPERM;
	return sig ? send_sig_info(sig, &info, t, false) : 0;
}

SYSCALL_DEFINE2(tkill, pid_t, tid, int, sig) { return do_tkill(0, tid, sig); }

SYSCALL_DEFINE3(tgkill, pid_t, tgid, pid_t, tid, int, sig)
{
	if (tgid <= 0)
		return -EINVAL;
	return do_tkill(tgid, tid, sig);
}

SYSCALL_DEFINE3(rt_sigqueueinfo, pid_t, pid, int, sig, struct uptr, uinfo)
{
	siginfo_t info;
	struct task *t;

	if (copy_from_user(&info, uinfo, sizeof(info)))
		return -EFAULT;
	if ((info.si_code >= 0 || info.si_code == SI_TKILL) && pid != current->tgid)
		return -EPERM;
	t = find_task_by_pid(pid);
	if (!t)
		return -ESRCH;
	info.si_signo = sig;
	return group_send_sig_info(sig, &info, t->group_leader);
}

SYSCALL_DEFINE4(rt_sigaction, int, sig, struct uptr, act, struct uptr, oact, size_t, sigsetsize)
{
	struct k_sigaction new, old;

	if (sigsetsize != 8)
		return -EINVAL;
	if (!valid_signal(sig))
		return -EINVAL;
	if (!uptr_null(act) && copy_from_user(&new, act, sizeof(new)))
		return -EFAULT;
	if (!uptr_null(act) && (SIG_KERNEL_ONLY & sigmask(sig)))
		return -EINVAL;
	old = *sig_action(current, sig);
	if (!uptr_null(oact) && copy_to_user(oact, &old, sizeof(old)))
		return -EFAULT;
	if (!uptr_null(act)) {
		struct task *th;

		new.mask &= ~SIG_KERNEL_ONLY;
		*sig_action(current, sig) = new;
		/* POSIX: setting SIG_IGN (or default-ignore) discards pending. */
		if (sig_handler_ignored(current, sig)) {
			sigqueue_remove(&current->signal->shared_pending, sigmask(sig));
			list_for_each_entry(th, &current->group_leader->thread_group,
					    thread_node)
				sigqueue_remove(&th->pending, sigmask(sig));
		}
	}
	return 0;
}

void set_current_blocked(uint64_t mask)
{
	current->blocked = mask & ~SIG_KERNEL_ONLY;
}

SYSCALL_DEFINE4(rt_sigprocmask, int, how, struct uptr, nset, struct uptr, oset, size_t, sigsetsize)
{
	uint64_t old = current->blocked, new;

	if (sigsetsize != 8)
		return -EINVAL;
	if (!uptr_null(nset)) {
		if (copy_from_user(&new, nset, 8))
			return -EFAULT;
		switch (how) {
		case SIG_BLOCK: new = old | new; break;
		case SIG_UNBLOCK: new = old & ~new; break;
		case SIG_SETMASK: break;
		default: return -EINVAL;
		}
	}
	if (!uptr_null(oset) && copy_to_user(oset, &old, 8))
		return -EFAULT;
	if (!uptr_null(nset))
		set_current_blocked(new);
	return 0;
}

SYSCALL_DEFINE2(rt_sigpending, struct uptr, uset, size_t, sigsetsize)
{
	uint64_t set = (current->pending.signal |
			current->signal->shared_pending.signal) & current->blocked;

	if (sigsetsize > 8)
		return -EINVAL;
	return copy_to_user(uset, &set, sigsetsize) ? -EFAULT : 0;
}

/*
 * Sleep with a temporary mask until a signal is delivered (rt_sigsuspend,
 * pause, ppoll, pselect). The old mask is restored after the handler is
 * set up: it goes into the signal frame as the saved mask.
 */
long sigsuspend_with_mask(uint64_t mask)
{
	uint64_t saved = current->blocked;
	struct wait_queue_head never = WAIT_QUEUE_HEAD_INIT(never);

	set_current_blocked(mask);
	wait_event_interruptible(never, false);
	current->saved_sigmask = saved;
	current->restore_sigmask = true;
	return -ERESTARTNOHAND;
}

SYSCALL_DEFINE2(rt_sigsuspend, struct uptr, umask, size_t, sigsetsize)
{
	uint64_t mask;

	if (sigsetsize != 8)
		return -EINVAL;
	if (copy_from_user(&mask, umask, 8))
		return -EFAULT;
	return sigsuspend_with_mask(mask);
}

SYSCALL_DEFINE0(pause)
{
	return sigsuspend_with_mask(current->blocked);
}

SYSCALL_DEFINE4(rt_sigtimedwait, struct uptr, uthese, struct uptr, uinfo, struct uptr, uts, size_t, sigsetsize)
{
	uint64_t these, saved = current->blocked;
	struct timespec ts;
	uint64_t deadline = 0;
	siginfo_t info;
	int sig, ret;

	if (sigsetsize != 8)
		return -EINVAL;
	if (copy_from_user(&these, uthese, 8))
		return -EFAULT;
	these &= ~SIG_KERNEL_ONLY;
	if (!uptr_null(uts)) {
		if (copy_from_user(&ts, uts, sizeof(ts)))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
			return -EINVAL;
		deadline = ktime_get_ns() + ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	}
	for (;;) {
		/* Only the awaited signals count as deliverable here. */
		current->blocked = ~these;
		sig = dequeue_signal(current, &info);
		current->blocked = saved;
		if (sig)
			break;
		if (pending_mask(current) & ~these)
			return -EINTR;
		if (current->jobctl & JOBCTL_PENDING_MASK)
			return -EINTR;	/* a group stop or ptrace trap first */
		/* While it sleeps the awaited signals are unblocked, so that
		 * sending one wakes this thread; real_blocked keeps the mask
		 * from before the call, so that one of them that was blocked
		 * is queued even if its action is to ignore it (Linux
		 * do_sigtimedwait). */
		current->real_blocked = saved;
		current->blocked = saved & ~these;
		if (deadline) {
			ret = schedule_timeout(deadline);
		} else {
			struct wait_queue_head never = WAIT_QUEUE_HEAD_INIT(never);

			ret = wait_event_interruptible(never, false);
		}
		current->blocked = saved;
		current->real_blocked = 0;
		if (deadline && ret == 0)
			return -EAGAIN;
	}
	if (!uptr_null(uinfo) && copy_to_user(uinfo, &info, sizeof(info)))
		return -EFAULT;
	return sig;
}

SYSCALL_DEFINE2(sigaltstack, struct uptr, uss, struct uptr, uoss)
{
	struct task *t = current;
	stack_t ss, old = t->sas;
	unsigned long sp = t->regs.rsp;
	bool on_stack = !(old.ss_flags & SS_DISABLE) &&
			sp > (unsigned long)old.ss_sp &&
			sp <= (unsigned long)old.ss_sp + old.ss_size;

	if (!uptr_null(uss) && copy_from_user(&ss, uss, sizeof(ss)))
		return -EFAULT;
	if (!uptr_null(uss)) {
		int mode = ss.ss_flags & ~SS_AUTODISARM;

		if (on_stack)
			return -EPERM;
		if (mode != SS_DISABLE && mode != SS_ONSTACK && mode != 0)
			return -EINVAL;
		if (mode == SS_DISABLE) {
			ss.ss_size = 0;
			ss.ss_sp = NULL;
		} else if (ss.ss_size < 2048) {
			return -ENOMEM;
		}
	}
	if (!uptr_null(uoss)) {
		if (on_stack)
			old.ss_flags = SS_ONSTACK;
		else if (!(old.ss_flags & SS_DISABLE))
			old.ss_flags &= SS_AUTODISARM;
		if (old.ss_flags & SS_DISABLE) {
			old.ss_sp = NULL;
			old.ss_size = 0;
		}
		if (copy_to_user(uoss, &old, sizeof(old)))
			return -EFAULT;
	}
	if (!uptr_null(uss)) {
		t->sas = ss;
		t->sas.ss_flags = ss.ss_flags & (SS_DISABLE | SS_AUTODISARM);
	}
	return 0;
}

void restore_altstack(struct task *t, unsigned long sp, int flags, size_t size)
{
	int mode = flags & ~SS_AUTODISARM;
	unsigned long cur = t->regs.rsp;

	/* As do_sigaltstack at sigreturn: any error but EFAULT is ignored. */
	if (!(t->sas.ss_flags & SS_DISABLE) && !(t->sas.ss_flags & SS_AUTODISARM) &&
	    cur > (unsigned long)t->sas.ss_sp &&
	    cur - (unsigned long)t->sas.ss_sp <= t->sas.ss_size)
		return;			/* on the current stack: EPERM */
	if (mode == SS_DISABLE) {
		t->sas = (stack_t){ .ss_flags = SS_DISABLE };
		return;
	}
	if ((mode != 0 && mode != SS_ONSTACK) || size < 2048)
		return;			/* EINVAL, ENOMEM */
	t->sas.ss_sp = (void *)sp;
	t->sas.ss_size = size;
	t->sas.ss_flags = flags & SS_AUTODISARM;
}
