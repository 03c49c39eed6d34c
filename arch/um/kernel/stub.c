/*
 * The kernel's side of the stub (arch/um/include/stub.h): host system calls
 * run inside a task on the kernel's behalf, batches through the read-only
 * request page (one per address space, so one batch at a time per mm), and
 * the fd channel that lets a task map a memfd of umk's (a page cache, a
 * shared memory segment) without a host path lookup: umk sends the fd with
 * SCM_RIGHTS, the stub receives it, and the kernel checks with kcmp that
 * the fd the stub reports is the one it sent before the task maps it.
 */
#include <umk/sched.h>
#include <umk/mm.h>
#include <umk/signal_internal.h>
#include <mode.h>
#include <stub.h>
#include <os.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/mman.h>
#include <sys/syscall.h>

int stub_memfd = -1;		/* the stub binary, for fresh address spaces */
static int channel[2] = { -1, -1 };	/* umk's end, the guests' end */
/* One fd in flight at a time: the channel is shared by every process. */
static struct mutex channel_lock = {
	.wait = WAIT_QUEUE_HEAD_INIT(channel_lock.wait),
};

int stub_init(const void *image, size_t len)
{
	int err;

	stub_memfd = os_create_stub_memfd(image, len);
	if (stub_memfd < 0)
		return stub_memfd;
	err = os_fd_channel(channel);
	return err < 0 ? err : 0;
}

int stub_channel_guest_fd(void)
{
	return channel[1];
}

long host_syscall(struct task *t, long nr, long a0, long a1, long a2,
		  long a3, long a4, long a5)
{
	unsigned long args[6] = { a0, a1, a2, a3, a4, a5 };

	return um_mode->host_call(t, nr, args, false);
}

long host_syscall_interruptible(struct task *t, long nr, long a0, long a1,
				long a2, long a3, long a4, long a5)
{
	unsigned long args[6] = { a0, a1, a2, a3, a4, a5 };

	return um_mode->host_call(t, nr, args, true);
}

long host_batch(struct task *t, const struct stub_batch *b, long *last)
{
	long n;

	mutex_lock(&t->mm->stub_lock);
	n = um_mode->host_batch(t, b, last);
	mutex_unlock(&t->mm->stub_lock);
	return n;
}

/* The fd number the stub's recvmsg reported in STUB_RW (guest-writable:
 * only a hint, checked with kcmp by the caller), or -1. */
static int received_fd(struct task *t)
{
	char ctl[CMSG_SPACE(sizeof(int))];
	struct cmsghdr *cm = (struct cmsghdr *)ctl;
	int fd;

	if (os_vm_read(t->mm->host_pid, STUB_RW_ADDR(buf) + 64, ctl,
		       sizeof(ctl)) != sizeof(ctl))
		return -1;
	if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS ||
	    cm->cmsg_len != CMSG_LEN(sizeof(int)))
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(fd));
	return fd;
}

/*
 * Set up the stub's receipt of an fd from the channel: recvmsg writes into
 * its msghdr, so that and its buffers live in STUB_RW (where the guest
 * could rewrite them: at worst the report is wrong, and the kernel checks
 * it); *call becomes the recvmsg. 0 or -EFAULT.
 */
static int prepare_recv(struct task *t, struct stub_syscall *call)
{
	struct {
		struct msghdr msg;
		struct iovec iov;
	} req;
	unsigned long at = STUB_RW_ADDR(buf) + 128;

	memset(&req, 0, sizeof(req));
	req.iov.iov_base = (void *)STUB_RW_ADDR(buf);
	req.iov.iov_len = 1;
	req.msg.msg_iov = (struct iovec *)(at + offsetof(typeof(req), iov));
	req.msg.msg_iovlen = 1;
	req.msg.msg_control = (void *)(STUB_RW_ADDR(buf) + 64);
	req.msg.msg_controllen = CMSG_SPACE(sizeof(int));
	call->nr = SYS_recvmsg;
	call->args[0] = STUB_SOCK_FD;
	call->args[1] = at;
	call->args[2] = MSG_DONTWAIT | MSG_CMSG_CLOEXEC;
	return os_vm_write(t->mm->host_pid, at, &req, sizeof(req)) ==
	       sizeof(req) ? 0 : -EFAULT;
}

static void report_tampered(struct task *t)
{
	printk(KERN_WARNING "umk: %s[%d]: stub fd report tampered with; "
	       "killing it\n", t->comm, t->pid);
	force_sigkill(t);
}

/*
 * Give the current task fd: send it over the channel and have the stub
 * receive it. Returns the fd number in the task, verified to be the same
 * open file, or -errno. A task whose report does not match was tampered
 * with by its own guest threads: it is killed.
 */
int stub_pass_fd(struct task *t, int fd)
{
	struct stub_batch b = { .count = 1 };
	long last, n;
	int got, err;

	mutex_lock(&channel_lock);
	err = prepare_recv(t, &b.calls[0]);
	if (err < 0)
		goto out;
	err = os_send_fd(channel[0], fd);
	if (err < 0)
		goto out;
	n = host_batch(t, &b, &last);
	if (n != 1) {
		os_drain_fds(channel[1]);
		err = n < 0 ? n : last;
		goto out;
	}
	got = received_fd(t);
	if (got < 0 || os_same_file(fd, t->mm->host_pid, got) != 1) {
		report_tampered(t);
		err = -EFAULT;
		goto out;
	}
	err = got;
out:
	mutex_unlock(&channel_lock);
	return err;
}

long host_batch_passing_fd(struct task *t, int fd, const struct stub_batch *b,
			   long *last)
{
	struct stub_batch *all;
	long n, l;

	if (b->count < 0 || b->count + 2 > STUB_BATCH_MAX)
		return -EINVAL;
	all = kmalloc(sizeof(*all));
	if (!all)
		return -ENOMEM;
	all->count = b->count + 2;
	memcpy(&all->calls[1], b->calls, b->count * sizeof(b->calls[0]));
	all->calls[b->count + 1] = (struct stub_syscall){ SYS_close,
							  { STUB_FRESH_FD } };
	memcpy(all->scratch, b->scratch, sizeof(all->scratch));

	mutex_lock(&channel_lock);
	n = prepare_recv(t, &all->calls[0]);
	if (n == 0)
		n = os_send_fd(channel[0], fd);
	if (n == 0)
		n = host_batch(t, all, &l);
	if (n < 1) {
		os_drain_fds(channel[1]);
		n = n < 0 ? n : l;
		goto out;
	}
	/* No guest code ran in this image yet: the report is the stub's. */
	if (received_fd(t) != STUB_FRESH_FD) {
		report_tampered(t);
		n = -EFAULT;
		goto out;
	}
	*last = l;
	n--;			/* b's calls that succeeded */
	if (n < b->count)	/* the close was not reached */
		host_syscall(t, SYS_close, STUB_FRESH_FD, 0, 0, 0, 0, 0);
	else
		n = b->count;
out:
	mutex_unlock(&channel_lock);
	kfree(all);
	return n;
}

long mmap_host_memfd(int memfd, unsigned long addr, unsigned long len,
		     unsigned long prot, unsigned long flags, unsigned long off)
{
	struct task *t = current;
	int hfd = stub_pass_fd(t, memfd);
	long ret;

	if (hfd < 0)
		return hfd;
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		/* Its address is known if it works: map and close in one
		 * round trip (ld.so maps each segment so). */
		struct stub_batch b = { .count = 2 };
		long last, n;

		b.calls[0] = (struct stub_syscall){ SYS_mmap,
			{ addr, len, prot, flags, hfd, off } };
		b.calls[1] = (struct stub_syscall){ SYS_close, { hfd } };
		n = host_batch(t, &b, &last);
		if (n == 2)
			return addr;
		if (n >= 0)
			host_syscall(t, SYS_close, hfd, 0, 0, 0, 0, 0);
		return n < 0 ? n : last;
	}
	ret = host_syscall(t, SYS_mmap, addr, len, prot, flags, hfd, off);
	host_syscall(t, SYS_close, hfd, 0, 0, 0, 0, 0);
	return ret;
}
