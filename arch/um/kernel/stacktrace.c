/*
 * Kernel stack traces of sleeping tasks. A task that is switched out has
 * its stack pointer in task->ksp, where __switch_to (switch.S) left r15,
 * r14, r13, r12, rbx, rbp and then the return address. umk is built
 * without frame pointers, so above that the trace is a scan, as Linux's
 * show_trace_log_lvl without a reliable unwinder: every stack word that
 * points just after a call instruction in umk's text. gdb (scripts/gdb/
 * umk.py, umk-task) unwinds the same stack exactly with the DWARF CFI.
 */
#include <umk/stacktrace.h>
#include <os.h>
#include <stdio.h>

#define TRACE_MAX_LINES 48
#define SWITCH_SAVED_REGS 6	/* pushed by __switch_to below its return */

char task_state_char(const struct task *t)
{
	switch (t->state) {
	case TASK_RUNNING:
	case TASK_WAIT_HOST:
		return 'R';
	case TASK_INTERRUPTIBLE:
		return 'S';
	case TASK_UNINTERRUPTIBLE:
		return 'D';
	case TASK_STOPPED:
		return 'T';
	default:
		return 'Z';
	}
}

/* Does a call instruction end just before addr? (call rel32, and the
 * indirect forms ff /2 of 2, 3, 6 and 7 bytes.) */
static bool after_call(unsigned long addr)
{
	const unsigned char *p = (const unsigned char *)addr;

	if (!os_text_contains(addr) || !os_text_contains(addr - 7))
		return false;
	if (p[-5] == 0xe8)
		return true;
	for (int len = 2; len <= 7; len++) {
		if (len == 4 || len == 5)
			continue;
		if (p[-len] == 0xff && ((p[-len + 1] >> 3) & 7) == 2)
			return true;
	}
	return false;
}

static size_t print_entry(char *buf, size_t len, unsigned long addr,
			  bool reliable)
{
	unsigned long off, size;
	const char *name = os_ksym_lookup(addr, &off, &size);
	int w;

	if (name)
		w = snprintf(buf, len, " %s%s+0x%lx/0x%lx\n",
			     reliable ? "" : "? ", name, off, size);
	else
		w = snprintf(buf, len, " %s0x%lx\n", reliable ? "" : "? ",
			     addr);
	return w < 0 ? 0 : min((size_t)w, len ? len - 1 : 0);
}

size_t show_task_stack(struct task *t, char *buf, size_t len)
{
	unsigned long *sp, *top;
	size_t pos = 0;
	int lines = 0;
	int w;

	if (!len)
		return 0;
	buf[0] = '\0';
	if (t == current || !t->kstack || !t->ksp) {
		w = snprintf(buf, len, " (no switched-out kernel stack)\n");
		return w < 0 ? 0 : min((size_t)w, len - 1);
	}
	sp = (unsigned long *)t->ksp + SWITCH_SAVED_REGS;
	top = (unsigned long *)((char *)t->kstack + t->kstack_size);
	pos += print_entry(buf + pos, len - pos, *sp++, true);
	for (; sp < top && lines < TRACE_MAX_LINES && pos + 1 < len; sp++) {
		if (!after_call(*sp))
			continue;
		pos += print_entry(buf + pos, len - pos, *sp, false);
		lines++;
	}
	return pos;
}
