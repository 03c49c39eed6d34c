/*
 * /proc/sysvipc/{shm,sem,msg}: one line per System V IPC object, in
 * Linux's format (kernel/ipc/ writes the lines). Model: Linux ipc/util.c
 * sysvipc_proc_show.
 */
#include <umk/fs.h>
#include <umk/ipc.h>
#include "internal.h"

static void emit_line(void *ctx, const char *line)
{
	seq_puts(ctx, line);
}

static int show_shm(struct seq_buf *m, struct proc_inode *pi,
		    struct task *task)
{
	sysvipc_proc_show(0, emit_line, m);
	return 0;
}

static int show_sem(struct seq_buf *m, struct proc_inode *pi,
		    struct task *task)
{
	sysvipc_proc_show(1, emit_line, m);
	return 0;
}

static int show_msg(struct seq_buf *m, struct proc_inode *pi,
		    struct task *task)
{
	sysvipc_proc_show(2, emit_line, m);
	return 0;
}

static struct proc_entry sysvipc_entries[] = {
	{ "msg", S_IFREG | 0444, show_msg },
	{ "sem", S_IFREG | 0444, show_sem },
	{ "shm", S_IFREG | 0444, show_shm },
};

const struct proc_dir proc_sysvipc_dir = {
	.entries = sysvipc_entries,
	.nentries = ARRAY_SIZE(sysvipc_entries),
};
