/*
 * Advisory file locks: POSIX record locks and OFD locks (fcntl F_GETLK,
 * F_SETLK, F_SETLKW, F_OFD_*), BSD flock(2) locks, their release at close
 * and exit, deadlock detection for POSIX waiters, and /proc/locks.
 * Locks live on the inode (inode->i_flctx), so they work on every
 * filesystem. Model: Linux fs/locks.c (posix_lock_inode, flock_lock_inode,
 * posix_locks_deadlock, lock_get_status); semantics: fcntl(2), flock(2),
 * locks(7).
 *
 * A request that must wait records the held lock in its way (fl_blocker)
 * and sleeps on the inode's flc_wait until a change to that lock clears
 * it (locks_wake_up_blocks); then it tries again, as Linux's
 * do_lock_file_wait. POSIX waiters (not OFD) are also on blocked_list,
 * where the deadlock detector follows "owner waits for lock of owner".
 */
#include <umk/filelock.h>
#include <umk/syscalls.h>
#include <umk/uaccess.h>
#include <string.h>
#include <sys/sysmacros.h>
#include "internal.h"
#include "proc/internal.h"

#define FILE_LOCK_DEFERRED	1
#define MAX_DEADLK_ITERATIONS	10

/* Every held lock, newest first (/proc/locks). */
static LIST_HEAD(file_lock_list);
/* Every waiting POSIX (not OFD) request, for deadlock detection. */
static LIST_HEAD(blocked_list);
static unsigned long file_lock_count;	/* held locks (bounds allocation) */
#define FILE_LOCK_MAX		(1 << 18)	/* then -ENOLCK */

/* The user ABI of struct flock on x86-64 (flock and flock64 are one). */
struct user_flock {
	short l_type;
	short l_whence;
	int64_t l_start;
	int64_t l_len;
	int32_t l_pid;
	int32_t pad;
};

/* --- contexts and lock records --- */

static struct file_lock_context *locks_get_context(struct inode *inode,
						   bool create)
{
	struct file_lock_context *ctx = inode->i_flctx;

	if (ctx || !create)
		return ctx;
	ctx = kzalloc(sizeof(*ctx));
	if (!ctx)
		return NULL;
	INIT_LIST_HEAD(&ctx->flc_posix);
	INIT_LIST_HEAD(&ctx->flc_flock);
	INIT_LIST_HEAD(&ctx->flc_blocked);
	init_waitqueue_head(&ctx->flc_wait);
	inode->i_flctx = ctx;
	return ctx;
}

/* Free inode's context once nothing holds, waits on or sleeps in it. */
static void locks_put_context(struct inode *inode)
{
	struct file_lock_context *ctx = inode->i_flctx;

	if (!ctx || !list_empty(&ctx->flc_posix) ||
	    !list_empty(&ctx->flc_flock) || !list_empty(&ctx->flc_blocked) ||
	    ctx->flc_waiters)
		return;
	inode->i_flctx = NULL;
	kfree(ctx);
}

static struct file_lock *locks_alloc_lock(void)
{
	struct file_lock *fl;

	if (file_lock_count >= FILE_LOCK_MAX)
		return NULL;
	fl = kzalloc(sizeof(*fl));
	if (fl) {
		INIT_LIST_HEAD(&fl->fl_list);
		INIT_LIST_HEAD(&fl->fl_link);
	}
	return fl;
}

/* new takes fl's owner, type and range (not its list places). */
static void locks_copy_lock(struct file_lock *new, const struct file_lock *fl)
{
	new->fl_inode = fl->fl_inode;
	new->fl_owner = fl->fl_owner;
	new->fl_file = fl->fl_file;
	new->fl_pid = fl->fl_pid;
	new->fl_flags = fl->fl_flags & ~FL_SLEEP;
	new->fl_type = fl->fl_type;
	new->fl_start = fl->fl_start;
	new->fl_end = fl->fl_end;
}

/* Wake the requests that wait for fl: it changed or goes away. */
static void locks_wake_up_blocks(struct file_lock *fl)
{
	struct file_lock_context *ctx = fl->fl_inode->i_flctx;
	struct file_lock *w, *n;
	bool woke = false;

	list_for_each_entry_safe(w, n, &ctx->flc_blocked, fl_list) {
		if (w->fl_blocker != fl)
			continue;
		list_del_init(&w->fl_list);
		list_del_init(&w->fl_link);
		w->fl_blocker = NULL;
		woke = true;
	}
	if (woke)
		wake_up(&ctx->flc_wait);
}

/* request waits for blocker (held on the same inode). */
static void locks_insert_block(struct file_lock_context *ctx,
			       struct file_lock *blocker,
			       struct file_lock *request)
{
	request->fl_blocker = blocker;
	list_add_tail(&request->fl_list, &ctx->flc_blocked);
	if ((request->fl_flags & (FL_POSIX | FL_OFDLCK)) == FL_POSIX)
		list_add_tail(&request->fl_link, &blocked_list);
}

static void locks_delete_block(struct file_lock *request)
{
	list_del_init(&request->fl_list);
	list_del_init(&request->fl_link);
	request->fl_blocker = NULL;
}

/* Put fl into a lock list before pos; it is held from now on. */
static void locks_insert_lock(struct file_lock *fl, struct list_head *pos)
{
	static unsigned long next_id;

	fl->fl_id = ++next_id;
	list_add_tail(&fl->fl_list, pos);
	list_add(&fl->fl_link, &file_lock_list);
	file_lock_count++;
}

static void locks_delete_lock(struct file_lock *fl)
{
	locks_wake_up_blocks(fl);
	list_del_init(&fl->fl_list);
	list_del_init(&fl->fl_link);
	file_lock_count--;
	kfree(fl);
}

/* --- conflicts and deadlocks --- */

static bool locks_overlap(const struct file_lock *a, const struct file_lock *b)
{
	return a->fl_end >= b->fl_start && b->fl_end >= a->fl_start;
}

static bool locks_conflict(const struct file_lock *caller,
			   const struct file_lock *sys)
{
	return sys->fl_type == F_WRLCK || caller->fl_type == F_WRLCK;
}

static bool posix_locks_conflict(const struct file_lock *caller,
				 const struct file_lock *sys)
{
	if (caller->fl_owner == sys->fl_owner || !locks_overlap(caller, sys))
		return false;
	return locks_conflict(caller, sys);
}

/* F_GETLK's test: an F_UNLCK probe (F_OFD_GETLK only) finds the caller's
 * own overlapping locks; any other type finds the conflicting ones. */
static bool posix_test_locks_conflict(const struct file_lock *caller,
				      const struct file_lock *sys)
{
	if (caller->fl_type == F_UNLCK)
		return caller->fl_owner == sys->fl_owner &&
		       locks_overlap(caller, sys);
	return posix_locks_conflict(caller, sys);
}

static bool flock_locks_conflict(const struct file_lock *caller,
				 const struct file_lock *sys)
{
	return caller->fl_file != sys->fl_file && locks_conflict(caller, sys);
}

/* The held lock that a request of blocker's owner waits for, or NULL. */
static struct file_lock *what_owner_is_waiting_for(struct file_lock *blocker)
{
	struct file_lock *w;

	list_for_each_entry(w, &blocked_list, fl_link)
		if (w->fl_owner == blocker->fl_owner)
			return w->fl_blocker;
	return NULL;
}

/* Would caller waiting for block_fl close a cycle of POSIX owners?
 * (Linux posix_locks_deadlock: OFD owners are not followed.) */
static bool posix_locks_deadlock(struct file_lock *caller,
				 struct file_lock *block_fl)
{
	int i = 0;

	if (caller->fl_flags & FL_OFDLCK)
		return false;
	while ((block_fl = what_owner_is_waiting_for(block_fl))) {
		if (i++ > MAX_DEADLK_ITERATIONS)
			return false;
		if (caller->fl_owner == block_fl->fl_owner)
			return true;
	}
	return false;
}

/* --- POSIX and OFD locks --- */

/* The first conflicting lock into fl (F_UNLCK there if none). */
static void posix_test_lock(struct inode *inode, struct file_lock *fl)
{
	struct file_lock_context *ctx = inode->i_flctx;
	struct file_lock *cfl;

	if (ctx) {
		list_for_each_entry(cfl, &ctx->flc_posix, fl_list) {
			if (posix_test_locks_conflict(fl, cfl)) {
				locks_copy_lock(fl, cfl);
				return;
			}
		}
	}
	fl->fl_type = F_UNLCK;
}

/*
 * Apply request (a POSIX or OFD lock or unlock) to inode: merge with the
 * owner's adjacent locks of the same type, split and trim the owner's
 * locks of another type, as Linux posix_lock_inode. On a conflict:
 * -EAGAIN, or for FL_SLEEP FILE_LOCK_DEFERRED (request now waits) or
 * -EDEADLK. -ENOLCK without memory.
 */
static int posix_lock_inode(struct inode *inode, struct file_lock *request)
{
	struct file_lock *fl, *new_fl = NULL, *new_fl2 = NULL;
	struct file_lock *left = NULL, *right = NULL;
	struct file_lock_context *ctx;
	struct list_head *pos, *next, *at;
	bool added = false;
	int error;

	ctx = locks_get_context(inode, request->fl_type != F_UNLCK);
	if (!ctx)
		return request->fl_type == F_UNLCK ? 0 : -ENOLCK;
	if (request->fl_type != F_UNLCK || request->fl_start != 0 ||
	    request->fl_end != OFFSET_MAX) {
		new_fl = locks_alloc_lock();
		new_fl2 = locks_alloc_lock();
	}

	if (request->fl_type != F_UNLCK) {
		list_for_each_entry(fl, &ctx->flc_posix, fl_list) {
			if (!posix_locks_conflict(request, fl))
				continue;
			error = -EAGAIN;
			if (!(request->fl_flags & FL_SLEEP))
				goto out;
			error = -EDEADLK;
			if (!posix_locks_deadlock(request, fl)) {
				error = FILE_LOCK_DEFERRED;
				locks_insert_block(ctx, fl, request);
			}
			goto out;
		}
	}

	/* The owner's locks are together in the list, sorted by start. */
	for (pos = ctx->flc_posix.next; pos != &ctx->flc_posix; pos = pos->next)
		if (list_entry(pos, struct file_lock, fl_list)->fl_owner ==
		    request->fl_owner)
			break;
	for (; pos != &ctx->flc_posix; pos = next) {
		next = pos->next;
		fl = list_entry(pos, struct file_lock, fl_list);
		if (fl->fl_owner != request->fl_owner)
			break;
		if (request->fl_type == fl->fl_type) {
			/* start - 1, never end + 1: end may be OFFSET_MAX. */
			if (fl->fl_end < request->fl_start - 1)
				continue;
			if (fl->fl_start - 1 > request->fl_end)
				break;
			if (fl->fl_start > request->fl_start)
				fl->fl_start = request->fl_start;
			else
				request->fl_start = fl->fl_start;
			if (fl->fl_end < request->fl_end)
				fl->fl_end = request->fl_end;
			else
				request->fl_end = fl->fl_end;
			if (added) {
				locks_delete_lock(fl);
				continue;
			}
			request = fl;
			added = true;
		} else {
			if (fl->fl_end < request->fl_start)
				continue;
			if (fl->fl_start > request->fl_end)
				break;
			if (request->fl_type == F_UNLCK)
				added = true;
			if (fl->fl_start < request->fl_start)
				left = fl;
			if (fl->fl_end > request->fl_end) {
				right = fl;
				break;
			}
			if (fl->fl_start >= request->fl_start) {
				/* The new lock replaces fl entirely. */
				if (added) {
					locks_delete_lock(fl);
					continue;
				}
				error = -ENOLCK;
				if (!new_fl)
					goto out;
				locks_copy_lock(new_fl, request);
				request = new_fl;
				new_fl = NULL;
				locks_insert_lock(request, &fl->fl_list);
				locks_delete_lock(fl);
				added = true;
			}
		}
	}

	error = -ENOLCK;
	if (right && left == right && !new_fl2)
		goto out;
	error = 0;
	at = pos;
	if (!added) {
		if (request->fl_type == F_UNLCK)
			goto out;
		error = -ENOLCK;
		if (!new_fl)
			goto out;
		error = 0;
		locks_copy_lock(new_fl, request);
		locks_insert_lock(new_fl, pos);
		at = &new_fl->fl_list;
		request = new_fl;
		new_fl = NULL;
	}
	if (right) {
		if (left == right) {
			/* request splits one old lock in two. */
			left = new_fl2;
			new_fl2 = NULL;
			locks_copy_lock(left, right);
			locks_insert_lock(left, at);
		}
		right->fl_start = request->fl_end + 1;
		locks_wake_up_blocks(right);
	}
	if (left) {
		left->fl_end = request->fl_start - 1;
		locks_wake_up_blocks(left);
	}
out:
	kfree(new_fl);
	kfree(new_fl2);
	locks_put_context(inode);
	return error;
}

/* --- flock locks --- */

/*
 * Apply a flock request to inode (Linux flock_lock_inode): the file's old
 * lock goes first (so a conversion can lose it, as on Linux), then a
 * conflict gives -EAGAIN or, with FL_SLEEP, FILE_LOCK_DEFERRED.
 */
static int flock_lock_inode(struct inode *inode, struct file_lock *request)
{
	struct file_lock_context *ctx;
	struct file_lock *fl, *new_fl = NULL;
	int error = 0;

	ctx = locks_get_context(inode, request->fl_type != F_UNLCK);
	if (!ctx)
		return request->fl_type == F_UNLCK ? 0 : -ENOLCK;
	if (request->fl_type != F_UNLCK) {
		new_fl = locks_alloc_lock();
		if (!new_fl) {
			error = -ENOLCK;
			goto out;
		}
	}
	list_for_each_entry(fl, &ctx->flc_flock, fl_list) {
		if (request->fl_file != fl->fl_file)
			continue;
		if (request->fl_type == fl->fl_type)
			goto out;
		locks_delete_lock(fl);
		break;
	}
	if (request->fl_type == F_UNLCK)
		goto out;
	list_for_each_entry(fl, &ctx->flc_flock, fl_list) {
		if (!flock_locks_conflict(request, fl))
			continue;
		error = -EAGAIN;
		if (request->fl_flags & FL_SLEEP) {
			error = FILE_LOCK_DEFERRED;
			locks_insert_block(ctx, fl, request);
		}
		goto out;
	}
	locks_copy_lock(new_fl, request);
	locks_insert_lock(new_fl, &ctx->flc_flock);
	new_fl = NULL;
out:
	kfree(new_fl);
	locks_put_context(inode);
	return error;
}

/*
 * Take request on inode, sleeping while it is deferred (Linux
 * do_lock_file_wait): 0, -errno, or -ERESTARTSYS on a signal.
 */
static int lock_file_wait(struct inode *inode, struct file_lock *request)
{
	struct file_lock_context *ctx;
	int error;

	for (;;) {
		if (request->fl_flags & FL_FLOCK)
			error = flock_lock_inode(inode, request);
		else
			error = posix_lock_inode(inode, request);
		if (error != FILE_LOCK_DEFERRED)
			return error;
		ctx = inode->i_flctx;
		ctx->flc_waiters++;
		error = wait_event_interruptible(ctx->flc_wait,
						 !request->fl_blocker);
		ctx->flc_waiters--;
		if (error) {
			locks_delete_block(request);
			locks_put_context(inode);
			return error;
		}
	}
}

/* --- fcntl and flock --- */

/* struct flock -> a POSIX lock of f (Linux flock64_to_posix_lock). */
static int flock_to_posix_lock(struct file *f, struct file_lock *fl,
			       const struct user_flock *l)
{
	memset(fl, 0, sizeof(*fl));
	INIT_LIST_HEAD(&fl->fl_list);
	INIT_LIST_HEAD(&fl->fl_link);
	switch (l->l_whence) {
	case SEEK_SET:
		fl->fl_start = 0;
		break;
	case SEEK_CUR:
		fl->fl_start = f->f_pos;
		break;
	case SEEK_END:
		fl->fl_start = f->f_inode->i_size;
		break;
	default:
		return -EINVAL;
	}
	if (l->l_start > OFFSET_MAX - fl->fl_start)
		return -EOVERFLOW;
	fl->fl_start += l->l_start;
	if (fl->fl_start < 0)
		return -EINVAL;
	if (l->l_len > 0) {
		if (l->l_len - 1 > OFFSET_MAX - fl->fl_start)
			return -EOVERFLOW;
		fl->fl_end = fl->fl_start + (l->l_len - 1);
	} else if (l->l_len < 0) {
		if (fl->fl_start + l->l_len < 0)
			return -EINVAL;
		fl->fl_end = fl->fl_start - 1;
		fl->fl_start += l->l_len;
	} else {
		fl->fl_end = OFFSET_MAX;
	}
	fl->fl_inode = f->f_inode;
	fl->fl_owner = current->files;
	fl->fl_pid = current->tgid;
	fl->fl_file = f;
	fl->fl_flags = FL_POSIX;
	if (l->l_type != F_RDLCK && l->l_type != F_WRLCK &&
	    l->l_type != F_UNLCK)
		return -EINVAL;
	fl->fl_type = l->l_type;
	return 0;
}

/* F_GETLK / F_OFD_GETLK on *l (Linux fcntl_getlk). */
static int fcntl_getlk(struct file *f, unsigned int cmd, struct user_flock *l)
{
	struct file_lock fl;
	int error;

	if (cmd != F_OFD_GETLK && l->l_type != F_RDLCK && l->l_type != F_WRLCK)
		return -EINVAL;
	error = flock_to_posix_lock(f, &fl, l);
	if (error)
		return error;
	if (cmd == F_OFD_GETLK) {
		if (l->l_pid != 0)
			return -EINVAL;
		fl.fl_flags |= FL_OFDLCK;
		fl.fl_owner = f;
	}
	posix_test_lock(f->f_inode, &fl);
	l->l_type = fl.fl_type;
	if (fl.fl_type != F_UNLCK) {
		l->l_pid = (fl.fl_flags & FL_OFDLCK) ? -1 : fl.fl_pid;
		l->l_start = fl.fl_start;
		l->l_len = fl.fl_end == OFFSET_MAX ? 0 :
			   fl.fl_end - fl.fl_start + 1;
		l->l_whence = SEEK_SET;
	}
	return 0;
}

/* F_SETLK(W) / F_OFD_SETLK(W) (Linux fcntl_setlk). */
static int fcntl_setlk(struct file *f, unsigned int cmd,
		       const struct user_flock *l)
{
	struct file_lock fl;
	int error;

	error = flock_to_posix_lock(f, &fl, l);
	if (error)
		return error;
	if ((fl.fl_type == F_RDLCK && !(f->f_mode & FMODE_READ)) ||
	    (fl.fl_type == F_WRLCK && !(f->f_mode & FMODE_WRITE)))
		return -EBADF;
	if (cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW) {
		if (l->l_pid != 0)
			return -EINVAL;
		fl.fl_flags |= FL_OFDLCK;
		fl.fl_owner = f;
	}
	if (cmd == F_SETLKW || cmd == F_OFD_SETLKW)
		fl.fl_flags |= FL_SLEEP;
	return lock_file_wait(f->f_inode, &fl);
}

long fcntl_lock(struct file *f, unsigned int cmd, struct uptr arg)
{
	struct user_flock l;
	long error;

	if (copy_from_user(&l, arg, sizeof(l)))
		return -EFAULT;
	if (cmd == F_GETLK || cmd == F_OFD_GETLK) {
		error = fcntl_getlk(f, cmd, &l);
		if (!error && copy_to_user(arg, &l, sizeof(l)))
			return -EFAULT;
		return error;
	}
	return fcntl_setlk(f, cmd, &l);
}

SYSCALL_DEFINE2(flock, unsigned int, fd, unsigned int, cmd)
{
	struct file_lock fl = { .fl_flags = FL_FLOCK };
	struct file *f;
	long error;

	if (cmd & LOCK_MAND)
		return 0;	/* ignored since Linux 5.18 */
	switch (cmd & ~LOCK_NB) {
	case LOCK_SH:
		fl.fl_type = F_RDLCK;
		break;
	case LOCK_EX:
		fl.fl_type = F_WRLCK;
		break;
	case LOCK_UN:
		fl.fl_type = F_UNLCK;
		break;
	default:
		return -EINVAL;
	}
	f = fget_no_path(fd);
	if (!f)
		return -EBADF;
	error = -EBADF;
	if (fl.fl_type != F_UNLCK && !(f->f_mode & (FMODE_READ | FMODE_WRITE)))
		goto out_put_file;
	INIT_LIST_HEAD(&fl.fl_list);
	INIT_LIST_HEAD(&fl.fl_link);
	fl.fl_inode = f->f_inode;
	fl.fl_owner = f;
	fl.fl_file = f;
	fl.fl_pid = current->tgid;
	fl.fl_end = OFFSET_MAX;
	if (!(cmd & LOCK_NB))
		fl.fl_flags |= FL_SLEEP;
	error = lock_file_wait(f->f_inode, &fl);
out_put_file:
	fput(f);
	return error;
}

/* --- release at close --- */

void locks_remove_posix(struct file *f, void *owner)
{
	struct file_lock fl = {
		.fl_inode = f->f_inode, .fl_owner = owner, .fl_file = f,
		.fl_flags = FL_POSIX, .fl_type = F_UNLCK,
		.fl_start = 0, .fl_end = OFFSET_MAX,
	};
	struct file_lock_context *ctx = f->f_inode->i_flctx;

	if (!ctx || list_empty(&ctx->flc_posix))
		return;
	INIT_LIST_HEAD(&fl.fl_list);
	INIT_LIST_HEAD(&fl.fl_link);
	posix_lock_inode(f->f_inode, &fl);
}

void locks_remove_file(struct file *f)
{
	struct inode *inode = f->f_inode;
	struct file_lock_context *ctx = inode ? inode->i_flctx : NULL;
	struct file_lock *fl, *n;

	if (!ctx)
		return;
	locks_remove_posix(f, f);
	ctx = inode->i_flctx;
	if (!ctx)
		return;
	/* flock locks, and POSIX locks whose owner never closed f here. */
	list_for_each_entry_safe(fl, n, &ctx->flc_flock, fl_list)
		if (fl->fl_file == f)
			locks_delete_lock(fl);
	list_for_each_entry_safe(fl, n, &ctx->flc_posix, fl_list)
		if (fl->fl_file == f)
			locks_delete_lock(fl);
	locks_put_context(inode);
}

/* --- /proc/locks --- */

static void lock_get_status(struct seq_buf *m, const struct file_lock *fl,
			    unsigned long id, const char *pfx)
{
	struct inode *inode = fl->fl_inode;
	dev_t dev = inode->i_sb->s_dev;
	bool ofd = fl->fl_flags & FL_OFDLCK;

	seq_printf(m, "%lu: %s", id, pfx);
	if (fl->fl_flags & FL_POSIX)
		seq_printf(m, "%s ADVISORY  ", ofd ? "OFDLCK" : "POSIX ");
	else
		seq_puts(m, "FLOCK  ADVISORY  ");
	seq_printf(m, "%s ", fl->fl_type == F_WRLCK ? "WRITE" :
			     fl->fl_type == F_RDLCK ? "READ" : "UNLCK");
	seq_printf(m, "%d %02x:%02x:%lu ", ofd ? -1 : fl->fl_pid,
		   major(dev), minor(dev), inode->i_ino);
	if (!(fl->fl_flags & FL_POSIX))
		seq_puts(m, "0 EOF\n");
	else if (fl->fl_end == OFFSET_MAX)
		seq_printf(m, "%lld EOF\n", (long long)fl->fl_start);
	else
		seq_printf(m, "%lld %lld\n", (long long)fl->fl_start,
			   (long long)fl->fl_end);
}

/* Every held lock, numbered from 1, each followed by its waiters ("-> "),
 * in Linux's /proc/locks format. */
int proc_locks_show(struct seq_buf *m, struct proc_inode *pi,
		    struct task *task)
{
	struct file_lock *fl, *w;
	unsigned long id = 0;

	list_for_each_entry(fl, &file_lock_list, fl_link) {
		id++;
		lock_get_status(m, fl, id, "");
		list_for_each_entry(w, &fl->fl_inode->i_flctx->flc_blocked,
				    fl_list)
			if (w->fl_blocker == fl)
				lock_get_status(m, w, id, "-> ");
	}
	return m->err;
}
