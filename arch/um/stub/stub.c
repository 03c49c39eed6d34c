/*
 * The stub: the whole program every guest address space starts as. It has
 * no libc and no stack use; the kernel drives it with the task's registers:
 *   STUB_ENTRY    _start: trap to the kernel (int3) forever;
 *   STUB_SYSCALL  run the one syscall set up in the registers, then int3;
 *   STUB_BATCH    run struct stub_batch at STUB_DATA (stub.h), stopping at
 *                 the first negative result, then int3 with the index
 *                 reached in r12 and the last result in rax.
 * Every host call happens at one of two syscall instructions, at fixed
 * addresses (STUB_SYSCALL_IP, STUB_BATCH_IP) that the guest's seccomp
 * filter allows. The batch is read from the read-only request page; the
 * only memory the stub writes is STUB_RW.
 * Model: UML arch/um/kernel/skas/stub.c (stub_syscall_handler).
 */
#include <stddef.h>
#include <stub.h>

#define S(x) #x
#define XS(x) S(x)

asm(
"	.section .text.stub, \"ax\"\n"
"	.globl _start\n"
"_start:\n"
"	int3\n"
"	jmp _start\n"
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
