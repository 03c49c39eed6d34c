/*
 * /proc/umk/: umk's own files. stats is the interception counters of
 * kernel/stats.c, one "name value" per line (include/umk/stats.h).
 */
#include "internal.h"
#include <umk/stats.h>

static int show_stats(struct seq_buf *m, struct proc_inode *pi,
		      struct task *task)
{
	size_t cap = 1 << 16, n;
	char *p = seq_reserve(m, cap);

	if (!p)
		return -ENOMEM;
	n = umk_stats_text(p, cap);
	seq_commit(m, n);
	return 0;
}

static struct proc_entry umk_entries[] = {
	{ "stats", S_IFREG | 0444, show_stats },
};

const struct proc_dir proc_umk_dir = {
	.entries = umk_entries,
	.nentries = ARRAY_SIZE(umk_entries),
};
