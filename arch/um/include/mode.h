/*
 * An interception mode: the engine that runs a task's guest code on its host
 * thread and turns what happens there (a system call, a fault, an interrupt,
 * the thread's death) into one decoded event for the kernel. The kernel
 * calls a mode only through this ops struct, chosen once at boot
 * (mode=skas|tt); it never includes a ptrace header and never knows which
 * mode runs. Mode-private state of a task lives in task->thread
 * (arch/um/include/thread.h), as Linux's thread_struct.
 *   skas/     PTRACE_SYSEMU, one stop per guest call.
 *   tt-mode/  PTRACE_SYSCALL, the host call nulled to getpid(), two stops.
 *   (arch/um/ptrace/ is the ptrace machinery both share.)
 *   seccomp/  SECCOMP_RET_TRAP into the stub's handler, shared memory with
 *             the kernel, no ptrace at all.
 * Model: UML's struct kern_ops of 2.6 (CHOOSE_MODE gone), gVisor's
 * platform.Context (Switch returns the reason guest code stopped).
 *
 * Registers: task->regs are the guest's user registers (Linux's pt_regs) as
 * of its last entry into the kernel. After a syscall event only the fields
 * the event carries are fresh (rip, rsp, rax, orig_rax and the arguments);
 * mode->get_regs() completes them. The kernel may change any of them; the
 * mode gives the guest exactly task->regs when it next runs it.
 */
#ifndef UMK_MODE_H
#define UMK_MODE_H

#include <stdbool.h>
#include <stddef.h>
#include <signal.h>

struct task;
struct stub_batch;

enum um_event_kind {
	UM_EV_SYSCALL,		/* the guest made a system call */
	UM_EV_FAULT,		/* the host raised a signal for guest code */
	UM_EV_INTERRUPT,	/* stopped for the kernel (mode->interrupt), or
				 * for nothing the guest needs to know */
	UM_EV_EXIT,		/* the host thread is gone */
};

struct um_event {
	enum um_event_kind kind;
	/* UM_EV_SYSCALL: the number and arguments as the guest passed them;
	 * compat is set for a call that is not an x86-64 one (int $0x80,
	 * sysenter, x32), which must never be served as one. */
	long nr;
	unsigned long args[6];
	bool compat;
	/* UM_EV_FAULT: the signal and the host's siginfo for it. */
	int sig;
	siginfo_t info;
	/* UM_EV_EXIT: the host signal that killed the thread, or 0. */
	int exit_sig;
};

struct um_mode {
	const char *name;
	/* Boot: register the mode's host event sources. 0 or -errno. */
	int (*init)(void);
	/*
	 * Start the first guest host process (a fresh stub image under the
	 * guest seccomp filter) as t's host thread; t->regs are its
	 * registers at the stub's entry on return. 0 or -errno.
	 */
	int (*start_init)(struct task *t);
	/*
	 * clone: parent (current) makes the host thread or process of child
	 * with host clone flags (CLONE_VM, CLONE_THREAD... as decided by
	 * kernel/fork.c), and child->host_tid becomes its tid. The child's
	 * first mode->run gives it child->regs. 0 or -errno (-EAGAIN).
	 */
	int (*clone)(struct task *parent, struct task *child,
		     unsigned long host_flags);
	/*
	 * Give t (current) a fresh address space, new_mm: a new stub image,
	 * in the same host process or a new one (t->host_tid may change);
	 * new_mm's host side (host_pid, mode_priv) is filled in. t->regs are
	 * the new image's entry registers on return (rsp at its argc, argv,
	 * envp and auxv). 0, or -errno after which t cannot continue.
	 */
	int (*exec)(struct task *t, struct mm_struct *new_mm);
	/*
	 * Run t (current) from t->regs until the next event and decode it
	 * into *ev. The task sleeps in the kernel's scheduler meanwhile. A
	 * syscall's result is whatever the kernel left in t->regs.rax.
	 */
	void (*run)(struct task *t, struct um_event *ev);
	/* Complete t->regs (after a syscall event). 0 or -ESRCH. */
	int (*get_regs)(struct task *t);
	/* t's FPU/extended state in the XSAVE layout of a signal frame
	 * (struct _fpstate plus its xsave header), len bytes (um_xstate_size).
	 * 0 or -errno; set: -EINVAL when the host refuses the state. */
	int (*get_fpregs)(struct task *t, void *buf, size_t len);
	int (*set_fpregs)(struct task *t, const void *buf, size_t len);
	/*
	 * t's hardware debug register n (0-3 addresses, 6 status, 7
	 * control) as its host thread has it; set: the host checks the value
	 * as its ptrace does (-EINVAL, -EIO, -ENOSPC). The kernel keeps the
	 * addresses off the stub. 0 or -errno. Optional (NULL: none).
	 */
	int (*get_debugreg)(struct task *t, int n, unsigned long *val);
	int (*set_debugreg)(struct task *t, int n, unsigned long val);
	/*
	 * Run one host system call inside t (current), at the stub's own
	 * syscall instruction, with the six arguments. t->regs are kept.
	 * interruptible: a call that may sleep in the host (futex wait) ends
	 * with -ERESTARTSYS when a guest signal becomes pending. Returns the
	 * host result (-errno), or -ESRCH when the host thread is gone.
	 */
	long (*host_call)(struct task *t, long nr, const unsigned long args[6],
			  bool interruptible);
	/*
	 * Run batch b (written into t's read-only request page first) inside
	 * t. Returns how many calls succeeded (b->count when all did) and
	 * puts the result of the last call run into *last; -ESRCH when the
	 * host thread is gone, -EFAULT if the page could not be written.
	 */
	long (*host_batch)(struct task *t, const struct stub_batch *b,
			   long *last);
	/* A signal became pending for t while its guest code runs: make it
	 * come back (its next run ends with an interrupt). */
	void (*interrupt)(struct task *t);
	/*
	 * t is exiting: end its host thread (last: the whole host process).
	 * With last, it returns only once the host has reaped t's host
	 * process, having added the host's final accounting of it (wait4's
	 * rusage: every host thread it had, dead ones included) to
	 * t->signal's utime_ns and stime_ns; exec does the same for a host
	 * process it replaces. The kernel reads no dead thread's times.
	 */
	void (*exit_thread)(struct task *t, bool last);
	/* Kill every guest host process at once (halt, panic). */
	void (*kill_all)(void);
	/* mm is being freed: drop the mode's state of it (may be NULL). */
	void (*mm_exit)(struct mm_struct *mm);
	/* The event loop: the mode's host event source is ready. */
	void (*host_events)(void);
	/*
	 * The event loop has nothing to run and tasks wait for the mode:
	 * wait for a mode event (or spin for one) and handle it. other_fds:
	 * other event sources (helper fds, the console) are watched too.
	 * Returns 1 if it handled an event, 0 if interrupted (the caller then
	 * polls every event source once), or -EAGAIN: no fast path now, the
	 * caller waits in epoll for every source.
	 */
	int (*wait_idle)(bool other_fds);
	/* Bytes of the guest address space the stub's mappings take (hidden
	 * from the guest's memory figures). */
	unsigned long stub_vm_bytes;
};

extern const struct um_mode *um_mode;
extern const struct um_mode skas_mode;
extern const struct um_mode tt_mode;
extern const struct um_mode seccomp_mode;

/* Bytes of the XSAVE area of a signal frame on this host (CPUID 0xD). */
size_t um_xstate_size(void);

#endif
