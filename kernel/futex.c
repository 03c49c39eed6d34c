/*
 * futex: passed through to the host, run by the stub inside the calling
 * task. A futex word lives in the caller's own address space (or a shared
 * mapping of it), so the host's futex is exactly the guest's; nothing else
 * is reachable through it. A guest signal interrupts a wait (-EINTR after
 * the handler, or a restart). Semantics: futex(2).
 */
#include <umk/sched.h>
#include <umk/syscalls.h>
#include <mode.h>
#include <umk/stats.h>
#include <linux/futex.h>
#include <sys/syscall.h>

SYSCALL_DEFINE6(futex, unsigned long, uaddr, int, op, unsigned int, val, unsigned long, utime, unsigned long, uaddr2, unsigned int, val3)
{
	int cmd = op & FUTEX_CMD_MASK;

	umk_stats.syscalls_passthrough++;
	if (cmd == FUTEX_WAIT || cmd == FUTEX_WAIT_BITSET ||
	    cmd == FUTEX_LOCK_PI || cmd == FUTEX_WAIT_REQUEUE_PI ||
	    cmd == FUTEX_LOCK_PI2)
		return host_syscall_interruptible(current, SYS_futex, uaddr, op,
						  val, utime, uaddr2, val3);
	return host_syscall(current, SYS_futex, uaddr, op, val, utime, uaddr2,
			    val3);
}
