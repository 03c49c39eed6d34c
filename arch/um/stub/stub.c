/*
 * The stub: the whole program every guest address space starts as. It has
 * no libc and no stack use; the kernel drives it with ptrace:
 *   STUB_ENTRY    _start: trap to the kernel (int3) forever;
 *   STUB_SYSCALL  run the one syscall set up in the registers, then int3;
 *   STUB_BATCH    run struct stub_batch at STUB_DATA (stub.h), stopping at
 *                 the first negative result, then int3.
 * Model: UML arch/um/kernel/skas/stub.c (stub_syscall_handler).
 */
#include <stub.h>

#define S(x) #x
#define XS(x) S(x)

asm(
"	.section .text.stub, \"ax\"\n"
"	.globl _start\n"
"_start:\n"
"	int3\n"
"	jmp _start\n"
"	.org 0x10\n"
"stub_syscall:\n"
"	syscall\n"
"	int3\n"
"	jmp stub_syscall\n"
"	.org 0x20\n"
"stub_batch:\n"
"	movabs $" XS(STUB_DATA) ", %rbx\n"
"	xor %r12, %r12\n"
"1:	cmp 0(%rbx), %r12\n"
"	jge 3f\n"
"	mov %r12, %r13\n"
"	shl $6, %r13\n"
"	lea 16(%rbx,%r13), %r13\n"
"	mov 0(%r13), %rax\n"
"	mov 8(%r13), %rdi\n"
"	mov 16(%r13), %rsi\n"
"	mov 24(%r13), %rdx\n"
"	mov 32(%r13), %r10\n"
"	mov 40(%r13), %r8\n"
"	mov 48(%r13), %r9\n"
"	syscall\n"
"	mov %rax, 56(%r13)\n"
"	cmp $-4095, %rax\n"
"	jae 3f\n"
"	inc %r12\n"
"	jmp 1b\n"
"3:	mov %r12, 8(%rbx)\n"
"	int3\n"
"	jmp stub_batch\n"
);

/* The data page the kernel writes batches into (never touched here). */
struct stub_batch stub_data __attribute__((section(".bss.stub"), used));

_Static_assert(sizeof(struct stub_syscall) == 64, "stub_batch asm layout");
_Static_assert(sizeof(struct stub_batch) <= STUB_DATA_SIZE, "stub data page");
