/*
 * Host-side unit test of procfs (kernel/fs/proc/), linked with the whole real
 * kernel: a tmpfs root with /proc mounted on it through sys_mount, a task
 * list of three tasks built here (init with two threads, a zombie), and the
 * test process as their address space (tests/unit/fakes.c). Walks /proc
 * through the inode methods: readdir resumption, per-process files (stat
 * field by field, status, cmdline, maps, fd/), links, global files, small
 * reads and lseek, writes to comm and hostname.
 * Prints TAP: "ok N - ..." / "not ok N - ...", then "1..N".
 */
#include <umk/fs.h>
#include <umk/init.h>
#include <umk/mm.h>
#include <umk/stats.h>
#include <umk/syscalls.h>
#include <umk/tty.h>
#include <umk/utsname.h>
#include <os.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/sysmacros.h>
#include "fakes.h"
#include "../../kernel/fs/internal.h"
#include "../../kernel/fs/proc/saved_cmdline.h"
#include "../../kernel/fs/proc/internal.h"


/* ---- the system: init (pid 1, two threads), a zombie (pid 2) ----------- */

static char args[] = "init\0-s";
static struct file *exe_file;		/* /sbin/init on the tmpfs root */
static struct mm_struct init_mm;	/* init's: the test's own address space */
static unsigned long pipe_ino;		/* fd 1: a pipe's write end */
static struct sighand_struct sighand = { .count = 1 };
static struct tty_struct tty = { .pgrp = 1, .session = 1 };
static struct signal_struct sig1 = { .count = 2, .pgrp = 1, .session = 1,
				     .tty = &tty };
static struct signal_struct sig2 = { .count = 0, .pgrp = 1, .session = 1 };
static struct cred cred2 = { .usage = 1000, .uid = 1000, .euid = 1000,
			     .suid = 1000, .fsuid = 1000, .gid = 100,
			     .egid = 100 };
static struct task t1, t3, t2;

/*
 * As root (the test task): a tmpfs root with /sbin/init, /dev/null and
 * /proc (proc mounted nosuid,nodev,noexec); fd 0 /dev/null read-write, fd 1
 * the write end of a pipe. Then the task list: t1 takes over the test
 * task's files and fs; its address space is the test's own.
 */
static void setup_system(void)
{
	int p[2], fd;
	struct stat st;

	ok(mount_root("none", "tmpfs", 0) == 0 &&
	   SYS(mkdir, U("/sbin"), 0755) == 0 && SYS(mkdir, U("/dev"), 0755) == 0 &&
	   SYS(mkdir, U("/proc"), 0555) == 0 &&
	   SYS(mknod, U("/dev/null"), S_IFCHR | 0666, makedev(1, 3)) == 0 &&
	   SYS(mount, U("proc"), U("/proc"), U("proc"),
		     MS_NOSUID | MS_NODEV | MS_NOEXEC, U(NULL)) == 0,
	   "a tmpfs root with /sbin, /dev/null and proc on /proc");
	fd = SYS(open, U("/sbin/init"), O_CREAT | O_RDWR, 0755);
	exe_file = fd >= 0 ? get_file(fget(fd)) : NULL;
	if (exe_file)
		fput(exe_file);		/* fget's reference */
	SYS(close, fd);
	ok(exe_file && SYS(open, U("/dev/null"), O_RDWR, 0) == 0 &&
	   SYS(pipe2, U(p), 0) == 0 && p[0] == 1 && p[1] == 2 &&
	   SYS(dup2, 2, 1) == 1 && SYS(close, 2) == 0 &&
	   SYS(fstat, 1, U(&st)) == 0 && S_ISFIFO(st.st_mode),
	   "fd 0 /dev/null, fd 1 a pipe's write end, /sbin/init for exe");
	pipe_ino = st.st_ino;

	init_mm = test_mm;
	init_mm.users = 2;
	init_mm.arg_start = (unsigned long)args;
	init_mm.arg_end = (unsigned long)args + sizeof(args);
	init_mm.exe_file = exe_file;
	init_mm.auxv[0] = 6;		/* AT_PAGESZ */
	init_mm.auxv[1] = 4096;
	init_mm.auxv_len = 4;
	sighand.action[SIGINT - 1].handler = 1;		/* ignored */
	sighand.action[SIGTERM - 1].handler = 0x401000;	/* caught */
	sig1.rlim[RLIMIT_RSS].rlim_cur = RLIM_INFINITY;
	sig1.rlim[RLIMIT_NOFILE].rlim_cur = 1024;

	t1 = (struct task){ .pid = 1, .tgid = 1, .comm = "init",
		.state = TASK_INTERRUPTIBLE, .cred = &test_cred, .mm = &init_mm,
		.files = test_task.files, .fs = test_task.fs, .signal = &sig1,
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
	snprintf(saved_command_line, 64, "ubd0=root.img mem=64M");
	totalram_bytes = 64ULL << 20;
	umk_stats.syscalls = 42;
	umk_stats.ptrace_stops = 43;
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
	int err, exe_refs;

	snprintf(buf, sizeof(buf), "\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n"
		 "FDSize:\t%d\nGroups:\t \n", t1.files->max_fds);
	text = slurp(root, "1/status");
	ok(text && strstr(text, "Name:\tinit\nUmask:\t0022\nState:\tS (sleeping)\n"
			  "Tgid:\t1\nNgid:\t0\nPid:\t1\nPPid:\t0\n"),
	   "status: name, umask, state, ids");
	ok(text && strstr(text, buf), "status: Uid, Gid, FDSize, Groups");
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
	exe_refs = exe_file->f_path.dentry->d_count;
	ok(readlink_(root, "1/exe", buf, sizeof(buf)) > 0 &&
	   !strcmp(buf, "/sbin/init") &&
	   exe_file->f_path.dentry->d_count == exe_refs,
	   "exe -> d_path of the executable");
	ok(readlink_(root, "1/cwd", buf, sizeof(buf)) == 1 && !strcmp(buf, "/"),
	   "cwd");
	{
		struct inode *e = walk(root, "1/exe");
		struct path p = { 0 };

		ok(e && e->i_op->get_link_path(e, &p) == 0 &&
		   p.dentry == exe_file->f_path.dentry &&
		   p.dentry->d_count == exe_refs + 1,
		   "exe's get_link_path gives the file's path, referenced");
		path_put(&p);
		iput(e);
	}
}

static void test_fd(struct inode *root)
{
	static struct names c;
	struct inode *i;
	char buf[64], pipe_name[64];

	ok(list_dir(root, "1/fd", &c, 1) == 0 && c.n == 4 && has(&c, "0") &&
	   has(&c, "1") && !has(&c, "2"), "fd/ lists the open descriptors");
	ok(readlink_(root, "1/fd/0", buf, sizeof(buf)) > 0 &&
	   !strcmp(buf, "/dev/null"), "fd/0 -> /dev/null");
	snprintf(pipe_name, sizeof(pipe_name), "pipe:[%lu]", pipe_ino);
	ok(readlink_(root, "1/fd/1", buf, sizeof(buf)) > 0 &&
	   !strcmp(buf, pipe_name), "fd/1 -> %s", pipe_name);
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
	unsigned long total_kb, free_kb, used_kb, a, b, c, d;
	int busy;
	uint64_t up0, up1;
	long btime, now;
	char *text, *one, *p;
	size_t len, len1;
	int err;
	struct inode *i;
	struct file f;

	used_kb = guest_ram_used() >> 10;
	text = read_file(root, "meminfo", 4096, &len, &err);
	one = read_file(root, "meminfo", 1, &len1, &err);
	ok(text && one && len == len1 && !strcmp(text, one),
	   "meminfo read 1 byte at a time is the same text");
	ok(text && sscanf(text, "MemTotal: %lu kB\nMemFree: %lu kB\n",
			  &total_kb, &free_kb) == 2 &&
	   !strncmp(text, "MemTotal:          65536 kB\nMemFree:   ", 39) &&
	   free_kb + used_kb >= 65536 - 2048 && free_kb + used_kb <= 65536 + 2048,
	   "meminfo: MemTotal (mem=), MemFree (less init's host RSS, %lu kB), "
	   "Linux's layout", used_kb);
	free(text);
	free(one);
	i = walk(root, "meminfo");
	file_init(&f, i, O_RDONLY);
	f.f_op->open(i, &f);
	ok(f.f_op->llseek(&f, -10, SEEK_END) == (loff_t)len - 10 &&
	   f.f_op->llseek(&f, -1, SEEK_SET) == -EINVAL, "lseek on a proc file");
	f.f_op->release(i, &f);
	iput(i);

	/* Times from the kernel's counters from here: init has no host
	 * process. Its two threads ran 250 ms user, 50 ms system each: idle
	 * is the uptime less those 0.60 s (0 before 0.60 s of uptime); then
	 * again with no time used at all. */
	init_mm.host_pid = 0;
	current = &test_task;
	for (busy = 60; busy >= 0; busy -= 60) {
		if (!busy)
			t1.utime_ns = t1.stime_ns = t3.utime_ns = t3.stime_ns = 0;
		up0 = ktime_get_ns() / 10000000;
		text = slurp(root, "uptime");
		up1 = ktime_get_ns() / 10000000;
		ok(text && sscanf(text, "%lu.%2lu %lu.%2lu\n", &a, &b, &c, &d) == 4 &&
		   text[strlen(text) - 4] == '.' &&
		   a * 100 + b >= up0 && a * 100 + b <= up1 &&
		   c * 100 + d == (a * 100 + b > (unsigned long)busy ?
				   a * 100 + b - busy : 0),
		   "uptime: seconds since boot, idle less %d.%02d s busy (%.*s)",
		   busy / 100, busy % 100, text ? (int)strcspn(text, "\n") : 0,
		   text ? text : "");
		free(text);
	}
	t1.utime_ns = t3.utime_ns = 250000000;
	t1.stime_ns = t3.stime_ns = 50000000;
	text = slurp(root, "loadavg");
	ok(text && !strcmp(text, "0.00 0.00 0.00 1/2 3\n"), "loadavg");
	free(text);
	up0 = ktime_get_ns() / 10000000;
	text = slurp(root, "stat");
	up1 = ktime_get_ns() / 10000000;
	ok(text && sscanf(text, "cpu  %lu 0 %lu %lu 0 0 0 0 0 0\ncpu0 ",
			  &a, &b, &c) == 3 && a == 50 && b == 10 &&
	   c >= (up0 > 60 ? up0 - 60 : 0) && c <= (up1 > 60 ? up1 - 60 : 0),
	   "stat: cpu line (user 50, system 10, idle the rest, in ticks)");
	p = text ? strstr(text, "\nbtime ") : NULL;
	btime = p ? strtol(p + 7, NULL, 10) : 0;
	now = time(NULL) - (long)(up1 / 100);
	ok(btime >= now - 2 && btime <= now + 2,
	   "stat: btime is the wall clock at boot (%ld, %ld)", btime, now);
	free(text);
	text = slurp(root, "version");
	ok(text && !strncmp(text, "Linux version 6.1.0-umk (umk@umk) (", 35),
	   "version");
	free(text);
	text = slurp(root, "mounts");
	ok(text == NULL, "mounts is a link, not a file");
	text = slurp(root, "1/mounts");
	ok(text && !strcmp(text, "none / tmpfs rw,relatime 0 0\n"
			   "proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n"),
	   "mounts in mount order");
	free(text);
	text = slurp(root, "1/mountinfo");
	ok(text && !strcmp(text, "21 21 0:1 / / rw,relatime - tmpfs none rw\n"
			   "22 21 0:2 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw\n"),
	   "mountinfo: ids, parents, anonymous devices, options");
	free(text);
	text = slurp(root, "cpuinfo");
	ok(text && !strncmp(text, "processor\t: 0\n", 14) &&
	   !strstr(text, "processor\t: 1"), "cpuinfo: one processor");
	free(text);
	text = slurp(root, "cmdline");
	ok(text && !strcmp(text, "ubd0=root.img mem=64M\n"), "cmdline");
	free(text);
	text = slurp(root, "umk/stats");
	ok(text && !strncmp(text, "syscalls 42\n", 12) &&
	   strstr(text, "\nptrace_stops 43\n"),
	   "umk/stats shows the kernel's counters");
	free(text);
	text = slurp(root, "filesystems");
	ok(text && strstr(text, "nodev\tproc\n") && strstr(text, "nodev\ttmpfs\n") &&
	   !strstr(text, "ext4"), "filesystems: the registered ones");
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

int main(void)
{
	struct path proc;
	struct inode *root;

	unit_init();
	init_tmpfs();
	init_proc_fs();
	init_chrdevs();
	setup_system();
	ok(kern_path_at(AT_FDCWD, "/proc", 0, &proc) == 0 &&
	   proc.dentry->d_inode->i_ino == 1 &&
	   proc.dentry->d_inode->i_mode == (S_IFDIR | 0555), "proc is mounted");
	root = proc.dentry->d_inode;
	test_root(root);
	test_stat(root);
	test_status_and_friends(root);
	test_fd(root);
	test_global(root);
	test_reaped(root);
	path_put(&proc);
	current = &test_task;
	ok(SYS(umount2, U("/proc"), 0) == 0 && kmsg_count("Busy inodes") == 0,
	   "proc unmounts without busy inodes");
	return tap_done();
}
