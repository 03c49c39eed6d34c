/*
 * process_vm_readv(2) and process_vm_writev(2): bytes between the calling
 * process's iovecs and another process's, checked as ptrace access
 * (PTRACE_MODE_ATTACH_REALCREDS) and never forced into pages the target
 * could not touch itself; the stub's pages are out of reach. Semantics:
 * Linux mm/process_vm_access.c.
 */
#include <umk/ptrace.h>
#include <umk/syscalls.h>
#include <umk/uaccess.h>
#include <limits.h>
#include <sys/uio.h>

#define VM_CHUNK	(64UL << 10)	/* the bounce buffer */
#ifndef UIO_MAXIOV
#define UIO_MAXIOV	1024
#endif

struct iov_iter {
	struct iovec *iov;
	unsigned long nr, idx;
	size_t off;		/* into iov[idx] */
};

/* The next piece of at most max bytes of it: its address and length;
 * false at the end. */
static bool iov_next(struct iov_iter *it, size_t max, unsigned long *addr,
		     size_t *len)
{
	while (it->idx < it->nr && it->off == it->iov[it->idx].iov_len) {
		it->idx++;
		it->off = 0;
	}
	if (it->idx >= it->nr)
		return false;
	*addr = (unsigned long)it->iov[it->idx].iov_base + it->off;
	*len = min(max, it->iov[it->idx].iov_len - it->off);
	return true;
}

/* Copy in an iovec array of nr entries whose total fits ssize_t. */
static struct iovec *import_iov(struct uptr uvec, unsigned long nr, long *err)
{
	struct iovec *iov;
	size_t total = 0;

	*err = 0;
	if (nr == 0)
		return NULL;
	iov = kmalloc(nr * sizeof(*iov));
	if (!iov) {
		*err = -ENOMEM;
		return NULL;
	}
	if (copy_from_user(iov, uvec, nr * sizeof(*iov))) {
		*err = -EFAULT;
		goto bad;
	}
	for (unsigned long i = 0; i < nr; i++) {
		if ((ssize_t)iov[i].iov_len < 0 ||
		    total + iov[i].iov_len > (size_t)SSIZE_MAX) {
			*err = -EINVAL;
			goto bad;
		}
		total += iov[i].iov_len;
	}
	return iov;
bad:
	kfree(iov);
	return NULL;
}

/*
 * Move bytes between current's local iovecs and the remote ones of pid,
 * without forcing into pages the target could not access itself (Linux
 * mm/process_vm_access.c). Returns the bytes moved, or -errno when none
 * was: -ESRCH, -EPERM (ptrace access), -EFAULT, -EINVAL, -ENOMEM.
 */
static long process_vm_rw(pid_t pid, struct uptr lvec, unsigned long liovcnt,
			  struct uptr rvec, unsigned long riovcnt,
			  unsigned long flags, bool write)
{
	struct iov_iter l = { 0 }, r = { 0 };
	struct task *t;
	char *buf = NULL;
	long err, done = 0;

	if (flags)
		return -EINVAL;
	if (liovcnt > UIO_MAXIOV || riovcnt > UIO_MAXIOV)
		return -EINVAL;
	l.iov = import_iov(lvec, liovcnt, &err);
	l.nr = liovcnt;
	if (err)
		return err;
	r.iov = import_iov(rvec, riovcnt, &err);
	r.nr = riovcnt;
	if (err)
		goto out;
	if (!liovcnt || !riovcnt)
		goto out;
	err = -ESRCH;
	t = pid > 0 ? find_task_by_pid(pid) : NULL;
	if (!t || !t->mm)
		goto out;
	err = -EPERM;
	if (!ptrace_may_access(t, PTRACE_MODE_ATTACH | PTRACE_MODE_REALCREDS))
		goto out;
	err = -ENOMEM;
	buf = kmalloc(VM_CHUNK);
	if (!buf)
		goto out;
	err = 0;
	for (;;) {
		unsigned long la, ra;
		size_t ll, rl, n;
		long got;

		if (!iov_next(&l, VM_CHUNK, &la, &ll) ||
		    !iov_next(&r, VM_CHUNK, &ra, &rl))
			break;
		n = min(ll, rl);
		if (write) {
			if (copy_from_user(buf, UPTR(la), n)) {
				err = -EFAULT;
				break;
			}
			got = access_remote_vm_noforce(t->mm, ra, buf, n, true);
		} else {
			got = access_remote_vm_noforce(t->mm, ra, buf, n, false);
			if (got > 0 && copy_to_user(UPTR(la), buf, got)) {
				err = -EFAULT;
				break;
			}
		}
		if (got <= 0) {
			err = got < 0 && got != -EFAULT ? got : -EFAULT;
			break;
		}
		done += got;
		l.off += got;
		r.off += got;
		if ((size_t)got < n) {
			err = -EFAULT;
			break;
		}
	}
out:
	kfree(buf);
	kfree(l.iov);
	kfree(r.iov);
	return done ? done : err;
}

SYSCALL_DEFINE6(process_vm_readv, pid_t, pid, struct uptr, lvec, unsigned long, liovcnt, struct uptr, rvec, unsigned long, riovcnt, unsigned long, flags)
{
	return process_vm_rw(pid, lvec, liovcnt, rvec, riovcnt, flags, false);
}

SYSCALL_DEFINE6(process_vm_writev, pid_t, pid, struct uptr, lvec, unsigned long, liovcnt, struct uptr, rvec, unsigned long, riovcnt, unsigned long, flags)
{
	return process_vm_rw(pid, lvec, liovcnt, rvec, riovcnt, flags, true);
}
