/*
 * The interception counters (include/umk/stats.h) and their text form.
 * Counting costs one increment per event on the kernel thread; the host's
 * context switch counts are read only when the text is generated.
 */
#include <umk/stats.h>
#include <umk/sched.h>
#include <umk/syscalls.h>
#include <os.h>
#include <stdio.h>
#include <stdarg.h>

struct umk_stats umk_stats;
bool stats_at_shutdown;
bool strace_enabled;

struct textbuf {
	char *buf;
	size_t len, used;
};

static void emit(struct textbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->used >= b->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->buf + b->used, b->len - b->used, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->used = min(b->used + n, b->len);
}

size_t umk_stats_text(char *buf, size_t len)
{
	struct textbuf b = { buf, len, 0 };
	/* Guest host processes umk has reaped, then the live ones. */
	uint64_t guest = os_reaped_children_ctxsw(), kthread = os_thread_ctxsw();
	struct umk_stats *s = &umk_stats;
	struct task *t;

	list_for_each_entry(t, &task_list, tasks)
		if (thread_group_leader(t) && t->mm && t->mm->host_pid > 0 &&
		    !t->zombie)
			guest += os_process_ctxsw(t->mm->host_pid);
	emit(&b, "syscalls %llu\n", (unsigned long long)s->syscalls);
	emit(&b, "syscalls_passthrough %llu\n",
	     (unsigned long long)s->syscalls_passthrough);
	emit(&b, "ptrace_stops %llu\n", (unsigned long long)s->ptrace_stops);
	emit(&b, "seccomp_traps %llu\n", (unsigned long long)s->seccomp_traps);
	emit(&b, "stub_calls %llu\n", (unsigned long long)s->stub_calls);
	emit(&b, "signals_injected %llu\n",
	     (unsigned long long)s->signals_injected);
	emit(&b, "ctxsw_kernel_thread %llu\n", (unsigned long long)kthread);
	emit(&b, "ctxsw_guest %llu\n", (unsigned long long)guest);
	emit(&b, "kmalloc_live %ld\n", kmalloc_live());
	for (int nr = 0; nr < STATS_NR_MAX; nr++) {
		const char *name;

		if (!s->nr_calls[nr])
			continue;
		name = syscall_name(nr);
		if (name)
			emit(&b, "syscall.%s.calls %llu\nsyscall.%s.stops %llu\n",
			     name, (unsigned long long)s->nr_calls[nr], name,
			     (unsigned long long)s->nr_stops[nr]);
		else
			emit(&b, "syscall.%d.calls %llu\nsyscall.%d.stops %llu\n",
			     nr, (unsigned long long)s->nr_calls[nr], nr,
			     (unsigned long long)s->nr_stops[nr]);
	}
	return b.used;
}
