/*
 * ptrace: one process tracing another. TRACEME and ATTACH stops, PEEK and
 * POKE, registers (GETREGS/SETREGS, PEEKUSER, the checks of putreg),
 * FPU state (GETFPREGS/SETFPREGS, NT_X86_XSTATE), syscall stops with
 * TRACESYSGOOD and PTRACE_GET_SYSCALL_INFO, changing and cancelling a
 * call, SYSEMU, single-stepping (over a syscall too), signal injection
 * and SETSIGINFO, PEEKSIGINFO, fork/exec/exit events, CLONE_PTRACE,
 * PTRACE_KILL, DETACH, and the errors of each (ESRCH, EPERM, EIO,
 * EINVAL, EFAULT). The seize/job-control half is ptrace_jobctl.c.
 */
#include "guest.h"
#include <sched.h>
#include <stddef.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <linux/elf.h>
#include <stdint.h>

/* glibc's sys/ptrace.h has these under other conditions. */
#ifndef PTRACE_SYSEMU
#define PTRACE_SYSEMU 31
#endif

static long pt(int req, pid_t pid, unsigned long addr, unsigned long data)
{
	return syscall(SYS_ptrace, req, pid, addr, data);
}

/* Wait for pid (all kinds of children); the raw status or -errno. */
static int wait_st(pid_t pid)
{
	int st;
	pid_t r;

	do
		r = waitpid(pid, &st, __WALL);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : st;
}

/* A stop's name: "stopped SIG", "event N", "syscall", or wstr. */
static const char *stopname(int st)
{
	static char buf[48];

	if (st < 0)
		return ename(-st);
	if (WIFSTOPPED(st) && (st >> 16))
		snprintf(buf, sizeof(buf), "event %d %s", st >> 16,
			 sigabbrev_np(WSTOPSIG(st)));
	else if (WIFSTOPPED(st) && WSTOPSIG(st) == (SIGTRAP | 0x80))
		snprintf(buf, sizeof(buf), "syscall-stop");
	else
		return wstr(st);
	return buf;
}

static volatile long target_word = 0x1111;
static char self_path[256];	/* this program, for exec */

/* A child that asks to be traced and stops itself. */
static pid_t traceme_child(void (*body)(void))
{
	pid_t pid = fork();

	if (pid == 0) {
		if (ptrace(PTRACE_TRACEME, 0, 0, 0) < 0)
			_exit(90);
		raise(SIGSTOP);
		body();
		_exit(0);
	}
	return pid;
}

static void body_word(void)
{
	_exit(target_word == 0x2222 ? 7 : 8);
}

static void test_peek_poke(void)
{
	pid_t pid = traceme_child(body_word);
	siginfo_t si;
	long v;

	say("traceme stop: %s", stopname(wait_st(pid)));
	ERR("getsiginfo", pt(PTRACE_GETSIGINFO, pid, 0, (unsigned long)&si));
	say("siginfo signo: %s", sigabbrev_np(si.si_signo));
	errno = 0;
	v = ptrace(PTRACE_PEEKDATA, pid, &target_word, 0);
	say("peekdata: %#lx %s", v, errno ? ename(errno) : "ok");
	ERR("peek via raw", pt(PTRACE_PEEKDATA, pid, (unsigned long)&target_word,
			       (unsigned long)&v));
	say("raw peek word: %#lx", v);
	ERR("peek unmapped", pt(PTRACE_PEEKDATA, pid,
				(unsigned long)unmapped_page(), (unsigned long)&v));
	ERR("peek to bad buffer", pt(PTRACE_PEEKDATA, pid,
				     (unsigned long)&target_word, (unsigned long)BAD1));
	ERR("poke unmapped", pt(PTRACE_POKEDATA, pid,
				(unsigned long)unmapped_page(), 1));
	ERR("poke", pt(PTRACE_POKEDATA, pid, (unsigned long)&target_word, 0x2222));
	/* Text is read-only for the child but not for its tracer. */
	errno = 0;
	v = ptrace(PTRACE_PEEKTEXT, pid, (void *)body_word, 0);
	ERR("poketext same word", ptrace(PTRACE_POKETEXT, pid, (void *)body_word,
					 (void *)v));
	ERR("bad request", pt(0x7777, pid, 0, 0));
	ERR("cont", pt(PTRACE_CONT, pid, 0, 0));
	ERR("cont while running", pt(PTRACE_CONT, pid, 0, 0));
	say("child: %s", stopname(wait_st(pid)));
	ERR("cont after death", pt(PTRACE_CONT, pid, 0, 0));
}

static void body_regs(void)
{
	/* getppid() with the tracer's rax: the call is cancelled at its
	 * entry stop and 4242 stands as its result. */
	long r = syscall(SYS_getppid);

	_exit(r == 4242 ? 7 : 8);
}

static void test_regs(void)
{
	pid_t pid = traceme_child(body_regs);
	struct user_regs_struct r, r2;
	long v;
	int st;

	wait_st(pid);
	ERR("getregs", pt(PTRACE_GETREGS, pid, 0, (unsigned long)&r));
	ERR("getregs bad buffer", pt(PTRACE_GETREGS, pid, 0, (unsigned long)BAD1));
	ERR("setregs bad buffer", pt(PTRACE_SETREGS, pid, 0, (unsigned long)BAD2));
	errno = 0;
	v = ptrace(PTRACE_PEEKUSER, pid, offsetof(struct user_regs_struct, rip), 0);
	yesno("peekuser rip == getregs rip", v == (long)r.rip && !errno);
	ERR("peekuser unaligned", pt(PTRACE_PEEKUSER, pid, 3, (unsigned long)&v));
	/* The kernel's struct user ends with error_code, fault_address. */
	ERR("peekuser last word", pt(PTRACE_PEEKUSER, pid,
				     sizeof(struct user) + 8, (unsigned long)&v));
	ERR("peekuser past struct user", pt(PTRACE_PEEKUSER, pid,
					    sizeof(struct user) + 16, (unsigned long)&v));
	ERR("peek dr7", pt(PTRACE_PEEKUSER, pid, offsetof(struct user, u_debugreg[7]),
			   (unsigned long)&v));
	say("dr7: %ld", v);
	ERR("poke dr7 zero", pt(PTRACE_POKEUSER, pid,
				offsetof(struct user, u_debugreg[7]), 0));
	ERR("poke dr4", pt(PTRACE_POKEUSER, pid,
			   offsetof(struct user, u_debugreg[4]), 0));
	/* putreg's checks. */
	r2 = r;
	r2.cs = 0x10;			/* RPL 0 */
	ERR("setregs cs rpl0", pt(PTRACE_SETREGS, pid, 0, (unsigned long)&r2));
	r2 = r;
	r2.ss = 0;
	ERR("setregs ss null", pt(PTRACE_SETREGS, pid, 0, (unsigned long)&r2));
	r2 = r;
	r2.fs_base = 0x800000000000UL;
	ERR("setregs fs_base kernel", pt(PTRACE_SETREGS, pid, 0, (unsigned long)&r2));
	ERR("pokeuser gs_base kernel", pt(PTRACE_POKEUSER, pid,
		offsetof(struct user_regs_struct, gs_base), -4096UL));
	ERR("pokeuser ds rpl0", pt(PTRACE_POKEUSER, pid,
		offsetof(struct user_regs_struct, ds), 0x18));
	ERR("setregs back", pt(PTRACE_SETREGS, pid, 0, (unsigned long)&r));
	/* Only the user flags change: IOPL, VM, IF stay as they were. */
	ERR("pokeuser eflags", pt(PTRACE_POKEUSER, pid,
		offsetof(struct user_regs_struct, eflags), ~0UL & ~0x100UL));
	v = ptrace(PTRACE_PEEKUSER, pid, offsetof(struct user_regs_struct, eflags), 0);
	say("eflags after ~0: %#lx", v & ~0x200UL);
	ERR("setregs restore", pt(PTRACE_SETREGS, pid, 0, (unsigned long)&r));
	/* On to getppid's entry: cancel it with orig_rax -1, rax 4242. */
	pt(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACESYSGOOD);
	for (;;) {
		pt(PTRACE_SYSCALL, pid, 0, 0);
		st = wait_st(pid);
		if (!WIFSTOPPED(st))
			break;
		pt(PTRACE_GETREGS, pid, 0, (unsigned long)&r);
		if (r.orig_rax == SYS_getppid) {
			say("entry rax: %lld", (long long)r.rax);
			r.orig_rax = -1;
			r.rax = 4242;
			pt(PTRACE_SETREGS, pid, 0, (unsigned long)&r);
			pt(PTRACE_SYSCALL, pid, 0, 0);
			st = wait_st(pid);
			pt(PTRACE_GETREGS, pid, 0, (unsigned long)&r);
			say("exit stop after cancel: %s rax %lld", stopname(st),
			    (long long)r.rax);
			pt(PTRACE_CONT, pid, 0, 0);
			st = wait_st(pid);
			break;
		}
	}
	say("child: %s", stopname(st));
}

static void body_syscalls(void)
{
	char c = 'x';
	long r;

	/* write(-5) is redirected to the pipe's fd 9 by the tracer; getuid's
	 * result is rewritten at its exit stop. */
	r = syscall(SYS_write, -5, &c, 1);
	if (r != 1)
		_exit(8);
	r = syscall(SYS_getuid);
	_exit(r == 77 ? 7 : 9);
}

static void test_syscall_stops(void)
{
	int p[2];
	pid_t pid;
	struct user_regs_struct r;
	struct __ptrace_syscall_info info;
	int st = 0, n = 0;
	char c = 0;
	long sz;

	if (pipe(p) || dup2(p[1], 9) < 0)
		return;
	pid = traceme_child(body_syscalls);
	close(9);
	close(p[1]);
	wait_st(pid);
	sz = pt(PTRACE_GET_SYSCALL_INFO, pid, sizeof(info), (unsigned long)&info);
	say("syscall info at signal stop: size %ld op %d", sz, info.op);
	ERR("setoptions bad", pt(PTRACE_SETOPTIONS, pid, 0, 0x80000000UL));
	ERR("setoptions", pt(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACESYSGOOD));
	for (;;) {
		if (pt(PTRACE_SYSCALL, pid, 0, 0) < 0)
			break;
		st = wait_st(pid);
		if (!WIFSTOPPED(st) || WSTOPSIG(st) != (SIGTRAP | 0x80))
			break;
		sz = pt(PTRACE_GET_SYSCALL_INFO, pid, sizeof(info),
			(unsigned long)&info);
		pt(PTRACE_GETREGS, pid, 0, (unsigned long)&r);
		if (info.op == PTRACE_SYSCALL_INFO_ENTRY &&
		    info.entry.nr == SYS_write && (int)info.entry.args[0] == -5) {
			say("write entry: size %ld arch %#x args %d %d", sz,
			    info.arch, (int)info.entry.args[0],
			    (int)info.entry.args[2]);
			yesno("info ip == rip", info.instruction_pointer == r.rip);
			r.rdi = 9;
			pt(PTRACE_SETREGS, pid, 0, (unsigned long)&r);
			n++;
		} else if (info.op == PTRACE_SYSCALL_INFO_EXIT && n == 1) {
			say("write exit: size %ld rval %lld error %d", sz,
			    (long long)info.exit.rval, info.exit.is_error);
			n++;
		} else if (info.op == PTRACE_SYSCALL_INFO_ENTRY &&
			   info.entry.nr == SYS_getuid) {
			say("getuid entry, short info: %ld",
			    pt(PTRACE_GET_SYSCALL_INFO, pid, 1, (unsigned long)&info));
			n++;
		} else if (info.op == PTRACE_SYSCALL_INFO_EXIT && n == 3) {
			say("getuid exit rval: %lld", (long long)info.exit.rval);
			r.rax = 77;
			pt(PTRACE_SETREGS, pid, 0, (unsigned long)&r);
			n++;
		}
	}
	say("child: %s", stopname(st));
	if (read(p[0], &c, 1) == 1)
		say("pipe got: %c", c);
	close(p[0]);
}

static void body_sysemu(void)
{
	long r = syscall(SYS_getppid);

	_exit(r == 55 ? 7 : 8);
}

static void test_sysemu(void)
{
	pid_t pid = traceme_child(body_sysemu);
	struct user_regs_struct r;
	int st, i;

	wait_st(pid);
	pt(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACESYSGOOD);
	for (i = 0; i < 100; i++) {
		pt(PTRACE_SYSEMU, pid, 0, 0);
		st = wait_st(pid);
		if (!WIFSTOPPED(st))
			break;
		pt(PTRACE_GETREGS, pid, 0, (unsigned long)&r);
		if (r.orig_rax == SYS_getppid) {
			r.rax = 55;
			pt(PTRACE_SETREGS, pid, 0, (unsigned long)&r);
			pt(PTRACE_CONT, pid, 0, 0);
			st = wait_st(pid);
			break;
		}
		/* Serve nothing else: run it for real. */
		pt(PTRACE_SYSCALL, pid, 0, 0);
		wait_st(pid);
	}
	say("sysemu child: %s", stopname(st));
}

extern char step_start[], step_syscall[], step_after[];

static void body_step(void)
{
	asm volatile("step_start:\n\tnop\n\tnop\n\tnop\n"
		     "\tmov $39, %%eax\n"		/* getpid */
		     "step_syscall:\n\tsyscall\n"
		     "step_after:\n\tnop\n" ::: "rax", "rcx", "r11", "memory");
	_exit(7);
}

static void test_singlestep(void)
{
	pid_t pid = traceme_child(body_step);
	struct user_regs_struct r;
	siginfo_t si;
	int st = 0, i;

	wait_st(pid);
	/* Step until the marked block (bounded). */
	for (i = 0; i < 200000; i++) {
		pt(PTRACE_SINGLESTEP, pid, 0, 0);
		st = wait_st(pid);
		if (!WIFSTOPPED(st))
			break;
		pt(PTRACE_GETREGS, pid, 0, (unsigned long)&r);
		if (r.rip == (unsigned long)step_start)
			break;
	}
	yesno("reached step_start", r.rip == (unsigned long)step_start);
	say("step stop: %s", stopname(st));
	pt(PTRACE_GETSIGINFO, pid, 0, (unsigned long)&si);
	say("step si_code: %d", si.si_code);
	yesno("TF hidden from the tracer", !(r.eflags & 0x100));
	for (i = 0; i < 4; i++) {
		pt(PTRACE_SINGLESTEP, pid, 0, 0);
		st = wait_st(pid);
	}
	pt(PTRACE_GETREGS, pid, 0, (unsigned long)&r);
	say("after 4 steps at step_syscall: %s",
	    r.rip == (unsigned long)step_syscall ? "yes" : "no");
	pt(PTRACE_SINGLESTEP, pid, 0, 0);
	st = wait_st(pid);
	pt(PTRACE_GETREGS, pid, 0, (unsigned long)&r);
	pt(PTRACE_GETSIGINFO, pid, 0, (unsigned long)&si);
	say("step over syscall: %s at step_after %s si_code %d", stopname(st),
	    r.rip == (unsigned long)step_after ? "yes" : "no", si.si_code);
	yesno("getpid ran", r.rax == (unsigned long)pid);
	pt(PTRACE_SINGLESTEP, pid, 0, 0);
	st = wait_st(pid);
	pt(PTRACE_GETREGS, pid, 0, (unsigned long)&r);
	pt(PTRACE_GETSIGINFO, pid, 0, (unsigned long)&si);
	say("step after syscall: +1 %s si_code %d",
	    r.rip == (unsigned long)step_after + 1 ? "yes" : "no", si.si_code);
	pt(PTRACE_CONT, pid, 0, 0);
	say("child: %s", stopname(wait_st(pid)));
}

static void body_fpu(void)
{
	unsigned long x;

	/* Stop again with xmm7 untouched in between, then read it. */
	asm volatile("syscall\n\tmovq %%xmm7, %0"
		     : "=r"(x)
		     : "a"(SYS_kill), "D"(getpid()), "S"(SIGSTOP)
		     : "rcx", "r11", "memory");
	_exit(x == 0x1122334455667788UL ? 7 : 8);
}

static void test_fpu(void)
{
	pid_t pid = traceme_child(body_fpu);
	struct user_fpregs_struct fp, fp2;
	struct iovec iov;
	unsigned char *xs;
	size_t big = 1 << 16;
	int st;

	wait_st(pid);
	pt(PTRACE_CONT, pid, 0, 0);
	st = wait_st(pid);
	say("second stop: %s", stopname(st));
	ERR("getfpregs", pt(PTRACE_GETFPREGS, pid, 0, (unsigned long)&fp));
	say("mxcsr: %#x fcw %#x", fp.mxcsr, fp.cwd);
	ERR("getfpregs bad buffer", pt(PTRACE_GETFPREGS, pid, 0, (unsigned long)BAD1));
	fp2 = fp;
	fp2.mxcsr |= 1U << 31;		/* reserved */
	ERR("setfpregs reserved mxcsr", pt(PTRACE_SETFPREGS, pid, 0, (unsigned long)&fp2));
	xs = calloc(1, big);
	iov.iov_base = xs;
	iov.iov_len = big;
	ERR("getregset xstate", pt(PTRACE_GETREGSET, pid, NT_X86_XSTATE, (unsigned long)&iov));
	yesno("xstate size sane", iov.iov_len >= 576 && iov.iov_len < big &&
	      iov.iov_len % 64 == 0);
	yesno("xstate starts as fpregs", memcmp(xs, &fp, 160) == 0);
	yesno("xcr0 has x87 and sse", (*(uint64_t *)(xs + 464) & 3) == 3);
	/* A short xstate write is refused; a whole one goes in. */
	iov.iov_len = 512;
	ERR("setregset xstate short", pt(PTRACE_SETREGSET, pid, NT_X86_XSTATE, (unsigned long)&iov));
	iov.iov_len = 12;
	ERR("getregset len%8", pt(PTRACE_GETREGSET, pid, NT_X86_XSTATE, (unsigned long)&iov));
	ERR("getregset bad type", pt(PTRACE_GETREGSET, pid, 0x7777, (unsigned long)&iov));
	ERR("getregset bad iovec", pt(PTRACE_GETREGSET, pid, NT_PRSTATUS, (unsigned long)BAD1));
	{
		struct user_regs_struct r;
		struct iovec ri = { &r, sizeof(r) + 64 };

		ERR("getregset prstatus", pt(PTRACE_GETREGSET, pid, NT_PRSTATUS, (unsigned long)&ri));
		say("prstatus len: %zu", ri.iov_len);
		ri.iov_len = 16;
		ERR("getregset prstatus short", pt(PTRACE_GETREGSET, pid, NT_PRSTATUS, (unsigned long)&ri));
		say("prstatus short len: %zu", ri.iov_len);
		ri.iov_len = 8;
		ERR("setregset prstatus one reg", pt(PTRACE_SETREGSET, pid, NT_PRSTATUS, (unsigned long)&ri));
	}
	/* xmm7's low quadword is bytes 160 + 7 * 16. */
	*(uint64_t *)((char *)fp.xmm_space + 7 * 16) = 0x1122334455667788UL;
	ERR("setfpregs", pt(PTRACE_SETFPREGS, pid, 0, (unsigned long)&fp));
	ERR("getfpregs again", pt(PTRACE_GETFPREGS, pid, 0, (unsigned long)&fp2));
	yesno("xmm7 as set", memcmp(&fp, &fp2, 160 + 8 * 16) == 0);
	free(xs);
	pt(PTRACE_CONT, pid, 0, 0);
	say("child: %s", stopname(wait_st(pid)));
}

static volatile int handled_sig, handled_val;

static void on_sig(int sig, siginfo_t *si, void *uc)
{
	handled_sig = sig;
	handled_val = si->si_value.sival_int;
}

static void body_signals(void)
{
	struct sigaction sa = { .sa_sigaction = on_sig, .sa_flags = SA_SIGINFO };
	union sigval v = { .sival_int = 7 };

	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	/* 1: suppressed by the tracer. 2: replaced by SIGUSR2. 3: value
	 * rewritten with SETSIGINFO. Ignored signals still stop a tracee. */
	signal(SIGWINCH, SIG_IGN);
	raise(SIGWINCH);
	sigqueue(getpid(), SIGUSR1, v);
	if (handled_sig)
		_exit(10);
	sigqueue(getpid(), SIGUSR1, v);
	if (handled_sig != SIGUSR2)
		_exit(11);
	handled_sig = 0;
	sigqueue(getpid(), SIGUSR1, v);
	_exit(handled_sig == SIGUSR1 && handled_val == 9 ? 7 : 12);
}

static void test_signals(void)
{
	pid_t pid = traceme_child(body_signals);
	siginfo_t si;
	int st;

	wait_st(pid);
	pt(PTRACE_CONT, pid, 0, 0);
	st = wait_st(pid);
	say("ignored signal stops: %s", stopname(st));
	pt(PTRACE_CONT, pid, 0, 0);
	st = wait_st(pid);
	pt(PTRACE_GETSIGINFO, pid, 0, (unsigned long)&si);
	say("stop 1: %s code %d value %d", stopname(st), si.si_code,
	    si.si_value.sival_int);
	ERR("cont bad signal", pt(PTRACE_CONT, pid, 0, 65));
	pt(PTRACE_CONT, pid, 0, 0);
	st = wait_st(pid);
	say("stop 2: %s", stopname(st));
	pt(PTRACE_CONT, pid, 0, SIGUSR2);
	st = wait_st(pid);
	say("stop 3: %s", stopname(st));
	pt(PTRACE_GETSIGINFO, pid, 0, (unsigned long)&si);
	si.si_value.sival_int = 9;
	ERR("setsiginfo", pt(PTRACE_SETSIGINFO, pid, 0, (unsigned long)&si));
	ERR("setsiginfo bad", pt(PTRACE_SETSIGINFO, pid, 0, (unsigned long)BAD1));
	pt(PTRACE_CONT, pid, 0, SIGUSR1);
	say("child: %s", stopname(wait_st(pid)));
}

static void body_peeksiginfo(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	sigprocmask(SIG_BLOCK, &set, NULL);
	for (int i = 1; i <= 3; i++) {
		union sigval v = { .sival_int = i };

		sigqueue(getpid(), SIGRTMIN, v);
	}
	raise(SIGSTOP);
	_exit(7);
}

static void test_peeksiginfo(void)
{
	pid_t pid = traceme_child(body_peeksiginfo);
	struct __ptrace_peeksiginfo_args a = { 0, PTRACE_PEEKSIGINFO_SHARED, 8 };
	siginfo_t si[8];
	uint64_t mask;
	long n;

	wait_st(pid);
	pt(PTRACE_CONT, pid, 0, 0);
	wait_st(pid);
	n = pt(PTRACE_PEEKSIGINFO, pid, (unsigned long)&a, (unsigned long)si);
	say("peeksiginfo shared: %ld values %d %d %d", n, si[0].si_value.sival_int,
	    si[1].si_value.sival_int, si[2].si_value.sival_int);
	a.off = 1;
	a.nr = 1;
	n = pt(PTRACE_PEEKSIGINFO, pid, (unsigned long)&a, (unsigned long)si);
	say("peeksiginfo off 1: %ld value %d", n, si[0].si_value.sival_int);
	a.flags = 0;
	a.off = 0;
	say("peeksiginfo private: %ld", pt(PTRACE_PEEKSIGINFO, pid,
					    (unsigned long)&a, (unsigned long)si));
	a.flags = 2;
	ERR("peeksiginfo bad flags", pt(PTRACE_PEEKSIGINFO, pid, (unsigned long)&a,
					(unsigned long)si));
	a.flags = 0;
	a.nr = -1;
	ERR("peeksiginfo nr -1", pt(PTRACE_PEEKSIGINFO, pid, (unsigned long)&a,
				    (unsigned long)si));
	a.flags = PTRACE_PEEKSIGINFO_SHARED;
	a.nr = 1;
	ERR("peeksiginfo to bad buffer", pt(PTRACE_PEEKSIGINFO, pid,
				    (unsigned long)&a, (unsigned long)BAD1));
	ERR("getsigmask", pt(PTRACE_GETSIGMASK, pid, 8, (unsigned long)&mask));
	say("sigmask has SIGRTMIN: %s", (mask >> (SIGRTMIN - 1)) & 1 ? "yes" : "no");
	ERR("getsigmask size 4", pt(PTRACE_GETSIGMASK, pid, 4, (unsigned long)&mask));
	mask = ~0ULL;
	ERR("setsigmask", pt(PTRACE_SETSIGMASK, pid, 8, (unsigned long)&mask));
	pt(PTRACE_GETSIGMASK, pid, 8, (unsigned long)&mask);
	say("sigmask all but KILL/STOP: %s",
	    mask == (~0ULL & ~((1ULL << (SIGKILL - 1)) | (1ULL << (SIGSTOP - 1)))) ?
	    "yes" : "no");
	pt(PTRACE_KILL, pid, 0, 0);
	say("killed child: %s", stopname(wait_st(pid)));
}

static void body_events(void)
{
	pid_t c = fork();
	int st;

	if (c == 0)
		_exit(3);
	waitpid(c, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 3)
		_exit(20);
	c = vfork();
	if (c == 0)
		_exit(4);
	waitpid(c, &st, 0);
	execl(self_path, "ptrace", "exec-child", (char *)NULL);
	_exit(21);
}

/* Stops of one task, in order, for printing after the run: the stops
 * of different tasks interleave differently from run to run. */
struct stoplog {
	char text[512];
};

static void logstop(struct stoplog *l, const char *fmt, ...)
{
	size_t n = strlen(l->text);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(l->text + n, sizeof(l->text) - n, fmt, ap);
	va_end(ap);
}

static void test_events(void)
{
	pid_t pid = traceme_child(body_events), fork_c = 0, vfork_c = 0;
	struct stoplog logs[3] = { 0 };	/* child, fork child, vfork child */
	unsigned long msg;
	int st, i;

	wait_st(pid);
	ERR("setoptions events", pt(PTRACE_SETOPTIONS, pid, 0,
		PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
		PTRACE_O_TRACEVFORKDONE | PTRACE_O_TRACEEXEC |
		PTRACE_O_TRACEEXIT));
	pt(PTRACE_CONT, pid, 0, 0);
	for (i = 0; i < 30; i++) {
		struct stoplog *l = &logs[0];
		pid_t w;

		do
			w = waitpid(-1, &st, __WALL);
		while (w < 0 && errno == EINTR);
		if (w < 0)
			break;
		if (w != pid) {
			/* An auto-attached child may stop before its parent's
			 * event names it: tell them apart by what came first. */
			l = w == vfork_c ? &logs[2] : w == fork_c ? &logs[1] :
			    !fork_c || fork_c == w ? &logs[1] : &logs[2];
			if (!fork_c)
				fork_c = w;
			else if (w != fork_c && !vfork_c)
				vfork_c = w;
			logstop(l, " [%s]", stopname(st));
			if (WIFSTOPPED(st))
				pt(PTRACE_CONT, w, 0, 0);
			continue;
		}
		if (!WIFSTOPPED(st)) {
			logstop(l, " [%s]", stopname(st));
			break;
		}
		pt(PTRACE_GETEVENTMSG, pid, 0, (unsigned long)&msg);
		switch (st >> 16) {
		case PTRACE_EVENT_FORK:
			if (!fork_c)
				fork_c = msg;
			logstop(l, " [%s, the child %s]", stopname(st),
				(pid_t)msg == fork_c ? "yes" : "no");
			break;
		case PTRACE_EVENT_VFORK:
			if (!vfork_c)
				vfork_c = msg;
			/* fallthrough */
		case PTRACE_EVENT_VFORK_DONE:
			logstop(l, " [%s, the child %s]", stopname(st),
				(pid_t)msg == vfork_c ? "yes" : "no");
			break;
		case PTRACE_EVENT_EXEC:
			logstop(l, " [%s, its pid %s]", stopname(st),
				(pid_t)msg == pid ? "yes" : "no");
			break;
		case PTRACE_EVENT_EXIT:
			logstop(l, " [%s, %s]", stopname(st), wstr(msg));
			break;
		default:
			logstop(l, " [%s]", stopname(st));
		}
		pt(PTRACE_CONT, pid, 0, 0);
	}
	say("child:%s", logs[0].text);
	say("fork child:%s", logs[1].text);
	say("vfork child:%s", logs[2].text);
	/* The children were reaped by their parent once we had. */
	say("left over: %s", waitpid(-1, &st, __WALL | WNOHANG) < 0 ?
	    ename(errno) : "some");
}

static void test_legacy_exec_trap(void)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		execl(self_path, "ptrace", "exec-child", (char *)NULL);
		_exit(21);
	}
	st = wait_st(pid);
	say("exec without TRACEEXEC: %s", stopname(st));
	pt(PTRACE_DETACH, pid, 0, 0);
	say("child: %s", stopname(wait_st(pid)));
}

static void body_clone_ptrace(void)
{
	pid_t c = syscall(SYS_clone, CLONE_PTRACE | SIGCHLD, 0, 0, 0, 0);
	int st;

	if (c == 0)
		_exit(5);
	if (c < 0)
		_exit(30);
	waitpid(c, &st, 0);
	_exit(WIFEXITED(st) && WEXITSTATUS(st) == 5 ? 7 : 31);
}

static void test_clone_ptrace(void)
{
	pid_t pid = traceme_child(body_clone_ptrace);
	int st, i;

	wait_st(pid);
	pt(PTRACE_CONT, pid, 0, 0);
	for (i = 0; i < 10; i++) {
		pid_t w;

		do
			w = waitpid(-1, &st, __WALL);
		while (w < 0 && errno == EINTR);
		if (w < 0)
			break;
		say("%s: %s", w == pid ? "child" : "grandchild", stopname(st));
		if (w == pid && !WIFSTOPPED(st))
			break;
		if (WIFSTOPPED(st))
			pt(PTRACE_CONT, w, 0, 0);
	}
}

static void test_attach(void)
{
	int p[2];
	pid_t pid, me = getpid();
	char c;
	int st;

	if (pipe(p))
		return;
	pid = fork();
	if (pid == 0) {
		close(p[1]);
		/* Wait for the tracer's byte; the attach stop interrupts
		 * the read, which restarts. */
		if (read(p[0], &c, 1) != 1)
			_exit(40);
		_exit(c == 'g' ? 7 : 41);
	}
	close(p[0]);
	ERR("attach self", pt(PTRACE_ATTACH, me, 0, 0));
	ERR("attach none", pt(PTRACE_ATTACH, 999999, 0, 0));
	ERR("getregs not traced", pt(PTRACE_GETREGS, pid, 0, 0));
	ERR("attach", pt(PTRACE_ATTACH, pid, 0, 0));
	ERR("attach twice", pt(PTRACE_ATTACH, pid, 0, 0));
	st = wait_st(pid);
	say("attach stop: %s", stopname(st));
	ERR("interrupt not seized", pt(PTRACE_INTERRUPT, pid, 0, 0));
	ERR("listen not seized", pt(PTRACE_LISTEN, pid, 0, 0));
	ERR("detach bad signal", pt(PTRACE_DETACH, pid, 0, 100));
	ERR("detach", pt(PTRACE_DETACH, pid, 0, 0));
	ERR("getregs after detach", pt(PTRACE_GETREGS, pid, 0, 0));
	if (write(p[1], "g", 1) != 1)
		say("write: %s", ename(errno));
	close(p[1]);
	say("child: %s", reap(pid));
}

int main(int argc, char **argv)
{
	test_start();
	if (argc > 1 && !strcmp(argv[1], "exec-child"))
		return 6;
	/* run.sh starts it by its absolute path (there may be no /proc). */
	snprintf(self_path, sizeof(self_path), "%s", argv[0]);
	test_peek_poke();
	test_regs();
	test_syscall_stops();
	test_sysemu();
	test_singlestep();
	test_fpu();
	test_signals();
	test_peeksiginfo();
	test_events();
	test_legacy_exec_trap();
	test_clone_ptrace();
	test_attach();
	say("DONE ptrace");
	return 0;
}
