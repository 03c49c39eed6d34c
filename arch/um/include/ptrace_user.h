/*
 * Host side of tracing: ptrace requests, waitpid decoding, guest memory
 * transfer and the creation of the first guest host process. Only
 * arch/um/os-Linux/ptrace_user.c includes the host's ptrace headers; callers
 * get -errno. All requests for a tracee must come from the kernel thread,
 * which attached it (HOST-NOTES: ptrace behaviour).
 */
#ifndef UMK_PTRACE_USER_H
#define UMK_PTRACE_USER_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <sys/types.h>
#include <sys/user.h>
#include <signal.h>

struct host_stop;

/* Resume requests (values are the host's PTRACE_*). */
enum resume_req {
	RESUME_CONT,		/* run freely (stub calls) */
	RESUME_SYSEMU,		/* skas: stop at the next syscall entry, skip it */
	RESUME_SYSCALL,		/* tt: stop at syscall entry and exit */
	RESUME_SINGLESTEP,	/* one instruction (signal frame setup) */
};

int os_ptrace_getregs(int tid, struct user_regs_struct *regs);
int os_ptrace_setregs(int tid, const struct user_regs_struct *regs);
/* Restart a stopped tracee with request req, delivering host signal sig
 * (0 for none). 0 or -errno (-ESRCH: the tracee is gone). */
int os_ptrace_resume(int tid, enum resume_req req, int sig);
/* PTRACE_INTERRUPT: make a running tracee stop (STOP_GROUP). */
int os_ptrace_interrupt(int tid);
int os_ptrace_getsiginfo(int tid, siginfo_t *info);
int os_ptrace_setsiginfo(int tid, const siginfo_t *info);
/* PTRACE_GETEVENTMSG: the new tid of a fork/clone event, etc. */
int os_ptrace_geteventmsg(int tid, unsigned long *msg);
/* The syscall ABI of a syscall stop: AUDIT_ARCH_X86_64 (0xc000003e) and the
 * number, from PTRACE_GET_SYSCALL_INFO. -errno when not available. */
int os_ptrace_syscall_arch(int tid, uint32_t *arch, uint64_t *nr);
/* Everything a syscall-entry stop tells (PTRACE_GET_SYSCALL_INFO): the
 * ABI, the number, the six arguments, rip and rsp. 0 or -errno. */
struct syscall_entry_info {
	uint32_t arch;
	uint64_t nr;
	uint64_t args[6];
	uint64_t ip, sp;
};
int os_ptrace_syscall_entry(int tid, struct syscall_entry_info *info);
/* Write one register (offset into struct user_regs_struct, bytes). */
int os_ptrace_pokeuser(int tid, size_t offset, unsigned long value);
/* Read one word of the tracee's struct user (offset in bytes: registers,
 * debug registers). 0 or -errno. */
int os_ptrace_peekuser(int tid, size_t offset, unsigned long *value);
/*
 * The FPU/xstate of a stopped tracee (PTRACE_GETREGSET/SETREGSET
 * NT_X86_XSTATE, in the standard XSAVE layout). The host's area is
 * os_xstate_size() bytes (CPUID leaf 0xD; 11008 with AMX); these move the
 * first len bytes of it (get) or give the host len bytes followed by zeros
 * (set). 0 or -errno: -EINVAL when the host refuses the state (a corrupt
 * xsave header, reserved MXCSR bits), -ESRCH when the tracee is gone.
 */
size_t os_xstate_size(void);
int os_ptrace_get_xstate(int tid, void *buf, size_t len);
int os_ptrace_set_xstate(int tid, const void *buf, size_t len);




#endif
