/*
 * futex on the stub's pages, and PI futexes (whose futex word names host
 * tids), are refused: a guest could otherwise wake or sleep on the stub's
 * own words, or point the host at another host thread.
 */
#include "probe.h"
#include <linux/futex.h>

static long futex(unsigned long uaddr, int op, unsigned int val,
		  unsigned long uaddr2)
{
	return syscall(SYS_futex, uaddr, op, val, NULL, uaddr2, 0);
}

int main(int argc, char **argv)
{
	static unsigned int word;
	const unsigned long at[] = { STUB_CODE, STUB_DATA, STUB_RW };
	const char *name[] = { "code", "request", "rw" };

	canary_init(argc, argv);
	for (int i = 0; i < 3; i++) {
		say("futex_wake_%s: %s", name[i],
		    res(futex(at[i], FUTEX_WAKE, 1, 0)));
		say("futex_wait_%s: %s", name[i],
		    res(futex(at[i], FUTEX_WAIT, 0x12345678, 0)));
		say("futex_requeue_to_%s: %s", name[i],
		    res(futex((unsigned long)&word, FUTEX_CMP_REQUEUE, 1, at[i])));
	}
	say("futex_lock_pi: %s", res(futex((unsigned long)&word, FUTEX_LOCK_PI, 0, 0)));
	say("futex_unlock_pi: %s", res(futex((unsigned long)&word, FUTEX_UNLOCK_PI, 0, 0)));
	say("futex_trylock_pi: %s", res(futex((unsigned long)&word, FUTEX_TRYLOCK_PI, 0, 0)));
	say("DONE futex_stub");
	return 0;
}
