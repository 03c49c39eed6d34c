/*
 * Guest code jumps into the stub's code: its syscall instruction with a
 * host-file request in the registers (from main and from a signal
 * handler), and its batch runner. The stub runs host calls only for the
 * kernel; guest code reaching its instructions makes ordinary guest calls
 * (served by umk in the guest's VFS, where CANARY does not exist), and the
 * stub's int3 that follows is a SIGTRAP for the guest (ptrace modes), or
 * its process is killed (seccomp mode: a stub address that is none of the
 * filter's sites). Each jump runs in a child; its fate is printed.
 */
#include "probe.h"

/* Call the stub's `syscall; int3` with a creat(path) request; returns the
 * rax the stub left, read in the SIGTRAP handler's context. */
static volatile long trap_rax = 1;
static sigjmp_buf jb;

static void trap(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	(void)sig;
	(void)si;
	trap_rax = uc->uc_mcontext.gregs[REG_RAX];
	siglongjmp(jb, 1);
}

static const char *jump(unsigned long target, const char *path)
{
	static char out[64];

	trap_rax = 1;
	if (!sigsetjmp(jb, 1)) {
		asm volatile("mov %0, %%rdi\n\t"
			     "mov $0644, %%esi\n\t"
			     "mov $85, %%eax\n\t"		/* creat */
			     "call *%1"
			     : : "r"(path), "r"(target)
			     : "rax", "rdi", "rsi", "rcx", "r11", "memory");
		return "returned";
	}
	if (trap_rax < 0 && trap_rax > -4096)
		snprintf(out, sizeof(out), "SIGTRAP after %s", err_name(-trap_rax));
	else
		snprintf(out, sizeof(out), "SIGTRAP after %ld", trap_rax);
	return out;
}

static void from_handler(int sig)
{
	(void)sig;
	say("jump_syscall_from_handler: %s", jump(STUB_SYSCALL, canary_created));
}

/* Run one jump in a child; print its line, or how it died. */
static void in_child(const char *name, void (*fn)(void))
{
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		fn();
		_exit(0);
	}
	waitpid(pid, &st, 0);
	if (WIFSIGNALED(st))
		say("%s: killed by SIG%s", name, sigabbrev_np(WTERMSIG(st)));
}

static void setup(void)
{
	struct sigaction sa = { .sa_sigaction = trap,
				.sa_flags = SA_SIGINFO | SA_NODEFER };
	struct sigaction su = { .sa_handler = from_handler };

	sigaction(SIGTRAP, &sa, NULL);
	sigaction(SIGUSR1, &su, NULL);
}

static void case_syscall(void)
{
	setup();
	say("jump_syscall: %s", jump(STUB_SYSCALL, canary_created));
}

static void case_handler(void)
{
	setup();
	raise(SIGUSR1);
}

static void case_batch(void)
{
	setup();
	say("jump_batch: %s", strncmp(jump(STUB_BATCH, canary_created),
				     "SIGTRAP", 7) ? "no trap" : "SIGTRAP");
}

int main(int argc, char **argv)
{
	canary_init(argc, argv);
	in_child("jump_syscall", case_syscall);
	in_child("jump_syscall_from_handler", case_handler);
	in_child("jump_batch", case_batch);
	say("DONE stub_jump");
	return 0;
}
