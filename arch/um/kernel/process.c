/*
 * The life of a guest task on the host: its kernel stack runs task_main(),
 * which waits for the next ptrace stop of its host thread, serves it (a
 * system call, a fault, an interrupt) and resumes guest code through the
 * mode engine. Host system calls the kernel needs inside a task (mmap for
 * exec, clone for fork) run through the stub. Signals are injected with the
 * host's own frame setup. Model: UML arch/um/kernel/skas/process.c
 * (userspace()), arch/um/os-Linux/skas/process.c.
 */
#include <umk/sched.h>
#include <umk/syscalls.h>
#include <umk/kernel.h>
#include <mode.h>
#include <umk/stats.h>
#include <umk/strace.h>
#include <umk/signal_internal.h>
#include <stub.h>
#include <event.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/ptrace.h>
#include <linux/audit.h>
#include <fcntl.h>
#include <asm/prctl.h>

const struct um_mode *um_mode = &skas_mode;

void schedule_host_wait(void);
void wake_up_host_waiter(struct task *t);
void do_exit(long code) __attribute__((noreturn));
void do_group_exit(int exit_code) __attribute__((noreturn));
void exit_host_gone(struct task *t) __attribute__((noreturn));

/* Stops that arrived for host tids no task owns yet (a fork child's first
 * stop can come before its parent's PTRACE_EVENT_FORK). */
#define ORPHAN_MAX 64
static struct {
	int tid;
	struct host_stop stop;
} orphans[ORPHAN_MAX];

static void stash_orphan(int tid, const struct host_stop *st)
{
	for (int i = 0; i < ORPHAN_MAX; i++) {
		if (!orphans[i].tid || orphans[i].tid == tid) {
			orphans[i].tid = tid;
			orphans[i].stop = *st;
			return;
		}
	}
	printk(KERN_WARNING "umk: orphan stop table full, tid %d\n", tid);
}

/* Attach a stop that arrived before t knew its host tid. */
void claim_orphan_stop(struct task *t)
{
	for (int i = 0; i < ORPHAN_MAX; i++) {
		if (orphans[i].tid == t->host_tid) {
			t->stop = orphans[i].stop;
			t->stop_ready = true;
			orphans[i].tid = 0;
			return;
		}
	}
}

/* The event loop reaped a wait status for host tid. */
void host_stop_arrived(int tid, const struct host_stop *st)
{
	struct task *t = find_task_by_host_tid(tid);

	if (!t) {
		if (st->kind != STOP_EXITED && st->kind != STOP_KILLED)
			stash_orphan(tid, st);
		return;
	}
	t->stop = *st;
	t->stop_ready = true;
	t->guest_running = false;
	if (st->kind == STOP_EXITED || st->kind == STOP_KILLED)
		t->host_tid = -t->host_tid;	/* gone: keep it for messages */
	wake_up_host_waiter(t);
}

struct host_stop *wait_host_stop(struct task *t)
{
	while (!t->stop_ready)
		schedule_host_wait();
	t->stop_ready = false;
	t->guest_running = false;
	umk_stats.ptrace_stops++;
	t->stops_cur++;
	if (t->stop.kind == STOP_GROUP)
		t->interrupted = false;
	return &t->stop;
}

struct host_stop *wait_host_stop_resume(struct task *t, enum resume_req req)
{
	for (;;) {
		struct host_stop *st = wait_host_stop(t);

		if (st->kind != STOP_GROUP)
			return st;
		/* A PTRACE_INTERRUPT that arrived late: step over it. */
		if (os_ptrace_resume(t->host_tid, req, 0) < 0)
			return st;
	}
}

int task_getregs(struct task *t)
{
	t->regs_partial = false;
	return os_ptrace_getregs(t->host_tid, &t->regs);
}

int task_regs_full(struct task *t)
{
	struct user_regs_struct r;

	if (!t->regs_partial)
		return 0;
	if (os_ptrace_getregs(t->host_tid, &r) < 0)
		return -ESRCH;
	/* rax, rip and orig_rax may have been changed by the handler. */
	r.rax = t->regs.rax;
	r.rip = t->regs.rip;
	r.orig_rax = t->regs.orig_rax;
	t->regs = r;
	t->regs_partial = false;
	return 0;
}

#define REG_OFF(f) offsetof(struct user_regs_struct, f)

int task_setregs(struct task *t)
{
	int tid = t->host_tid;

	if (!t->regs_partial)
		return os_ptrace_setregs(tid, &t->regs);
	/* Only rax, rip and orig_rax can differ from the host's copy. */
	if (t->regs.rax != t->snap_rax) {
		if (os_ptrace_pokeuser(tid, REG_OFF(rax), t->regs.rax) < 0)
			return -ESRCH;
		t->snap_rax = t->regs.rax;
	}
	if (t->regs.rip != t->snap_rip) {
		if (os_ptrace_pokeuser(tid, REG_OFF(rip), t->regs.rip) < 0)
			return -ESRCH;
		t->snap_rip = t->regs.rip;
	}
	if (t->regs.orig_rax != t->snap_orig_rax) {
		if (os_ptrace_pokeuser(tid, REG_OFF(orig_rax),
				       t->regs.orig_rax) < 0)
			return -ESRCH;
		t->snap_orig_rax = t->regs.orig_rax;
	}
	return 0;
}

/*
 * Let the stub run from regs until it traps back (int3 inside the stub).
 * Ptrace events on the way (fork/clone/exec) are recorded: a new child's
 * host tid goes to t->clone_child_tid. Returns 0, or -ESRCH when the host
 * thread died.
 */
static int run_stub_flags(struct task *t, struct user_regs_struct *regs,
			  bool interruptible)
{
	struct host_stop *st;
	int sig = 0;

	if (os_ptrace_setregs(t->host_tid, regs) < 0)
		return -ESRCH;
	umk_stats.stub_calls++;
	for (;;) {
		if (os_ptrace_resume(t->host_tid, RESUME_CONT, sig) < 0)
			return -ESRCH;
		sig = 0;
		t->guest_running = interruptible;
		st = wait_host_stop(t);
		switch (st->kind) {
		case STOP_EXITED:
		case STOP_KILLED:
			return -ESRCH;
		case STOP_EVENT:
			if (st->event == PTRACE_EVENT_FORK ||
			    st->event == PTRACE_EVENT_VFORK ||
			    st->event == PTRACE_EVENT_CLONE) {
				unsigned long msg = 0;

				os_ptrace_geteventmsg(t->host_tid, &msg);
				t->clone_child_tid = msg;
				if (t->clone_hook)
					t->clone_hook(t, msg);
			} else if (st->event == PTRACE_EVENT_EXEC) {
				unsigned long old = 0;

				os_ptrace_geteventmsg(t->host_tid, &old);
				t->exec_seen = true;
			}
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
			 * A sleeping call (futex wait) gives up for it; the
			 * host has already rewound it for a restart. */
			if (interruptible && signal_pending(t))
				return -EINTR;
			continue;
		default:
			continue;
		}
	}
}

static int run_stub(struct task *t, struct user_regs_struct *regs)
{
	return run_stub_flags(t, regs, false);
}

static long __host_syscall(struct task *t, bool interruptible, long nr,
			   long a0, long a1, long a2, long a3, long a4, long a5)
{
	struct user_regs_struct regs;
	int err;

	if (task_regs_full(t) < 0)
		return -ESRCH;
	regs = t->regs;
	regs.rip = STUB_SYSCALL;
	regs.rax = nr;
	regs.orig_rax = -1;
	regs.rdi = a0;
	regs.rsi = a1;
	regs.rdx = a2;
	regs.r10 = a3;
	regs.r8 = a4;
	regs.r9 = a5;
	err = run_stub_flags(t, &regs, interruptible);
	if (err == -EINTR) {
		t->at_signal_stop = false;
		err = os_ptrace_setregs(t->host_tid, &t->regs);
		return err ? err : -ERESTARTSYS;
	}
	if (err)
		return err;
	t->at_signal_stop = true;
	if (t->exec_seen)
		return 0;
	err = os_ptrace_setregs(t->host_tid, &t->regs);
	return err ? err : (long)regs.rax;
}

long host_syscall(struct task *t, long nr, long a0, long a1, long a2,
		  long a3, long a4, long a5)
{
	return __host_syscall(t, false, nr, a0, a1, a2, a3, a4, a5);
}

long host_syscall_interruptible(struct task *t, long nr, long a0, long a1,
				long a2, long a3, long a4, long a5)
{
	return __host_syscall(t, true, nr, a0, a1, a2, a3, a4, a5);
}

long host_batch(struct task *t, struct stub_batch *batch)
{
	struct user_regs_struct regs;
	size_t len = offsetof(struct stub_batch, calls) +
		     batch->count * sizeof(batch->calls[0]);
	long err;

	if (task_regs_full(t) < 0)
		return -ESRCH;
	regs = t->regs;
	if (os_vm_write(t->host_tid, STUB_DATA, batch, len) != (long)len ||
	    os_vm_write(t->host_tid, STUB_DATA + offsetof(struct stub_batch,
			scratch), batch->scratch, sizeof(batch->scratch)) !=
	    sizeof(batch->scratch))
		return -EFAULT;
	regs.rip = STUB_BATCH;
	regs.orig_rax = -1;
	err = run_stub(t, &regs);
	if (err)
		return err;
	t->at_signal_stop = true;
	if (os_vm_read(t->host_tid, STUB_DATA, batch, len) != (long)len)
		return -EFAULT;
	err = os_ptrace_setregs(t->host_tid, &t->regs);
	return err ? err : batch->done;
}

int finish_guest_syscall(struct task *t)
{
	struct host_stop *st;

	if (os_ptrace_resume(t->host_tid, RESUME_SYSCALL, 0) < 0)
		return -ESRCH;
	st = wait_host_stop_resume(t, RESUME_SYSCALL);
	if (st->kind != STOP_SYSCALL || task_getregs(t) < 0)
		return -ESRCH;
	t->at_signal_stop = false;
	return 0;
}

int rerun_guest_syscall(struct task *t)
{
	struct host_stop *st;

	t->regs.rip -= 2;
	t->regs.rax = t->regs.orig_rax;
	if (task_setregs(t) < 0 ||
	    os_ptrace_resume(t->host_tid, RESUME_SYSCALL, 0) < 0)
		return -ESRCH;
	st = wait_host_stop_resume(t, RESUME_SYSCALL);	/* its entry */
	if (st->kind != STOP_SYSCALL)
		return -ESRCH;
	return finish_guest_syscall(t);
}

/* Serve one system call stop. Returns false when the mode consumed the
 * stop itself and guest code just resumes. */
static bool handle_syscall(struct task *t)
{
	struct syscall_entry_info info;
	unsigned long args[6];
	long ret;

	if (os_ptrace_syscall_entry(t->host_tid, &info) < 0)
		exit_host_gone(t);
	t->regs.orig_rax = info.nr;
	t->regs.rdi = args[0] = info.args[0];
	t->regs.rsi = args[1] = info.args[1];
	t->regs.rdx = args[2] = info.args[2];
	t->regs.r10 = args[3] = info.args[3];
	t->regs.r8 = args[4] = info.args[4];
	t->regs.r9 = args[5] = info.args[5];
	t->regs.rip = info.ip;
	t->regs.rsp = info.sp;
	t->regs.rax = -ENOSYS;
	t->regs_partial = true;
	t->snap_rax = -ENOSYS;
	t->snap_rip = info.ip;
	t->snap_orig_rax = info.nr;
	if (!um_mode->syscall_entry(t))
		return false;
	t->in_syscall = true;
	t->syscall_nr = info.nr;
	t->stops_cur = 1;
	umk_stats.syscalls++;
	if (info.arch != AUDIT_ARCH_X86_64 || (info.nr & 0x40000000)) {
		/* i386 int $0x80 or x32: never served as an x86-64 call. */
		ret = -ENOSYS;
	} else {
		if (strace_enabled)
			strace_enter(t, t->syscall_nr, args);
		ret = do_syscall(t->syscall_nr, args);
		if (strace_enabled)
			strace_exit(t, ret);
		t->restarting = false;
	}
	t->regs.rax = ret;
	return true;
}

/* A signal-delivery stop that the host raised for guest code. */
static void handle_host_signal(struct task *t, int sig)
{
	siginfo_t info;

	switch (sig) {
	case SIGSEGV: case SIGBUS: case SIGILL: case SIGFPE:
	case SIGTRAP: case SIGSYS:
		if (task_getregs(t) < 0)
			exit_host_gone(t);
		memset(&info, 0, sizeof(info));
		os_ptrace_getsiginfo(t->host_tid, &info);
		t->at_signal_stop = true;
		force_sig_fault(t, sig, &info);
		break;
	default:
		/* Host signals that are not faults of the guest (job control
		 * of the host, stray kills) are not the guest's business. */
		if (task_getregs(t) < 0)
			exit_host_gone(t);
		t->at_signal_stop = true;
		break;
	}
}

void return_to_user(struct task *t)
{
	struct ksignal ks;
	bool deliver = get_signal(t, &ks);
	long nr = t->in_syscall ? t->syscall_nr : -1;

	if (t->in_syscall)
		syscall_restart_fixup(t, deliver ? &ks.ka : NULL);
	if (t->in_syscall) {
		t->in_syscall = false;
		if (um_mode->syscall_finish(t) < 0)
			exit_host_gone(t);
	} else if (task_setregs(t) < 0) {
		exit_host_gone(t);
	}
	if (deliver)
		inject_signal(t, &ks);
	if (nr >= 0 && nr < STATS_NR_MAX) {
		umk_stats.nr_calls[nr]++;
		umk_stats.nr_stops[nr] += t->stops_cur;
	}
	t->at_signal_stop = false;
	if (os_ptrace_resume(t->host_tid, um_mode->resume, 0) < 0)
		exit_host_gone(t);
	t->guest_running = true;
}

/* The kernel stack of every task starts here, its host thread stopped. */
void task_main(struct task *t)
{
	for (;;) {
		struct host_stop *st = wait_host_stop(t);

		switch (st->kind) {
		case STOP_SYSCALL:
			if (!handle_syscall(t)) {
				if (os_ptrace_resume(t->host_tid, um_mode->resume,
						     0) < 0)
					exit_host_gone(t);
				continue;
			}
			break;
		case STOP_SIGNAL:
			handle_host_signal(t, st->sig);
			break;
		case STOP_GROUP:
		case STOP_EVENT:
			if (task_getregs(t) < 0)
				exit_host_gone(t);
			break;
		case STOP_EXITED:
		case STOP_KILLED:
		default:
			exit_host_gone(t);
		}
		return_to_user(t);
	}
}

/* Called from the event loop when SIGCHLD says tracees changed state. */
void reap_host_stops(void)
{
	struct host_stop st;
	int tid;

	while ((tid = os_wait_any(&st)) > 0)
		host_stop_arrived(tid, &st);
}

/*
 * Replace the current task's host address space with a fresh stub image
 * (execveat of the stub memfd, run by the stub itself). On return t->regs
 * are the new stub's registers, stopped at its entry trap. 0 or -ESRCH.
 */
int host_exec_stub(struct task *t)
{
	struct stub_batch b = { .count = 1 };
	unsigned long scratch = STUB_DATA + offsetof(struct stub_batch, scratch);
	unsigned long argv[2] = { scratch + 8, 0 };
	struct user_regs_struct regs;
	size_t len = offsetof(struct stub_batch, calls) + sizeof(b.calls[0]);

	if (task_regs_full(t) < 0)
		return -ESRCH;
	regs = t->regs;
	strcpy(b.scratch + 8, "umk-stub");
	memcpy(b.scratch + 32, argv, sizeof(argv));
	b.calls[0].nr = SYS_execveat;
	b.calls[0].args[0] = STUB_FD;
	b.calls[0].args[1] = scratch;		/* "" */
	b.calls[0].args[2] = scratch + 32;	/* argv */
	b.calls[0].args[3] = scratch + 40;	/* envp: { NULL } */
	b.calls[0].args[4] = AT_EMPTY_PATH;
	if (os_vm_write(t->host_tid, STUB_DATA, &b, len) != (long)len ||
	    os_vm_write(t->host_tid, scratch, b.scratch, 64) != 64)
		return -ESRCH;
	regs.rip = STUB_BATCH;
	regs.orig_rax = -1;
	t->exec_seen = false;
	if (run_stub(t, &regs) < 0 || !t->exec_seen)
		return -ESRCH;
	t->exec_seen = false;
	t->at_signal_stop = true;
	t->regs = regs;
	return 0;
}

/* arch_prctl(2): the TLS bases live in the saved registers and reach the
 * host thread with them at the return to guest code. */
SYSCALL_DEFINE2(arch_prctl, int, code, unsigned long, addr)
{
	struct task *t = current;

	if (task_regs_full(t) < 0)
		return -ESRCH;
	switch (code) {
	case ARCH_SET_FS:
		if (addr >= 0x800000000000UL)
			return -EPERM;
		t->regs.fs_base = addr;
		return 0;
	case ARCH_SET_GS:
		if (addr >= 0x800000000000UL)
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
