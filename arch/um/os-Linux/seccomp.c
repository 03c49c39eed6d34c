/*
 * The seccomp filters, built with libseccomp (DESIGN.md, "Security"):
 *
 * - The guest filter, which every guest host process runs under from
 *   before its first guest instruction (installed by the stub in the first
 *   process and inherited by every later one). A host system call is
 *   allowed only from the stub's two syscall instructions
 *   (seccomp_data.instruction_pointer, checked by a raw BPF prefix that
 *   libseccomp cannot express) and only if it is one the stub makes for the
 *   kernel; anything else kills the process. In tt mode getpid() passes
 *   from anywhere: it is what the kernel nulls a guest's call to; and a
 *   call the tracer cancelled (number -1, which runs nothing) passes too.
 * - umk's own sandbox, over all its threads after boot (as gVisor's
 *   sentry): an allowlist of what the kernel thread, libext2fs and the
 *   helper threads use. A call outside it ends umk with a log line naming
 *   it (SECCOMP_RET_TRAP and a SIGSYS handler). Boot option `nosandbox`.
 */
#include <os.h>
#include <console_user.h>
#include <stub.h>
#include <stub_seccomp.h>
#include <errno.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#define DATA_OFF(f) offsetof(struct seccomp_data, f)

/* libseccomp's program for ctx, exported into a fresh array (*len
 * instructions), or NULL. */
static struct sock_filter *export_bpf(scmp_filter_ctx ctx, size_t *len)
{
	struct sock_filter *prog = NULL;
	int fd = memfd_create("umk-bpf", MFD_CLOEXEC);
	off_t size;

	if (fd < 0)
		return NULL;
	if (seccomp_export_bpf(ctx, fd) < 0)
		goto out;
	size = lseek(fd, 0, SEEK_END);
	if (size <= 0 || size % sizeof(*prog))
		goto out;
	prog = malloc(size);
	if (prog && pread(fd, prog, size, 0) != size) {
		free(prog);
		prog = NULL;
	}
	*len = size / sizeof(*prog);
out:
	close(fd);
	return prog;
}

/* The calls the stub makes for the kernel in a ptrace mode. */
static int guest_rules(scmp_filter_ctx ctx)
{
	static const int plain[] = {
		SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mprotect),
		SCMP_SYS(mremap), SCMP_SYS(madvise), SCMP_SYS(msync),
		SCMP_SYS(mlock), SCMP_SYS(munlock), SCMP_SYS(exit),
		SCMP_SYS(futex), SCMP_SYS(close), SCMP_SYS(clock_gettime),
	};
	const unsigned long clone_ok = CLONE_VM | CLONE_SIGHAND |
		CLONE_THREAD | CLONE_VFORK | CLONE_PARENT | CLONE_PTRACE |
		CSIGNAL;
	int err = 0;

	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]) && !err; i++)
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, plain[i], 0);
	if (!err)	/* no namespaces, no new fd tables or fs contexts */
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
				       SCMP_A0(SCMP_CMP_MASKED_EQ, ~clone_ok, 0));
	if (!err)	/* only a fresh stub image, from its sealed memfd */
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(execveat), 2,
				       SCMP_A0(SCMP_CMP_EQ, STUB_FD),
				       SCMP_A4(SCMP_CMP_EQ, AT_EMPTY_PATH));
	if (!err)	/* only umk's fd channel */
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(recvmsg), 1,
				       SCMP_A0(SCMP_CMP_EQ, STUB_SOCK_FD));
	return err;
}

const struct sock_filter *os_seccomp_guest_filter(bool allow_getpid,
						  size_t *len)
{
	static struct sock_filter *prog;
	static size_t prog_len;
	const uint32_t kill = SECCOMP_RET_KILL_PROCESS;
	struct sock_filter prefix[] = {
		/* 0 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, DATA_OFF(nr)),
		/* A call the tracer cancelled (number -1) runs nothing, in
		 * any ABI: tt's nulling of an int $0x80 call. */
		/* 1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ~0U, 5, 0),
		/* 2 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, DATA_OFF(arch)),
		/* 3 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		/* 4 */ BPF_STMT(BPF_RET | BPF_K, kill),
		/* 5 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, DATA_OFF(nr)),
		/* 6 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
				 allow_getpid ? SYS_getpid : ~0U, 0, 1),
		/* 7 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		/* 8 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
				 DATA_OFF(instruction_pointer) + 4),
		/* 9 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
				 (uint32_t)(STUB_CODE >> 32), 1, 0),
		/* 10 */ BPF_STMT(BPF_RET | BPF_K, kill),
		/* 11 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
				  DATA_OFF(instruction_pointer)),
		/* 12 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
				  (uint32_t)STUB_SYSCALL_IP, 2, 0),
		/* 13 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
				  (uint32_t)STUB_BATCH_IP, 1, 0),
		/* 14 */ BPF_STMT(BPF_RET | BPF_K, kill),
		/* 15: libseccomp's allowlist follows */
	};
	const size_t nprefix = sizeof(prefix) / sizeof(prefix[0]);
	struct sock_filter *rules = NULL;
	scmp_filter_ctx ctx;
	size_t nrules = 0;

	if (prog) {
		*len = prog_len;
		return prog;
	}
	ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!ctx)
		return NULL;
	if (seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
			     SCMP_ACT_KILL_PROCESS) == 0 &&
	    guest_rules(ctx) == 0)
		rules = export_bpf(ctx, &nrules);
	seccomp_release(ctx);
	if (!rules)
		return NULL;
	prog = malloc((nprefix + nrules) * sizeof(*prog));
	if (prog) {
		memcpy(prog, prefix, sizeof(prefix));
		memcpy(prog + nprefix, rules, nrules * sizeof(*prog));
		prog_len = nprefix + nrules;
		*len = prog_len;
	}
	free(rules);
	return prog;
}

/* ---- umk's own sandbox ---- */

/* Names of host syscalls for the violation message, resolved before the
 * filter is loaded (the handler must not allocate). */
static char *syscall_names[512];

static void put_str(const char *s)
{
	if (write(2, s, strlen(s)) < 0)
		return;
}

static void sandbox_violation(int sig, siginfo_t *si, void *uc)
{
	char num[24];
	int nr = si->si_syscall, i = sizeof(num) - 1;
	unsigned int v = nr < 0 ? 0 : nr;

	(void)sig;
	(void)uc;
	os_console_raw_restore();
	num[i] = 0;
	do {
		num[--i] = '0' + v % 10;
		v /= 10;
	} while (v && i > 0);
	put_str("\r\numk: sandbox: host system call ");
	put_str(nr >= 0 && nr < 512 && syscall_names[nr] ? syscall_names[nr]
							 : "?");
	put_str(" (");
	put_str(num + i);
	put_str(") is outside umk's seccomp allowlist; stopping (boot with "
		"nosandbox to debug)\r\n");
	_exit(1);
}

static const int sandbox_allowed[] = {
	/* memory */
	SCMP_SYS(brk), SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mprotect),
	SCMP_SYS(mremap), SCMP_SYS(madvise),
	/* host files umk opened itself: images, /proc of its guests, memfds */
	SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(pread64), SCMP_SYS(pwrite64),
	SCMP_SYS(readv), SCMP_SYS(writev), SCMP_SYS(preadv), SCMP_SYS(pwritev),
	SCMP_SYS(openat), SCMP_SYS(close), SCMP_SYS(fstat), SCMP_SYS(newfstatat),
	SCMP_SYS(statx), SCMP_SYS(lseek), SCMP_SYS(fsync), SCMP_SYS(fdatasync),
	SCMP_SYS(fallocate), SCMP_SYS(ftruncate), SCMP_SYS(memfd_create),
	SCMP_SYS(fcntl), SCMP_SYS(dup), SCMP_SYS(dup3), SCMP_SYS(ioctl),
	SCMP_SYS(flock), SCMP_SYS(getdents64), SCMP_SYS(fstatfs),
	SCMP_SYS(fadvise64),
	/* guests: tracing, their memory, their end */
	SCMP_SYS(ptrace), SCMP_SYS(wait4), SCMP_SYS(waitid),
	SCMP_SYS(process_vm_readv), SCMP_SYS(process_vm_writev),
	SCMP_SYS(kcmp), SCMP_SYS(kill), SCMP_SYS(tgkill), SCMP_SYS(tkill),
	/* a guest's RLIMIT_STACK on its host process, which grows the
	 * stack (kernel/sys.c, os_prlimit) */
	SCMP_SYS(prlimit64),
	/* the event loop, helper threads, timers */
	SCMP_SYS(epoll_create1), SCMP_SYS(epoll_ctl), SCMP_SYS(epoll_wait),
	SCMP_SYS(epoll_pwait), SCMP_SYS(epoll_pwait2), SCMP_SYS(poll),
	SCMP_SYS(ppoll), SCMP_SYS(eventfd2), SCMP_SYS(signalfd4),
	SCMP_SYS(pipe2), SCMP_SYS(futex), SCMP_SYS(futex_waitv),
	SCMP_SYS(socketpair), SCMP_SYS(sendmsg), SCMP_SYS(recvmsg),
	SCMP_SYS(sendto), SCMP_SYS(recvfrom),
	SCMP_SYS(clock_gettime), SCMP_SYS(clock_getres),
	SCMP_SYS(clock_nanosleep), SCMP_SYS(nanosleep), SCMP_SYS(gettimeofday),
	SCMP_SYS(timer_create), SCMP_SYS(timer_settime),
	SCMP_SYS(timer_gettime), SCMP_SYS(timer_delete),
	/* signals, threads, scheduling */
	SCMP_SYS(rt_sigaction), SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(rt_sigreturn), SCMP_SYS(sigaltstack),
	SCMP_SYS(rt_sigtimedwait), SCMP_SYS(getpid), SCMP_SYS(gettid),
	SCMP_SYS(getuid), SCMP_SYS(geteuid), SCMP_SYS(exit),
	SCMP_SYS(exit_group), SCMP_SYS(set_robust_list), SCMP_SYS(rseq),
	SCMP_SYS(sched_yield), SCMP_SYS(sched_getaffinity),
	SCMP_SYS(sched_setaffinity), SCMP_SYS(getcpu), SCMP_SYS(getrusage),
	SCMP_SYS(getrandom), SCMP_SYS(prctl), SCMP_SYS(uname),
	SCMP_SYS(sysinfo), SCMP_SYS(restart_syscall),
	/* seccomp mode: a guest process's own region (pidfd_getfd) */
	SCMP_SYS(pidfd_open), SCMP_SYS(pidfd_getfd),
	/* the guest's network: host sockets umk owns (kernel/net/inet.c) */
	SCMP_SYS(bind), SCMP_SYS(connect), SCMP_SYS(listen), SCMP_SYS(accept4),
	SCMP_SYS(shutdown), SCMP_SYS(getsockname), SCMP_SYS(getpeername),
	SCMP_SYS(setsockopt), SCMP_SYS(getsockopt),
	/* the mconsole (arch/um/drivers/mconsole_user.c): its socket was
	 * bound at boot; requests come with recvmsg, replies go with sendto
	 * (above); the umid directory is removed at exit through the fds
	 * kept for it (arch/um/os-Linux/umid.c) */
	SCMP_SYS(unlinkat),
	/* hostfs (kernel/fs/hostfs/hostfs_user.c): lookups are openat2
	 * beneath the share's fd (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
	 * RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV); the rest act on one name
	 * in a directory so resolved (never following it) or on an O_PATH fd
	 * through /proc/self/fd/N, umk's own view of its fd. None of them is
	 * ever given a guest-chosen path outside the share. */
	SCMP_SYS(openat2), SCMP_SYS(mkdirat), SCMP_SYS(mknodat),
	SCMP_SYS(symlinkat), SCMP_SYS(linkat), SCMP_SYS(renameat2),
	SCMP_SYS(readlinkat), SCMP_SYS(fchownat), SCMP_SYS(fchmodat),
	SCMP_SYS(utimensat), SCMP_SYS(getxattr), SCMP_SYS(setxattr),
	SCMP_SYS(listxattr), SCMP_SYS(removexattr),
#ifdef UMK_SANITIZE
	/* `make sanitize` only: what the ASan/UBSan runtimes call to write a
	 * report (/proc/self/maps, the program's path, the symbolizer). */
	SCMP_SYS(open), SCMP_SYS(readlink),
	SCMP_SYS(stat), SCMP_SYS(lstat), SCMP_SYS(access), SCMP_SYS(getppid),
	SCMP_SYS(prlimit64), SCMP_SYS(getrlimit), SCMP_SYS(sched_getparam),
#endif
};

/* socket(2) only for the families the guest's network uses (net=host
 * makes them in umk; net=private gets them from its helper). */
static const int sandbox_socket_domains[] = { AF_INET, AF_INET6, AF_NETLINK };

int os_sandbox_self(void)
{
	struct sigaction sa = { .sa_sigaction = sandbox_violation,
				.sa_flags = SA_SIGINFO };
	scmp_filter_ctx ctx;
	int err = 0;

	for (int nr = 0; nr < 512; nr++)
		syscall_names[nr] = seccomp_syscall_resolve_num_arch(
					SCMP_ARCH_NATIVE, nr);
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) < 0)
		return -errno;
	ctx = seccomp_init(SCMP_ACT_TRAP);
	if (!ctx)
		return -ENOMEM;
	for (size_t i = 0; i < sizeof(sandbox_allowed) /
			       sizeof(sandbox_allowed[0]) && !err; i++)
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, sandbox_allowed[i], 0);
	for (size_t i = 0; i < sizeof(sandbox_socket_domains) /
			       sizeof(sandbox_socket_domains[0]) && !err; i++)
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
				       SCMP_A0(SCMP_CMP_EQ,
					       sandbox_socket_domains[i]));
	/* Threads only: never a new host process out of umk after boot. */
	if (!err)
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
				       SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD,
					       CLONE_THREAD));
	/* clone3's flags are out of a filter's reach: glibc falls back. */
	if (!err)
		err = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS),
				       SCMP_SYS(clone3), 0);
	if (!err)
		err = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (!err)
		err = seccomp_load(ctx);
	seccomp_release(ctx);
	return err;
}

/* ---- seccomp mode's filters (stub_seccomp.h) ---- */

/* One site's allowlist: libseccomp rules, default kill. */
typedef int (*site_rules_fn)(scmp_filter_ctx ctx);

static int allow(scmp_filter_ctx ctx, const int *nrs, size_t n)
{
	int err = 0;

	for (size_t i = 0; i < n && !err; i++)
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nrs[i], 0);
	return err;
}

/* The service thread runs the kernel's commands: address space changes,
 * the three kinds of clone the kernel makes, a fresh stub image, the fd
 * channel. */
static int svc_rules(scmp_filter_ctx ctx)
{
	static const int plain[] = {
		SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mprotect),
		SCMP_SYS(mremap), SCMP_SYS(madvise), SCMP_SYS(msync),
		SCMP_SYS(mlock), SCMP_SYS(munlock), SCMP_SYS(close),
		SCMP_SYS(clock_gettime),
	};
	static const unsigned long clones[] = {
		CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
		CLONE_THREAD | CLONE_SYSVSEM | CLONE_CHILD_CLEARTID,
		CLONE_PARENT | SIGCHLD,
		CLONE_VM | CLONE_PARENT | SIGCHLD,
	};
	int err = allow(ctx, plain, sizeof(plain) / sizeof(plain[0]));

	for (size_t i = 0; i < 3 && !err; i++)
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
				       SCMP_A0(SCMP_CMP_EQ, clones[i]));
	if (!err)
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(execveat), 2,
				       SCMP_A0(SCMP_CMP_EQ, STUB_FD),
				       SCMP_A4(SCMP_CMP_EQ, AT_EMPTY_PATH));
	if (!err)
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(recvmsg), 1,
				       SCMP_A0(SCMP_CMP_EQ, STUB_SOCK_FD));
	return err;
}

static int svc_futex_rules(scmp_filter_ctx ctx)
{
	return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(futex), 1,
				SCMP_A1(SCMP_CMP_EQ, 0 /* FUTEX_WAIT */));
}

static int doorbell_rules(scmp_filter_ctx ctx)
{
	return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(write), 2,
				SCMP_A0(SCMP_CMP_EQ, STUB_DOORBELL_FD),
				SCMP_A2(SCMP_CMP_EQ, 8));
}

/* A process's start (before it has any guest thread). */
static int boot_rules(scmp_filter_ctx ctx)
{
	static const int plain[] = {
		SCMP_SYS(mmap), SCMP_SYS(mprotect), SCMP_SYS(madvise),
		SCMP_SYS(seccomp), SCMP_SYS(rt_sigaction),
		SCMP_SYS(rt_sigprocmask), SCMP_SYS(memfd_create),
		SCMP_SYS(ftruncate), SCMP_SYS(dup3), SCMP_SYS(close),
	};
	int err = allow(ctx, plain, sizeof(plain) / sizeof(plain[0]));

	if (!err)
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 2,
				       SCMP_A0(SCMP_CMP_EQ, PR_SET_PDEATHSIG),
				       SCMP_A1(SCMP_CMP_EQ, SIGKILL));
	return err ? err : doorbell_rules(ctx);
}

static int sas_rules(scmp_filter_ctx ctx)
{
	return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(sigaltstack), 0);
}

static int seccomp_rules(scmp_filter_ctx ctx)
{
	return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(seccomp), 0);
}

/* The handler's host call: a futex on the guest's own memory, never a PI
 * one (whose word names host tids). */
static int h_futex_rules(scmp_filter_ctx ctx)
{
	static const unsigned cmds[] = {
		0 /* WAIT */, 1 /* WAKE */, 3 /* REQUEUE */,
		4 /* CMP_REQUEUE */, 5 /* WAKE_OP */, 9 /* WAIT_BITSET */,
		10 /* WAKE_BITSET */,
	};
	const unsigned long cmd_mask = 0x7f;	/* ~PRIVATE, ~CLOCK_REALTIME */
	int err = 0;

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]) && !err; i++)
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(futex), 1,
				       SCMP_A1(SCMP_CMP_MASKED_EQ, cmd_mask,
					       cmds[i]));
	return err;
}

/* Only SC_SIG_INTR can be blocked or unblocked here. */
static int h_sigmask_rules(scmp_filter_ctx ctx)
{
	return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(rt_sigprocmask), 1,
				SCMP_A1(SCMP_CMP_EQ, (unsigned long)
					&SC_GLOBAL->intr_mask));
}

static int h_exit_rules(scmp_filter_ctx ctx)
{
	return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(exit), 0);
}

static int h_arch_prctl_rules(scmp_filter_ctx ctx)
{
	static const unsigned long codes[] = { 0x1001, 0x1002, 0x1003, 0x1004 };
	int err = 0;

	for (size_t i = 0; i < 4 && !err; i++)
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(arch_prctl), 1,
				       SCMP_A0(SCMP_CMP_EQ, codes[i]));
	return err;
}

static int h_sigreturn_rules(scmp_filter_ctx ctx)
{
	return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(rt_sigreturn), 0);
}

struct site {
	unsigned long insn;		/* the syscall instruction */
	site_rules_fn rules;
	bool guest;			/* also in a guest thread's filter */
};

static const struct site sites[] = {
	{ SC_SVC_SYSCALL, svc_rules, false },
	{ SC_SVC_FUTEX, svc_futex_rules, false },
	{ SC_SVC_DOORBELL, doorbell_rules, false },
	{ SC_BOOT_SYSCALL, boot_rules, false },
	{ SC_BOOT_SAS, sas_rules, false },
	{ SC_BOOT_SECCOMP, seccomp_rules, false },
	{ SC_H_FUTEX, h_futex_rules, true },
	{ SC_H_DOORBELL, doorbell_rules, true },
	{ SC_H_SIGMASK, h_sigmask_rules, true },
	{ SC_H_EXIT, h_exit_rules, true },
	{ SC_H_ARCH_PRCTL, h_arch_prctl_rules, true },
	{ SC_H_RESTORER, h_sigreturn_rules, true },
};
#define NSITES (sizeof(sites) / sizeof(sites[0]))

static struct sock_filter *site_program(site_rules_fn rules, size_t *len)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	struct sock_filter *prog = NULL;

	if (!ctx)
		return NULL;
	if (seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
			     SCMP_ACT_KILL_PROCESS) == 0 && rules(ctx) == 0)
		prog = export_bpf(ctx, len);
	seccomp_release(ctx);
	return prog;
}

/*
 * One filter: the arch and instruction-pointer dispatch, then each site's
 * program. Outside the stub, or another ABI: `outside` (TRAP for the
 * process filter, ALLOW for a guest thread's, whose process filter traps
 * anyway). A stub address that is not a listed site kills the process.
 */
static int build_sc_filter(bool guest, uint32_t outside, struct sock_filter *out,
			   size_t max, size_t *len)
{
	struct sock_filter *progs[NSITES] = { 0 };
	size_t plen[NSITES] = { 0 }, n = 0, nsites = 0, at;
	int err = -ENOMEM;

	for (size_t i = 0; i < NSITES; i++) {
		if (guest && !sites[i].guest)
			continue;
		progs[i] = site_program(sites[i].rules, &plen[i]);
		if (!progs[i])
			goto out;
		nsites++;
	}
	/* ld arch; jeq x86_64; ret outside; ld ip_hi; jeq stub; ret outside;
	 * ld ip_lo; jge stub's end; ret outside; then two instructions per
	 * site; ret kill. The stub is 16 MiB of a 4 GiB window whose rest a
	 * guest may map and run code in. */
	_Static_assert((uint32_t)STUB_START == 0 &&
		       STUB_END - STUB_START < 0x100000000UL,
		       "the stub starts a 4 GiB window");
	at = 9 + 2 * nsites + 1;
	if (at > max)
		goto out;
	out[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
						DATA_OFF(arch));
	out[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
						AUDIT_ARCH_X86_64, 1, 0);
	out[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, outside);
	out[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
				DATA_OFF(instruction_pointer) + 4);
	out[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
				(uint32_t)(STUB_CODE >> 32), 1, 0);
	out[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, outside);
	out[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
				DATA_OFF(instruction_pointer));
	out[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K,
				(uint32_t)(STUB_END - STUB_START), 0, 1);
	out[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, outside);
	for (size_t i = 0, start = at; i < NSITES; i++) {
		if (!progs[i])
			continue;
		/* jeq site, 0, 1 ; ja start_of_its_program */
		out[n] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
				(uint32_t)(sites[i].insn + 2), 0, 1);
		n++;
		out[n] = (struct sock_filter)BPF_STMT(BPF_JMP | BPF_JA,
						      start - (n + 1));
		n++;
		start += plen[i];
	}
	out[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
						SECCOMP_RET_KILL_PROCESS);
	for (size_t i = 0; i < NSITES; i++) {
		if (!progs[i])
			continue;
		if (n + plen[i] > max)
			goto out;
		memcpy(out + n, progs[i], plen[i] * sizeof(*out));
		n += plen[i];
	}
	*len = n;
	err = 0;
out:
	for (size_t i = 0; i < NSITES; i++)
		free(progs[i]);
	return err;
}

int os_seccomp_sc_filters(struct sock_filter *f0, size_t *n0,
			  struct sock_filter *f1, size_t *n1, size_t max)
{
	int err = build_sc_filter(false, SECCOMP_RET_TRAP, f0, max, n0);

	return err ? err : build_sc_filter(true, SECCOMP_RET_ALLOW, f1, max, n1);
}
