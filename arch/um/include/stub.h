/*
 * The stub: a tiny static program (arch/um/stub/stub.c) that every guest
 * address space is host-exec'd into. Its code page runs host syscalls for
 * the kernel and traps back with int3; its data page carries the batch.
 * Both live at fixed addresses high in the address space that the guest can
 * neither see (hidden from /proc/PID/maps) nor unmap or overwrite (mm.c
 * refuses ranges that touch [STUB_START, STUB_END)).
 * Model: UML arch/um/kernel/skas/stub.c, arch/x86/um/shared/sysdep/stub_64.h.
 */
#ifndef UMK_STUB_H
#define UMK_STUB_H

#define STUB_START	0x7ff000000000UL
#define STUB_CODE	STUB_START			/* text, r-x */
#define STUB_DATA	(STUB_START + 0x10000UL)	/* data, rw- */
#define STUB_DATA_SIZE	0x10000UL
#define STUB_END	(STUB_DATA + STUB_DATA_SIZE)

/* Entry points inside the code page (stub.lds places them). */
#define STUB_ENTRY	(STUB_CODE + 0x0)	/* _start: int3 forever */
#define STUB_SYSCALL	(STUB_CODE + 0x10)	/* syscall; int3 */
#define STUB_BATCH	(STUB_CODE + 0x20)	/* run struct stub_batch; int3 */

/* Host fd number, in every guest host process, of the stub's memfd. */
#define STUB_FD		3

#ifndef __ASSEMBLER__
/* One host syscall of a batch; the stub writes the result into ret. */
struct stub_syscall {
	long nr;
	long args[6];
	long ret;
};
#define STUB_BATCH_MAX 64
/* At STUB_DATA: the batch the kernel wrote; the stub runs calls[0..count)
 * and stops at the first that returns a negative value (done = its index,
 * or count when all succeeded). */
struct stub_batch {
	long count;
	long done;
	struct stub_syscall calls[STUB_BATCH_MAX];
	/* scratch for strings the calls point at (paths, argv) */
	char scratch[4096];
};
#endif

#endif
