/*
 * The stub: a tiny static program (arch/um/stub/stub.c) that every guest
 * address space is host-exec'd into. It is the only code that ever runs a
 * host system call inside a guest host process, and it is laid out so that
 * guest code cannot steer it (DESIGN.md, "The stub"):
 *
 *   STUB_CODE  r-x  its instructions; a host call only ever executes at
 *                   STUB_SYSCALL_IP or STUB_BATCH_IP, which the process's
 *                   seccomp filter checks (seccomp_data.instruction_pointer
 *                   is the address after the syscall instruction).
 *   STUB_DATA  r--  requests: the batch, its strings and structures. Read
 *                   only in the guest; the kernel writes it through
 *                   /proc/PID/mem (a forced write). Nothing the stub
 *                   executes for the kernel comes from writable memory.
 *   STUB_RW    rw-  what the host writes for the stub (per-call results,
 *                   recvmsg's data and control buffers). The guest can write
 *                   it too, so the kernel reads it as untrusted input.
 *
 * The guest can neither see these pages (hidden from /proc/PID/maps) nor
 * unmap, remap or mprotect them (kernel/mm.c refuses any range that touches
 * [STUB_START, STUB_END)), and copy_to_user/copy_from_user refuse them too.
 * Model: UML arch/um/kernel/skas/stub.c, arch/x86/um/shared/sysdep/stub_64.h.
 */
#ifndef UMK_STUB_H
#define UMK_STUB_H

#define STUB_START	0x7ff000000000UL
#define STUB_CODE	STUB_START			/* text, r-x */
#define STUB_CODE_SIZE	0x10000UL
#define STUB_DATA	(STUB_START + 0x10000UL)	/* requests, r-- */
#define STUB_DATA_SIZE	0x10000UL
#define STUB_RW		(STUB_START + 0x20000UL)	/* host output, rw- */
#define STUB_RW_SIZE	0x10000UL
/* seccomp mode only (seccomp/, stub_seccomp.c): the page all guests share
 * read-only, and the region of one address space's slots. */
#define STUB_GLOBAL	(STUB_START + 0x30000UL)	/* r-- */
#define STUB_GLOBAL_SIZE 0x10000UL
#define STUB_REGION	(STUB_START + 0x100000UL)
#define STUB_REGION_SIZE 0x810000UL
/* Everything above is the stub's: no guest mapping may touch this range. */
#define STUB_END	(STUB_START + 0x1000000UL)

/* Entry points inside the code page (stub.c places them with .org). */
#define STUB_ENTRY	(STUB_CODE + 0x0)	/* _start: int3 forever */
#define STUB_SYSCALL	(STUB_CODE + 0x10)	/* syscall; int3 */
#define STUB_BATCH	(STUB_CODE + 0x20)	/* run struct stub_batch; int3 */
#define STUB_BATCH_SYSCALL (STUB_CODE + 0x80)	/* the batch's syscall insn */
/* execveat's arguments for a fresh stub image, constants in the code page:
 * argv { "umk-stub", NULL }, envp { NULL }, the empty path "". */
#define STUB_EXEC_ARGV	(STUB_CODE + 0x5c0)
#define STUB_EXEC_ENVP	(STUB_CODE + 0x5c8)
#define STUB_EXEC_PATH	(STUB_CODE + 0x5d8)
/* Where the host reports a stub call (the instruction after `syscall`). */
#define STUB_SYSCALL_IP	(STUB_SYSCALL + 2)
#define STUB_BATCH_IP	(STUB_BATCH_SYSCALL + 2)

/* Host fds every guest host process holds (and nothing else):
 *   STUB_FD       the sealed memfd of the stub binary (exec of a fresh image)
 *   STUB_SOCK_FD  the receiving end of umk's fd channel: memfds that umk
 *                 lets a process map arrive here with SCM_RIGHTS, so the
 *                 guest never causes a host path lookup. */
#define STUB_FD		3
#define STUB_SOCK_FD	4
/* seccomp mode also: the doorbell eventfd a stub writes to wake umk, and
 * the memfd of the global page. */
#define STUB_DOORBELL_FD 5
#define STUB_GLOBAL_FD	6
#define STUB_REGION_FD	7	/* the process's own region memfd */

#ifndef __ASSEMBLER__
/* One host syscall of a batch: number and six arguments. */
struct stub_syscall {
	long nr;
	long args[6];
};
#define STUB_BATCH_MAX 64
#define STUB_SCRATCH_SIZE 8192
/*
 * At STUB_DATA (read-only in the guest): the stub runs calls[0..count) and
 * stops at the first that returns a negative value. It traps back with the
 * index of that call (or count) in r12 and its result in rax: those
 * registers are the trusted outcome. It also stores every result into
 * struct stub_rw's ret[], which the guest could have rewritten.
 */
struct stub_batch {
	long count;
	struct stub_syscall calls[STUB_BATCH_MAX];
	/* strings and structures the calls point at (paths, argv, msghdr) */
	char scratch[STUB_SCRATCH_SIZE];
};
/* At STUB_RW (writable by the guest: untrusted). */
struct stub_rw {
	long ret[STUB_BATCH_MAX];
	char buf[4096];			/* recvmsg data and control */
};

/* The guest address of a field of the request page. */
#define STUB_DATA_ADDR(field) (STUB_DATA + offsetof(struct stub_batch, field))
#define STUB_RW_ADDR(field) (STUB_RW + offsetof(struct stub_rw, field))

/* ---- the kernel's side (arch/um/kernel/stub.c) ---- */
struct task;

/* Boot: the sealed stub memfd from the linked-in image (len bytes) and
 * umk's fd channel. 0 or -errno. */
int stub_init(const void *image, size_t len);
extern int stub_memfd;
/* The channel's end that every guest host process holds as STUB_SOCK_FD. */
int stub_channel_guest_fd(void);
/*
 * Run host syscall nr with six arguments inside t (current) at the stub's
 * instruction; t's registers are kept. Returns the host result (-errno),
 * -ESRCH when t's host thread is gone. The interruptible form, for a call
 * that sleeps in the host (futex wait), gives up with -ERESTARTSYS when a
 * guest signal becomes pending.
 */
long host_syscall(struct task *t, long nr, long a0, long a1, long a2,
		  long a3, long a4, long a5);
long host_syscall_interruptible(struct task *t, long nr, long a0, long a1,
				long a2, long a3, long a4, long a5);
/* Run batch b inside t (one batch at a time per address space): the
 * number of calls that succeeded (b->count if all), the result of the last
 * one run in *last; -ESRCH, -EFAULT as mode->host_batch. */
long host_batch(struct task *t, const struct stub_batch *b, long *last);
/*
 * Give task t (current) umk's host fd: sent over umk's fd channel and
 * received by the stub (close-on-exec), then checked with kcmp to be the
 * same open file. Returns the fd number in t, which the caller closes
 * there, or -errno; a task whose stub report was tampered with is killed.
 */
int stub_pass_fd(struct task *t, int fd);
/*
 * Run batch b in t (current) with umk's host fd fd received first, in the
 * same round trip, and closed after b's calls: b names it STUB_FRESH_FD.
 * Only for a task whose host image is a fresh stub that has not run guest
 * code yet (exec): no thread but the stub's runs there and no fd is open
 * below the stub's, so the received fd is the lowest free one, 0. Returns
 * how many of b's calls succeeded (b->count if all), the last result in
 * *last, or -errno; a stub that reports another fd is killed (-EFAULT).
 */
#define STUB_FRESH_FD 0
long host_batch_passing_fd(struct task *t, int fd, const struct stub_batch *b,
			   long *last);
#endif

#endif
