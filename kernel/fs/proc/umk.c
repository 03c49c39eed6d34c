/*
 * /proc/umk/: umk's own files. stats is the interception counters of
 * kernel/stats.c, one "name value" per line (include/umk/stats.h);
 * fail_fork the fork fault injection of kernel/fork.c (root, 0600);
 * kmalloc_census the live kernel allocations by call site (root, 0600;
 * write 1 to clear it and start counting, 0 to stop; a debugging aid for
 * leaks, arch/um/os-Linux/mem.c).
 */
#include "internal.h"
#include <umk/stats.h>
#include <stdlib.h>
#include <string.h>

/* The text that fill writes into at most 64 KiB, as the file's contents. */
static int show_text(struct seq_buf *m, size_t (*fill)(char *buf, size_t cap))
{
	size_t cap = 1 << 16;
	char *p = seq_reserve(m, cap);

	if (!p)
		return -ENOMEM;
	seq_commit(m, fill(p, cap));
	return 0;
}

static int show_stats(struct seq_buf *m, struct proc_inode *pi,
		      struct task *task)
{
	return show_text(m, umk_stats_text);
}

static int show_fail_fork(struct seq_buf *m, struct proc_inode *pi,
			  struct task *task)
{
	seq_printf(m, "%u\n", fail_fork);
	return 0;
}

/* A count in decimal, as Linux's fault-injection "times" files. */
static ssize_t write_fail_fork(struct proc_inode *pi, struct task *task,
			       const char *buf, size_t len)
{
	char tmp[16];
	char *end;
	unsigned long v;

	if (len == 0 || len >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, buf, len);
	tmp[len] = 0;
	v = strtoul(tmp, &end, 10);
	if (end == tmp || (*end && *end != '\n') || v > 1000000)
		return -EINVAL;
	fail_fork = v;
	return len;
}

static int show_kmalloc_census(struct seq_buf *m, struct proc_inode *pi,
			       struct task *task)
{
	return show_text(m, kmalloc_census_text);
}

/* "0" or "1", as a boolean sysctl. */
static ssize_t write_kmalloc_census(struct proc_inode *pi, struct task *task,
				    const char *buf, size_t len)
{
	int err;

	if (len == 0 || len > 2 || (buf[0] != '0' && buf[0] != '1') ||
	    (len == 2 && buf[1] != '\n'))
		return -EINVAL;
	err = kmalloc_census_set(buf[0] == '1');
	return err ? err : (ssize_t)len;
}

static struct proc_entry umk_entries[] = {
	{ "stats", S_IFREG | 0444, show_stats },
	{ "fail_fork", S_IFREG | 0600, show_fail_fork, write_fail_fork },
	{ "kmalloc_census", S_IFREG | 0600, show_kmalloc_census,
	  write_kmalloc_census },
};

const struct proc_dir proc_umk_dir = {
	.entries = umk_entries,
	.nentries = ARRAY_SIZE(umk_entries),
};
