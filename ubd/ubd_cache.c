/*
 * ubd, kernel side: the block cache and the request path. Every byte a
 * filesystem or /dev/ubdX moves goes through 4 KiB pages of one cache
 * shared by all devices, bounded by mem= (half of it; a quarter of that may
 * be dirty or under write-back). A miss queues one read request for the
 * missing pages plus read-ahead on sequential access, and the calling task
 * sleeps until the I/O thread completes it (other tasks run meanwhile);
 * writes dirty pages that are written back in large sorted requests in the
 * background, on fsync/sync, after 5 seconds, or at once with the s flag.
 * The kernel thread never waits on host I/O, except outside any task (at
 * boot and shutdown), where nothing else could run anyway.
 * Requests of one device complete in order (ubd_user.c), so a flush
 * queued after write-backs covers them, and a read queued after a write
 * sees it.
 * Model: Linux mm/filemap.c, mm/readahead.c, mm/page-writeback.c, reduced
 * to what one kernel thread needs.
 */
#include <umk/kernel.h>
#include <umk/sched.h>
#include <umk/timer.h>
#include <umk/ubd.h>
#include <umk/sink.h>
#include <umk/mm.h>
#include <event.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include "ubd_kern.h"
#include "ubd_user.h"

#define PG_UPTODATE	0x1	/* data valid */
#define PG_DIRTY	0x2	/* on u->dirty, to be written back */
#define PG_LOCKED	0x4	/* a read request is filling it */
#define PG_READAHEAD	0x8	/* first page of the last async window */
#define PG_WRITEBACK	0x10	/* a write request is writing data */
#define PG_WB_FIRST	0x20	/* dirty: written back before the others */
#define PG_WB_LAST	0x40	/* dirty: written back after the others */
#define PG_WB_ORDER	(PG_WB_FIRST | PG_WB_LAST)

#define RA_MIN_PAGES	4	/* a random miss reads 16 KiB */
#define RA_MAX_PAGES	512	/* read-ahead grows up to 2 MiB */
#define WB_MAX_PAGES	256	/* one write-back request: up to 1 MiB */
#define WB_EXPIRE_NS	(5ULL * 1000000000)	/* dirty data waits 5 s */
#define EVICT_SCAN	1024	/* LRU pages looked at for a victim */
#define CHUNK_PAGES	512	/* pages get their memory 2 MiB at a time */


/* One cached page of one device. Owned by the cache. */
struct ubd_page {
	struct ubd *u;
	uint64_t index;			/* byte offset / PAGE_SIZE */
	unsigned int flags;		/* PG_* */
	struct ubd_page *hnext;		/* hash chain */
	struct list_head lru;		/* in lru, least recently used first */
	struct list_head dirty;		/* in u->dirty while PG_DIRTY */
	uint8_t *data;			/* a frame of PAGE_SIZE bytes */
};

/* A request of the kernel side: the host request plus what completes it. */
struct ubd_io {
	struct ubd_req req;
	struct ubd *u;
	uint64_t first;			/* reads: first page index */
	uint64_t npages;
	bool waited;			/* a caller waits and frees it */
	bool complete;
	struct iovec *iov;		/* the pages' frames */
	struct ubd_page **pages;	/* writes: the pages written */
};

static struct ubd_page **hash;
static struct ubd_page *free_pages;	/* unused, linked by hnext */
static void *free_frames;		/* unused frames, linked by 1st word */
static unsigned long hash_mask;
static LIST_HEAD(lru);
static unsigned long nr_pages;		/* pages in the cache */
static unsigned long max_pages;		/* from mem= */
static unsigned long nr_dirty_total;
static uint64_t wb_bytes;		/* bytes in queued write-backs */
static uint64_t wb_limit;		/* writers wait above this */
static unsigned long inflight;		/* requests queued, all devices */
static bool async_ok;			/* the event loop reaps completions */
static struct wait_queue_head ubd_wq = WAIT_QUEUE_HEAD_INIT(ubd_wq);
static struct timer_list wb_timer;

/* ------------------------------------------------------------------ */
/* Completions and waiting.                                            */

/* Run the callbacks of every completed request, then wake the sleepers. */
static void reap(void)
{
	struct ubd_req *r = ubd_user_reap(), *next;

	if (!r)
		return;
	for (; r; r = next) {
		next = r->next;
		inflight--;
		r->done(r);
	}
	wake_up(&ubd_wq);
}

/* The event loop: the I/O threads' eventfd is readable. */
static void ubd_event(int fd, unsigned int revents, void *data)
{
	reap();
}

/*
 * May the caller sleep? Only a task running on its own kernel stack, once
 * the event loop watches the completions: boot code (a context without a
 * stack) and shutdown code on the loop's stack wait on the host instead.
 */
static bool can_sleep(void)
{
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0), base;

	if (!async_ok || !current || !current->kstack)
		return false;
	base = (uintptr_t)current->kstack;
	return sp >= base && sp < base + current->kstack_size;
}

/* Wait until cond holds; cond only changes when a request completes. */
#define ubd_wait(cond)							\
do {									\
	if (can_sleep()) {						\
		wait_event(ubd_wq, cond);				\
		break;							\
	}								\
	while (!(cond) && inflight) {					\
		ubd_user_wait();					\
		reap();							\
	}								\
} while (0)

static void io_submit(struct ubd *u, struct ubd_io *io)
{
	io->u = u;
	inflight++;
	ubd_user_submit(u->host, &io->req);
}

/* A waited request's callback: mark it complete (the waiter frees it). */
static void waited_done(struct ubd_req *r)
{
	struct ubd_io *io = container_of(r, struct ubd_io, req);

	io->complete = true;
}

static void flush_done(struct ubd_req *r)
{
	struct ubd_io *io = container_of(r, struct ubd_io, req);

	io->u->flushes_inflight--;
	waited_done(r);
}

/* Queue a request without data (flush, discard), wait, return its error. */
static int io_wait(struct ubd *u, enum ubd_op op, uint64_t off, uint64_t len)
{
	struct ubd_io *io = kzalloc(sizeof(*io));
	int err;

	if (!io)
		return -ENOMEM;
	io->req.op = op;
	io->req.off = off;
	io->req.len = len;
	io->req.done = op == UBD_OP_FLUSH ? flush_done : waited_done;
	io->waited = true;
	if (op == UBD_OP_FLUSH)
		u->flushes_inflight++;
	io_submit(u, io);
	ubd_wait(io->complete);
	err = io->req.error;
	kfree(io);
	return err;
}

/* A failed host transfer: logged as Linux logs a failed request. */
static int io_error(const struct ubd *u, const char *op, uint64_t off,
		    uint64_t len, int err)
{
	printk(KERN_ERR "I/O error, dev ubd%c, %s of %llu bytes at byte %llu: "
	       "host error %d\n", 'a' + u->index, op, (unsigned long long)len,
	       (unsigned long long)off, -err);
	return -EIO;
}

/* ------------------------------------------------------------------ */
/* Pages.                                                              */

static unsigned long hash_of(const struct ubd *u, uint64_t index)
{
	return ((index ^ ((uint64_t)u->index << 40)) *
		0x9E3779B97F4A7C15ULL >> 20) & hash_mask;
}

static struct ubd_page *find_page(const struct ubd *u, uint64_t index)
{
	struct ubd_page *p;

	for (p = hash[hash_of(u, index)]; p; p = p->hnext)
		if (p->u == u && p->index == index)
			return p;
	return NULL;
}

static bool page_locked(const struct ubd *u, uint64_t index)
{
	struct ubd_page *p = find_page(u, index);

	return p && (p->flags & PG_LOCKED);
}

/* Bytes of page index inside the device (the last one may be short). */
static size_t page_len(const struct ubd *u, uint64_t index)
{
	return min((uint64_t)PAGE_SIZE, u->size - index * PAGE_SIZE);
}

static uint64_t dev_pages(const struct ubd *u)
{
	return (u->size + PAGE_SIZE - 1) / PAGE_SIZE;
}

static void unhash(struct ubd_page *p)
{
	struct ubd_page **pp = &hash[hash_of(p->u, p->index)];

	while (*pp != p)
		pp = &(*pp)->hnext;
	*pp = p->hnext;
}

static void clear_dirty(struct ubd_page *p)
{
	if (!(p->flags & PG_DIRTY))
		return;
	p->flags &= ~(PG_DIRTY | PG_WB_ORDER);
	list_del_init(&p->dirty);
	p->u->nr_dirty--;
	nr_dirty_total--;
}

/*
 * Page frames: 4 KiB of memory each, taken from the host 2 MiB at a time
 * and faulted in at once. A frame belongs to one page, or to a write
 * request that still writes it after its page got a new frame
 * (frame_swap).
 */
static int grow_frames(void)
{
	uint8_t *mem = ubd_user_alloc_frames(CHUNK_PAGES * PAGE_SIZE);

	if (!mem)
		return -ENOMEM;
	for (int i = 0; i < CHUNK_PAGES; i++) {
		*(void **)(mem + i * PAGE_SIZE) = free_frames;
		free_frames = mem + i * PAGE_SIZE;
	}
	return 0;
}

static uint8_t *frame_alloc(void)
{
	uint8_t *f;

	if (!free_frames && grow_frames())
		return NULL;
	f = free_frames;
	free_frames = *(void **)f;
	return f;
}

static void frame_free(uint8_t *f)
{
	*(void **)f = free_frames;
	free_frames = f;
}

/* A page record without a frame; records are never given back to the
 * host, so a write request may look at one after its page went. */
static struct ubd_page *struct_alloc(void)
{
	struct ubd_page *p;

	if (!free_pages) {
		struct ubd_page *v = kzalloc(CHUNK_PAGES * sizeof(*v));

		if (!v)
			return NULL;
		for (int i = 0; i < CHUNK_PAGES; i++) {
			v[i].hnext = free_pages;
			free_pages = &v[i];
		}
	}
	p = free_pages;
	free_pages = p->hnext;
	INIT_LIST_HEAD(&p->lru);
	INIT_LIST_HEAD(&p->dirty);
	return p;
}

/* Drop a page that is not locked. A frame under write-back stays with
 * its request, which frees it when done. */
static void page_free(struct ubd_page *p)
{
	clear_dirty(p);
	unhash(p);
	list_del_init(&p->lru);
	nr_pages--;
	if (!(p->flags & PG_WRITEBACK))
		frame_free(p->data);
	p->data = NULL;
	p->flags = 0;
	p->hnext = free_pages;
	free_pages = p;
}

/* Before changing a page under write-back: give it a copy in a new
 * frame, the old one stays with the request (Linux would wait for it).
 * 0 or -ENOMEM. */
static int frame_swap(struct ubd_page *p)
{
	uint8_t *f;

	if (!(p->flags & PG_WRITEBACK))
		return 0;
	f = frame_alloc();
	if (!f)
		return -ENOMEM;
	memcpy(f, p->data, PAGE_SIZE);
	p->data = f;
	p->flags &= ~PG_WRITEBACK;
	return 0;
}

static void writeback_all(void);

/* A clean, unlocked page near the cold end of the LRU, unhashed for
 * reuse; NULL if none is found quickly. */
static struct ubd_page *evict_one(void)
{
	struct ubd_page *p;
	int scanned = 0;

	list_for_each_entry(p, &lru, lru) {
		if (++scanned > EVICT_SCAN)
			break;
		if (p->flags & (PG_LOCKED | PG_DIRTY | PG_WRITEBACK))
			continue;
		unhash(p);
		list_del_init(&p->lru);
		nr_pages--;
		return p;
	}
	return NULL;
}

/*
 * A new page for (u, index), hashed, at the hot end of the LRU, flags 0.
 * Reuses an evicted page when the cache is full; when every page near the
 * cold end is dirty it starts write-back and grows past the limit for now.
 */
static struct ubd_page *page_alloc(struct ubd *u, uint64_t index)
{
	struct ubd_page *p = NULL;
	unsigned long h;

	if (nr_pages >= max_pages) {
		p = evict_one();
		if (!p)
			writeback_all();
	}
	if (!p) {
		p = struct_alloc();
		if (!p)
			return NULL;
		p->data = frame_alloc();
		if (!p->data) {
			p->hnext = free_pages;
			free_pages = p;
			return NULL;
		}
	}
	p->u = u;
	p->index = index;
	p->flags = 0;
	INIT_LIST_HEAD(&p->dirty);
	h = hash_of(u, index);
	p->hnext = hash[h];
	hash[h] = p;
	list_add_tail(&p->lru, &lru);
	nr_pages++;
	return p;
}

static void touch(struct ubd_page *p)
{
	list_del_init(&p->lru);
	list_add_tail(&p->lru, &lru);
}

static void wb_timer_fn(struct timer_list *t)
{
	writeback_all();
}

static void set_dirty(struct ubd_page *p)
{
	if (p->flags & PG_DIRTY)
		return;
	p->flags |= PG_DIRTY;
	list_add_tail(&p->dirty, &p->u->dirty);
	p->u->nr_dirty++;
	nr_dirty_total++;
	if (!wb_timer.pending) {
		wb_timer.fn = wb_timer_fn;
		wb_timer.expires = ktime_get_ns() + WB_EXPIRE_NS;
		add_timer(&wb_timer);
	}
}

/* ------------------------------------------------------------------ */
/* Reading.                                                            */

static void read_done(struct ubd_req *r)
{
	struct ubd_io *io = container_of(r, struct ubd_io, req);
	struct ubd *u = io->u;
	uint64_t i;

	for (i = 0; i < io->npages; i++) {
		struct ubd_page *p = find_page(u, io->first + i);

		if (!p)
			continue;
		if (r->error)
			page_free(p);
		else
			p->flags = (p->flags & PG_READAHEAD) | PG_UPTODATE;
	}
	if (r->error && !io->waited)
		io_error(u, "read-ahead", r->off, r->len, r->error);
	u->reads_inflight--;
	kfree(io->iov);
	io->iov = NULL;
	io->complete = true;
	if (!io->waited)
		kfree(io);
}

/*
 * Queue one read of up to count pages from index: the window stops at the
 * device end and at the first page already cached; its pages go into the
 * cache locked. mark sets PG_READAHEAD on the first one. Returns the
 * request (with waited set, for the caller to wait on and free) or NULL
 * when there was nothing to read; *queued is the number of pages.
 */
static struct ubd_io *read_pages(struct ubd *u, uint64_t index,
				 uint64_t count, bool waited, bool mark,
				 uint64_t *queued, int *err)
{
	struct ubd_io *io;
	struct iovec *iov;
	uint64_t n = 0, bytes = 0;

	*queued = 0;
	*err = 0;
	count = min(count, dev_pages(u) - min(index, dev_pages(u)));
	count = min(count, (uint64_t)UBD_MAX_IOV);
	while (n < count && !find_page(u, index + n))
		n++;
	if (!n)
		return NULL;
	io = kzalloc(sizeof(*io));
	iov = kmalloc(n * sizeof(*iov));
	if (!io || !iov)
		goto out_nomem;
	for (uint64_t i = 0; i < n; i++) {
		struct ubd_page *p = page_alloc(u, index + i);

		if (!p) {
			n = i;
			if (!n)
				goto out_nomem;
			break;
		}
		p->flags = PG_LOCKED | (mark && !i ? PG_READAHEAD : 0);
		iov[i].iov_base = p->data;
		iov[i].iov_len = page_len(u, index + i);
		bytes += iov[i].iov_len;
	}
	io->req.op = UBD_OP_READ;
	io->req.off = index * PAGE_SIZE;
	io->req.len = bytes;
	io->req.iov = iov;
	io->req.iovcnt = n;
	io->req.done = read_done;
	io->iov = iov;
	io->first = index;
	io->npages = n;
	io->waited = waited;
	u->reads_inflight++;
	io_submit(u, io);
	*queued = n;
	return io;

out_nomem:
	kfree(io);
	kfree(iov);
	*err = -ENOMEM;
	return NULL;
}

/* Wait for a read from read_pages and free it: its error. */
static int read_wait(struct ubd_io *io)
{
	int err;

	ubd_wait(io->complete);
	err = io->req.error;
	kfree(io);
	return err;
}

/* The page at u->ra_next onwards, without waiting (async read-ahead). */
static void readahead_async(struct ubd *u)
{
	uint64_t queued;
	int err;

	read_pages(u, u->ra_next, u->ra_pages, false, true, &queued, &err);
	u->ra_next += queued;
}

static unsigned int ra_max(void)
{
	return min((unsigned long)RA_MAX_PAGES, max(max_pages / 8, 1UL));
}

/*
 * A miss at page index of a read that wants pages up to last. Reads the
 * pages wanted (at least the read-ahead window) and waits for them; when
 * the access continues the previous window, the window grows and the next
 * one is queued behind it at once (Linux ondemand_readahead, simplified).
 */
static int read_miss(struct ubd *u, uint64_t index, uint64_t last)
{
	bool seq = index == u->ra_next && u->ra_pages;
	uint64_t want = last - index + 1, queued;
	struct ubd_io *io;
	int err;

	u->ra_pages = seq ? min(u->ra_pages * 4, ra_max()) :
			    min((unsigned int)RA_MIN_PAGES, ra_max());
	want = min(max(want, (uint64_t)u->ra_pages), (uint64_t)UBD_MAX_IOV);
	io = read_pages(u, index, want, true, false, &queued, &err);
	if (!io)
		return err;
	u->ra_next = index + queued;
	if (seq)
		readahead_async(u);
	return read_wait(io);
}

int ubd_read_sink(struct ubd *u, struct read_sink *s, uint64_t off,
		  size_t len)
{
	int err;

	if (!u || !u->host || off > u->size || len > u->size - off)
		return -EIO;
	while (len) {
		uint64_t index = off / PAGE_SIZE;
		size_t pofs = off % PAGE_SIZE;
		size_t n = min(len, page_len(u, index) - pofs);
		struct ubd_page *p = find_page(u, index);

		/* Pages handed to s may be evicted or refilled once a read
		 * request allocates pages or the task sleeps: s takes them
		 * before either. */
		if (!p || (p->flags & PG_LOCKED)) {
			err = s->flush(s);
			if (err)
				return err;
		}
		if (!p) {
			err = read_miss(u, index, (off + len - 1) / PAGE_SIZE);
			if (err)
				return io_error(u, "read", off, len, err);
			continue;
		}
		if (p->flags & PG_LOCKED) {
			ubd_wait(!page_locked(u, index));
			continue;
		}
		err = s->put(s, p->data + pofs, n);
		if (err)
			return err;
		touch(p);
		if (p->flags & PG_READAHEAD) {
			p->flags &= ~PG_READAHEAD;
			u->ra_pages = min(u->ra_pages * 2, ra_max());
			err = s->flush(s);
			if (err)
				return err;
			readahead_async(u);
		}
		off += n;
		len -= n;
	}
	return s->flush(s);
}

int ubd_read(struct ubd *u, void *buf, uint64_t off, size_t len)
{
	struct buf_sink b = BUF_SINK(buf);

	return ubd_read_sink(u, &b.s, off, len);
}

/* ------------------------------------------------------------------ */
/* Writing back.                                                       */

static void write_done(struct ubd_req *r)
{
	struct ubd_io *io = container_of(r, struct ubd_io, req);
	struct ubd *u = io->u;

	if (r->error) {
		io_error(u, "write", r->off, r->len, r->error);
		u->wb_err = r->error;
	}
	for (int i = 0; i < r->iovcnt; i++) {
		struct ubd_page *p = io->pages[i];

		if (p->data == io->iov[i].iov_base)
			p->flags &= ~PG_WRITEBACK;
		else
			frame_free(io->iov[i].iov_base);
	}
	u->writes_inflight--;
	wb_bytes -= r->len;
	kfree(io->iov);
	kfree(io->pages);
	kfree(io);
}

/* Where a dirty page goes in a write-back: 0 first, 1, 2 last. */
static int wb_rank(const struct ubd_page *p)
{
	return p->flags & PG_WB_FIRST ? 0 : p->flags & PG_WB_LAST ? 2 : 1;
}

/* Write-back order: by rank (ubd_write_ordered), then block order. */
static int cmp_wb(const void *a, const void *b)
{
	const struct ubd_page *p = *(struct ubd_page *const *)a;
	const struct ubd_page *q = *(struct ubd_page *const *)b;

	if (wb_rank(p) != wb_rank(q))
		return wb_rank(p) - wb_rank(q);
	return p->index < q->index ? -1 : p->index > q->index;
}

/* Queue one write of the n sorted, contiguous dirty pages in v, straight
 * from their frames; they stay cached, clean, under write-back. */
static int write_run(struct ubd *u, struct ubd_page **v, size_t n)
{
	struct ubd_io *io;
	size_t bytes = 0, i;

	u->writes_queued++;
	if (u->drop_after == 0) {	/* fault injection: lost as in a crash */
		for (i = 0; i < n; i++)
			clear_dirty(v[i]);
		return 0;
	}
	io = kzalloc(sizeof(*io));
	if (io) {
		io->iov = kmalloc(n * sizeof(*io->iov));
		io->pages = kmalloc(n * sizeof(*io->pages));
	}
	if (!io || !io->iov || !io->pages) {
		if (io) {
			kfree(io->iov);
			kfree(io->pages);
		}
		kfree(io);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		io->iov[i].iov_base = v[i]->data;
		io->iov[i].iov_len = page_len(u, v[i]->index);
		io->pages[i] = v[i];
		bytes += io->iov[i].iov_len;
		clear_dirty(v[i]);
		v[i]->flags |= PG_WRITEBACK;
	}
	if (u->drop_after > 0)
		u->drop_after--;
	io->req.op = UBD_OP_WRITE;
	io->req.off = v[0]->index * PAGE_SIZE;
	io->req.len = bytes;
	io->req.iov = io->iov;
	io->req.iovcnt = n;
	io->req.done = write_done;
	u->writes_inflight++;
	u->need_flush = true;
	wb_bytes += bytes;
	io_submit(u, io);
	return 0;
}

/*
 * Queue every dirty page of u as writes of contiguous runs: the pages of
 * UBD_WB_FIRST writes, then the others, then those of UBD_WB_LAST, each
 * in block order. Requests complete in order, so a crash part way leaves
 * a prefix of that order on the host. The pages stay cached, clean.
 * Never sleeps. 0 or -ENOMEM (pages left dirty).
 */
static int writeback(struct ubd *u)
{
	struct ubd_page **v, *p;
	size_t n = 0, i, j;
	int err = 0;

	if (!u->nr_dirty)
		return 0;
	v = kmalloc(u->nr_dirty * sizeof(*v));
	if (!v)
		return -ENOMEM;
	list_for_each_entry(p, &u->dirty, dirty)
		v[n++] = p;
	u->writebacks++;
	qsort(v, n, sizeof(*v), cmp_wb);
	for (i = 0; i < n && !err; i = j) {
		for (j = i + 1; j < n && j - i < WB_MAX_PAGES &&
		     v[j]->index == v[j - 1]->index + 1 &&
		     wb_rank(v[j]) == wb_rank(v[i]); j++)
			;
		err = write_run(u, v + i, j - i);
	}
	kfree(v);
	return err;
}

static void writeback_all(void)
{
	for (int n = 0; n < UBD_MAX_DEV; n++) {
		struct ubd *u = ubd_get(n);

		if (u && u->host && u->nr_dirty)
			writeback(u);
	}
}

/* Keep dirty data and queued write-backs within their share of mem=:
 * start write-back early, and make the writer wait when the disk lags. */
static void balance_dirty(void)
{
	if (nr_dirty_total * PAGE_SIZE > wb_limit / 2)
		writeback_all();
	if (wb_bytes > wb_limit)
		ubd_wait(wb_bytes <= wb_limit / 2);
}

/* ------------------------------------------------------------------ */
/* Writing.                                                            */

int ubd_write(struct ubd *u, const void *buf, uint64_t off, size_t len)
{
	return ubd_write_ordered(u, buf, off, len, UBD_WB_NORMAL);
}

int ubd_write_ordered(struct ubd *u, const void *buf, uint64_t off,
		      size_t len, enum ubd_wb_order order)
{
	unsigned int want = order == UBD_WB_FIRST ? PG_WB_FIRST :
			    order == UBD_WB_LAST ? PG_WB_LAST : 0;
	const char *src = buf;
	uint64_t queued;
	int err;

	if (!u || !u->host || off > u->size || len > u->size - off)
		return -EIO;
	if (u->readonly)
		return -EROFS;
	while (len) {
		uint64_t index = off / PAGE_SIZE;
		size_t pofs = off % PAGE_SIZE;
		size_t n = min(len, page_len(u, index) - pofs);
		struct ubd_page *p = find_page(u, index);

		if (p && (p->flags & PG_LOCKED)) {
			ubd_wait(!page_locked(u, index));
			continue;
		}
		if (!p && (pofs || n < page_len(u, index))) {
			struct ubd_io *io = read_pages(u, index, 1, true, false,
						       &queued, &err);
			if (io)
				err = read_wait(io);
			if (err)
				return io_error(u, "read", off, n, err);
			continue;
		}
		if (!p) {
			p = page_alloc(u, index);
			if (!p)
				return -ENOMEM;
			p->flags = PG_UPTODATE;
		}
		/* A page dirty for the other end of the order: what is dirty
		 * goes first, so neither change overtakes the other. */
		if (want && (p->flags & PG_DIRTY) &&
		    (p->flags & PG_WB_ORDER & ~want) && writeback(u))
			return -ENOMEM;
		if (frame_swap(p))
			return -ENOMEM;
		memcpy(p->data + pofs, src, n);
		set_dirty(p);
		p->flags |= want;
		touch(p);
		src += n;
		off += n;
		len -= n;
	}
	if (u->flags & UBD_FLAG_SYNC) {
		err = writeback(u);
		ubd_wait(!u->writes_inflight);
		if (!err && u->wb_err)
			err = -EIO;
		u->wb_err = 0;
		return err;
	}
	balance_dirty();
	return 0;
}

int ubd_write_barrier(struct ubd *u)
{
	return writeback(u);
}

void ubd_fail_writes_after(struct ubd *u, long n)
{
	u->drop_after = n;
}

unsigned long ubd_writebacks(struct ubd *u)
{
	return u->writebacks;
}

unsigned long ubd_writes_queued(struct ubd *u)
{
	return u->writes_queued;
}

int ubd_flush(struct ubd *u)
{
	int err, ret = 0;

	if (!u || !u->host)
		return -EIO;
	if (u->readonly)
		return 0;
	if (writeback(u))
		ret = -EIO;
	if (u->need_flush || u->flushes_inflight) {
		u->need_flush = false;
		err = io_wait(u, UBD_OP_FLUSH, 0, 0);
		if (err)
			ret = io_error(u, "flush", 0, 0, err);
	}
	if (u->wb_err) {
		u->wb_err = 0;
		ret = -EIO;
	}
	return ret;
}

void ubd_sync_all(void)
{
	for (int n = 0; n < UBD_MAX_DEV; n++) {
		struct ubd *u = ubd_get(n);

		if (u && u->host)
			ubd_flush(u);
	}
}

/* Drop u's pages that are clean, unlocked and within [first, last]. */
static void drop_pages(struct ubd *u, uint64_t first, uint64_t last)
{
	struct ubd_page *p, *n;

	list_for_each_entry_safe(p, n, &lru, lru)
		if (p->u == u && p->index >= first && p->index <= last &&
		    !(p->flags & (PG_LOCKED | PG_DIRTY)))
			page_free(p);
}

int ubd_discard(struct ubd *u, uint64_t off, uint64_t len)
{
	int err;

	if (!u || !u->host)
		return -EIO;
	if ((off | len) % UBD_SECTOR_SIZE || off > u->size ||
	    len > u->size - off)
		return -EINVAL;
	if (u->readonly)
		return -EROFS;
	if (u->flags & UBD_FLAG_NOTRIM)
		return -EOPNOTSUPP;
	if (!len)
		return 0;
	ubd_wait(!u->reads_inflight);
	if (writeback(u))
		return -EIO;
	drop_pages(u, off / PAGE_SIZE, (off + len - 1) / PAGE_SIZE);
	u->need_flush = true;
	err = io_wait(u, UBD_OP_DISCARD, off, len);
	if (err == -EOPNOTSUPP || err == -ENOMEM)
		return err;
	return err ? io_error(u, "discard", off, len, err) : 0;
}

int ubd_cache_invalidate(struct ubd *u)
{
	int err = ubd_flush(u);

	drop_pages(u, 0, UINT64_MAX);
	return err;
}

void ubd_cache_release(struct ubd *u)
{
	ubd_flush(u);
	ubd_wait(!u->reads_inflight && !u->writes_inflight &&
		 !u->flushes_inflight);
	/* Pages still dirty here could not be written: drop them too. */
	while (!list_empty(&u->dirty))
		clear_dirty(list_first_entry(&u->dirty, struct ubd_page, dirty));
	drop_pages(u, 0, UINT64_MAX);
	u->ra_next = 0;
	u->ra_pages = 0;
}

uint64_t ubd_cache_bytes(void)
{
	return (uint64_t)nr_pages * PAGE_SIZE;
}

/* ------------------------------------------------------------------ */
/* Set-up.                                                             */

int ubd_cache_setup(void)
{
	unsigned long buckets = 1024;

	if (hash)
		return 0;
	max_pages = max(totalram_bytes / 2 / PAGE_SIZE, 256UL);
	wb_limit = max_pages * PAGE_SIZE / 4;
	while (buckets < max_pages / 2)
		buckets <<= 1;
	hash = kzalloc(buckets * sizeof(*hash));
	if (!hash)
		return -ENOMEM;
	hash_mask = buckets - 1;
	return 0;
}

int ubd_cache_init(void)
{
	int fd, err = ubd_cache_setup();

	if (err)
		return err;
	fd = ubd_user_event_fd();
	if (fd < 0)
		return fd;
	err = os_event_add(fd, POLLIN | EVENT_KICKED, ubd_event, NULL);
	if (err)
		return err;
	async_ok = true;
	return 0;
}
