/*
 * Memory size of the guest (mem=), for sysinfo, /proc/meminfo and the block
 * cache bound. Bytes.
 */
#ifndef UMK_MM_H
#define UMK_MM_H
#include <stdbool.h>
#include <stdint.h>
extern uint64_t totalram_bytes;
/* Bytes of guest memory the guest processes use now (their resident
 * anonymous and shared pages, from the host's accounting), for free and
 * /proc/meminfo. kernel/oom_kill.c. */
uint64_t guest_ram_used(void);
/* Does [addr, addr + len) stay inside user space and clear of the stub?
 * (kernel/mm.c: what every guest mapping must satisfy.) */
bool guest_range_allowed(unsigned long addr, unsigned long len);

/*
 * Map bytes [off, off + len) of umk's own host memfd (a page cache, a
 * shared memory segment) into the current task's address space at addr
 * (0: where the host chooses; MAP_FIXED honoured), as mmap(2) with prot and
 * flags (MAP_SHARED or MAP_PRIVATE, plus MAP_FIXED/MAP_FIXED_NOREPLACE...).
 * The guest never sees a host path or a host fd number of it. The caller
 * has checked the range against the stub (range_allowed in mm.c).
 * Returns the guest address or -errno (the host mmap's: -ENOMEM,
 * -EINVAL...). Implemented in arch/um/kernel/stub.c.
 */
long mmap_host_memfd(int memfd, unsigned long addr, unsigned long len,
		     unsigned long prot, unsigned long flags, unsigned long off);
#endif
