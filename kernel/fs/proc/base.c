/*
 * /proc/PID and /proc/PID/task/TID: the per-process directories, their
 * files (cmdline, environ, comm, auxv, maps, mounts, mountinfo), magic
 * links (exe, cwd, root, fd/N) and the fd/ and task/ directories. stat,
 * status and statm are in array.c. Model: Linux fs/proc/base.c, fd.c,
 * task_mmu.c, proc_namespace.c.
 */
#include <umk/fs.h>
#include <umk/uaccess.h>
#include <umk/ptrace.h>
#include <os.h>
#include <stub.h>
#include <sys/sysmacros.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "../internal.h"

#define PROC_ARGS_MAX	(256UL << 10)	/* bytes of cmdline/environ shown */
#define HOST_FILE_MAX	(16UL << 20)	/* bytes of a host /proc file */

/* ---- helpers ---------------------------------------------------------- */

struct task *proc_find_task(pid_t pid)
{
	struct task *t;

	if (pid <= 0)
		return NULL;
	list_for_each_entry(t, &task_list, tasks)
		if (t->pid == pid && !t->exit_reaped)
			return t;
	return NULL;
}

bool proc_may_access(struct task *t)
{
	return ptrace_may_access(t, PTRACE_MODE_READ | PTRACE_MODE_FSCREDS);
}

const struct path *proc_current_root(void)
{
	static struct path global_root;

	if (current && current->fs)
		return &current->fs->root;
	global_root.mnt = root_mnt;
	global_root.dentry = root_mnt ? root_mnt->mnt_root : NULL;
	return &global_root;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

int proc_collect_pids(pid_t tgid, pid_t **pids)
{
	struct task *t;
	int n = 0, i = 0;

	list_for_each_entry(t, &task_list, tasks)
		n++;
	*pids = kmalloc((n + 1) * sizeof(pid_t));
	if (!*pids)
		return -ENOMEM;
	list_for_each_entry(t, &task_list, tasks) {
		if (t->exit_reaped || i >= n)
			continue;
		if (tgid ? t->tgid != tgid : !thread_group_leader(t))
			continue;
		(*pids)[i++] = t->pid;
	}
	qsort(*pids, i, sizeof(pid_t), cmp_pid);
	return i;
}

/* Host /proc files report their size as 0: read with a growing buffer
 * until the text fits. */
int proc_read_host_file(struct seq_buf *m, const char *path)
{
	size_t size = 16384;
	long n;

	for (;;) {
		char *p = seq_reserve(m, size);

		if (!p)
			return m->err;
		n = os_read_file(path, p, size);
		if (n < 0)
			return n;
		if ((size_t)n < size || size >= HOST_FILE_MAX) {
			seq_commit(m, n);
			return 0;
		}
		size *= 2;
	}
}

/* ---- cmdline, environ, auxv, comm ------------------------------------- */

/* Bytes [start, end) of the task's memory, capped at PROC_ARGS_MAX. */
static int show_remote(struct seq_buf *m, struct task *task,
		       unsigned long start, unsigned long end)
{
	struct mm_struct *mm = task->mm;
	size_t len;
	long n;
	char *p;

	if (!mm || !start || end <= start)
		return 0;
	len = min(end - start, PROC_ARGS_MAX);
	p = seq_reserve(m, len);
	if (!p)
		return m->err;
	n = access_remote_vm(mm, start, p, len, false);
	if (n > 0)
		seq_commit(m, n);
	return 0;
}

/* The argv strings, NUL-separated, as the process sees them now. */
static int show_cmdline(struct seq_buf *m, struct proc_inode *pi,
			struct task *task)
{
	if (!task->mm)
		return 0;
	return show_remote(m, task, task->mm->arg_start, task->mm->arg_end);
}

static int show_environ(struct seq_buf *m, struct proc_inode *pi,
			struct task *task)
{
	if (!task->mm)
		return 0;
	return show_remote(m, task, task->mm->env_start, task->mm->env_end);
}

/* The auxiliary vector exec built: (type, value) pairs of longs up to and
 * including AT_NULL. auxv_len counts longs. */
static int show_auxv(struct seq_buf *m, struct proc_inode *pi,
		     struct task *task)
{
	struct mm_struct *mm = task->mm;
	int n;

	if (!mm)
		return 0;
	n = min(mm->auxv_len, (int)ARRAY_SIZE(mm->auxv));
	if (n > 0)
		seq_write(m, mm->auxv, n * sizeof(unsigned long));
	return 0;
}

static int show_comm(struct seq_buf *m, struct proc_inode *pi,
		     struct task *task)
{
	seq_printf(m, "%.*s\n", (int)sizeof(task->comm), task->comm);
	return 0;
}

/* Rename a thread of one's own process (Linux comm_write): at most 15
 * bytes, a trailing newline dropped. -EINVAL for another process. */
static ssize_t write_comm(struct proc_inode *pi, struct task *task,
			  const char *buf, size_t len)
{
	size_t n = min(len, sizeof(task->comm) - 1);

	if (!current || current->tgid != task->tgid)
		return -EINVAL;
	memcpy(task->comm, buf, n);
	task->comm[n] = '\0';
	if (n && task->comm[n - 1] == '\n')
		task->comm[n - 1] = '\0';
	return len;
}

/* ---- maps ------------------------------------------------------------- */

/* One line of the host's maps: dropped if it touches the stub, kept as is
 * for [stack], [vdso], [vvar] and other bracketed names, and otherwise
 * shown as an anonymous mapping so no host path or inode leaks. */
static void map_line(struct seq_buf *m, const char *line, size_t len)
{
	unsigned long start, end, off;
	char perms[8], name[64] = "";
	int n = 0;

	if (sscanf(line, "%lx-%lx %7s %lx %*x:%*x %*u %n", &start, &end, perms,
		   &off, &n) < 4 || !n)
		return;
	if (start < STUB_END && end > STUB_START)
		return;
	sscanf(line + n, "%63[^\n]", name);
	if (name[0] == '[') {
		seq_write(m, line, len);
		seq_putc(m, '\n');
		return;
	}
	seq_printf(m, "%08lx-%08lx %s %08lx 00:00 0 \n", start, end, perms,
		   name[0] ? off : 0UL);
}

/* /proc/PID/maps from the host's view of the address space. */
static int show_maps(struct seq_buf *m, struct proc_inode *pi,
		     struct task *task)
{
	struct seq_buf host;
	char path[64];
	size_t pos = 0;
	int err;

	if (!task->mm || task->mm->host_pid <= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/maps", task->mm->host_pid);
	seq_buf_init(&host);
	err = proc_read_host_file(&host, path);
	while (!err && pos < host.len) {
		char *nl = memchr(host.buf + pos, '\n', host.len - pos);
		size_t len = nl ? (size_t)(nl - host.buf) - pos : host.len - pos;

		host.buf[pos + len] = '\0';
		map_line(m, host.buf + pos, len);
		pos += len + 1;
	}
	seq_buf_free(&host);
	return err;
}

/* ---- mounts, mountinfo ------------------------------------------------ */

static void mount_options(struct seq_buf *m, struct vfsmount *mnt)
{
	bool ro = (mnt->mnt_flags & MNT_READONLY) || sb_rdonly(mnt->mnt_sb);

	seq_puts(m, ro ? "ro" : "rw");
	if (mnt->mnt_flags & MNT_NOSUID)
		seq_puts(m, ",nosuid");
	if (mnt->mnt_flags & MNT_NODEV)
		seq_puts(m, ",nodev");
	if (mnt->mnt_flags & MNT_NOEXEC)
		seq_puts(m, ",noexec");
	seq_puts(m, ",relatime");
}

/* The mount point of mnt as the current task sees it, into buf; false when
 * it lies outside the task's root (chroot), which hides it as in Linux. */
static bool mount_point(struct vfsmount *mnt, char *buf, size_t size)
{
	struct path p = { .mnt = mnt, .dentry = mnt->mnt_root };
	bool unreachable;

	return __d_path(&p, proc_current_root(), buf, size, &unreachable) >= 0 &&
	       !unreachable;
}

/* /proc/mounts (Linux show_vfsmnt): "dev mountpoint type options 0 0". */
int proc_show_mounts(struct seq_buf *m, struct proc_inode *pi,
		     struct task *task)
{
	struct vfsmount *mnt;
	char *buf = kmalloc(PATH_MAX);

	if (!buf)
		return -ENOMEM;
	for_each_mount(mnt) {
		if (!mount_point(mnt, buf, PATH_MAX))
			continue;
		seq_escape(m, mnt->mnt_devname ? mnt->mnt_devname : "none");
		seq_putc(m, ' ');
		seq_escape(m, buf);
		seq_putc(m, ' ');
		seq_escape(m, mnt->mnt_sb->s_type->name);
		seq_putc(m, ' ');
		mount_options(m, mnt);
		seq_puts(m, " 0 0\n");
	}
	kfree(buf);
	return 0;
}

/* A mount's id for mountinfo: its place in the mount list, from 21 as on
 * a booted Linux. */
static int mount_id(struct vfsmount *want)
{
	struct vfsmount *mnt;
	int id = 21;

	for_each_mount(mnt) {
		if (mnt == want)
			return id;
		id++;
	}
	return 0;
}

/* /proc/PID/mountinfo (Linux show_mountinfo), bind roots shown as "/". */
static int show_mountinfo(struct seq_buf *m, struct proc_inode *pi,
			  struct task *task)
{
	struct vfsmount *mnt;
	char *buf = kmalloc(PATH_MAX);

	if (!buf)
		return -ENOMEM;
	for_each_mount(mnt) {
		if (!mount_point(mnt, buf, PATH_MAX))
			continue;
		seq_printf(m, "%d %d %u:%u / ", mount_id(mnt),
			   mount_id(mnt->mnt_parent),
			   major(mnt->mnt_sb->s_dev), minor(mnt->mnt_sb->s_dev));
		seq_escape(m, buf);
		seq_putc(m, ' ');
		mount_options(m, mnt);
		seq_puts(m, " - ");
		seq_escape(m, mnt->mnt_sb->s_type->name);
		seq_putc(m, ' ');
		seq_escape(m, mnt->mnt_devname ? mnt->mnt_devname : "none");
		seq_puts(m, sb_rdonly(mnt->mnt_sb) ? " ro\n" : " rw\n");
	}
	kfree(buf);
	return 0;
}

/* ---- magic links: exe, cwd, root -------------------------------------- */

static int link_exe(struct proc_inode *pi, struct task *task, struct path *res)
{
	if (!task->mm || !task->mm->exe_file)
		return -ENOENT;
	*res = task->mm->exe_file->f_path;
	path_get(res);
	return 0;
}

static int link_cwd(struct proc_inode *pi, struct task *task, struct path *res)
{
	if (!task->fs)
		return -ENOENT;
	*res = task->fs->pwd;
	path_get(res);
	return 0;
}

static int link_root(struct proc_inode *pi, struct task *task, struct path *res)
{
	if (!task->fs)
		return -ENOENT;
	*res = task->fs->root;
	path_get(res);
	return 0;
}

static void show_path(struct seq_buf *m, const struct path *p)
{
	char *buf = kmalloc(PATH_MAX);
	long len;

	if (!buf) {
		m->err = -ENOMEM;
		return;
	}
	len = d_path(p, proc_current_root(), buf, PATH_MAX);
	if (len < 0)
		m->err = len;
	else
		seq_write(m, buf, len);
	kfree(buf);
}

/* readlink of exe/cwd/root: the path's text (d_path). */
static int show_magic(struct seq_buf *m, struct proc_inode *pi,
		      struct task *task)
{
	struct path p;
	int err = pi->entry->get_link(pi, task, &p);

	if (err)
		return err;
	show_path(m, &p);
	path_put(&p);
	return 0;
}

/* ---- fd/ -------------------------------------------------------------- */

static struct file *task_fd(struct task *task, int fd)
{
	struct files_struct *files = task->files;

	if (!files || fd < 0 || fd >= files->max_fds)
		return NULL;
	return files->fd[fd].file;
}

/* lr-x------, l-wx------ or lrwx------ by the open mode (Linux
 * tid_fd_update_inode). */
static mode_t fd_link_mode(struct file *file)
{
	mode_t mode = S_IFLNK;

	if (file->f_mode & FMODE_READ)
		mode |= S_IRUSR | S_IXUSR;
	if (file->f_mode & FMODE_WRITE)
		mode |= S_IWUSR | S_IXUSR;
	return mode;
}

static int link_fd(struct proc_inode *pi, struct task *task, struct path *res)
{
	struct file *file = task_fd(task, pi->fd);

	if (!file)
		return -ENOENT;
	if (!file->f_path.dentry || !file->f_path.mnt)
		return -ENXIO;
	*res = file->f_path;
	path_get(res);
	return 0;
}

/* readlink of fd/N: the path, or "pipe:[ino]", "socket:[ino]",
 * "anon_inode:[...]" for files without one. */
static int show_fd_link(struct seq_buf *m, struct proc_inode *pi,
			struct task *task)
{
	struct file *file = task_fd(task, pi->fd);
	struct inode *inode;

	if (!file)
		return -ENOENT;
	if (file->f_path.dentry && file->f_path.mnt) {
		show_path(m, &file->f_path);
		return 0;
	}
	inode = file->f_inode;
	if (inode && S_ISFIFO(inode->i_mode))
		seq_printf(m, "pipe:[%lu]", inode->i_ino);
	else if (inode && S_ISSOCK(inode->i_mode))
		seq_printf(m, "socket:[%lu]", inode->i_ino);
	else
		seq_puts(m, "anon_inode:[unknown]");
	return 0;
}

static int fd_lookup(struct inode *dir, struct task *task,
		     const struct qstr *name, struct inode **res)
{
	struct proc_inode *pi = PROC_I(dir);
	long fd = proc_name_to_num(name);
	struct file *file;

	if (!proc_may_access(task))
		return -EACCES;
	file = fd < 0 || fd >= PROC_FD_MAX ? NULL : task_fd(task, fd);
	if (!file)
		return -ENOENT;
	*res = proc_get_inode(dir->i_sb, &proc_fd_link_entry, pi->pid,
			      pi->thread, fd, fd_link_mode(file), task);
	return *res ? 0 : -ENOMEM;
}

/* The open descriptors in order; cookie base + fd. */
static int fd_iterate(struct file *file, struct task *task,
		      struct dir_context *ctx, loff_t base)
{
	struct proc_inode *pi = PROC_I(file->f_inode);
	struct files_struct *files = task->files;
	char name[16];
	int fd;

	if (!proc_may_access(task))
		return -EACCES;
	if (!files)
		return 0;
	for (fd = ctx->pos - base; fd < files->max_fds && fd < PROC_FD_MAX;
	     fd++) {
		if (!files->fd[fd].file)
			continue;
		snprintf(name, sizeof(name), "%d", fd);
		if (!proc_emit(ctx, name, strlen(name),
			       proc_ino(&proc_fd_link_entry, pi->pid,
					pi->thread, fd),
			       DT_LNK, base + fd + 1))
			return 0;
	}
	return 0;
}

static const struct proc_dir fd_dir = {
	.lookup = fd_lookup,
	.iterate = fd_iterate,
};

struct proc_entry proc_fd_link_entry = {
	.mode = S_IFLNK | 0700,
	.show = show_fd_link,
	.get_link = link_fd,
	.private = true,
};

/* ---- task/ ------------------------------------------------------------ */

static int task_lookup(struct inode *dir, struct task *task,
		       const struct qstr *name, struct inode **res)
{
	long tid = proc_name_to_num(name);
	struct task *t = proc_find_task(tid);

	if (!t || t->tgid != task->tgid)
		return -ENOENT;
	*res = proc_get_inode(dir->i_sb, &proc_tid_dir_entry, tid, true, 0, 0,
			      t);
	return *res ? 0 : -ENOMEM;
}

/* The threads of the process by tid; cookie base + tid. */
static int task_iterate(struct file *file, struct task *task,
			struct dir_context *ctx, loff_t base)
{
	char name[16];
	pid_t *tids;
	int i, n;

	n = proc_collect_pids(task->tgid, &tids);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++) {
		if (base + tids[i] < ctx->pos)
			continue;
		snprintf(name, sizeof(name), "%d", tids[i]);
		if (!proc_emit(ctx, name, strlen(name),
			       proc_ino(&proc_tid_dir_entry, tids[i], true, 0),
			       DT_DIR, base + tids[i] + 1))
			break;
	}
	kfree(tids);
	return 0;
}

static const struct proc_dir task_dir = {
	.lookup = task_lookup,
	.iterate = task_iterate,
};

/* ---- the tables ------------------------------------------------------- */

#define PID_FILES							\
	{ "fd", S_IFDIR | 0500, .dir = &fd_dir },			\
	{ "stat", S_IFREG | 0444, proc_pid_stat },			\
	{ "status", S_IFREG | 0444, proc_pid_status },			\
	{ "statm", S_IFREG | 0444, proc_pid_statm },			\
	{ "cmdline", S_IFREG | 0444, show_cmdline },			\
	{ "environ", S_IFREG | 0400, show_environ, .private = true },	\
	{ "auxv", S_IFREG | 0400, show_auxv, .private = true },		\
	{ "comm", S_IFREG | 0644, show_comm, write_comm },		\
	{ "maps", S_IFREG | 0444, show_maps, .private = true },		\
	{ "mem", S_IFREG | 0600, .fops = &proc_mem_operations },		\
	{ "mounts", S_IFREG | 0444, proc_show_mounts },			\
	{ "mountinfo", S_IFREG | 0444, show_mountinfo },		\
	{ "net", S_IFDIR | 0555, .dir = &proc_net_dir },		\
	{ "exe", S_IFLNK | 0777, show_magic, .get_link = link_exe,	\
	  .private = true },						\
	{ "cwd", S_IFLNK | 0777, show_magic, .get_link = link_cwd,	\
	  .private = true },						\
	{ "root", S_IFLNK | 0777, show_magic, .get_link = link_root,	\
	  .private = true }

static struct proc_entry pid_entries[] = {
	{ "task", S_IFDIR | 0555, .dir = &task_dir },
	PID_FILES,
};

static struct proc_entry tid_entries[] = {
	PID_FILES,
};

static const struct proc_dir pid_dir = {
	.entries = pid_entries,
	.nentries = ARRAY_SIZE(pid_entries),
};

static const struct proc_dir tid_dir = {
	.entries = tid_entries,
	.nentries = ARRAY_SIZE(tid_entries),
};

struct proc_entry proc_pid_dir_entry = {
	.mode = S_IFDIR | 0555,
	.dir = &pid_dir,
};

struct proc_entry proc_tid_dir_entry = {
	.mode = S_IFDIR | 0555,
	.dir = &tid_dir,
};
