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

#endif
