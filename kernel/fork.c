/*
 * fork, vfork, clone: a new task shares or copies its parent's kernel state
 * (Linux kernel/fork.c copy_process), and its host thread is made by a host
 * clone() that the parent runs through the stub. Host clones of processes
 * use CLONE_PARENT, so umk is the host parent of every guest process and
 * reaps it; the guest's parent/child tree is the kernel's own.
 */
#include <umk/ipc.h>
#include <umk/sched.h>
#include <umk/fs.h>
#include <umk/signal_internal.h>
#include <umk/ptrace.h>
#include <umk/syscalls.h>
#include <mode.h>
#include <umk/filemap.h>
#include <umk/limits.h>
#include <os.h>
#include <string.h>
#include <sched.h>
#include <sys/syscall.h>

#define CLONE_UNSUPPORTED (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | \
	CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | \
	CLONE_PIDFD | CLONE_IO)

/* vfork parents wait here for their child (vfork_release). */
static struct wait_queue_head vfork_wait = WAIT_QUEUE_HEAD_INIT(vfork_wait);

struct mm_struct *mm_alloc(int host_pid)
{
	struct mm_struct *mm = kzalloc(sizeof(*mm));

	if (!mm)
		return NULL;
	mm->users = 1;
	mm->host_pid = host_pid;
	mm->mem_fd = -1;
	INIT_LIST_HEAD(&mm->file_vmas);
	mutex_init(&mm->stub_lock);
	return mm;
}

void mmput(struct mm_struct *mm)
{
	if (!mm || --mm->users > 0)
		return;
	if (um_mode->mm_exit)
		um_mode->mm_exit(mm);
	filemap_exit(mm);
	shm_mm_exit(mm);
	if (mm->mem_fd >= 0)
		os_close_fd(mm->mem_fd);
	if (mm->exe_file)
		fput(mm->exe_file);
	kfree(mm);
}

static struct mm_struct *dup_mm(struct mm_struct *old, int host_pid)
{
	struct mm_struct *mm = kmalloc(sizeof(*mm));

	if (!mm)
		return NULL;
	*mm = *old;
	mm->users = 1;
	mm->mode_priv = NULL;
	mm->host_pid = host_pid;
	mm->mem_fd = -1;
	mutex_init(&mm->stub_lock);
	if (filemap_dup(mm, old) < 0) {
		filemap_exit(mm);
		kfree(mm);
		return NULL;
	}
	if (mm->exe_file)
		get_file(mm->exe_file);
	shm_mm_dup(mm, old);
	return mm;
}

struct task *alloc_task(void)
{
	struct task *t = kzalloc(sizeof(*t));

	if (!t)
		return NULL;
	INIT_LIST_HEAD(&t->thread_node);
	INIT_LIST_HEAD(&t->thread_group);
	INIT_LIST_HEAD(&t->children);
	INIT_LIST_HEAD(&t->sibling);
	INIT_LIST_HEAD(&t->tasks);
	INIT_LIST_HEAD(&t->run_list);
	INIT_LIST_HEAD(&t->timer_list);
	INIT_LIST_HEAD(&t->thread.sc_wait);
	INIT_LIST_HEAD(&t->ptraced);
	INIT_LIST_HEAD(&t->ptrace_entry);
	init_sigpending(&t->pending);
	t->sas.ss_flags = SS_DISABLE;
	t->state = TASK_UNINTERRUPTIBLE;
	t->start_time_ns = ktime_get_ns();
	return t;
}

struct signal_struct *alloc_signal(void)
{
	struct signal_struct *s = kzalloc(sizeof(*s));

	if (!s)
		return NULL;
	init_sigpending(&s->shared_pending);
	init_waitqueue_head(&s->wait_chldexit);
	s->start_time_ns = ktime_get_ns();
	return s;
}

/* The first thing a new task's kernel stack does (Linux ret_from_fork):
 * CLONE_CHILD_SETTID, then guest code from the registers the parent
 * prepared (the mode waits for the host thread's first stop). */
static void ret_from_fork(struct task *t)
{
	if (t->set_child_tid) {
		pid_t tid = t->pid;

		copy_to_user(UPTR(t->set_child_tid), &tid, sizeof(tid));
	}
	task_main(t);
}

/* The vfork parent p sleeps until its child released its memory (exec,
 * exit) or p is being killed (Linux wait_for_vfork_done, killable).
 * True when the child released it. */
static bool wait_for_vfork_done(struct task *p)
{
	wait_event(vfork_wait, !p->vfork_child || p->signal->group_exit ||
		   (p->pending.signal & sigmask(SIGKILL)));
	if (p->vfork_child) {
		p->vfork_child->vfork_parent = NULL;
		p->vfork_child = NULL;
		return false;
	}
	return true;
}

void vfork_release(struct task *t)
{
	if (!t->vfork_parent)
		return;
	t->vfork_parent->vfork_child = NULL;
	t->vfork_parent = NULL;
	wake_up(&vfork_wait);
}

/* Undo a do_fork whose child never ran: every reference it took is
 * dropped, every list it joined is left, and its pid is free again. */
static void abort_fork(struct task *c, unsigned long flags)
{
	list_del_init(&c->tasks);
	list_del_init(&c->thread_node);
	list_del_init(&c->sibling);
	list_del_init(&c->ptrace_entry);
	c->state = TASK_DEAD;
	if (c->mm)
		mmput(c->mm);
	if (c->files)
		put_files_struct(c->files);
	if (c->fs)
		put_fs_struct(c->fs);
	if (c->sighand && --c->sighand->count == 0)
		kfree(c->sighand);
	if (c->signal && (flags & CLONE_THREAD))
		c->signal->count--;
	else if (c->signal)
		kfree(c->signal);
	if (c->cred)
		put_cred(c->cred);
	kstack_free(c);
	kfree(c);
}

/*
 * Create a new task as the current task's child or thread (copy_process +
 * the host clone). Returns the child's guest pid or -errno: -EINVAL for
 * bad flag combinations, -EAGAIN when no pid or host process is left.
 */
static long do_fork(unsigned long flags, unsigned long newsp,
		    struct uptr parent_tidptr, struct uptr child_tidptr,
		    unsigned long tls)
{
	struct task *p = current, *c;
	unsigned long host_flags;
	bool traced;
	int trace;
	long ret;
	pid_t pid;

	if (flags & CLONE_UNSUPPORTED)
		return -EINVAL;
	if (um_mode->get_regs(p) < 0)
		return -ESRCH;
	if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
		return -EINVAL;
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return -EINVAL;
	if ((flags & CLONE_FS) && (flags & CLONE_NEWNS))
		return -EINVAL;
	if ((flags & CSIGNAL) > KSIGNAL_MAX)
		return -EINVAL;
	ret = task_limits_check();
	if (ret < 0)
		return ret;
	pid = alloc_pid();
	if (pid < 0)
		return pid;
	c = alloc_task();
	if (!c)
		return -ENOMEM;
	c->pid = pid;
	c->clone_flags = flags;
	strcpy(c->comm, p->comm);
	c->timer_slack_ns = p->timer_slack_ns;
	c->default_timer_slack_ns = p->timer_slack_ns;
	c->cred = p->cred;
	c->cred->usage++;
	c->blocked = p->blocked;
	c->regs = p->regs;
	c->regs.rax = 0;
	if (newsp)
		c->regs.rsp = newsp;
	if (flags & CLONE_SETTLS)
		c->regs.fs_base = tls;
	if (flags & CLONE_CHILD_SETTID)
		c->set_child_tid = child_tidptr.addr;
	if (flags & CLONE_CHILD_CLEARTID)
		c->clear_child_tid = child_tidptr.addr;

	ret = -ENOMEM;
	if (flags & CLONE_VM) {
		c->mm = p->mm;
		p->mm->users++;
	} else {
		c->mm = dup_mm(p->mm, 0);
		if (!c->mm)
			goto out_abort;
	}
	if (flags & CLONE_FILES) {
		c->files = p->files;
		p->files->count++;
	} else {
		c->files = dup_fd(p->files);
		if (!c->files)
			goto out_abort;
	}
	if (flags & CLONE_FS) {
		c->fs = p->fs;
		p->fs->users++;
	} else {
		c->fs = copy_fs_struct(p->fs);
		if (!c->fs)
			goto out_abort;
	}
	if (flags & CLONE_SIGHAND) {
		c->sighand = p->sighand;
		p->sighand->count++;
	} else {
		c->sighand = kmalloc(sizeof(*c->sighand));
		if (!c->sighand)
			goto out_abort;
		*c->sighand = *p->sighand;
		c->sighand->count = 1;
	}
	c->sas = p->sas;
	if (flags & CLONE_THREAD) {
		c->signal = p->signal;
		c->signal->count++;
		c->tgid = p->tgid;
		c->group_leader = p->group_leader;
		c->exit_signal = -1;
		c->real_parent = p->real_parent;
		list_add_tail(&c->thread_node, &c->group_leader->thread_group);
	} else {
		c->signal = alloc_signal();
		if (!c->signal)
			goto out_abort;
		c->signal->count = 1;
		c->signal->pgrp = p->signal->pgrp;
		c->signal->session = p->signal->session;
		c->signal->tty = p->signal->tty;
		memcpy(c->signal->rlim, p->signal->rlim, sizeof(c->signal->rlim));
		c->tgid = pid;
		c->group_leader = c;
		c->exit_signal = flags & CSIGNAL;
		c->real_parent = (flags & CLONE_PARENT) ?
			p->group_leader->real_parent : p->group_leader;
		list_add_tail(&c->thread_node, &c->thread_group);
		if (c->real_parent)
			list_add_tail(&c->sibling, &c->real_parent->children);
	}
	if (kstack_init(c, ret_from_fork) < 0)
		goto out_abort;
	list_add_tail(&c->tasks, &task_list);
	trace = ptrace_clone_event(p, flags, &traced);
	ptrace_init_task(c, traced);

	/* The host never blocks a vfork parent: the kernel does (below). */
	host_flags = (flags & (CLONE_VM | CLONE_SIGHAND | CLONE_THREAD)) |
		     ((flags & CLONE_THREAD) ? 0 : CLONE_PARENT);
	if (flags & CLONE_VFORK) {
		c->vfork_parent = p;
		p->vfork_child = c;
	}
	if (flags & CLONE_PARENT_SETTID)
		copy_to_user(parent_tidptr, &pid, sizeof(pid));
	ret = um_mode->clone(p, c, host_flags);
	if (ret < 0) {
		printk(KERN_WARNING "umk: host clone failed: %ld\n", ret);
		p->vfork_child = NULL;
		goto out_abort;
	}
	if (unlikely(trace))
		ptrace_fork_event(trace, pid);
	if ((flags & CLONE_VFORK) && wait_for_vfork_done(p) &&
	    unlikely(p->ptrace))
		ptrace_vfork_done(pid);
	return pid;

out_abort:
	abort_fork(c, flags);
	return ret < 0 ? ret : -EAGAIN;
}

SYSCALL_DEFINE0(fork)
{
	return do_fork(SIGCHLD, 0, UPTR(0), UPTR(0), 0);
}

SYSCALL_DEFINE0(vfork)
{
	return do_fork(CLONE_VFORK | CLONE_VM | SIGCHLD, 0, UPTR(0), UPTR(0), 0);
}

SYSCALL_DEFINE5(clone, unsigned long, flags, unsigned long, newsp, struct uptr, parent_tid, struct uptr, child_tid, unsigned long, tls)
{
	return do_fork(flags, newsp, parent_tid, child_tid, tls);
}

SYSCALL_DEFINE1(set_tid_address, struct uptr, tidptr)
{
	current->clear_child_tid = tidptr.addr;
	return current->pid;
}

SYSCALL_DEFINE2(set_robust_list, struct uptr, head, size_t, len)
{
	if (len != 24)
		return -EINVAL;
	current->robust_list = head.addr;
	return 0;
}

SYSCALL_DEFINE3(get_robust_list, int, pid, struct uptr, head_ptr, struct uptr, len_ptr)
{
	struct task *t = pid ? find_task_by_pid(pid) : current;
	size_t len = 24;

	if (!t)
		return -ESRCH;
	if (copy_to_user(len_ptr, &len, sizeof(len)) ||
	    copy_to_user(head_ptr, &t->robust_list, sizeof(t->robust_list)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE0(rseq)
{
	return -ENOSYS;
}
