/*
 * fcntl(2): descriptor flags, file status flags, the O_ASYNC owner and
 * signal and the SIGIO it gets (fasync lists, kill_fasync), duplication.
 * Record locks are kernel/fs/locks.c's; leases are not implemented
 * (F_GETLEASE reports none, F_SETLEASE is -EINVAL).
 * Model: Linux fs/fcntl.c.
 */
#include <umk/fs.h>
#include <umk/syscalls.h>
#include <umk/uaccess.h>
#include <umk/fasync.h>
#include <umk/filelock.h>
#include <umk/signal_internal.h>
#include <string.h>
#include "internal.h"

#ifndef F_OWNER_TID
#define F_OWNER_TID	0
#define F_OWNER_PID	1
#define F_OWNER_PGRP	2
#endif

/* The status flags F_SETFL may change (Linux SETFL_MASK). */
#define SETFL_MASK (O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME)

/* kernel/fs/pipe.c: the buffer size of a pipe or FIFO file, or -EBADF. */

struct fdtable_entry *fd_entry(int fd)
{
	struct files_struct *files = current->files;

	if (fd < 0 || !files || fd >= files->max_fds || !files->fd[fd].file)
		return NULL;
	return &files->fd[fd];
}

int fasync_helper(int fd, struct file *file, int on, struct fasync_struct **fapp)
{
	struct fasync_struct **pp, *fa;

	for (pp = fapp; *pp; pp = &(*pp)->fa_next) {
		if ((*pp)->fa_file != file)
			continue;
		if (on) {
			(*pp)->fa_fd = fd;
			return 0;
		}
		fa = *pp;
		*pp = fa->fa_next;
		kfree(fa);
		return 1;
	}
	if (!on)
		return 0;
	fa = kzalloc(sizeof(*fa));
	if (!fa)
		return -ENOMEM;
	fa->fa_fd = fd;
	fa->fa_file = file;
	fa->fa_next = *fapp;
	*fapp = fa;
	return 1;
}

/* si_band for each POLL_* reason (Linux band_table). */
static const long band_table[] = {
	[POLL_IN] = POLLIN | POLLRDNORM,
	[POLL_OUT] = POLLOUT | POLLWRNORM | POLLWRBAND,
	[POLL_MSG] = POLLIN | POLLRDNORM | POLLMSG,
	[POLL_ERR] = POLLERR,
	[POLL_PRI] = POLLPRI | POLLRDBAND,
	[POLL_HUP] = POLLHUP | POLLERR,
};

/* May the credentials that set f's owner signal t (Linux sigio_perm)? */
static bool sigio_perm(const struct task *t, const struct file *f)
{
	const struct cred *c = t->cred;

	return f->f_owner_euid == 0 || f->f_owner_euid == c->suid ||
	       f->f_owner_euid == c->uid || f->f_owner_uid == c->suid ||
	       f->f_owner_uid == c->uid;
}

/* One process t: the owner's F_SETSIG signal with si_fd and si_band, or
 * plain SIGIO (Linux send_sigio_to_task). */
static void send_sigio_to_task(struct task *t, const struct file *f, int fd,
			       int reason)
{
	siginfo_t info = { .si_signo = SIGIO, .si_code = SI_KERNEL };
	int sig = f->f_owner_sig;

	if (!sigio_perm(t, f))
		return;

	if (sig) {
		memset(&info, 0, sizeof(info));
		info.si_signo = sig;
		info.si_code = reason;
		info.si_band = reason >= POLL_IN && reason <= POLL_HUP ?
			       band_table[reason] : ~0L;
		info.si_fd = fd;
		if (send_sig_info(sig, &info, t, true) == 0)
			return;
		info = (siginfo_t){ .si_signo = SIGIO, .si_code = SI_KERNEL };
	}
	send_sig_info(SIGIO, &info, t, true);
}

/* Signal the owner of f: a process (f_owner > 0) or a process group. */
static void send_sigio(const struct file *f, int fd, int reason)
{
	struct task *t, *n;
	pid_t who = f->f_owner;

	if (!who)
		return;
	list_for_each_entry_safe(t, n, &task_list, tasks) {
		if (!thread_group_leader(t) || !task_alive(t) || t->zombie)
			continue;
		if (who > 0 ? t->tgid == who : t->signal->pgrp == -who)
			send_sigio_to_task(t, f, fd, reason);
	}
}

void kill_fasync(struct fasync_struct **fapp, int sig, int band)
{
	for (struct fasync_struct *fa = *fapp; fa; fa = fa->fa_next)
		if (!(sig == SIGURG && fa->fa_file->f_owner_sig == 0))
			send_sigio(fa->fa_file, fa->fa_fd, band);
}

int file_set_async(struct file *f, int fd, bool on)
{
	int err;

	if (on == !!(f->f_flags & O_ASYNC))
		return 0;
	if (f->f_op && f->f_op->fasync) {
		err = f->f_op->fasync(fd, f, on);
		if (err < 0)
			return err;
	}
	if (on)
		f->f_flags |= O_ASYNC;
	else
		f->f_flags &= ~O_ASYNC;
	return 0;
}

static long setfl(struct file *f, int fd, unsigned long arg)
{
	int err;

	if ((arg & O_NOATIME) && !(f->f_flags & O_NOATIME) &&
	    !inode_owner_or_capable(f->f_inode))
		return -EPERM;
	err = file_set_async(f, fd, arg & O_ASYNC);
	if (err)
		return err;
	f->f_flags = (arg & SETFL_MASK) | (f->f_flags & ~SETFL_MASK);
	return 0;
}

/* Is nr in use as a pid, process group or session (Linux find_vpid)? */
static bool pid_nr_exists(pid_t nr)
{
	struct task *t;

	list_for_each_entry(t, &task_list, tasks)
		if (t->pid == nr || t->signal->pgrp == nr ||
		    t->signal->session == nr)
			return true;
	return false;
}

/* F_SETOWN: who > 0 a process, < 0 a process group, 0 nobody. */
static long f_setown(struct file *f, pid_t who)
{
	if (who == INT32_MIN)
		return -EINVAL;
	if (who && !pid_nr_exists(who < 0 ? -who : who))
		return -ESRCH;
	f_modown(f, who);
	return 0;
}

void f_modown(struct file *f, pid_t who)
{
	f->f_owner = who;
	f->f_owner_uid = current->cred->uid;
	f->f_owner_euid = current->cred->euid;
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
		return setfl(f, fd, arg);
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
		return fcntl_lock(f, cmd, UPTR(arg));
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

SYSCALL_DEFINE3(fcntl, unsigned int, fd, unsigned int, cmd, unsigned long, arg)
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
