/*
 * The kernel around the VFS core for vfs_test: allocation, printk (as TAP
 * comments, counting "Busy inodes" complaints), credentials, a mutex that
 * never sleeps, guest memory as host memory (addresses below 4096 fault),
 * and no block devices. Each follows its contract in include/umk/.
 */
#include <umk/fs.h>
#include <umk/mm.h>
#include <umk/oom.h>
#include <umk/ubd.h>
#include <umk/uaccess.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/sysmacros.h>
#include "vfs_stubs.h"

struct task *current;
struct task *init_task;
uint64_t totalram_bytes = 64ULL << 20;

/* The guest's memory (kernel/oom_kill.c): always room here. */
bool kernel_mem_charge(uint64_t bytes)
{
	return true;
}

/* generic_file_llseek (fs/read_write.c) for SEEK_SET/CUR/END. */
loff_t generic_file_llseek(struct file *f, loff_t off, int whence)
{
	loff_t base = whence == SEEK_CUR ? f->f_pos :
		      whence == SEEK_END ? f->f_inode->i_size : 0;

	if (whence > SEEK_END || base + off < 0)
		return -EINVAL;
	f->f_pos = base + off;
	return f->f_pos;
}
int busy_complaints;

void *kzalloc(size_t size) { return calloc(1, size); }
void *kmalloc(size_t size) { return malloc(size); }
void *krealloc(void *p, size_t size) { return realloc(p, size); }
void kfree(const void *p) { free((void *)p); }
char *kstrdup(const char *s) { return strdup(s); }
char *kstrndup(const char *s, size_t n) { return strndup(s, n); }

void printk(const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (strstr(line, "Busy inodes") || strstr(line, "dput of unused"))
		busy_complaints++;
	printf("# %s", line[0] == '<' ? line + 3 : line);
}

uint64_t os_realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

bool in_group_p(const struct cred *c, gid_t gid)
{
	if (c->fsgid == gid)
		return true;
	for (int i = 0; i < c->ngroups; i++)
		if (c->groups[i] == gid)
			return true;
	return false;
}

struct cred *prepare_creds(const struct cred *old)
{
	struct cred *c = malloc(sizeof(*c));

	if (c) {
		*c = *old;
		c->usage = 1;
	}
	return c;
}

void put_cred(struct cred *c)
{
	if (--c->usage == 0)
		free(c);
}

struct task *find_task_by_pid(pid_t pid) { return NULL; }
/* SIGIO delivery (kernel/fs/fcntl.c): no processes here. */
LIST_HEAD(task_list);
bool thread_group_leader(const struct task *t) { return true; }
int send_sig_info(int sig, siginfo_t *info, struct task *t, bool group)
{
	return 0;
}

void mutex_init(struct mutex *m) { m->owner = NULL; }
void mutex_lock(struct mutex *m)
{
	if (m->owner)
		printk("vfs_test: mutex_lock of a held mutex\n");
	m->owner = current;
}
void mutex_unlock(struct mutex *m) { m->owner = NULL; }

static bool bad_addr(struct uptr p) { return p.addr < 4096; }

int copy_from_user(void *dst, struct uptr src, size_t n)
{
	if (bad_addr(src))
		return -EFAULT;
	memcpy(dst, (void *)src.addr, n);
	return 0;
}

int copy_to_user(struct uptr dst, const void *src, size_t n)
{
	if (bad_addr(dst))
		return -EFAULT;
	memcpy((void *)dst.addr, src, n);
	return 0;
}

long strncpy_from_user(char *dst, struct uptr src, size_t n)
{
	size_t len;

	if (bad_addr(src))
		return -EFAULT;
	len = strnlen((const char *)src.addr, n);
	if (len == n)
		return -ENAMETOOLONG;
	memcpy(dst, (const char *)src.addr, len + 1);
	return len;
}

static char *do_getname(struct uptr p, bool empty_ok)
{
	char *buf = malloc(4096);
	long len;

	if (!buf)
		return ERR_PTR(-ENOMEM);
	len = strncpy_from_user(buf, p, 4096);
	if (len == 0 && !empty_ok)
		len = -ENOENT;
	if (len < 0) {
		free(buf);
		return ERR_PTR(len);
	}
	return buf;
}

char *getname(struct uptr p) { return do_getname(p, false); }
char *getname_empty(struct uptr p) { return do_getname(p, true); }

int init_special_inode_open(struct inode *inode, struct file *file)
{
	return -ENXIO;
}

long pipe_fcntl_size(struct file *f) { return -EBADF; }

/* One fake block device, ubdb (98:16), for mounts of block filesystems. */
static char fake_ubdb;
struct ubd *ubd_get_by_dev(dev_t dev)
{
	return dev == makedev(98, 16) ? (struct ubd *)&fake_ubdb : NULL;
}
bool ubd_readonly(const struct ubd *u) { return false; }
int ubd_flush(struct ubd *u) { return 0; }
void ubd_sync_all(void) { }

/* No guest mappings exist in this test: no inode has a page cache. */
int filemap_writeback(struct inode *inode) { (void)inode; return 0; }
void filemap_writeback_all(void) { }
void filemap_resize(struct inode *inode, loff_t size) { (void)inode; (void)size; }
void filemap_evict_inode(struct inode *inode) { (void)inode; }

/* Advisory locks (kernel/fs/locks.c) are not under test here: no lock is
 * ever taken, so there is none to release. */
void locks_remove_posix(struct file *f, void *owner) { (void)f; (void)owner; }
void locks_remove_file(struct file *f) { (void)f; }
long fcntl_lock(struct file *f, unsigned int cmd, struct uptr arg)
{
	return -ENOLCK;
}
/* No file here is ever watched by epoll (kernel/fs/eventpoll.c). */
void eventpoll_release(struct file *f) { (void)f; }
/* No inotify watch exists here (kernel/fs/inotify.c): the hooks are no-ops. */
void fsnotify_create(struct inode *dir, struct dentry *d) { }
void fsnotify_link(struct inode *dir, struct inode *inode, struct dentry *d) { }
void fsnotify_unlink(struct inode *dir, struct dentry *d) { }
void fsnotify_rmdir(struct inode *dir, struct dentry *d) { }
void fsnotify_move(struct inode *od, struct inode *nd, const struct qstr *on,
		   const struct qstr *nn, struct inode *s, struct inode *t) { }
void fsnotify_open(struct file *f) { }
void fsnotify_close(struct file *f) { }
void fsnotify_change(struct dentry *d, unsigned int ia_valid) { }
void fsnotify_sb_delete(struct super_block *sb) { }
