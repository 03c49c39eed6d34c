/*
 * signalfd, signalfd4: read the calling task's pending signals of a mask
 * as struct signalfd_siginfo, and poll for them (Linux fs/signalfd.c).
 * As on Linux the reader's own pending signals count, whoever created
 * the descriptor, and the mask works whether or not the signals are
 * blocked. Senders wake pollers through signalfd_notify.
 */
#include <umk/anon_inodes.h>
#include <umk/eventpoll.h>
#include <umk/signal_internal.h>
#include <umk/syscalls.h>
#include <string.h>

#define SFD_CLOEXEC	O_CLOEXEC
#define SFD_NONBLOCK	O_NONBLOCK

/* The ABI record of one signal (uapi/linux/signalfd.h), 128 bytes. */
struct signalfd_siginfo {
	uint32_t ssi_signo;
	int32_t ssi_errno;
	int32_t ssi_code;
	uint32_t ssi_pid;
	uint32_t ssi_uid;
	int32_t ssi_fd;
	uint32_t ssi_tid;
	uint32_t ssi_band;
	uint32_t ssi_overrun;
	uint32_t ssi_trapno;
	int32_t ssi_status;
	int32_t ssi_int;
	uint64_t ssi_ptr;
	uint64_t ssi_utime;
	uint64_t ssi_stime;
	uint64_t ssi_addr;
	uint16_t ssi_addr_lsb;
	uint16_t __pad2;
	int32_t ssi_syscall;
	uint64_t ssi_call_addr;
	uint32_t ssi_arch;
	uint8_t __pad[28];
};

struct signalfd_ctx {
	uint64_t sigmask;		/* the signals it reads, bit sig-1 */
};

/* Every signalfd poller and reader waits here; any new signal wakes it. */
static struct wait_queue_head signalfd_wqh = WAIT_QUEUE_HEAD_INIT(signalfd_wqh);

void signalfd_notify(struct task *t, int sig)
{
	wake_up_poll(&signalfd_wqh, POLLIN);
}

static int signalfd_release(struct inode *inode, struct file *f)
{
	kfree(f->private_data);
	return 0;
}

static uint64_t pending_in(const struct task *t, uint64_t mask)
{
	return (t->pending.signal | t->signal->shared_pending.signal) & mask;
}

static unsigned int signalfd_poll(struct file *f, struct poll_table *pt)
{
	struct signalfd_ctx *ctx = f->private_data;

	poll_wait(f, &signalfd_wqh, pt);
	return current && pending_in(current, ctx->sigmask) ?
	       POLLIN | POLLRDNORM : 0;
}

/* The siginfo fields that travel, by layout (Linux signalfd_copyinfo and
 * siginfo_layout). */
static void signalfd_copyinfo(struct signalfd_siginfo *n, const siginfo_t *k)
{
	int sig = k->si_signo, code = k->si_code;
	bool fault = sig == SIGILL || sig == SIGFPE || sig == SIGSEGV ||
		     sig == SIGBUS || sig == SIGTRAP;

	memset(n, 0, sizeof(*n));
	n->ssi_signo = sig;
	n->ssi_errno = k->si_errno;
	n->ssi_code = code;
	if (code > SI_USER && code < SI_KERNEL) {
		if (fault) {
			n->ssi_addr = (uintptr_t)k->si_addr;
		} else if (sig == SIGCHLD) {
			n->ssi_pid = k->si_pid;
			n->ssi_uid = k->si_uid;
			n->ssi_status = k->si_status;
			n->ssi_utime = k->si_utime;
			n->ssi_stime = k->si_stime;
		} else if (sig == SIGSYS) {
			n->ssi_call_addr = (uintptr_t)k->si_call_addr;
			n->ssi_syscall = k->si_syscall;
			n->ssi_arch = k->si_arch;
		} else {
			n->ssi_band = k->si_band;
			n->ssi_fd = k->si_fd;
		}
	} else if (code == SI_TIMER) {
		n->ssi_tid = k->si_timerid;
		n->ssi_overrun = k->si_overrun;
		n->ssi_ptr = (uintptr_t)k->si_ptr;
		n->ssi_int = k->si_int;
	} else if (code == SI_SIGIO) {
		n->ssi_band = k->si_band;
		n->ssi_fd = k->si_fd;
	} else if (code < 0) {
		n->ssi_pid = k->si_pid;
		n->ssi_uid = k->si_uid;
		n->ssi_ptr = (uintptr_t)k->si_ptr;
		n->ssi_int = k->si_int;
	} else {
		n->ssi_pid = k->si_pid;
		n->ssi_uid = k->si_uid;
	}
}

/* One signal of the mask into *info: waits for the first (unless
 * nonblock), returns its number, -EAGAIN or -ERESTARTSYS. */
static int signalfd_dequeue(struct signalfd_ctx *ctx, siginfo_t *info,
			    bool nonblock)
{
	int sig = dequeue_signal_mask(current, ctx->sigmask, info), err;

	if (sig || nonblock)
		return sig ? sig : -EAGAIN;
	err = wait_event_interruptible(signalfd_wqh,
		(sig = dequeue_signal_mask(current, ctx->sigmask, info)) != 0);
	return err ? err : sig;
}

static ssize_t signalfd_read(struct file *f, char *buf, size_t len,
			     loff_t *pos)
{
	struct signalfd_ctx *ctx = f->private_data;
	size_t count = len / sizeof(struct signalfd_siginfo), total = 0;
	bool nonblock = f->f_flags & O_NONBLOCK;
	siginfo_t info;
	int ret;

	if (!count)
		return -EINVAL;
	do {
		ret = signalfd_dequeue(ctx, &info, nonblock);
		if (ret <= 0)
			break;
		signalfd_copyinfo((struct signalfd_siginfo *)buf + total, &info);
		total++;
		nonblock = true;
	} while (--count);
	return total ? (ssize_t)(total * sizeof(struct signalfd_siginfo)) : ret;
}

static loff_t signalfd_llseek(struct file *f, loff_t off, int whence)
{
	return f->f_pos;	/* noop_llseek */
}

static const struct file_operations signalfd_fops = {
	.release = signalfd_release,
	.poll = signalfd_poll,
	.read = signalfd_read,
	.llseek = signalfd_llseek,
};

static long do_signalfd4(int ufd, uint64_t mask, int flags)
{
	struct signalfd_ctx *ctx;
	struct file *f;

	if (flags & ~(SFD_CLOEXEC | SFD_NONBLOCK))
		return -EINVAL;
	mask &= ~(sigmask(SIGKILL) | sigmask(SIGSTOP));
	if (ufd == -1) {
		ctx = kzalloc(sizeof(*ctx));
		if (!ctx)
			return -ENOMEM;
		ctx->sigmask = mask;
		return anon_inode_getfd("[signalfd]", &signalfd_fops, ctx,
					O_RDWR | (flags & (O_NONBLOCK | O_CLOEXEC)));
	}
	f = fget(ufd);
	if (!f)
		return -EBADF;
	if (f->f_op != &signalfd_fops) {
		fput(f);
		return -EINVAL;
	}
	ctx = f->private_data;
	ctx->sigmask = mask;
	fput(f);
	wake_up_poll(&signalfd_wqh, POLLIN);
	return ufd;
}

SYSCALL_DEFINE4(signalfd4, int, ufd, struct uptr, user_mask, size_t, sizemask, int, flags)
{
	uint64_t mask;

	if (sizemask != sizeof(mask))
		return -EINVAL;
	if (copy_from_user(&mask, user_mask, sizeof(mask)))
		return -EFAULT;
	return do_signalfd4(ufd, mask, flags);
}

SYSCALL_DEFINE3(signalfd, int, ufd, struct uptr, user_mask, size_t, sizemask)
{
	uint64_t mask;

	if (sizemask != sizeof(mask))
		return -EINVAL;
	if (copy_from_user(&mask, user_mask, sizeof(mask)))
		return -EFAULT;
	return do_signalfd4(ufd, mask, 0);
}
