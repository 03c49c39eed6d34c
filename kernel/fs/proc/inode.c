/*
 * procfs core: the superblock, the generic operations every proc inode
 * uses (directories walk their entry tables, files serve text generated at
 * open, links serve text or a magic path), and the seq_buf text buffer.
 * The contents themselves live in root.c, base.c, array.c and proc_sys.c.
 * Model: Linux fs/proc/inode.c, generic.c, fs/seq_file.c.
 */
#include <umk/fs.h>
#include <umk/init.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <dirent.h>
#include "internal.h"

#define SEQ_BUF_MAX	(64UL << 20)	/* bytes of one generated file */

/* ---- seq_buf ---------------------------------------------------------- */

void seq_buf_init(struct seq_buf *m)
{
	memset(m, 0, sizeof(*m));
}

void seq_buf_free(struct seq_buf *m)
{
	kfree(m->buf);
	seq_buf_init(m);
}

char *seq_reserve(struct seq_buf *m, size_t n)
{
	size_t size;
	char *nbuf;

	if (m->err)
		return NULL;
	if (m->len + n + 1 <= m->size)
		return m->buf + m->len;
	if (m->len + n + 1 > SEQ_BUF_MAX) {
		m->err = -ENOMEM;
		return NULL;
	}
	for (size = m->size ? m->size : 1024; size < m->len + n + 1; size *= 2)
		;
	nbuf = kmalloc(size);
	if (!nbuf) {
		m->err = -ENOMEM;
		return NULL;
	}
	if (m->len)
		memcpy(nbuf, m->buf, m->len);
	kfree(m->buf);
	m->buf = nbuf;
	m->size = size;
	return m->buf + m->len;
}

void seq_commit(struct seq_buf *m, size_t n)
{
	if (!m->err) {
		m->len += n;
		m->buf[m->len] = '\0';
	}
}

void seq_write(struct seq_buf *m, const void *data, size_t len)
{
	char *p = seq_reserve(m, len);

	if (p) {
		memcpy(p, data, len);
		seq_commit(m, len);
	}
}

void seq_puts(struct seq_buf *m, const char *s)
{
	seq_write(m, s, strlen(s));
}

void seq_putc(struct seq_buf *m, char c)
{
	seq_write(m, &c, 1);
}

void seq_printf(struct seq_buf *m, const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	p = seq_reserve(m, n);
	if (!p)
		return;
	va_start(ap, fmt);
	vsnprintf(p, n + 1, fmt, ap);
	va_end(ap);
	seq_commit(m, n);
}

void seq_escape(struct seq_buf *m, const char *s)
{
	for (; *s; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\\')
			seq_printf(m, "\\%03o", (unsigned char)*s);
		else
			seq_putc(m, *s);
	}
}

/* ---- inodes ----------------------------------------------------------- */

static const struct inode_operations proc_dir_iops;
static const struct inode_operations proc_file_iops;
static const struct inode_operations proc_link_iops;
static const struct inode_operations proc_magic_iops;
static const struct file_operations proc_dir_fops;
static const struct file_operations proc_file_fops;

/* pid in bits 32..63, thread bit 31, entry id in 20..30, fd in 0..19. */
uint64_t proc_ino(const struct proc_entry *e, pid_t pid, bool thread, int fd)
{
	if (e == &proc_root_entry)
		return PROC_ROOT_INO;
	return ((uint64_t)pid << 32) | ((uint64_t)thread << 31) |
	       ((uint64_t)e->id << 20) | (unsigned int)(fd & (PROC_FD_MAX - 1));
}

static unsigned int count_subdirs(const struct proc_entry *e)
{
	unsigned int i, n = 0;

	if (!e->dir)
		return 0;
	for (i = 0; i < e->dir->nentries; i++)
		n += S_ISDIR(e->dir->entries[i].mode);
	return n;
}

static void set_owner(struct inode *inode, struct task *task)
{
	inode->i_uid = task && task->cred ? task->cred->euid : 0;
	inode->i_gid = task && task->cred ? task->cred->egid : 0;
}

struct inode *proc_get_inode(struct super_block *sb, struct proc_entry *e,
			     pid_t pid, bool thread, int fd, mode_t mode,
			     struct task *task)
{
	uint64_t ino = proc_ino(e, pid, thread, fd);
	struct proc_inode *pi;
	struct inode *inode;

	if (!mode)
		mode = e->mode;
	inode = ilookup(sb, ino);
	if (inode) {
		inode->i_mode = mode;
		set_owner(inode, task);
		return inode;
	}
	pi = kzalloc(sizeof(*pi));
	if (!pi)
		return NULL;
	inode = new_inode(sb);
	if (!inode) {
		kfree(pi);
		return NULL;
	}
	pi->entry = e;
	pi->pid = pid;
	pi->thread = thread;
	pi->fd = fd;
	inode->i_private = pi;
	inode->i_ino = ino;
	inode->i_mode = mode;
	inode->i_nlink = S_ISDIR(mode) ? 2 + count_subdirs(e) : 1;
	inode->i_blkbits = 10;
	inode->i_atime = inode->i_mtime = inode->i_ctime = current_time();
	set_owner(inode, task);
	switch (mode & S_IFMT) {
	case S_IFDIR:
		inode->i_op = &proc_dir_iops;
		inode->i_fop = &proc_dir_fops;
		break;
	case S_IFLNK:
		inode->i_op = e->get_link ? &proc_magic_iops : &proc_link_iops;
		break;
	default:
		inode->i_op = &proc_file_iops;
		inode->i_fop = e->fops ? e->fops : &proc_file_fops;
		break;
	}
	return inode;
}

/* The live task of pi: NULL for global entries; *gone set when the task
 * of a per-process entry has been reaped. */
static struct task *pi_task(struct proc_inode *pi, bool *gone)
{
	struct task *t;

	*gone = false;
	if (!pi->pid)
		return NULL;
	t = proc_find_task(pi->pid);
	*gone = !t;
	return t;
}

/* proc does not change modes (Linux proc_setattr): a truncate from
 * O_TRUNC or an owner change is accepted and ignored. */
static int proc_setattr(struct inode *inode, const struct iattr *attr)
{
	if (attr->ia_valid & ATTR_MODE)
		return -EPERM;
	return 0;
}

static void proc_evict_inode(struct inode *inode)
{
	kfree(inode->i_private);
	inode->i_private = NULL;
}

/* ---- directories ------------------------------------------------------ */

bool proc_emit(struct dir_context *ctx, const char *name, unsigned int len,
	       uint64_t ino, unsigned int d_type, loff_t next)
{
	loff_t cur = ctx->pos;

	ctx->pos = next;
	if (ctx->actor(ctx, name, len, next, ino, d_type))
		return true;
	ctx->pos = cur;
	return false;
}

long proc_name_to_num(const struct qstr *name)
{
	long v = 0;
	unsigned int i;

	if (name->len == 0 || name->len > 9 ||
	    (name->len > 1 && name->name[0] == '0'))
		return -1;
	for (i = 0; i < name->len; i++) {
		if (name->name[i] < '0' || name->name[i] > '9')
			return -1;
		v = v * 10 + (name->name[i] - '0');
	}
	return v;
}

/* Static children by name, then the directory's dynamic lookup. -ENOENT
 * when the name or the process is gone. */
static int proc_lookup(struct inode *dir, const struct qstr *name,
		       struct inode **res)
{
	struct proc_inode *pi = PROC_I(dir);
	const struct proc_dir *d = pi->entry->dir;
	struct task *task;
	unsigned int i;
	bool gone;

	task = pi_task(pi, &gone);
	if (gone)
		return -ENOENT;
	for (i = 0; i < d->nentries; i++) {
		struct proc_entry *e = &d->entries[i];

		if (strlen(e->name) != name->len ||
		    memcmp(e->name, name->name, name->len))
			continue;
		*res = proc_get_inode(dir->i_sb, e, pi->pid, pi->thread, 0, 0,
				      task);
		return *res ? 0 : -ENOMEM;
	}
	if (d->lookup)
		return d->lookup(dir, task, name, res);
	return -ENOENT;
}

/*
 * getdents: "." (cookie 0), ".." (1), the static entries (2..), then the
 * dynamic children with cookies from 2 + nentries. -ENOENT once the
 * process of the directory is gone.
 */
static int proc_iterate(struct file *file, struct dir_context *ctx)
{
	struct inode *dir = file->f_inode;
	struct proc_inode *pi = PROC_I(dir);
	const struct proc_dir *d = pi->entry->dir;
	struct dentry *dentry = file->f_path.dentry;
	uint64_t parent_ino = dir->i_ino;
	struct task *task;
	loff_t i;
	bool gone;

	task = pi_task(pi, &gone);
	if (gone)
		return -ENOENT;
	if (dentry && dentry->d_parent && dentry->d_parent->d_inode)
		parent_ino = dentry->d_parent->d_inode->i_ino;
	if (ctx->pos == 0 && !proc_emit(ctx, ".", 1, dir->i_ino, DT_DIR, 1))
		return 0;
	if (ctx->pos == 1 && !proc_emit(ctx, "..", 2, parent_ino, DT_DIR, 2))
		return 0;
	for (i = ctx->pos - 2; i < d->nentries; i++) {
		struct proc_entry *e = &d->entries[i];

		if (!proc_emit(ctx, e->name, strlen(e->name),
			       proc_ino(e, pi->pid, pi->thread, 0),
			       IFTODT(e->mode), i + 3))
			return 0;
	}
	if (d->iterate)
		return d->iterate(file, task, ctx, 2 + d->nentries);
	return 0;
}

static loff_t proc_dir_llseek(struct file *file, loff_t off, int whence)
{
	if (whence == SEEK_CUR)
		off += file->f_pos;
	else if (whence != SEEK_SET)
		return -EINVAL;
	if (off < 0)
		return -EINVAL;
	file->f_pos = off;
	return off;
}

/* ---- files: text generated at open ------------------------------------ */

/* Run pi's show into a fresh buffer. -ESRCH when the process is gone,
 * -EACCES for private entries of someone else's process. */
static int proc_generate(struct proc_inode *pi, struct seq_buf *m)
{
	struct task *task;
	bool gone;
	int err;

	task = pi_task(pi, &gone);
	if (gone)
		return -ESRCH;
	if (task && pi->entry->private && !proc_may_access(task))
		return -EACCES;
	seq_buf_init(m);
	err = pi->entry->show ? pi->entry->show(m, pi, task) : 0;
	if (!err)
		err = m->err;
	if (err)
		seq_buf_free(m);
	return err;
}

static int proc_file_open(struct inode *inode, struct file *file)
{
	struct seq_buf *m = kzalloc(sizeof(*m));
	int err;

	if (!m)
		return -ENOMEM;
	err = proc_generate(PROC_I(inode), m);
	if (err) {
		kfree(m);
		return err;
	}
	file->private_data = m;
	return 0;
}

static int proc_file_release(struct inode *inode, struct file *file)
{
	struct seq_buf *m = file->private_data;

	if (m) {
		seq_buf_free(m);
		kfree(m);
		file->private_data = NULL;
	}
	return 0;
}

/* Read the text generated at open: the same snapshot for the whole life
 * of the open file, as a seq_file read from the start would give. */
static ssize_t proc_file_read(struct file *file, char *buf, size_t len,
			      loff_t *pos)
{
	struct seq_buf *m = file->private_data;
	size_t n;

	if (*pos < 0)
		return -EINVAL;
	if (!m || (uint64_t)*pos >= m->len)
		return 0;
	n = min(len, m->len - (size_t)*pos);
	memcpy(buf, m->buf + *pos, n);
	*pos += n;
	return n;
}

static ssize_t proc_file_write(struct file *file, const char *buf, size_t len,
			       loff_t *pos)
{
	struct proc_inode *pi = PROC_I(file->f_inode);
	struct task *task;
	bool gone;

	if (!pi->entry->write)
		return -EINVAL;
	task = pi_task(pi, &gone);
	if (gone)
		return -ESRCH;
	return pi->entry->write(pi, task, buf, len);
}

/* SEEK_SET/CUR/END over the generated text. */
static loff_t proc_file_llseek(struct file *file, loff_t off, int whence)
{
	struct seq_buf *m = file->private_data;

	switch (whence) {
	case SEEK_SET:
		break;
	case SEEK_CUR:
		off += file->f_pos;
		break;
	case SEEK_END:
		off += m ? (loff_t)m->len : 0;
		break;
	default:
		return -EINVAL;
	}
	if (off < 0)
		return -EINVAL;
	file->f_pos = off;
	return off;
}

/* ---- links ------------------------------------------------------------ */

static long proc_readlink(struct inode *inode, char *buf, size_t size)
{
	struct seq_buf m;
	long len;
	int err;

	err = proc_generate(PROC_I(inode), &m);
	if (err)
		return err == -ESRCH ? -ENOENT : err;
	len = min(m.len, size);
	memcpy(buf, m.buf, len);
	seq_buf_free(&m);
	return len;
}

static int proc_get_link_path(struct inode *inode, struct path *res)
{
	struct proc_inode *pi = PROC_I(inode);
	struct task *task;
	bool gone;

	task = pi_task(pi, &gone);
	if (gone || !task)
		return -ENOENT;
	if (!proc_may_access(task))
		return -EACCES;
	return pi->entry->get_link(pi, task, res);
}

/* ---- the superblock --------------------------------------------------- */

static int proc_statfs(struct super_block *sb, struct kstatfs *buf)
{
	memset(buf, 0, sizeof(*buf));
	buf->f_type = PROC_SUPER_MAGIC;
	buf->f_bsize = PAGE_SIZE;
	buf->f_frsize = PAGE_SIZE;
	buf->f_namelen = 255;
	buf->f_fsid = sb->s_dev;
	return 0;
}

static const struct super_operations proc_sops = {
	.statfs = proc_statfs,
	.evict_inode = proc_evict_inode,
};

/* Mount options (hidepid=, gid=, subset=) are accepted and ignored. */
static int proc_fill_super(struct super_block *sb, const char *dev_name,
			   void *data, int flags)
{
	struct inode *root;

	sb->s_magic = PROC_SUPER_MAGIC;
	sb->s_blocksize = 1024;
	sb->s_op = &proc_sops;
	root = proc_get_inode(sb, &proc_root_entry, 0, false, 0, 0, NULL);
	if (!root)
		return -ENOMEM;
	sb->s_root = d_make_root(root);
	return sb->s_root ? 0 : -ENOMEM;
}

static const struct inode_operations proc_dir_iops = {
	.lookup = proc_lookup,
	.setattr = proc_setattr,
};

static const struct inode_operations proc_file_iops = {
	.setattr = proc_setattr,
};

static const struct inode_operations proc_link_iops = {
	.readlink = proc_readlink,
	.setattr = proc_setattr,
};

static const struct inode_operations proc_magic_iops = {
	.readlink = proc_readlink,
	.get_link_path = proc_get_link_path,
	.setattr = proc_setattr,
};

static const struct file_operations proc_dir_fops = {
	.iterate = proc_iterate,
	.llseek = proc_dir_llseek,
};

static const struct file_operations proc_file_fops = {
	.open = proc_file_open,
	.release = proc_file_release,
	.read = proc_file_read,
	.write = proc_file_write,
	.llseek = proc_file_llseek,
};

static struct file_system_type proc_fs_type = {
	.name = "proc",
	.fill_super = proc_fill_super,
};

static unsigned int next_id = 1;

/* Number e and, through the static tables, everything below it. */
static void assign_ids(struct proc_entry *e)
{
	unsigned int i;

	if (!e->id && e != &proc_root_entry)
		e->id = next_id++;
	if (e->dir)
		for (i = 0; i < e->dir->nentries; i++)
			assign_ids(&e->dir->entries[i]);
}

int init_proc_fs(void)
{
	assign_ids(&proc_root_entry);
	assign_ids(&proc_pid_dir_entry);
	assign_ids(&proc_tid_dir_entry);
	assign_ids(&proc_fd_link_entry);
	if (next_id >= 1U << 11) {
		printk(KERN_ERR "proc: too many entries (%u)\n", next_id);
		return -EINVAL;
	}
	return register_filesystem(&proc_fs_type);
}
