/*
 * Boot: parse the command line (UML's syntax), set up the host side (event
 * loop, ubd devices, privileges), register drivers and filesystems, mount
 * the root, start init as guest pid 1, and run the kernel thread's loop
 * until init dies or the guest powers off. A bad command line is one line
 * on stderr and exit status 2 before anything is opened.
 * Model: UML arch/um/kernel/um_arch.c, Linux init/main.c.
 */
#include <umk/sched.h>
#include <umk/limits.h>
#include <umk/oom.h>
#include <umk/signal_internal.h>
#include <umk/fs.h>
#include <umk/init.h>
#include <umk/tty.h>
#include <umk/sigio.h>
#include <umk/ubd.h>
#include <umk/mm.h>
#include <umk/timer.h>
#include <umk/utsname.h>
#include <umk/stats.h>
#include <umk/net.h>
#include <mode.h>
#include <event.h>
#include <os.h>
#include <stub.h>
#include <mconsole.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include "../../../kernel/fs/internal.h"

extern const char stub_image[], stub_image_end[];

char saved_command_line[4096];

static struct {
	const char *init;
	const char *root;
	bool ro;
	bool quiet;
	bool nosandbox;
	const char *umid;
	const char *net;	/* net=private|host|none */
	const char *uml_dir;	/* where UMID/ goes (UML's uml_dir=) */
	char **init_argv;	/* after "--" */
	int init_argc;
} boot;

static void usage(FILE *f)
{
	fprintf(f,
"usage: umk ubd0=FILE [option...] [-- argument... for init]\n"
"  ubd<N>[rsdct]=FILE[,BACKING]\n"
"                     block device N (0-15 or a-p) backed by FILE, or by\n"
"                     the COW file FILE over BACKING (made if missing);\n"
"                     r read-only, s synchronous, d no COW detection,\n"
"                     c no host file lock, t no discard\n"
"  root=/dev/ubdX     root device (default /dev/ubda)\n"
"  rw | ro            mount the root read-write (default) or read-only\n"
"  init=PATH          program to run as init (else /sbin/init, /etc/init,\n"
"                     /bin/init, /bin/sh, as Linux tries them)\n"
"  mem=SIZE[K|M|G]    guest memory size (default 256M)\n"
"  mode=skas|tt|seccomp\n"
"                     interception mode (default skas)\n"
"  umid=NAME          name of this instance: makes UML_DIR/NAME/ with its\n"
"                     pid and the mconsole socket (uml_mconsole NAME ...)\n"
"  uml_dir=DIR        UML_DIR, where NAME/ goes (default ~/.uml)\n"
"  hostfs=DIR         the one host directory hostfs mounts may reach\n"
"                     (mount -t hostfs none /mnt -o DIR[/SUB])\n"
"  net=private|host|none\n"
"                     the guest's network: its own, isolated, with lo\n"
"                     only (default); the host's network through host\n"
"                     sockets umk owns; or no AF_INET at all\n"
"  quiet              print only warnings and errors while booting\n"
"  strace, --strace   print every guest system call on stderr (strace format)\n"
"  stats              print the interception counters at shutdown\n"
"  nosandbox          do not put umk itself under its seccomp allowlist\n"
"                     (for debugging umk; guests stay filtered)\n"
"  --help, --version\n");
}

static void __attribute__((noreturn)) bad_option(const char *fmt, const char *arg)
{
	fprintf(stderr, "umk: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see umk --help)\n");
	exit(2);
}

/* mem= beyond x86-64's user address space could never be used. */
#define MEM_MAX (1ULL << 47)

/* A size on the command line: decimal digits and an optional K, M or G.
 * *ok is false for anything else, and for a value that does not fit in
 * 64 bits (strtoull would wrap it, or accept a sign). */
static uint64_t parse_size(const char *s, bool *ok)
{
	char *end;
	unsigned long long v;
	int shift = 0;

	errno = 0;
	v = strtoull(s, &end, 10);
	*ok = end != s && *s >= '0' && *s <= '9' && errno == 0;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	}
	if (*end || v > (UINT64_MAX >> shift))
		*ok = false;
	return *ok ? v << shift : 0;
}

/* ubd<N><flags>=<file>[,<backing>][,<serial>]: UML's syntax, parsed and
 * recorded by the ubd driver (ubd_parse_option); a bad one exits 2. */
static void parse_ubd(const char *arg)
{
	char err[512] = "";

	if (ubd_parse_option(arg, err, sizeof(err)) < 0) {
		fprintf(stderr, "umk: %s (see umk --help)\n", err[0] ? err : arg);
		exit(2);
	}
}

static void parse_command_line(int argc, char **argv)
{
	size_t used = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			boot.init_argv = argv + i + 1;
			boot.init_argc = argc - i - 1;
			break;
		}
		used += snprintf(saved_command_line + used,
				 sizeof(saved_command_line) - min(used,
				 sizeof(saved_command_line) - 1),
				 "%s%s", used ? " " : "", a);
		used = min(used, sizeof(saved_command_line) - 1);
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			exit(0);
		} else if (!strcmp(a, "--version")) {
			printf("umk %s (Linux %s compatible)\n",
			       UMK_VERSION_STRING, UMK_RELEASE);
			exit(0);
		} else if (!strncmp(a, "ubd", 3) && strchr(a, '=')) {
			parse_ubd(a);
		} else if (!strncmp(a, "root=", 5)) {
			if (!a[5])
				bad_option("empty root= in '%s'", a);
			boot.root = a + 5;
		} else if (!strcmp(a, "rw")) {
			boot.ro = false;
		} else if (!strcmp(a, "ro")) {
			boot.ro = true;
		} else if (!strncmp(a, "init=", 5)) {
			if (a[5] != '/')
				bad_option("init= needs an absolute path: '%s'", a);
			boot.init = a + 5;
		} else if (!strncmp(a, "mem=", 4)) {
			bool ok;
			uint64_t v = parse_size(a + 4, &ok);

			if (!ok || v < (16ULL << 20) || v > MEM_MAX)
				bad_option("bad mem= size '%s' (16M to 128T, "
					   "K, M or G)", a);
			totalram_bytes = v;
		} else if (!strncmp(a, "mode=", 5)) {
			if (!strcmp(a + 5, "skas"))
				um_mode = &skas_mode;
			else if (!strcmp(a + 5, "tt"))
				um_mode = &tt_mode;
			else if (!strcmp(a + 5, "seccomp"))
				um_mode = &seccomp_mode;
			else
				bad_option("unknown mode in '%s' (skas, tt or "
					   "seccomp)", a);
		} else if (!strncmp(a, "umid=", 5)) {
			if (!a[5] || strchr(a + 5, '/'))
				bad_option("bad umid in '%s'", a);
			boot.umid = a + 5;
		} else if (!strncmp(a, "net=", 4)) {
			if (strcmp(a + 4, "private") && strcmp(a + 4, "host") &&
			    strcmp(a + 4, "none"))
				bad_option("unknown network in '%s' (private, "
					   "host or none)", a);
			boot.net = a + 4;
		} else if (!strncmp(a, "uml_dir=", 8)) {
			if (!a[8])
				bad_option("empty uml_dir= in '%s'", a);
			boot.uml_dir = a + 8;
		} else if (!strncmp(a, "hostfs=", 7)) {
			if (a[7] != '/')
				bad_option("hostfs= needs an absolute host "
					   "directory: '%s'", a);
			hostfs_root_dir = a + 7;
		} else if (!strcmp(a, "quiet")) {
			boot.quiet = true;
		} else if (!strcmp(a, "strace") || !strcmp(a, "--strace")) {
			strace_enabled = true;
		} else if (!strcmp(a, "stats")) {
			stats_at_shutdown = true;
		} else if (!strcmp(a, "nosandbox")) {
			boot.nosandbox = true;
		} else {
			bad_option("unknown option '%s'", a);
		}
	}
	if (!ubd_get(0))
		bad_option("%sno root device: give ubd0=FILE", "");
	if (!boot.root)
		boot.root = "/dev/ubda";
}

static void put_super_at_halt(struct super_block *sb, void *arg)
{
	if (sb->s_op && sb->s_op->put_super)
		sb->s_op->put_super(sb);
}

/*
 * Leave: end every guest process; when syncing (a clean halt, not a panic)
 * write everything back and unmount every filesystem, so the images are
 * marked clean as after Linux's halt.
 */
static void print_stats(void)
{
	char *buf = kmalloc(1 << 16);
	size_t n;

	if (!buf)
		return;
	n = umk_stats_text(buf, 1 << 16);
	os_write_all(2, "umk stats:\n", 11);
	os_write_all(2, buf, n);
	kfree(buf);
}

static int halt_signal;		/* the host signal that started a halt */
static bool halting;		/* machine_exit is killing the other tasks */

static bool other_tasks_alive(void)
{
	struct task *t;

	list_for_each_entry(t, &task_list, tasks)
		if (t != current && task_alive(t))
			return true;
	return false;
}

/*
 * A clean halt runs in a task (it may sleep): every other task is killed
 * and has left the kernel before the filesystems are synced and unmounted,
 * so nothing can be inside a filesystem that put_super frees. umk exits
 * with status. Without sync (a panic) nothing is written.
 */
static void __attribute__((noreturn)) machine_exit(int status, bool sync)
{
	struct task *t;

	halting = true;
	console_exit();
	if (stats_at_shutdown)
		print_stats();
	if (sync && current) {
		list_for_each_entry(t, &task_list, tasks)
			if (t != current && task_alive(t))
				force_sigkill(t);
		wait_event(task_exit_wait, !other_tasks_alive());
		ksys_sync();
		iterate_supers(put_super_at_halt, NULL);
	}
	um_mode->kill_all();
	ubd_close_all();
	os_umid_remove();
	os_exit(status);
}

void machine_emergency_restart(void)
{
	console_exit();
	um_mode->kill_all();
	ubd_close_all();
	os_umid_remove();
	os_exit(0);
}

void machine_panic(void)
{
	machine_exit(1, false);
}

void machine_halt_init_died(int status)
{
	if (halting)
		return;		/* a halt in another task killed init */
	if (halt_signal) {
		printk(KERN_NOTICE "reboot: System halted (host signal %d)\n",
		       halt_signal);
		machine_exit(128 + halt_signal, true);
	}
	if (status & 0x7f) {
		printk(KERN_EMERG "Kernel panic - not syncing: Attempted to kill "
		       "init! exitcode=0x%08x\n", status & 0x7f);
		machine_exit(128 + (status & 0x7f), true);
	}
	printk(KERN_INFO "umk: init exited with status %d\n",
	       (status >> 8) & 0xff);
	machine_exit((status >> 8) & 0xff, true);
}

/*
 * umk got SIGTERM/SIGHUP/SIGINT from the host: halt cleanly. The loop has
 * no task to sleep in, so every task (init too) is killed; init's death
 * finishes the halt in init's context. A second signal exits at once.
 */
static void host_halt(int sig)
{
	struct task *t;

	if (halt_signal || !init_task || !task_alive(init_task)) {
		printk(KERN_EMERG "umk: killed by host signal %d\n", sig);
		machine_exit(128 + sig, false);
	}
	printk(KERN_WARNING "umk: halting on host signal %d\n", sig);
	halt_signal = sig;
	list_for_each_entry(t, &task_list, tasks)
		if (task_alive(t))
			force_sigkill(t);
}

void machine_restart_or_halt(int cmd)
{
	printk(KERN_INFO "umk: syncing filesystems\n");
	ksys_sync();
	switch (cmd) {
	case 0x01234567:	/* LINUX_REBOOT_CMD_RESTART */
	case 0xA1B2C3D4:	/* RESTART2 */
		printk(KERN_NOTICE "reboot: Restarting system\n");
		break;
	case 0xCDEF0123:	/* HALT */
		printk(KERN_NOTICE "reboot: System halted\n");
		break;
	default:
		printk(KERN_NOTICE "reboot: Power down\n");
	}
	machine_exit(0, true);
}

static int try_init(const char *path)
{
	char *argv[64] = { (char *)path };
	char *envp[] = { "HOME=/", "TERM=linux", NULL };
	int n = 1;

	for (int i = 0; i < boot.init_argc && n < 63; i++)
		argv[n++] = boot.init_argv[i];
	argv[n] = NULL;
	printk(KERN_INFO "Run %s as init process\n", path);
	return kernel_execve(path, argv, envp);
}

/* init's kernel stack: take the first host process (a fresh stub image,
 * already under the guest seccomp filter), exec init into it. */
static void init_start(struct task *t)
{
	static const char *const defaults[] = {
		"/sbin/init", "/etc/init", "/bin/init", "/bin/sh",
	};
	long err;

	err = um_mode->start_init(t);
	if (err)
		panic("umk: cannot start the first host process: error %ld",
		      err);
	if (boot.init) {
		err = try_init(boot.init);
		if (err)
			panic("Requested init %s failed (error %ld).",
			      boot.init, err);
	} else {
		err = -ENOENT;
		for (size_t i = 0; i < ARRAY_SIZE(defaults) && err; i++) {
			err = try_init(defaults[i]);
			/* Linux try_to_run_init_process: silent for -ENOENT */
			if (err && err != -ENOENT)
				printk(KERN_ERR "Starting init: %s exists but "
				       "couldn't execute it (error %ld)\n",
				       defaults[i], err);
		}
		if (err)
			panic("No working init found.  Try passing init= option "
			      "to kernel. See Linux Documentation/admin-guide/"
			      "init.rst for guidance.");
	}
	ext2_init_started();
	task_main(t);
}

static void set_default_rlimits(struct signal_struct *s)
{
	for (int i = 0; i < RLIM_NLIMITS; i++)
		s->rlim[i] = (struct rlimit){ RLIM_INFINITY, RLIM_INFINITY };
	s->rlim[RLIMIT_NOFILE] = (struct rlimit){ 1024, 4096 };
	s->rlim[RLIMIT_STACK].rlim_cur = 8 << 20;
	s->rlim[RLIMIT_CORE].rlim_cur = 0;
	s->rlim[RLIMIT_MEMLOCK] = (struct rlimit){ 8 << 20, 8 << 20 };
	s->rlim[RLIMIT_NPROC] = (struct rlimit){ 4096, 4096 };
	s->rlim[RLIMIT_SIGPENDING] = (struct rlimit){ 4096, 4096 };
	s->rlim[RLIMIT_MSGQUEUE] = (struct rlimit){ 819200, 819200 };
	s->rlim[RLIMIT_RTPRIO] = (struct rlimit){ 0, 0 };
	s->rlim[RLIMIT_NICE] = (struct rlimit){ 0, 0 };
	task_limits_init(s);	/* NPROC, SIGPENDING from threads-max */
}

/* Create guest pid 1 with its console fds; its kernel stack takes the
 * first host process that the mode started at boot. */
static struct task *create_init_task(void)
{
	static struct cred root_cred = {
		.usage = 2, .cap_permitted = CAP_FULL_SET,
		.cap_effective = CAP_FULL_SET, .cap_bset = CAP_FULL_SET,
	};
	struct task *t = alloc_task();
	struct file *con;

	if (!t)
		panic("out of memory creating init");
	t->pid = t->tgid = 1;
	t->group_leader = t;
	list_add_tail(&t->thread_node, &t->thread_group);
	strcpy(t->comm, "swapper");
	t->cred = &root_cred;
	t->signal = alloc_signal();
	t->sighand = kzalloc(sizeof(*t->sighand));
	if (!t->signal || !t->sighand)
		panic("out of memory creating init");
	t->signal->count = 1;
	t->signal->flags = SIGNAL_UNKILLABLE;
	t->sighand->count = 1;
	set_default_rlimits(t->signal);
	t->exit_signal = SIGCHLD;
	t->files = alloc_files();
	t->fs = alloc_init_fs_struct();
	if (!t->files || !t->fs)
		panic("cannot set up init's files");
	init_task = t;
	current = t;
	list_add_tail(&t->tasks, &task_list);

	con = do_filp_open(AT_FDCWD, "/dev/console", O_RDWR, 0);
	if (IS_ERR(con)) {
		printk(KERN_WARNING "Warning: unable to open an initial console.\n");
	} else {
		get_unused_fd_install(get_file(con), 0, false);
		get_unused_fd_install(get_file(con), 0, false);
		get_unused_fd_install(con, 0, false);
	}
	t->mm = mm_alloc(0);
	if (!t->mm || kstack_init(t, init_start) < 0)
		panic("out of memory creating init");
	t->state = TASK_INTERRUPTIBLE;
	wake_up_process(t);
	current = NULL;
	return t;
}

static const char *umid_dir;	/* UML_DIR/UMID once made */

/* UML_DIR/UMID/ with the pid file, before any image is opened: an
 * instance of that name still running is an error, as in UML. */
static void umid_setup(void)
{
	int holder = 0, err;

	err = os_umid_setup(boot.uml_dir, boot.umid, &holder, &umid_dir);
	if (err == -EADDRINUSE) {
		fprintf(stderr, "umk: umid \"%s\" is in use by pid %d\n",
			boot.umid, holder);
		exit(1);
	}
	if (err) {
		fprintf(stderr, "umk: cannot make the directory of umid \"%s\":"
			" %s (no mconsole)\n", boot.umid, strerror(-err));
		umid_dir = NULL;
	}
}

static void check(int err, const char *what)
{
	if (err < 0)
		panic("%s: error %d", what, err);
}

static void __attribute__((noreturn)) cpu_idle_loop(void)
{
	for (;;) {
		unsigned int ready = 0;
		bool yielded;
		int r;

		run_queue_drain();
		run_timers();
		if (!run_queue_empty())
			continue;
		/* A long kernel operation yielded (cond_resched): every
		 * source, the mode's too, is polled once before it goes on. */
		yielded = requeue_resched();
		/* The sigio thread watches the registered fds while the mode
		 * blocks for its next host event, so the fast path stays open
		 * whatever fds are registered (arch/um/include/event.h). */
		r = yielded ? 0 : nr_host_waiting > 0 && um_mode->wait_idle ?
		    um_mode->wait_idle(false) : -EAGAIN;
		if (r > 0)
			continue;
		if (r == 0)		/* interrupted: poll every source */
			os_event_wait(0, &ready);
		else
			os_event_wait(next_timer_delay(), &ready);
		if (yielded || (ready & (1u << EV_CHILD)))
			um_mode->host_events();
		if (ready & (1u << EV_FD))
			os_event_dispatch();
		if (ready & (1u << EV_TERM))
			host_halt(os_event_term_signal());
	}
}

int main(int argc, char **argv)
{
	int err;

	parse_command_line(argc, argv);
	err = hostfs_setup();
	if (err < 0) {
		fprintf(stderr, "umk: hostfs=%s: %s (see umk --help)\n",
			hostfs_root_dir, strerror(-err));
		exit(2);
	}
	if (boot.quiet)
		console_loglevel = 4;
	net_early_init(boot.net);	/* forks: before any thread */
	if (boot.umid)
		umid_setup();
	check(os_event_init(), "event loop");
	check(sigio_init(), "sigio thread");
	printk(KERN_NOTICE "Linux version %s (umk %s) #1 SMP PREEMPT_DYNAMIC\n",
	       UMK_RELEASE, UMK_VERSION_STRING);
	printk(KERN_NOTICE "Kernel command line: %s\n", saved_command_line);
	printk(KERN_INFO "umk: %s mode, %llu MiB of memory%s%s\n", um_mode->name,
	       (unsigned long long)(totalram_bytes >> 20),
	       boot.umid ? ", umid " : "", boot.umid ? boot.umid : "");
	if (ubd_open_all() < 0)
		os_exit(1);
	check(stub_init(stub_image, stub_image_end - stub_image), "stub");
	err = os_drop_privileges();
	if (err < 0)
		printk(KERN_WARNING "umk: could not drop host privileges: %d\n",
		       err);
	check(ubd_init(), "ubd");
	check(init_chrdevs(), "character devices");
	check(console_init(0, 1), "console");
	check(init_ext2_fs(), "ext2");
	check(init_proc_fs(), "proc");
	check(init_tmpfs(), "tmpfs");
	check(init_devtmpfs(), "devtmpfs");
	check(net_init(), "network");
	check(init_devpts(), "devpts");
	check(init_sysfs(), "sysfs");
	check(pty_init(), "pty");
	check(init_hostfs(), "hostfs");
	{
		static struct task boot_task;
		static struct cred root_cred = {
			.usage = 1, .cap_permitted = CAP_FULL_SET,
			.cap_effective = CAP_FULL_SET, .cap_bset = CAP_FULL_SET,
		};
		static struct fs_struct boot_fs = { .users = 1, .umask = 022 };

		/* A context for boot-time VFS calls (current->cred, ->fs). */
		boot_task.cred = &root_cred;
		boot_task.fs = &boot_fs;
		current = &boot_task;
		err = mount_root(boot.root, NULL, boot.ro ? MS_RDONLY : 0);
		if (err < 0)
			panic("VFS: Unable to mount root fs on %s", boot.root);
		set_fs_root_pwd(&boot_fs);
		{
			struct path dev;

			if (kern_path_at(AT_FDCWD, "/dev", LOOKUP_FOLLOW |
					 LOOKUP_DIRECTORY, &dev) == 0) {
				if (do_mount("devtmpfs", &dev, "devtmpfs", 0,
					     NULL) == 0)
					printk(KERN_INFO "devtmpfs: mounted\n");
				path_put(&dev);
			}
		}
		create_init_task();
	}
	if (umid_dir)
		mconsole_init(umid_dir);
	/* The first guest host process is made now, while umk may still
	 * fork; then umk closes its own sandbox. */
	check(um_mode->init(), "interception mode");
	oom_init();
	if (!boot.nosandbox)
		check(os_sandbox_self(), "umk's seccomp sandbox");
	else
		printk(KERN_WARNING "umk: nosandbox: umk runs without its "
		       "seccomp allowlist\n");
	cpu_idle_loop();
}
