/*
 * Kernel timers (Linux struct timer_list): fn runs on the kernel thread's
 * scheduler loop once ktime_get_ns() >= expires (ns since boot).
 */
#ifndef UMK_TIMER_H
#define UMK_TIMER_H

#include <umk/kernel.h>

struct timer_list {
	uint64_t expires;
	void (*fn)(struct timer_list *timer);
	struct list_head entry;
	bool pending;
};
void add_timer(struct timer_list *timer);	/* re-adds if pending */
void del_timer(struct timer_list *timer);
/* ns until the first timer expires, or -1 if none. */
int64_t next_timer_delay(void);
void run_timers(void);
/* Expiry (ns since boot) of the first timer, 0 if none. */
uint64_t next_timer_expires(void);
/* A time on the guest's clock (ns since boot) as host CLOCK_MONOTONIC ns. */
uint64_t ktime_to_host_ns(uint64_t kt);

#endif
