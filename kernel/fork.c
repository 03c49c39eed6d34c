/*
 * fork, vfork, clone, clone3: a new task shares or copies its parent's
 * kernel state (Linux kernel/fork.c copy_process), and its host thread is
 * made by a host clone() that the parent runs through the stub. Host
 * clones of processes use CLONE_PARENT, so umk is the host parent of every
 * guest process and reaps it; the guest's parent/child tree is the
 * kernel's own.
 */
#include <umk/ipc.h>
#include <umk/sched.h>
#include <umk/fs.h>
#include <umk/signal_internal.h>
#include <umk/ptrace.h>
#include <umk/syscalls.h>
#include <umk/uaccess.h>
#include <mode.h>
#include <umk/filemap.h>
#include <umk/limits.h>
#include <os.h>
#include <limits.h>
#include <string.h>
#include <sched.h>
#include <sys/syscall.h>

/* clone3-only flags, above clone's 32 bits (Linux uapi/linux/sched.h). */
#ifndef CLONE_CLEAR_SIGHAND
#define CLONE_CLEAR_SIGHAND 0x100000000ULL
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

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

unsigned int fail_fork;

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
 * the host clone). flags: clone's, the exit signal in CSIGNAL, and
 * clone3's CLONE_CLEAR_SIGHAND / CLONE_INTO_CGROUP above bit 31. set_tid:
 * the pid the child must get (clone3 set_tid, 1 <= set_tid < PID_MAX), or
 * 0 for any. Returns the child's guest pid or -errno: -EINVAL for bad
 * flag combinations, -EBADF for CLONE_INTO_CGROUP (no fd names a cgroup:
 * umk has no cgroup2), -EPERM for set_tid without CAP_SYS_ADMIN or
 * CAP_CHECKPOINT_RESTORE, -EEXIST when that pid is taken, -EAGAIN when no
 * pid or host process is left.
 */
static long do_fork(unsigned long flags, unsigned long newsp,
		    struct uptr parent_tidptr, struct uptr child_tidptr,
		    unsigned long tls, pid_t set_tid)
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
	/* init makes no siblings: they would have no parent to reap them
	 * (Linux copy_process, SIGNAL_UNKILLABLE). */
	if ((flags & CLONE_PARENT) && p->group_leader == init_task)
		return -EINVAL;
	if (flags & CLONE_INTO_CGROUP)
		return -EBADF;
	ret = task_limits_check();
	if (ret < 0)
		return ret;
	if (set_tid && !has_capability(p->cred, CAP_SYS_ADMIN) &&
	    !has_capability(p->cred, CAP_CHECKPOINT_RESTORE))
		return -EPERM;
	pid = set_tid ? alloc_pid_nr(set_tid) : alloc_pid();
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
		if (flags & CLONE_CLEAR_SIGHAND)
			flush_signal_handlers(c);	/* SIG_IGN stays */
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
		/* A sibling (CLONE_PARENT) signals the shared parent as its
		 * maker does, whatever it asked for (Linux copy_process). */
		c->exit_signal = (flags & CLONE_PARENT) ?
			p->group_leader->exit_signal : (int)(flags & CSIGNAL);
		c->real_parent = (flags & CLONE_PARENT) ?
			p->group_leader->real_parent : p->group_leader;
		/* Which image of its parent a child may signal at exit
		 * (do_notify_parent): Linux copy_process. */
		c->self_exec_id = p->group_leader->self_exec_id;
		c->parent_exec_id = (flags & CLONE_PARENT) ?
			p->group_leader->parent_exec_id :
			p->group_leader->self_exec_id;
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
	if (fail_fork > 0) {
		/* Fault injection: fail at the last step, with everything
		 * taken that abort_fork must give back. */
		fail_fork--;
		p->vfork_child = NULL;
		ret = -EAGAIN;
		goto out_abort;
	}
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
	return do_fork(SIGCHLD, 0, UPTR(0), UPTR(0), 0, 0);
}

SYSCALL_DEFINE0(vfork)
{
	return do_fork(CLONE_VFORK | CLONE_VM | SIGCHLD, 0, UPTR(0), UPTR(0), 0,
		       0);
}

/* clone's flags are an int's worth (Linux sys_clone takes their lower 32
 * bits): the bits above, clone3's, are ignored. */
SYSCALL_DEFINE5(clone, unsigned long, flags, unsigned long, newsp, struct uptr, parent_tid, struct uptr, child_tid, unsigned long, tls)
{
	return do_fork(flags & 0xffffffffUL, newsp, parent_tid, child_tid, tls,
		       0);
}

/* struct clone_args (Linux uapi/linux/sched.h), every field 64 bits. */
struct clone_args_k {
	uint64_t flags;
	uint64_t pidfd;
	uint64_t child_tid;
	uint64_t parent_tid;
	uint64_t exit_signal;
	uint64_t stack;
	uint64_t stack_size;
	uint64_t tls;
	uint64_t set_tid;
	uint64_t set_tid_size;
	uint64_t cgroup;
};
#define CLONE_ARGS_SIZE_VER0 64		/* up to tls */
#define CLONE_ARGS_SIZE_VER2 88		/* up to cgroup */
#define MAX_PID_NS_LEVEL 32

/*
 * Copy clone3's arguments in and check them as Linux
 * copy_clone_args_from_user: -E2BIG for a size past a page or nonzero
 * bytes past the struct umk knows, -EINVAL for a size below VER0, a bad
 * set_tid/set_tid_size pair, an exit signal out of range or a cgroup
 * without VER2; -EFAULT. *tid gets set_tid[0] when set_tid_size is 1
 * (umk has one pid namespace, so a larger size is -EINVAL as Linux's
 * alloc_pid at level 0, and so is a pid outside [1, PID_MAX)), else 0.
 */
static int clone3_copy_args(struct clone_args_k *a, struct uptr uargs,
			    size_t usize, pid_t *tid)
{
	int32_t want;
	int err;

	if (usize > PAGE_SIZE)
		return -E2BIG;
	if (usize < CLONE_ARGS_SIZE_VER0)
		return -EINVAL;
	err = copy_struct_from_user(a, sizeof(*a), uargs, usize);
	if (err)
		return err;
	if (a->set_tid_size > MAX_PID_NS_LEVEL ||
	    (!a->set_tid && a->set_tid_size) ||
	    (a->set_tid && !a->set_tid_size))
		return -EINVAL;
	if ((a->exit_signal & ~(uint64_t)CSIGNAL) ||
	    a->exit_signal > KSIGNAL_MAX)
		return -EINVAL;
	if ((a->flags & CLONE_INTO_CGROUP) &&
	    (a->cgroup > INT_MAX || usize < CLONE_ARGS_SIZE_VER2))
		return -EINVAL;
	*tid = 0;
	if (!a->set_tid_size)
		return 0;
	/* Linux copies every entry before it looks at them. */
	if (a->set_tid_size > 1) {
		int32_t all[MAX_PID_NS_LEVEL];

		if (copy_from_user(all, UPTR(a->set_tid),
				   a->set_tid_size * sizeof(int32_t)))
			return -EFAULT;
		return -EINVAL;
	}
	if (copy_from_user(&want, UPTR(a->set_tid), sizeof(want)))
		return -EFAULT;
	if (want < 1 || want >= PID_MAX)
		return -EINVAL;
	*tid = want;
	return 0;
}

/* Linux clone3_args_valid: known flags only, no CLONE_DETACHED or signal
 * bits in flags, not CLONE_SIGHAND with CLONE_CLEAR_SIGHAND, no exit
 * signal for a thread or CLONE_PARENT, a stack given with its size. */
static bool clone3_args_valid(const struct clone_args_k *a)
{
	if (a->flags & ~(0xffffffffULL | CLONE_CLEAR_SIGHAND |
			 CLONE_INTO_CGROUP))
		return false;
	if (a->flags & (CLONE_DETACHED | (CSIGNAL & ~CLONE_NEWTIME)))
		return false;
	if ((a->flags & (CLONE_SIGHAND | CLONE_CLEAR_SIGHAND)) ==
	    (CLONE_SIGHAND | CLONE_CLEAR_SIGHAND))
		return false;
	if ((a->flags & (CLONE_THREAD | CLONE_PARENT)) && a->exit_signal)
		return false;
	if (!a->stack)
		return !a->stack_size;
	return a->stack_size && a->stack + a->stack_size > a->stack &&
	       a->stack + a->stack_size <= TASK_SIZE_MAX;
}

/*
 * clone3(2) over do_fork: the stack is [stack, stack + stack_size), the
 * exit signal its own field. CLONE_NEWTIME is a namespace (-EINVAL, as
 * clone's); CLONE_PIDFD is -EINVAL as clone's (umk has no pidfds).
 */
SYSCALL_DEFINE2(clone3, struct uptr, uargs, size_t, size)
{
	struct clone_args_k a;
	pid_t tid;
	int err;

	err = clone3_copy_args(&a, uargs, size, &tid);
	if (err)
		return err;
	if (!clone3_args_valid(&a) || (a.flags & CLONE_NEWTIME))
		return -EINVAL;
	return do_fork(a.flags | a.exit_signal,
		       a.stack ? a.stack + a.stack_size : 0,
		       UPTR(a.parent_tid), UPTR(a.child_tid), a.tls, tid);
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
