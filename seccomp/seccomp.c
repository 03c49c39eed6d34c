/*
 * seccomp mode: guest system calls without a ptrace stop. Every guest host
 * process runs under a filter whose default action, SECCOMP_RET_TRAP, puts
 * a guest syscall (and any fault) into the stub's SIGSYS handler, on the
 * thread's slot stack in memory umk shares (arch/um/include/stub_seccomp.h).
 * The handler posts the frame's place in its slot, wakes umk if it sleeps
 * (the doorbell eventfd in the event loop), and sleeps on the slot until
 * umk has read the registers from the frame, served the call, written the
 * result (or a whole new register set: a signal handler, a sigreturn) into
 * the frame, and answered. Nothing crosses a CPU when both sides spin.
 *
 * Host calls the kernel needs in a process (mmap, clone, exec of a fresh
 * image) run on that process's service thread, which executes commands
 * from a page that is read-only to the guest, in a loop that uses no stack,
 * and which no guest code ever runs on. Guest threads each carry a second
 * filter that allows them only the handler's own calls, so a guest that
 * jumps into the stub can sleep, wake umk, return from its own frame or end
 * its own thread, and nothing else. umk is the host parent of every guest
 * process; ptrace is not used at all.
 *
 * What a guest can write in the shared memory (its slots, its frames, the
 * service replies) is read once, checked and used only for that guest's own
 * process: a slot answers only to the task umk bound it to, and a process
 * that reports nonsense is killed.
 * Models: UML's seccomp mode (Linux 6.16 arch/um/kernel/skas/stub.c,
 * os-Linux/skas/process.c), gVisor's systrap platform (sysmsg, the syscall
 * thread); docs/modes.md, "seccomp mode", has the picture.
 */
#include <umk/sched.h>
#include <umk/signal_internal.h>
#include <umk/stats.h>
#include <mode.h>
#include <stub.h>
#include <stub_seccomp.h>
#include <event.h>
#include <os.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <signal.h>
#include <sys/ucontext.h>
#include <sched.h>
#include <sys/syscall.h>
#include <linux/audit.h>
#include <linux/filter.h>

/* One address space's region, as umk maps it (mm->mode_priv). */
struct sc_mm {
	int memfd;
	char *map;				/* STUB_REGION_SIZE bytes */
	uint64_t slots[SC_SLOTS / 64];		/* slots handed out */
	int svc_pid[SC_SVC_MAX];		/* host process per service */
	bool svc_dying[SC_SVC_MAX];		/* killed, not yet reaped */
	uint32_t svc_seq[SC_SVC_MAX];
	struct mutex svc_lock[SC_SVC_MAX];	/* one command at a time */
};

static struct sc_global *global;	/* umk's mapping of the global page */
static int global_fd = -1, doorbell_fd = -1;
static int init_pid;			/* the first process, made at boot */
static bool multi_cpu;
static LIST_HEAD(waiters);		/* tasks waiting for their host side */
/* The guest host processes umk made and has not reaped yet. */
static int *known_pids;
static int nr_known, max_known;

enum {
	W_SLOT,		/* its slot has a request */
	W_SVC,		/* service sc_wait_arg of its scm finished */
	W_REGION,	/* retried at every doorbell: a process's new region */
	W_EXEC,		/* the same, or the exec command (seq arg) failed */
};

#define SPIN_NS 20000			/* how long the idle loop spins */
#define SPIN_BACKOFF_MAX 8		/* skip at most 2^8 idle waits */
/* Adaptive spinning (as an adaptive mutex): a spin that found nothing
 * means the guest thinks long, or shares umk's CPU (then every spin only
 * delays it). After such a spin the next 2^spin_fails idle waits sleep at
 * once, and so do the stubs, until a spin finds a request again. */
static unsigned int spin_fails, spin_skip;
/* A stub spins about STUB_SPIN_NS for umk's answer: a call umk answers at
 * once takes 1-2 us; one that sleeps in the kernel must not keep a CPU
 * from the other guest threads for long. The pause instruction's cost
 * varies by CPU model (10 to 140 cycles), so it is measured at boot. */
#define STUB_SPIN_NS 5000
static uint32_t stub_spin_rounds;

/* How many pause instructions take about ns nanoseconds here. */
static uint32_t pause_rounds(uint64_t ns)
{
	uint64_t start, took;
	const uint32_t n = 20000;

	start = os_monotonic_ns();
	for (uint32_t i = 0; i < n; i++)
		__builtin_ia32_pause();
	took = os_monotonic_ns() - start;
	if (!took)
		took = 1;
	return min(ns * n / took, (uint64_t)1000000);
}
#define UC_GREGS 40			/* offsetof(ucontext_t, uc_mcontext) */
#define UC_FPREGS (UC_GREGS + 23 * 8)
#define UC_SIGMASK (UC_FPREGS + 8 + 64)
#define UC_SIZE (UC_SIGMASK + 8)
#define SI_SIZE 128


static inline uint32_t load32(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void store32(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* ---- the region ---- */

static struct sc_slot *slot_of(struct sc_mm *scm, int k)
{
	return (struct sc_slot *)(scm->map + (SC_SLOT_BASE - STUB_REGION) +
				  k * SC_SLOT_SIZE);
}

static struct sc_svc_cmd *cmd_of(struct sc_mm *scm, int j)
{
	return &((struct sc_ctl *)scm->map)->svc[j];
}

static struct sc_svc_reply *reply_of(struct sc_mm *scm, int j)
{
	return &((struct sc_reply *)(scm->map + 0x8000))->svc[j];
}

/* Guest address of a place in the region. */
static unsigned long region_addr(struct sc_mm *scm, const void *p)
{
	return STUB_REGION + ((const char *)p - scm->map);
}

static void scm_free(struct sc_mm *scm)
{
	if (!scm)
		return;
	os_unmap(scm->map, STUB_REGION_SIZE);
	os_close(scm->memfd);
	kfree(scm);
}

/*
 * Take host process pid's region (its STUB_REGION_FD, which it made itself)
 * once it is there: not the region it had before (old, or -1), of the right
 * size, and marked ready by its service thread. NULL while it is not.
 */
static struct sc_mm *try_attach(int pid, int old)
{
	int fd = os_fd_of_process(pid, STUB_REGION_FD);
	struct sc_mm *scm;

	if (fd < 0)
		return NULL;
	if ((old >= 0 && os_same_file(old, getpid(), fd) == 1) ||
	    os_file_size(fd) != (long long)STUB_REGION_SIZE)
		goto out_close;
	scm = kzalloc(sizeof(*scm));
	if (!scm)
		goto out_close;
	scm->memfd = fd;
	scm->map = os_map_shared(fd, STUB_REGION_SIZE);
	if (!scm->map || !load32(&reply_of(scm, 0)->ready)) {
		if (scm->map)
			os_unmap(scm->map, STUB_REGION_SIZE);
		kfree(scm);
		goto out_close;
	}
	for (int j = 0; j < SC_SVC_MAX; j++)
		mutex_init(&scm->svc_lock[j]);
	scm->svc_pid[0] = pid;
	return scm;
out_close:
	os_close(fd);
	return NULL;
}

static int alloc_slot(struct sc_mm *scm)
{
	for (int k = 0; k < SC_SLOTS; k++) {
		if (scm->slots[k / 64] & (1ULL << (k % 64)))
			continue;
		/* A slot is free again once its last thread is gone: the host
		 * cleared the tid (CLONE_CHILD_CLEARTID). */
		if (load32(&slot_of(scm, k)->tid))
			continue;
		scm->slots[k / 64] |= 1ULL << (k % 64);
		return k;
	}
	return -EAGAIN;
}

static void free_slot(struct sc_mm *scm, int k)
{
	if (scm && k >= 0)
		scm->slots[k / 64] &= ~(1ULL << (k % 64));
}

static int alloc_svc(struct sc_mm *scm)
{
	for (int j = 1; j < SC_SVC_MAX; j++)
		if (!scm->svc_pid[j])
			return j;
	return -EAGAIN;
}

/* ---- waiting for the host side ---- */

/* Has what t waits for come (or the host process it waits on died)? */
static bool wait_done(struct task *t)
{
	struct thread_struct *th = &t->thread;

	if (th->sc_dead || th->sc_wait_gone)
		return true;
	switch (th->sc_wait_kind) {
	case W_SLOT:
		return load32(&slot_of(th->scm, th->slot)->state) == SC_REQ;
	case W_SVC:
	case W_EXEC:
		return load32(&reply_of(th->scm, th->svc)->done) ==
		       th->sc_wait_arg;
	default:
		return false;	/* W_REGION: only a doorbell tells */
	}
}

/* Wake every waiter whose event came; true if any. */
static bool scan_waiters(bool all)
{
	struct thread_struct *th, *n;
	bool woke = false;

	list_for_each_entry_safe(th, n, &waiters, sc_wait) {
		struct task *t = container_of(th, struct task, thread);

		if (!all && !wait_done(t))
			continue;
		list_del_init(&th->sc_wait);
		wake_up_host_waiter(th->sc_waiter);
		woke = true;
	}
	return woke;
}

/*
 * Sleep current until kind's event for t (arg: a command's seq), or until
 * host process pid dies. Current is t, or t's tracer waiting for t's first
 * trap to read its registers (t is stopped in the kernel then): the wake-up
 * goes to current. W_REGION and W_EXEC return at the next doorbell too:
 * their caller looks again. 0, or -ESRCH when pid (or t's own process) is
 * gone.
 */
static int sc_wait(struct task *t, int kind, uint32_t arg, int pid)
{
	struct thread_struct *th = &t->thread;

	th->sc_waiter = current;
	th->sc_wait_kind = kind;
	th->sc_wait_arg = arg;
	th->sc_wait_pid = pid;
	th->sc_wait_gone = false;
	while (!wait_done(t)) {
		list_add_tail(&th->sc_wait, &waiters);
		schedule_host_wait();
		list_del_init(&th->sc_wait);
		if (kind == W_REGION || kind == W_EXEC)
			break;
	}
	t->stops_cur++;
	return th->sc_dead || th->sc_wait_gone ? -ESRCH : 0;
}

/*
 * No service or thread slot of scm is free, but a process of it that umk
 * killed may still be dying in the host (on a busy host that takes a
 * while, and its slots are free only once it is gone): wait for it. 0 to
 * try again; -EAGAIN when none is dying; -ESRCH when t's own process died.
 */
static int wait_dying(struct task *t, struct sc_mm *scm)
{
	int pid = 0;

	for (int j = 1; j < SC_SVC_MAX && !pid; j++)
		if (scm->svc_pid[j] && scm->svc_dying[j])
			pid = scm->svc_pid[j];
	if (!pid)
		return -EAGAIN;
	sc_wait(t, W_REGION, 0, pid);
	return t->thread.sc_dead ? -ESRCH : 0;
}

/*
 * Current waits until host process pid has made its region (not old's).
 * For an exec, fail_seq is the exec command on current's service: its
 * completion means the exec failed. NULL if pid died or the exec failed.
 */
static struct sc_mm *wait_region(struct task *t, int pid, int old,
				 uint32_t fail_seq)
{
	struct sc_mm *scm;

	while (!(scm = try_attach(pid, old))) {
		if (sc_wait(t, fail_seq ? W_EXEC : W_REGION, fail_seq, pid) < 0)
			return NULL;
		if (fail_seq && wait_done(t))
			return try_attach(pid, old);	/* failed, or raced */
	}
	return scm;
}

/* ---- service calls ---- */

/*
 * Run calls[0..n) on service thread j of scm, current (t) sleeping
 * meanwhile. Returns how many succeeded, the last result in *last: the
 * service's report, which its guest could have rewritten, so callers check
 * what matters. -ESRCH if the process is gone.
 */
static long svc_call(struct task *t, struct sc_mm *scm, int j,
		     const struct stub_syscall *calls, int n, long *last)
{
	struct sc_svc_cmd *cmd = cmd_of(scm, j);
	struct sc_svc_reply *rep = reply_of(scm, j);
	struct sc_mm *saved_scm = t->thread.scm;
	int saved_svc = t->thread.svc;
	uint32_t seq;
	long done;

	if (n < 1 || n > SC_SVC_CALLS)
		return -EINVAL;
	mutex_lock(&scm->svc_lock[j]);
	store32(&cmd->seq, 0);		/* being rewritten: never mixed */
	memcpy(cmd->calls, calls, n * sizeof(*calls));
	cmd->count = n;
	seq = ++scm->svc_seq[j];
	if (!seq)
		seq = ++scm->svc_seq[j];
	store32(&cmd->seq, seq);
	os_futex_wake(&cmd->seq);
	umk_stats.stub_calls++;
	t->thread.scm = scm;
	t->thread.svc = j;
	done = sc_wait(t, W_SVC, seq, scm->svc_pid[j]);
	t->thread.scm = saved_scm;
	t->thread.svc = saved_svc;
	if (!done) {
		done = rep->index;
		*last = rep->last;
		if (done < 0 || done > n)
			done = -EFAULT;
	}
	mutex_unlock(&scm->svc_lock[j]);
	return done;
}

static long svc_call1(struct task *t, struct sc_mm *scm, int j, long nr,
		      const unsigned long args[6])
{
	struct stub_syscall c = { .nr = nr };
	long last = 0, n;

	memcpy(c.args, args, sizeof(c.args));
	n = svc_call(t, scm, j, &c, 1, &last);
	if (n < 0)
		return n;
	return last;
}

/* ---- frames ---- */

static char *slot_base(struct sc_mm *scm, int k)
{
	return (char *)slot_of(scm, k);
}

/* The pending frame of t's slot, checked to lie in its stack. */
static int take_frame(struct task *t)
{
	struct thread_struct *th = &t->thread;
	struct sc_slot *s = slot_of(th->scm, th->slot);
	uint32_t uc = s->uc_off, info = s->info_off;

	if (uc < SC_SLOT_HDR || uc > SC_SLOT_SIZE - UC_SIZE ||
	    info < SC_SLOT_HDR || info > SC_SLOT_SIZE - SI_SIZE)
		return -EFAULT;
	th->sc_uc = uc;
	return 0;
}

static uint64_t *gregs_of(struct task *t)
{
	return (uint64_t *)(slot_base(t->thread.scm, t->thread.slot) +
			    t->thread.sc_uc + UC_GREGS);
}

/* The frame's xstate area in umk's mapping, or NULL if it is not wholly
 * inside the slot's stack. */
static unsigned char *fpstate_of(struct task *t, size_t len)
{
	struct thread_struct *th = &t->thread;
	uint64_t fp;
	unsigned long lo = region_addr(th->scm, slot_base(th->scm, th->slot)) +
			   SC_SLOT_HDR;

	memcpy(&fp, slot_base(th->scm, th->slot) + th->sc_uc + UC_FPREGS, 8);
	if (fp < lo || fp + len + 4 > lo + (SC_SLOT_SIZE - SC_SLOT_HDR))
		return NULL;
	return (unsigned char *)slot_base(th->scm, th->slot) + (fp - lo) +
	       SC_SLOT_HDR;
}

static void regs_from_frame(struct task *t)
{
	const uint64_t *g = gregs_of(t);
	struct sc_slot *s = slot_of(t->thread.scm, t->thread.slot);
	struct user_regs_struct *r = &t->regs;
	uint64_t csgsfs = g[REG_CSGSFS];

	r->r8 = g[REG_R8]; r->r9 = g[REG_R9]; r->r10 = g[REG_R10];
	r->r11 = g[REG_R11]; r->r12 = g[REG_R12]; r->r13 = g[REG_R13];
	r->r14 = g[REG_R14]; r->r15 = g[REG_R15]; r->rdi = g[REG_RDI];
	r->rsi = g[REG_RSI]; r->rbp = g[REG_RBP]; r->rbx = g[REG_RBX];
	r->rdx = g[REG_RDX]; r->rax = g[REG_RAX]; r->rcx = g[REG_RCX];
	r->rsp = g[REG_RSP]; r->rip = g[REG_RIP]; r->eflags = g[REG_EFL];
	r->cs = csgsfs & 0xffff;
	r->ss = csgsfs >> 48;
	r->fs_base = t->thread.sc_fs = s->fs_base;
	r->gs_base = t->thread.sc_gs = s->gs_base;
}

static void regs_to_frame(struct task *t)
{
	uint64_t *g = gregs_of(t);
	const struct user_regs_struct *r = &t->regs;
	uint64_t none = 0;

	g[REG_R8] = r->r8; g[REG_R9] = r->r9; g[REG_R10] = r->r10;
	g[REG_R11] = r->r11; g[REG_R12] = r->r12; g[REG_R13] = r->r13;
	g[REG_R14] = r->r14; g[REG_R15] = r->r15; g[REG_RDI] = r->rdi;
	g[REG_RSI] = r->rsi; g[REG_RBP] = r->rbp; g[REG_RBX] = r->rbx;
	g[REG_RDX] = r->rdx; g[REG_RAX] = r->rax; g[REG_RCX] = r->rcx;
	g[REG_RSP] = r->rsp; g[REG_RIP] = r->rip; g[REG_EFL] = r->eflags;
	g[REG_CSGSFS] = (r->cs & 0xffff) | ((uint64_t)(r->ss & 0xffff) << 48);
	/* Guest code runs with no host signal blocked, whatever a frame it
	 * forged said. */
	memcpy(slot_base(t->thread.scm, t->thread.slot) + t->thread.sc_uc +
	       UC_SIGMASK, &none, 8);
}

/* ---- one request and its answer ---- */

static void kill_process(struct task *t, const char *why)
{
	printk(KERN_WARNING "umk: %s[%d]: %s; killing it\n", t->comm, t->pid,
	       why);
	if (t->thread.sc_pid > 0)
		os_kill_process(t->thread.sc_pid);
}

/* Wait for t's thread to post a request; its frame is then t's. */
static int await_request(struct task *t)
{
	struct thread_struct *th = &t->thread;

	th->guest_running = !th->sc_hostcall;
	if (sc_wait(t, W_SLOT, 0, th->sc_pid) < 0) {
		th->guest_running = false;
		return -ESRCH;
	}
	th->guest_running = false;
	th->sc_pending = true;
	umk_stats.seccomp_traps++;
	if (take_frame(t) < 0) {
		kill_process(t, "its stub reported a frame outside its stack");
		th->sc_dead = true;
		return -ESRCH;
	}
	return 0;
}

/* Answer t's pending request with action. */
static void answer(struct task *t, uint32_t action)
{
	struct thread_struct *th = &t->thread;
	struct sc_slot *s = slot_of(th->scm, th->slot);

	s->action = action;
	s->sync = 0;
	if (t->regs.fs_base != th->sc_fs) {
		s->sync |= SC_SYNC_FS;
		s->new_fs = th->sc_fs = t->regs.fs_base;
	}
	if (t->regs.gs_base != th->sc_gs) {
		s->sync |= SC_SYNC_GS;
		s->new_gs = th->sc_gs = t->regs.gs_base;
	}
	th->sc_pending = false;
	store32(&s->state, SC_RESP);
	os_futex_wake(&s->state);
}

static void decode(struct task *t, struct um_event *ev)
{
	struct thread_struct *th = &t->thread;
	struct sc_slot *s = slot_of(th->scm, th->slot);
	const char *info = slot_base(th->scm, th->slot) + s->info_off;
	int sig = s->sig;

	memset(ev, 0, sizeof(*ev));
	regs_from_frame(t);
	t->regs.orig_rax = -1;
	if (sig == SIGSYS) {
		int32_t nr;
		uint32_t arch;

		memcpy(&nr, info + 24, 4);	/* si_syscall */
		memcpy(&arch, info + 28, 4);	/* si_arch */
		ev->kind = UM_EV_SYSCALL;
		ev->nr = nr;
		ev->compat = arch != AUDIT_ARCH_X86_64 || (nr & 0x40000000);
		ev->args[0] = t->regs.rdi;
		ev->args[1] = t->regs.rsi;
		ev->args[2] = t->regs.rdx;
		ev->args[3] = t->regs.r10;
		ev->args[4] = t->regs.r8;
		ev->args[5] = t->regs.r9;
		t->regs.orig_rax = nr;
		t->regs.rax = -ENOSYS;
	} else if (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL ||
		   sig == SIGFPE || sig == SIGTRAP) {
		ev->kind = UM_EV_FAULT;
		ev->sig = sig;
		memcpy(&ev->info, info, sizeof(ev->info));
	} else {
		ev->kind = UM_EV_INTERRUPT;
	}
}

/* A new thread that has not run yet: take its first trap now, so its
 * frame is there to hold what the kernel sets up (a signal before its
 * first instruction). t->regs stay the registers it will start with. */
static int ensure_started(struct task *t)
{
	if (t->thread.started)
		return 0;
	if (await_request(t) < 0)
		return -ESRCH;
	t->thread.started = true;
	return 0;
}

static void sc_run(struct task *t, struct um_event *ev)
{
	struct thread_struct *th = &t->thread;

	if (ensure_started(t) < 0)	/* a new thread: its first trap */
		goto gone;
	if (th->sc_pending) {
		regs_to_frame(t);
		answer(t, SC_A_RESUME);
	}
	if (await_request(t) < 0)
		goto gone;
	decode(t, ev);
	return;
gone:
	memset(ev, 0, sizeof(*ev));
	ev->kind = UM_EV_EXIT;
	ev->exit_sig = th->sc_exit_sig ? th->sc_exit_sig : SIGKILL;
}

static int sc_get_regs(struct task *t)
{
	return ensure_started(t);	/* a frame holds them all */
}

static int sc_get_fpregs(struct task *t, void *buf, size_t len)
{
	unsigned char *fp;

	if (ensure_started(t) < 0)
		return -ESRCH;
	fp = t->thread.sc_pending ? fpstate_of(t, len) : NULL;

	if (!fp)
		return -EFAULT;
	memcpy(buf, fp, len);
	return 0;
}

/* The host checks what rt_sigreturn loads from a frame as XRSTOR does
 * (a bad header or MXCSR is SIGSEGV): umk must check what it writes. */
static bool xstate_valid(const unsigned char *buf, size_t len)
{
	static uint32_t mxcsr_mask;
	uint64_t bv, comp, rsvd[6], xcr0;
	uint32_t mxcsr, lo, hi;

	if (!mxcsr_mask) {
		unsigned char fx[512] __attribute__((aligned(64)));

		asm volatile("fxsave %0" : "=m"(fx));
		memcpy(&mxcsr_mask, fx + 28, 4);
		if (!mxcsr_mask)
			mxcsr_mask = 0xffbf;
	}
	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	xcr0 = ((uint64_t)hi << 32) | lo;
	memcpy(&mxcsr, buf + 24, 4);
	memcpy(&bv, buf + 512, 8);
	memcpy(&comp, buf + 520, 8);
	memcpy(rsvd, buf + 528, sizeof(rsvd));
	for (int i = 0; i < 6; i++)
		if (rsvd[i])
			return false;
	return len >= 576 && !(mxcsr & ~mxcsr_mask) && !comp && !(bv & ~xcr0);
}

static int sc_set_fpregs(struct task *t, const void *buf, size_t len)
{
	unsigned char *fp;

	if (ensure_started(t) < 0)
		return -ESRCH;
	fp = t->thread.sc_pending ? fpstate_of(t, len) : NULL;

	if (!fp)
		return -EFAULT;
	if (!xstate_valid(buf, len))
		return -EINVAL;
	/* The host's software bytes (464..511) and its MAGIC2 stay. */
	memcpy(fp, buf, 464);
	memcpy(fp + 512, (const char *)buf + 512, len - 512);
	return 0;
}

/* A futex call runs in t's own thread (its memory, its sleep); anything
 * else on its process's service thread. */
static long sc_host_call(struct task *t, long nr, const unsigned long args[6],
			 bool interruptible)
{
	struct thread_struct *th = &t->thread;
	struct sc_slot *s;
	long ret;

	if (nr != SYS_futex)
		return svc_call1(t, th->scm, th->svc, nr, args);
	if (!th->sc_pending)
		return -ESRCH;
	/* A signal that came while t was not waiting on its host thread
	 * sent no interrupt: with one pending, do not begin to sleep. */
	if (interruptible && signal_pending(t))
		return -ERESTARTSYS;
	s = slot_of(th->scm, th->slot);
	s->hc_nr = nr;
	memcpy(s->hc_args, args, sizeof(s->hc_args));
	th->sc_hostcall = true;
	answer(t, SC_A_HOSTCALL);
	ret = await_request(t) < 0 ? -ESRCH : s->hc_ret;
	th->sc_hostcall = false;
	if (ret != -ESRCH && s->kind != SC_K_HOSTCALL) {
		kill_process(t, "its stub answered out of turn");
		th->sc_dead = true;
		return -ESRCH;
	}
	if (interruptible && ret == -EINTR)
		return -ERESTARTSYS;
	return ret;
}

static long sc_host_batch(struct task *t, const struct stub_batch *b,
			  long *last)
{
	long done = 0;

	for (long i = 0; i < b->count; i += SC_SVC_CALLS) {
		int n = min(b->count - i, (long)SC_SVC_CALLS);
		long got = svc_call(t, t->thread.scm, t->thread.svc,
				    &b->calls[i], n, last);

		if (got < 0)
			return got;
		done += got;
		if (got < n)
			break;
	}
	return done;
}

/* ---- threads and processes ---- */

static bool is_known(int pid)
{
	for (int i = 0; i < nr_known; i++)
		if (known_pids[i] == pid)
			return true;
	return false;
}

static int add_known(int pid)
{
	if (nr_known == max_known) {
		int *n = krealloc(known_pids, (max_known + 256) * sizeof(int));

		if (!n)
			return -ENOMEM;
		known_pids = n;
		max_known += 256;
	}
	known_pids[nr_known++] = pid;
	return 0;
}

static void forget_known(int pid)
{
	for (int i = 0; i < nr_known; i++) {
		if (known_pids[i] == pid) {
			known_pids[i] = known_pids[--nr_known];
			return;
		}
	}
}

/* The host process umk does not know among its children: the one a clone
 * just made. Any other it does not know is killed (a guest cannot make a
 * host process but through umk). 0 if there is none. */
static int new_child(void)
{
	int pids[4096], n = os_children(pids, 4096), found = 0;

	for (int i = 0; i < n; i++) {
		if (is_known(pids[i]))
			continue;
		if (!found && add_known(pids[i]) == 0)
			found = pids[i];
		else
			os_kill_process(pids[i]);
	}
	return found;
}

static int bind_thread(struct task *child, struct sc_mm *scm, int k, int j,
		       int pid, long tid);

/*
 * The first thread of a fresh region scm (process pid), which its service
 * clones onto slot 0 as its first command (stub_seccomp.c make_region),
 * becomes child's; current (t) waits for it. 0, or -errno.
 */
static int first_thread(struct task *t, struct task *child,
			struct sc_mm *scm, int pid)
{
	struct sc_svc_reply *rep = reply_of(scm, 0);
	struct sc_mm *saved_scm = t->thread.scm;
	int saved_svc = t->thread.svc, err;

	scm->slots[0] |= 1;
	scm->svc_seq[0] = 1;
	t->thread.scm = scm;
	t->thread.svc = 0;
	err = sc_wait(t, W_SVC, 1, pid);
	t->thread.scm = saved_scm;
	t->thread.svc = saved_svc;
	if (err)
		return err;
	return bind_thread(child, scm, 0, 0, pid, rep->index == 1 ?
			   rep->last : -EAGAIN);
}

/* Give child a host thread in process pid, region scm, service j: the
 * service clones it onto a free slot, where its first trap arrives. */
static int new_thread(struct task *parent, struct task *child,
		      struct sc_mm *scm, int j, int pid)
{
	int k, err;
	struct sc_slot *s;
	unsigned long args[6];
	long tid;

	while ((k = alloc_slot(scm)) < 0 &&
	       (err = wait_dying(parent, scm)) == 0)
		;
	if (k < 0)
		return k;
	s = slot_of(scm, k);
	memset(s, 0, sizeof(*s));
	store32(&s->state, SC_INIT);
	args[0] = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
		  CLONE_THREAD | CLONE_SYSVSEM | CLONE_CHILD_CLEARTID;
	args[1] = region_addr(scm, (char *)s + SC_SLOT_SIZE);	/* stack */
	args[2] = 0;
	args[3] = region_addr(scm, &s->tid);		/* cleared at exit */
	args[4] = k;				/* r8: its slot */
	args[5] = 0;
	tid = svc_call1(parent, scm, j, SYS_clone, args);
	return bind_thread(child, scm, k, j, pid, tid);
}

/* child's host thread is tid (as reported: checked), on slot k of scm,
 * in process pid, whose service is j. 0, or -errno (the slot is free). */
static int bind_thread(struct task *child, struct sc_mm *scm, int k, int j,
		       int pid, long tid)
{
	if (tid <= 0 || tid > INT_MAX || os_tgkill(pid, tid, 0) < 0) {
		free_slot(scm, k);
		return tid < 0 ? tid : -EAGAIN;
	}
	store32(&slot_of(scm, k)->tid, tid);
	child->host_tid = tid;
	child->thread.scm = scm;
	child->thread.slot = k;
	child->thread.svc = j;
	child->thread.sc_pid = pid;
	child->thread.started = false;
	child->thread.sc_pending = false;
	child->thread.sc_dead = false;
	child->thread.reaped = false;
	child->thread.sc_fs = child->thread.sc_gs = 0;
	return 0;
}

/* Births of host processes one at a time: new_child() tells a child from
 * another only when at most one is being made. */
static struct mutex birth_lock = {
	.wait = WAIT_QUEUE_HEAD_INIT(birth_lock.wait),
};

/* The service of p makes a host process with flags (tls: r8 for the
 * child's service loop); its pid, registered as c's, or -errno. The pid
 * the service reports is checked to be a child umk does not know (there
 * is one new child at most); if it is not, the children are listed. */
static int make_process(struct task *p, struct task *c, unsigned long flags,
			unsigned long tls)
{
	unsigned long args[6] = { flags, 0, 0, 0, tls, 0 };
	long ret;
	int pid = 0;

	mutex_lock(&birth_lock);
	ret = svc_call1(p, p->thread.scm, p->thread.svc, SYS_clone, args);
	if (ret > 0 && ret <= INT_MAX && !is_known(ret) && os_is_child(ret) &&
	    add_known(ret) == 0)
		pid = ret;
	else
		pid = new_child();
	if (pid)
		c->thread.sc_pid = pid;
	mutex_unlock(&birth_lock);
	if (!pid)
		return ret < 0 ? ret : -EAGAIN;
	return pid;
}

static int sc_clone(struct task *p, struct task *c, unsigned long host_flags)
{
	struct thread_struct *pt = &p->thread;
	struct sc_mm *scm;
	int pid, j, err;

	if (host_flags & CLONE_THREAD) {
		err = new_thread(p, c, pt->scm, pt->svc, pt->sc_pid);
		goto out;
	}
	if (host_flags & CLONE_VM) {
		/* Another process in this address space: its own service
		 * slot here, and its first thread from there. */
		while ((j = alloc_svc(pt->scm)) < 0) {
			err = wait_dying(p, pt->scm);
			if (err)
				return err == -EAGAIN ? j : err;
		}
		pt->scm->svc_dying[j] = false;
		memset(cmd_of(pt->scm, j), 0, sizeof(struct sc_svc_cmd));
		memset(reply_of(pt->scm, j), 0, sizeof(struct sc_svc_reply));
		pt->scm->svc_seq[j] = 0;
		pid = make_process(p, c, CLONE_VM | CLONE_PARENT | SIGCHLD, j);
		if (pid < 0)
			return pid;
		pt->scm->svc_pid[j] = pid;
		err = new_thread(p, c, pt->scm, j, pid);
		goto out;
	}
	/* fork: a copy, which makes its own region. */
	pid = make_process(p, c, CLONE_PARENT | SIGCHLD, 0);
	if (pid < 0)
		return pid;
	scm = wait_region(p, pid, pt->scm->memfd, 0);
	if (!scm) {
		os_kill_process(pid);
		return -EAGAIN;
	}
	c->mm->mode_priv = scm;
	c->mm->host_pid = pid;
	err = first_thread(p, c, scm, pid);
out:
	if (err)
		return err;
	c->state = TASK_INTERRUPTIBLE;
	wake_up_process(c);
	return 0;
}

/* The entry registers of a fresh image: its stack as the host built it. */
static void fresh_regs(struct task *t, uint64_t rsp)
{
	memset(&t->regs, 0, sizeof(t->regs));
	t->regs.rsp = rsp;
	t->regs.cs = 0x33;
	t->regs.ss = 0x2b;
	t->regs.eflags = 0x202;
	t->regs.orig_rax = -1;
}

/* A fresh image's reported stack pointer, checked to be a user address. */
static int fresh_stack(struct sc_mm *scm, uint64_t *rsp)
{
	*rsp = reply_of(scm, 0)->init_rsp;
	return *rsp && *rsp < TASK_SIZE_MAX && !(*rsp & 7) &&
	       (*rsp < STUB_START || *rsp >= STUB_END) ? 0 : -EFAULT;
}

/*
 * exec: the process's service thread runs execveat of the stub's sealed
 * memfd (the host ends every other thread, t's too), the new image makes a
 * new region, and t gets a new thread there.
 */
static int sc_exec(struct task *t, struct mm_struct *new_mm)
{
	struct thread_struct *th = &t->thread;
	struct sc_mm *old = th->scm, *scm;
	struct sc_svc_cmd *cmd = cmd_of(old, th->svc);
	unsigned long scratch = region_addr(old, cmd->scratch);
	static const char *const argv_s[] = { "umk-stub", "seccomp" };
	struct stub_syscall c = { .nr = SYS_execveat };
	unsigned long argv[4];
	int pid = th->sc_pid, j = th->svc;
	uint32_t seq;
	uint64_t rsp;

	/* The strings and argv live in the read-only command page. */
	mutex_lock(&old->svc_lock[j]);
	store32(&cmd->seq, 0);
	memset(cmd->scratch, 0, 64);
	strcpy(cmd->scratch + 8, argv_s[0]);
	strcpy(cmd->scratch + 24, argv_s[1]);
	argv[0] = scratch + 8;
	argv[1] = scratch + 24;
	argv[2] = 0;
	argv[3] = 0;
	memcpy(cmd->scratch + 32, argv, sizeof(argv));
	c.args[0] = STUB_FD;
	c.args[1] = scratch;		/* "" */
	c.args[2] = scratch + 32;	/* argv */
	c.args[3] = scratch + 56;	/* envp: { NULL } */
	c.args[4] = AT_EMPTY_PATH;
	cmd->calls[0] = c;
	cmd->count = 1;
	seq = ++old->svc_seq[j];
	store32(&cmd->seq, seq);
	os_futex_wake(&cmd->seq);
	mutex_unlock(&old->svc_lock[j]);

	/* t's own thread dies with the old image. */
	th->sc_pending = false;
	free_slot(old, th->slot);
	th->slot = -1;
	if (j)
		old->svc_pid[j] = 0;
	scm = wait_region(t, pid, old->memfd, seq);
	if (!scm || fresh_stack(scm, &rsp) < 0)
		return -ESRCH;
	new_mm->mode_priv = scm;
	new_mm->host_pid = pid;
	th->scm = scm;
	th->svc = 0;
	if (first_thread(t, t, scm, pid) < 0)
		return -ESRCH;
	fresh_regs(t, rsp);
	return 0;
}

static int sc_start_init(struct task *t)
{
	struct sc_mm *scm = wait_region(t, init_pid, -1, 0);
	uint64_t rsp;

	if (!scm || fresh_stack(scm, &rsp) < 0)
		return -ESRCH;
	t->mm->mode_priv = scm;
	t->mm->host_pid = init_pid;
	t->thread.scm = scm;
	if (first_thread(t, t, scm, init_pid) < 0)
		return -ESRCH;
	init_pid = 0;
	fresh_regs(t, rsp);
	return 0;
}

static void sc_interrupt(struct task *t)
{
	struct thread_struct *th = &t->thread;

	if ((th->guest_running || th->sc_hostcall) && t->host_tid > 0)
		os_tgkill(th->sc_pid, t->host_tid, SC_SIG_INTR);
}

/*
 * The last task of a process kills its host process and waits until the
 * event loop reaped it (process_died): wait4's rusage then gave its
 * process the CPU time of every host thread it had, its service thread's
 * and those of threads gone before, exactly and without a look at /proc
 * (whose reads, and the dentries they leave, cost the host more than the
 * exit itself).
 */
static void sc_exit_thread(struct task *t, bool last)
{
	struct thread_struct *th = &t->thread;

	if (last) {
		if (th->scm && th->svc > 0)
			th->scm->svc_dying[th->svc] = true;
		if (th->sc_pid > 0 && !th->reaped) {
			th->reap_pid = th->sc_pid;
			os_kill_process(th->sc_pid);
			while (!th->reaped)
				schedule_host_wait();
			th->reap_pid = 0;
		}
	} else if (th->sc_pending) {
		answer(t, SC_A_EXIT);
	}
	free_slot(th->scm, th->slot);
	th->slot = -1;
}

static void sc_kill_all(void)
{
	struct task *t;

	list_for_each_entry(t, &task_list, tasks)
		if (t->thread.sc_pid > 0)
			os_kill_process(t->thread.sc_pid);
	if (init_pid > 0)
		os_kill_process(init_pid);
}

/* The address space is gone: so is its region. Tasks that are done with
 * it (zombies, a thread whose exec replaced it) may still name it: they
 * must not reach it any more (process_died looks at every task). */
static void sc_mm_exit(struct mm_struct *mm)
{
	struct sc_mm *scm = mm->mode_priv;
	struct task *t;

	if (!scm)
		return;
	list_for_each_entry(t, &task_list, tasks)
		if (t->thread.scm == scm)
			t->thread.scm = NULL;
	scm_free(scm);
	mm->mode_priv = NULL;
}

/* ---- the event loop ---- */

/* A guest host process died and was reaped (st: its status and rusage):
 * every task in it learns at its next wait, and its process gets the
 * host's final accounting of it, once. */
static void process_died(int pid, const struct host_stop *st)
{
	struct signal_struct *charged = NULL;
	struct task *t;

	list_for_each_entry(t, &task_list, tasks) {
		struct sc_mm *scm = t->thread.scm;

		/* Its service slot in a shared region is free again, also
		 * when its tasks were released before the host reported the
		 * death (a clone(CLONE_VM) child reaped at once leaked the
		 * slot: the 16th such process failed with EAGAIN). */
		for (int j = 1; scm && j < SC_SVC_MAX; j++) {
			if (scm->svc_pid[j] == pid) {
				scm->svc_pid[j] = 0;
				scm->svc_dying[j] = false;
			}
		}
		if (t->thread.sc_wait_pid == pid)
			t->thread.sc_wait_gone = true;
		if (t->thread.sc_pid != pid)
			continue;
		t->thread.sc_dead = true;
		t->thread.reaped = true;
		t->thread.sc_exit_sig = st->kind == STOP_KILLED ? st->sig : 0;
		if (t->thread.reap_pid == pid)
			wake_up_host_waiter(t);
		if (!charged) {		/* its tasks share one signal struct */
			charged = t->signal;
			charged->utime_ns += st->utime_ns;
			charged->stime_ns += st->stime_ns;
		}
	}
}

/* Wake the waiters whose event came; W_REGION and W_EXEC waits are
 * retried at every doorbell and death: wake them all. */
static void wake_waiters(void)
{
	scan_waiters(false);
	{
		struct thread_struct *th, *n;

		list_for_each_entry_safe(th, n, &waiters, sc_wait) {
			if (th->sc_wait_kind != W_REGION &&
			    th->sc_wait_kind != W_EXEC)
				continue;
			list_del_init(&th->sc_wait);
			wake_up_host_waiter(th->sc_waiter);
		}
	}
}

/* SIGCHLD: reap the guest host processes that died. */
static void sc_host_events(void)
{
	struct host_stop st;
	int pid;

	while ((pid = os_wait_any_rusage(&st, true)) > 0) {
		if (st.kind != STOP_EXITED && st.kind != STOP_KILLED)
			continue;
		forget_known(pid);
		process_died(pid, &st);
	}
	wake_waiters();
}

/* The doorbell eventfd: a stub posted a request while umk slept. */
static void sc_doorbell(int fd, unsigned int revents, void *data)
{
	store32(&global->kernel_sleeping, 0);
	os_eventfd_drain(doorbell_fd);
	wake_waiters();
}

static int sc_wait_idle(bool other_fds)
{
	uint64_t until;

	store32(&global->kernel_sleeping, 0);
	if (list_empty(&waiters))
		return -EAGAIN;
	if (multi_cpu && spin_skip > 0) {
		spin_skip--;
	} else if (multi_cpu) {
		until = os_monotonic_ns() + SPIN_NS;
		do {
			if (scan_waiters(false)) {
				spin_fails = 0;
				store32(&global->spin, stub_spin_rounds);
				return 1;
			}
			__builtin_ia32_pause();
		} while (os_monotonic_ns() < until);
		if (spin_fails < SPIN_BACKOFF_MAX)
			spin_fails++;
		spin_skip = 1u << spin_fails;
		store32(&global->spin, 0);
	}
	/* Sleep in epoll: stubs ring the doorbell from now on. */
	store32(&global->kernel_sleeping, 1);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (scan_waiters(false)) {
		store32(&global->kernel_sleeping, 0);
		return 1;
	}
	return -EAGAIN;
}

/* ---- boot ---- */

static int sc_init(void)
{
	static const char *const args[] = { "seccomp", "first", NULL };
	size_t n0, n1;
	int fds[3], err;

	global_fd = os_memfd("umk-global");
	if (global_fd < 0)
		return global_fd;
	err = os_ftruncate(global_fd, STUB_GLOBAL_SIZE);
	if (err)
		return err;
	global = os_map_shared(global_fd, STUB_GLOBAL_SIZE);
	if (!global)
		return -ENOMEM;
	global->magic = SC_MAGIC;
	global->fsgsbase = os_has_fsgsbase();
	global->one = 1;
	/* A service thread blocks every signal but the synchronous ones
	 * (which the host forces anyway); its guest threads inherit that
	 * until their first frame sets none. */
	global->svc_mask = ~(sigmask(SIGSYS) | sigmask(SIGSEGV) |
			     sigmask(SIGBUS) | sigmask(SIGFPE) |
			     sigmask(SIGILL) | sigmask(SIGTRAP) |
			     sigmask(SIGKILL) | sigmask(SIGSTOP));
	global->intr_mask = sigmask(SC_SIG_INTR);
	for (int k = 0; k < SC_SLOTS; k++) {
		global->sas[k].sp = SC_SLOT_BASE + k * SC_SLOT_SIZE + SC_SLOT_HDR;
		global->sas[k].size = SC_SLOT_SIZE - SC_SLOT_HDR;
	}
	err = os_seccomp_sc_filters((struct sock_filter *)global->f0_prog, &n0,
				    (struct sock_filter *)global->f1_prog, &n1,
				    SC_BPF_MAX);
	if (err)
		return err;
	global->f0.len = n0;
	global->f0.filter = STUB_GLOBAL + offsetof(struct sc_global, f0_prog);
	global->f1.len = n1;
	global->f1.filter = STUB_GLOBAL + offsetof(struct sc_global, f1_prog);
	multi_cpu = os_nr_cpus_allowed() > 1;
	stub_spin_rounds = multi_cpu ? pause_rounds(STUB_SPIN_NS) : 0;
	global->spin = stub_spin_rounds;
	doorbell_fd = os_eventfd();
	if (doorbell_fd < 0)
		return doorbell_fd;
	/* In the loop's own epoll set (EVENT_KICKED): this mode never takes
	 * the waitpid fast path that only kicks can interrupt, and a wake-up
	 * costs one epoll_pwait2 instead of two epoll calls. */
	err = os_event_add(doorbell_fd, POLLIN | EVENT_KICKED, sc_doorbell,
			   NULL);
	if (err)
		return err;
	fds[0] = stub_channel_guest_fd();
	fds[1] = doorbell_fd;
	fds[2] = global_fd;
	init_pid = os_spawn_stub_process(stub_memfd, fds, 3, args, false);
	if (init_pid < 0)
		return init_pid;
	return add_known(init_pid);
}

const struct um_mode seccomp_mode = {
	.name = "seccomp",
	.init = sc_init,
	.start_init = sc_start_init,
	.clone = sc_clone,
	.exec = sc_exec,
	.run = sc_run,
	.get_regs = sc_get_regs,
	.get_fpregs = sc_get_fpregs,
	.set_fpregs = sc_set_fpregs,
	.host_call = sc_host_call,
	.host_batch = sc_host_batch,
	.interrupt = sc_interrupt,
	.exit_thread = sc_exit_thread,
	.kill_all = sc_kill_all,
	.mm_exit = sc_mm_exit,
	.host_events = sc_host_events,
	.wait_idle = sc_wait_idle,
	.stub_vm_bytes = STUB_REGION + STUB_REGION_SIZE - STUB_START,
};
