/*
 * seccomp mode's stub, the C half (the fixed syscall sites and the service
 * loop are in stub.c): the signal handler every guest thread traps into,
 * and the start of a process's service thread. Freestanding: no libc, no
 * writable globals (all shared state is in the slot, the region and the
 * global page, stub_seccomp.h), no SSE.
 *
 * A trap (SIGSYS from the filter, a fault, or umk's interrupt) runs the
 * handler on the thread's slot stack. It records where the frame is, posts
 * a request, wakes umk if it sleeps, and waits on the slot's state word
 * (spinning first when umk allows it) until umk answers; umk has then read
 * and edited the frame. The answer resumes guest code (rt_sigreturn from
 * the frame), ends the thread, or asks for a host call here (a futex wait
 * on the guest's own memory), whose result is posted in turn.
 * Model: UML arch/um/kernel/skas/stub.c (stub_signal_interrupt), gVisor
 * sysmsg/sighandler_amd64.c.
 */
#include <stddef.h>
#include <stdint.h>
#include <stub.h>
#include <stub_seccomp.h>
#include <asm/unistd.h>

#define FUTEX_WAIT	0
#define PROT_READ	1
#define PROT_WRITE	2
#define MAP_SHARED	1
#define MAP_FIXED	0x10
#define MADV_DONTFORK	10
#define SIG_BLOCK	0
#define SIG_UNBLOCK	1
#define SIG_SETMASK	2
#define SA_SIGINFO	4
#define SA_ONSTACK	0x08000000
#define SA_RESTORER	0x04000000
#define ARCH_SET_GS	0x1001
#define ARCH_SET_FS	0x1002
#define ARCH_GET_FS	0x1003
#define ARCH_GET_GS	0x1004
#define SECCOMP_SET_MODE_FILTER 1
#define UC_RAX		13		/* ucontext gregs[] (at +40): REG_RAX */
#define UC_RIP		16		/* REG_RIP */

long sc_boot_syscall(long nr, long a0, long a1, long a2, long a3, long a4);
long sc_h_futex(long uaddr, long op, long val, long utime, long uaddr2,
		long val3);
long sc_h_futex_intr(long uaddr, long op, long val, long utime, long uaddr2,
		     long val3, const uint32_t *intr);
extern const char sc_h_futex_check[];
long sc_h_doorbell(long nr, long fd, long buf, long len, long a3, long a4);
long sc_h_sigmask(long nr, long how, long set, long old, long size, long a4);
long sc_h_exit(long nr, long code, long a1, long a2, long a3, long a4);
long sc_h_arch_prctl(long nr, long code, long addr, long a2, long a3, long a4);
void sc_restorer(void);
void sc_process_start(unsigned long *init_sp) __attribute__((noreturn, used));
void sc_fork_child(void) __attribute__((noreturn, used));
void sc_handler(int sig, void *info, void *uc) __attribute__((used));

static inline uint32_t load(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void store(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static void __attribute__((noreturn)) die(void)
{
	/* A fault inside the handler, where every signal is blocked: the
	 * host kills the whole process, and umk sees it die. */
	__builtin_trap();
}

/* The slot whose stack sp is on, or NULL. */
static struct sc_slot *slot_of(unsigned long sp)
{
	unsigned long k, off;

	if (sp < SC_SLOT_BASE || sp >= SC_SLOT_BASE + SC_SLOTS * SC_SLOT_SIZE)
		return NULL;
	k = (sp - SC_SLOT_BASE) / SC_SLOT_SIZE;
	off = sp - SC_SLOT_BASE - k * SC_SLOT_SIZE;
	return off < SC_SLOT_HDR ? NULL : SC_SLOT(k);
}

/* umk sleeps in its event loop: ring its eventfd (Dekker with umk's
 * "sleeping, then look at the slots once more"). */
static void doorbell(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (load(&SC_GLOBAL->kernel_sleeping))
		sc_h_doorbell(__NR_write, STUB_DOORBELL_FD,
			      (long)&SC_GLOBAL->one, 8, 0, 0);
}

static void wait_resp(struct sc_slot *s)
{
	uint32_t rounds = load(&SC_GLOBAL->spin);

	if (rounds) {
		for (uint32_t i = 0; i < rounds; i++) {
			if (load(&s->state) == SC_RESP)
				return;
			__builtin_ia32_pause();
		}
	}
	while (load(&s->state) != SC_RESP)
		sc_h_futex((long)&s->state, FUTEX_WAIT, SC_REQ, 0, 0, 0);
}

static uint64_t get_base(int fs)
{
	uint64_t v = 0;

	if (SC_GLOBAL->fsgsbase) {
		if (fs)
			asm volatile("rdfsbase %0" : "=r"(v));
		else
			asm volatile("rdgsbase %0" : "=r"(v));
	} else {
		sc_h_arch_prctl(__NR_arch_prctl, fs ? ARCH_GET_FS : ARCH_GET_GS,
				(long)&v, 0, 0, 0);
	}
	return v;
}

static void set_base(int fs, uint64_t v)
{
	if (SC_GLOBAL->fsgsbase) {
		if (fs)
			asm volatile("wrfsbase %0" : : "r"(v));
		else
			asm volatile("wrgsbase %0" : : "r"(v));
	} else {
		sc_h_arch_prctl(__NR_arch_prctl, fs ? ARCH_SET_FS : ARCH_SET_GS,
				v, 0, 0, 0);
	}
}

/* A host call umk asked this thread to make (a futex wait or wake on the
 * guest's own memory): interruptible by umk's interrupt signal. One that
 * was already pending, or comes before the syscall begins, sets hc_intr
 * (sc_handler), and the call returns -EINTR without sleeping. */
static long host_call(struct sc_slot *s)
{
	long r;

	s->hc_intr = 0;
	store(&s->state, SC_HOSTCALL);
	sc_h_sigmask(__NR_rt_sigprocmask, SIG_UNBLOCK,
		     (long)&SC_GLOBAL->intr_mask, 0, 8, 0);
	r = sc_h_futex_intr(s->hc_args[0], s->hc_args[1], s->hc_args[2],
			    s->hc_args[3], s->hc_args[4], s->hc_args[5],
			    &s->hc_intr);
	sc_h_sigmask(__NR_rt_sigprocmask, SIG_BLOCK,
		     (long)&SC_GLOBAL->intr_mask, 0, 8, 0);
	return r;
}

void sc_handler(int sig, void *info, void *uc)
{
	struct sc_slot *s = slot_of((unsigned long)__builtin_frame_address(0));
	uint32_t st;

	if (!s)
		die();
	st = load(&s->state);
	if (sig == SC_SIG_INTR && st != SC_GUEST) {
		/* It interrupted a host call (the only place it is not
		 * blocked). Landing between the flag's test and the syscall,
		 * it skips the syscall: rip to its ret, rax -EINTR. */
		if (st == SC_HOSTCALL) {
			unsigned long *gregs = (unsigned long *)((char *)uc + 40);

			__atomic_store_n(&s->hc_intr, 1, __ATOMIC_SEQ_CST);
			if (gregs[UC_RIP] >= (unsigned long)sc_h_futex_check &&
			    gregs[UC_RIP] <= SC_H_FUTEX) {
				gregs[UC_RIP] = SC_IP(SC_H_FUTEX);
				gregs[UC_RAX] = (unsigned long)-4L;
			}
		}
		return;
	}
	s->sig = sig;
	s->uc_off = (unsigned long)uc - (unsigned long)s;
	s->info_off = (unsigned long)info - (unsigned long)s;
	s->fs_base = get_base(1);
	s->gs_base = get_base(0);
	s->kind = st == SC_INIT ? SC_K_INIT : SC_K_TRAP;
	for (;;) {
		store(&s->state, SC_REQ);
		doorbell();
		wait_resp(s);
		switch (load(&s->action)) {
		case SC_A_RESUME:
			if (s->sync & SC_SYNC_FS)
				set_base(1, s->new_fs);
			if (s->sync & SC_SYNC_GS)
				set_base(0, s->new_gs);
			store(&s->state, SC_GUEST);
			return;
		case SC_A_EXIT:
			sc_h_exit(__NR_exit, 0, 0, 0, 0, 0);
			die();
		case SC_A_HOSTCALL:
			s->hc_ret = host_call(s);
			s->kind = SC_K_HOSTCALL;
			continue;
		default:
			die();
		}
	}
}

/* ---- a process's start ---- */

struct k_sigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	uint64_t mask;
};

static void install_handlers(void)
{
	static const int sigs[] = { 31 /* SIGSYS */, 11, 7, 8, 4, 5,
				    SC_SIG_INTR };
	struct k_sigaction ka = {
		.handler = (void *)sc_handler,
		.flags = SA_SIGINFO | SA_ONSTACK | SA_RESTORER,
		.restorer = (void *)sc_restorer,
		.mask = ~0ULL,
	};

	for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sc_boot_syscall(__NR_rt_sigaction, sigs[i], (long)&ka, 0,
				    8, 0))
			die();
	sc_boot_syscall(__NR_rt_sigprocmask, SIG_SETMASK,
			(long)&SC_GLOBAL->svc_mask, 0, 8, 0);
}

/* Make this address space's region (a new memfd at STUB_REGION_FD, which
 * umk takes with pidfd_getfd), map it, and enter the service loop as
 * service slot 0; umk hears of it through the doorbell. The loop's first
 * command, written here before the command page turns read-only, clones
 * the process's first guest thread onto slot 0 (what umk would ask for
 * next anyway: a fork, an exec or the boot save a round trip). */
static void __attribute__((noreturn)) make_region(unsigned long init_sp)
{
	static const char name[] = "umk-region";
	struct sc_svc_reply *reply = &SC_REPLY->svc[0];
	struct sc_svc_cmd *cmd = &SC_CTL->svc[0];
	struct sc_slot *s = SC_SLOT(0);
	long fd;

	/* Die with umk's kernel thread, the parent of every guest process
	 * (a fork's child does not inherit this). */
	sc_boot_syscall(__NR_prctl, 1 /* PR_SET_PDEATHSIG */, 9, 0, 0, 0);
	fd = sc_boot_syscall(__NR_memfd_create, (long)name, 0, 0, 0, 0);
	if (fd < 0 || sc_boot_syscall(__NR_ftruncate, fd, STUB_REGION_SIZE,
				      0, 0, 0) ||
	    sc_boot_syscall(__NR_dup3, fd, STUB_REGION_FD, 0, 0, 0) !=
	    STUB_REGION_FD)
		die();
	sc_boot_syscall(__NR_close, fd, 0, 0, 0, 0);
	if (sc_boot_syscall(__NR_mmap, STUB_REGION, STUB_REGION_SIZE,
			    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
			    STUB_REGION_FD) != (long)STUB_REGION)
		die();
	s->state = SC_INIT;
	cmd->count = 1;
	cmd->calls[0].nr = __NR_clone;
	cmd->calls[0].args[0] = SC_THREAD_CLONE;
	cmd->calls[0].args[1] = (unsigned long)s + SC_SLOT_SIZE;  /* stack */
	cmd->calls[0].args[3] = (unsigned long)&s->tid;	/* cleared at exit */
	cmd->calls[0].args[4] = 0;			/* r8: its slot */
	cmd->seq = 1;
	if (sc_boot_syscall(__NR_mprotect, STUB_REGION, 0x8000, PROT_READ,
			    0, 0) ||
	    sc_boot_syscall(__NR_madvise, STUB_REGION, STUB_REGION_SIZE,
			    MADV_DONTFORK, 0, 0))
		die();
	reply->init_rsp = init_sp;
	store(&reply->ready, 1);
	sc_boot_syscall(__NR_write, STUB_DOORBELL_FD, (long)&SC_GLOBAL->one,
			8, 0, 0);
	asm volatile("mov %0, %%r15\n\t"
		     "mov %1, %%r14\n\t"
		     "xor %%r13d, %%r13d\n\t"
		     "jmp sc_svc_loop"
		     : : "r"(&SC_CTL->svc[0]), "r"(reply) : "memory");
	__builtin_unreachable();
}

/* The image started (as the first process, argc 3, or after an exec,
 * argc 2): the global page, the filter (first process only: every later
 * one inherits it), the handlers and the service thread's mask. */
void sc_process_start(unsigned long *init_sp)
{
	long first = init_sp[0] >= 3;

	if (sc_boot_syscall(__NR_mmap, STUB_GLOBAL, STUB_GLOBAL_SIZE,
			    PROT_READ, MAP_SHARED | MAP_FIXED,
			    STUB_GLOBAL_FD) != (long)STUB_GLOBAL)
		die();
	if (first && sc_boot_syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0,
				     (long)&SC_GLOBAL->f0, 0, 0))
		die();
	install_handlers();
	make_region((unsigned long)init_sp);
}

/* A fork's child: a copy of the service thread that cloned it; handlers,
 * mask, filter and the global page came along, the region did not
 * (MADV_DONTFORK): it makes its own. */
void sc_fork_child(void)
{
	make_region(0);
}
