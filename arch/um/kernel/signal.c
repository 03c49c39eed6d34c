/*
 * x86-64 signal frames, built and taken apart by the kernel itself: the
 * guest's registers and FPU/xstate go into a struct rt_sigframe on the
 * guest's stack (or its alternate stack), and rt_sigreturn reads them back,
 * checked as Linux checks them, through copy_from_user. No host signal
 * machinery is involved, so this works the same in every mode and the guest
 * can never make the host act on a frame it forged.
 * Semantics: Linux arch/x86/kernel/signal.c, signal_64.c, fpu/signal.c;
 * the frame layout is the x86-64 ABI's (uapi asm/sigcontext.h, ucontext.h).
 */
#include <umk/sched.h>
#include <umk/syscalls.h>
#include <umk/signal_internal.h>
#include <umk/stats.h>
#include <mode.h>
#include <string.h>
#include <cpuid.h>

/* struct sigcontext of the x86-64 ABI (uapi asm/sigcontext.h). */
struct sigcontext_64 {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t di, si, bp, bx, dx, ax, cx, sp, ip, flags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate;		/* guest address of the xsave area */
	uint64_t reserved1[8];
};

struct guest_stack {			/* stack_t */
	uint64_t ss_sp;
	int32_t ss_flags;
	int32_t pad;
	uint64_t ss_size;
};

struct ucontext_64 {
	uint64_t uc_flags;
	uint64_t uc_link;
	struct guest_stack uc_stack;
	struct sigcontext_64 uc_mcontext;
	uint64_t uc_sigmask;
};

struct rt_sigframe {
	uint64_t pretcode;		/* the restorer: the handler returns here */
	struct ucontext_64 uc;
	siginfo_t info;
};

_Static_assert(sizeof(struct sigcontext_64) == 256, "sigcontext ABI");
_Static_assert(sizeof(struct rt_sigframe) == 440, "rt_sigframe ABI");

#define UC_FP_XSTATE		0x1
#define UC_SIGCONTEXT_SS	0x2
#define UC_STRICT_RESTORE_SS	0x4

#define X86_EFLAGS_CF	0x0001
#define X86_EFLAGS_PF	0x0004
#define X86_EFLAGS_AF	0x0010
#define X86_EFLAGS_ZF	0x0040
#define X86_EFLAGS_SF	0x0080
#define X86_EFLAGS_TF	0x0100
#define X86_EFLAGS_DF	0x0400
#define X86_EFLAGS_OF	0x0800
#define X86_EFLAGS_RF	0x10000
#define X86_EFLAGS_AC	0x40000
/* The flags a frame may change (Linux FIX_EFLAGS). */
#define FIX_EFLAGS (X86_EFLAGS_AC | X86_EFLAGS_OF | X86_EFLAGS_DF | \
		    X86_EFLAGS_TF | X86_EFLAGS_SF | X86_EFLAGS_ZF | \
		    X86_EFLAGS_AF | X86_EFLAGS_PF | X86_EFLAGS_CF | X86_EFLAGS_RF)

#define __USER_CS 0x33
#define __USER_DS 0x2b

/* The XSAVE area: the legacy FXSAVE region with the kernel's software
 * bytes at 464, the xsave header at 512 (Linux struct fxregs_state,
 * struct _fpx_sw_bytes, struct xstate_header). */
#define FP_XSTATE_MAGIC1	0x46505853U
#define FP_XSTATE_MAGIC2	0x46505845U
#define FXSAVE_SIZE		512
#define SW_BYTES_OFF		464
#define MXCSR_OFF		24
#define XSTATE_BV_OFF		512
#define XFEATURE_MASK_FPSSE	0x3ULL
#define XFEATURE_MASK_SSE	0x2ULL
#define XFEATURE_MASK_SSE_AVX	0x6ULL
#define XMM_OFF			160
#define XMM_SIZE		256
#define XFEATURE_MASK_XTILEDATA	(1ULL << 18)

struct fpx_sw_bytes {
	uint32_t magic1;
	uint32_t extended_size;		/* xstate_size + 4 (MAGIC2) */
	uint64_t xfeatures;
	uint32_t xstate_size;
	uint32_t padding[7];
};

static uint64_t xcr0(void)
{
	uint32_t lo, hi;

	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((uint64_t)hi << 32) | lo;
}

/* The user xfeatures of a frame: the host's XCR0 without AMX tile data,
 * which a guest can never get permission for (as Linux's default
 * fpstate without ARCH_REQ_XCOMP_PERM). */
static uint64_t frame_xfeatures(void)
{
	static uint64_t mask;

	if (!mask)
		mask = xcr0() & ~XFEATURE_MASK_XTILEDATA;
	return mask;
}

size_t um_xstate_size(void)
{
	static size_t size;
	unsigned int a, b, c, d;
	uint64_t mask;

	if (size)
		return size;
	size = FXSAVE_SIZE + 64;
	mask = frame_xfeatures();
	for (int i = 2; i < 64; i++) {
		if (!(mask & (1ULL << i)))
			continue;
		__cpuid_count(0xd, i, a, b, c, d);
		if (a && b + a > size)
			size = b + a;	/* standard format: offset + size */
	}
	return size;
}

/* ---- the alternate signal stack (Linux include/linux/sched/signal.h) ---- */

static bool __on_sig_stack(const struct task *t, unsigned long sp)
{
	unsigned long base = (unsigned long)t->sas.ss_sp;

	return sp > base && sp - base <= t->sas.ss_size;
}

static bool on_sig_stack(const struct task *t, unsigned long sp)
{
	if (t->sas.ss_flags & SS_AUTODISARM)
		return false;	/* by construction, not on it */
	return __on_sig_stack(t, sp);
}

static int sas_ss_flags(const struct task *t, unsigned long sp)
{
	if (!t->sas.ss_size)
		return SS_DISABLE;
	return on_sig_stack(t, sp) ? SS_ONSTACK : 0;
}

/* ---- frames ---- */

/* Where the frame and its xsave area go (Linux get_sigframe); 0 when the
 * alternate stack would overflow (the task dies of SIGSEGV). */
static unsigned long get_sigframe(struct task *t, const struct ksignal *ks,
				  unsigned long *fpstate)
{
	unsigned long sp = t->regs.rsp;
	bool nested = on_sig_stack(t, sp), entering = false;

	sp -= 128;			/* the red zone */
	if ((ks->ka.flags & SA_ONSTACK) && sas_ss_flags(t, sp) == 0) {
		sp = (unsigned long)t->sas.ss_sp + t->sas.ss_size;
		entering = true;
	}
	sp = ALIGN_DOWN(sp - (um_xstate_size() + 4), 64);
	*fpstate = sp;
	sp = ALIGN_DOWN(sp - sizeof(struct rt_sigframe), 16) - 8;
	if ((nested || entering) && !__on_sig_stack(t, sp))
		return 0;
	return sp;
}

static void fill_sigcontext(struct sigcontext_64 *sc, const struct task *t,
			    const struct ksignal *ks, uint64_t oldmask,
			    unsigned long fpstate)
{
	const struct user_regs_struct *r = &t->regs;

	sc->r8 = r->r8; sc->r9 = r->r9; sc->r10 = r->r10; sc->r11 = r->r11;
	sc->r12 = r->r12; sc->r13 = r->r13; sc->r14 = r->r14;
	sc->r15 = r->r15; sc->di = r->rdi; sc->si = r->rsi; sc->bp = r->rbp;
	sc->bx = r->rbx; sc->dx = r->rdx; sc->ax = r->rax; sc->cx = r->rcx;
	sc->sp = r->rsp; sc->ip = r->rip; sc->flags = r->eflags;
	sc->cs = r->cs;
	sc->ss = r->ss;
	sc->oldmask = oldmask;
	sc->fpstate = fpstate;
	/* What the host's trap told (Linux's thread.trap_nr, error_code,
	 * cr2): ptrace does not report the page fault error code, so err
	 * says only user mode and, for SEGV_ACCERR, a present page. */
	switch (ks->info.si_signo) {
	case SIGSEGV:
	case SIGBUS:
		if (ks->info.si_code > 0) {
			sc->trapno = 14;
			sc->err = 4 | (ks->info.si_code == SEGV_ACCERR);
			sc->cr2 = (unsigned long)ks->info.si_addr;
		}
		break;
	case SIGFPE:
		sc->trapno = ks->info.si_code == FPE_INTDIV ? 0 : 19;
		break;
	case SIGILL:
		sc->trapno = ks->info.si_code > 0 ? 6 : 0;
		break;
	case SIGTRAP:
		sc->trapno = ks->info.si_code > 0 ? 3 : 0;
		break;
	}
}

/* The guest's FPU state, as a signal frame carries it, into buf
 * (um_xstate_size() + 4 bytes): software bytes and MAGIC2 filled in. */
static int save_fpstate(struct task *t, unsigned char *buf)
{
	size_t size = um_xstate_size();
	struct fpx_sw_bytes sw = {
		.magic1 = FP_XSTATE_MAGIC1,
		.extended_size = size + 4,
		.xfeatures = frame_xfeatures(),
		.xstate_size = size,
	};
	uint32_t magic2 = FP_XSTATE_MAGIC2;
	uint64_t bv;

	if (um_mode->get_fpregs(t, buf, size) < 0)
		return -EFAULT;
	memcpy(&bv, buf + XSTATE_BV_OFF, 8);
	bv &= frame_xfeatures();
	memcpy(buf + XSTATE_BV_OFF, &bv, 8);
	memcpy(buf + SW_BYTES_OFF, &sw, sizeof(sw));
	memcpy(buf + size, &magic2, 4);
	return 0;
}

/* A clean FPU for a handler, as Linux's fpu__clear_user_states: every
 * component in its init state, x87 and MXCSR at their defaults. */
static int clear_fpstate(struct task *t, unsigned char *buf)
{
	size_t size = um_xstate_size();
	uint16_t fcw = 0x37f;
	uint32_t mxcsr = 0x1f80, mxcsr_mask;

	if (um_mode->get_fpregs(t, buf, size) < 0)
		return -EFAULT;
	memcpy(&mxcsr_mask, buf + MXCSR_OFF + 4, 4);
	memset(buf, 0, size);
	memcpy(buf, &fcw, 2);
	memcpy(buf + MXCSR_OFF, &mxcsr, 4);
	memcpy(buf + MXCSR_OFF + 4, &mxcsr_mask, 4);
	return um_mode->set_fpregs(t, buf, size);
}

/*
 * Build the frame of ks on t's stack and point t's registers at the
 * handler (Linux x64_setup_rt_frame). 0, or -EFAULT when the frame cannot
 * be written (the caller kills with SIGSEGV).
 */
static int setup_rt_frame(struct task *t, struct ksignal *ks, uint64_t oldmask)
{
	size_t fpsize = um_xstate_size() + 4;
	unsigned char *fpbuf;
	struct rt_sigframe frame;
	unsigned long sp, fpstate;
	int err = -EFAULT;

	if (!(ks->ka.flags & SA_RESTORER))
		return -EFAULT;
	if (um_mode->get_regs(t) < 0)
		return -EFAULT;
	sp = get_sigframe(t, ks, &fpstate);
	if (!sp)
		return -EFAULT;
	fpbuf = kmalloc(fpsize);
	if (!fpbuf)
		return -ENOMEM;
	memset(&frame, 0, sizeof(frame));
	frame.pretcode = ks->ka.restorer;
	frame.uc.uc_flags = UC_FP_XSTATE | UC_SIGCONTEXT_SS |
			    UC_STRICT_RESTORE_SS;
	frame.uc.uc_stack.ss_sp = (unsigned long)t->sas.ss_sp;
	frame.uc.uc_stack.ss_flags = sas_ss_flags(t, t->regs.rsp) |
				     (t->sas.ss_flags & SS_AUTODISARM);
	frame.uc.uc_stack.ss_size = t->sas.ss_size;
	fill_sigcontext(&frame.uc.uc_mcontext, t, ks, oldmask, fpstate);
	frame.uc.uc_sigmask = oldmask;
	if (ks->ka.flags & SA_SIGINFO)
		frame.info = ks->info;
	if (save_fpstate(t, fpbuf) < 0 ||
	    copy_to_user_stack(UPTR(fpstate), fpbuf, fpsize) ||
	    copy_to_user_stack(UPTR(sp), &frame, sizeof(frame)))
		goto out;
	t->regs.rdi = ks->sig;
	t->regs.rax = 0;
	t->regs.rsi = sp + offsetof(struct rt_sigframe, info);
	t->regs.rdx = sp + offsetof(struct rt_sigframe, uc);
	t->regs.rip = ks->ka.handler;
	t->regs.rsp = sp;
	t->regs.cs = __USER_CS;
	t->regs.ss = __USER_DS;
	t->regs.eflags &= ~(X86_EFLAGS_DF | X86_EFLAGS_RF | X86_EFLAGS_TF);
	t->regs.orig_rax = -1;
	err = clear_fpstate(t, fpbuf) < 0 ? -EFAULT : 0;
out:
	kfree(fpbuf);
	return err;
}

void handle_signal(struct task *t, struct ksignal *ks)
{
	uint64_t oldmask = t->restore_sigmask ? t->saved_sigmask : t->blocked;

	umk_stats.signals_injected++;
	if (setup_rt_frame(t, ks, oldmask)) {
		force_sigsegv(t, ks->sig);
		return;
	}
	signal_delivered(t, ks);
}

/* ---- rt_sigreturn ---- */

/*
 * The FPU state a frame points at (Linux fpu__restore_sig): a full xsave
 * area when its software bytes say so, else the legacy FXSAVE part only;
 * no area at all resets the FPU. The host refuses a corrupt header or
 * MXCSR (-EINVAL) as the CPU's XRSTOR would fault: the caller then kills
 * with SIGSEGV.
 */
static int restore_fpstate(struct task *t, unsigned long fpstate)
{
	size_t size = um_xstate_size();
	unsigned char *buf;
	struct fpx_sw_bytes sw;
	uint32_t magic2;
	uint64_t bv, features;
	int err = -EFAULT;

	buf = kzalloc(size);
	if (!buf)
		return -ENOMEM;
	if (!fpstate) {
		err = clear_fpstate(t, buf);
		goto out;
	}
	if (copy_from_user(&sw, UPTR(fpstate + SW_BYTES_OFF), sizeof(sw)))
		goto out;
	features = sw.xfeatures;
	if (sw.magic1 != FP_XSTATE_MAGIC1 ||
	    sw.xstate_size < FXSAVE_SIZE + 64 || sw.xstate_size > size ||
	    sw.xstate_size > sw.extended_size ||
	    copy_from_user(&magic2, UPTR(fpstate + sw.xstate_size), 4) ||
	    magic2 != FP_XSTATE_MAGIC2) {
		/* No valid xstate: the legacy region alone (fx_only). */
		sw.xstate_size = FXSAVE_SIZE;
		features = XFEATURE_MASK_FPSSE;
	}
	if (copy_from_user(buf, UPTR(fpstate), sw.xstate_size))
		goto out;
	if (sw.xstate_size == FXSAVE_SIZE) {
		memset(buf + FXSAVE_SIZE, 0, size - FXSAVE_SIZE);
		bv = XFEATURE_MASK_FPSSE;
	} else {
		memcpy(&bv, buf + XSTATE_BV_OFF, 8);
		if (bv & ~xcr0()) {
			err = -EINVAL;
			goto out;
		}
		bv &= features & frame_xfeatures();
		/* XRSTOR loads MXCSR whenever SSE or AVX is requested, even
		 * with SSE in its init state: make the host load (and check)
		 * it too, with the xmm registers as that init state. */
		if ((features & XFEATURE_MASK_SSE_AVX) &&
		    !(bv & XFEATURE_MASK_SSE)) {
			memset(buf + XMM_OFF, 0, XMM_SIZE);
			bv |= XFEATURE_MASK_SSE;
		}
	}
	memcpy(buf + XSTATE_BV_OFF, &bv, 8);
	memset(buf + SW_BYTES_OFF, 0, FXSAVE_SIZE - SW_BYTES_OFF);
	err = um_mode->set_fpregs(t, buf, size);
out:
	kfree(buf);
	return err;
}

/* Registers from a frame's sigcontext (Linux restore_sigcontext). */
static void restore_sigcontext(struct task *t, const struct sigcontext_64 *sc)
{
	struct user_regs_struct *r = &t->regs;

	r->r8 = sc->r8; r->r9 = sc->r9; r->r10 = sc->r10; r->r11 = sc->r11;
	r->r12 = sc->r12; r->r13 = sc->r13; r->r14 = sc->r14;
	r->r15 = sc->r15; r->rdi = sc->di; r->rsi = sc->si; r->rbp = sc->bp;
	r->rbx = sc->bx; r->rdx = sc->dx; r->rax = sc->ax; r->rcx = sc->cx;
	r->rsp = sc->sp; r->rip = sc->ip;
	/* Force CPL 3 (user) selectors; a bad one faults on the way out. */
	r->cs = sc->cs | 3;
	r->ss = sc->ss | 3;
	r->eflags = (r->eflags & ~FIX_EFLAGS) | (sc->flags & FIX_EFLAGS);
	r->orig_rax = -1;
}

/*
 * rt_sigreturn(2): the handler's `ret` popped pretcode, so the frame
 * starts 8 bytes below rsp. A frame that cannot be read, or whose FPU
 * state the host refuses, kills the task with SIGSEGV (Linux's badframe).
 * The result is the restored rax, which the syscall exit path leaves be.
 */
SYSCALL_DEFINE0(rt_sigreturn)
{
	struct task *t = current;
	struct rt_sigframe frame;
	unsigned long addr;

	if (um_mode->get_regs(t) < 0)
		return -ESRCH;
	addr = t->regs.rsp - 8;
	if (copy_from_user(&frame, UPTR(addr), sizeof(frame)))
		goto badframe;
	set_current_blocked(frame.uc.uc_sigmask);
	restore_sigcontext(t, &frame.uc.uc_mcontext);
	if (restore_fpstate(t, frame.uc.uc_mcontext.fpstate))
		goto badframe;
	restore_altstack(t, frame.uc.uc_stack.ss_sp, frame.uc.uc_stack.ss_flags,
			 frame.uc.uc_stack.ss_size);
	t->in_syscall = false;		/* nothing to restart */
	return t->regs.rax;

badframe:
	t->in_syscall = false;
	force_sigsegv(t, SIGSEGV);
	return t->regs.rax;
}
