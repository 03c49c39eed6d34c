/*
 * The /proc root directory: one directory per live process (PIDs, in
 * order, after the fixed entries), the self and thread-self links, and the
 * global files (meminfo, uptime, loadavg, version, cpuinfo, stat,
 * filesystems, partitions, devices, mounts, cmdline, swaps).
 * Model: Linux fs/proc/root.c, meminfo.c, stat.c, loadavg.c, uptime.c,
 * version.c, cmdline.c, arch/x86/kernel/cpu/proc.c.
 */
#include <umk/fs.h>
#include <umk/ipc.h>
#include <umk/mm.h>
#include <umk/ubd.h>
#include <umk/utsname.h>
#include <os.h>
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include "internal.h"
#include "saved_cmdline.h"
#include "../tmpfs.h"

#define LIST_TEXT_MAX 16384	/* bytes of filesystems/partitions/devices */

/* ---- links ------------------------------------------------------------ */

static int show_self(struct seq_buf *m, struct proc_inode *pi,
		     struct task *task)
{
	if (!current)
		return -ENOENT;
	seq_printf(m, "%d", current->tgid);
	return 0;
}

static int show_thread_self(struct seq_buf *m, struct proc_inode *pi,
			    struct task *task)
{
	if (!current)
		return -ENOENT;
	seq_printf(m, "%d/task/%d", current->tgid, current->pid);
	return 0;
}

static int show_mounts_link(struct seq_buf *m, struct proc_inode *pi,
			    struct task *task)
{
	seq_puts(m, "self/mounts");
	return 0;
}

static int show_net_link(struct seq_buf *m, struct proc_inode *pi,
			 struct task *task)
{
	seq_puts(m, "self/net");
	return 0;
}

/* ---- counting tasks --------------------------------------------------- */

struct task_counts {
	int threads, running, blocked;
	pid_t last_pid;			/* the newest task's pid */
	uint64_t utime_ns, stime_ns;	/* of every live thread group */
};

static void count_tasks(struct task_counts *c)
{
	uint64_t utime, stime;
	struct task *t;

	memset(c, 0, sizeof(*c));
	list_for_each_entry(t, &task_list, tasks) {
		if (t->exit_reaped)
			continue;
		c->last_pid = t->pid;
		if (thread_group_leader(t)) {
			proc_task_times(t, true, &utime, &stime);
			c->utime_ns += utime;
			c->stime_ns += stime;
		}
		if (t->state == TASK_DEAD)
			continue;
		c->threads++;
		if (t->state == TASK_RUNNING || t->state == TASK_WAIT_HOST)
			c->running++;
		else if (t->state == TASK_UNINTERRUPTIBLE)
			c->blocked++;
	}
}

/* ---- global files ----------------------------------------------------- */

static void meminfo_line(struct seq_buf *m, const char *name, uint64_t kb)
{
	seq_printf(m, "%-16s%8llu kB\n", name, (unsigned long long)kb);
}

/*
 * /proc/meminfo in Linux's layout. The guest's memory is mem=; what its
 * processes use comes from the host's accounting (guest_ram_used), tmpfs
 * data and SysV segments are Shmem and count as Cached, as on Linux. There is no swap.
 */
static int show_meminfo(struct seq_buf *m, struct proc_inode *pi,
			struct task *task)
{
	uint64_t total = totalram_bytes >> 10;
	uint64_t used = guest_ram_used() >> 10;
	uint64_t shmem = tmpfs_shmem_pages() * (PAGE_SIZE >> 10) +
			 (shm_resident_bytes() >> 10);
	uint64_t free = total > used + shmem ? total - used - shmem : 0;

	meminfo_line(m, "MemTotal:", total);
	meminfo_line(m, "MemFree:", free);
	meminfo_line(m, "MemAvailable:", free);
	meminfo_line(m, "Buffers:", 0);
	meminfo_line(m, "Cached:", shmem);
	meminfo_line(m, "SwapCached:", 0);
	meminfo_line(m, "Active:", used);
	meminfo_line(m, "Inactive:", shmem);
	meminfo_line(m, "Active(anon):", used);
	meminfo_line(m, "Inactive(anon):", shmem);
	meminfo_line(m, "Active(file):", 0);
	meminfo_line(m, "Inactive(file):", 0);
	meminfo_line(m, "Unevictable:", 0);
	meminfo_line(m, "Mlocked:", 0);
	meminfo_line(m, "SwapTotal:", 0);
	meminfo_line(m, "SwapFree:", 0);
	meminfo_line(m, "Zswap:", 0);
	meminfo_line(m, "Zswapped:", 0);
	meminfo_line(m, "Dirty:", 0);
	meminfo_line(m, "Writeback:", 0);
	meminfo_line(m, "AnonPages:", used);
	meminfo_line(m, "Mapped:", 0);
	meminfo_line(m, "Shmem:", shmem);
	meminfo_line(m, "KReclaimable:", 0);
	meminfo_line(m, "Slab:", 0);
	meminfo_line(m, "SReclaimable:", 0);
	meminfo_line(m, "SUnreclaim:", 0);
	meminfo_line(m, "KernelStack:", 0);
	meminfo_line(m, "PageTables:", 0);
	meminfo_line(m, "SecPageTables:", 0);
	meminfo_line(m, "NFS_Unstable:", 0);
	meminfo_line(m, "Bounce:", 0);
	meminfo_line(m, "WritebackTmp:", 0);
	meminfo_line(m, "CommitLimit:", total / 2);
	meminfo_line(m, "Committed_AS:", used);
	meminfo_line(m, "VmallocTotal:", 34359738367ULL);
	meminfo_line(m, "VmallocUsed:", 0);
	meminfo_line(m, "VmallocChunk:", 0);
	meminfo_line(m, "Percpu:", 0);
	meminfo_line(m, "AnonHugePages:", 0);
	meminfo_line(m, "ShmemHugePages:", 0);
	meminfo_line(m, "ShmemPmdMapped:", 0);
	meminfo_line(m, "FileHugePages:", 0);
	meminfo_line(m, "FilePmdMapped:", 0);
	seq_puts(m, "HugePages_Total:       0\nHugePages_Free:        0\n"
		 "HugePages_Rsvd:        0\nHugePages_Surp:        0\n");
	meminfo_line(m, "Hugepagesize:", 2048);
	meminfo_line(m, "Hugetlb:", 0);
	return 0;
}

static void put_seconds(struct seq_buf *m, uint64_t ns)
{
	seq_printf(m, "%llu.%02llu", (unsigned long long)(ns / NSEC_PER_SEC),
		   (unsigned long long)(ns / NSEC_PER_TICK % 100));
}

/* /proc/uptime: seconds since boot and idle seconds (uptime minus the
 * CPU time of the live processes; one CPU). */
static int show_uptime(struct seq_buf *m, struct proc_inode *pi,
		       struct task *task)
{
	uint64_t up = ktime_get_ns(), busy;
	struct task_counts c;

	count_tasks(&c);
	busy = c.utime_ns + c.stime_ns;
	put_seconds(m, up);
	seq_putc(m, ' ');
	put_seconds(m, up > busy ? up - busy : 0);
	seq_putc(m, '\n');
	return 0;
}

/* /proc/loadavg: umk keeps no load averages (0.00), then runnable/total
 * threads and the newest pid. */
static int show_loadavg(struct seq_buf *m, struct proc_inode *pi,
			struct task *task)
{
	struct task_counts c;

	count_tasks(&c);
	seq_printf(m, "0.00 0.00 0.00 %d/%d %d\n", c.running, c.threads,
		   c.last_pid);
	return 0;
}

static int show_version(struct seq_buf *m, struct proc_inode *pi,
			struct task *task)
{
	seq_printf(m, "Linux version %s (umk@umk) (gcc version " __VERSION__
		   ") %s\n", init_uts.release, init_uts.version);
	return 0;
}

/* One line of the host's cpuinfo for the guest's single CPU: topology
 * fields describe one core. */
static void cpuinfo_line(struct seq_buf *m, const char *line, size_t len)
{
	static const struct { const char *key; const char *val; } fix[] = {
		{ "physical id", "0" }, { "siblings", "1" },
		{ "core id", "0" }, { "cpu cores", "1" },
		{ "apicid", "0" }, { "initial apicid", "0" },
	};
	const char *colon = memchr(line, ':', len);
	size_t i, klen;

	for (i = 0; colon && i < ARRAY_SIZE(fix); i++) {
		klen = strlen(fix[i].key);
		if (len > klen && !memcmp(line, fix[i].key, klen) &&
		    (line[klen] == '\t' || line[klen] == ' ')) {
			seq_write(m, line, colon - line);
			seq_printf(m, ": %s\n", fix[i].val);
			return;
		}
	}
	seq_write(m, line, len);
	seq_putc(m, '\n');
}

/* /proc/cpuinfo: the host's first processor block, as processor 0. */
static int show_cpuinfo(struct seq_buf *m, struct proc_inode *pi,
			struct task *task)
{
	struct seq_buf host;
	size_t pos = 0;

	seq_buf_init(&host);
	if (proc_read_host_file(&host, "/proc/cpuinfo") || !host.len) {
		seq_buf_free(&host);
		seq_puts(m, "processor\t: 0\nvendor_id\t: unknown\n"
			 "model name\t: umk virtual CPU\n\n");
		return 0;
	}
	while (pos < host.len) {
		char *nl = memchr(host.buf + pos, '\n', host.len - pos);
		size_t len = nl ? (size_t)(nl - host.buf) - pos : host.len - pos;

		if (len == 0)
			break;
		cpuinfo_line(m, host.buf + pos, len);
		pos += len + 1;
	}
	seq_putc(m, '\n');
	seq_buf_free(&host);
	return 0;
}

/* /proc/stat (Linux show_stat) for one CPU, in clock ticks. */
static int show_stat(struct seq_buf *m, struct proc_inode *pi,
		     struct task *task)
{
	uint64_t up = ktime_get_ns();
	unsigned long long user, sys, idle, btime;
	struct task_counts c;
	int cpu;

	count_tasks(&c);
	user = c.utime_ns / NSEC_PER_TICK;
	sys = c.stime_ns / NSEC_PER_TICK;
	idle = up / NSEC_PER_TICK;
	idle = idle > user + sys ? idle - user - sys : 0;
	btime = (os_realtime_ns() - up) / NSEC_PER_SEC;
	for (cpu = -1; cpu < 1; cpu++) {
		if (cpu < 0)
			seq_puts(m, "cpu ");
		else
			seq_printf(m, "cpu%d", cpu);
		seq_printf(m, " %llu 0 %llu %llu 0 0 0 0 0 0\n", user, sys,
			   idle);
	}
	seq_printf(m, "intr 0\nctxt 0\nbtime %llu\nprocesses %d\n"
		   "procs_running %d\nprocs_blocked %d\n"
		   "softirq 0 0 0 0 0 0 0 0 0 0 0\n", btime, c.last_pid,
		   c.running, c.blocked);
	return 0;
}

/* The text of a list function (filesystems, partitions, devices). */
static int show_list(struct seq_buf *m, size_t (*list)(char *, size_t))
{
	char *p = seq_reserve(m, LIST_TEXT_MAX);

	if (!p)
		return m->err;
	seq_commit(m, list(p, LIST_TEXT_MAX));
	return 0;
}

static int show_filesystems(struct seq_buf *m, struct proc_inode *pi,
			    struct task *task)
{
	return show_list(m, list_filesystems);
}

static int show_partitions(struct seq_buf *m, struct proc_inode *pi,
			   struct task *task)
{
	return show_list(m, ubd_partitions);
}

static int show_devices(struct seq_buf *m, struct proc_inode *pi,
			struct task *task)
{
	return show_list(m, list_devices);
}

static int show_cmdline(struct seq_buf *m, struct proc_inode *pi,
			struct task *task)
{
	seq_printf(m, "%s\n", saved_command_line);
	return 0;
}

static int show_swaps(struct seq_buf *m, struct proc_inode *pi,
		      struct task *task)
{
	seq_puts(m, "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
	return 0;
}

/* ---- the PID directories ---------------------------------------------- */

/* /proc/N for any live task N: leaders are listed, other threads are
 * reachable by name only (Linux proc_pid_lookup). */
static int pid_lookup(struct inode *dir, struct task *task,
		      const struct qstr *name, struct inode **res)
{
	long pid = proc_name_to_num(name);
	struct task *t = proc_find_task(pid);

	if (!t)
		return -ENOENT;
	*res = proc_get_inode(dir->i_sb, &proc_pid_dir_entry, pid, false, 0, 0,
			      t);
	return *res ? 0 : -ENOMEM;
}

/* Every live process (zombies included) by pid; cookie base + pid. */
static int pid_iterate(struct file *file, struct task *task,
		       struct dir_context *ctx, loff_t base)
{
	char name[16];
	pid_t *pids;
	int i, n;

	n = proc_collect_pids(0, &pids);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++) {
		if (base + pids[i] < ctx->pos)
			continue;
		snprintf(name, sizeof(name), "%d", pids[i]);
		if (!proc_emit(ctx, name, strlen(name),
			       proc_ino(&proc_pid_dir_entry, pids[i], false, 0),
			       DT_DIR, base + pids[i] + 1))
			break;
	}
	kfree(pids);
	return 0;
}

static struct proc_entry root_entries[] = {
	{ "self", S_IFLNK | 0777, show_self },
	{ "thread-self", S_IFLNK | 0777, show_thread_self },
	{ "mounts", S_IFLNK | 0777, show_mounts_link },
	{ "net", S_IFLNK | 0777, show_net_link },
	{ "sys", S_IFDIR | 0555, .dir = &proc_sys_dir },
	{ "sysvipc", S_IFDIR | 0555, .dir = &proc_sysvipc_dir },
	{ "umk", S_IFDIR | 0555, .dir = &proc_umk_dir },
	{ "meminfo", S_IFREG | 0444, show_meminfo },
	{ "uptime", S_IFREG | 0444, show_uptime },
	{ "loadavg", S_IFREG | 0444, show_loadavg },
	{ "version", S_IFREG | 0444, show_version },
	{ "cpuinfo", S_IFREG | 0444, show_cpuinfo },
	{ "stat", S_IFREG | 0444, show_stat },
	{ "filesystems", S_IFREG | 0444, show_filesystems },
	{ "partitions", S_IFREG | 0444, show_partitions },
	{ "devices", S_IFREG | 0444, show_devices },
	{ "cmdline", S_IFREG | 0444, show_cmdline },
	{ "swaps", S_IFREG | 0444, show_swaps },
	{ "locks", S_IFREG | 0444, proc_locks_show },
	{ "config.gz", S_IFREG | 0444, proc_show_config_gz },
};

static const struct proc_dir root_dir = {
	.entries = root_entries,
	.nentries = ARRAY_SIZE(root_entries),
	.lookup = pid_lookup,
	.iterate = pid_iterate,
};

struct proc_entry proc_root_entry = {
	.mode = S_IFDIR | 0555,
	.dir = &root_dir,
};
