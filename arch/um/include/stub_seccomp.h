/*
 * The memory that seccomp mode's stub and umk share (seccomp/seccomp.c,
 * arch/um/stub/stub_seccomp.c). Included by both sides: fixed layouts only.
 *
 * STUB_GLOBAL (read-only in every guest, one memfd of umk's): the filters,
 * each slot's alternate stack, and two flags umk keeps: whether it sleeps
 * (a stub then writes the doorbell eventfd) and whether stubs may spin.
 *
 * STUB_REGION (one memfd per address space, mapped by umk too):
 *   +0x0000  struct sc_ctl, read-only in the guest: the commands umk gives
 *            each service thread (a batch of host calls and their strings).
 *   +0x8000  struct sc_reply, writable: what service threads report back
 *            (untrusted: guest threads can rewrite it).
 *   +0x10000 SC_SLOTS thread slots of SC_SLOT_SIZE bytes: a header page
 *            (struct sc_slot) and the thread's alternate signal stack,
 *            where the host puts the SIGSYS or fault frame that umk reads
 *            and edits in place. All of it untrusted.
 *
 * A guest thread traps (SECCOMP_RET_TRAP, or a fault) into the stub's
 * handler on its slot's stack, which posts a request (state REQ) and sleeps
 * on the state word until umk answers (RESP) with an action.
 */
#ifndef UMK_STUB_SECCOMP_H
#define UMK_STUB_SECCOMP_H

#include <stdint.h>
#include <stub.h>

#define SC_SLOTS	256
#define SC_SLOT_SIZE	0x8000UL
#define SC_SLOT_BASE	(STUB_REGION + 0x10000UL)
#define SC_SLOT_HDR	0x1000UL	/* the header page; the stack above */
#define SC_SVC_MAX	16		/* host processes sharing one region */
#define SC_SVC_CALLS	8
#define SC_SVC_SCRATCH	1024
#define SC_BPF_MAX	1024
#define SC_SIG_INTR	23		/* SIGURG: umk's interrupt of a thread */
/* A guest thread's host clone flags: CLONE_VM | CLONE_FS | CLONE_FILES |
 * CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM | CLONE_CHILD_CLEARTID. */
#define SC_THREAD_CLONE	0x250f00UL

/* sc_slot.state, the futex word of a slot. */
#define SC_GUEST	0	/* running guest code */
#define SC_REQ		1	/* the stub posted a request */
#define SC_RESP		2	/* umk answered */
#define SC_INIT		3	/* a new thread: its first trap is its start */
#define SC_HOSTCALL	4	/* the thread runs a host call for umk */

/* sc_slot.kind: what a request is. */
#define SC_K_TRAP	1	/* a signal: sig says which (SIGSYS, a fault,
				 * SC_SIG_INTR) */
#define SC_K_INIT	2	/* a new thread's first entry */
#define SC_K_HOSTCALL	3	/* the host call umk asked for is done */

/* sc_slot.action: what umk wants next. */
#define SC_A_RESUME	1	/* return to guest code from the frame */
#define SC_A_EXIT	2	/* end the host thread */
#define SC_A_HOSTCALL	3	/* run hc_nr(hc_args) here, then report */

#define SC_SYNC_FS	1
#define SC_SYNC_GS	2

struct sc_slot {
	/* written by the stub */
	uint32_t state;
	uint32_t kind;
	int32_t sig;
	uint32_t uc_off;	/* the frame's ucontext, from the slot base */
	uint32_t info_off;	/* its siginfo */
	uint32_t tid;		/* CLONE_CHILD_CLEARTID: 0 once the thread
				 * is gone */
	uint64_t fs_base, gs_base;
	int64_t hc_ret;
	uint32_t hc_intr;	/* umk's interrupt came during the host call */
	uint32_t stub_pad0;
	uint64_t stub_pad[7];
	/* written by umk */
	uint32_t action;
	uint32_t sync;
	uint64_t new_fs, new_gs;
	uint64_t hc_nr;
	uint64_t hc_args[6];
};

struct sc_svc_cmd {
	uint32_t seq;		/* a new command when it changes */
	uint32_t count;
	struct stub_syscall calls[SC_SVC_CALLS];
	char scratch[SC_SVC_SCRATCH];
};

struct sc_ctl {
	struct sc_svc_cmd svc[SC_SVC_MAX];
};

struct sc_svc_reply {
	uint32_t done;		/* seq of the last command done */
	uint32_t ready;		/* set once after the process started; its
				 * first command (seq 1) then clones the
				 * first guest thread onto slot 0 */
	int64_t index;		/* calls that succeeded */
	int64_t last;		/* result of the last call run */
	uint64_t init_rsp;	/* the host stack pointer the image started
				 * with (argc, argv, envp, auxv) */
	uint64_t pad[3];
};

struct sc_reply {
	struct sc_svc_reply svc[SC_SVC_MAX];
};

struct sc_stack {		/* stack_t */
	uint64_t sp;
	int32_t flags;
	int32_t pad;
	uint64_t size;
};

struct sc_fprog {		/* struct sock_fprog */
	uint16_t len;
	uint16_t pad[3];
	uint64_t filter;
};

struct sc_bpf_insn {		/* struct sock_filter */
	uint16_t code;
	uint8_t jt, jf;
	uint32_t k;
};

struct sc_global {
	uint32_t magic;
	uint32_t kernel_sleeping;	/* umk blocks: write the doorbell */
	uint32_t spin;			/* pause rounds a stub may spin before
					 * it sleeps (0: none) */
	uint32_t fsgsbase;		/* rdfsbase/wrfsbase work */
	uint64_t one;			/* the doorbell's 8 bytes: 1 */
	uint64_t svc_mask;		/* a service thread's blocked signals */
	uint64_t intr_mask;		/* SC_SIG_INTR alone */
	struct sc_stack sas[SC_SLOTS];	/* each slot's alternate stack */
	struct sc_fprog f0, f1;
	struct sc_bpf_insn f0_prog[SC_BPF_MAX];
	struct sc_bpf_insn f1_prog[SC_BPF_MAX];
};

#define SC_MAGIC 0x756d6b53	/* "umkS" */

#define SC_CTL		((struct sc_ctl *)STUB_REGION)
#define SC_REPLY	((struct sc_reply *)(STUB_REGION + 0x8000UL))
#define SC_GLOBAL	((struct sc_global *)STUB_GLOBAL)
#define SC_SLOT(i)	((struct sc_slot *)(SC_SLOT_BASE + (i) * SC_SLOT_SIZE))

/* Addresses of the stub's syscall instructions that the filters allow
 * (the instruction after each `syscall`: seccomp_data's IP). Fixed by
 * .org in arch/um/stub/stub.c. */
#define SC_SVC_SYSCALL		(STUB_CODE + 0x200)	/* service batch */
#define SC_SVC_FUTEX		(STUB_CODE + 0x280)	/* service sleeps */
#define SC_SVC_DOORBELL		(STUB_CODE + 0x2c0)	/* service wakes umk */
#define SC_BOOT_SYSCALL		(STUB_CODE + 0x340)	/* process start */
#define SC_BOOT_SAS		(STUB_CODE + 0x380)	/* thread start */
#define SC_BOOT_SECCOMP		(STUB_CODE + 0x3c0)
#define SC_H_FUTEX		(STUB_CODE + 0x440)	/* the handler */
#define SC_H_DOORBELL		(STUB_CODE + 0x480)
#define SC_H_SIGMASK		(STUB_CODE + 0x4c0)
#define SC_H_EXIT		(STUB_CODE + 0x500)
#define SC_H_ARCH_PRCTL		(STUB_CODE + 0x540)
#define SC_H_RESTORER		(STUB_CODE + 0x580)
#define SC_IP(insn)		((insn) + 2)

#endif
