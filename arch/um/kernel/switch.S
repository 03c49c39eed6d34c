/*
 * switch_to between kernel stacks: save the callee-saved registers on the
 * current stack, store its pointer in *prev_sp, load next_sp, restore and
 * return there. A new stack starts at task_entry (kernel/sched.c prepares it).
 *	void __switch_to(void **prev_sp, void *next_sp);
 */
	.text
	.globl __switch_to
	.type __switch_to, @function
__switch_to:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
	.size __switch_to, .-__switch_to

/* First code run on a new kernel stack: r12 holds the function, r13 and
 * r14 its two arguments (set up by kstack_init). */
	.globl __task_trampoline
	.type __task_trampoline, @function
__task_trampoline:
	movq %r13, %rdi
	movq %r14, %rsi
	andq $-16, %rsp
	call *%r12
	ud2
	.size __task_trampoline, .-__task_trampoline
	.section .note.GNU-stack, "", @progbits
