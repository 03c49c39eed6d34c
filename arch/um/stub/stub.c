/*
 * The stub: the whole program every guest address space starts as. It has
 * no libc. Its host system calls all sit at fixed addresses, which the
 * guest seccomp filters name (stub.h, stub_seccomp.h).
 *
 * ptrace modes (skas, tt): the kernel drives the stub with the task's
 * registers and uses no stack:
 *   STUB_ENTRY    _start: trap to the kernel (int3) forever;
 *   STUB_SYSCALL  run the one syscall set up in the registers, then int3;
 *   STUB_BATCH    run struct stub_batch at STUB_DATA (stub.h), stopping at
 *                 the first negative result, then int3 with the index
 *                 reached in r12 and the last result in rax.
 *
 * seccomp mode (started with the argument "seccomp"): a process's first
 * thread becomes its service thread, which runs the kernel's commands from
 * the read-only control page in a loop that uses no stack (so no guest
 * thread can steer it by writing memory), and creates the guest threads,
 * each of which installs its own stricter filter and enters guest code
 * through its first trap (stub_seccomp.c: the handler and the start-up).
 * Model: UML arch/um/kernel/skas/stub.c, gVisor's systrap syscall thread.
 */
#include <stddef.h>
#include <stub.h>
#include <stub_seccomp.h>
#include <asm/unistd.h>

#define S(x) #x
#define XS(x) S(x)

/* Offsets the assembly uses, checked below. */
#define CMD_SIZE	1480	/* sizeof(struct sc_svc_cmd) */
#define REPLY_SIZE	56	/* sizeof(struct sc_svc_reply) */
#define G_SAS		40	/* offsetof(struct sc_global, sas) */
#define G_F1		(G_SAS + SC_SLOTS * 24 + 16)

asm(
"	.section .text.stub, \"ax\"\n"
"	.globl _start\n"
"_start:\n"
"	cmpq $2, (%rsp)\n"		/* argc >= 2: seccomp mode */
"	jge sc_start\n"
"1:	int3\n"
"	jmp 1b\n"
"	.org 0x10, 0xcc\n"
"stub_syscall:\n"
"	syscall\n"
"	int3\n"
"	jmp stub_syscall\n"
"	.org 0x20, 0xcc\n"
"stub_batch:\n"
"	movabs $" XS(STUB_DATA) ", %rbx\n"
"	movabs $" XS(STUB_RW) ", %r14\n"
"	xor %r12, %r12\n"
"1:	cmp 0(%rbx), %r12\n"
"	jge 3f\n"
"	imul $56, %r12, %r13\n"
"	lea 8(%rbx,%r13), %r13\n"
"	mov 0(%r13), %rax\n"
"	mov 8(%r13), %rdi\n"
"	mov 16(%r13), %rsi\n"
"	mov 24(%r13), %rdx\n"
"	mov 32(%r13), %r10\n"
"	mov 40(%r13), %r8\n"
"	mov 48(%r13), %r9\n"
"	jmp 2f\n"
"	.org 0x80, 0xcc\n"
"2:	syscall\n"
"	mov %rax, (%r14,%r12,8)\n"
"	cmp $-4095, %rax\n"
"	jae 3f\n"
"	inc %r12\n"
"	jmp 1b\n"
"3:	int3\n"
"	jmp stub_batch\n"

/* ---- seccomp mode: the process start (C, stub_seccomp.c) ---- */
"sc_start:\n"
"	mov %rsp, %rdi\n"		/* argc, argv, envp, auxv */
"	and $-16, %rsp\n"
"	call sc_process_start\n"
"	ud2\n"

/*
 * The service loop: r15 = its command (read-only), r14 = its reply,
 * r13d = the last command done. Registers only, no stack.
 */
"	.globl sc_svc_loop\n"
"sc_svc_loop:\n"
"1:	mov (%r15), %eax\n"		/* seq: 0 while umk writes a command */
"	test %eax, %eax\n"
"	jz 7f\n"
"	cmp %eax, %r13d\n"
"	jne 2f\n"
"7:	mov %r15, %rdi\n"		/* futex(&cmd->seq, FUTEX_WAIT, seq) */
"	xor %esi, %esi\n"
"	mov %eax, %edx\n"
"	xor %r10d, %r10d\n"
"	mov $" XS(__NR_futex) ", %eax\n"
"	jmp sc_svc_futex\n"
"2:	mov %eax, %r13d\n"
"	xor %r12d, %r12d\n"
"3:	cmp 4(%r15), %r12d\n"
"	jae 5f\n"
"	imul $56, %r12, %rbx\n"
"	lea 8(%r15,%rbx), %rbx\n"
"	mov 0(%rbx), %rax\n"
"	mov 8(%rbx), %rdi\n"
"	mov 16(%rbx), %rsi\n"
"	mov 24(%rbx), %rdx\n"
"	mov 32(%rbx), %r10\n"
"	mov 40(%rbx), %r8\n"
"	mov 48(%rbx), %r9\n"
"	mov %rax, %rbp\n"
"	cmp (%r15), %r13d\n"		/* rewritten meanwhile: never run a */
"	jne sc_svc_loop\n"		/* call mixed from two commands */
"	jmp sc_svc_syscall\n"
"sc_svc_after:\n"
"	cmp $" XS(__NR_clone) ", %rbp\n"
"	jne 4f\n"
"	test %rax, %rax\n"
"	jz sc_clone_child\n"
"4:	cmp $-4095, %rax\n"
"	jae 5f\n"
"	inc %r12d\n"
"	jmp 3b\n"
"5:	mov %r12, 8(%r14)\n"		/* index */
"	mov %rax, 16(%r14)\n"		/* last */
"	mov %r13d, (%r14)\n"		/* done */
"	mfence\n"
"	movabs $" XS(STUB_GLOBAL) ", %rax\n"
"	cmpl $0, 4(%rax)\n"		/* umk sleeping? */
"	je 1b\n"
"	lea 16(%rax), %rsi\n"		/* write(doorbell, &one, 8) */
"	mov $" XS(STUB_DOORBELL_FD) ", %edi\n"
"	mov $8, %edx\n"
"	mov $" XS(__NR_write) ", %eax\n"
"	jmp sc_svc_doorbell\n"

/* A clone child, in the service loop's registers: rdi = the flags, r8 =
 * the (unused) tls argument, which carries the slot. */
"sc_clone_child:\n"
"	test $0x10000, %edi\n"		/* CLONE_THREAD: a guest thread */
"	jnz sc_thread_start\n"
"	test $0x100, %edi\n"		/* CLONE_VM: a process sharing this */
"	jnz 6f\n"			/* address space, with service slot r8 */
"	and $-16, %rsp\n"		/* fork: a private copy, and no guest */
"	call sc_fork_child\n"		/* thread yet: C is safe */
"	ud2\n"
"6:	imul $" XS(CMD_SIZE) ", %r8, %r15\n"
"	movabs $" XS(STUB_REGION) ", %rax\n"
"	add %rax, %r15\n"
"	imul $" XS(REPLY_SIZE) ", %r8, %r14\n"
"	add $0x8000, %rax\n"
"	add %rax, %r14\n"
"	xor %r13d, %r13d\n"
"	jmp sc_svc_loop\n"

/* A guest thread (r8 = its slot): its alternate stack, its own filter,
 * then its first trap, whose frame umk fills with its registers. */
"sc_thread_start:\n"
"	imul $24, %r8, %rdi\n"
"	movabs $" XS(STUB_GLOBAL + G_SAS) ", %rax\n"
"	add %rax, %rdi\n"
"	xor %esi, %esi\n"
"	mov $" XS(__NR_sigaltstack) ", %eax\n"
"	jmp sc_boot_sas\n"
"sc_thread_filter:\n"
"	test %rax, %rax\n"
"	jnz sc_thread_die\n"
"	mov $1, %edi\n"			/* SECCOMP_SET_MODE_FILTER */
"	xor %esi, %esi\n"
"	movabs $" XS(STUB_GLOBAL + G_F1) ", %rdx\n"
"	mov $" XS(__NR_seccomp) ", %eax\n"
"	jmp sc_boot_seccomp\n"
"sc_thread_go:\n"
"	test %rax, %rax\n"
"	jnz sc_thread_die\n"
"	int3\n"
"sc_thread_die:\n"
"	ud2\n"

/* ---- the fixed syscall sites ---- */
"	.org 0x200, 0x90\n"
"sc_svc_syscall:\n"
"	syscall\n"
"	jmp sc_svc_after\n"
"	.org 0x280, 0x90\n"
"sc_svc_futex:\n"
"	syscall\n"
"	jmp sc_svc_loop\n"
"	.org 0x2c0, 0x90\n"
"sc_svc_doorbell:\n"
"	syscall\n"
"	jmp sc_svc_loop\n"

/* C-callable helpers: long f(nr, a0, a1, a2, a3, a4), a5 = 0. */
#define SYSCALL_HELPER(name, site)			\
"	.org " #site " - 0x20, 0xcc\n"			\
"	.globl " #name "\n"				\
#name ":\n"						\
"	mov %rdi, %rax\n"				\
"	mov %rsi, %rdi\n"				\
"	mov %rdx, %rsi\n"				\
"	mov %rcx, %rdx\n"				\
"	mov %r8, %r10\n"				\
"	mov %r9, %r8\n"					\
"	xor %r9d, %r9d\n"				\
"	.org " #site ", 0x90\n"				\
"	syscall\n"					\
"	ret\n"
SYSCALL_HELPER(sc_boot_syscall, 0x340)
"	.org 0x380, 0x90\n"
"sc_boot_sas:\n"
"	syscall\n"
"	jmp sc_thread_filter\n"
"	.org 0x3c0, 0x90\n"
"sc_boot_seccomp:\n"
"	syscall\n"
"	jmp sc_thread_go\n"
/* futex(uaddr, op, val, utime, uaddr2, val3): the arguments in place.
 * sc_h_futex_intr takes a 7th, a pointer to a flag that umk's interrupt
 * sets: once it is set the futex is not entered (-EINTR). The handler
 * moves an interrupt that lands between the flag's test and the syscall
 * past the syscall, so no interrupt is lost (stub_seccomp.c). */
"	.org 0x400, 0xcc\n"
"	.globl sc_h_futex_intr\n"
"sc_h_futex_intr:\n"
"	mov 8(%rsp), %r11\n"
"	mov %rcx, %r10\n"
"	mov $" XS(__NR_futex) ", %eax\n"
"	.globl sc_h_futex_check\n"
"sc_h_futex_check:\n"
"	cmpl $0, (%r11)\n"
"	jne sc_h_futex_eintr\n"
"	jmp sc_h_futex_site\n"
"	.org 0x440 - 0x20, 0xcc\n"
"	.globl sc_h_futex\n"
"sc_h_futex:\n"
"	mov %rcx, %r10\n"
"	mov $" XS(__NR_futex) ", %eax\n"
"	.org 0x440, 0x90\n"
"sc_h_futex_site:\n"
"	syscall\n"
"	ret\n"
"sc_h_futex_eintr:\n"
"	mov $-4, %rax\n"		/* -EINTR */
"	ret\n"
SYSCALL_HELPER(sc_h_doorbell, 0x480)
SYSCALL_HELPER(sc_h_sigmask, 0x4c0)
SYSCALL_HELPER(sc_h_exit, 0x500)
SYSCALL_HELPER(sc_h_arch_prctl, 0x540)
"	.org 0x580 - 0x10, 0xcc\n"
"	.globl sc_restorer\n"
"sc_restorer:\n"
"	mov $" XS(__NR_rt_sigreturn) ", %eax\n"
"	.org 0x580, 0x90\n"
"	syscall\n"
"	ud2\n"
/* ptrace modes: execveat's constant arguments (STUB_EXEC_*), which
 * nothing executes: argv = { "umk-stub", NULL }, envp = { NULL }, and the
 * empty path (the name's NUL). */
"	.org 0x5c0, 0xcc\n"
"	.quad " XS(STUB_CODE) " + 0x5d0, 0\n"
"	.org 0x5d0, 0xcc\n"
"	.asciz \"umk-stub\"\n"
"	.org 0x600, 0xcc\n"
);

/* The request page: part of the stub's file image, so the host maps it
 * from the sealed memfd with the segment's protection, read-only. */
const struct stub_batch stub_data
	__attribute__((section(".data.stub"), used, aligned(4096)));
/* The page the host writes for the stub. */
struct stub_rw stub_rw __attribute__((section(".bss.stub"), used));

_Static_assert(sizeof(struct stub_syscall) == 56, "stub_batch asm layout");
_Static_assert(offsetof(struct stub_batch, calls) == 8, "stub_batch asm layout");
_Static_assert(offsetof(struct stub_rw, ret) == 0, "stub_rw asm layout");
_Static_assert(sizeof(struct stub_batch) <= STUB_DATA_SIZE, "stub data page");
_Static_assert(sizeof(struct stub_rw) <= STUB_RW_SIZE, "stub rw page");
_Static_assert(STUB_BATCH_SYSCALL == STUB_CODE + 0x80, "stub.c's .org 0x80");
_Static_assert(sizeof(struct sc_svc_cmd) == CMD_SIZE, "service loop layout");
_Static_assert(offsetof(struct sc_svc_cmd, calls) == 8, "service loop layout");
_Static_assert(sizeof(struct sc_svc_reply) == REPLY_SIZE, "service loop layout");
_Static_assert(offsetof(struct sc_svc_reply, index) == 8, "service loop layout");
_Static_assert(offsetof(struct sc_svc_reply, last) == 16, "service loop layout");
_Static_assert(offsetof(struct sc_global, sas) == G_SAS, "thread start layout");
_Static_assert(offsetof(struct sc_global, f1) == G_F1, "thread start layout");
_Static_assert(offsetof(struct sc_global, one) == 16, "doorbell layout");
_Static_assert(sizeof(struct sc_ctl) <= 0x8000, "control page");
_Static_assert(sizeof(struct sc_global) <= STUB_GLOBAL_SIZE, "global page");
_Static_assert(sizeof(struct sc_slot) <= SC_SLOT_HDR, "slot header");
_Static_assert(SC_SLOT_BASE + SC_SLOTS * SC_SLOT_SIZE ==
	       STUB_REGION + STUB_REGION_SIZE, "region layout");
_Static_assert(STUB_REGION + STUB_REGION_SIZE <= STUB_END, "stub range");
