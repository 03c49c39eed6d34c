/*
 * Fakes of the kernel for the filesystem unit tests: see fs_fakes.h. Each
 * follows the contract of the real function in include/umk/ (fs.h,
 * kernel.h) closely enough for the filesystem code under test.
 */
#include <umk/fs.h>
#include <umk/mm.h>
#include <umk/oom.h>
#include <umk/limits.h>
#include <umk/ubd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fs_fakes.h"

/* ---- the kernel ------------------------------------------------------- */

struct cred test_cred = { .usage = 1, .cap_effective = CAP_FULL_SET,
			  .cap_permitted = CAP_FULL_SET, .cap_bset = CAP_FULL_SET };
struct task test_task = { .pid = 1, .tgid = 1, .cred = &test_cred };
struct task *current = &test_task;
uint64_t totalram_bytes = 64ULL << 20;
const struct file_operations fifo_fops;
int live_inodes;
static struct file_system_type *fs_types;

void *kzalloc(size_t size) { return calloc(1, size); }
void *kmalloc(size_t size) { return malloc(size); }
void kfree(const void *p) { free((void *)p); }
char *kstrdup(const char *s) { return strdup(s); }
char *kstrndup(const char *s, size_t n) { return strndup(s, n); }
void printk(const char *fmt, ...) { (void)fmt; }

int register_filesystem(struct file_system_type *fs)
{
	fs->next = fs_types;
	fs_types = fs;
	return 0;
}

struct file_system_type *get_fs_type(const char *name)
{
	struct file_system_type *fs;

	for (fs = fs_types; fs; fs = fs->next)
		if (!strcmp(fs->name, name))
			return fs;
	return NULL;
}

struct inode *new_inode(struct super_block *sb)
{
	struct inode *inode = calloc(1, sizeof(*inode));

	if (!inode)
		return NULL;
	inode->i_count = 1;
	inode->i_sb = sb;
	list_add(&inode->i_sb_list, &sb->s_inodes);
	live_inodes++;
	return inode;
}

struct inode *ilookup(struct super_block *sb, unsigned long ino)
{
	struct inode *inode;

	list_for_each_entry(inode, &sb->s_inodes, i_sb_list) {
		if (inode->i_ino == ino) {
			inode->i_count++;
			return inode;
		}
	}
	return NULL;
}

void ihold(struct inode *inode) { inode->i_count++; }

void iput(struct inode *inode)
{
	if (!inode || --inode->i_count > 0)
		return;
	if (inode->i_sb->s_op && inode->i_sb->s_op->evict_inode)
		inode->i_sb->s_op->evict_inode(inode);
	list_del_init(&inode->i_sb_list);
	free(inode);
	live_inodes--;
}

struct timespec current_time(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts;
}

bool in_group_p(const struct cred *c, gid_t gid)
{
	int i;

	if (c->fsgid == gid)
		return true;
	for (i = 0; i < c->ngroups; i++)
		if (c->groups[i] == gid)
			return true;
	return false;
}

void inode_init_owner(struct inode *inode, struct inode *dir, mode_t mode)
{
	inode->i_uid = current->cred->fsuid;
	if (dir && (dir->i_mode & S_ISGID)) {
		inode->i_gid = dir->i_gid;
		if (S_ISDIR(mode))
			mode |= S_ISGID;
	} else {
		inode->i_gid = current->cred->fsgid;
	}
	inode->i_mode = mode;
}

struct dentry *d_make_root(struct inode *inode)
{
	struct dentry *d = calloc(1, sizeof(*d));

	if (!d) {
		iput(inode);
		return NULL;
	}
	d->d_count = 1;
	d->d_inode = inode;
	d->d_sb = inode->i_sb;
	d->d_parent = d;
	INIT_LIST_HEAD(&d->d_subdirs);
	INIT_LIST_HEAD(&d->d_child);
	return d;
}

void dput(struct dentry *d)
{
	if (!d || --d->d_count > 0)
		return;
	iput(d->d_inode);
	free(d);
}

struct ubd *ubd_get(int n)
{
	static char fake_ubd;

	return n == 0 ? (struct ubd *)&fake_ubd : NULL;
}

/* /proc/locks (kernel/fs/locks.c): no locks in the unit tests. */
struct seq_buf;
struct proc_inode;
int proc_locks_show(struct seq_buf *m, struct proc_inode *pi, struct task *t)
{
	return 0;
}

/* The guest's memory (kernel/oom_kill.c): always room in the unit tests. */
bool kernel_mem_charge(uint64_t bytes)
{
	return true;
}

/* generic_file_llseek (fs/read_write.c) for SEEK_SET/CUR/END. */
loff_t generic_file_llseek(struct file *f, loff_t off, int whence)
{
	loff_t base = whence == SEEK_CUR ? f->f_pos :
		      whence == SEEK_END ? f->f_inode->i_size : 0;

	if (whence > SEEK_END)
		return -EINVAL;
	if (base + off < 0)
		return -EINVAL;
	f->f_pos = base + off;
	return f->f_pos;
}

/* threads-max (kernel/limits.c) for /proc/sys/kernel. */
int max_threads = 2048;

/* No host threads behind the fake tasks. */
char os_host_thread_state(int tid)
{
	return 0;
}

int os_getrandom(void *buf, size_t len)
{
	memset(buf, 0xa5, len);
	return 0;
}

int copy_to_user(struct uptr dst, const void *src, size_t n)
{
	memcpy((void *)dst.addr, src, n);
	return 0;
}

/* ---- TAP and helpers ---------------------------------------------------- */

int test_no, failures;

void ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++test_no);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond)
		failures++;
}

struct super_block *mount_fs(const char *type, const char *opts, int *err)
{
	struct file_system_type *fs = get_fs_type(type);
	struct super_block *sb = calloc(1, sizeof(*sb));

	INIT_LIST_HEAD(&sb->s_inodes);
	sb->s_type = fs;
	*err = fs ? fs->fill_super(sb, "none", (void *)opts, 0) : -ENODEV;
	if (*err) {
		free(sb);
		return NULL;
	}
	return sb;
}

void umount_fs(struct super_block *sb)
{
	if (sb->s_op->put_super)
		sb->s_op->put_super(sb);
	dput(sb->s_root);
	free(sb);
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

