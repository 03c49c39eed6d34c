/*
 * /proc/sys: the few sysctls guest programs read. kernel/hostname and
 * domainname can be written by root (as sethostname/setdomainname); the
 * rest is read-only. Model: Linux kernel/utsname_sysctl.c, kernel/sysctl.c,
 * drivers/char/random.c (random/).
 */
#include <umk/fs.h>
#include <umk/utsname.h>
#include <umk/eventpoll.h>
#include <umk/fsnotify.h>
#include <umk/ipc.h>
#include <umk/mm.h>
#include <os.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <umk/limits.h>
#include "internal.h"

/* --- numeric sysctls: the System V IPC limits (root may change them) --- */

struct sysctl_int {
	const char *name;
	int *data;
	int min, max;
};

static const struct sysctl_int sysctl_ints[] = {
	{ "shmmni", &ipc_limits.shmmni, 0, IPCMNI },
	{ "msgmax", &ipc_limits.msgmax, 0, INT_MAX },
	{ "msgmnb", &ipc_limits.msgmnb, 0, INT_MAX },
	{ "msgmni", &ipc_limits.msgmni, 0, IPCMNI },
};

/*
 * Parse up to n integers of a sysctl write (Linux proc_dointvec: blanks
 * between, a newline may end it). The count parsed, or -EINVAL.
 */
static int parse_longs(const char *buf, size_t len, long *v, int n,
		       bool is_unsigned)
{
	char tmp[128], *p, *end;
	int count = 0;

	if (len >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, buf, len);
	tmp[len] = '\0';
	for (p = tmp; count < n; p = end) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		if (is_unsigned && *p == '-')
			return -EINVAL;
		errno = 0;
		v[count] = is_unsigned ? (long)strtoul(p, &end, 10) :
					 strtol(p, &end, 10);
		if (end == p || errno ||
		    (*end && *end != ' ' && *end != '\t' && *end != '\n'))
			return -EINVAL;
		count++;
	}
	return count ? count : -EINVAL;
}

static const struct sysctl_int *find_int(struct proc_inode *pi)
{
	for (size_t i = 0; i < ARRAY_SIZE(sysctl_ints); i++)
		if (!strcmp(sysctl_ints[i].name, pi->entry->name))
			return &sysctl_ints[i];
	return NULL;
}

static int show_int(struct seq_buf *m, struct proc_inode *pi,
		    struct task *task)
{
	const struct sysctl_int *s = find_int(pi);

	seq_printf(m, "%d\n", s ? *s->data : 0);
	return 0;
}

static ssize_t write_int(struct proc_inode *pi, struct task *task,
			 const char *buf, size_t len)
{
	const struct sysctl_int *s = find_int(pi);
	long v;
	int n;

	if (current && !capable(current->cred))
		return -EPERM;
	n = parse_longs(buf, len, &v, 1, false);
	if (n < 0)
		return n;
	if (!s || v < s->min || v > s->max)
		return -EINVAL;
	*s->data = v;
	return len;
}

static unsigned long *shm_ulong(struct proc_inode *pi)
{
	return !strcmp(pi->entry->name, "shmmax") ? &ipc_limits.shmmax :
						    &ipc_limits.shmall;
}

static int show_shm_ulong(struct seq_buf *m, struct proc_inode *pi,
			  struct task *task)
{
	seq_printf(m, "%lu\n", *shm_ulong(pi));
	return 0;
}

static ssize_t write_shm_ulong(struct proc_inode *pi, struct task *task,
			       const char *buf, size_t len)
{
	long v;
	int n;

	if (current && !capable(current->cred))
		return -EPERM;
	n = parse_longs(buf, len, &v, 1, true);
	if (n < 0)
		return n;
	*shm_ulong(pi) = v;
	return len;
}

/* kernel/sem: SEMMSL SEMMNS SEMOPM SEMMNI, tab separated. */
static int show_sem(struct seq_buf *m, struct proc_inode *pi,
		    struct task *task)
{
	seq_printf(m, "%d\t%d\t%d\t%d\n", ipc_limits.semmsl,
		   ipc_limits.semmns, ipc_limits.semopm, ipc_limits.semmni);
	return 0;
}

static ssize_t write_sem(struct proc_inode *pi, struct task *task,
			 const char *buf, size_t len)
{
	int *dst[4] = { &ipc_limits.semmsl, &ipc_limits.semmns,
			&ipc_limits.semopm, &ipc_limits.semmni };
	long v[4];
	int n;

	if (current && !capable(current->cred))
		return -EPERM;
	n = parse_longs(buf, len, v, 4, false);
	if (n < 0)
		return n;
	for (int i = 0; i < n; i++)
		if (v[i] < 0 || v[i] > INT_MAX || (i == 3 && v[i] > IPCMNI))
			return -EINVAL;
	for (int i = 0; i < n; i++)
		*dst[i] = v[i];
	return len;
}

/* --- constant sysctls: what umk is, read-only --- */

static const struct {
	const char *name, *text;
} sysctl_consts[] = {
	{ "cap_last_cap", "40\n" },			/* CAP_CHECKPOINT_RESTORE */
	{ "pipe-max-size", "1048576\n" },
	{ "nr_open", "1048576\n" },
	{ "overcommit_memory", "0\n" },
	{ "overcommit_ratio", "50\n" },
	{ "max_map_count", "65530\n" },
};

static int show_const(struct seq_buf *m, struct proc_inode *pi,
		      struct task *task)
{
	for (size_t i = 0; i < ARRAY_SIZE(sysctl_consts); i++)
		if (!strcmp(sysctl_consts[i].name, pi->entry->name))
			seq_puts(m, sysctl_consts[i].text);
	return 0;
}

/* Linux files_maxfiles_init: a tenth of memory in KiB, at least 8192. */
static int show_file_max(struct seq_buf *m, struct proc_inode *pi,
			 struct task *task)
{
	uint64_t n = totalram_bytes / 1024 / 10;

	seq_printf(m, "%llu\n", (unsigned long long)max(n, (uint64_t)8192));
	return 0;
}

static int show_hostname(struct seq_buf *m, struct proc_inode *pi,
			 struct task *task)
{
	seq_printf(m, "%s\n", init_uts.nodename);
	return 0;
}

static int show_domainname(struct seq_buf *m, struct proc_inode *pi,
			   struct task *task)
{
	seq_printf(m, "%s\n", init_uts.domainname);
	return 0;
}

/* A sysctl string write (Linux proc_dostring): up to size - 1 bytes,
 * ending at the first newline. -EPERM unless root. */
static ssize_t write_uts_string(char *dst, size_t size, const char *buf,
				size_t len)
{
	const char *nl = memchr(buf, '\n', len);
	size_t n = nl ? (size_t)(nl - buf) : len;

	if (current && !capable(current->cred))
		return -EPERM;
	n = min(n, size - 1);
	memcpy(dst, buf, n);
	dst[n] = '\0';
	return len;
}

static ssize_t write_hostname(struct proc_inode *pi, struct task *task,
			      const char *buf, size_t len)
{
	return write_uts_string(init_uts.nodename, sizeof(init_uts.nodename),
				buf, len);
}

static ssize_t write_domainname(struct proc_inode *pi, struct task *task,
				const char *buf, size_t len)
{
	return write_uts_string(init_uts.domainname,
				sizeof(init_uts.domainname), buf, len);
}

static int show_ostype(struct seq_buf *m, struct proc_inode *pi,
		       struct task *task)
{
	seq_printf(m, "%s\n", init_uts.sysname);
	return 0;
}

static int show_osrelease(struct seq_buf *m, struct proc_inode *pi,
			  struct task *task)
{
	seq_printf(m, "%s\n", init_uts.release);
	return 0;
}

static int show_kversion(struct seq_buf *m, struct proc_inode *pi,
			 struct task *task)
{
	seq_printf(m, "%s\n", init_uts.version);
	return 0;
}

/* alloc_pid wraps at 32768. */
static int show_pid_max(struct seq_buf *m, struct proc_inode *pi,
			struct task *task)
{
	seq_puts(m, "32768\n");
	return 0;
}

/* Core files are always "core" in the dumping task's cwd
 * (kernel/coredump.c): Linux's default pattern, without the pid. */
static int show_core_pattern(struct seq_buf *m, struct proc_inode *pi,
			     struct task *task)
{
	seq_puts(m, "core\n");
	return 0;
}

static int show_core_uses_pid(struct seq_buf *m, struct proc_inode *pi,
			      struct task *task)
{
	seq_puts(m, "0\n");
	return 0;
}

/* Linux's threads-max, from mem= (kernel/limits.c). */
static int show_threads_max(struct seq_buf *m, struct proc_inode *pi,
			    struct task *task)
{
	seq_printf(m, "%d\n", max_threads);
	return 0;
}

static int show_ngroups_max(struct seq_buf *m, struct proc_inode *pi,
			    struct task *task)
{
	seq_printf(m, "%d\n", NGROUPS_MAX_GUEST);
	return 0;
}

/* A random (version 4) UUID, as random/uuid. */
static int put_uuid(struct seq_buf *m, unsigned char b[16])
{
	int i;

	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	for (i = 0; i < 16; i++)
		seq_printf(m, "%02x%s", b[i],
			   i == 3 || i == 5 || i == 7 || i == 9 ? "-" : "");
	seq_putc(m, '\n');
	return 0;
}

static int show_uuid(struct seq_buf *m, struct proc_inode *pi,
		     struct task *task)
{
	unsigned char b[16];
	int err = os_getrandom(b, sizeof(b));

	return err ? err : put_uuid(m, b);
}

/* The same UUID for the whole boot. */
static int show_boot_id(struct seq_buf *m, struct proc_inode *pi,
			struct task *task)
{
	static unsigned char id[16];
	static bool made;
	int err;

	if (!made) {
		err = os_getrandom(id, sizeof(id));
		if (err)
			return err;
		made = true;
	}
	return put_uuid(m, id);
}

static int show_256(struct seq_buf *m, struct proc_inode *pi,
		    struct task *task)
{
	seq_puts(m, "256\n");
	return 0;
}

static struct proc_entry random_entries[] = {
	{ "boot_id", S_IFREG | 0444, show_boot_id },
	{ "entropy_avail", S_IFREG | 0444, show_256 },
	{ "poolsize", S_IFREG | 0444, show_256 },
	{ "uuid", S_IFREG | 0444, show_uuid },
};

static const struct proc_dir random_dir = {
	.entries = random_entries,
	.nentries = ARRAY_SIZE(random_entries),
};

static struct proc_entry kernel_entries[] = {
	{ "cap_last_cap", S_IFREG | 0444, show_const },
	{ "core_pattern", S_IFREG | 0444, show_core_pattern },
	{ "core_uses_pid", S_IFREG | 0444, show_core_uses_pid },
	{ "domainname", S_IFREG | 0644, show_domainname, write_domainname },
	{ "hostname", S_IFREG | 0644, show_hostname, write_hostname },
	{ "msgmax", S_IFREG | 0644, show_int, write_int },
	{ "msgmnb", S_IFREG | 0644, show_int, write_int },
	{ "msgmni", S_IFREG | 0644, show_int, write_int },
	{ "ngroups_max", S_IFREG | 0444, show_ngroups_max },
	{ "osrelease", S_IFREG | 0444, show_osrelease },
	{ "ostype", S_IFREG | 0444, show_ostype },
	{ "pid_max", S_IFREG | 0444, show_pid_max },
	{ "random", S_IFDIR | 0555, .dir = &random_dir },
	{ "sem", S_IFREG | 0644, show_sem, write_sem },
	{ "shmall", S_IFREG | 0644, show_shm_ulong, write_shm_ulong },
	{ "shmmax", S_IFREG | 0644, show_shm_ulong, write_shm_ulong },
	{ "shmmni", S_IFREG | 0644, show_int, write_int },
	{ "threads-max", S_IFREG | 0444, show_threads_max },
	{ "version", S_IFREG | 0444, show_kversion },
};

static const struct proc_dir kernel_dir = {
	.entries = kernel_entries,
	.nentries = ARRAY_SIZE(kernel_entries),
};

/* fs/inotify and fs/epoll: the limits kernel/fs/inotify.c and
 * eventpoll.c enforce (fixed here: read-only). */
static int show_inotify_instances(struct seq_buf *m, struct proc_inode *pi,
				  struct task *task)
{
	seq_printf(m, "%d\n", INOTIFY_MAX_USER_INSTANCES);
	return 0;
}

static int show_inotify_watches(struct seq_buf *m, struct proc_inode *pi,
				struct task *task)
{
	seq_printf(m, "%d\n", INOTIFY_MAX_USER_WATCHES);
	return 0;
}

static int show_inotify_queued(struct seq_buf *m, struct proc_inode *pi,
			       struct task *task)
{
	seq_printf(m, "%d\n", INOTIFY_MAX_QUEUED_EVENTS);
	return 0;
}

static int show_epoll_watches(struct seq_buf *m, struct proc_inode *pi,
			      struct task *task)
{
	seq_printf(m, "%d\n", EPOLL_MAX_USER_WATCHES);
	return 0;
}

static struct proc_entry inotify_entries[] = {
	{ "max_queued_events", S_IFREG | 0444, show_inotify_queued },
	{ "max_user_instances", S_IFREG | 0444, show_inotify_instances },
	{ "max_user_watches", S_IFREG | 0444, show_inotify_watches },
};

static const struct proc_dir inotify_dir = {
	.entries = inotify_entries,
	.nentries = ARRAY_SIZE(inotify_entries),
};

static struct proc_entry epoll_entries[] = {
	{ "max_user_watches", S_IFREG | 0444, show_epoll_watches },
};

static const struct proc_dir epoll_dir = {
	.entries = epoll_entries,
	.nentries = ARRAY_SIZE(epoll_entries),
};

static struct proc_entry fs_entries[] = {
	{ "epoll", S_IFDIR | 0555, .dir = &epoll_dir },
	{ "file-max", S_IFREG | 0444, show_file_max },
	{ "inotify", S_IFDIR | 0555, .dir = &inotify_dir },
	{ "nr_open", S_IFREG | 0444, show_const },
	{ "pipe-max-size", S_IFREG | 0444, show_const },
};

static const struct proc_dir fs_dir = {
	.entries = fs_entries,
	.nentries = ARRAY_SIZE(fs_entries),
};

static struct proc_entry vm_entries[] = {
	{ "max_map_count", S_IFREG | 0444, show_const },
	{ "overcommit_memory", S_IFREG | 0444, show_const },
	{ "overcommit_ratio", S_IFREG | 0444, show_const },
};

static const struct proc_dir vm_dir = {
	.entries = vm_entries,
	.nentries = ARRAY_SIZE(vm_entries),
};

static struct proc_entry sys_entries[] = {
	{ "fs", S_IFDIR | 0555, .dir = &fs_dir },
	{ "kernel", S_IFDIR | 0555, .dir = &kernel_dir },
	{ "vm", S_IFDIR | 0555, .dir = &vm_dir },
};

const struct proc_dir proc_sys_dir = {
	.entries = sys_entries,
	.nentries = ARRAY_SIZE(sys_entries),
};
