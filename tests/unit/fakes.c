/*
 * The world around the real kernel for the unit tests: TAP output, the test
 * process as the guest task, superblocks for calling filesystem methods
 * directly, and the kernel log read back. See fakes.h. Everything kernel
 * here is the kernel's own code, linked from libumk.a.
 */
#include <umk/fs.h>
#include <umk/sched.h>
#include <event.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include "../../kernel/fs/internal.h"
#include "fakes.h"

extern int console_loglevel;		/* kernel/printk.c */
size_t log_buf_read(char *buf, size_t len);	/* kernel/printk.c */

/* ---- TAP ---------------------------------------------------------------- */

int test_no, failures;

void ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++test_no);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!cond)
		failures++;
}

void diag(const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	for (char *s = line, *nl; *s; s = nl + 1) {
		nl = strchr(s, '\n');
		if (!nl) {
			printf("# %s\n", s);
			break;
		}
		printf("# %.*s\n", (int)(nl - s), s);
	}
	fflush(stdout);
}

int tap_done(void)
{
	printf("1..%d\n", test_no);
	fflush(stdout);
	return failures ? 1 : 0;
}

/* ---- the test process as the guest ------------------------------------- */

struct cred test_cred = { .usage = 1000, .cap_effective = CAP_FULL_SET,
			  .cap_permitted = CAP_FULL_SET, .cap_bset = CAP_FULL_SET };
struct mm_struct test_mm = { .users = 1, .mem_fd = -1 };
struct task test_task;
static struct signal_struct test_signal = { .count = 1 };
static struct sighand_struct test_sighand = { .count = 1 };

void unit_init(void)
{
	sigset_t kick;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!getenv("UNIT_VERBOSE"))
		console_loglevel = 0;
	/* The kernel's event loop, as at boot (ubd registers its completion
	 * fd there). A unit test never waits in it: the loop's periodic kick
	 * (SIGALRM, arch/um/os-Linux/event.c) is held off so it does not
	 * interrupt the test's own host calls. */
	if (os_event_init()) {
		printf("Bail out! os_event_init\n");
		exit(1);
	}
	sigemptyset(&kick);
	sigaddset(&kick, SIGALRM);
	sigprocmask(SIG_BLOCK, &kick, NULL);
	test_mm.host_pid = getpid();
	INIT_LIST_HEAD(&test_mm.file_vmas);
	for (int i = 0; i < RLIM_NLIMITS; i++)
		test_signal.rlim[i] = (struct rlimit){ RLIM_INFINITY, RLIM_INFINITY };
	test_signal.rlim[RLIMIT_NOFILE].rlim_cur = 1024;
	test_signal.rlim[RLIMIT_NOFILE].rlim_max = 4096;
	test_signal.pgrp = test_signal.session = 1;
	test_task.pid = test_task.tgid = 1;
	test_task.host_tid = getpid();
	snprintf(test_task.comm, sizeof(test_task.comm), "unit");
	test_task.state = TASK_RUNNING;
	test_task.group_leader = &test_task;
	INIT_LIST_HEAD(&test_task.thread_group);
	INIT_LIST_HEAD(&test_task.thread_node);
	INIT_LIST_HEAD(&test_task.children);
	INIT_LIST_HEAD(&test_task.sibling);
	INIT_LIST_HEAD(&test_task.tasks);
	test_task.cred = &test_cred;
	test_task.mm = &test_mm;
	test_task.signal = &test_signal;
	test_task.sighand = &test_sighand;
	test_task.files = alloc_files();
	test_task.fs = kzalloc(sizeof(*test_task.fs));
	if (!test_task.files || !test_task.fs) {
		printf("Bail out! no memory for the test task\n");
		exit(1);
	}
	test_task.fs->users = 1;
	test_task.fs->umask = 022;
	current = &test_task;
}

/* ---- the kernel log ------------------------------------------------------ */

static char *kmsg_all(void)
{
	static char buf[128 * 1024 + 1];
	size_t n = log_buf_read(buf, sizeof(buf) - 1);

	buf[n] = '\0';
	return buf;
}

int kmsg_count(const char *needle)
{
	char *s = kmsg_all(), *nl;
	int n = 0;

	for (; *s; s = nl + 1) {
		nl = strchr(s, '\n');
		if (nl)
			*nl = '\0';
		if (strstr(s, needle))
			n++;
		if (!nl)
			break;
	}
	return n;
}

const char *kmsg_last(void)
{
	static char line[1024];
	char *s = kmsg_all(), *end = s + strlen(s), *start;

	while (end > s && end[-1] == '\n')
		end--;
	start = end;
	while (start > s && start[-1] != '\n')
		start--;
	if (*start == '[' && strchr(start, ']'))
		start = strchr(start, ']') + 1 + (strchr(start, ']')[1] == ' ');
	snprintf(line, sizeof(line), "%.*s", (int)(end - start), start);
	return line;
}

/* ---- superblocks, inodes, files ----------------------------------------- */

struct super_block *mount_fs_dev(const char *type, dev_t dev,
				 const char *dev_name, unsigned long flags,
				 const char *opts, int *err)
{
	struct file_system_type *fs = get_fs_type(type);
	struct super_block *sb = kzalloc(sizeof(*sb));

	if (!fs || !sb) {
		kfree(sb);
		*err = fs ? -ENOMEM : -ENODEV;
		return NULL;
	}
	INIT_LIST_HEAD(&sb->s_inodes);
	mutex_init(&sb->s_lock);
	sb->s_dev = dev;
	sb->s_type = fs;
	sb->s_flags = flags & MS_RDONLY;
	sb->s_active = 1;
	snprintf(sb->s_id, sizeof(sb->s_id), "%s", type);
	*err = fs->fill_super(sb, dev_name, (void *)opts, (int)flags);
	if (!*err && !sb->s_root)
		*err = -EINVAL;
	if (*err) {
		kfree(sb);
		return NULL;
	}
	if (!sb->s_blocksize)
		sb->s_blocksize = PAGE_SIZE;
	return sb;
}

int sb_inode_count(struct super_block *sb)
{
	struct inode *inode;
	int n = 0;

	list_for_each_entry(inode, &sb->s_inodes, i_sb_list)
		n++;
	return n;
}

int umount_fs(struct super_block *sb)
{
	int left;

	if (sb->s_op && sb->s_op->sync_fs && !(sb->s_flags & MS_RDONLY))
		sb->s_op->sync_fs(sb, 1);
	shrink_dcache_sb(sb);
	dput(sb->s_root);
	sb->s_root = NULL;
	if (sb->s_op && sb->s_op->put_super)
		sb->s_op->put_super(sb);
	left = sb_inode_count(sb);
	if (!left)
		kfree(sb);
	return left;
}

struct qstr q(const char *name)
{
	return (struct qstr){ .name = name, .len = strlen(name) };
}

struct inode *lookup(struct inode *dir, const char *name)
{
	struct qstr n = q(name);
	struct inode *res = NULL;

	if (dir->i_op->lookup(dir, &n, &res))
		return NULL;
	return res;
}

void file_init(struct file *f, struct inode *inode, unsigned int flags)
{
	memset(f, 0, sizeof(*f));
	f->f_inode = inode;
	f->f_op = inode->i_fop;
	f->f_flags = flags;
	f->f_mode = ((flags & O_ACCMODE) != O_WRONLY ? FMODE_READ : 0) |
		    ((flags & O_ACCMODE) != O_RDONLY ? FMODE_WRITE : 0);
	f->f_count = 1;
}
