/*
 * futex: passed through to the host, run by the stub inside the calling
 * task. A futex word lives in the caller's own address space (or a shared
 * mapping of it), so the host's futex is exactly the guest's; the stub's
 * pages and PI futexes (whose words name host tids) are refused, so nothing
 * else is reachable through it. A guest signal interrupts a wait (-EINTR
 * after the handler, or a restart). Semantics: futex(2).
 */
#include <umk/sched.h>
#include <umk/syscalls.h>
#include <stub.h>
#include <umk/stats.h>
#include <linux/futex.h>
#include <sys/syscall.h>

/* A futex word the guest may name: in user space, never in the stub. */
static bool futex_addr_ok(unsigned long uaddr)
{
	return uaddr + 4 > uaddr && uaddr + 4 <= TASK_SIZE_MAX &&
	       (uaddr + 4 <= STUB_START || uaddr >= STUB_END);
}

static bool uses_uaddr2(int cmd)
{
	return cmd == FUTEX_REQUEUE || cmd == FUTEX_CMP_REQUEUE ||
	       cmd == FUTEX_WAKE_OP || cmd == FUTEX_CMP_REQUEUE_PI ||
	       cmd == FUTEX_WAIT_REQUEUE_PI;
}

static bool is_pi(int cmd)
{
	return cmd == FUTEX_LOCK_PI || cmd == FUTEX_LOCK_PI2 ||
	       cmd == FUTEX_UNLOCK_PI || cmd == FUTEX_TRYLOCK_PI ||
	       cmd == FUTEX_WAIT_REQUEUE_PI || cmd == FUTEX_CMP_REQUEUE_PI;
}

/* The operations futex(2) has (but the PI ones); anything else is
 * Linux's -ENOSYS. */
static bool known_cmd(int cmd)
{
	return cmd == FUTEX_WAIT || cmd == FUTEX_WAKE || cmd == FUTEX_REQUEUE ||
	       cmd == FUTEX_CMP_REQUEUE || cmd == FUTEX_WAKE_OP ||
	       cmd == FUTEX_WAIT_BITSET || cmd == FUTEX_WAKE_BITSET;
}

SYSCALL_DEFINE6(futex, unsigned long, uaddr, int, op, unsigned int, val,
		unsigned long, utime, unsigned long, uaddr2, unsigned int, val3)
{
	int cmd = op & FUTEX_CMD_MASK;

	/* PI futexes name host tids in the futex word: a guest could point
	 * the host at any host thread. As a kernel without CONFIG_FUTEX_PI. */
	if (is_pi(cmd) || !known_cmd(cmd))
		return -ENOSYS;
	/* Linux's order: a misaligned word is EINVAL before any fault. */
	if ((uaddr & 3) || (uses_uaddr2(cmd) && (uaddr2 & 3)))
		return -EINVAL;
	if (!futex_addr_ok(uaddr) || (uses_uaddr2(cmd) && !futex_addr_ok(uaddr2)))
		return -EFAULT;
	umk_stats.syscalls_passthrough++;
	if (cmd == FUTEX_WAIT || cmd == FUTEX_WAIT_BITSET) {
		long ret;

		current->host_sleep = true;
		ret = host_syscall_interruptible(current, SYS_futex, uaddr, op,
						 val, utime, uaddr2, val3);
		current->host_sleep = false;
		return ret;
	}
	return host_syscall(current, SYS_futex, uaddr, op, val, utime, uaddr2,
			    val3);
}
