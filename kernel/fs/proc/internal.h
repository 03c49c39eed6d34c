/*
 * procfs internals shared by the files of kernel/fs/proc/: the entry tables
 * that describe the tree, the per-inode data, and a growable text buffer
 * (seq_buf) that every file's contents are generated into at open time.
 *
 * The tree: a static table of entries per directory (struct proc_dir),
 * optionally followed by dynamic children (PIDs in the root, threads in
 * task/, descriptors in fd/). An inode stands for (entry, pid, thread, fd)
 * and its number is computed from them, so it is stable for as long as the
 * pid lives. Model: Linux fs/proc/ (base.c, array.c, root.c, generic.c).
 */
#ifndef UMK_FS_PROC_INTERNAL_H
#define UMK_FS_PROC_INTERNAL_H

#include <umk/fs.h>
#include <umk/sched.h>

#define PROC_SUPER_MAGIC	0x9fa0
#define PROC_ROOT_INO		1
#define USER_HZ			100	/* clock ticks of /proc (sysconf) */
#define NSEC_PER_SEC		1000000000ULL
#define NSEC_PER_TICK		(NSEC_PER_SEC / USER_HZ)
#define PROC_FD_MAX		(1 << 20)	/* fd numbers in an inode number */

/* Growable text; err is set (-ENOMEM) once an append failed. */
struct seq_buf {
	char *buf;
	size_t len, size;
	int err;
};
void seq_buf_init(struct seq_buf *m);
void seq_buf_free(struct seq_buf *m);
void seq_printf(struct seq_buf *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void seq_write(struct seq_buf *m, const void *data, size_t len);
void seq_puts(struct seq_buf *m, const char *s);
void seq_putc(struct seq_buf *m, char c);
/* Room for n more bytes at m->buf + m->len (commit what was used with
 * seq_commit), or NULL on -ENOMEM. */
char *seq_reserve(struct seq_buf *m, size_t n);
void seq_commit(struct seq_buf *m, size_t n);
/* s with space, tab, newline and backslash as octal escapes (mangle()). */
void seq_escape(struct seq_buf *m, const char *s);

struct proc_inode;
struct proc_dir;

struct proc_entry {
	const char *name;
	mode_t mode;			/* type and permission bits */
	/* Files: the contents, generated at open. Symlinks: the link text.
	 * task is NULL for global entries. 0 or -errno. */
	int (*show)(struct seq_buf *m, struct proc_inode *pi, struct task *task);
	/* Writable files: apply buf; returns len or -errno. */
	ssize_t (*write)(struct proc_inode *pi, struct task *task,
			 const char *buf, size_t len);
	/* Magic links: the path they stand for, referenced. */
	int (*get_link)(struct proc_inode *pi, struct task *task,
			struct path *res);
	const struct proc_dir *dir;	/* directories */
	/* Files read and written directly instead of from a generated text
	 * (mem): their own file operations. */
	const struct file_operations *fops;
	bool private;			/* needs ptrace-like access to task */
	unsigned int id;		/* unique, assigned by init_proc_fs */
};

struct proc_dir {
	struct proc_entry *entries;	/* static children */
	unsigned int nentries;
	/* Dynamic children after the static ones (NULL: none). lookup gives
	 * -ENOENT for a name it does not know; iterate starts its cookies at
	 * base. */
	int (*lookup)(struct inode *dir, struct task *task,
		      const struct qstr *name, struct inode **res);
	int (*iterate)(struct file *file, struct task *task,
		       struct dir_context *ctx, loff_t base);
};

/* inode->i_private of every proc inode. */
struct proc_inode {
	struct proc_entry *entry;
	pid_t pid;		/* 0 global; tgid, or tid when thread */
	bool thread;		/* under /proc/PID/task/TID/ */
	int fd;			/* fd/N: N */
};

static inline struct proc_inode *PROC_I(const struct inode *inode)
{
	return inode->i_private;
}

/* Entries that are not in any static table (inode.c assigns their ids). */
extern struct proc_entry proc_root_entry;	/* root.c */
extern struct proc_entry proc_pid_dir_entry;	/* base.c: /proc/PID */
extern struct proc_entry proc_tid_dir_entry;	/* base.c: task/TID */
extern struct proc_entry proc_fd_link_entry;	/* base.c: fd/N */
extern const struct proc_dir proc_sys_dir;
extern const struct proc_dir proc_umk_dir;	/* proc_sys.c: /proc/sys */
extern const struct proc_dir proc_net_dir;	/* kernel/net/proc.c */
extern const struct proc_dir proc_sysvipc_dir;	/* sysvipc.c */

/* inode.c */
/* The inode of entry e for (pid, thread, fd), from the inode cache or new,
 * owned by task's euid/egid (root for global entries). mode 0 means
 * e->mode. Returns a referenced inode or NULL (-ENOMEM). */
struct inode *proc_get_inode(struct super_block *sb, struct proc_entry *e,
			     pid_t pid, bool thread, int fd, mode_t mode,
			     struct task *task);
uint64_t proc_ino(const struct proc_entry *e, pid_t pid, bool thread, int fd);
/* Call the actor for one entry; ctx->pos moves to next if it was taken. */
bool proc_emit(struct dir_context *ctx, const char *name, unsigned int len,
	       uint64_t ino, unsigned int d_type, loff_t next);
/* "123" -> 123; -1 for anything but a plain decimal number. */
long proc_name_to_num(const struct qstr *name);

/* base.c */
/* The task with guest pid (tid) pid, zombies included; NULL once it is
 * reaped. /proc lists only thread-group leaders, but /proc/TID works for
 * any thread, as on Linux. */
struct task *proc_find_task(pid_t pid);
/* May the current task look into t (Linux ptrace_may_access with
 * PTRACE_MODE_READ_FSCREDS: root, same process, or all ids equal)? */
bool proc_may_access(struct task *t);
/* The current task's root, for d_path. */
const struct path *proc_current_root(void);
/* Sorted live pids: leaders when tgid is 0, else the threads of tgid.
 * Returns the count, with *pids kmalloc'ed (kfree it), or -ENOMEM. */
int proc_collect_pids(pid_t tgid, pid_t **pids);
int proc_show_mounts(struct seq_buf *m, struct proc_inode *pi,
		     struct task *task);
/* Read a host file (host /proc) whole into m. 0 or -errno. */
int proc_read_host_file(struct seq_buf *m, const char *path);

/* kernel/fs/locks.c: /proc/locks. */
int proc_locks_show(struct seq_buf *m, struct proc_inode *pi,
		    struct task *task);

/* config.c: /proc/config.gz */
int proc_show_config_gz(struct seq_buf *m, struct proc_inode *pi,
			struct task *task);

/* mem.c: /proc/PID/mem */
extern const struct file_operations proc_mem_operations;

/* array.c */
int proc_pid_stat(struct seq_buf *m, struct proc_inode *pi, struct task *t);
int proc_pid_status(struct seq_buf *m, struct proc_inode *pi, struct task *t);
int proc_pid_statm(struct seq_buf *m, struct proc_inode *pi, struct task *t);
/* CPU time of t in ns (its whole thread group when whole), from the
 * host's accounting of its host process or thread. */
void proc_task_times(struct task *t, bool whole, uint64_t *utime,
		     uint64_t *stime);
/* The /proc state letter of t (R, S, D, T, Z). */
char proc_task_state(const struct task *t);

#endif
