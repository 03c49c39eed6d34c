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
#include <os.h>
#include <string.h>
#include "internal.h"

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
	{ "domainname", S_IFREG | 0644, show_domainname, write_domainname },
	{ "hostname", S_IFREG | 0644, show_hostname, write_hostname },
	{ "ngroups_max", S_IFREG | 0444, show_ngroups_max },
	{ "osrelease", S_IFREG | 0444, show_osrelease },
	{ "ostype", S_IFREG | 0444, show_ostype },
	{ "pid_max", S_IFREG | 0444, show_pid_max },
	{ "random", S_IFDIR | 0555, .dir = &random_dir },
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
	{ "inotify", S_IFDIR | 0555, .dir = &inotify_dir },
};

static const struct proc_dir fs_dir = {
	.entries = fs_entries,
	.nentries = ARRAY_SIZE(fs_entries),
};

static struct proc_entry sys_entries[] = {
	{ "fs", S_IFDIR | 0555, .dir = &fs_dir },
	{ "kernel", S_IFDIR | 0555, .dir = &kernel_dir },
};

const struct proc_dir proc_sys_dir = {
	.entries = sys_entries,
	.nentries = ARRAY_SIZE(sys_entries),
};
