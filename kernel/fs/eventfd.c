/*
 * eventfd(2): a 64-bit counter behind a file. write adds, read takes the
 * whole count (or 1 with EFD_SEMAPHORE); both block, or fail with EAGAIN
 * under O_NONBLOCK, at the counter's limits. Pollable (POLLIN while the
 * count is not 0, POLLOUT while one more can be added, POLLERR on
 * overflow). Model: Linux fs/eventfd.c.
 */
#include <umk/anon_inodes.h>
#include <umk/eventpoll.h>
#include <umk/syscalls.h>
#include <string.h>

#define EFD_SEMAPHORE	1
#define EFD_CLOEXEC	O_CLOEXEC
#define EFD_NONBLOCK	O_NONBLOCK
#define EFD_FLAGS_SET	(EFD_SEMAPHORE | EFD_CLOEXEC | EFD_NONBLOCK)

struct eventfd_ctx {
	uint64_t count;
	unsigned int flags;		/* EFD_SEMAPHORE */
	struct wait_queue_head wqh;	/* readers, writers and pollers */
};

static int eventfd_release(struct inode *inode, struct file *f)
{
	kfree(f->private_data);
	return 0;
}

static unsigned int eventfd_poll(struct file *f, struct poll_table *pt)
{
	struct eventfd_ctx *ctx = f->private_data;
	unsigned int events = 0;

	poll_wait(f, &ctx->wqh, pt);
	if (ctx->count > 0)
		events |= POLLIN | POLLRDNORM;
	if (ctx->count == UINT64_MAX)
		events |= POLLERR;
	if (UINT64_MAX - 1 > ctx->count)
		events |= POLLOUT | POLLWRNORM;
	return events;
}

static ssize_t eventfd_read(struct file *f, char *buf, size_t len,
			    loff_t *pos)
{
	struct eventfd_ctx *ctx = f->private_data;
	uint64_t ucnt;
	int err;

	if (len < sizeof(ucnt))
		return -EINVAL;
	if (!ctx->count) {
		if (f->f_flags & O_NONBLOCK)
			return -EAGAIN;
		err = wait_event_interruptible(ctx->wqh, ctx->count);
		if (err)
			return err;
	}
	ucnt = (ctx->flags & EFD_SEMAPHORE) ? 1 : ctx->count;
	ctx->count -= ucnt;
	wake_up_poll(&ctx->wqh, POLLOUT);
	memcpy(buf, &ucnt, sizeof(ucnt));
	return sizeof(ucnt);
}

static ssize_t eventfd_write(struct file *f, const char *buf, size_t len,
			     loff_t *pos)
{
	struct eventfd_ctx *ctx = f->private_data;
	uint64_t ucnt;
	int err;

	if (len < sizeof(ucnt))
		return -EINVAL;
	memcpy(&ucnt, buf, sizeof(ucnt));
	if (ucnt == UINT64_MAX)
		return -EINVAL;
	if (UINT64_MAX - ctx->count <= ucnt) {
		if (f->f_flags & O_NONBLOCK)
			return -EAGAIN;
		err = wait_event_interruptible(ctx->wqh,
					       UINT64_MAX - ctx->count > ucnt);
		if (err)
			return err;
	}
	ctx->count += ucnt;
	if (ctx->count)
		wake_up_poll(&ctx->wqh, POLLIN);
	return sizeof(ucnt);
}

static loff_t eventfd_llseek(struct file *f, loff_t off, int whence)
{
	return f->f_pos;	/* noop_llseek */
}

static const struct file_operations eventfd_fops = {
	.release = eventfd_release,
	.poll = eventfd_poll,
	.read = eventfd_read,
	.write = eventfd_write,
	.llseek = eventfd_llseek,
};

static long do_eventfd(unsigned int count, int flags)
{
	struct eventfd_ctx *ctx;

	if (flags & ~EFD_FLAGS_SET)
		return -EINVAL;
	ctx = kzalloc(sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	ctx->count = count;
	ctx->flags = flags & EFD_SEMAPHORE;
	init_waitqueue_head(&ctx->wqh);
	return anon_inode_getfd("[eventfd]", &eventfd_fops, ctx,
				O_RDWR | (flags & (EFD_NONBLOCK | EFD_CLOEXEC)));
}

SYSCALL_DEFINE2(eventfd2, unsigned int, count, int, flags)
{
	return do_eventfd(count, flags);
}

SYSCALL_DEFINE1(eventfd, unsigned int, count)
{
	return do_eventfd(count, 0);
}
