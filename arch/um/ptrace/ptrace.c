/*
 * The ptrace machinery of skas and tt (arch/um/ptrace/ptrace_mode.h): every
 * host stop of a guest thread is reaped by the event loop, decoded once and
 * handed to the task it belongs to, which sleeps in the kernel's scheduler
 * until then. Host calls inside a task run only at the stub's two syscall
 * instructions, from registers the kernel set and a request page the guest
 * cannot write; new host threads and processes come from the stub's clone,
 * fresh address spaces from the stub's execveat of its sealed memfd.
 * Model: UML arch/um/os-Linux/skas/process.c, rr's WaitStatus.
 */
#include "ptrace_mode.h"
#include <umk/stats.h>
#include <umk/limits.h>
#include <umk/signal_internal.h>
#include <stub.h>
#include <os.h>
#include <event.h>
#include <string.h>
#include <sched.h>
#include <sys/syscall.h>
#include <sys/ptrace.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <linux/filter.h>
#include <fcntl.h>

bool ptrace_filter_allow_getpid;

/* The first host process, made at boot before umk's own sandbox closes. */
static int init_host_pid;

/* ---- stops ---- */

static bool stop_is_exit(const struct host_stop *st)
{
	return st->kind == STOP_EXITED || st->kind == STOP_KILLED;
}

/* Stops that arrived for host tids no task owns yet (a clone child's
 * first stop can come before its parent's clone returned). Every task may
 * be such a child at once (a fork bomb): the table holds threads-max. */
static struct orphan_stop {
	int tid;
	struct host_stop stop;
} *orphans;
static int orphan_max;

static void stash_orphan(int tid, const struct host_stop *st)
{
	if (!orphans) {
		orphans = kzalloc(max_threads * sizeof(*orphans));
		orphan_max = orphans ? max_threads : 0;
	}
	for (int i = 0; i < orphan_max; i++) {
		if (!orphans[i].tid || orphans[i].tid == tid) {
			orphans[i].tid = tid;
			orphans[i].stop = *st;
			return;
		}
	}
	printk(KERN_WARNING "umk: orphan stop table full, tid %d\n", tid);
}

/* Host thread tid is gone: a stop stashed for it has no one to claim it
 * (its task was released first), and the tid may be reused. */
static void drop_orphan(int tid)
{
	for (int i = 0; i < orphan_max; i++)
		if (orphans[i].tid == tid)
			orphans[i].tid = 0;
}

/* Attach a stop that arrived before t knew its host tid. */
static void claim_orphan_stop(struct task *t)
{
	for (int i = 0; i < orphan_max; i++) {
		if (orphans[i].tid == t->host_tid) {
			t->thread.stop = orphans[i].stop;
			t->thread.stop_ready = true;
			orphans[i].tid = 0;
			wake_up_host_waiter(t);
			return;
		}
	}
}

/*
 * Co-location (arch/um/os-Linux/cpu.c). A task that makes calls runs on
 * the kernel thread's CPU: its stops are wake-ups on one CPU. The kernel
 * thread binds itself there at its first resume, or the host would move it
 * now and then (woken while its tracee still runs, it may be put on an
 * idle CPU), and every task with it: unpinned, that cost a skas call 1.4x
 * its pinned time. A task that ran guest code for HOG_NS or more before
 * its last stop computes: it runs on any CPU (the host spreads such
 * tasks) until HOG_SHORT_RUNS short runs in a row bring it back.
 */
#define HOG_NS 1000000
#define HOG_SHORT_RUNS 4
/* The CPU the kernel thread is bound to; -1 before its first resume, -2
 * when umk may use one CPU only (nothing to place). */
static int kernel_cpu = -1;

/* Tasks waiting in exit_process: while there are any, the event loop's
 * waits ask the host for rusage (which costs it on every stop). */
static int nr_reap_waiters;

/* Host process pid is gone and reaped: the exiting task that waits for
 * that (ptrace_exit_thread) takes the host's final accounting of it. */
static void host_process_reaped(int pid, const struct host_stop *st)
{
	struct task *t;

	list_for_each_entry(t, &task_list, tasks) {
		if (t->thread.reap_pid != pid)
			continue;
		t->signal->utime_ns += st->utime_ns;
		t->signal->stime_ns += st->stime_ns;
		t->thread.reaped = true;
		wake_up_host_waiter(t);
		return;
	}
}

/* The event loop reaped a wait status for host tid. */
static void host_stop_arrived(int tid, const struct host_stop *st)
{
	struct task *t = find_task_by_host_tid(tid);

	if (stop_is_exit(st))
		host_process_reaped(tid, st);
	if (!t) {
		if (st->kind != STOP_EXITED && st->kind != STOP_KILLED)
			stash_orphan(tid, st);
		else
			drop_orphan(tid);
		return;
	}
	if (os_monotonic_ns() - t->thread.resumed_ns >= HOG_NS)
		t->thread.short_runs = 0;
	else if (t->thread.short_runs < HOG_SHORT_RUNS)
		t->thread.short_runs++;
	t->thread.stop = *st;
	t->thread.stop_ready = true;
	t->thread.guest_running = false;
	if (st->kind == STOP_EXITED || st->kind == STOP_KILLED)
		t->host_tid = -t->host_tid;	/* gone: keep it for messages */
	wake_up_host_waiter(t);
}

void ptrace_host_events(void)
{
	struct host_stop st;
	int tid;

	while ((tid = os_wait_any_rusage(&st, nr_reap_waiters > 0)) > 0)
		host_stop_arrived(tid, &st);
}

int ptrace_wait_idle(bool other_fds)
{
	struct host_stop st;
	int tid;

	/* Only a ptrace stop, a kick or the next kernel timer can come:
	 * block in waitpid itself. */
	if (other_fds)
		return -EAGAIN;
	if (next_timer_expires())
		os_event_arm_deadline(ktime_to_host_ns(next_timer_expires()));
	tid = os_wait_child_blocking(&st, nr_reap_waiters > 0);

	if (tid <= 0)
		return 0;
	host_stop_arrived(tid, &st);
	return 1;
}

struct host_stop *ptrace_wait_stop(struct task *t)
{
	while (!t->thread.stop_ready)
		schedule_host_wait();
	t->thread.stop_ready = false;
	t->thread.guest_running = false;
	umk_stats.ptrace_stops++;
	t->stops_cur++;
	/* Any trap clears the host's pending PTRACE_INTERRUPT trap (Linux
	 * kernel/signal.c ptrace_stop: "any trap clears pending STOP trap"),
	 * so after any stop the next guest signal needs a new interrupt. A
	 * trap still pending after this stop comes later as a STOP_GROUP
	 * with no signal behind it, which every caller ignores. */
	t->thread.interrupted = false;
	return &t->thread.stop;
}

/* ---- registers ---- */

static int getregs(struct task *t)
{
	if (os_ptrace_getregs(t->host_tid, &t->regs) < 0)
		return -ESRCH;
	t->thread.regs_partial = false;
	return 0;
}

int ptrace_get_regs(struct task *t)
{
	struct user_regs_struct r;

	if (!t->thread.regs_partial)
		return 0;
	if (os_ptrace_getregs(t->host_tid, &r) < 0)
		return -ESRCH;
	/* rax, rip and orig_rax may have been changed by the handler. */
	r.rax = t->regs.rax;
	r.rip = t->regs.rip;
	r.orig_rax = t->regs.orig_rax;
	t->regs = r;
	t->thread.regs_partial = false;
	return 0;
}

#define REG_OFF(f) offsetof(struct user_regs_struct, f)

int ptrace_put_regs(struct task *t)
{
	struct thread_struct *th = &t->thread;
	int tid = t->host_tid;

	if (!th->regs_partial)
		return os_ptrace_setregs(tid, &t->regs) < 0 ? -ESRCH : 0;
	/* Only rax, rip and orig_rax can differ from the host's copy. */
	if (t->regs.rax != th->snap_rax) {
		if (os_ptrace_pokeuser(tid, REG_OFF(rax), t->regs.rax) < 0)
			return -ESRCH;
		th->snap_rax = t->regs.rax;
	}
	if (t->regs.rip != th->snap_rip) {
		if (os_ptrace_pokeuser(tid, REG_OFF(rip), t->regs.rip) < 0)
			return -ESRCH;
		th->snap_rip = t->regs.rip;
	}
	if (t->regs.orig_rax != th->snap_orig_rax) {
		if (os_ptrace_pokeuser(tid, REG_OFF(orig_rax),
				       t->regs.orig_rax) < 0)
			return -ESRCH;
		th->snap_orig_rax = t->regs.orig_rax;
	}
	return 0;
}

int ptrace_get_fpregs(struct task *t, void *buf, size_t len)
{
	return os_ptrace_get_xstate(t->host_tid, buf, len);
}

int ptrace_set_fpregs(struct task *t, const void *buf, size_t len)
{
	return os_ptrace_set_xstate(t->host_tid, buf, len);
}

#define DEBUGREG_OFF(n)	(offsetof(struct user, u_debugreg) + (n) * 8)

int ptrace_get_debugreg(struct task *t, int n, unsigned long *val)
{
	return os_ptrace_peekuser(t->host_tid, DEBUGREG_OFF(n), val);
}

int ptrace_set_debugreg(struct task *t, int n, unsigned long val)
{
	return os_ptrace_pokeuser(t->host_tid, DEBUGREG_OFF(n), val);
}

/* ---- guest events ---- */

static bool is_fault(int sig)
{
	return sig == SIGSEGV || sig == SIGBUS || sig == SIGILL ||
	       sig == SIGFPE || sig == SIGTRAP || sig == SIGSYS;
}

static void decode_syscall(struct task *t, struct um_event *ev)
{
	struct syscall_entry_info info;
	struct thread_struct *th = &t->thread;

	if (os_ptrace_syscall_entry(t->host_tid, &info) < 0) {
		ev->kind = UM_EV_EXIT;
		ev->exit_sig = SIGKILL;
		return;
	}
	ev->kind = UM_EV_SYSCALL;
	ev->nr = info.nr;
	ev->compat = info.arch != AUDIT_ARCH_X86_64 || (info.nr & 0x40000000);
	th->entry_compat = ev->compat;
	for (int i = 0; i < 6; i++)
		ev->args[i] = info.args[i];
	t->regs.orig_rax = info.nr;
	t->regs.rdi = info.args[0];
	t->regs.rsi = info.args[1];
	t->regs.rdx = info.args[2];
	t->regs.r10 = info.args[3];
	t->regs.r8 = info.args[4];
	t->regs.r9 = info.args[5];
	t->regs.rip = info.ip;
	t->regs.rsp = info.sp;
	t->regs.rax = -ENOSYS;
	th->regs_partial = true;
	th->snap_rax = -ENOSYS;
	th->snap_rip = info.ip;
	th->snap_orig_rax = info.nr;
	th->at_entry_stop = true;
}

void ptrace_decode(struct task *t, struct host_stop *st, struct um_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	t->thread.at_entry_stop = false;
	if (stop_is_exit(st)) {
		ev->kind = UM_EV_EXIT;
		ev->exit_sig = st->kind == STOP_KILLED ? st->sig : 0;
		return;
	}
	if (st->kind == STOP_SYSCALL) {
		decode_syscall(t, ev);
		return;
	}
	if (getregs(t) < 0) {
		ev->kind = UM_EV_EXIT;
		ev->exit_sig = SIGKILL;
		return;
	}
	ev->kind = UM_EV_INTERRUPT;
	if (st->kind == STOP_SIGNAL && is_fault(st->sig)) {
		ev->kind = UM_EV_FAULT;
		ev->sig = st->sig;
		os_ptrace_getsiginfo(t->host_tid, &ev->info);
	}
	/* Other host signals (stray kills, host job control) and ptrace
	 * events are not the guest's business: they are dropped by resuming
	 * with no signal. */
}

int ptrace_resume(struct task *t, enum resume_req req)
{
	struct thread_struct *th = &t->thread;
	int cpu = os_current_cpu();

	if (kernel_cpu == -1 && cpu >= 0)
		kernel_cpu = os_nr_cpus_allowed() > 1 &&
			     os_pin_thread(0, cpu) == 0 ? cpu : -2;
	if (kernel_cpu >= 0 && th->short_runs < HOG_SHORT_RUNS) {
		if (th->cpu != -1 && os_unpin_thread(t->host_tid) == 0)
			th->cpu = -1;
	} else if (cpu >= 0 && cpu != th->cpu &&
		   os_pin_thread(t->host_tid, cpu) == 0) {
		th->cpu = cpu;
	}
	th->resumed_ns = os_monotonic_ns();
	return os_ptrace_resume(t->host_tid, req, 0);
}

void ptrace_run(struct task *t, enum resume_req req, struct um_event *ev)
{
	if (ptrace_put_regs(t) < 0 || ptrace_resume(t, req) < 0) {
		memset(ev, 0, sizeof(*ev));
		ev->kind = UM_EV_EXIT;
		ev->exit_sig = SIGKILL;
		return;
	}
	t->thread.guest_running = true;
	ptrace_decode(t, ptrace_wait_stop(t), ev);
}

int ptrace_first_stop(struct task *t)
{
	struct host_stop *st = ptrace_wait_stop(t);

	t->thread.started = true;
	t->thread.at_entry_stop = false;
	t->thread.regs_partial = false;
	return stop_is_exit(st) ? -ESRCH : 0;
}

void ptrace_interrupt(struct task *t)
{
	struct thread_struct *th = &t->thread;

	if (th->guest_running && !th->interrupted && t->host_tid > 0) {
		th->interrupted = true;
		os_ptrace_interrupt(t->host_tid);
	}
}

/* ---- stub calls ---- */

#define X86_EFLAGS_TF	0x100UL
#define X86_EFLAGS_DF	0x400UL
#define USER_CS_64	0x33	/* __USER_CS */
#define USER_DS_64	0x2b	/* __USER_DS */

/* The host made child's thread (tid): it may run at once, which a vfork
 * parent, blocked in the host until the child execs or exits, needs. */
static void clone_child_born(struct task *parent, struct task *child, int tid)
{
	child->host_tid = tid;
	child->thread.cpu = parent->thread.cpu;	/* the host copied the mask */
	child->thread.short_runs = HOG_SHORT_RUNS;
	child->thread.host_leader = !(parent->thread.clone_flags & CLONE_THREAD);
	child->thread.host_pid = child->thread.host_leader ? tid
							   : parent->thread.host_pid;
	if (child->mm != parent->mm)
		child->mm->host_pid = tid;
	child->state = TASK_INTERRUPTIBLE;
	wake_up_process(child);
	claim_orphan_stop(child);
}

/*
 * Let the stub run from regs until it traps back (int3 inside the stub).
 * A PTRACE_EVENT_EXEC on the way is recorded (exec_seen).
 * Returns 0 with regs read back, -EINTR when an interruptible call gave up
 * for a pending guest signal, or -ESRCH when the host thread died.
 */
static int run_stub(struct task *t, struct user_regs_struct *regs,
		    bool interruptible)
{
	struct thread_struct *th = &t->thread;
	struct host_stop *st;

	/* The stub runs as 64-bit code with the ABI's flags whatever the
	 * guest (or its tracer) left in its registers: no single-step trap
	 * (TF), string ops forward (DF). */
	regs->eflags &= ~(X86_EFLAGS_TF | X86_EFLAGS_DF);
	regs->cs = USER_CS_64;
	regs->ss = USER_DS_64;
	/* A signal that came while t was not waiting on its host thread sent
	 * no interrupt: a sleeping call must not begin (or go on after a
	 * stop) with one pending, or nothing ends the sleep. Checked before
	 * t's registers change: t may sit in a tt entry stop. */
	if (interruptible && signal_pending(t))
		return -EINTR;
	if (os_ptrace_setregs(t->host_tid, regs) < 0)
		return -ESRCH;
	th->at_entry_stop = false;
	th->regs_partial = false;
	umk_stats.stub_calls++;
	for (;;) {
		/* (Also after each stop: a signal may have come meanwhile.) */
		if (interruptible && signal_pending(t))
			return -EINTR;
		if (ptrace_resume(t, RESUME_CONT) < 0)
			return -ESRCH;
		th->guest_running = interruptible;
		st = ptrace_wait_stop(t);
		switch (st->kind) {
		case STOP_EXITED:
		case STOP_KILLED:
			return -ESRCH;
		case STOP_EVENT:
			if (st->event == PTRACE_EVENT_EXEC)
				th->exec_seen = true;
			continue;
		case STOP_SIGNAL:
			if (st->sig == SIGTRAP) {
				if (os_ptrace_getregs(t->host_tid, regs) < 0)
					return -ESRCH;
				if (regs->rip > STUB_CODE &&
				    regs->rip < STUB_CODE + PAGE_SIZE)
					return 0;
			}
			/* Anything else the host raised meanwhile is dropped:
			 * the guest's own signals never come from the host. */
			continue;
		case STOP_GROUP:
			/* Our PTRACE_INTERRUPT: a guest signal is pending.
			 * A sleeping call (futex wait) gives up for it. */
			if (interruptible && signal_pending(t))
				return -EINTR;
			continue;
		default:
			continue;
		}
	}
}

/*
 * The registers a stub run starts from: the guest's, with the 64-bit user
 * selectors and without the trap, alignment-check and direction flags. A
 * guest's rt_sigreturn may have loaded bad selectors (they fault on its
 * way back to guest code, as on Linux); the stub must still run.
 */
static void stub_regs(const struct task *t, struct user_regs_struct *regs)
{
	*regs = t->regs;
	regs->cs = 0x33;	/* __USER_CS */
	regs->ss = 0x2b;	/* __USER_DS */
	regs->eflags &= ~(0x100UL | 0x400UL | 0x40000UL);	/* TF DF AC */
}

long ptrace_host_call(struct task *t, long nr, const unsigned long args[6],
		      bool interruptible)
{
	struct user_regs_struct regs;
	int err;

	if (ptrace_get_regs(t) < 0)
		return -ESRCH;
	stub_regs(t, &regs);
	regs.rip = STUB_SYSCALL;
	regs.rax = nr;
	regs.orig_rax = -1;
	regs.rdi = args[0];
	regs.rsi = args[1];
	regs.rdx = args[2];
	regs.r10 = args[3];
	regs.r8 = args[4];
	regs.r9 = args[5];
	err = run_stub(t, &regs, interruptible);
	if (err == -EINTR)
		return -ERESTARTSYS;
	if (err)
		return err;
	return regs.rax;
}

/* Bytes of b's scratch area up to its last nonzero word. */
static size_t scratch_used(const struct stub_batch *b)
{
	const uint64_t *w = (const uint64_t *)b->scratch;
	size_t n = sizeof(b->scratch) / 8;

	while (n > 0 && !w[n - 1])
		n--;
	return n * 8;
}

/*
 * Write b into t's read-only request page (a forced write through
 * /proc/PID/mem, which copies the pages it touches in a forked or fresh
 * image): the header and the calls it runs, and of the scratch area what
 * it uses or an earlier batch may have left. 0 or -EFAULT.
 */
static int write_batch(struct task *t, const struct stub_batch *b)
{
	struct mm_struct *mm = t->mm;
	size_t used = scratch_used(b);
	size_t len = offsetof(struct stub_batch, calls) +
		     b->count * sizeof(b->calls[0]);

	if (used || mm->stub_scratch_used)
		len = offsetof(struct stub_batch, scratch) +
		      max(used, mm->stub_scratch_used);
	if (stub_page_write(mm, STUB_DATA, b, len) < 0)
		return -EFAULT;
	mm->stub_scratch_used = used;
	return 0;
}

long ptrace_host_batch(struct task *t, const struct stub_batch *b, long *last)
{
	struct user_regs_struct regs;
	int err;

	if (b->count < 1 || b->count > STUB_BATCH_MAX)
		return -EINVAL;
	if (ptrace_get_regs(t) < 0)
		return -ESRCH;
	if (write_batch(t, b) < 0)
		return -EFAULT;
	stub_regs(t, &regs);
	regs.rip = STUB_BATCH;
	regs.orig_rax = -1;
	err = run_stub(t, &regs, false);
	if (err)
		return err;
	/* r12 and rax are the stub's own registers: trusted. */
	if ((long)regs.r12 < 0 || (long)regs.r12 > b->count)
		return -EFAULT;
	*last = regs.rax;
	return regs.r12;
}

/* ---- clone, exec, exit ---- */

/*
 * The stub's host clone with CLONE_PTRACE: the child is traced from its
 * first instruction and starts in a trap stop (PTRACE_SEIZE's
 * JOBCTL_TRAP_STOP), which may reach the event loop before the parent's
 * own stop (an orphan stop until the child learns its tid). Returns the
 * child's host tid or -errno.
 */
static long stub_clone(struct task *t, unsigned long host_flags)
{
	unsigned long args[6] = { host_flags | CLONE_PTRACE };
	long ret;

	t->thread.clone_flags = host_flags;
	ret = ptrace_host_call(t, SYS_clone, args, false);
	return ret == 0 ? -EAGAIN : ret;
}

int ptrace_clone(struct task *parent, struct task *child,
		 unsigned long host_flags)
{
	long tid = stub_clone(parent, host_flags);

	if (tid < 0)
		return tid;
	/* The child may have run and even died meanwhile: its host tid is
	 * known from the clone's result, not from the child. */
	clone_child_born(parent, child, tid);
	return 0;
}

/*
 * Replace t's host address space with a fresh stub image: the stub runs
 * execveat of its own sealed memfd (STUB_FD, an empty path: no lookup),
 * its arguments constants of the stub's code page, so the old image's
 * request page is not written (its copy-on-write pages not copied).
 * On return t->regs are the new image's registers at its entry trap.
 */
static int exec_stub_image(struct task *t)
{
	struct user_regs_struct regs;
	int err;

	if (ptrace_get_regs(t) < 0)
		return -ESRCH;
	stub_regs(t, &regs);
	regs.rip = STUB_SYSCALL;
	regs.orig_rax = -1;
	regs.rax = SYS_execveat;
	regs.rdi = STUB_FD;
	regs.rsi = STUB_EXEC_PATH;
	regs.rdx = STUB_EXEC_ARGV;
	regs.r10 = STUB_EXEC_ENVP;
	regs.r8 = AT_EMPTY_PATH;
	t->thread.exec_seen = false;
	err = run_stub(t, &regs, false);
	if (err < 0 || !t->thread.exec_seen)
		return -ESRCH;
	t->thread.exec_seen = false;
	t->regs = regs;
	return 0;
}

/*
 * Kill host process pid (thread tid of it, which t holds) to have its CPU
 * times added to t's process when the event loop reaps it (wait4's
 * rusage, exact and at no cost of its own); reap_wait waits for that. The
 * leader, reaped last, can be reaped only after every thread of it died:
 * the wait cannot miss it.
 */
static void reap_start(struct task *t, int pid, int tid)
{
	t->thread.reap_pid = pid;
	t->thread.reaped = false;
	nr_reap_waiters++;
	os_kill_process(tid);
}

static void reap_wait(struct task *t)
{
	struct thread_struct *th = &t->thread;

	while (th->reap_pid > 0 && !th->reaped)
		schedule_host_wait();
	nr_reap_waiters--;
	th->reap_pid = 0;
}

/*
 * A thread that is not its host process's leader execs: a host execve
 * there would change its host tid under us, so the stub makes a new host
 * process instead (a clone of this one, child of umk), the old process is
 * killed (every other thread of it is already dead: de_thread), and the
 * new one execs a fresh stub image.
 */
static int exec_in_new_process(struct task *t)
{
	int old = t->host_tid, err;
	long tid = stub_clone(t, CLONE_PARENT | SIGCHLD);

	if (tid < 0)
		return tid;
	reap_start(t, t->thread.host_pid, old);
	t->host_tid = tid;
	t->thread.host_pid = t->host_tid;
	t->thread.host_leader = true;	/* the host copied the CPU mask too */
	t->thread.stop_ready = false;
	claim_orphan_stop(t);
	err = ptrace_first_stop(t);
	if (!err && getregs(t) < 0)
		err = -ESRCH;
	if (!err) {
		t->mm->host_pid = t->host_tid;
		mm_drop_mem_fd(t->mm);
		err = exec_stub_image(t);
	}
	reap_wait(t);
	return err;
}

int ptrace_exec(struct task *t, struct mm_struct *new_mm)
{
	int err = t->thread.host_leader ? exec_stub_image(t)
					: exec_in_new_process(t);

	new_mm->host_pid = t->host_tid;
	return err;
}

void ptrace_exit_thread(struct task *t, bool last)
{
	struct user_regs_struct regs;

	if (t->host_tid <= 0)
		return;
	if (last) {
		reap_start(t, t->thread.host_pid, t->host_tid);
		reap_wait(t);
		return;
	}
	/* Another thread lives on: this one runs exit() in the stub. */
	ptrace_get_regs(t);
	stub_regs(t, &regs);
	regs.rip = STUB_SYSCALL;
	regs.rax = SYS_exit;
	regs.rdi = 0;
	regs.orig_rax = -1;
	if (os_ptrace_setregs(t->host_tid, &regs) == 0)
		os_ptrace_resume(t->host_tid, RESUME_CONT, 0);
}

void ptrace_kill_all(void)
{
	struct task *t;

	list_for_each_entry(t, &task_list, tasks)
		if (t->host_tid > 0)
			os_kill_process(t->host_tid);
	if (init_host_pid > 0)
		os_kill_process(init_host_pid);
}

/* ---- the first process ---- */

int ptrace_mode_init(void)
{
	int chan = stub_channel_guest_fd();
	int pid = os_spawn_stub_process(stub_memfd, &chan, 1, NULL, true);

	if (pid < 0)
		return pid;
	init_host_pid = pid;
	return 0;
}

/*
 * Install the guest seccomp filter in the stopped first process: the
 * program goes into the request page with its struct sock_fprog, and the
 * stub runs seccomp(SECCOMP_SET_MODE_FILTER) on it. Every later guest
 * host process descends from this one and inherits the filter.
 */
static int install_guest_filter(struct task *t)
{
	struct stub_batch b = { .count = 1 };
	struct sock_fprog *fprog = (struct sock_fprog *)b.scratch;
	size_t flen = 0;
	const struct sock_filter *prog;
	long last, n;

	prog = os_seccomp_guest_filter(ptrace_filter_allow_getpid, &flen);
	if (!prog)
		return -ENOMEM;
	if (sizeof(*fprog) + 16 + flen * sizeof(*prog) > sizeof(b.scratch))
		return -E2BIG;
	memcpy(b.scratch + 16, prog, flen * sizeof(*prog));
	fprog->len = flen;
	fprog->filter = (struct sock_filter *)(STUB_DATA_ADDR(scratch) + 16);
	b.calls[0].nr = SYS_seccomp;
	b.calls[0].args[0] = SECCOMP_SET_MODE_FILTER;
	b.calls[0].args[1] = 0;
	b.calls[0].args[2] = STUB_DATA_ADDR(scratch);
	n = ptrace_host_batch(t, &b, &last);
	if (n < 0)
		return n;
	return n == 1 ? 0 : last;
}

int ptrace_start_init(struct task *t)
{
	struct host_stop *st;
	int err;

	t->host_tid = init_host_pid;
	t->thread.host_pid = init_host_pid;
	t->thread.host_leader = true;
	t->thread.cpu = -1;
	t->thread.short_runs = HOG_SHORT_RUNS;
	t->mm->host_pid = init_host_pid;
	init_host_pid = 0;
	claim_orphan_stop(t);
	/* PTRACE_EVENT_EXEC of the stub, then its entry trap. */
	st = ptrace_wait_stop(t);
	while (!(st->kind == STOP_SIGNAL && st->sig == SIGTRAP)) {
		if (stop_is_exit(st))
			return -ESRCH;
		os_ptrace_resume(t->host_tid, RESUME_CONT, 0);
		st = ptrace_wait_stop(t);
	}
	t->thread.started = true;
	if (getregs(t) < 0)
		return -ESRCH;
	err = install_guest_filter(t);
	if (err)
		printk(KERN_ERR "umk: cannot install the guest seccomp filter: "
		       "%d\n", err);
	return err;
}
