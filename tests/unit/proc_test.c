/*
 * Host-side unit test of procfs: links the objects of kernel/fs/proc/ (with tmpfs.o
 * and devices.o for the helpers they lend) against the fakes of
 * fs_fakes.c plus a fake task list, mount list and clock defined here, then
 * walks /proc through the inode methods: readdir resumption, per-process
 * files (stat field by field, status, cmdline, maps, fd/), links, global
 * files, small reads and lseek, writes to comm and hostname.
 * Prints TAP: "1..N", then "ok N - ..." / "not ok N - ...".
 */
#include <umk/fs.h>
#include <umk/init.h>
#include <umk/mm.h>
#include <umk/tty.h>
#include <umk/utsname.h>
#include <os.h>
#include <mode.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fs_fakes.h"
#include "../../kernel/fs/internal.h"
#include "../../kernel/fs/proc/saved_cmdline.h"
#include "../../kernel/fs/proc/internal.h"

/* /proc/net's files live in kernel/net/proc.c, not linked here. */
const struct proc_dir proc_net_dir;

/* ---- fakes of what procfs reads ---------------------------------------- */

LIST_HEAD(task_list);
LIST_HEAD(mount_list);
struct vfsmount *root_mnt;
struct utsname init_uts = {
	"Linux", "umk", UMK_RELEASE, "#1 SMP PREEMPT_DYNAMIC umk", "x86_64",
};
char saved_command_line[] = "ubd0=root.img mem=64M";
static int path_refs;

bool thread_group_leader(const struct task *t)
{
	return t->group_leader == t;
}

long access_remote_vm(struct mm_struct *mm, unsigned long addr, void *buf,
		      size_t len, bool write)
{
	memcpy(buf, (void *)addr, len);
	return len;
}

/* kernel/ptrace.c's check, without the dumpable flag: root, the same
 * process, or every id of the target equal to the caller's fs ids. */
bool ptrace_may_access(struct task *t, unsigned int mode)
{
	const struct cred *c = current->cred, *tc = t->cred;

	if (c->euid == 0 || current->tgid == t->tgid)
		return true;
	return tc && c->fsuid == tc->uid && c->fsuid == tc->euid &&
	       c->fsuid == tc->suid && c->fsgid == tc->gid &&
	       c->fsgid == tc->egid && c->fsgid == tc->sgid;
}

long os_read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	size_t done = 0;
	ssize_t n = 1;

	if (fd < 0)
		return -errno;
	while (done < len && (n = read(fd, buf + done, len - done)) > 0)
		done += n;
	close(fd);
	return n < 0 ? -errno : (long)done;
}

uint64_t os_realtime_ns(void) { return 1700000000ULL * 1000000000ULL; }
uint64_t ktime_get_ns(void) { return 123456789012ULL; }
uint64_t guest_ram_used(void) { return 8ULL << 20; }
/* The counters' text, as kernel/stats.c would give it. */
size_t umk_stats_text(char *buf, size_t len)
{
	return snprintf(buf, len, "syscalls 42\nptrace_stops 43\n");
}

size_t list_filesystems(char *buf, size_t len)
{
	return snprintf(buf, len, "nodev\tproc\n\text4\n");
}

size_t ubd_partitions(char *buf, size_t len)
{
	return snprintf(buf, len, "major minor  #blocks  name\n\n"
			"  98        0      65536 ubda\n");
}

/* The fake dentries carry their absolute path as their name. */
long d_path(const struct path *p, const struct path *root, char *buf,
	    size_t size)
{
	size_t len = strlen(p->dentry->d_name);

	if (len >= size)
		return -ENAMETOOLONG;
	memcpy(buf, p->dentry->d_name, len + 1);
	return len;
}

long __d_path(const struct path *p, const struct path *root, char *buf,
	      size_t size, bool *unreachable)
{
	*unreachable = false;
	return d_path(p, root, buf, size);
}

void path_get(const struct path *p) { path_refs++; }
void path_put(const struct path *p) { path_refs--; }

/* ---- the fake system: init (pid 1, two threads), a zombie (pid 2) ----- */

static struct dentry d_root = { .d_name = "/" };
static struct dentry d_proc = { .d_name = "/proc" };
static struct dentry d_console = { .d_name = "/dev/console" };
static struct dentry d_exe = { .d_name = "/sbin/init" };
static struct file_system_type ext4_type = { .name = "ext4" };
static struct file_system_type proc_type = { .name = "proc" };
static struct super_block root_sb = { .s_type = &ext4_type, .s_dev = 0x6200 };
static struct super_block proc_sb_fake = { .s_type = &proc_type };
static struct vfsmount mnt_root = {
	.mnt_root = &d_root, .mnt_sb = &root_sb, .mnt_devname = "/dev/ubda",
};
static struct vfsmount mnt_proc = {
	.mnt_root = &d_proc, .mnt_sb = &proc_sb_fake, .mnt_devname = "proc",
	.mnt_flags = MNT_NOSUID | MNT_NODEV | MNT_NOEXEC,
};

static char args[] = "init\0-s";
static struct inode pipe_inode = { .i_mode = S_IFIFO | 0600, .i_ino = 77 };
static struct file console_file = {
	.f_path = { &mnt_root, &d_console }, .f_mode = FMODE_READ | FMODE_WRITE,
};
static struct file exe_file = { .f_path = { &mnt_root, &d_exe } };
static struct file pipe_file = { .f_inode = &pipe_inode, .f_mode = FMODE_WRITE };
static struct fdtable_entry fds[4] = { { &console_file }, { &pipe_file } };
static struct files_struct files = { .count = 1, .max_fds = 4, .fd = fds };
static struct fs_struct fs = {
	.users = 1, .root = { &mnt_root, &d_root }, .pwd = { &mnt_root, &d_root },
	.umask = 022,
};
static struct mm_struct mm = { .users = 2 };
static struct sighand_struct sighand = { .count = 1 };
static struct tty_struct tty = { .pgrp = 1, .session = 1 };
static struct signal_struct sig1 = { .count = 2, .pgrp = 1, .session = 1,
				     .tty = &tty };
static struct signal_struct sig2 = { .count = 0, .pgrp = 1, .session = 1 };
static struct cred cred2 = { .uid = 1000, .euid = 1000, .suid = 1000,
			     .fsuid = 1000, .gid = 100, .egid = 100 };
static struct task t1, t3, t2;

static void setup_tasks(void)
{
	mm.host_pid = getpid();
	mm.arg_start = (unsigned long)args;
	mm.arg_end = (unsigned long)args + sizeof(args);
	mm.exe_file = &exe_file;
	mm.auxv[0] = 6;		/* AT_PAGESZ */
	mm.auxv[1] = 4096;
	mm.auxv_len = 4;
	sighand.action[SIGINT - 1].handler = 1;		/* ignored */
	sighand.action[SIGTERM - 1].handler = 0x401000;	/* caught */
	sig1.rlim[RLIMIT_RSS].rlim_cur = RLIM_INFINITY;

	t1 = (struct task){ .pid = 1, .tgid = 1, .comm = "init",
		.state = TASK_INTERRUPTIBLE, .cred = &test_cred, .mm = &mm,
		.files = &files, .fs = &fs, .signal = &sig1,
		.sighand = &sighand, .blocked = 1, .exit_signal = 0,
		.utime_ns = 250000000, .stime_ns = 50000000,
		.start_time_ns = 10000000 };
	t1.group_leader = &t1;
	t3 = t1;
	t3.pid = 3;
	t3.comm[0] = 'w';
	t3.state = TASK_WAIT_HOST;
	t3.exit_signal = -1;
	t2 = (struct task){ .pid = 2, .tgid = 2, .comm = "zombie",
		.state = TASK_DEAD, .cred = &cred2, .signal = &sig2,
		.real_parent = &t1, .exit_signal = SIGCHLD,
		.exit_code = 3 << 8 };
	t2.group_leader = &t2;
	list_add_tail(&t1.tasks, &task_list);
	list_add_tail(&t2.tasks, &task_list);
	list_add_tail(&t3.tasks, &task_list);
	current = &t1;

	mnt_root.mnt_parent = &mnt_root;
	mnt_proc.mnt_parent = &mnt_root;
	root_mnt = &mnt_root;
	list_add_tail(&mnt_root.mnt_list, &mount_list);
	list_add_tail(&mnt_proc.mnt_list, &mount_list);
}

/* ---- helpers ------------------------------------------------------------ */

/* The inode at the slash-separated path below dir (no symlinks), or NULL. */
static struct inode *walk(struct inode *dir, const char *path)
{
	char buf[256], *comp, *rest = buf;
	struct inode *inode = dir;

	snprintf(buf, sizeof(buf), "%s", path);
	ihold(inode);
	while ((comp = strsep(&rest, "/")) != NULL) {
		struct inode *next;

		if (!*comp)
			continue;
		next = lookup(inode, comp);
		iput(inode);
		if (!next)
			return NULL;
		inode = next;
	}
	return inode;
}

/* Open path, read it `chunk` bytes per read, close. Returns a malloc'ed
 * NUL-terminated text (length in *len) or NULL with *err. */
static char *read_file(struct inode *root, const char *path, size_t chunk,
		       size_t *len, int *err)
{
	struct inode *inode = walk(root, path);
	char *text = NULL;
	struct file f;
	size_t size = 0;
	ssize_t n;

	*len = 0;
	*err = -ENOENT;
	if (!inode)
		return NULL;
	file_init(&f, inode, O_RDONLY);
	*err = !f.f_op ? -EINVAL : f.f_op->open ? f.f_op->open(inode, &f) : 0;
	if (*err) {
		iput(inode);
		return NULL;
	}
	do {
		if (*len + chunk + 1 > size) {
			size = (*len + chunk + 1) * 2;
			text = realloc(text, size);
		}
		n = f.f_op->read(&f, text + *len, chunk, &f.f_pos);
		if (n > 0)
			*len += n;
	} while (n > 0);
	text[*len] = '\0';
	f.f_op->release(inode, &f);
	iput(inode);
	*err = n < 0 ? n : 0;
	return text;
}

/* Does path exist below root? */
static bool exists(struct inode *root, const char *path)
{
	struct inode *inode = walk(root, path);

	iput(inode);
	return inode != NULL;
}

static char *slurp(struct inode *root, const char *path)
{
	size_t len;
	int err;

	return read_file(root, path, 4096, &len, &err);
}

static long readlink_(struct inode *root, const char *path, char *buf,
		      size_t size)
{
	struct inode *inode = walk(root, path);
	long n;

	if (!inode)
		return -ENOENT;
	n = inode->i_op->readlink ? inode->i_op->readlink(inode, buf, size - 1)
				  : -EINVAL;
	if (n >= 0)
		buf[n] = '\0';
	iput(inode);
	return n;
}

struct names {
	struct dir_context ctx;
	int room, n;
	char name[256][16];
};

static bool names_actor(struct dir_context *ctx, const char *name,
			int namelen, loff_t pos, uint64_t ino,
			unsigned int d_type)
{
	struct names *c = container_of(ctx, struct names, ctx);

	if (c->room == 0 || c->n >= 256)
		return false;
	c->room--;
	snprintf(c->name[c->n++], 16, "%.*s", namelen, name);
	return true;
}

/* Read a directory `chunk` entries per iterate call. */
static int list_dir(struct inode *root, const char *path, struct names *c,
		    int chunk)
{
	struct inode *dir = walk(root, path);
	struct file f;
	int err = 0, before;

	memset(c, 0, sizeof(*c));
	if (!dir)
		return -ENOENT;
	c->ctx.actor = names_actor;
	file_init(&f, dir, O_RDONLY);
	do {
		before = c->n;
		c->room = chunk;
		c->ctx.pos = f.f_pos;
		err = f.f_op->iterate(&f, &c->ctx);
		f.f_pos = c->ctx.pos;
	} while (!err && c->n > before);
	iput(dir);
	return err;
}

static int has(struct names *c, const char *name)
{
	int i, k = 0;

	for (i = 0; i < c->n; i++)
		k += !strcmp(c->name[i], name);
	return k;
}

/* Field n (1-based) of a stat line, counted after the ")" of comm. */
static long long stat_field(const char *text, int n)
{
	const char *p = strrchr(text, ')');
	int i;

	if (n <= 2 || !p)
		return -999;
	p += 2;
	for (i = 3; i < n; i++) {
		p = strchr(p, ' ');
		if (!p)
			return -999;
		p++;
	}
	return *p == 'S' || *p == 'Z' || *p == 'R' ? *p : atoll(p);
}

static int count_fields(const char *text)
{
	const char *p = strrchr(text, ')');
	int n = 2;

	for (; p && *p && *p != '\n'; p++)
		n += *p == ' ';
	return n;
}

/* ---- tests -------------------------------------------------------------- */

static void test_root(struct inode *root)
{
	static struct names c;
	char buf[64];

	ok(list_dir(root, "", &c, 3) == 0 && has(&c, ".") == 1 &&
	   has(&c, "self") == 1 && has(&c, "meminfo") == 1 &&
	   has(&c, "1") == 1 && has(&c, "2") == 1 && has(&c, "3") == 0,
	   "/proc lists fixed entries and thread-group leaders, 3 per call");
	ok(readlink_(root, "self", buf, sizeof(buf)) == 1 && !strcmp(buf, "1"),
	   "self -> 1");
	ok(readlink_(root, "thread-self", buf, sizeof(buf)) > 0 &&
	   !strcmp(buf, "1/task/1"), "thread-self -> 1/task/1");
	ok(readlink_(root, "mounts", buf, sizeof(buf)) > 0 &&
	   !strcmp(buf, "self/mounts"), "mounts -> self/mounts");
	ok(exists(root, "3"), "/proc/3 (a thread) is reachable by name");
	ok(!exists(root, "4") && !exists(root, "01"),
	   "no /proc/4, no /proc/01");
	ok(list_dir(root, "1/task", &c, 1) == 0 && has(&c, "1") &&
	   has(&c, "3") && c.n == 4, "task/ lists both threads");
	ok(list_dir(root, "1", &c, 5) == 0 && has(&c, "stat") &&
	   has(&c, "fd") && has(&c, "task") && has(&c, "exe"),
	   "/proc/1 lists its entries");
}

static void test_stat(struct inode *root)
{
	struct inode *a, *b, *c;
	char *text;

	text = slurp(root, "1/stat");
	ok(text && !strncmp(text, "1 (init) S 0 1 1 1281 1 ", 24),
	   "stat starts: pid (comm) state ppid pgrp session tty_nr tpgid");
	ok(text && count_fields(text) == 52, "stat has 52 fields (%d)",
	   text ? count_fields(text) : 0);
	ok(text && stat_field(text, 14) >= 0 && stat_field(text, 15) >= 0,
	   "utime/stime of the host process, in ticks (%lld %lld)",
	   stat_field(text, 14), stat_field(text, 15));
	ok(text && stat_field(text, 20) == 2 && stat_field(text, 22) == 1,
	   "num_threads 2, starttime 1 tick");
	ok(text && stat_field(text, 23) > 0 && stat_field(text, 24) > 0,
	   "vsize and rss from the host");
	ok(text && stat_field(text, 34) == (1 << 14),
	   "sigcatch has SIGTERM (%lld)", stat_field(text, 34));
	free(text);
	text = slurp(root, "1/task/3/stat");
	ok(text && !strncmp(text, "3 (wnit) R 0 ", 13) &&
	   stat_field(text, 14) == 25, "task/3/stat: the thread's own view");
	free(text);
	text = slurp(root, "2/stat");
	ok(text && !strncmp(text, "2 (zombie) Z 1 ", 15) &&
	   count_fields(text) == 52 && stat_field(text, 23) == 0,
	   "zombie: state Z, ppid 1, no memory");
	free(text);
	a = walk(root, "1/stat");
	b = walk(root, "1/stat");
	c = walk(root, "2/stat");
	ok(a && a == b && c && a->i_ino != c->i_ino &&
	   (a->i_mode & 07777) == 0444,
	   "inode numbers stable per (pid, file), 0444");
	iput(a);
	iput(b);
	iput(c);
}

static void test_status_and_friends(struct inode *root)
{
	char *text, buf[128];
	size_t len;
	int err;

	text = slurp(root, "1/status");
	ok(text && strstr(text, "Name:\tinit\nUmask:\t0022\nState:\tS (sleeping)\n"
			  "Tgid:\t1\nNgid:\t0\nPid:\t1\nPPid:\t0\n"),
	   "status: name, umask, state, ids");
	ok(text && strstr(text, "\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n"
			  "FDSize:\t4\nGroups:\t \n"),
	   "status: Uid, Gid, FDSize, Groups");
	ok(text && strstr(text, "\nThreads:\t2\n") &&
	   strstr(text, "\nSigBlk:\t0000000000000001\n") &&
	   strstr(text, "\nSigIgn:\t0000000000000002\n") &&
	   strstr(text, "\nVmRSS:\t"), "status: Threads, SigBlk, SigIgn, VmRSS");
	free(text);
	text = read_file(root, "1/cmdline", 3, &len, &err);
	ok(text && len == sizeof(args) && !memcmp(text, args, len),
	   "cmdline: argv bytes, read 3 at a time");
	free(text);
	text = read_file(root, "1/auxv", 4096, &len, &err);
	ok(text && len == 32 && ((unsigned long *)text)[1] == 4096, "auxv");
	free(text);
	text = slurp(root, "1/comm");
	ok(text && !strcmp(text, "init\n"), "comm");
	free(text);
	{
		struct inode *c = walk(root, "1/comm");
		struct file f;

		file_init(&f, c, O_WRONLY);
		f.f_op->open(c, &f);
		ok(f.f_op->write(&f, "renamed\n", 8, &f.f_pos) == 8 &&
		   !strcmp(t1.comm, "renamed"), "write to comm renames");
		f.f_op->release(c, &f);
		iput(c);
		strcpy(t1.comm, "init");
	}
	text = slurp(root, "1/maps");
	ok(text && strstr(text, "[stack]") && !strstr(text, "proc_test"),
	   "maps: host names in brackets kept, host paths dropped");
	free(text);
	ok(readlink_(root, "1/exe", buf, sizeof(buf)) > 0 &&
	   !strcmp(buf, "/sbin/init") && path_refs == 0,
	   "exe -> d_path of the executable");
	ok(readlink_(root, "1/cwd", buf, sizeof(buf)) == 1 && !strcmp(buf, "/"),
	   "cwd");
	{
		struct inode *e = walk(root, "1/exe");
		struct path p = { 0 };

		ok(e && e->i_op->get_link_path(e, &p) == 0 &&
		   p.dentry == &d_exe && path_refs == 1,
		   "exe's get_link_path gives the file's path, referenced");
		path_put(&p);
		iput(e);
	}
}

static void test_fd(struct inode *root)
{
	static struct names c;
	struct inode *i;
	char buf[64];

	ok(list_dir(root, "1/fd", &c, 1) == 0 && c.n == 4 && has(&c, "0") &&
	   has(&c, "1") && !has(&c, "2"), "fd/ lists the open descriptors");
	ok(readlink_(root, "1/fd/0", buf, sizeof(buf)) > 0 &&
	   !strcmp(buf, "/dev/console"), "fd/0 -> /dev/console");
	ok(readlink_(root, "1/fd/1", buf, sizeof(buf)) > 0 &&
	   !strcmp(buf, "pipe:[77]"), "fd/1 -> pipe:[77]");
	i = walk(root, "1/fd/1");
	ok(i && i->i_mode == (S_IFLNK | 0300), "write-only fd link is l-wx------");
	iput(i);
	ok(!exists(root, "1/fd/2"), "closed fd: no entry");
	current = &t2;
	test_cred.fsuid = 0;
	t2.cred->euid = 1000;
	{
		struct cred *saved = t2.cred;
		static struct cred user = { .uid = 1000, .euid = 1000,
					    .fsuid = 1000 };

		t2.cred = &user;
		ok(readlink_(root, "1/exe", buf, sizeof(buf)) == -EACCES &&
		   list_dir(root, "1/fd", &c, 10) == -EACCES,
		   "another user's exe and fd/: -EACCES");
		t2.cred = saved;
	}
	current = &t1;
}

static void test_global(struct inode *root)
{
	char *text, *one;
	size_t len, len1;
	int err;
	struct inode *i;
	struct file f;

	text = read_file(root, "meminfo", 4096, &len, &err);
	one = read_file(root, "meminfo", 1, &len1, &err);
	ok(text && one && len == len1 && !strcmp(text, one),
	   "meminfo read 1 byte at a time is the same text");
	ok(text && !strncmp(text, "MemTotal:          65536 kB\n"
			    "MemFree:           57344 kB\n", 56),
	   "meminfo: MemTotal, MemFree in Linux's layout");
	free(text);
	free(one);
	i = walk(root, "meminfo");
	file_init(&f, i, O_RDONLY);
	f.f_op->open(i, &f);
	ok(f.f_op->llseek(&f, -10, SEEK_END) == (loff_t)len - 10 &&
	   f.f_op->llseek(&f, -1, SEEK_SET) == -EINVAL, "lseek on a proc file");
	f.f_op->release(i, &f);
	iput(i);
	mm.host_pid = 0;	/* times from the kernel's counters from here */
	text = slurp(root, "uptime");
	ok(text && !strcmp(text, "123.45 122.85\n"), "uptime");
	free(text);
	text = slurp(root, "loadavg");
	ok(text && !strcmp(text, "0.00 0.00 0.00 1/2 3\n"), "loadavg");
	free(text);
	text = slurp(root, "stat");
	ok(text && !strncmp(text, "cpu  50 0 10 12285 0 0 0 0 0 0\ncpu0 50", 38) &&
	   strstr(text, "\nbtime 1699999876\n"), "stat: cpu line, btime");
	free(text);
	text = slurp(root, "version");
	ok(text && !strncmp(text, "Linux version 6.1.0-umk (umk@umk) (", 35),
	   "version");
	free(text);
	text = slurp(root, "mounts");
	ok(text == NULL, "mounts is a link, not a file");
	text = slurp(root, "1/mounts");
	ok(text && !strcmp(text, "/dev/ubda / ext4 rw,relatime 0 0\n"
			   "proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n"),
	   "mounts in mount order");
	free(text);
	text = slurp(root, "1/mountinfo");
	ok(text && !strncmp(text, "21 21 98:0 / / rw,relatime - ext4 /dev/ubda rw\n22 21 ", 52),
	   "mountinfo");
	free(text);
	text = slurp(root, "cpuinfo");
	ok(text && !strncmp(text, "processor\t: 0\n", 14) &&
	   !strstr(text, "processor\t: 1"), "cpuinfo: one processor");
	free(text);
	text = slurp(root, "cmdline");
	ok(text && !strcmp(text, "ubd0=root.img mem=64M\n"), "cmdline");
	free(text);
	text = slurp(root, "umk/stats");
	ok(text && !strcmp(text, "syscalls 42\nptrace_stops 43\n"),
	   "umk/stats shows the counters' text");
	free(text);
	text = slurp(root, "filesystems");
	ok(text && !strcmp(text, "nodev\tproc\n\text4\n"), "filesystems");
	free(text);
	text = slurp(root, "sys/kernel/osrelease");
	ok(text && !strcmp(text, UMK_RELEASE "\n"), "sys/kernel/osrelease");
	free(text);
	text = slurp(root, "sys/kernel/random/boot_id");
	one = slurp(root, "sys/kernel/random/boot_id");
	ok(text && one && strlen(text) == 37 && !strcmp(text, one),
	   "boot_id stays the same");
	free(text);
	free(one);
	i = walk(root, "sys/kernel/hostname");
	file_init(&f, i, O_WRONLY | O_TRUNC);
	f.f_op->open(i, &f);
	ok(f.f_op->write(&f, "box\n", 4, &f.f_pos) == 4 &&
	   !strcmp(init_uts.nodename, "box"), "root writes the hostname");
	f.f_op->release(i, &f);
	iput(i);
}

static void test_reaped(struct inode *root)
{
	struct inode *i = walk(root, "2/stat");
	struct file f;

	t2.exit_reaped = true;
	file_init(&f, i, O_RDONLY);
	ok(f.f_op->open(i, &f) == -ESRCH && !exists(root, "2"),
	   "reaped process: open -ESRCH, lookup -ENOENT");
	iput(i);
}

#define PLANNED 53

int main(void)
{
	struct super_block *sb;
	int err;

	setup_tasks();
	init_proc_fs();
	printf("1..%d\n", PLANNED);
	sb = mount_fs("proc", NULL, &err);
	ok(sb && sb->s_root->d_inode->i_ino == 1 &&
	   sb->s_root->d_inode->i_mode == (S_IFDIR | 0555), "proc mounts");
	if (!sb)
		return 1;
	test_root(sb->s_root->d_inode);
	test_stat(sb->s_root->d_inode);
	test_status_and_friends(sb->s_root->d_inode);
	test_fd(sb->s_root->d_inode);
	test_global(sb->s_root->d_inode);
	test_reaped(sb->s_root->d_inode);
	umount_fs(sb);
	if (test_no != PLANNED)
		printf("# planned %d tests, ran %d\n", PLANNED, test_no);
	return failures ? 1 : 0;
}
