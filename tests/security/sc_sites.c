/*
 * seccomp mode: guest code jumps to each of the stub's syscall sites with
 * registers of its own choosing, as an attacker in the same address space
 * as the stub can. A guest thread's own filter allows only the handler's
 * calls there, with their arguments pinned: the service thread's calls
 * (clone, mmap, exec, recvmsg), the start-up calls (sigaction, sigaltstack,
 * seccomp), a PI futex, a signal mask other than the interrupt's, a write
 * to any fd but the doorbell, all kill the process. What passes is
 * harmless to anyone but the caller: a futex wake on its own word, a
 * doorbell ring, its own TLS base. Each attempt runs in a child. Outside
 * seccomp mode the probe says so and does nothing.
 */
#include "probe.h"
#include <sched.h>
#include <sys/mount.h>

#define SITE(off)	(STUB_CODE + (off))
/* stub_seccomp.h: the address of each `syscall` instruction. */
#define SVC_SYSCALL	SITE(0x200)
#define SVC_FUTEX	SITE(0x280)
#define SVC_DOORBELL	SITE(0x2c0)
#define BOOT_SYSCALL	SITE(0x340)
#define BOOT_SAS	SITE(0x380)
#define BOOT_SECCOMP	SITE(0x3c0)
#define H_FUTEX		SITE(0x440)
#define H_DOORBELL	SITE(0x480)
#define H_SIGMASK	SITE(0x4c0)
#define H_ARCH_PRCTL	SITE(0x540)

static unsigned int word;
static unsigned long block_sys = 1UL << (SIGSYS - 1);

/* Execute `syscall` at site with the registers given; every site's next
 * instructions either return (ret) or loop into the stub, so the call's
 * result is read from rax by a SIGTRAP/SIGSEGV-free path: the child exits
 * with its low byte once the call came back. */
static void __attribute__((noreturn)) at_site(unsigned long site, long nr,
					       long a0, long a1, long a2,
					       long a3)
{
	long ret;

	/* Push a return address: the helper sites end in `ret`. */
	asm volatile("lea 1f(%%rip), %%rcx\n\t"
		     "push %%rcx\n\t"
		     "mov %5, %%r10\n\t"
		     "jmp *%1\n"
		     "1:"
		     : "=a"(ret)
		     : "r"(site), "a"(nr), "D"(a0), "S"(a1), "r"(a3), "d"(a2)
		     : "rcx", "r10", "r11", "memory");
	_exit(ret == 8 ? 8 : ret < 0 ? 100 + (int)(-ret & 0x7f) : 0);
}

static void attempt(const char *name, unsigned long site, long nr, long a0,
		    long a1, long a2, long a3)
{
	int st;
	pid_t pid = fork();

	if (pid == 0)
		at_site(site, nr, a0, a1, a2, a3);
	waitpid(pid, &st, 0);
	if (WIFSIGNALED(st))
		say("%s: killed by SIG%s", name, sigabbrev_np(WTERMSIG(st)));
	else
		say("%s: returned (exit %d)", name, WEXITSTATUS(st));
}

static bool seccomp_mode(void)
{
	char buf[4096] = "";
	int fd = open("/proc/cmdline", O_RDONLY);

	if (fd < 0) {
		mount("proc", "/proc", "proc", 0, NULL);
		fd = open("/proc/cmdline", O_RDONLY);
	}
	if (fd >= 0 && read(fd, buf, sizeof(buf) - 1) < 0)
		buf[0] = 0;
	if (fd >= 0)
		close(fd);
	return strstr(buf, "mode=seccomp") != NULL;
}

int main(int argc, char **argv)
{
	canary_init(argc, argv);
	if (!seccomp_mode()) {
		say("not seccomp mode: the stub has no such sites");
		say("DONE sc_sites");
		return 0;
	}
	/* The service thread's calls. */
	attempt("svc_clone_process", SVC_SYSCALL, SYS_clone,
		CLONE_PARENT | SIGCHLD, 0, 0, 0);
	attempt("svc_mmap", SVC_SYSCALL, SYS_mmap, 0, 4096, 3, 0x22);
	attempt("svc_futex_wait", SVC_FUTEX, SYS_futex, (long)&word, 0, 1, 0);
	attempt("svc_doorbell", SVC_DOORBELL, SYS_write, 5,
		(long)&block_sys, 8, 0);
	/* A process's start-up. */
	attempt("boot_sigaction_sys_ignored", BOOT_SYSCALL, SYS_rt_sigaction,
		SIGSYS, 0, 0, 8);
	attempt("boot_memfd", BOOT_SYSCALL, SYS_memfd_create, (long)"x", 0, 0, 0);
	attempt("boot_sigaltstack", BOOT_SAS, SYS_sigaltstack, 0, 0, 0, 0);
	attempt("boot_seccomp", BOOT_SECCOMP, SYS_seccomp, 0, 0, 0, 0);
	/* The handler's own calls, with hostile arguments... */
	attempt("h_futex_lock_pi", H_FUTEX, SYS_futex, (long)&word, 6, 0, 0);
	attempt("h_sigmask_block_sigsys", H_SIGMASK, SYS_rt_sigprocmask,
		SIG_BLOCK, (long)&block_sys, 0, 8);
	attempt("h_doorbell_other_fd", H_DOORBELL, SYS_write, 1,
		(long)"x", 1, 0);
	attempt("h_arch_prctl_other_code", H_ARCH_PRCTL, SYS_arch_prctl,
		0x3001 /* ARCH_CET_STATUS */, 0, 0, 0);
	/* ...and harmless ones, which pass. */
	attempt("h_futex_wake_own_word", H_FUTEX, SYS_futex, (long)&word, 1,
		1, 0);
	attempt("h_doorbell_ring", H_DOORBELL, SYS_write, 5, (long)&block_sys,
		8, 0);
	say("DONE sc_sites");
	return 0;
}
