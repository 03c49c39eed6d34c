/*
 * poll, ppoll, select, pselect6 (Linux fs/select.c): ask every file's
 * f_op->poll for its readiness, registering the current task on each wait
 * queue an event would wake, and sleep until one wakes it, the timeout
 * passes or a signal arrives. ppoll/pselect6 swap the signal mask for the
 * wait and keep the caller's mask for the signal frame.
 */
#include <umk/fs.h>
#include <umk/syscalls.h>
#include <string.h>
#include <sys/select.h>

#define POLL_DEFAULT (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM)
#define MAX_POLL_FDS (1 << 20)

struct poll_wqueues {
	struct poll_table pt;
	int n, max;
	struct {
		struct file *filp;	/* held: wq lives in it */
		struct wait_queue_head *wq;
		struct wait_queue_entry entry;
	} *tab;
	bool failed;
};

static void pollwait_add(struct file *f, struct wait_queue_head *wq,
			 struct poll_table *pt)
{
	struct poll_wqueues *pw = container_of(pt, struct poll_wqueues, pt);

	if (pw->n == pw->max) {
		int nmax = pw->max ? pw->max * 2 : 16;
		void *n = krealloc(pw->tab, nmax * sizeof(*pw->tab));

		if (!n) {
			pw->failed = true;
			return;
		}
		/* Entries moved: re-link the ones already on queues. */
		for (int i = 0; i < pw->n; i++)
			list_del_init(&pw->tab[i].entry.entry);
		pw->tab = n;
		pw->max = nmax;
		for (int i = 0; i < pw->n; i++)
			add_wait_queue(pw->tab[i].wq, &pw->tab[i].entry);
	}
	pw->tab[pw->n].filp = get_file(f);
	pw->tab[pw->n].wq = wq;
	pw->tab[pw->n].entry = (struct wait_queue_entry){ .task = current };
	INIT_LIST_HEAD(&pw->tab[pw->n].entry.entry);
	add_wait_queue(wq, &pw->tab[pw->n].entry);
	pw->n++;
}

/* Leave every wait queue, then drop the files that held them: another
 * thread may have closed their fds meanwhile (Linux's poll_freewait). */
static void poll_freewait(struct poll_wqueues *pw)
{
	for (int i = 0; i < pw->n; i++)
		remove_wait_queue(pw->tab[i].wq, &pw->tab[i].entry);
	for (int i = 0; i < pw->n; i++)
		fput(pw->tab[i].filp);
	kfree(pw->tab);
}

/* Readiness of fd (POLLNVAL if it is not open). */
static unsigned int fd_poll(int fd, struct poll_table *pt)
{
	struct file *f = fget(fd);
	unsigned int mask;

	if (!f)
		return POLLNVAL;
	mask = f->f_op && f->f_op->poll ? f->f_op->poll(f, pt) : POLL_DEFAULT;
	fput(f);
	return mask;
}

/*
 * Sleep after a scan found nothing: 0 woken (scan again), 1 timed out,
 * -ERESTARTNOHAND on a signal. deadline 0 means none; ~0 means no wait.
 */
static int poll_schedule(uint64_t deadline)
{
	int ret;

	if (signal_pending(current))
		return -ERESTARTNOHAND;
	if (deadline == ~0ULL)
		return 1;
	if (deadline) {
		ret = schedule_timeout(deadline);
		if (ret == 0)
			return 1;
	} else {
		schedule_sleep(true);
	}
	return signal_pending(current) ? -ERESTARTNOHAND : 0;
}

static long do_poll(struct pollfd *fds, unsigned int nfds, uint64_t deadline)
{
	struct poll_wqueues pw = { .pt = { .qproc = pollwait_add } };
	struct poll_table *pt = &pw.pt;
	long count, ret;

	for (;;) {
		count = 0;
		for (unsigned int i = 0; i < nfds; i++) {
			unsigned int mask;

			fds[i].revents = 0;
			if (fds[i].fd < 0)
				continue;
			mask = fd_poll(fds[i].fd, pt);
			mask &= fds[i].events | POLLERR | POLLHUP | POLLNVAL;
			fds[i].revents = mask;
			if (mask)
				count++;
		}
		pt = NULL;		/* registered once */
		if (count)
			break;
		ret = poll_schedule(deadline);
		if (ret) {
			count = ret < 0 ? ret : 0;
			break;
		}
	}
	poll_freewait(&pw);
	return count;
}

static uint64_t deadline_from_ts(const struct timespec *ts)
{
	if (!ts)
		return 0;
	if (!ts->tv_sec && !ts->tv_nsec)
		return ~0ULL;
	return ktime_get_ns() + ts->tv_sec * 1000000000ULL + ts->tv_nsec + 1;
}

static long poll_common(struct uptr ufds, unsigned int nfds,
			const struct timespec *ts)
{
	struct pollfd *fds;
	long ret;

	if (nfds > current->signal->rlim[RLIMIT_NOFILE].rlim_cur ||
	    nfds > MAX_POLL_FDS)
		return -EINVAL;
	fds = kmalloc(nfds * sizeof(*fds) + 1);
	if (!fds)
		return -ENOMEM;
	if (copy_from_user(fds, ufds, nfds * sizeof(*fds))) {
		kfree(fds);
		return -EFAULT;
	}
	ret = do_poll(fds, nfds, deadline_from_ts(ts));
	for (unsigned int i = 0; ret >= 0 && i < nfds; i++)
		if (copy_to_user(uptr_add(ufds, i * sizeof(*fds) +
					  offsetof(struct pollfd, revents)),
				 &fds[i].revents, sizeof(short)))
			ret = -EFAULT;
	kfree(fds);
	return ret;
}

SYSCALL_DEFINE3(poll, struct uptr, ufds, unsigned int, nfds, int, timeout_ms)
{
	struct timespec ts = { timeout_ms / 1000, (timeout_ms % 1000) * 1000000L };
	long ret = poll_common(ufds, nfds, timeout_ms >= 0 ? &ts : NULL);

	return ret == -ERESTARTNOHAND ? -EINTR : ret;
}

/* Install the mask for the wait; keep the old one for the signal frame. */
static int set_user_sigmask(struct uptr umask, size_t size, uint64_t *saved)
{
	uint64_t mask;

	*saved = current->blocked;
	if (uptr_null(umask))
		return 0;
	if (size != 8)
		return -EINVAL;
	if (copy_from_user(&mask, umask, 8))
		return -EFAULT;
	current->blocked = mask & ~(sigmask(SIGKILL) | sigmask(SIGSTOP));
	return 0;
}

static void restore_user_sigmask(uint64_t saved, long ret)
{
	if (ret == -ERESTARTNOHAND || ret == -EINTR) {
		current->saved_sigmask = saved;
		current->restore_sigmask = true;
	} else {
		current->blocked = saved;
	}
}

SYSCALL_DEFINE5(ppoll, struct uptr, ufds, unsigned int, nfds, struct uptr, tsp, struct uptr, sigmask_p, size_t, sigsetsize)
{
	struct timespec ts;
	uint64_t saved;
	long ret;

	if (!uptr_null(tsp)) {
		if (copy_from_user(&ts, tsp, sizeof(ts)))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
			return -EINVAL;
	}
	ret = set_user_sigmask(sigmask_p, sigsetsize, &saved);
	if (ret)
		return ret;
	ret = poll_common(ufds, nfds, uptr_null(tsp) ? NULL : &ts);
	restore_user_sigmask(saved, ret);
	return ret;
}

#define FDS_BYTES(n) (((n) + 63) / 64 * 8)

static long do_select(int n, struct uptr inp, struct uptr outp,
		      struct uptr exp, const struct timespec *ts)
{
	size_t bytes = FDS_BYTES(n);
	uint64_t *in, *out, *ex, *rin, *rout, *rex;
	struct poll_wqueues pw = { .pt = { .qproc = pollwait_add } };
	struct poll_table *pt = &pw.pt;
	uint64_t deadline = deadline_from_ts(ts);
	long count = 0, ret;

	if (n < 0)
		return -EINVAL;
	n = min((unsigned long)n, current->files->max_fds + 0UL);
	bytes = FDS_BYTES(n);
	in = kzalloc(bytes * 6 + 8);
	if (!in)
		return -ENOMEM;
	out = in + bytes / 8;
	ex = out + bytes / 8;
	rin = ex + bytes / 8;
	rout = rin + bytes / 8;
	rex = rout + bytes / 8;
	if ((!uptr_null(inp) && copy_from_user(in, inp, bytes)) ||
	    (!uptr_null(outp) && copy_from_user(out, outp, bytes)) ||
	    (!uptr_null(exp) && copy_from_user(ex, exp, bytes))) {
		kfree(in);
		return -EFAULT;
	}
	for (int fd = 0; fd < n; fd++) {
		uint64_t bit = 1ULL << (fd % 64);
		int w = fd / 64;

		if (((in[w] | out[w] | ex[w]) & bit) && !fcheck(fd)) {
			kfree(in);
			return -EBADF;
		}
	}
	for (;;) {
		count = 0;
		for (int fd = 0; fd < n; fd++) {
			uint64_t bit = 1ULL << (fd % 64);
			int w = fd / 64;
			unsigned int mask;

			if (!((in[w] | out[w] | ex[w]) & bit))
				continue;
			mask = fd_poll(fd, pt);
			if ((in[w] & bit) && (mask & (POLLIN | POLLRDNORM |
						      POLLHUP | POLLERR))) {
				rin[w] |= bit;
				count++;
			}
			if ((out[w] & bit) && (mask & (POLLOUT | POLLWRNORM |
						       POLLERR))) {
				rout[w] |= bit;
				count++;
			}
			if ((ex[w] & bit) && (mask & POLLPRI)) {
				rex[w] |= bit;
				count++;
			}
		}
		pt = NULL;
		if (count)
			break;
		ret = poll_schedule(deadline);
		if (ret) {
			count = ret < 0 ? ret : 0;
			break;
		}
	}
	poll_freewait(&pw);
	if (count >= 0 &&
	    ((!uptr_null(inp) && copy_to_user(inp, rin, bytes)) ||
	     (!uptr_null(outp) && copy_to_user(outp, rout, bytes)) ||
	     (!uptr_null(exp) && copy_to_user(exp, rex, bytes))))
		count = -EFAULT;
	kfree(in);
	return count;
}

SYSCALL_DEFINE5(select, int, n, struct uptr, inp, struct uptr, outp, struct uptr, exp, struct uptr, tvp)
{
	struct timeval tv;
	struct timespec ts;
	uint64_t end = 0;
	long ret;

	if (!uptr_null(tvp)) {
		if (copy_from_user(&tv, tvp, sizeof(tv)))
			return -EFAULT;
		if (tv.tv_sec < 0 || tv.tv_usec < 0)
			return -EINVAL;
		ts.tv_sec = tv.tv_sec + tv.tv_usec / 1000000;
		ts.tv_nsec = (tv.tv_usec % 1000000) * 1000;
		end = ktime_get_ns() + ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	}
	ret = do_select(n, inp, outp, exp, uptr_null(tvp) ? NULL : &ts);
	if (!uptr_null(tvp) && ret != -EFAULT) {
		uint64_t now = ktime_get_ns(), left = end > now ? end - now : 0;

		tv.tv_sec = left / 1000000000;
		tv.tv_usec = left % 1000000000 / 1000;
		copy_to_user(tvp, &tv, sizeof(tv));
	}
	return ret;
}

SYSCALL_DEFINE6(pselect6, int, n, struct uptr, inp, struct uptr, outp, struct uptr, exp, struct uptr, tsp, struct uptr, sig)
{
	struct timespec ts;
	struct { unsigned long ss; size_t len; } s = { 0, 0 };
	uint64_t saved;
	long ret;

	if (!uptr_null(tsp)) {
		if (copy_from_user(&ts, tsp, sizeof(ts)))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
			return -EINVAL;
	}
	if (!uptr_null(sig) && copy_from_user(&s, sig, sizeof(s)))
		return -EFAULT;
	ret = set_user_sigmask(UPTR(s.ss), s.len, &saved);
	if (ret)
		return ret;
	ret = do_select(n, inp, outp, exp, uptr_null(tsp) ? NULL : &ts);
	restore_user_sigmask(saved, ret);
	return ret;
}
