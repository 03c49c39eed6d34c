/*
 * The management console's kernel side: the commands of UML's mconsole
 * (arch/um/drivers/mconsole_kern.c), with UML's replies, so that Debian's
 * uml_mconsole drives umk: version, help, halt, reboot, config, remove,
 * sysrq, cad, stop, go, log, proc, stack.
 *
 * Requests arrive on the event loop (a callback on the socket's fd,
 * outside any task). As in
 * UML, a command runs either there at once (MC_INTR: it never sleeps) or
 * in process context (MC_PROC): here a kernel-only worker task with its own
 * kernel stack, root credentials and the kernel's own procfs mount as its
 * root, which may sleep (sync, block I/O, halting). The worker is in no
 * task list: guests, ps and halt never see it.
 */
#include <umk/sched.h>
#include <umk/fs.h>
#include <umk/init.h>
#include <umk/mm.h>
#include <umk/signal_internal.h>
#include <umk/stacktrace.h>
#include <umk/syscalls.h>
#include <umk/ubd.h>
#include <umk/utsname.h>
#include <event.h>
#include <mconsole.h>
#include <os.h>
#include <ctype.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/sysmacros.h>
#include <linux/reboot.h>
#include "../../../kernel/fs/internal.h"

enum mc_context {
	MC_INTR,		/* run on the event loop, never sleeps */
	MC_PROC,		/* run by the worker task, may sleep */
};

struct mc_command {
	const char *command;
	void (*handler)(struct mc_request *req);
	enum mc_context context;
};

/* A request waiting for the worker. */
struct mc_entry {
	struct list_head list;
	struct mc_request req;
	const struct mc_command *cmd;
};

#define MC_QUEUE_MAX 16		/* requests waiting for the worker */
#define MC_BATCH 32		/* requests taken per event-loop call */
#define MC_TEXT_MAX (64 * 1024)	/* replies built in memory (stack) */

static int mc_fd = -1;
static LIST_HEAD(mc_queue);
static int mc_queued;
static struct wait_queue_head mc_wait = WAIT_QUEUE_HEAD_INIT(mc_wait);
static struct task *mc_worker;

static void mconsole_reply(struct mc_request *req, const char *str, int err,
			   int more)
{
	os_mconsole_reply(mc_fd, req, str, err, more);
}

/* The argument after the command word, spaces skipped. */
static char *mc_arg(struct mc_request *req, const char *command)
{
	char *p = req->request.data + strlen(command);

	while (isspace((unsigned char)*p))
		p++;
	return p;
}

static void mconsole_version(struct mc_request *req)
{
	char version[5 * sizeof(init_uts.sysname) + 8];

	snprintf(version, sizeof(version), "%s %s %s %s %s", init_uts.sysname,
		 init_uts.nodename, init_uts.release, init_uts.version,
		 init_uts.machine);
	mconsole_reply(req, version, 0, 0);
}

#define UML_MCONSOLE_HELPTEXT \
"Commands: \n\
    version - Get kernel version \n\
    help - Print this message \n\
    halt - Halt UML \n\
    reboot - Reboot UML \n\
    config <dev>=<config> - Add a new device to UML;  \n\
	same syntax as command line \n\
    config <dev> - Query the configuration of a device \n\
    remove <dev> - Remove a device from UML \n\
    sysrq <letter> - Performs the SysRq action controlled by the letter \n\
    cad - invoke the Ctrl-Alt-Del handler \n\
    stop - pause the UML; it will do nothing until it receives a 'go' \n\
    go - continue the UML after a 'stop' \n\
    log <string> - make UML enter <string> into the kernel log\n\
    proc <file> - returns the contents of the UML's /proc/<file>\n\
    stack <pid> - returns the stack of the specified pid\n\
"

static void mconsole_help(struct mc_request *req)
{
	mconsole_reply(req, UML_MCONSOLE_HELPTEXT, 0, 0);
}

/* halt and reboot: what reboot(2) does (sync, kill, unmount, exit 0). */
static void mconsole_halt(struct mc_request *req)
{
	mconsole_reply(req, "", 0, 0);
	machine_restart_or_halt(LINUX_REBOOT_CMD_HALT);
}

static void mconsole_reboot(struct mc_request *req)
{
	mconsole_reply(req, "", 0, 0);
	machine_restart_or_halt(LINUX_REBOOT_CMD_RESTART);
}

static void mconsole_cad(struct mc_request *req)
{
	mconsole_reply(req, "", 0, 0);
	ctrl_alt_del();
}

/* "ubd<N>": N as a number or a letter, or -1. */
static int parse_ubd_unit(const char *p)
{
	int n = -1, used = 0;

	if (strncmp(p, "ubd", 3))
		return -1;
	p += 3;
	if (*p >= 'a' && *p <= 'z' && (!p[1] || isspace((unsigned char)p[1])))
		return *p - 'a';
	if (sscanf(p, "%d%n", &n, &used) == 1 &&
	    (!p[used] || isspace((unsigned char)p[used])))
		return n;
	return -1;
}

/* config ubdN=FILE: hot-add; config ubdN: its configuration. */
static void mconsole_config(struct mc_request *req)
{
	char *p = mc_arg(req, "config"), msg[512] = "";
	int n;

	if (strncmp(p, "ubd", 3)) {
		mconsole_reply(req, "Bad configuration option", 1, 0);
		return;
	}
	if (strchr(p, '=')) {
		n = ubd_hotplug_add(p, msg, sizeof(msg));
		if (n >= 0) {
			snprintf(msg, sizeof(msg), "ubd%c", 'a' + n);
			devtmpfs_create_node(msg, S_IFBLK | 0660,
					     makedev(UBD_MAJOR, n << UBD_SHIFT));
		}
		mconsole_reply(req, n >= 0 ? "" : msg, n < 0, 0);
		return;
	}
	n = parse_ubd_unit(p);
	if (n < 0 || n >= UBD_MAX_DEV) {
		mconsole_reply(req, "ubd_get_config : device number out of "
			       "range", 1, 0);
		return;
	}
	ubd_get_config(n, msg, sizeof(msg));
	mconsole_reply(req, msg, 0, 0);
}

static void note_mounted(struct super_block *sb, void *arg)
{
	dev_t *dev = arg;

	if (sb->s_dev == *dev && sb->s_type &&
	    (sb->s_type->fs_flags & FS_REQUIRES_DEV))
		*dev = 0;
}

/* Is a filesystem mounted from ubdN? */
static bool ubd_mounted(int n)
{
	dev_t dev = makedev(UBD_MAJOR, n << UBD_SHIFT);

	iterate_supers(note_mounted, &dev);
	return dev == 0;
}

static void mconsole_remove(struct mc_request *req)
{
	char *p = mc_arg(req, "remove"), msg[256] = "";
	int n, err;

	if (strncmp(p, "ubd", 3)) {
		mconsole_reply(req, "Bad remove option", 1, 0);
		return;
	}
	n = parse_ubd_unit(p);
	if (n < 0) {
		mconsole_reply(req, "Couldn't parse device number", 1, 0);
		return;
	}
	if (n >= UBD_MAX_DEV) {
		snprintf(msg, sizeof(msg), "Invalid device number - must be "
			 "between 0 and %d", UBD_MAX_DEV - 1);
		mconsole_reply(req, msg, 1, 0);
		return;
	}
	if (ubd_mounted(n)) {
		mconsole_reply(req, "Device is currently open", -EBUSY, 0);
		return;
	}
	err = ubd_hotplug_remove(n, msg, sizeof(msg));
	if (!err) {
		snprintf(msg, sizeof(msg), "ubd%c", 'a' + n);
		devtmpfs_delete_node(msg);
		msg[0] = '\0';
	}
	mconsole_reply(req, msg, err, 0);
}

/* ---- sysrq (Linux drivers/tty/sysrq.c) ---- */

static void sysrq_signal_all(int sig)
{
	struct task *t;

	list_for_each_entry(t, &task_list, tasks) {
		if (!task_alive(t) || t->tgid == 1 || !thread_group_leader(t))
			continue;
		if (sig == SIGKILL)
			force_sigkill(t);
		else
			send_sig_info(sig, NULL, t, true);
	}
}

static void remount_ro(struct super_block *sb, void *arg)
{
	sb->s_flags |= MS_RDONLY;
}

static void sysrq_show_state(void)
{
	char *buf = kmalloc(MC_TEXT_MAX);
	struct task *t;

	list_for_each_entry(t, &task_list, tasks) {
		printk(KERN_INFO "task:%-15s state:%c pid:%-5d tgid:%-5d "
		       "host tid:%d\n", t->comm, task_state_char(t), t->pid,
		       t->tgid, t->host_tid);
		if (!buf || !task_alive(t))
			continue;
		show_task_stack(t, buf, MC_TEXT_MAX);
		printk(KERN_INFO "Call Trace:\n%s", buf);
	}
	kfree(buf);
}

static void sysrq_show_mem(void)
{
	uint64_t used = guest_ram_used();

	printk(KERN_INFO "Mem-Info:\n");
	printk(KERN_INFO "MemTotal: %llu kB\n",
	       (unsigned long long)(totalram_bytes >> 10));
	printk(KERN_INFO "MemUsed: %llu kB (guest processes)\n",
	       (unsigned long long)(used >> 10));
	printk(KERN_INFO "Buffers: %llu kB (block cache)\n",
	       (unsigned long long)(ubd_cache_bytes() >> 10));
}

static void handle_sysrq(char key)
{
	switch (key) {
	case 'b':
		printk(KERN_INFO "sysrq: Resetting\n");
		machine_emergency_restart();
	case 'e':
		printk(KERN_INFO "sysrq: Terminate All Tasks\n");
		sysrq_signal_all(SIGTERM);
		break;
	case 'i':
		printk(KERN_INFO "sysrq: Kill All Tasks\n");
		sysrq_signal_all(SIGKILL);
		break;
	case 'm':
		printk(KERN_INFO "sysrq: Show Memory\n");
		sysrq_show_mem();
		break;
	case 's':
		printk(KERN_INFO "sysrq: Emergency Sync\n");
		ksys_sync();
		printk(KERN_INFO "Emergency Sync complete\n");
		break;
	case 't':
		printk(KERN_INFO "sysrq: Show State\n");
		sysrq_show_state();
		break;
	case 'u':
		printk(KERN_INFO "sysrq: Emergency Remount R/O\n");
		ksys_sync();
		iterate_supers(remount_ro, NULL);
		printk(KERN_INFO "Emergency Remount complete\n");
		break;
	case '0' ... '9':
		printk(KERN_INFO "sysrq: Changing Loglevel\n");
		console_loglevel = key - '0';
		printk(KERN_INFO "Loglevel set to %d\n", key - '0');
		break;
	default:
		printk(KERN_INFO "sysrq: HELP : loglevel(0-9) reboot(b) "
		       "terminate-all-tasks(e) kill-all-tasks(i) "
		       "show-memory-usage(m) sync(s) show-task-states(t) "
		       "unmount(u)\n");
	}
}

static void mconsole_sysrq(struct mc_request *req)
{
	char key = *mc_arg(req, "sysrq");

	mconsole_reply(req, "", 0, 0);
	handle_sysrq(key);
}

/* ---- stop, go, log, proc, stack ---- */

static const struct mc_command *mconsole_parse(struct mc_request *req);

static void mconsole_go(struct mc_request *req)
{
	mconsole_reply(req, "Not stopped", 1, 0);
}

/*
 * Pause: the worker holds the kernel thread and serves only mconsole
 * requests until `go`. Guest tasks get no system call served meanwhile
 * (their host threads wait in their ptrace stops; one running pure guest
 * code runs on until its next call).
 */
static void mconsole_stop(struct mc_request *req)
{
	const struct mc_command *cmd;
	int n;

	mconsole_reply(req, "stopped", 0, 0);
	for (;;) {
		n = os_mconsole_get_request(mc_fd, req);
		if (n == -EAGAIN) {
			os_mconsole_wait(mc_fd);
			continue;
		}
		if (n <= 0)
			continue;
		cmd = mconsole_parse(req);
		if (!cmd)
			continue;
		if (cmd->handler == mconsole_go)
			break;
		if (cmd->handler == mconsole_stop)
			mconsole_reply(req, "Already stopped", 1, 0);
		else
			cmd->handler(req);
	}
	mconsole_reply(req, "", 0, 0);
}

/* The text as it is, newline or not: uml_mconsole sends "log TEXT" and
 * then "log \n" to end the line (UML prints "%.*s" the same way). */
static void mconsole_log(struct mc_request *req)
{
	const char *p = req->request.len > 4 ? req->request.data + 4 : "";

	if (*p)
		printk(KERN_WARNING "%s", p);
	mconsole_reply(req, "", 0, 0);
}

/* The file under the kernel's procfs (the worker's root), in chunks. */
static void mconsole_proc(struct mc_request *req)
{
	char *p = mc_arg(req, "proc"), *buf;
	bool first = true;
	struct file *f;
	loff_t pos = 0;
	ssize_t n;

	f = do_filp_open(AT_FDCWD, *p ? p : ".", O_RDONLY, 0);
	if (IS_ERR(f)) {
		mconsole_reply(req, "Failed to open file", 1, 0);
		printk(KERN_ERR "open /proc/%s: %ld\n", p, PTR_ERR(f));
		return;
	}
	buf = kmalloc(PAGE_SIZE);
	if (!buf) {
		mconsole_reply(req, "Failed to allocate buffer", 1, 0);
		goto out_fput;
	}
	do {
		n = kernel_read(f, buf, PAGE_SIZE - 1, &pos);
		if (n < 0) {
			mconsole_reply(req, "Read of file failed", 1, 0);
			break;
		}
		if (first) {
			mconsole_reply(req, "\n", 0, 1);
			first = false;
		}
		buf[n] = '\0';
		mconsole_reply(req, buf, 0, n > 0);
	} while (n > 0);
	kfree(buf);
out_fput:
	fput(f);
}

static void mconsole_stack(struct mc_request *req)
{
	char *buf;
	struct task *t;
	size_t pos;
	int pid;

	if (sscanf(mc_arg(req, "stack"), "%d", &pid) != 1) {
		mconsole_reply(req, "Please specify a pid", 1, 0);
		return;
	}
	t = pid > 0 ? find_task_by_pid(pid) : NULL;
	if (!t) {
		mconsole_reply(req, "Couldn't find that pid", 1, 0);
		return;
	}
	buf = kmalloc(MC_TEXT_MAX);
	if (!buf) {
		mconsole_reply(req, "Failed to allocate buffer", 1, 0);
		return;
	}
	pos = snprintf(buf, MC_TEXT_MAX, "pid %d (%s) state %c, host tid %d",
		       t->pid, t->comm, task_state_char(t), t->host_tid);
	if (t->in_syscall && syscall_name(t->syscall_nr))
		pos += snprintf(buf + pos, MC_TEXT_MAX - pos, ", in %s()",
				syscall_name(t->syscall_nr));
	pos += snprintf(buf + pos, MC_TEXT_MAX - pos, "\nCall Trace:\n");
	show_task_stack(t, buf + pos, MC_TEXT_MAX - pos);
	mconsole_reply(req, buf, 0, 0);
	kfree(buf);
}

/* UML's table and order; a request matches the first command it starts
 * with (UML mconsole_parse). */
static const struct mc_command commands[] = {
	{ "version", mconsole_version, MC_INTR },
	{ "halt", mconsole_halt, MC_PROC },
	{ "reboot", mconsole_reboot, MC_PROC },
	{ "config", mconsole_config, MC_PROC },
	{ "remove", mconsole_remove, MC_PROC },
	{ "sysrq", mconsole_sysrq, MC_PROC },
	{ "help", mconsole_help, MC_INTR },
	{ "cad", mconsole_cad, MC_PROC },
	{ "stop", mconsole_stop, MC_PROC },
	{ "go", mconsole_go, MC_INTR },
	{ "log", mconsole_log, MC_INTR },
	{ "proc", mconsole_proc, MC_PROC },
	{ "stack", mconsole_stack, MC_PROC },
};

/* The command req names, or NULL after UML's "Unknown command" reply. */
static const struct mc_command *mconsole_parse(struct mc_request *req)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strncmp(req->request.data, commands[i].command,
			     strlen(commands[i].command)))
			return &commands[i];
	mconsole_reply(req, "Unknown command", 1, 0);
	return NULL;
}

/* The socket is readable: take the queued requests (MC_BATCH at a time;
 * the loop calls again while more wait); run or hand them to the worker. */
static void mconsole_interrupt(int fd, unsigned int revents, void *data)
{
	const struct mc_command *cmd;
	struct mc_entry *e;
	struct mc_request req;

	for (int i = 0; i < MC_BATCH; i++) {
		int n = os_mconsole_get_request(mc_fd, &req);

		if (n < 0)
			break;
		if (n == 0 || !(cmd = mconsole_parse(&req)))
			continue;
		if (cmd->context == MC_INTR) {
			cmd->handler(&req);
			continue;
		}
		e = mc_queued < MC_QUEUE_MAX ? kmalloc(sizeof(*e)) : NULL;
		if (!e) {
			mconsole_reply(&req, "Out of memory", 1, 0);
			continue;
		}
		e->req = req;
		e->cmd = cmd;
		list_add_tail(&e->list, &mc_queue);
		mc_queued++;
	}
	if (mc_queued)
		wake_up(&mc_wait);
}

/* The worker's kernel stack: serve MC_PROC requests in order, forever. */
static void mconsole_work(struct task *t)
{
	for (;;) {
		struct mc_entry *e;

		wait_event(mc_wait, !list_empty(&mc_queue));
		e = list_first_entry(&mc_queue, struct mc_entry, list);
		list_del_init(&e->list);
		mc_queued--;
		e->cmd->handler(&e->req);
		kfree(e);
	}
}

/* The worker: root, rooted in the kernel's procfs, on no task list. */
static struct task *start_worker(void)
{
	static struct cred root_cred = { .usage = 1 };
	struct vfsmount *proc = kern_mount("proc");
	struct task *t = alloc_task();
	struct path root;

	if (IS_ERR(proc) || !t)
		goto out_free;
	t->fs = kzalloc(sizeof(*t->fs));
	t->signal = alloc_signal();
	t->sighand = kzalloc(sizeof(*t->sighand));
	if (!t->fs || !t->signal || !t->sighand || kstack_init(t, mconsole_work))
		goto out_free;
	root.mnt = proc;
	root.dentry = dget(proc->mnt_root);
	t->fs->users = 1;
	t->fs->umask = 022;
	t->fs->root = root;
	path_get(&root);
	t->fs->pwd = root;
	t->group_leader = t;
	t->cred = &root_cred;
	snprintf(t->comm, sizeof(t->comm), "kmconsole");
	wake_up_process(t);
	return t;
out_free:
	if (!IS_ERR(proc))
		mntput(proc);
	if (t) {
		kfree(t->fs);
		kfree(t->signal);
		kfree(t->sighand);
		kfree(t);
	}
	return NULL;
}

int mconsole_init(const char *umid_dir)
{
	char path[4096];
	int fd, err;

	snprintf(path, sizeof(path), "%s/mconsole", umid_dir);
	fd = os_mconsole_open(path);
	if (fd < 0) {
		printk(KERN_ERR "Failed to initialize management console: %s: "
		       "%s\n", path, strerror(-fd));
		return fd;
	}
	mc_worker = start_worker();
	if (!mc_worker) {
		os_close(fd);
		return -ENOMEM;
	}
	mc_fd = fd;
	/* The sigio thread watches it while the loop is in its fast path. */
	err = os_event_add(fd, POLLIN, mconsole_interrupt, NULL);
	if (err)
		return err;
	printk(KERN_INFO "mconsole (version %d) initialized on %s\n",
	       MCONSOLE_VERSION, path);
	return 0;
}
