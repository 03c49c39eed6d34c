/*
 * Regression: rt_sigreturn may load any CPL-3 code and stack selectors and
 * the AC flag, as on Linux, where the bad selector faults on the way out
 * (SIGSEGV). umk then ran its stub calls for that task (the futex wake of
 * CLONE_CHILD_CLEARTID at exit, a thread's exit) with the guest's
 * registers, bad selectors included: the stub faulted at once, the fault
 * was dropped and the call resumed, forever; the task never died and umk
 * hung (found by tests/fuzz's sysfuzz). Each case must end with SIGSEGV,
 * as on Linux.
 */
#include "guest.h"
#include <pthread.h>
#include <sys/ucontext.h>

static int tid_word;

/* rt_sigreturn to a frame whose cs and ss are 3 (null selector, RPL 3). */
static void bad_sigreturn(void)
{
	static unsigned long frame[512];
	ucontext_t *uc = (ucontext_t *)(frame + 1);	/* after pretcode */

	memset(frame, 0, sizeof(frame));
	uc->uc_mcontext.gregs[REG_RIP] = (unsigned long)&bad_sigreturn;
	uc->uc_mcontext.gregs[REG_RSP] = (unsigned long)(frame + 256);
	uc->uc_mcontext.gregs[REG_CSGSFS] = 3UL | 3UL << 48;	/* cs, ss */
	uc->uc_mcontext.gregs[REG_EFL] = 0x40202;		/* AC, IF */
	asm volatile("mov %0, %%rsp; mov $15, %%eax; syscall"
		     :: "r"(frame + 1) : "memory");
	_exit(99);
}

static void *thread_main(void *arg)
{
	bad_sigreturn();
	return NULL;
}

static void child(int how)
{
	pthread_t th;

	switch (how) {
	case 0:
		bad_sigreturn();
		break;
	case 1:	/* CLONE_CHILD_CLEARTID set: the exit wakes its futex */
		syscall(SYS_set_tid_address, &tid_word);
		bad_sigreturn();
		break;
	case 2:	/* in a vfork child sharing the parent's memory */
		if (syscall(SYS_vfork) == 0) {
			syscall(SYS_set_tid_address, &tid_word);
			bad_sigreturn();
		}
		_exit(3);
	case 3:	/* in a second thread */
		pthread_create(&th, NULL, thread_main, NULL);
		for (;;)
			pause();
	}
	_exit(98);
}

int main(void)
{
	static const char *const names[] = {
		"plain", "cleartid", "vfork child", "thread",
	};
	int i, st;

	for (i = 0; i < 4; i++) {
		pid_t pid = fork();

		if (pid == 0)
			child(i);
		waitpid(pid, &st, 0);
		say("%s: %s", names[i], wstr(st));
	}
	say("DONE regress_stub_selectors");
	return 0;
}
