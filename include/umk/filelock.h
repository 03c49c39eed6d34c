/*
 * Advisory file locks (kernel/fs/locks.c): POSIX record locks (fcntl
 * F_SETLK...), open file description locks (F_OFD_SETLK...) and BSD
 * flock(2) locks, kept per inode on every filesystem, as locks(7) and
 * Linux fs/locks.c, include/linux/filelock.h.
 *
 * Owners: a POSIX lock belongs to the fd table (struct files_struct) of
 * the process that took it and goes at any close of the inode by that
 * table (filp_close) or at exit; an OFD or flock lock belongs to its open
 * file description and goes at its last fput (locks_remove_file).
 */
#ifndef UMK_FILELOCK_H
#define UMK_FILELOCK_H

#include <umk/fs.h>

#define FL_POSIX	0x1
#define FL_FLOCK	0x2
#define FL_SLEEP	0x80	/* the request may wait (F_SETLKW, no LOCK_NB) */
#define FL_OFDLCK	0x400	/* POSIX range lock owned by the file */

#define OFFSET_MAX	INT64_MAX

/* A held lock, or a request (on the stack of its caller while it waits). */
struct file_lock {
	struct list_head fl_list;	/* held: ctx->flc_posix / flc_flock */
	struct list_head fl_link;	/* held: file_lock_list (/proc/locks);
					 * waiting: blocked_list */
	struct file_lock *fl_blocker;	/* waiting: the held lock in the way */
	struct inode *fl_inode;		/* the inode it locks */
	void *fl_owner;			/* files_struct (POSIX) or file */
	struct file *fl_file;		/* the file it was taken through */
	pid_t fl_pid;			/* tgid of the taker (/proc/locks) */
	unsigned int fl_flags;		/* FL_* */
	int fl_type;			/* F_RDLCK, F_WRLCK, F_UNLCK */
	loff_t fl_start, fl_end;	/* bytes, inclusive; OFFSET_MAX = EOF */
	unsigned long fl_id;		/* /proc/locks order number */
};

/* inode->i_flctx: the locks of one inode; freed once it holds none. */
struct file_lock_context {
	struct list_head flc_posix;	/* POSIX and OFD locks, by owner */
	struct list_head flc_flock;	/* flock locks */
	struct list_head flc_blocked;	/* waiting requests (by fl_list) */
	struct wait_queue_head flc_wait;	/* requests waiting on them */
	int flc_waiters;		/* requests sleeping on flc_wait */
};

/*
 * fcntl lock commands (F_GETLK, F_SETLK, F_SETLKW and the F_OFD_ ones) on
 * f through fd, with arg the guest's struct flock. 0 or -errno: -EFAULT,
 * -EINVAL (l_type, l_whence, range before 0, l_pid != 0 for OFD),
 * -EOVERFLOW (range past OFFSET_MAX), -EBADF (lock type the open mode
 * forbids), -EAGAIN (F_SETLK conflict), -EDEADLK (F_SETLKW would
 * deadlock), -ERESTARTSYS (F_SETLKW interrupted), -ENOLCK (no memory).
 */
long fcntl_lock(struct file *f, unsigned int cmd, struct uptr arg);

/* The POSIX locks owner holds on f's inode go (every close of an fd). */
void locks_remove_posix(struct file *f, void *owner);
/* The OFD and flock locks of f (and any POSIX lock taken through it) go:
 * the last reference to f is being dropped. */
void locks_remove_file(struct file *f);

/* Close one fd table reference to f (Linux filp_close): the POSIX locks
 * of files on its inode go, then the reference (open.c). */
void filp_close(struct file *f, struct files_struct *files);

#endif
