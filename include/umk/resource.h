/*
 * Resource limits of the current process (getrlimit(2)): a shorthand for
 * the soft limit, as Linux's rlimit(). Enforced where Linux enforces each:
 * RLIMIT_FSIZE in write and truncate (fs/read_write.c, fs/attr.c),
 * RLIMIT_NPROC in fork (kernel/fork.c), RLIMIT_AS in mmap, brk and mremap
 * (kernel/mm.c), RLIMIT_CORE in the core dump (kernel/coredump.c),
 * RLIMIT_NOFILE in the fd table (fs/file_table.c).
 */
#ifndef UMK_RESOURCE_H
#define UMK_RESOURCE_H
#include <umk/sched.h>

static inline rlim_t rlimit(int resource)
{
	return current->signal->rlim[resource].rlim_cur;
}
#endif
