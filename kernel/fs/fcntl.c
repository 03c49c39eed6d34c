/*
 * fcntl(2): descriptor flags, file status flags, the O_ASYNC owner and
 * signal, duplication. Record locks and leases are not implemented: every
 * lock command is -ENOLCK (no lock can ever exist, so none is reported).
 * Model: Linux fs/fcntl.c.
 */
#include <umk/fs.h>
#include <umk/syscalls.h>
#include <umk/uaccess.h>
#include "internal.h"

#ifndef F_OWNER_TID
#define F_OWNER_TID	0
#define F_OWNER_PID	1
#define F_OWNER_PGRP	2
#endif

/* The status flags F_SETFL may change (Linux SETFL_MASK). */
#define SETFL_MASK (O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME)

/* kernel/fs/pipe.c: the buffer size of a pipe or FIFO file, or -EBADF. */
long pipe_fcntl_size(struct file *f);

struct fdtable_entry *fd_entry(int fd)
{
	struct files_struct *files = current->files;

	if (fd < 0 || !files || fd >= files->max_fds || !files->fd[fd].file)
		return NULL;
	return &files->fd[fd];
}

static long setfl(struct file *f, unsigned long arg)
{
	if ((arg & O_NOATIME) && !(f->f_flags & O_NOATIME) &&
	    !inode_owner_or_capable(f->f_inode))
		return -EPERM;
	f->f_flags = (arg & SETFL_MASK) | (f->f_flags & ~SETFL_MASK);
	return 0;
}

static long f_setown(struct file *f, pid_t who)
{
	if (who > 0 && !find_task_by_pid(who))
		return -ESRCH;
	f->f_owner = who;
	return 0;
}

static long f_getown_ex(struct file *f, struct uptr arg)
{
	struct f_owner_ex owner = { .type = F_OWNER_PID, .pid = f->f_owner };

	if (f->f_owner < 0) {
		owner.type = F_OWNER_PGRP;
		owner.pid = -f->f_owner;
	}
	if (copy_to_user(arg, &owner, sizeof(owner)))
		return -EFAULT;
	return 0;
}

static long f_setown_ex(struct file *f, struct uptr arg)
{
	struct f_owner_ex owner;

	if (copy_from_user(&owner, arg, sizeof(owner)))
		return -EFAULT;
	switch (owner.type) {
	case F_OWNER_TID:
	case F_OWNER_PID:
		return f_setown(f, owner.pid);
	case F_OWNER_PGRP:
		return f_setown(f, -owner.pid);
	default:
		return -EINVAL;
	}
}

static long dupfd(struct file *f, unsigned long minfd, bool cloexec)
{
	if (minfd >= current->signal->rlim[RLIMIT_NOFILE].rlim_cur)
		return -EINVAL;
	return get_unused_fd_install(get_file(f), minfd, cloexec);
}

/*
 * F_SETPIPE_SZ: umk's pipes have one fixed size, so a request up to it is
 * met (the size, at least arg, is returned) and a larger one is -EINVAL.
 */
static long pipe_setsize(struct file *f, unsigned long arg)
{
	long size = pipe_fcntl_size(f);

	if (size < 0)
		return size;
	if (arg > (unsigned long)size)
		return -EINVAL;
	return size;
}

/* Commands an O_PATH descriptor accepts (Linux check_fcntl_cmd). */
static bool path_fcntl_cmd(unsigned int cmd)
{
	return cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC || cmd == F_GETFD ||
	       cmd == F_SETFD || cmd == F_GETFL;
}

static long do_fcntl(unsigned int fd, unsigned int cmd, unsigned long arg,
		     struct file *f)
{
	struct fdtable_entry *e;

	switch (cmd) {
	case F_DUPFD:
		return dupfd(f, arg, false);
	case F_DUPFD_CLOEXEC:
		return dupfd(f, arg, true);
	case F_GETFD:
		e = fd_entry(fd);
		return e && e->cloexec ? FD_CLOEXEC : 0;
	case F_SETFD:
		e = fd_entry(fd);
		if (e)
			e->cloexec = arg & FD_CLOEXEC;
		return 0;
	case F_GETFL:
		return f->f_flags;
	case F_SETFL:
		return setfl(f, arg);
	case F_GETOWN:
		return f->f_owner;
	case F_SETOWN:
		return f_setown(f, (pid_t)arg);
	case F_GETOWN_EX:
		return f_getown_ex(f, UPTR(arg));
	case F_SETOWN_EX:
		return f_setown_ex(f, UPTR(arg));
	case F_GETSIG:
		return f->f_owner_sig;
	case F_SETSIG:
		if (arg > KSIGNAL_MAX)
			return -EINVAL;
		f->f_owner_sig = arg;
		return 0;
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_GETLK:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		return -ENOLCK;
	case F_GETLEASE:
		return F_UNLCK;
	case F_GETPIPE_SZ:
		return pipe_fcntl_size(f);
	case F_SETPIPE_SZ:
		return pipe_setsize(f, arg);
	default:
		return -EINVAL;
	}
}

long sys_fcntl(unsigned int fd, unsigned int cmd, unsigned long arg)
{
	struct file *f = fget(fd);
	long ret;

	if (!f)
		return -EBADF;
	if ((f->f_flags & O_PATH) && !path_fcntl_cmd(cmd))
		ret = -EBADF;
	else
		ret = do_fcntl(fd, cmd, arg, f);
	fput(f);
	return ret;
}
