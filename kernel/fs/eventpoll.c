/*
 * epoll_create, epoll_create1, epoll_ctl, epoll_wait, epoll_pwait,
 * epoll_pwait2 (Linux fs/eventpoll.c, epoll(7)).
 *
 * An item (struct epitem) watches one (file, fd) pair: it hangs a
 * callback entry on every wait queue the file's f_op->poll names, and the
 * callback puts the item on its epoll's ready list. epoll_wait polls the
 * ready items again and reports those with events; level-triggered items
 * go back on the list, edge-triggered ones wait for the next wake-up,
 * one-shot ones are disabled. Items belong to the file, not the fd: they
 * go when the file's last reference does (eventpoll_release). An epoll
 * file can be watched by another epoll, within Linux's loop and depth
 * rules (ELOOP). Wake-ups are not exclusive: with EPOLLEXCLUSIVE every
 * waiting epoll may wake, which epoll(7) allows ("one or more").
 */
#include <umk/anon_inodes.h>
#include <umk/eventpoll.h>
#include <umk/syscalls.h>
#include <umk/ucount.h>
#include <string.h>
#include "internal.h"

#define EP_MAX_NESTS		4
#define EP_MAX_EVENTS		(INT32_MAX / 12)
#define EP_PRIVATE_BITS		(EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | \
				 EPOLLEXCLUSIVE)
#define EPOLLEXCLUSIVE_OK_BITS	(EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | \
				 EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE)
#define EPOLL_CTL_ADD		1
#define EPOLL_CTL_DEL		2
#define EPOLL_CTL_MOD		3
#define EPOLL_CLOEXEC		O_CLOEXEC
#define TASK_SIZE_MAX		0x7ffffffff000UL

/* The user ABI of struct epoll_event on x86-64 (packed, 12 bytes). */
struct epoll_event {
	uint32_t events;
	uint64_t data;
} __attribute__((packed));

struct eventpoll {
	struct list_head items;		/* every epitem of this set */
	struct list_head rdllist;	/* items that may have events */
	struct wait_queue_head wq;	/* epoll_wait sleepers */
	struct wait_queue_head poll_wait;	/* poll/epoll on this epoll fd */
	struct file *file;
	uid_t uid;			/* owner of its watch count */
	unsigned long gen;		/* loop check generation seen */
	int loop_check_depth;
};

/* One wait queue an item's file woke it through. */
struct eppoll_entry {
	struct wait_queue_entry wait;
	struct wait_queue_head *whead;
	struct epitem *base;
};

struct epitem {
	struct list_head epilink;	/* in ep->items */
	struct list_head rdllink;	/* in ep->rdllist when ready */
	bool ready;
	struct epitem *next_in_file;	/* file->f_ep list */
	struct eventpoll *ep;
	struct file *file;		/* not referenced: see eventpoll_release */
	int fd;
	struct epoll_event event;
	int nwait;
	struct eppoll_entry *pwq;	/* nwait entries */
};

static const struct file_operations eventpoll_fops;
static unsigned long loop_check_gen;

static bool is_file_epoll(const struct file *f)
{
	return f->f_op == &eventpoll_fops;
}

void wake_up_poll(struct wait_queue_head *wq, unsigned int events)
{
	struct wait_queue_entry *e, *n;

	list_for_each_entry_safe(e, n, &wq->head, entry) {
		if (e->func)
			e->func(e, (void *)(uintptr_t)events);
		else if (e->task)
			wake_up_process(e->task);
	}
}

static void ep_set_ready(struct epitem *epi)
{
	struct eventpoll *ep = epi->ep;

	if (!epi->ready) {
		list_add_tail(&epi->rdllink, &ep->rdllist);
		epi->ready = true;
	}
	wake_up(&ep->wq);
	wake_up_poll(&ep->poll_wait, EPOLLIN);
}

static void ep_unset_ready(struct epitem *epi)
{
	if (epi->ready) {
		list_del_init(&epi->rdllink);
		epi->ready = false;
	}
}

/* A watched file woke: events (0 = unknown) may concern the item. */
static void ep_poll_callback(struct wait_queue_entry *wait, void *key)
{
	struct epitem *epi = ((struct eppoll_entry *)wait->private)->base;
	unsigned int events = (uintptr_t)key;

	if (!(epi->event.events & ~EP_PRIVATE_BITS))
		return;		/* disabled one-shot item */
	if (events && !(events & epi->event.events))
		return;
	ep_set_ready(epi);
}

struct ep_pqueue {
	struct poll_table pt;
	struct epitem *epi;
};

/* f_op->poll's poll_wait: hang a callback entry on whead. */
static void ep_ptable_queue_proc(struct file *f, struct wait_queue_head *whead,
				 struct poll_table *pt)
{
	struct epitem *epi = container_of(pt, struct ep_pqueue, pt)->epi;
	struct eppoll_entry *n;

	if (epi->nwait < 0)
		return;
	for (int i = 0; i < epi->nwait; i++)
		if (epi->pwq[i].whead == whead)
			return;
	n = krealloc(epi->pwq, (epi->nwait + 1) * sizeof(*n));
	if (!n) {
		epi->nwait = -1;
		return;
	}
	/* Entries moved: re-link the ones already on queues. */
	for (int i = 0; i < epi->nwait; i++)
		list_del_init(&n[i].wait.entry);
	epi->pwq = n;
	for (int i = 0; i < epi->nwait; i++) {
		n[i].wait.private = &n[i];
		add_wait_queue(n[i].whead, &n[i].wait);
	}
	n += epi->nwait++;
	n->whead = whead;
	n->base = epi;
	n->wait = (struct wait_queue_entry){ .func = ep_poll_callback,
					     .private = n };
	INIT_LIST_HEAD(&n->wait.entry);
	add_wait_queue(whead, &n->wait);
}

static unsigned int ep_eventpoll_poll_depth(struct file *f,
					    struct poll_table *pt, int depth);

/* The item's file's readiness among its events (registering with pt). */
static unsigned int ep_item_poll(struct epitem *epi, struct poll_table *pt,
				 int depth)
{
	struct file *f = epi->file;
	unsigned int revents;

	if (is_file_epoll(f))
		revents = ep_eventpoll_poll_depth(f, pt, depth + 1);
	else
		revents = f->f_op->poll(f, pt);
	return revents & epi->event.events;
}

/* Has ep an item with events now? (ep_read_events_proc) */
static unsigned int ep_eventpoll_poll_depth(struct file *f,
					    struct poll_table *pt, int depth)
{
	struct eventpoll *ep = f->private_data;
	struct epitem *epi, *n;

	poll_wait(f, &ep->poll_wait, pt);
	if (depth > EP_MAX_NESTS)
		return 0;
	list_for_each_entry_safe(epi, n, &ep->rdllist, rdllink) {
		if (ep_item_poll(epi, NULL, depth))
			return EPOLLIN | EPOLLRDNORM;
		ep_unset_ready(epi);	/* woken, but nothing there */
	}
	return 0;
}

static unsigned int ep_eventpoll_poll(struct file *f, struct poll_table *pt)
{
	return ep_eventpoll_poll_depth(f, pt, 0);
}

/* Unhook epi from its file's wait queues and file list, and free it. */
static void ep_remove(struct eventpoll *ep, struct epitem *epi)
{
	struct epitem **p;

	for (int i = 0; i < epi->nwait; i++)
		remove_wait_queue(epi->pwq[i].whead, &epi->pwq[i].wait);
	kfree(epi->pwq);
	for (p = &epi->file->f_ep; *p; p = &(*p)->next_in_file) {
		if (*p == epi) {
			*p = epi->next_in_file;
			break;
		}
	}
	ep_unset_ready(epi);
	list_del_init(&epi->epilink);
	dec_ucount(ep->uid, UCOUNT_EPOLL_WATCHES);
	kfree(epi);
}

static int ep_eventpoll_release(struct inode *inode, struct file *f)
{
	struct eventpoll *ep = f->private_data;
	struct epitem *epi, *n;

	list_for_each_entry_safe(epi, n, &ep->items, epilink)
		ep_remove(ep, epi);
	kfree(ep);
	return 0;
}

void eventpoll_release(struct file *f)
{
	while (f->f_ep)
		ep_remove(f->f_ep->ep, f->f_ep);
}

static loff_t ep_llseek(struct file *f, loff_t off, int whence)
{
	return f->f_pos;	/* noop_llseek */
}

static const struct file_operations eventpoll_fops = {
	.release = ep_eventpoll_release,
	.poll = ep_eventpoll_poll,
	.llseek = ep_llseek,
};

/* --- creation and loop checks --- */

static long do_epoll_create(int flags)
{
	struct eventpoll *ep;
	struct file *f;

	if (flags & ~EPOLL_CLOEXEC)
		return -EINVAL;
	ep = kzalloc(sizeof(*ep));
	if (!ep)
		return -ENOMEM;
	INIT_LIST_HEAD(&ep->items);
	INIT_LIST_HEAD(&ep->rdllist);
	init_waitqueue_head(&ep->wq);
	init_waitqueue_head(&ep->poll_wait);
	ep->uid = current->cred->uid;
	f = anon_inode_getfile("[eventpoll]", &eventpoll_fops, ep, O_RDWR);
	if (IS_ERR(f)) {
		kfree(ep);
		return PTR_ERR(f);
	}
	ep->file = f;
	return get_unused_fd_install(f, 0, flags & EPOLL_CLOEXEC);
}

SYSCALL_DEFINE1(epoll_create1, int, flags)
{
	return do_epoll_create(flags);
}

SYSCALL_DEFINE1(epoll_create, int, size)
{
	if (size <= 0)
		return -EINVAL;
	return do_epoll_create(0);
}

static struct eventpoll *inserting_into;

/* How deep epolls nest below ep; > EP_MAX_NESTS when it reaches
 * inserting_into or is too deep (Linux ep_loop_check_proc). */
static int ep_loop_check_proc(struct eventpoll *ep, int depth)
{
	struct epitem *epi;
	int result = 0;

	if (ep->gen == loop_check_gen)
		return ep->loop_check_depth;
	ep->gen = loop_check_gen;
	list_for_each_entry(epi, &ep->items, epilink) {
		struct eventpoll *to;

		if (!is_file_epoll(epi->file))
			continue;
		to = epi->file->private_data;
		if (to == inserting_into || depth > EP_MAX_NESTS)
			result = EP_MAX_NESTS + 1;
		else
			result = max(result, ep_loop_check_proc(to, depth + 1) + 1);
		if (result > EP_MAX_NESTS)
			break;
	}
	ep->loop_check_depth = result;
	return result;
}

/* How many epolls watch ep above it, at most (upwards depth). */
static int ep_get_upwards_depth_proc(struct eventpoll *ep, int depth)
{
	struct epitem *epi;
	int result = 0;

	if (ep->gen == loop_check_gen)
		return ep->loop_check_depth;
	for (epi = ep->file->f_ep; epi; epi = epi->next_in_file)
		result = max(ep_get_upwards_depth_proc(epi->ep, depth + 1) + 1,
			     result);
	ep->gen = loop_check_gen;
	ep->loop_check_depth = result;
	return result;
}

/* May `to` be added to ep without a loop or more than EP_MAX_NESTS? */
static bool ep_loop_check(struct eventpoll *ep, struct eventpoll *to)
{
	int depth, upwards;

	loop_check_gen++;
	inserting_into = ep;
	depth = ep_loop_check_proc(to, 0);
	if (depth > EP_MAX_NESTS)
		return false;
	upwards = ep_get_upwards_depth_proc(ep, 0);
	return depth + 1 + upwards <= EP_MAX_NESTS;
}

/* --- epoll_ctl --- */

static struct epitem *ep_find(struct eventpoll *ep, struct file *f, int fd)
{
	struct epitem *epi;

	list_for_each_entry(epi, &ep->items, epilink)
		if (epi->file == f && epi->fd == fd)
			return epi;
	return NULL;
}

static int ep_insert(struct eventpoll *ep, const struct epoll_event *event,
		     struct file *tf, int fd)
{
	struct ep_pqueue epq;
	struct epitem *epi;
	unsigned int revents;

	if (!inc_ucount(ep->uid, UCOUNT_EPOLL_WATCHES, EPOLL_MAX_USER_WATCHES))
		return -ENOSPC;
	epi = kzalloc(sizeof(*epi));
	if (!epi) {
		dec_ucount(ep->uid, UCOUNT_EPOLL_WATCHES);
		return -ENOMEM;
	}
	INIT_LIST_HEAD(&epi->rdllink);
	epi->ep = ep;
	epi->file = tf;
	epi->fd = fd;
	epi->event = *event;
	list_add_tail(&epi->epilink, &ep->items);
	epi->next_in_file = tf->f_ep;
	tf->f_ep = epi;

	epq.pt.qproc = ep_ptable_queue_proc;
	epq.epi = epi;
	revents = ep_item_poll(epi, &epq.pt, 1);
	if (epi->nwait < 0) {
		epi->nwait = 0;
		ep_remove(ep, epi);
		return -ENOMEM;
	}
	if (revents)
		ep_set_ready(epi);
	return 0;
}

static int ep_modify(struct eventpoll *ep, struct epitem *epi,
		     const struct epoll_event *event)
{
	epi->event.events = event->events;
	epi->event.data = event->data;
	if (ep_item_poll(epi, NULL, 1))
		ep_set_ready(epi);
	return 0;
}

/* Linux do_epoll_ctl, with the checks in its order. */
static long do_epoll_ctl(int epfd, int op, int fd, struct epoll_event *epds)
{
	struct file *f, *tf;
	struct eventpoll *ep;
	struct epitem *epi;
	long error = -EBADF;

	f = fget(epfd);
	if (!f)
		return -EBADF;
	tf = fget_no_path(fd);
	if (!tf)
		goto out_fput;
	error = -EPERM;
	if (!tf->f_op || !tf->f_op->poll)
		goto out_tgt_fput;
	if (op != EPOLL_CTL_DEL && !capable(current->cred))
		epds->events &= ~EPOLLWAKEUP;
	error = -EINVAL;
	if (f == tf || !is_file_epoll(f))
		goto out_tgt_fput;
	if (op != EPOLL_CTL_DEL && (epds->events & EPOLLEXCLUSIVE)) {
		if (op == EPOLL_CTL_MOD)
			goto out_tgt_fput;
		if (op == EPOLL_CTL_ADD && (is_file_epoll(tf) ||
		    (epds->events & ~EPOLLEXCLUSIVE_OK_BITS)))
			goto out_tgt_fput;
	}
	ep = f->private_data;
	if (op == EPOLL_CTL_ADD && is_file_epoll(tf)) {
		error = -ELOOP;
		if (!ep_loop_check(ep, tf->private_data))
			goto out_tgt_fput;
	}
	epi = ep_find(ep, tf, fd);
	error = -EINVAL;
	switch (op) {
	case EPOLL_CTL_ADD:
		if (epi) {
			error = -EEXIST;
			break;
		}
		epds->events |= EPOLLERR | EPOLLHUP;
		error = ep_insert(ep, epds, tf, fd);
		break;
	case EPOLL_CTL_DEL:
		error = -ENOENT;
		if (epi) {
			ep_remove(ep, epi);
			error = 0;
		}
		break;
	case EPOLL_CTL_MOD:
		if (!epi) {
			error = -ENOENT;
			break;
		}
		if (!(epi->event.events & EPOLLEXCLUSIVE)) {
			epds->events |= EPOLLERR | EPOLLHUP;
			error = ep_modify(ep, epi, epds);
		}
		break;
	}
out_tgt_fput:
	fput(tf);
out_fput:
	fput(f);
	return error;
}

SYSCALL_DEFINE4(epoll_ctl, int, epfd, int, op, int, fd, struct uptr, event)
{
	struct epoll_event epds = { 0 };

	if (op != EPOLL_CTL_DEL && copy_from_user(&epds, event, sizeof(epds)))
		return -EFAULT;
	return do_epoll_ctl(epfd, op, fd, &epds);
}

/* --- epoll_wait --- */

/*
 * Report up to maxevents ready items to the guest array (Linux
 * ep_send_events): 0 if every ready item turned out idle, the count, or
 * -EFAULT when nothing could be copied.
 */
static long ep_send_events(struct eventpoll *ep, struct uptr events,
			   int maxevents)
{
	struct list_head txlist;
	struct epitem *epi;
	long res = 0;

	INIT_LIST_HEAD(&txlist);
	if (!list_empty(&ep->rdllist)) {
		txlist.next = ep->rdllist.next;
		txlist.prev = ep->rdllist.prev;
		txlist.next->prev = &txlist;
		txlist.prev->next = &txlist;
		INIT_LIST_HEAD(&ep->rdllist);
	}
	/* txlist now holds the ready items; new wake-ups go to rdllist. */
	while (!list_empty(&txlist) && res < maxevents) {
		struct epoll_event ev;
		unsigned int revents;

		epi = list_first_entry(&txlist, struct epitem, rdllink);
		list_del_init(&epi->rdllink);
		epi->ready = false;
		revents = ep_item_poll(epi, NULL, 1);
		if (!revents)
			continue;
		ev.events = revents;
		ev.data = epi->event.data;
		if (copy_to_user(uptr_add(events, res * sizeof(ev)), &ev,
				 sizeof(ev))) {
			list_add(&epi->rdllink, &txlist);
			epi->ready = true;
			if (!res)
				res = -EFAULT;
			break;
		}
		res++;
		if (epi->event.events & EPOLLONESHOT)
			epi->event.events &= EP_PRIVATE_BITS;
		else if (!(epi->event.events & EPOLLET))
			ep_set_ready(epi);
	}
	/* Items not reached stay ready, ahead of the new ones. */
	while (!list_empty(&txlist)) {
		epi = list_entry(txlist.prev, struct epitem, rdllink);
		list_del_init(&epi->rdllink);
		list_add(&epi->rdllink, &ep->rdllist);
	}
	return res;
}

/* deadline: 0 none, ~0 do not wait, else ns since boot. -EINTR on a
 * signal (epoll_wait is never restarted). */
static long ep_poll(struct eventpoll *ep, struct uptr events, int maxevents,
		    uint64_t deadline)
{
	struct wait_queue_entry wait = { .task = current };
	long res;
	int ret;

	for (;;) {
		if (!list_empty(&ep->rdllist)) {
			res = ep_send_events(ep, events, maxevents);
			if (res)
				return res;
		}
		if (deadline == ~0ULL)
			return 0;
		if (signal_pending(current))
			return -EINTR;
		INIT_LIST_HEAD(&wait.entry);
		add_wait_queue(&ep->wq, &wait);
		if (list_empty(&ep->rdllist)) {
			if (deadline) {
				ret = schedule_timeout(deadline);
				if (ret == 0)
					deadline = ~0ULL;
			} else {
				schedule_sleep(true);
			}
		}
		remove_wait_queue(&ep->wq, &wait);
	}
}

static long do_epoll_wait(int epfd, struct uptr events, int maxevents,
			  uint64_t deadline)
{
	struct file *f;
	long ret;

	if (maxevents <= 0 || maxevents > EP_MAX_EVENTS)
		return -EINVAL;
	if (events.addr > TASK_SIZE_MAX ||
	    maxevents * sizeof(struct epoll_event) > TASK_SIZE_MAX - events.addr)
		return -EFAULT;
	f = fget(epfd);
	if (!f)
		return -EBADF;
	ret = -EINVAL;
	if (is_file_epoll(f))
		ret = ep_poll(f->private_data, events, maxevents, deadline);
	fput(f);
	return ret;
}

static uint64_t ms_deadline(int timeout)
{
	if (timeout < 0)
		return 0;
	if (timeout == 0)
		return ~0ULL;
	return ktime_get_ns() + timeout * 1000000ULL;
}

SYSCALL_DEFINE4(epoll_wait, int, epfd, struct uptr, events, int, maxevents, int, timeout)
{
	return do_epoll_wait(epfd, events, maxevents, ms_deadline(timeout));
}

/* The wait with sigmask installed; the old mask is restored, or kept for
 * the signal frame when a signal interrupted it (as ppoll). */
static long epoll_pwait_common(int epfd, struct uptr events, int maxevents,
			       uint64_t deadline, struct uptr usigmask,
			       size_t sigsetsize)
{
	uint64_t mask, saved = current->blocked;
	long ret;

	if (!uptr_null(usigmask)) {
		if (sigsetsize != sizeof(mask))
			return -EINVAL;
		if (copy_from_user(&mask, usigmask, sizeof(mask)))
			return -EFAULT;
		current->blocked = mask & ~(sigmask(SIGKILL) | sigmask(SIGSTOP));
	}
	ret = do_epoll_wait(epfd, events, maxevents, deadline);
	if (!uptr_null(usigmask)) {
		if (ret == -EINTR) {
			current->saved_sigmask = saved;
			current->restore_sigmask = true;
		} else {
			current->blocked = saved;
		}
	}
	return ret;
}

SYSCALL_DEFINE6(epoll_pwait, int, epfd, struct uptr, events, int, maxevents, int, timeout, struct uptr, usigmask, size_t, sigsetsize)
{
	return epoll_pwait_common(epfd, events, maxevents, ms_deadline(timeout),
				  usigmask, sigsetsize);
}

SYSCALL_DEFINE6(epoll_pwait2, int, epfd, struct uptr, events, int, maxevents, struct uptr, timeout, struct uptr, usigmask, size_t, sigsetsize)
{
	struct timespec ts;
	uint64_t deadline = 0;

	if (!uptr_null(timeout)) {
		if (copy_from_user(&ts, timeout, sizeof(ts)))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
			return -EINVAL;
		if (!ts.tv_sec && !ts.tv_nsec)
			deadline = ~0ULL;
		else if ((uint64_t)ts.tv_sec > 1000000000000ULL)
			deadline = 0;
		else
			deadline = ktime_get_ns() + ts.tv_sec * 1000000000ULL +
				   ts.tv_nsec;
	}
	return epoll_pwait_common(epfd, events, maxevents, deadline, usigmask,
				  sigsetsize);
}
