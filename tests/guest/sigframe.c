/*
 * Signal frames and rt_sigreturn, hostile ones included: a handler edits
 * its ucontext (registers, FPU state, mask) and the edits take effect on
 * return; frames with bad segment selectors, a non-canonical rip, a corrupt
 * xsave header or MXCSR, no frame at all, or no restorer kill the task with
 * SIGSEGV; an fpstate without its magic restores the legacy part only; a
 * NULL fpstate resets the FPU; an alternate stack too small for the frame
 * is SIGSEGV; SS_AUTODISARM disarms the stack while the handler runs.
 * Each case runs in a child; only its fate is printed.
 */
#include "guest.h"
#include <stdint.h>
#include <ucontext.h>

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif

#define XSTATE_BV_OFF 512
#define SW_MAGIC_OFF 464

enum edit {
	E_NONE, E_XMM, E_RBX, E_BAD_CS, E_BAD_SS, E_RIP_NONCANON,
	E_XHDR, E_MXCSR, E_NO_MAGIC, E_FP_NULL, E_MASK,
};
static volatile enum edit edit;

static unsigned char *fpstate_of(ucontext_t *uc)
{
	return (unsigned char *)uc->uc_mcontext.fpregs;
}

static void handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	unsigned char *fp = fpstate_of(uc);
	uint64_t v;

	(void)sig;
	(void)si;
	switch (edit) {
	case E_XMM:
		memset(fp + 160, 0x5a, 16);	/* xmm0 in the legacy area */
		break;
	case E_RBX:
		uc->uc_mcontext.gregs[REG_RBX] = 0x1122334455667788;
		break;
	case E_BAD_CS:
		uc->uc_mcontext.gregs[REG_CSGSFS] &= ~0xffffULL;
		uc->uc_mcontext.gregs[REG_CSGSFS] |= 0x1234;
		break;
	case E_BAD_SS:
		uc->uc_mcontext.gregs[REG_CSGSFS] &= ~(0xffffULL << 48);
		uc->uc_mcontext.gregs[REG_CSGSFS] |= 0x1234ULL << 48;
		break;
	case E_RIP_NONCANON:
		uc->uc_mcontext.gregs[REG_RIP] = 0x8000000000001000ULL;
		break;
	case E_XHDR:
		v = 0xdeadbeef;			/* a reserved header word */
		memcpy(fp + XSTATE_BV_OFF + 16, &v, 8);
		break;
	case E_MXCSR:
		v = 0xffffffff;
		memcpy(fp + 24, &v, 4);
		break;
	case E_NO_MAGIC:
		memset(fp + 160, 0x33, 16);
		memset(fp + SW_MAGIC_OFF, 0, 4);
		break;
	case E_FP_NULL:
		uc->uc_mcontext.fpregs = NULL;
		break;
	case E_MASK:
		sigaddset(&uc->uc_sigmask, SIGUSR2);
		break;
	default:
		break;
	}
}

static void set_xmm0(unsigned char b)
{
	unsigned char v[16];

	memset(v, b, sizeof(v));
	asm volatile("movdqu %0, %%xmm0" : : "m"(v) : "xmm0");
}

static int xmm0_is(unsigned char b)
{
	unsigned char v[16], want[16];

	asm volatile("movdqu %%xmm0, %0" : "=m"(v));
	memset(want, b, sizeof(want));
	return !memcmp(v, want, 16);
}

/* Raise SIGUSR1 with rbx set to a known value; return rbx afterwards. The
 * tgkill is made in asm so nothing of the compiler's sits between. */
static uint64_t raise_keep_rbx(void)
{
	uint64_t rbx = 0x0101010101010101ULL;
	long pid = getpid(), tid = syscall(SYS_gettid);

	asm volatile("push %%rbx\n\t"
		     "mov %1, %%rbx\n\t"
		     "syscall\n\t"
		     "mov %%rbx, %1\n\t"
		     "pop %%rbx"
		     : "=a"(pid), "+r"(rbx)
		     : "a"((long)SYS_tgkill), "D"(pid), "S"(tid), "d"(SIGUSR1)
		     : "rcx", "r11", "memory");
	return rbx;
}

static void install(void)
{
	struct sigaction sa = { .sa_sigaction = handler, .sa_flags = SA_SIGINFO };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
}

/* Run edit e in a child: raise, then report what was seen on return as
 * the child's exit status (0 fine, 1 wrong), or the signal it died of. */
static void run_case(const char *name, enum edit e)
{
	pid_t pid = fork();

	if (pid == 0) {
		sigset_t cur;
		int good = 1;

		install();
		edit = e;
		switch (e) {
		case E_XMM:
		case E_NO_MAGIC:
			set_xmm0(0x11);
			raise(SIGUSR1);
			good = xmm0_is(e == E_XMM ? 0x5a : 0x33);
			break;
		case E_FP_NULL:
			set_xmm0(0x11);
			raise(SIGUSR1);
			good = xmm0_is(0);
			break;
		case E_RBX:
			good = raise_keep_rbx() == 0x1122334455667788ULL;
			break;
		case E_MASK:
			raise(SIGUSR1);
			sigprocmask(SIG_BLOCK, NULL, &cur);
			good = sigismember(&cur, SIGUSR2);
			break;
		default:
			raise(SIGUSR1);
			break;
		}
		_exit(good ? 0 : 1);
	}
	say("%s: %s", name, reap(pid));
}

/* rt_sigreturn with no frame at all under the stack pointer. */
static void no_frame(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		asm volatile("mov $0x1000, %%rsp\n\t"
			     "mov $15, %%eax\n\t"
			     "syscall" : : : "memory");
		_exit(3);
	}
	say("sigreturn_without_frame: %s", reap(pid));
}

struct kernel_sigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	unsigned long mask;
};

static void plain(int sig)
{
	(void)sig;
}

/* A handler installed without SA_RESTORER has no way back (x86-64). */
static void no_restorer(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct kernel_sigaction ka = { .handler = plain };

		syscall(SYS_rt_sigaction, SIGUSR1, &ka, NULL, 8);
		raise(SIGUSR1);
		_exit(0);
	}
	say("handler_without_restorer: %s", reap(pid));
}

static volatile int on_alt, alt_disarmed;

static void alt_handler(int sig)
{
	stack_t now;
	char probe;

	(void)sig;
	sigaltstack(NULL, &now);
	on_alt = (now.ss_flags & SS_ONSTACK) != 0;
	alt_disarmed = now.ss_flags == SS_DISABLE;
	(void)probe;
}

/* An alternate stack of the minimum size that sigaltstack accepts cannot
 * hold this machine's frame: SIGSEGV. One of SIGSTKSZ works; with
 * SS_AUTODISARM it is disarmed while the handler runs. */
static void altstack(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		stack_t ss = { .ss_sp = malloc(2048), .ss_size = 2048 };
		struct sigaction sa = { .sa_handler = alt_handler,
					.sa_flags = SA_ONSTACK };

		sigaltstack(&ss, NULL);
		sigaction(SIGUSR1, &sa, NULL);
		raise(SIGUSR1);
		_exit(0);
	}
	say("altstack_too_small: %s", reap(pid));
	pid = fork();
	if (pid == 0) {
		stack_t ss = { .ss_sp = malloc(65536), .ss_size = 65536,
			       .ss_flags = (int)SS_AUTODISARM }, after;
		struct sigaction sa = { .sa_handler = alt_handler,
					.sa_flags = SA_ONSTACK };

		if (sigaltstack(&ss, NULL))
			_exit(5);
		sigaction(SIGUSR1, &sa, NULL);
		raise(SIGUSR1);
		sigaltstack(NULL, &after);
		_exit((alt_disarmed ? 0 : 1) | (after.ss_flags == (int)SS_AUTODISARM
						? 0 : 2));
	}
	say("altstack_autodisarm: %s", reap(pid));
}

static volatile void *fault_addr;
static volatile int cr2_matches;

static void segv(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	(void)sig;
	cr2_matches = si->si_addr == fault_addr &&
		      (void *)uc->uc_mcontext.gregs[REG_CR2] == fault_addr &&
		      uc->uc_mcontext.gregs[REG_TRAPNO] == 14;
	/* Skip the faulting 7-byte store below. */
	uc->uc_mcontext.gregs[REG_RIP] += 7;
}

/* A page fault's frame tells the address and trap, and the handler can
 * step over the faulting instruction. */
static void fault_frame(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct sigaction sa = { .sa_sigaction = segv,
					.sa_flags = SA_SIGINFO };
		char *p = unmapped_page();

		sigaction(SIGSEGV, &sa, NULL);
		fault_addr = p;
		asm volatile("movq $1, (%0)\n\t"	/* 48 c7 00 01 00 00 00 */
			     : : "r"(p) : "memory");
		_exit(cr2_matches ? 0 : 1);
	}
	say("fault_frame_addr_trapno: %s", reap(pid));
}

int main(void)
{
	test_start();
	run_case("plain_return", E_NONE);
	run_case("xmm0_from_frame", E_XMM);
	run_case("rbx_from_frame", E_RBX);
	run_case("mask_from_frame", E_MASK);
	run_case("bad_cs", E_BAD_CS);
	run_case("bad_ss", E_BAD_SS);
	run_case("noncanonical_rip", E_RIP_NONCANON);
	run_case("corrupt_xsave_header", E_XHDR);
	run_case("reserved_mxcsr_bits", E_MXCSR);
	run_case("no_xstate_magic_legacy_only", E_NO_MAGIC);
	run_case("null_fpstate_resets_fpu", E_FP_NULL);
	no_frame();
	no_restorer();
	altstack();
	fault_frame();
	say("DONE sigframe");
	return 0;
}
