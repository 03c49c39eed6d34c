/*
 * inotify_init, inotify_init1, inotify_add_watch, inotify_rm_watch, and
 * the fsnotify_*() hooks the VFS calls (Linux fs/notify/inotify/,
 * fs/notify/fsnotify.c, include/linux/fsnotify.h; inotify(7)).
 *
 * A watch (struct inotify_watch) joins an inotify instance (a group) and
 * an inode it holds a reference on; the inode lists its watches in
 * i_fsnotify_marks. An event goes to every watch on the inode, and for
 * events about a named child also to the watches on its directory (the
 * directory's first, as Linux). Events queue on the group, identical
 * back-to-back events merge, and a full queue ends with one
 * IN_Q_OVERFLOW. Limits per user: instances, watches; per group: queued
 * events (Linux's defaults).
 */
#include <umk/anon_inodes.h>
#include <umk/eventpoll.h>
#include <umk/fsnotify.h>
#include <umk/syscalls.h>
#include <umk/ucount.h>
#include <string.h>
#include <sys/ioctl.h>
#include "internal.h"

#define IN_ACCESS	0x00000001
#define IN_MODIFY	0x00000002
#define IN_ATTRIB	0x00000004
#define IN_CLOSE_WRITE	0x00000008
#define IN_CLOSE_NOWRITE 0x00000010
#define IN_OPEN		0x00000020
#define IN_MOVED_FROM	0x00000040
#define IN_MOVED_TO	0x00000080
#define IN_CREATE	0x00000100
#define IN_DELETE	0x00000200
#define IN_DELETE_SELF	0x00000400
#define IN_MOVE_SELF	0x00000800
#define IN_ALL_EVENTS	0x00000fff
#define IN_UNMOUNT	0x00002000
#define IN_Q_OVERFLOW	0x00004000
#define IN_IGNORED	0x00008000
#define IN_ONLYDIR	0x01000000
#define IN_DONT_FOLLOW	0x02000000
#define IN_EXCL_UNLINK	0x04000000
#define IN_MASK_CREATE	0x10000000
#define IN_MASK_ADD	0x20000000
#define IN_ISDIR	0x40000000
#define IN_ONESHOT	0x80000000
#define ALL_INOTIFY_BITS (IN_ALL_EVENTS | IN_ONLYDIR | IN_DONT_FOLLOW | \
			  IN_EXCL_UNLINK | IN_MASK_CREATE | IN_MASK_ADD | \
			  IN_ISDIR | IN_ONESHOT)
/* Events a directory watch also gets about its children. */
#define IN_CHILD_EVENTS	(IN_ACCESS | IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | \
			 IN_CLOSE_NOWRITE | IN_OPEN)
#define IN_CLOEXEC	O_CLOEXEC
#define IN_NONBLOCK	O_NONBLOCK
#define NAME_MAX_IN	255

/* The user ABI record; a name follows, NUL-padded to len bytes. */
struct inotify_event {
	int32_t wd;
	uint32_t mask;
	uint32_t cookie;
	uint32_t len;
};

struct inotify_kevent {
	struct list_head list;		/* in group->events */
	int wd;
	uint32_t mask, cookie;
	uint32_t name_len;		/* bytes of name, without the NUL */
	char name[];
};

struct inotify_group {
	struct list_head watches;	/* its watches, by g_list */
	struct list_head events;	/* queued inotify_kevents */
	unsigned int q_len;		/* events queued (overflow included) */
	bool overflowed;		/* the overflow event is queued */
	size_t q_bytes;			/* FIONREAD */
	struct wait_queue_head wq;	/* readers and pollers */
	int last_wd;			/* wds are handed out cyclically */
	uid_t uid;			/* owner of the counts */
};

struct inotify_watch {
	struct list_head g_list;	/* in group->watches */
	struct inotify_watch *i_next;	/* inode->i_fsnotify_marks list */
	struct inotify_group *group;
	struct inode *inode;		/* referenced */
	int wd;
	uint32_t mask;
};

static unsigned int nr_watches;	/* all groups: a quick "nothing watched" */
/* Events queued in all groups together: past this every group overflows,
 * so the queues of many instances cannot take unbounded memory. */
static unsigned long nr_queued;
#define INOTIFY_MAX_QUEUED_TOTAL	(1UL << 18)
static uint32_t next_cookie;

/* --- the event queue --- */

static size_t event_size(const struct inotify_kevent *e)
{
	size_t len = e->name_len ? (e->name_len + 1 + 15) / 16 * 16 : 0;

	return sizeof(struct inotify_event) + len;
}

static bool event_equal(const struct inotify_kevent *a, int wd, uint32_t mask,
			uint32_t cookie, const char *name, size_t len)
{
	return a->wd == wd && a->mask == mask && a->cookie == cookie &&
	       a->name_len == len && (!len || !memcmp(a->name, name, len));
}

/* Queue an event on g (Linux fsnotify_add_event with inotify_merge). */
static void queue_event(struct inotify_group *g, int wd, uint32_t mask,
			uint32_t cookie, const char *name, size_t len)
{
	struct inotify_kevent *e;

	if (!list_empty(&g->events)) {
		e = list_entry(g->events.prev, struct inotify_kevent, list);
		if (event_equal(e, wd, mask, cookie, name, len))
			return;
	}
	if (g->q_len >= INOTIFY_MAX_QUEUED_EVENTS ||
	    nr_queued >= INOTIFY_MAX_QUEUED_TOTAL) {
		if (g->overflowed)
			return;
		wd = -1;
		mask = IN_Q_OVERFLOW;
		cookie = 0;
		len = 0;
	}
	e = kzalloc(sizeof(*e) + len + 1);
	if (!e)
		return;
	e->wd = wd;
	e->mask = mask;
	e->cookie = cookie;
	e->name_len = len;
	if (len)
		memcpy(e->name, name, len);
	if (mask == IN_Q_OVERFLOW)
		g->overflowed = true;
	list_add_tail(&e->list, &g->events);
	nr_queued++;
	g->q_len++;
	g->q_bytes += event_size(e);
	wake_up_poll(&g->wq, POLLIN);
}

/* Drop w: IN_IGNORED for it (unless its group is going away), the inode
 * reference and the counts. */
static void destroy_watch(struct inotify_watch *w, bool notify)
{
	struct inotify_watch **p;
	struct inode *inode = w->inode;

	for (p = &inode->i_fsnotify_marks; *p; p = &(*p)->i_next) {
		if (*p == w) {
			*p = w->i_next;
			break;
		}
	}
	list_del_init(&w->g_list);
	if (notify)
		queue_event(w->group, w->wd, IN_IGNORED, 0, NULL, 0);
	dec_ucount(w->group->uid, UCOUNT_INOTIFY_WATCHES);
	nr_watches--;
	kfree(w);
	iput(inode);
}

/* mask about inode (name: the child's, for a directory's watches) to each
 * watch of inode that wants it. */
static void send_to_watches(struct inode *inode, uint32_t mask,
			    uint32_t cookie, const char *name, size_t len)
{
	struct inotify_watch *w, *next;

	for (w = inode->i_fsnotify_marks; w; w = next) {
		next = w->i_next;
		if (!(w->mask & mask & IN_ALL_EVENTS) && !(mask & IN_UNMOUNT))
			continue;
		queue_event(w->group, w->wd, mask, cookie, name, len);
		if (w->mask & IN_ONESHOT)
			destroy_watch(w, true);
	}
}

static uint32_t isdir(const struct inode *inode)
{
	return inode && S_ISDIR(inode->i_mode) ? IN_ISDIR : 0;
}

/* An event about child (named by d) to its directory's watches, then to
 * its own (Linux fsnotify_parent + fsnotify). */
static void notify_dentry(struct dentry *d, uint32_t mask)
{
	struct inode *inode = d->d_inode;

	mask |= isdir(inode);
	if ((mask & IN_CHILD_EVENTS) && d->d_parent != d &&
	    d->d_parent->d_inode && d->d_parent->d_inode->i_fsnotify_marks)
		send_to_watches(d->d_parent->d_inode, mask, 0, d->d_name,
				d->d_len);
	send_to_watches(inode, mask, 0, NULL, 0);
}

/* The inode lost its last link: IN_DELETE_SELF (without IN_ISDIR, as
 * Linux reports it), then every watch goes. */
static void fsnotify_inoderemove(struct inode *inode)
{
	send_to_watches(inode, IN_DELETE_SELF, 0, NULL, 0);
	while (inode->i_fsnotify_marks)
		destroy_watch(inode->i_fsnotify_marks, true);
}

/* --- the hooks --- */

void fsnotify_create(struct inode *dir, struct dentry *dentry)
{
	if (nr_watches && dir->i_fsnotify_marks)
		send_to_watches(dir, IN_CREATE | isdir(dentry->d_inode), 0,
				dentry->d_name, dentry->d_len);
}

void fsnotify_link(struct inode *dir, struct inode *inode,
		   struct dentry *dentry)
{
	if (!nr_watches)
		return;
	send_to_watches(inode, IN_ATTRIB, 0, NULL, 0);
	send_to_watches(dir, IN_CREATE, 0, dentry->d_name, dentry->d_len);
}

static void notify_delete(struct inode *dir, struct dentry *dentry,
			  bool rmdir)
{
	struct inode *inode = dentry->d_inode;

	if (!nr_watches)
		return;
	if (!rmdir)
		send_to_watches(inode, IN_ATTRIB, 0, NULL, 0);
	if (inode->i_nlink == 0 || rmdir)
		fsnotify_inoderemove(inode);
	send_to_watches(dir, IN_DELETE | isdir(inode), 0, dentry->d_name,
			dentry->d_len);
}

void fsnotify_unlink(struct inode *dir, struct dentry *dentry)
{
	notify_delete(dir, dentry, false);
}

void fsnotify_rmdir(struct inode *dir, struct dentry *dentry)
{
	notify_delete(dir, dentry, true);
}

void fsnotify_move(struct inode *old_dir, struct inode *new_dir,
		   const struct qstr *old_name, const struct qstr *new_name,
		   struct inode *source, struct inode *target)
{
	uint32_t cookie, dirbit = isdir(source);

	if (!nr_watches)
		return;
	cookie = ++next_cookie;
	send_to_watches(old_dir, IN_MOVED_FROM | dirbit, cookie,
			old_name->name, old_name->len);
	send_to_watches(new_dir, IN_MOVED_TO | dirbit, cookie,
			new_name->name, new_name->len);
	if (target) {
		send_to_watches(target, IN_ATTRIB, 0, NULL, 0);
		if (target->i_nlink == 0 || S_ISDIR(target->i_mode))
			fsnotify_inoderemove(target);
	}
	send_to_watches(source, IN_MOVE_SELF, 0, NULL, 0);
}

static bool file_notifies(const struct file *f)
{
	return nr_watches && !(f->f_flags & O_PATH) && f->f_path.dentry &&
	       f->f_inode;
}

void fsnotify_open(struct file *f)
{
	if (file_notifies(f))
		notify_dentry(f->f_path.dentry, IN_OPEN);
}

void fsnotify_access(struct file *f)
{
	if (file_notifies(f))
		notify_dentry(f->f_path.dentry, IN_ACCESS);
}

void fsnotify_modify(struct file *f)
{
	if (file_notifies(f))
		notify_dentry(f->f_path.dentry, IN_MODIFY);
}

void fsnotify_close(struct file *f)
{
	if (file_notifies(f))
		notify_dentry(f->f_path.dentry, (f->f_mode & FMODE_WRITE) ?
			      IN_CLOSE_WRITE : IN_CLOSE_NOWRITE);
}

void fsnotify_change(struct dentry *dentry, unsigned int ia_valid)
{
	uint32_t mask = 0;

	if (!nr_watches)
		return;
	if (ia_valid & (ATTR_UID | ATTR_GID | ATTR_MODE))
		mask |= IN_ATTRIB;
	if (ia_valid & ATTR_SIZE)
		mask |= IN_MODIFY;
	if ((ia_valid & (ATTR_ATIME | ATTR_MTIME)) == (ATTR_ATIME | ATTR_MTIME))
		mask |= IN_ATTRIB;
	else if (ia_valid & ATTR_ATIME)
		mask |= IN_ACCESS;
	else if (ia_valid & ATTR_MTIME)
		mask |= IN_MODIFY;
	if (mask)
		notify_dentry(dentry, mask);
}

void fsnotify_sb_delete(struct super_block *sb)
{
	struct inode *inode, *n;

	if (!nr_watches)
		return;
	list_for_each_entry_safe(inode, n, &sb->s_inodes, i_sb_list) {
		if (!inode->i_fsnotify_marks)
			continue;
		ihold(inode);
		send_to_watches(inode, IN_UNMOUNT | isdir(inode), 0, NULL, 0);
		while (inode->i_fsnotify_marks)
			destroy_watch(inode->i_fsnotify_marks, true);
		iput(inode);
	}
}

/* --- the inotify file --- */

static const struct file_operations inotify_fops;

static unsigned int inotify_poll(struct file *f, struct poll_table *pt)
{
	struct inotify_group *g = f->private_data;

	poll_wait(f, &g->wq, pt);
	return list_empty(&g->events) ? 0 : POLLIN | POLLRDNORM;
}

/* Move as many whole events as fit into buf; -EINVAL when the first does
 * not fit. */
static ssize_t copy_events(struct inotify_group *g, char *buf, size_t len)
{
	size_t done = 0;

	while (!list_empty(&g->events)) {
		struct inotify_kevent *e = list_first_entry(&g->events,
					struct inotify_kevent, list);
		size_t size = event_size(e);
		struct inotify_event ev = {
			.wd = e->wd, .mask = e->mask, .cookie = e->cookie,
			.len = size - sizeof(struct inotify_event),
		};

		if (size > len - done)
			return done ? (ssize_t)done : -EINVAL;
		memcpy(buf + done, &ev, sizeof(ev));
		memset(buf + done + sizeof(ev), 0, ev.len);
		memcpy(buf + done + sizeof(ev), e->name, e->name_len);
		done += size;
		list_del_init(&e->list);
		nr_queued--;
		g->q_len--;
		g->q_bytes -= size;
		if (e->mask == IN_Q_OVERFLOW && e->wd == -1)
			g->overflowed = false;
		kfree(e);
	}
	return done;
}

static ssize_t inotify_read(struct file *f, char *buf, size_t len,
			    loff_t *pos)
{
	struct inotify_group *g = f->private_data;
	int err;

	if (list_empty(&g->events)) {
		if (f->f_flags & O_NONBLOCK)
			return -EAGAIN;
		err = wait_event_interruptible(g->wq, !list_empty(&g->events));
		if (err)
			return err;
	}
	return copy_events(g, buf, len);
}

static long inotify_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	struct inotify_group *g = f->private_data;
	int n;

	if (cmd != FIONREAD)
		return -ENOTTY;
	n = g->q_bytes;
	return copy_to_user(UPTR(arg), &n, sizeof(n)) ? -EFAULT : 0;
}

static int inotify_release(struct inode *inode, struct file *f)
{
	struct inotify_group *g = f->private_data;
	struct inotify_kevent *e, *n;

	while (!list_empty(&g->watches))
		destroy_watch(list_first_entry(&g->watches,
					       struct inotify_watch, g_list),
			      false);
	list_for_each_entry_safe(e, n, &g->events, list) {
		nr_queued--;
		kfree(e);
	}
	dec_ucount(g->uid, UCOUNT_INOTIFY_INSTANCES);
	kfree(g);
	return 0;
}

static loff_t inotify_llseek(struct file *f, loff_t off, int whence)
{
	return f->f_pos;	/* noop_llseek */
}

static const struct file_operations inotify_fops = {
	.release = inotify_release,
	.poll = inotify_poll,
	.read = inotify_read,
	.ioctl = inotify_ioctl,
	.llseek = inotify_llseek,
};

static long do_inotify_init(int flags)
{
	struct inotify_group *g;
	uid_t uid = current->cred->euid;
	struct file *f;

	if (flags & ~(IN_CLOEXEC | IN_NONBLOCK))
		return -EINVAL;
	if (!inc_ucount(uid, UCOUNT_INOTIFY_INSTANCES,
			INOTIFY_MAX_USER_INSTANCES))
		return -EMFILE;
	g = kzalloc(sizeof(*g));
	if (!g) {
		dec_ucount(uid, UCOUNT_INOTIFY_INSTANCES);
		return -ENOMEM;
	}
	INIT_LIST_HEAD(&g->watches);
	INIT_LIST_HEAD(&g->events);
	init_waitqueue_head(&g->wq);
	g->uid = uid;
	f = anon_inode_getfile("inotify", &inotify_fops, g,
			       O_RDONLY | (flags & IN_NONBLOCK));
	if (IS_ERR(f)) {
		dec_ucount(uid, UCOUNT_INOTIFY_INSTANCES);
		kfree(g);
		return PTR_ERR(f);
	}
	return get_unused_fd_install(f, 0, flags & IN_CLOEXEC);
}

SYSCALL_DEFINE1(inotify_init1, int, flags)
{
	return do_inotify_init(flags);
}

SYSCALL_DEFINE0(inotify_init)
{
	return do_inotify_init(0);
}

/* The inotify group of fd with a file reference in *fp: -EBADF, -EINVAL. */
static struct inotify_group *inotify_fget(int fd, struct file **fp)
{
	struct file *f = fget(fd);

	if (!f)
		return ERR_PTR(-EBADF);
	if (f->f_op != &inotify_fops) {
		fput(f);
		return ERR_PTR(-EINVAL);
	}
	*fp = f;
	return f->private_data;
}

static struct inotify_watch *find_watch(struct inotify_group *g,
					struct inode *inode)
{
	struct inotify_watch *w;

	for (w = inode->i_fsnotify_marks; w; w = w->i_next)
		if (w->group == g)
			return w;
	return NULL;
}

/* The next free wd after the last one, cyclically from 1 (idr cyclic). */
static int alloc_wd(struct inotify_group *g)
{
	struct inotify_watch *w;
	int wd = g->last_wd;

	for (;;) {
		bool used = false;

		wd = wd == INT32_MAX ? 1 : wd + 1;
		list_for_each_entry(w, &g->watches, g_list)
			if (w->wd == wd)
				used = true;
		if (!used)
			return g->last_wd = wd;
	}
}

static long inotify_update_watch(struct inotify_group *g, struct inode *inode,
				 uint32_t mask)
{
	struct inotify_watch *w = find_watch(g, inode);
	uint32_t keep = mask & (IN_ALL_EVENTS | IN_ONESHOT | IN_EXCL_UNLINK);

	if (w) {
		if (mask & IN_MASK_CREATE)
			return -EEXIST;
		w->mask = (mask & IN_MASK_ADD) ? w->mask | keep : keep;
		return w->wd;
	}
	if (!inc_ucount(g->uid, UCOUNT_INOTIFY_WATCHES,
			INOTIFY_MAX_USER_WATCHES))
		return -ENOSPC;
	w = kzalloc(sizeof(*w));
	if (!w) {
		dec_ucount(g->uid, UCOUNT_INOTIFY_WATCHES);
		return -ENOMEM;
	}
	w->group = g;
	ihold(inode);
	w->inode = inode;
	w->mask = keep;
	w->wd = alloc_wd(g);
	list_add_tail(&w->g_list, &g->watches);
	w->i_next = inode->i_fsnotify_marks;
	inode->i_fsnotify_marks = w;
	nr_watches++;
	return w->wd;
}

SYSCALL_DEFINE3(inotify_add_watch, int, fd, struct uptr, pathname, uint32_t, mask)
{
	struct inotify_group *g;
	unsigned int flags = 0;
	struct path path;
	struct file *f;
	char *name;
	long ret;

	if (!(mask & ALL_INOTIFY_BITS))
		return -EINVAL;
	if ((mask & IN_MASK_ADD) && (mask & IN_MASK_CREATE))
		return -EINVAL;
	g = inotify_fget(fd, &f);
	if (IS_ERR(g))
		return PTR_ERR(g);
	if (!(mask & IN_DONT_FOLLOW))
		flags |= LOOKUP_FOLLOW;
	if (mask & IN_ONLYDIR)
		flags |= LOOKUP_DIRECTORY;
	name = getname(pathname);
	ret = PTR_ERR(name);
	if (IS_ERR(name))
		goto out_fput;
	ret = kern_path_at(AT_FDCWD, name, flags, &path);
	kfree(name);
	if (ret)
		goto out_fput;
	ret = inode_permission(path.dentry->d_inode, MAY_READ);
	if (!ret)
		ret = inotify_update_watch(g, path.dentry->d_inode, mask);
	path_put(&path);
out_fput:
	fput(f);
	return ret;
}

SYSCALL_DEFINE2(inotify_rm_watch, int, fd, int, wd)
{
	struct inotify_group *g;
	struct inotify_watch *w;
	struct file *f;
	long ret = -EINVAL;

	g = inotify_fget(fd, &f);
	if (IS_ERR(g))
		return PTR_ERR(g);
	list_for_each_entry(w, &g->watches, g_list) {
		if (w->wd == wd) {
			destroy_watch(w, true);
			ret = 0;
			break;
		}
	}
	fput(f);
	return ret;
}
