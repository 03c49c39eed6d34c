/*
 * Task death and reaping: exit, exit_group, fatal signals and vanished host
 * threads all end in do_exit(); the last thread of a process makes it a
 * zombie for its parent's wait4/waitid (or reaps it at once when the parent
 * ignores SIGCHLD); orphans go to init; init's death ends umk.
 * Semantics: Linux kernel/exit.c, wait(2).
 */
#include <umk/ipc.h>
#include <umk/sched.h>
#include <umk/fs.h>
#include <umk/tty.h>
#include <umk/signal_internal.h>
#include <umk/ptrace.h>
#include <umk/syscalls.h>
#include <mode.h>
#include <stub.h>
#include <os.h>
#include <umk/init.h>
#include <umk/stats.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/futex.h>


struct task *init_task;
/* Woken whenever a task dies (halting waits for the others to go). */
struct wait_queue_head task_exit_wait = WAIT_QUEUE_HEAD_INIT(task_exit_wait);

/* Wake a CLONE_CHILD_CLEARTID waiter (pthread_join): the word is cleared and
 * a host futex wake runs in the task, whose futexes live in the host. */
static void mm_release(struct task *t)
{
	int zero = 0;

	vfork_release(t);
	if (!t->clear_child_tid || t->host_tid <= 0 || t->mm->users <= 1)
		return;
	if (copy_to_user(UPTR(t->clear_child_tid), &zero, sizeof(zero)) == 0)
		host_syscall(t, SYS_futex, t->clear_child_tid, FUTEX_WAKE, 1,
			     0, 0, 0);
	t->clear_child_tid = 0;
}

/* End the host thread of t through its mode: the last thread takes its
 * host process down; another thread ends alone. */
static void release_host_thread(struct task *t, bool last)
{
	if (t->host_tid > 0)
		um_mode->exit_thread(t, last);
	t->host_tid = 0;
}

/* Is a thread of leader's group, or the leader itself, still in do_exit
 * (maybe asleep there)? Then a zombie leader is not reaped yet: they still
 * use its signal struct and its thread list (Linux's delay_group_leader;
 * here the last thread out makes the leader a zombie, even while the
 * leader's own do_exit has not finished). */
static bool delay_group_leader(struct task *leader)
{
	struct list_head *g = &leader->thread_group;

	if (leader->state != TASK_DEAD)	/* the leader itself is in do_exit */
		return true;
	return !list_empty(g) && (g->next != &leader->thread_node ||
				  g->prev != &leader->thread_node);
}

/* Would pgrp be orphaned without ignored: does no other live member have
 * a parent (not init) in another pgrp of the same session? */
static bool will_become_orphaned_pgrp(pid_t pgrp, struct task *ignored)
{
	struct task *t, *p;

	list_for_each_entry(t, &task_list, tasks) {
		if (!thread_group_leader(t) || t == ignored || t->zombie ||
		    t->signal->pgrp != pgrp)
			continue;
		p = t->real_parent;
		if (!p || p == init_task)
			continue;
		if (p->signal->pgrp != pgrp &&
		    p->signal->session == t->signal->session)
			return false;
	}
	return true;
}

static bool has_stopped_jobs(pid_t pgrp)
{
	struct task *t;

	list_for_each_entry(t, &task_list, tasks)
		if (thread_group_leader(t) && !t->zombie &&
		    t->signal->pgrp == pgrp &&
		    (t->signal->flags & SIGNAL_STOP_STOPPED))
			return true;
	return false;
}

/*
 * POSIX: a process group that becomes orphaned while one of its members
 * is stopped gets SIGHUP and SIGCONT (Linux kill_orphaned_pgrp). tsk exits
 * (parent NULL: its own parent was the link), or tsk's parent `parent`
 * exits and tsk was just reparented.
 */
static void kill_orphaned_pgrp(struct task *tsk, struct task *parent)
{
	pid_t pgrp = tsk->signal->pgrp;
	struct task *ignored = tsk;

	if (!parent)
		parent = tsk->real_parent;
	else
		ignored = NULL;
	if (!parent || parent->signal->pgrp == pgrp ||
	    parent->signal->session != tsk->signal->session)
		return;
	if (will_become_orphaned_pgrp(pgrp, ignored) && has_stopped_jobs(pgrp)) {
		kill_pgrp(pgrp, SIGHUP, 1);
		kill_pgrp(pgrp, SIGCONT, 1);
	}
}

/*
 * Who adopts the children of the dying leader (Linux find_new_reaper): the
 * nearest living ancestor that made itself a child subreaper
 * (PR_SET_CHILD_SUBREAPER), else init.
 */
static struct task *find_new_reaper(struct task *leader)
{
	struct task *p;

	for (p = leader->real_parent; p && p != init_task; p = p->real_parent) {
		if (p->signal->is_child_subreaper && !p->zombie &&
		    !p->signal->group_exit)
			return p;
	}
	return init_task;
}

/* The parent died: PR_SET_PDEATHSIG of each thread of child c. */
static void send_pdeath_signals(struct task *c)
{
	struct task *t;

	list_for_each_entry(t, &c->thread_group, thread_node) {
		if (t->pdeath_signal && task_alive(t)) {
			siginfo_t info = { .si_signo = t->pdeath_signal,
					   .si_code = SI_USER };

			send_sig_info(t->pdeath_signal, &info, t, true);
		}
	}
}

/* Give the children of a dead process to their new reaper
 * (forget_original_parent). */
static void reparent_children(struct task *leader)
{
	struct task *reaper = find_new_reaper(leader);
	struct task *c, *n;

	list_for_each_entry_safe(c, n, &leader->children, sibling) {
		list_del_init(&c->sibling);
		c->real_parent = reaper;
		/* "We don't want people slaying init" (Linux
		 * reparent_leader): an orphan's exit signal is SIGCHLD. */
		c->exit_signal = SIGCHLD;
		if (reaper && reaper != leader) {
			list_add_tail(&c->sibling, &reaper->children);
			if (!c->zombie)
				send_pdeath_signals(c);
			if (c->zombie)
				do_notify_parent(c, CLD_EXITED, 0);
			else
				kill_orphaned_pgrp(c, leader);
		} else {
			c->real_parent = NULL;
		}
	}
}

static bool parent_ignores_sigchld(struct task *leader)
{
	struct task *p = leader->real_parent;
	struct k_sigaction *ka;

	if (!p)
		return true;
	ka = &p->sighand->action[SIGCHLD - 1];
	return ka->handler == (unsigned long)SIG_IGN ||
	       (ka->flags & SA_NOCLDWAIT);
}

/* The last thread of leader's group died: a zombie for its parent. */
static void exit_notify(struct task *leader)
{
	int status = leader->signal->group_exit ? leader->signal->group_exit_code
					       : leader->exit_code;
	int why = (status & 0x7f) ? ((status & 0x80) ? CLD_DUMPED : CLD_KILLED)
				  : CLD_EXITED;

	leader->exit_code = status;
	reparent_children(leader);
	kill_orphaned_pgrp(leader, NULL);
	leader->zombie = true;
	if (leader == init_task)
		machine_halt_init_died(status);
	if (ptrace_exit_notify(leader, why, why == CLD_EXITED ?
			       (status >> 8) & 0xff : status & 0x7f))
		return;		/* its tracer reaps it first */
	if (leader->exit_signal == SIGCHLD && parent_ignores_sigchld(leader)) {
		do_notify_parent(leader, why, why == CLD_EXITED ?
				 (status >> 8) & 0xff : status & 0x7f);
		if (!delay_group_leader(leader))
			release_task(leader);
		return;
	}
	do_notify_parent(leader, why, why == CLD_EXITED ? (status >> 8) & 0xff :
			 status & 0x7f);
}

/* The last other thread of a zombie leader's group is gone: the leader
 * can be reaped now, by its parent's wait or at once if the parent
 * ignores SIGCHLD. */
static void release_delayed_leader(struct task *leader)
{
	struct task *parent = leader->real_parent;

	if (parent)	/* its wait may now reap, or find no child left */
		wake_up(&parent->signal->wait_chldexit);
	if (leader->exit_signal == SIGCHLD && parent_ignores_sigchld(leader))
		release_task(leader);
}

void __attribute__((noreturn)) do_exit(long code)
{
	struct task *t = current, *leader = t->group_leader;
	bool last;

	ptrace_exit_start(code);
	last = --t->signal->count == 0;
	t->exit_code = code;
	mm_release(t);
	release_host_thread(t, last);
	if (t->files) {
		put_files_struct(t->files);
		t->files = NULL;
	}
	if (t->fs) {
		put_fs_struct(t->fs);
		t->fs = NULL;
	}
	mmput(t->mm);
	t->mm = NULL;
	if (last) {
		exit_itimers(t->signal);
		disassociate_ctty(true);	/* a session leader hangs up */
	}
	if (last)
		exit_sem(t->tgid);		/* SEM_UNDO adjustments */
	flush_sigqueue(&t->pending);
	t->state = TASK_DEAD;
	if (t != leader) {
		list_del_init(&t->thread_node);
		list_del_init(&t->tasks);
		t->self_reap = !ptrace_exit_traced_thread(t);
	}
	if (last) {
		exit_notify(leader);
	} else {
		wake_up(&t->signal->wait_chldexit);	/* de_thread waits */
		if (leader->zombie && !delay_group_leader(leader))
			release_delayed_leader(leader);
	}
	wake_up(&task_exit_wait);
	schedule_exit();
}

void __attribute__((noreturn)) do_group_exit(int exit_code)
{
	struct signal_struct *sig = current->signal;
	struct task *th;

	if (!sig->group_exit) {
		sig->group_exit = true;
		sig->group_exit_code = exit_code;
		list_for_each_entry(th, &current->group_leader->thread_group,
				    thread_node) {
			if (th != current && task_alive(th)) {
				th->pending.signal |= sigmask(SIGKILL);
				signal_wake_up(th);
			}
		}
	}
	do_exit(sig->group_exit_code);
}

void __attribute__((noreturn)) exit_host_gone(struct task *t, int sig)
{
	if (t->host_tid < 0)
		t->host_tid = 0;
	if (!t->signal->group_exit) {
		t->signal->group_exit = true;
		t->signal->group_exit_code = sig ? sig : SIGKILL;
	}
	do_group_exit(t->signal->group_exit_code);
}

SYSCALL_DEFINE1(exit, int, code)
{
	do_exit((code & 0xff) << 8);
}

SYSCALL_DEFINE1(exit_group, int, code)
{
	do_group_exit((code & 0xff) << 8);
}

void release_task(struct task *leader)
{
	struct task *p = leader->real_parent;

	if (p) {	/* the parent inherits its reaped child's CPU time */
		p->signal->cutime_ns += leader->signal->utime_ns +
					leader->signal->cutime_ns;
		p->signal->cstime_ns += leader->signal->stime_ns +
					leader->signal->cstime_ns;
	}
	list_del_init(&leader->sibling);
	list_del_init(&leader->tasks);
	leader->exit_reaped = true;
	flush_sigqueue(&leader->signal->shared_pending);
	exit_itimers(leader->signal);
	kfree(leader->signal);
	if (--leader->sighand->count == 0)
		kfree(leader->sighand);
	put_cred(leader->cred);
	if (!leader->kstack)
		kfree(leader);
	else
		leader->self_reap = true;
}

/* Does child c match wait's pid selector (wait(2))? */
static bool wait_match(struct task *c, idtype_t type, pid_t id)
{
	switch (type) {
	case P_PID: return c->tgid == id;
	case P_PGID: return c->signal->pgrp == id;
	case P_ALL: return true;
	default: return false;
	}
}

/*
 * One pass over the children: a reportable one fills *res and returns 1;
 * 0 if children match but none is ready; -ECHILD if none matches.
 */
static int wait_scan(idtype_t type, pid_t id, int options, struct wait_result *res)
{
	struct task *c, *n;
	bool any = false;
	int ret;

	list_for_each_entry_safe(c, n, &current->group_leader->children, sibling) {
		if (!wait_match(c, type, id))
			continue;
		if (unlikely(c->ptrace) && ptrace_traced_by_current_group(c)) {
			any = true;	/* reported as a tracee, below */
			continue;
		}
		if (!(options & __WALL) &&
		    !!(options & __WCLONE) != (c->exit_signal != SIGCHLD))
			continue;
		any = true;
		res->pid = c->tgid;
		res->ruid = c->cred->uid;
		res->utime_ns = c->signal->utime_ns + c->signal->cutime_ns;
		res->stime_ns = c->signal->stime_ns + c->signal->cstime_ns;
		if (c->zombie && (options & WEXITED) && !c->ptrace &&
		    !delay_group_leader(c)) {
			int st = c->exit_code;

			res->status = st;
			if (st & 0x7f) {
				res->code = (st & 0x80) ? CLD_DUMPED : CLD_KILLED;
				res->cstatus = st & 0x7f;
			} else {
				res->code = CLD_EXITED;
				res->cstatus = (st >> 8) & 0xff;
			}
			if (!(options & WNOWAIT))
				release_task(c);
			return 1;
		}
		if ((options & WUNTRACED) && !c->zombie &&
		    (c->signal->flags & SIGNAL_STOP_STOPPED) &&
		    !c->signal->stop_reported) {
			res->status = (c->signal->stop_code << 8) | 0x7f;
			res->code = CLD_STOPPED;
			res->cstatus = c->signal->stop_code;
			if (!(options & WNOWAIT))
				c->signal->stop_reported = true;
			return 1;
		}
		if ((options & WCONTINUED) && !c->zombie &&
		    (c->signal->flags & SIGNAL_STOP_CONTINUED) &&
		    !c->signal->cont_reported) {
			res->status = 0xffff;
			res->code = CLD_CONTINUED;
			res->cstatus = SIGCONT;
			if (!(options & WNOWAIT))
				c->signal->cont_reported = true;
			return 1;
		}
	}
	ret = ptrace_do_wait(type, id, options, res);
	if (ret >= 0)
		return ret;
	return any ? 0 : -ECHILD;
}

static long do_wait(idtype_t type, pid_t id, int options, struct wait_result *res)
{
	long ret;

	/* Peek with WNOWAIT while waiting; reap only once, at the end. */
	ret = wait_event_interruptible(current->signal->wait_chldexit,
		wait_scan(type, id, options | WNOWAIT, res) != 0 ||
		(options & WNOHANG));
	if (ret == -ERESTARTSYS)
		return ret;
	return wait_scan(type, id, options, res);
}

/* The reaped child's CPU times into the guest's struct rusage, if one was
 * given. 0 or -EFAULT. */
static int put_rusage(struct uptr ru, const struct wait_result *res)
{
	struct rusage r;

	if (uptr_null(ru))
		return 0;
	memset(&r, 0, sizeof(r));
	r.ru_utime.tv_sec = res->utime_ns / 1000000000;
	r.ru_utime.tv_usec = res->utime_ns % 1000000000 / 1000;
	r.ru_stime.tv_sec = res->stime_ns / 1000000000;
	r.ru_stime.tv_usec = res->stime_ns % 1000000000 / 1000;
	return copy_to_user(ru, &r, sizeof(r)) ? -EFAULT : 0;
}

SYSCALL_DEFINE4(wait4, pid_t, pid, struct uptr, stat_addr, int, options, struct uptr, ru)
{
	struct wait_result res = { 0 };
	idtype_t type;
	long ret;

	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD |
			__WCLONE | __WALL))
		return -EINVAL;
	if (pid == INT32_MIN)
		return -ESRCH;
	if (pid == -1) {
		type = P_ALL;
	} else if (pid < 0) {
		type = P_PGID;
		pid = -pid;
	} else if (pid == 0) {
		type = P_PGID;
		pid = current->signal->pgrp;
	} else {
		type = P_PID;
	}
	ret = do_wait(type, pid, options | WEXITED, &res);
	if (ret <= 0)
		return ret;
	if (!uptr_null(stat_addr) &&
	    copy_to_user(stat_addr, &res.status, sizeof(int)))
		return -EFAULT;
	if (put_rusage(ru, &res))
		return -EFAULT;
	return res.pid;
}

SYSCALL_DEFINE5(waitid, int, which, pid_t, upid, struct uptr, infop, int, options, struct uptr, ru)
{
	struct wait_result res = { 0 };
	siginfo_t info;
	long ret;

	if (options & ~(WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED |
			__WNOTHREAD | __WCLONE | __WALL))
		return -EINVAL;
	if (!(options & (WEXITED | WSTOPPED | WCONTINUED)))
		return -EINVAL;
	switch (which) {
	case P_ALL:
		break;
	case P_PID:
	case P_PGID:
		if (upid < 0)
			return -EINVAL;
		if (which == P_PGID && upid == 0)
			upid = current->signal->pgrp;
		break;
	default:
		return -EINVAL;
	}
	ret = do_wait(which, upid, options, &res);
	if (ret < 0)
		return ret;
	memset(&info, 0, sizeof(info));
	if (ret > 0) {
		info.si_signo = SIGCHLD;
		info.si_code = res.code;
		info.si_pid = res.pid;
		info.si_uid = res.ruid;
		info.si_status = res.cstatus;
	}
	if (!uptr_null(infop) && copy_to_user(infop, &info, sizeof(info)))
		return -EFAULT;
	if (put_rusage(ru, &res))
		return -EFAULT;
	return 0;
}

