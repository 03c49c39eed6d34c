/*
 * Page caches of guest-mapped files (include/umk/filemap.h). The host never
 * sees a guest file; what a guest maps is a host memfd that umk fills from
 * the file and keeps coherent with read, write and truncate while it
 * exists. The task receives the memfd over umk's fd channel
 * (mmap_host_memfd, arch/um/kernel/stub.c) and maps it, so MAP_SHARED stores
 * are seen by the kernel and other processes, and access past the end of
 * the file raises SIGBUS. A mapping that may not write the file gets a
 * read-only reopening of the memfd, so the host refuses writes to it.
 * exec maps its ELF segments privately from the same memfds.
 * A cache nobody maps any more stays, without holding its inode, on an LRU
 * bounded by mem= while its file lives on a block-device filesystem (whose
 * data changes only through the VFS), so the next exec or mmap of the file
 * finds it filled; it goes when its inode is evicted or the LRU is full.
 * Model: Linux mm/filemap.c, mm/msync.c (a whole-file writeback).
 */
#include <umk/filemap.h>
#include <umk/mm.h>
#include <umk/sched.h>
#include <mode.h>
#include <os.h>
#include <stub.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>

struct page_cache {
	int fd;			/* host memfd holding the file's bytes */
	int ro_fd;		/* the same, opened read-only */
	loff_t size;		/* its size: the file's i_size */
	int users;		/* file_vmas and callers holding it */
	struct file *wb_file;	/* open for writing: for writeback, or NULL */
	struct inode *inode;	/* referenced while users > 0 */
	struct list_head list;	/* in caches */
	struct list_head lru;	/* in unused_caches while users == 0 */
	loff_t lru_bytes;	/* what it counts in unused_bytes there */
	bool filling;		/* its first fill is under way; a failed fill
				 * leaves it detached: inode->i_cache != it */
	struct wait_queue_head fill_wait;	/* users waiting for the fill */
};

static LIST_HEAD(caches);
/* Caches nobody uses, least recently used first, and their bytes: at most
 * an eighth of mem=. */
static LIST_HEAD(unused_caches);
static uint64_t unused_bytes;

static uint64_t unused_limit(void)
{
	return totalram_bytes / 8;
}

#define CHUNK (128 * 1024)
/* A fill lets other tasks run after this many chunks or ranges (4 MiB). */
#define FILL_BATCH 32
#define min3(a, b, c) min(min(a, b), c)

/*
 * The next range [*start, *end) at or after pos that may hold data, by
 * the file's SEEK_DATA and SEEK_HOLE (without them all of the file may).
 * false when only a hole is left. The seeks move the position of a copy
 * of f, never f's own: an llseek may sleep (ext2's takes s_lock), and
 * another task reading f meanwhile must keep what it moved.
 */
static bool next_data(struct file *f, loff_t pos, loff_t size, loff_t *start,
		      loff_t *end)
{
	loff_t (*seek)(struct file *, loff_t, int) =
		f->f_op->llseek ? f->f_op->llseek : generic_file_llseek;
	struct file probe = *f;
	loff_t d, h;

	d = seek(&probe, pos, SEEK_DATA);
	h = d < 0 ? d : seek(&probe, d, SEEK_HOLE);
	if (d < 0 || d >= size)
		return false;
	*start = d;
	*end = h < 0 || h > size ? size : h;
	return true;
}

static bool all_zero(const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (buf[i])
			return false;
	return true;
}

/*
 * Every FILL_BATCH steps of a fill: let the other tasks run (a huge file
 * costs its own task's time, not the kernel's), and give up with -EINTR
 * when the task is being killed. 0 or -EINTR.
 */
static int fill_step(unsigned int *steps)
{
	if (++*steps % FILL_BATCH)
		return 0;
	cond_resched();
	return fatal_signal_pending(current) ? -EINTR : 0;
}

/*
 * Fill a new cache from the file through its filesystem. Holes and pages
 * of zeros are never written into the memfd, so a sparse file costs the
 * host only what it really holds. The cache is the inode's already
 * (c->filling): a write meanwhile reaches the memfd too, and a truncate
 * moves c->size, so what the fill has passed stays right. 0, -EINTR (a
 * fatal signal), -ENOMEM, -EIO.
 */
static int fill_cache(struct page_cache *c, struct file *f)
{
	char *buf = kmalloc(CHUNK);
	loff_t pos = 0, start, end;
	unsigned int steps = 0;
	int err = 0;

	if (!buf)
		return -ENOMEM;
	while (!err && next_data(f, pos, c->size, &start, &end)) {
		for (pos = start; pos < min(end, c->size) && !err; ) {
			loff_t at = pos;
			ssize_t n = f->f_op->read(f, buf, min((loff_t)CHUNK,
							     end - pos), &at);

			if (n <= 0) {
				err = n < 0 ? n : 0;
				end = pos = c->size;
				break;
			}
			if (!all_zero(buf, n) && os_pwrite(c->fd, buf, n, pos) != n) {
				err = -EIO;
				break;
			}
			pos += n;
			err = fill_step(&steps);
		}
		if (!err)
			err = fill_step(&steps);
	}
	kfree(buf);
	return err;
}

/* Take a use of c: its inode is referenced while c has users. */
static void cache_hold(struct page_cache *c)
{
	if (c->users++ > 0)
		return;
	if (!list_empty(&c->lru)) {
		list_del_init(&c->lru);
		unused_bytes -= c->lru_bytes;
	}
	ihold(c->inode);
}

static void put_cache(struct page_cache *c);

/* Close c's memfds and free it (it is on no list). */
static void destroy_cache(struct page_cache *c)
{
	os_close(c->ro_fd);
	os_close(c->fd);
	kfree(c);
}

/* Drop a use of c, whose fill failed and which its inode no longer has:
 * the last use frees it. */
static void put_failed_cache(struct page_cache *c)
{
	struct inode *inode = c->inode;

	if (--c->users > 0)
		return;
	destroy_cache(c);
	iput(inode);
}

/*
 * Wait, holding a use of c, until its fill is over: 0 when c is filled,
 * 1 when the fill failed (c is put; look again), -EINTR when the current
 * task is being killed (c is put).
 */
static int wait_filled(struct page_cache *c)
{
	struct wait_queue_entry w = { .task = current };

	add_wait_queue(&c->fill_wait, &w);
	while (c->filling && !fatal_signal_pending(current))
		schedule_sleep(true);
	remove_wait_queue(&c->fill_wait, &w);
	if (c->filling) {	/* the filler holds a use: not the last */
		put_cache(c);
		return -EINTR;
	}
	if (c->inode->i_cache == c)
		return 0;
	put_failed_cache(c);
	return 1;
}

/*
 * inode's page cache, filled from f on first use, with a use taken; or
 * ERR_PTR(-ENOMEM, -EIO, -EINTR). The cache is the inode's while it is
 * filled, so reads go to the filesystem meanwhile (filemap_active) and
 * other users wait for the fill rather than start their own.
 */
static struct page_cache *get_cache(struct inode *inode, struct file *f)
{
	struct page_cache *c;
	int err;

again:
	c = inode->i_cache;
	if (c) {
		cache_hold(c);
		err = c->filling ? wait_filled(c) : 0;
		if (err > 0)
			goto again;
		return err ? ERR_PTR(err) : c;
	}
	c = kzalloc(sizeof(*c));
	if (!c)
		return ERR_PTR(-ENOMEM);
	INIT_LIST_HEAD(&c->lru);
	init_waitqueue_head(&c->fill_wait);
	c->fd = os_memfd("umk-pagecache");
	if (c->fd < 0) {
		err = c->fd;
		goto out_free;
	}
	c->ro_fd = os_reopen_rdonly(c->fd);
	if (c->ro_fd < 0) {
		err = c->ro_fd;
		os_close(c->fd);
		goto out_free;
	}
	c->size = inode->i_size;
	err = os_ftruncate(c->fd, c->size);
	if (err)
		goto out_close;
	c->inode = inode;
	inode->i_cache = c;
	list_add_tail(&c->list, &caches);
	cache_hold(c);
	c->filling = true;
	err = fill_cache(c, f);
	c->filling = false;
	if (err) {
		inode->i_cache = NULL;
		list_del_init(&c->list);
	}
	wake_up(&c->fill_wait);
	if (err) {
		put_failed_cache(c);
		return ERR_PTR(err);
	}
	return c;
out_close:
	destroy_cache(c);
	return ERR_PTR(err);
out_free:
	kfree(c);
	return ERR_PTR(err);
}

uint64_t filemap_cache_bytes(void)
{
	struct page_cache *c;
	uint64_t sum = 0;

	/* A cache nobody maps is the kernel's to drop, as Linux's clean page
	 * cache is reclaimable: not the guest's memory. */
	list_for_each_entry(c, &caches, list)
		if (c->users)
			sum += os_memfd_bytes(c->fd);
	return sum;
}

int filemap_writeback(struct inode *inode)
{
	struct page_cache *c = inode->i_cache;
	char *buf;
	loff_t pos = 0;
	int err = 0;

	if (!c || !c->wb_file)
		return 0;
	buf = kmalloc(CHUNK);
	if (!buf)
		return -ENOMEM;
	while (pos < c->size) {
		long long data = os_lseek(c->fd, pos, SEEK_DATA), hole;
		long n;
		loff_t at;

		/* A hole of the memfd was never stored into, so the file
		 * holds zeros there already: it is skipped, and a sparse
		 * file stays sparse. */
		if (data < 0 || data >= c->size)
			break;
		hole = os_lseek(c->fd, data, SEEK_HOLE);
		if (hole <= data)
			hole = c->size;
		pos = data;
		n = os_pread(c->fd, buf, min3((loff_t)CHUNK, c->size - pos,
					      hole - pos), pos);
		at = pos;
		if (n <= 0) {
			err = n < 0 ? -EIO : 0;
			break;
		}
		if (c->wb_file->f_op->write(c->wb_file, buf, n, &at) != n) {
			err = -EIO;
			break;
		}
		pos += n;
	}
	kfree(buf);
	return err;
}

void filemap_writeback_all(void)
{
	struct page_cache *c;

	list_for_each_entry(c, &caches, list)
		filemap_writeback(c->inode);
}

static void free_cache(struct page_cache *c)
{
	if (!list_empty(&c->lru)) {
		list_del_init(&c->lru);
		unused_bytes -= c->lru_bytes;
	}
	list_del_init(&c->list);
	c->inode->i_cache = NULL;
	destroy_cache(c);
}

/* May c outlive its last user? Its file's data must change only through
 * this kernel (not a hostfs file the host may rewrite), and the file must
 * still have a name. */
static bool cache_may_stay(struct page_cache *c)
{
	struct inode *inode = c->inode;

	return inode->i_sb && inode->i_sb->s_type &&
	       (inode->i_sb->s_type->fs_flags & FS_REQUIRES_DEV) &&
	       inode->i_nlink > 0 && (uint64_t)c->size <= unused_limit();
}

/* Drop the least recently used unused caches until they fit the limit. */
static void shrink_unused(void)
{
	while (unused_bytes > unused_limit() && !list_empty(&unused_caches))
		free_cache(list_first_entry(&unused_caches, struct page_cache,
					    lru));
}

static void put_cache(struct page_cache *c)
{
	struct inode *inode = c->inode;

	if (--c->users > 0)
		return;
	filemap_writeback(inode);
	if (c->wb_file) {
		fput(c->wb_file);
		c->wb_file = NULL;
	}
	if (cache_may_stay(c)) {
		c->lru_bytes = c->size;
		unused_bytes += c->lru_bytes;
		list_add_tail(&c->lru, &unused_caches);
		shrink_unused();
	} else {
		free_cache(c);
	}
	iput(inode);	/* its eviction frees a cache left behind */
}

void filemap_evict_inode(struct inode *inode)
{
	if (inode->i_cache)
		free_cache(inode->i_cache);
}

static struct file_vma *add_vma(struct mm_struct *mm, unsigned long start,
				unsigned long end, struct page_cache *c,
				bool shared_write)
{
	struct file_vma *v = kzalloc(sizeof(*v));

	if (!v)
		return NULL;
	v->start = start;
	v->end = end;
	v->inode = c->inode;
	v->shared_write = shared_write;
	cache_hold(c);
	list_add_tail(&v->list, &mm->file_vmas);
	return v;
}

static void drop_vma(struct file_vma *v)
{
	list_del_init(&v->list);
	put_cache(v->inode->i_cache);
	kfree(v);
}

long filemap_mmap(struct file *f, unsigned long addr, unsigned long len,
		  unsigned long prot, unsigned long flags, unsigned long off)
{
	struct inode *inode = f->f_inode;
	unsigned long type = flags & MAP_TYPE;
	bool shared = type == MAP_SHARED || type == MAP_SHARED_VALIDATE;
	bool may_write = shared && (f->f_mode & FMODE_WRITE) &&
			 !(f->f_flags & O_APPEND);
	bool shared_write = may_write;
	struct page_cache *c;
	long ret;

	if (!S_ISREG(inode->i_mode))
		return -ENODEV;
	if (!(f->f_mode & FMODE_READ))
		return -EACCES;
	/* A shared mapping of a file it may not write never gets a writable
	 * fd: mprotect(PROT_WRITE) later is the host's EACCES, as Linux's. */
	if (shared && (prot & PROT_WRITE) && !may_write)
		return -EACCES;
	c = get_cache(inode, f);	/* held while mapping */
	if (IS_ERR(c))
		return PTR_ERR(c);
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE))
		filemap_unmap(current->mm, addr, addr + len);
	flags = (flags & ~(MAP_TYPE | MAP_ANONYMOUS)) |
		(shared ? MAP_SHARED : MAP_PRIVATE);
	ret = mmap_host_memfd(may_write ? c->fd : c->ro_fd, addr, len, prot,
			      flags, off);
	if (ret >= 0) {
		if (!add_vma(current->mm, ret, ret + len, c, shared_write)) {
			host_syscall(current, SYS_munmap, ret, len, 0, 0, 0, 0);
			ret = -ENOMEM;
		} else if (shared_write && !c->wb_file) {
			c->wb_file = get_file(f);
		}
	}
	put_cache(c);
	return ret;
}

void filemap_unmap(struct mm_struct *mm, unsigned long start, unsigned long end)
{
	struct file_vma *v, *n;

	list_for_each_entry_safe(v, n, &mm->file_vmas, list) {
		if (v->end <= start || v->start >= end)
			continue;
		if (v->shared_write)
			filemap_writeback(v->inode);
		if (v->start < start && v->end > end) {
			/* A hole in the middle: keep both sides. */
			add_vma(mm, end, v->end, v->inode->i_cache,
				v->shared_write);
			v->end = start;
		} else if (v->start < start) {
			v->end = start;
		} else if (v->end > end) {
			v->start = end;
		} else {
			drop_vma(v);
		}
	}
}

void filemap_remap(struct mm_struct *mm, unsigned long old_start,
		   unsigned long new_start, unsigned long new_len)
{
	struct file_vma *v;

	list_for_each_entry(v, &mm->file_vmas, list) {
		if (v->start == old_start) {
			v->start = new_start;
			v->end = new_start + new_len;
			return;
		}
	}
}

int filemap_msync(struct mm_struct *mm, unsigned long start, unsigned long end)
{
	struct file_vma *v;
	int err = 0;

	list_for_each_entry(v, &mm->file_vmas, list)
		if (v->start < end && v->end > start && v->shared_write)
			err = err ? err : filemap_writeback(v->inode);
	return err;
}

int filemap_dup(struct mm_struct *dst, struct mm_struct *src)
{
	struct file_vma *v;

	INIT_LIST_HEAD(&dst->file_vmas);
	list_for_each_entry(v, &src->file_vmas, list)
		if (!add_vma(dst, v->start, v->end, v->inode->i_cache,
			     v->shared_write))
			return -ENOMEM;
	return 0;
}

void filemap_exit(struct mm_struct *mm)
{
	struct file_vma *v, *n;

	list_for_each_entry_safe(v, n, &mm->file_vmas, list)
		drop_vma(v);
}

bool filemap_active(const struct inode *inode)
{
	return inode->i_cache && !inode->i_cache->filling &&
	       S_ISREG(inode->i_mode);
}

loff_t filemap_llseek(struct file *f, loff_t off, int whence)
{
	struct page_cache *c = f->f_inode->i_cache;
	long long pos;

	if (off < 0 || off >= c->size)
		return -ENXIO;
	pos = os_lseek(c->fd, off, whence);
	if (pos < 0 || pos > c->size)	/* no data after off */
		pos = whence == SEEK_DATA ? -ENXIO : c->size;
	if (pos >= 0)
		f->f_pos = pos;
	return pos;
}

ssize_t filemap_read(struct file *f, char *buf, size_t len, loff_t *pos)
{
	struct page_cache *c = f->f_inode->i_cache;
	long n;

	if (!c)
		return -ENOENT;
	if (*pos >= c->size)
		return 0;
	n = os_pread(c->fd, buf, min((loff_t)len, c->size - *pos), *pos);
	if (n < 0)
		return -EIO;
	*pos += n;
	return n;
}

ssize_t filemap_write_through(struct file *f, const char *buf, size_t len,
			      loff_t pos)
{
	struct inode *inode = f->f_inode;
	struct page_cache *c = inode->i_cache;

	if (!c)
		return -ENOENT;
	if (inode->i_size != c->size)
		filemap_resize(inode, inode->i_size);
	c = inode->i_cache;
	if (!c)
		return -ENOENT;
	if (os_pwrite(c->fd, buf, len, pos) == (long)len)
		return len;
	if (!c->users)		/* never keep a cache that missed a write */
		free_cache(c);
	return -EIO;
}

void filemap_resize(struct inode *inode, loff_t size)
{
	struct page_cache *c = inode->i_cache;

	if (!c)
		return;
	if (os_ftruncate(c->fd, size) < 0) {
		/* The bytes past the old end cannot be told right: a cache
		 * nobody maps is dropped rather than kept wrong. */
		if (!c->users)
			free_cache(c);
		return;
	}
	c->size = size;
	if (!list_empty(&c->lru)) {
		unused_bytes += size - c->lru_bytes;
		c->lru_bytes = size;
		shrink_unused();
	}
}

struct page_cache *filemap_exec_get(struct file *f)
{
	struct inode *inode = f->f_inode;
	struct page_cache *c;

	if (!S_ISREG(inode->i_mode) || !(inode->i_sb && inode->i_sb->s_type &&
	    (inode->i_sb->s_type->fs_flags & FS_REQUIRES_DEV)))
		return NULL;
	c = get_cache(inode, f);
	return IS_ERR(c) ? NULL : c;
}

int filemap_host_fd(struct page_cache *c)
{
	return c->ro_fd;
}

int filemap_add_private(struct mm_struct *mm, unsigned long start,
			unsigned long end, struct page_cache *c)
{
	return add_vma(mm, start, end, c, false) ? 0 : -ENOMEM;
}

void filemap_put(struct page_cache *c)
{
	put_cache(c);
}
