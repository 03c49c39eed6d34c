/*
 * Directory reading: getdents64 and getdents through the directory's
 * f_op->iterate. Records are built in a kernel buffer in Linux's layouts
 * and copied out once; file->f_pos holds the filesystem's cookie of the
 * next entry, so the next call resumes there. Model: Linux fs/readdir.c.
 */
#include <umk/fs.h>
#include <umk/syscalls.h>
#include <umk/uaccess.h>
#include <string.h>
#include "internal.h"

/* Largest kernel buffer one call fills; a bigger guest buffer just gets
 * fewer entries per call. */
#define GETDENTS_MAX	65536

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* The old getdents record; d_type is the last byte of the record. */
struct linux_dirent {
	unsigned long d_ino;
	unsigned long d_off;
	unsigned short d_reclen;
	char d_name[];
};

struct getdents_ctx {
	struct dir_context ctx;
	char *buf;		/* kernel buffer */
	size_t size, used;
	bool old_layout;	/* getdents rather than getdents64 */
	bool emitted;		/* at least one record */
	bool overflow;		/* a record did not fit */
	loff_t next_pos;	/* cookie after the last record */
};

static bool filldir(struct dir_context *ctx, const char *name, int namelen,
		    loff_t pos, uint64_t ino, unsigned int d_type)
{
	struct getdents_ctx *g = container_of(ctx, struct getdents_ctx, ctx);
	size_t reclen;
	char *rec = g->buf + g->used;

	if (g->old_layout)
		reclen = ALIGN_UP(offsetof(struct linux_dirent, d_name) +
				  namelen + 2, sizeof(long));
	else
		reclen = ALIGN_UP(offsetof(struct linux_dirent64, d_name) +
				  namelen + 1, sizeof(uint64_t));
	if (g->used + reclen > g->size) {
		g->overflow = true;
		return false;
	}
	memset(rec, 0, reclen);
	if (g->old_layout) {
		struct linux_dirent *d = (struct linux_dirent *)rec;

		d->d_ino = ino;
		d->d_off = pos;
		d->d_reclen = reclen;
		memcpy(d->d_name, name, namelen);
		rec[reclen - 1] = d_type;
	} else {
		struct linux_dirent64 *d = (struct linux_dirent64 *)rec;

		d->d_ino = ino;
		d->d_off = pos;
		d->d_reclen = reclen;
		d->d_type = d_type;
		memcpy(d->d_name, name, namelen);
	}
	g->used += reclen;
	g->emitted = true;
	g->next_pos = pos;
	return true;
}

/*
 * Fill dirent with the records of fd from its position on. Returns the
 * bytes written, 0 at the end, -EINVAL when not even one record fits. An
 * error after some records is dropped: those records are returned.
 */
static long do_getdents(unsigned int fd, struct uptr dirent,
			unsigned int count, bool old_layout)
{
	struct getdents_ctx g = { .ctx.actor = filldir,
				  .old_layout = old_layout };
	struct file *f;
	long err;

	f = fget_no_path(fd);
	if (!f)
		return -EBADF;
	err = -ENOTDIR;
	if (!f->f_op || !f->f_op->iterate)
		goto out_put_file;
	err = -ENOENT;
	if (f->f_path.dentry && d_unhashed(f->f_path.dentry))
		goto out_put_file;
	g.size = min(count, GETDENTS_MAX);
	g.buf = kmalloc(g.size ? g.size : 1);
	err = -ENOMEM;
	if (!g.buf)
		goto out_put_file;
	g.ctx.pos = f->f_pos;
	err = f->f_op->iterate(f, &g.ctx);
	if (!g.emitted) {
		if (!err && g.overflow)
			err = -EINVAL;
		goto out_free_buf;
	}
	err = -EFAULT;
	if (copy_to_user(dirent, g.buf, g.used))
		goto out_free_buf;
	f->f_pos = g.next_pos;
	err = g.used;
out_free_buf:
	kfree(g.buf);
out_put_file:
	fput(f);
	return err;
}

SYSCALL_DEFINE3(getdents64, unsigned int, fd, struct uptr, dirent, unsigned int, count)
{
	return do_getdents(fd, dirent, count, false);
}

SYSCALL_DEFINE3(getdents, unsigned int, fd, struct uptr, dirent, unsigned int, count)
{
	return do_getdents(fd, dirent, count, true);
}
