/*
 * What the memory devices (kernel/drivers/mem.c) need of the address-space
 * code for /dev/zero's mmap, for unit tests that link mem.o without it:
 * a mapping is refused with -ENODEV.
 */
#include <umk/sched.h>
#include <umk/filemap.h>
#include <umk/ipc.h>
#include <stub.h>

void filemap_unmap(struct mm_struct *mm, unsigned long start, unsigned long end)
{
}

void shm_mm_unmap(struct mm_struct *mm, unsigned long start, unsigned long end)
{
}

long host_syscall(struct task *t, long nr, long a0, long a1, long a2, long a3,
		  long a4, long a5)
{
	return -ENODEV;
}
