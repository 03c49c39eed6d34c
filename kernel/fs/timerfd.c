/*
 * timerfd_create, timerfd_settime, timerfd_gettime: a timer whose
 * expirations are read from a file as a 64-bit count (Linux fs/timerfd.c).
 * The timer is a kernel timer_list on the guest's monotonic scale; an
 * absolute expiry on CLOCK_REALTIME or CLOCK_BOOTTIME is converted once,
 * when it is set. TFD_TIMER_CANCEL_ON_SET is accepted, but the guest can
 * never set the realtime clock (clock_settime is -EPERM), so a read never
 * reports ECANCELED. The _ALARM clocks (root only, as CAP_WAKE_ALARM)
 * count like their base clocks; there is no suspend to wake from.
 */
#include <umk/anon_inodes.h>
#include <umk/eventpoll.h>
#include <umk/syscalls.h>
#include <umk/timer.h>
#include <os.h>
#include <sys/ioctl.h>
#include <string.h>

#define TFD_TIMER_ABSTIME		1
#define TFD_TIMER_CANCEL_ON_SET		2
#define TFD_CLOEXEC			O_CLOEXEC
#define TFD_NONBLOCK			O_NONBLOCK
#define TFD_CREATE_FLAGS		(TFD_CLOEXEC | TFD_NONBLOCK)
#define TFD_SETTIME_FLAGS	(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET)
#define TFD_IOC_SET_TICKS		_IOW('T', 0, uint64_t)
#ifndef CLOCK_REALTIME_ALARM
#define CLOCK_REALTIME_ALARM		8
#define CLOCK_BOOTTIME_ALARM		9
#endif
#define NSEC_PER_SEC_TFD		1000000000ULL

struct timerfd_ctx {
	struct timer_list tmr;		/* armed while it will expire */
	uint64_t tintv;			/* interval in ns, 0: one shot */
	uint64_t ticks;			/* expirations not yet read */
	bool armed;			/* it_value was set and not passed */
	int clockid;
	struct wait_queue_head wqh;
};

static const struct file_operations timerfd_fops;

static int timerfd_release(struct inode *inode, struct file *f)
{
	struct timerfd_ctx *ctx = f->private_data;

	del_timer(&ctx->tmr);
	kfree(ctx);
	return 0;
}

/* The timer fired: count it (and any periods missed) and re-arm. */
static void timerfd_tmrproc(struct timer_list *t)
{
	struct timerfd_ctx *ctx = container_of(t, struct timerfd_ctx, tmr);
	uint64_t now = ktime_get_ns(), n = 1;

	if (ctx->tintv) {
		n += (now - t->expires) / ctx->tintv;
		t->expires += n * ctx->tintv;
		add_timer(t);
	} else {
		ctx->armed = false;
	}
	ctx->ticks += n;
	wake_up_poll(&ctx->wqh, POLLIN);
}

static unsigned int timerfd_poll(struct file *f, struct poll_table *pt)
{
	struct timerfd_ctx *ctx = f->private_data;

	poll_wait(f, &ctx->wqh, pt);
	return ctx->ticks ? POLLIN | POLLRDNORM : 0;
}

static ssize_t timerfd_read(struct file *f, char *buf, size_t len,
			    loff_t *pos)
{
	struct timerfd_ctx *ctx = f->private_data;
	uint64_t ticks;
	int err;

	if (len < sizeof(ticks))
		return -EINVAL;
	if (!ctx->ticks) {
		if (f->f_flags & O_NONBLOCK)
			return -EAGAIN;
		err = wait_event_interruptible(ctx->wqh, ctx->ticks);
		if (err)
			return err;
	}
	ticks = ctx->ticks;
	ctx->ticks = 0;
	memcpy(buf, &ticks, sizeof(ticks));
	return sizeof(ticks);
}

/* TFD_IOC_SET_TICKS (checkpoint/restore): set the pending count. */
static long timerfd_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	struct timerfd_ctx *ctx = f->private_data;
	uint64_t ticks;

	if (cmd != TFD_IOC_SET_TICKS)
		return -ENOTTY;
	if (copy_from_user(&ticks, UPTR(arg), sizeof(ticks)))
		return -EFAULT;
	if (!ticks)
		return -EINVAL;
	ctx->ticks = ticks;
	wake_up_poll(&ctx->wqh, POLLIN);
	return 0;
}

static loff_t timerfd_llseek(struct file *f, loff_t off, int whence)
{
	return f->f_pos;	/* noop_llseek */
}

static const struct file_operations timerfd_fops = {
	.release = timerfd_release,
	.poll = timerfd_poll,
	.read = timerfd_read,
	.ioctl = timerfd_ioctl,
	.llseek = timerfd_llseek,
};

static bool clock_is_alarm(int clockid)
{
	return clockid == CLOCK_REALTIME_ALARM || clockid == CLOCK_BOOTTIME_ALARM;
}

/* Now on clockid, in ns (the host's clock, as clock_gettime shows it). */
static uint64_t clock_now_ns(int clockid)
{
	struct timespec ts;
	int host = clockid == CLOCK_REALTIME_ALARM ? CLOCK_REALTIME :
		   clockid == CLOCK_BOOTTIME_ALARM ? CLOCK_BOOTTIME : clockid;

	if (os_clock_gettime(host, &ts))
		return 0;
	return ts.tv_sec * NSEC_PER_SEC_TFD + ts.tv_nsec;
}

SYSCALL_DEFINE2(timerfd_create, int, clockid, int, flags)
{
	struct timerfd_ctx *ctx;

	if ((flags & ~TFD_CREATE_FLAGS) ||
	    (clockid != CLOCK_MONOTONIC && clockid != CLOCK_REALTIME &&
	     clockid != CLOCK_REALTIME_ALARM && clockid != CLOCK_BOOTTIME &&
	     clockid != CLOCK_BOOTTIME_ALARM))
		return -EINVAL;
	if (clock_is_alarm(clockid) && !capable(current->cred))
		return -EPERM;
	ctx = kzalloc(sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	ctx->clockid = clockid;
	ctx->tmr.fn = timerfd_tmrproc;
	INIT_LIST_HEAD(&ctx->tmr.entry);
	init_waitqueue_head(&ctx->wqh);
	return anon_inode_getfd("[timerfd]", &timerfd_fops, ctx,
				O_RDWR | (flags & TFD_CREATE_FLAGS));
}

/* The timerfd at fd with a reference: -EBADF, or -EINVAL if another file. */
static struct file *timerfd_fget(int fd)
{
	struct file *f = fget(fd);

	if (!f)
		return ERR_PTR(-EBADF);
	if (f->f_op != &timerfd_fops) {
		fput(f);
		return ERR_PTR(-EINVAL);
	}
	return f;
}

static struct timespec ns_to_ts(uint64_t ns)
{
	return (struct timespec){ ns / NSEC_PER_SEC_TFD, ns % NSEC_PER_SEC_TFD };
}

/* Time left and interval, as timerfd_gettime shows them. */
static void timerfd_get(struct timerfd_ctx *ctx, struct itimerspec *cur)
{
	uint64_t now = ktime_get_ns();

	cur->it_interval = ns_to_ts(ctx->tintv);
	cur->it_value = ns_to_ts(0);
	if (ctx->armed)
		cur->it_value = ns_to_ts(ctx->tmr.expires > now ?
					 ctx->tmr.expires - now : 1);
}

static bool itimerspec_valid(const struct itimerspec *it)
{
	return it->it_value.tv_sec >= 0 && it->it_value.tv_nsec >= 0 &&
	       it->it_value.tv_nsec < (long)NSEC_PER_SEC_TFD &&
	       it->it_interval.tv_sec >= 0 && it->it_interval.tv_nsec >= 0 &&
	       it->it_interval.tv_nsec < (long)NSEC_PER_SEC_TFD;
}

static uint64_t ts_to_ns(const struct timespec *ts)
{
	if ((uint64_t)ts->tv_sec > INT64_MAX / NSEC_PER_SEC_TFD - 1)
		return INT64_MAX;
	return ts->tv_sec * NSEC_PER_SEC_TFD + ts->tv_nsec;
}

/* Arm (or disarm, it_value 0) ctx as timerfd_setup. */
static void timerfd_setup(struct timerfd_ctx *ctx, int flags,
			  const struct itimerspec *new)
{
	uint64_t value = ts_to_ns(&new->it_value), now = ktime_get_ns();

	del_timer(&ctx->tmr);
	ctx->ticks = 0;
	ctx->armed = false;
	ctx->tintv = ts_to_ns(&new->it_interval);
	if (!value)
		return;
	if (flags & TFD_TIMER_ABSTIME) {
		uint64_t cnow = clock_now_ns(ctx->clockid);

		value = value > cnow ? value - cnow : 0;
	}
	ctx->tmr.expires = value > UINT64_MAX - now ? UINT64_MAX : now + value;
	ctx->armed = true;
	add_timer(&ctx->tmr);
}

SYSCALL_DEFINE4(timerfd_settime, int, ufd, int, flags, struct uptr, utmr, struct uptr, otmr)
{
	struct itimerspec new, old;
	struct timerfd_ctx *ctx;
	struct file *f;

	if (copy_from_user(&new, utmr, sizeof(new)))
		return -EFAULT;
	if ((flags & ~TFD_SETTIME_FLAGS) || !itimerspec_valid(&new))
		return -EINVAL;
	f = timerfd_fget(ufd);
	if (IS_ERR(f))
		return PTR_ERR(f);
	ctx = f->private_data;
	if (clock_is_alarm(ctx->clockid) && !capable(current->cred)) {
		fput(f);
		return -EPERM;
	}
	timerfd_get(ctx, &old);
	timerfd_setup(ctx, flags, &new);
	fput(f);
	if (!uptr_null(otmr) && copy_to_user(otmr, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE2(timerfd_gettime, int, ufd, struct uptr, otmr)
{
	struct itimerspec cur;
	struct file *f = timerfd_fget(ufd);

	if (IS_ERR(f))
		return PTR_ERR(f);
	timerfd_get(f->private_data, &cur);
	fput(f);
	return copy_to_user(otmr, &cur, sizeof(cur)) ? -EFAULT : 0;
}
