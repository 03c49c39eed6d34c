/*
 * What interception costs, counted by the kernel: guest syscalls served and
 * let through, ptrace stops, stub round trips, signals injected, overall and
 * per syscall number; host context switches come from the host's own
 * accounting when the numbers are read. Shown as /proc/umk/stats inside the
 * guest and, with the boot option `stats`, at shutdown.
 */
#ifndef UMK_STATS_H
#define UMK_STATS_H

#include <umk/kernel.h>

#define STATS_NR_MAX 512

struct umk_stats {
	uint64_t syscalls;		/* served by the kernel */
	uint64_t syscalls_passthrough;	/* run by the host in the task */
	uint64_t ptrace_stops;		/* every stop of a guest thread */
	uint64_t seccomp_traps;		/* seccomp mode: entries into the
					 * stub's handler that reached umk */
	uint64_t stub_calls;		/* stub round trips (each one stop) */
	uint64_t signals_injected;
	uint64_t nr_calls[STATS_NR_MAX];
	uint64_t nr_stops[STATS_NR_MAX];
};

extern struct umk_stats umk_stats;
extern bool stats_at_shutdown;		/* boot option `stats` */
extern bool strace_enabled;		/* boot option `strace`, --strace */

/* Write the counters as "name value" lines into buf (at most len bytes);
 * returns the length. Per-syscall lines are "syscall.NAME.calls N" and
 * "syscall.NAME.stops N" for every syscall that was called. */
size_t umk_stats_text(char *buf, size_t len);

#endif
