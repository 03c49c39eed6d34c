/*
 * Tasks, credentials, the run queue and wait queues.
 *
 * One guest thread is one struct task and one host thread. Every task has a
 * kernel stack: a syscall handler runs on it and may sleep (wait_event) in
 * straight-line code while its host thread stays in its ptrace stop; the
 * kernel thread switches between task stacks with switch_to. Only the kernel
 * thread touches these structures, so nothing here needs a lock.
 */
#ifndef UMK_SCHED_H
#define UMK_SCHED_H

#include <umk/kernel.h>
#include <umk/uaccess.h>
#include <umk/signal.h>
#include <sys/user.h>
#include <sys/resource.h>
#include <umk/timer.h>
#include <thread.h>

struct file;
struct files_struct;
struct fs_struct;
struct tty_struct;


/* A wait queue: tasks (or callbacks) waiting for an event. */
struct wait_queue_head {
	struct list_head head;
};
struct wait_queue_entry {
	struct task *task;		/* task to wake, or NULL for func only */
	void (*func)(struct wait_queue_entry *wq, void *key);
	void *private;
	struct list_head entry;
};
#define WAIT_QUEUE_HEAD_INIT(name) { LIST_HEAD_INIT((name).head) }
static inline void init_waitqueue_head(struct wait_queue_head *wq)
{
	INIT_LIST_HEAD(&wq->head);
}
void add_wait_queue(struct wait_queue_head *wq, struct wait_queue_entry *e);
void remove_wait_queue(struct wait_queue_head *wq, struct wait_queue_entry *e);
/* Wake every entry of wq: tasks become runnable, callbacks are called. */
void wake_up(struct wait_queue_head *wq);

/*
 * Sleep the current task until cond() holds. Returns 0 when it does, or
 * -ERESTARTSYS if a signal that is not blocked became pending first
 * (interruptible sleep, TASK_INTERRUPTIBLE in Linux). The macro re-tests
 * cond after every wake-up, as Linux's wait_event_interruptible.
 */
#define wait_event_interruptible(wq, cond)				\
({									\
	int __ret = 0;							\
	struct wait_queue_entry __w = { .task = current };		\
	if (!(cond)) {							\
		add_wait_queue(&(wq), &__w);				\
		for (;;) {						\
			if (cond)					\
				break;					\
			if (signal_pending(current)) {			\
				__ret = -ERESTARTSYS;			\
				break;					\
			}						\
			schedule_sleep(true);				\
		}							\
		remove_wait_queue(&(wq), &__w);				\
	}								\
	__ret;								\
})
/* Uninterruptible: only cond ends it (TASK_UNINTERRUPTIBLE). */
#define wait_event(wq, cond)						\
do {									\
	struct wait_queue_entry __w = { .task = current };		\
	if (!(cond)) {							\
		add_wait_queue(&(wq), &__w);				\
		while (!(cond))						\
			schedule_sleep(false);				\
		remove_wait_queue(&(wq), &__w);				\
	}								\
} while (0)

/* A sleeping lock (Linux struct mutex): the holder may sleep. */
struct mutex {
	struct task *owner;
	struct wait_queue_head wait;
};
void mutex_init(struct mutex *m);
void mutex_lock(struct mutex *m);
void mutex_unlock(struct mutex *m);

/* Credentials, as Linux struct cred (guest ids only, never host ids). */
#define NGROUPS_MAX_GUEST 64
struct cred {
	int usage;
	uid_t uid, euid, suid, fsuid;
	gid_t gid, egid, sgid, fsgid;
	int ngroups;
	gid_t groups[NGROUPS_MAX_GUEST];
	/* Capability sets, bit n for capability n (kernel/capability.c):
	 * guest root starts with every one; setuid away from root drops
	 * them as Linux's cap_emulate_setxuid. */
	uint64_t cap_inheritable, cap_permitted, cap_effective;
	uint64_t cap_bset, cap_ambient;
	bool keep_caps;			/* PR_SET_KEEPCAPS, cleared by exec */
	bool no_new_privs;		/* PR_SET_NO_NEW_PRIVS, for good */
};
struct cred *prepare_creds(const struct cred *old);
/* Install new as the current task's credentials (the old ones are put). */
void commit_creds(struct cred *new);
void put_cred(struct cred *c);
static inline struct cred *get_cred(struct cred *c)
{
	c->usage++;
	return c;
}
bool in_group_p(const struct cred *c, gid_t gid);
#define CAP_SETPCAP	8
#define CAP_SYS_ADMIN	21
#define CAP_CHECKPOINT_RESTORE 40
#define CAP_LAST_CAP	40		/* CAP_CHECKPOINT_RESTORE */
#define CAP_FULL_SET	((1ULL << (CAP_LAST_CAP + 1)) - 1)
/* Is capability cap in c's effective set? */
static inline bool has_capability(const struct cred *c, int cap)
{
	return (c->cap_effective >> cap) & 1;
}
/* The privilege check of the callers that name no capability: guest root
 * (every capability) passes, as CAP_SYS_ADMIN in the effective set. */
static inline bool capable(const struct cred *c)
{
	return has_capability(c, CAP_SYS_ADMIN);
}

/* Address space: one host process image. Shared by CLONE_VM tasks. */
struct mm_struct {
	int users;		/* tasks sharing it */
	int host_pid;		/* a host tid living in this address space */
	int mem_fd;		/* cached /proc/host_pid/mem, or -1 */
	unsigned long start_code, end_code, start_data, end_data;
	unsigned long start_brk, brk;	/* emulated brk area */
	unsigned long brk_mapped;	/* end of what is really mapped */
	unsigned long start_stack;
	unsigned long arg_start, arg_end, env_start, env_end;
	unsigned long mmap_base;	/* hint for mmap(NULL) placement */
	struct file *exe_file;	/* /proc/PID/exe */
	unsigned long auxv[48];	/* for /proc/PID/auxv */
	struct list_head file_vmas;	/* mappings of files (filemap.c) */
	bool not_dumpable;		/* PR_SET_DUMPABLE 0 or new ids; exec resets */
	int auxv_len;
	/* Held while a stub batch of one of its threads uses the request
	 * page (arch/um/kernel/stub.c): the page is one per address space. */
	struct mutex stub_lock;
	/* Bytes at the start of the request page's scratch area that may
	 * not be zero (ptrace modes write no more than that). */
	size_t stub_scratch_used;
	void *mode_priv;	/* the mode's state of this address space,
				 * released by um_mode->mm_exit */
	uint64_t oom_scan;	/* the last memory scan that counted it */
};

/* A fresh mm for host process host_pid (users 1), or NULL. */
struct mm_struct *mm_alloc(int host_pid);
/* Drop a reference; the last one frees the mm and its file mappings. */
void mmput(struct mm_struct *mm);
/* The host process of mm changed (exec into a new host process): forget
 * the cached /proc/PID/mem fd. */
void mm_drop_mem_fd(struct mm_struct *mm);

/* Shared signal state of a thread group (Linux struct signal_struct). */
struct signal_struct {
	int count;			/* live threads */
	struct sigpending shared_pending;
	pid_t pgrp, session;
	struct tty_struct *tty;		/* controlling terminal or NULL */
	int group_exit_code;		/* wait status once exiting */
	bool group_exit;		/* exit_group or fatal signal started */
	struct task *group_exec_task;	/* a thread in execve: others die */
	int group_stop_count;
	unsigned int flags;		/* SIGNAL_STOP_STOPPED, ... */
	int stop_code;			/* stop signal for WUNTRACED */
	bool stop_reported, cont_reported;
	struct rlimit rlim[RLIM_NLIMITS];
	uint64_t start_time_ns;
	uint64_t utime_ns, stime_ns;	/* host CPU time at death */
	uint64_t cutime_ns, cstime_ns;	/* of reaped children */
	struct wait_queue_head wait_chldexit;	/* parent's wait4 sleeps here */
	/* alarm(2) / ITIMER_REAL: the timer and its interval in ns */
	struct timer_list it_real_timer;
	uint64_t it_real_interval;
	bool is_child_subreaper;	/* PR_SET_CHILD_SUBREAPER */
};
/* The last thread of sig's group is gone: disarm ITIMER_REAL, whose timer
 * lives in sig and must not outlive it (Linux do_exit's group_dead
 * hrtimer_cancel; kernel/time.c). */
void exit_itimers(struct signal_struct *sig);
#define SIGNAL_STOP_STOPPED 0x1
#define SIGNAL_STOP_CONTINUED 0x2
#define SIGNAL_STOP_MASK (SIGNAL_STOP_STOPPED | SIGNAL_STOP_CONTINUED)
#define SIGNAL_UNKILLABLE 0x4	/* init: signals of default action ignored */

struct sighand_struct {
	int count;
	struct k_sigaction action[_NSIG];
};

enum task_state {
	TASK_RUNNING,		/* on the run queue or running on its stack */
	TASK_WAIT_HOST,		/* its host thread runs guest code */
	TASK_INTERRUPTIBLE,	/* sleeping in a handler, signals wake it */
	TASK_UNINTERRUPTIBLE,
	TASK_STOPPED,		/* group stop (SIGSTOP...) */
	TASK_TRACED,		/* stopped for its tracer (kernel/ptrace.c) */
	TASK_DEAD,		/* zombie or released */
};

struct task {
	pid_t pid;			/* guest tid */
	pid_t tgid;			/* guest pid = leader's tid */
	int host_tid;			/* host tid of its thread; 0 once gone */
	char comm[16];
	enum task_state state;
	struct task *group_leader;
	struct list_head thread_node;	/* in group_leader->thread_group */
	struct list_head thread_group;	/* leader only: all threads */
	struct task *real_parent;	/* parent process (a leader) */
	struct list_head children;	/* leader only: child leaders */
	struct list_head sibling;	/* in real_parent->children */
	struct list_head tasks;		/* in the global task list */

	struct cred *cred;
	struct mm_struct *mm;
	struct files_struct *files;
	struct fs_struct *fs;
	struct signal_struct *signal;
	struct sighand_struct *sighand;

	uint64_t blocked;		/* the guest's blocked mask, bit sig-1 */
	uint64_t saved_sigmask;		/* for rt_sigsuspend/ppoll/pselect */
	uint64_t real_blocked;		/* blocked before rt_sigtimedwait
					 * unblocked the awaited signals */
	bool restore_sigmask;
	struct sigpending pending;	/* thread-directed signals */
	stack_t sas;			/* sigaltstack */

	int exit_code;			/* wait status when dead */
	int exit_signal;		/* SIGCHLD, or 0 / -1 for threads */
	uint32_t self_exec_id;		/* execs so far (Linux's name) */
	uint32_t parent_exec_id;	/* the parent's self_exec_id at fork */
	bool exit_reaped;
	bool zombie;			/* leader: the whole group is dead */
	bool self_reap;			/* free the task once off its stack */
	unsigned long clear_child_tid;	/* guest address, CLONE_CHILD_CLEARTID */
	unsigned long set_child_tid;

	/* Kernel stack and context. */
	void *kstack;			/* base of the mmap'd stack */
	size_t kstack_size;
	void *ksp;			/* saved stack pointer while switched out */
	struct list_head run_list;	/* on the run queue when TASK_RUNNING */
	bool on_rq;

	/* The guest's user registers as of its last entry into the kernel
	 * (Linux's pt_regs); the mode keeps them in step with the host
	 * thread (arch/um/include/mode.h says which fields are fresh). */
	struct user_regs_struct regs;
	struct thread_struct thread;	/* mode-private (arch/um/include/thread.h) */
	bool in_syscall;		/* serving a syscall: syscall_nr valid */
	long syscall_nr;
	unsigned int stops_cur;		/* host stops since the syscall entry */
	char *strace_line;		/* strace: the call's text until it ends */
	size_t strace_len;

	/* timers for sleeps: absolute deadline in ns since boot, 0 = none */
	uint64_t timeout;
	struct list_head timer_list;

	uint64_t start_time_ns;
	uint64_t utime_ns, stime_ns;
	unsigned long clone_flags;	/* as given to clone */
	bool did_exec;			/* execve'd since fork (setpgid) */
	int pdeath_signal;		/* prctl PR_SET_PDEATHSIG */
	/* PR_SET_TIMERSLACK: ns, 0 meaning Linux's default 50000; the
	 * default is what the parent's slack was at fork. */
	uint64_t timer_slack_ns, default_timer_slack_ns;
	int nice;			/* -20..19 */
	uint64_t restart_deadline;	/* an interrupted sleep's deadline */
	bool restarting;		/* this syscall is a restart */
	unsigned long robust_list;	/* set_robust_list head (guest) */
	/* CLONE_VFORK: the parent sleeps until its child execs or exits
	 * (vfork_release); each points at the other until then. */
	struct task *vfork_parent;
	struct task *vfork_child;
	/* In an interruptible host call that sleeps in the host (futex
	 * wait): /proc shows S once the host thread really sleeps. */
	bool host_sleep;

	/* ptrace (kernel/ptrace.c; Linux's task_struct fields of these names) */
	unsigned int ptrace;		/* PT_* flags; 0 when nobody traces it */
	struct task *parent;		/* its tracer (a thread) while traced */
	struct list_head ptraced;	/* the tasks this thread traces */
	struct list_head ptrace_entry;	/* in parent->ptraced */
	unsigned long ptrace_message;	/* PTRACE_GETEVENTMSG */
	siginfo_t *last_siginfo;	/* of the current stop, or NULL */
	int ptrace_code;		/* stopped: the code wait reports (0 once
					 * reported); resumed: the signal given */
	unsigned int jobctl;		/* JOBCTL_* */
	unsigned int syscall_work;	/* SYSCALL_WORK_*: 0 on the fast path */
	unsigned long debugreg[8];	/* PTRACE_POKEUSER of u_debugreg */
};

extern struct task *current;
extern struct list_head task_list;	/* every task, oldest first */
extern struct task *init_task;		/* guest pid 1 */

/* Look up a live task by guest tid; NULL if none. */
struct task *find_task_by_pid(pid_t pid);
/* Look up a task by its host tid; NULL if none. */
struct task *find_task_by_host_tid(int host_tid);
bool thread_group_leader(const struct task *t);
static inline bool task_alive(const struct task *t) { return t->state != TASK_DEAD; }

/*
 * Give up the CPU: the current task's stack is saved and the next runnable
 * task (or the event loop) runs. `interruptible` marks the sleep as one that a
 * signal may end (signal_wake_up makes the task runnable again).
 */
void schedule_sleep(bool interruptible);
/* Make t runnable (its handler continues from schedule_sleep). */
void wake_up_process(struct task *t);
/* Sleep the current task until the absolute deadline (ns since boot) or a
 * wake-up; returns 0 at the deadline, -ERESTARTSYS on a signal, 1 if woken
 * by something else first. */
int schedule_timeout(uint64_t deadline_ns);

/* Pid allocation: the lowest free pid above the last one, wrapping at 32768. */
#define PID_MAX 32768		/* /proc/sys/kernel/pid_max */
pid_t alloc_pid(void);
/* Pid nr itself (clone3's set_tid; the caller checked 1 <= nr < PID_MAX
 * and the privilege), or -EEXIST when a task, group or session has it. */
pid_t alloc_pid_nr(pid_t nr);

/*
 * For the mode engines: the current task sleeps (TASK_WAIT_HOST) until
 * wake_up_host_waiter(t) says its host thread reported; nr_host_waiting
 * counts such tasks (the event loop's fast path needs to know).
 */
void schedule_host_wait(void);
void wake_up_host_waiter(struct task *t);
extern int nr_host_waiting;
/* Sleep in a group stop until SIGCONT or SIGKILL wakes the task. */
void schedule_stopped(void);
/* Sleep in a ptrace stop (TASK_TRACED) until the tracer or SIGKILL
 * wakes the task (kernel/ptrace.c). */
void schedule_traced(void);
/* Let other runnable tasks run first (sched_yield). */
void schedule_yield(void);
/*
 * A long kernel operation (a page cache fill) lets everything else go
 * first: the other runnable tasks, and the host events, fds and timers
 * the event loop polls before the current task runs again (Linux
 * cond_resched, kernel/sched/core.c). Without it, a task that yields
 * again and again would keep the event loop from ever polling.
 */
void cond_resched(void);
/* The current task is dead: leave its stack for good (it is freed, and
 * the task too if self_reap, once the scheduler is off it). */
void schedule_exit(void) __attribute__((noreturn));
/* Give t a fresh kernel stack that starts in fn(t). 0 or -ENOMEM. */
int kstack_init(struct task *t, void (*fn)(struct task *));
/* Free t's kernel stack (never the stack the kernel is running on). */
void kstack_free(struct task *t);
/* The event loop: run every runnable task until each sleeps; is the run
 * queue empty? */
void run_queue_drain(void);
bool run_queue_empty(void);
/* The tasks in cond_resched go back on the run queue; were there any?
 * The event loop then polls its sources once before it runs them. */
bool requeue_resched(void);

/*
 * The loop of every task's kernel stack (arch/um/kernel/process.c): deliver
 * signals, run guest code through the mode, serve what comes back. Entered
 * with t->regs ready for guest code; never returns (the task leaves
 * through do_exit).
 */
void task_main(struct task *t) __attribute__((noreturn));

/* Task creation (kernel/fork.c): a zeroed task with its lists set up,
 * TASK_UNINTERRUPTIBLE, or NULL; a signal_struct with count 0, or NULL. */
struct task *alloc_task(void);
struct signal_struct *alloc_signal(void);
/* Fault injection (as Linux's fail_* knobs' "times"): the next fail_fork
 * forks and clones fail with -EAGAIN after everything but the host clone
 * was taken, so a test can show that a failed fork leaves nothing behind.
 * Set through /proc/umk/fail_fork (root). */
extern unsigned int fail_fork;

/*
 * Task death (kernel/exit.c, semantics of Linux kernel/exit.c):
 * do_exit(code) ends the current task with wait status code; the last
 * thread of a process makes it a zombie for its parent. do_group_exit
 * kills every thread of the current process first (exit_group, fatal
 * signals). exit_host_gone: the mode reported the task's host thread gone
 * (killed from outside by host signal sig, or 0): the process dies of sig,
 * or of SIGKILL. None of them returns.
 */
void do_exit(long code) __attribute__((noreturn));
void do_group_exit(int exit_code) __attribute__((noreturn));
void exit_host_gone(struct task *t, int sig) __attribute__((noreturn));
/* A CLONE_VFORK child t is done with its parent's memory (exec or exit):
 * the parent waiting in vfork wakes (Linux complete_vfork_done). */
void vfork_release(struct task *t);
/* Woken whenever a task dies (a halt waits on it for the others to go). */
extern struct wait_queue_head task_exit_wait;

#endif
