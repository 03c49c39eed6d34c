/*
 * Guest memory limits (kernel/oom_kill.c): mem= as the guest's memory,
 * the overcommit heuristic, RLIMIT_AS and the OOM killer.
 */
#ifndef UMK_OOM_H
#define UMK_OOM_H
#include <stdbool.h>
#include <stdint.h>

/* Boot: start the periodic accounting of the guest's processes. */
void oom_init(void);
/* A task is about to run guest code (sched.c, schedule_host_wait): arm
 * the accounting again if it stopped while nothing ran. */
extern bool oom_timer_idle;
void oom_guest_resumed_slow(void);
static inline void oom_guest_resumed(void)
{
	if (oom_timer_idle)
		oom_guest_resumed_slow();
}
/* A new private writable or shared anonymous mapping of bytes (mmap,
 * brk, mremap growth): 0, or -ENOMEM when it is more than all of memory
 * (overcommit_memory=0, no swap). */
int vm_enough_memory(uint64_t bytes);
/* The current process's address space may grow by bytes under
 * RLIMIT_AS: 0 or -ENOMEM (Linux may_expand_vm). */
int may_expand_vm(uint64_t bytes);
/* May the kernel hold bytes more of its own guest memory (tmpfs pages)?
 * Past mem= the OOM killer runs first; false if still no room. */
bool kernel_mem_charge(uint64_t bytes);
/* Bytes the kernel itself holds for the guest (tmpfs, page caches, and
 * SysV shm segments as of the last scan). */
uint64_t kernel_mem_bytes(void);
/* Memory is short: kill the process that holds the most (not init) and
 * log it, unless an earlier victim is still on its way out. */
void out_of_memory(void);
#endif
