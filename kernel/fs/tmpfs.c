/*
 * tmpfs: a filesystem kept entirely in memory (Linux mm/shmem.c without
 * swap). Regular files keep their data in a sparse radix tree of pages, so
 * a truncate up or a write far past the end costs nothing for the hole.
 * Directories keep their entries in creation order, each with a cookie that
 * never changes, so getdents resumes correctly while entries come and go;
 * names are found through one hash table per superblock.
 *
 * Lifetime: an inode holds one reference of its own (the "pin") while it
 * has a name; the VFS's dentries and open files hold the others. Dropping
 * the last name drops the pin, and the last iput frees the data
 * (evict_inode).
 */
#include <umk/fs.h>
#include <umk/init.h>
#include <umk/mm.h>
#include <umk/xattr.h>
#include <umk/oom.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tmpfs.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif
#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

#define TMPFS_NAME_MAX		255
#define BOGO_DIRENT_SIZE	20	/* st_size of a directory per entry */

/* File pages: a radix tree of 4 levels of 512 slots: 2^36 pages, 256 TiB. */
#define RADIX_SHIFT		9
#define RADIX_FANOUT		(1UL << RADIX_SHIFT)
#define RADIX_LEVELS		4
#define TMPFS_MAX_PAGES		(1ULL << (RADIX_SHIFT * RADIX_LEVELS))
#define TMPFS_MAX_BYTES		(TMPFS_MAX_PAGES * PAGE_SIZE)

/* Per mount. Limits of 0 mean unlimited, as Linux's size=0/nr_inodes=0. */
struct tmpfs_sb_info {
	uint64_t max_pages, used_pages;
	uint64_t max_inodes, used_inodes;
	unsigned long next_ino;		/* inode numbers: never reused */
	mode_t root_mode;
	uid_t uid;			/* owner of the root directory */
	gid_t gid;
	struct inode *root;		/* until evicted: put_super's start */
	struct tmpfs_dirent **htable;	/* every name of this sb */
	size_t hsize, hcount;		/* buckets (a power of 2), names */
	uint64_t free_ispace;		/* bytes xattrs may still take */
};
#define BOGO_INODE_SIZE		1024	/* xattr space per inode allowed */

/* One name in a directory. */
struct tmpfs_dirent {
	struct list_head d_list;	/* in dir->entries, ascending cookie */
	struct tmpfs_dirent *h_next;	/* hash chain */
	struct tmpfs_inode *dir;
	struct inode *inode;		/* referenced through its pin */
	loff_t cookie;			/* readdir position, fixed for life */
	uint32_t hash;
	unsigned int len;
	char name[];
};

/* inode->i_private of every tmpfs inode. */
struct tmpfs_inode {
	struct inode *inode;
	bool pinned;			/* holds one i_count while named */
	/* directories */
	struct list_head entries;
	loff_t next_cookie;
	struct inode *parent;		/* "..": the root points to itself */
	/* regular files */
	void *pages;			/* radix tree root, NULL when empty */
	uint64_t nr_pages;
	/* symlinks */
	char *target;
	struct simple_xattrs xattrs;
};

static uint64_t shmem_pages;		/* all instances, for meminfo */

static const struct inode_operations tmpfs_dir_iops;
static const struct inode_operations tmpfs_file_iops;
static const struct inode_operations tmpfs_symlink_iops;
static const struct inode_operations tmpfs_special_iops;
static const struct file_operations tmpfs_dir_fops;
static const struct file_operations tmpfs_file_fops;
static const struct super_operations tmpfs_sops;

static inline struct tmpfs_inode *TMPFS_I(const struct inode *inode)
{
	return inode->i_private;
}

static inline struct tmpfs_sb_info *TMPFS_SB(const struct super_block *sb)
{
	return sb->s_fs_info;
}

uint64_t tmpfs_shmem_pages(void)
{
	return shmem_pages;
}

static bool timespec_le(struct timespec a, struct timespec b)
{
	return a.tv_sec < b.tv_sec ||
	       (a.tv_sec == b.tv_sec && a.tv_nsec <= b.tv_nsec);
}

/* relatime (Linux atime_needs_update): atime moves on a read only when it
 * is not newer than mtime or ctime, or is a day old. */
static void touch_atime(struct inode *inode)
{
	struct timespec now = current_time();

	if (timespec_le(inode->i_atime, inode->i_mtime) ||
	    timespec_le(inode->i_atime, inode->i_ctime) ||
	    now.tv_sec - inode->i_atime.tv_sec >= 24 * 60 * 60)
		inode->i_atime = now;
}

static void touch_mc(struct inode *inode)
{
	inode->i_mtime = inode->i_ctime = current_time();
}

/* ---- the pin ---------------------------------------------------------- */

static void tmpfs_pin(struct inode *inode)
{
	if (!TMPFS_I(inode)->pinned) {
		TMPFS_I(inode)->pinned = true;
		ihold(inode);
	}
}

/* Drop the inode's own reference: may free it right away. */
static void tmpfs_unpin(struct inode *inode)
{
	if (TMPFS_I(inode)->pinned) {
		TMPFS_I(inode)->pinned = false;
		iput(inode);
	}
}

/* One name of a non-directory is gone. */
static void tmpfs_drop_link(struct inode *inode)
{
	if (inode->i_nlink)
		inode->i_nlink--;
	inode->i_ctime = current_time();
	if (!inode->i_nlink)
		tmpfs_unpin(inode);
}

/* ---- names: the hash table and the directory lists -------------------- */

static uint32_t name_hash(const struct tmpfs_inode *dir, const char *name,
			  unsigned int len)
{
	uint64_t h = 14695981039346656037ULL ^ (uintptr_t)dir;
	unsigned int i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)name[i]) * 1099511628211ULL;
	return (uint32_t)(h ^ (h >> 32));
}

static struct tmpfs_dirent *find_dirent(struct inode *dir, const char *name,
					unsigned int len)
{
	struct tmpfs_sb_info *sbi = TMPFS_SB(dir->i_sb);
	struct tmpfs_inode *ti = TMPFS_I(dir);
	uint32_t h = name_hash(ti, name, len);
	struct tmpfs_dirent *de;

	if (!sbi || !sbi->htable)
		return NULL;
	for (de = sbi->htable[h & (sbi->hsize - 1)]; de; de = de->h_next)
		if (de->hash == h && de->dir == ti && de->len == len &&
		    !memcmp(de->name, name, len))
			return de;
	return NULL;
}

/* Double the table when it holds as many names as buckets. Failing to grow
 * only makes chains longer. */
static void hash_grow(struct tmpfs_sb_info *sbi)
{
	size_t nsize = sbi->hsize ? sbi->hsize * 2 : 64;
	struct tmpfs_dirent **nt, *de, *next;
	size_t i;

	if (sbi->hcount < sbi->hsize)
		return;
	nt = kzalloc(nsize * sizeof(*nt));
	if (!nt)
		return;
	for (i = 0; i < sbi->hsize; i++) {
		for (de = sbi->htable[i]; de; de = next) {
			next = de->h_next;
			de->h_next = nt[de->hash & (nsize - 1)];
			nt[de->hash & (nsize - 1)] = de;
		}
	}
	kfree(sbi->htable);
	sbi->htable = nt;
	sbi->hsize = nsize;
}

static struct tmpfs_dirent *alloc_dirent(const char *name, unsigned int len)
{
	struct tmpfs_dirent *de = kmalloc(sizeof(*de) + len + 1);

	if (!de)
		return NULL;
	memcpy(de->name, name, len);
	de->name[len] = '\0';
	de->len = len;
	return de;
}

/* Link de (from alloc_dirent) into dir for inode, at the end of the readdir
 * order. The caller checked the name is free. 0 or -ENOMEM (no table). */
static int insert_dirent(struct inode *dir, struct tmpfs_dirent *de,
			 struct inode *inode)
{
	struct tmpfs_sb_info *sbi = TMPFS_SB(dir->i_sb);
	struct tmpfs_inode *ti = TMPFS_I(dir);
	size_t b;

	hash_grow(sbi);
	if (!sbi->htable)
		return -ENOMEM;
	de->dir = ti;
	de->inode = inode;
	de->cookie = ti->next_cookie++;
	de->hash = name_hash(ti, de->name, de->len);
	b = de->hash & (sbi->hsize - 1);
	de->h_next = sbi->htable[b];
	sbi->htable[b] = de;
	sbi->hcount++;
	list_add_tail(&de->d_list, &ti->entries);
	dir->i_size += BOGO_DIRENT_SIZE;
	touch_mc(dir);
	return 0;
}

/* Unlink de from its directory and the table, and free it. The inode's
 * link count is the caller's business. */
static void remove_dirent(struct tmpfs_dirent *de)
{
	struct inode *dir = de->dir->inode;
	struct tmpfs_sb_info *sbi = TMPFS_SB(dir->i_sb);
	struct tmpfs_dirent **pp;

	for (pp = &sbi->htable[de->hash & (sbi->hsize - 1)]; *pp;
	     pp = &(*pp)->h_next) {
		if (*pp == de) {
			*pp = de->h_next;
			break;
		}
	}
	sbi->hcount--;
	list_del_init(&de->d_list);
	dir->i_size -= BOGO_DIRENT_SIZE;
	touch_mc(dir);
	kfree(de);
}

/* ---- file pages ------------------------------------------------------- */

/* The slot of page idx (idx < TMPFS_MAX_PAGES); with create, interior
 * nodes are allocated on the way. NULL when absent or out of memory. */
static void **page_slot(void **root, uint64_t idx, bool create)
{
	void **slot = root;
	int level;

	for (level = RADIX_LEVELS - 1; level >= 0; level--) {
		void **node = *slot;

		if (!node) {
			if (!create)
				return NULL;
			node = kzalloc(RADIX_FANOUT * sizeof(void *));
			if (!node)
				return NULL;
			*slot = node;
		}
		slot = &node[(idx >> (level * RADIX_SHIFT)) & (RADIX_FANOUT - 1)];
	}
	return slot;
}

/*
 * The first page index >= from in the subtree of node (a node of `level`
 * whose first page is base) that is present (want) or absent (!want);
 * UINT64_MAX if there is none in it. Absent subtrees are skipped whole,
 * so a search costs the nodes it passes, never the size of a hole.
 */
static uint64_t radix_find(void **node, int level, uint64_t base,
			   uint64_t from, bool want)
{
	uint64_t span = 1ULL << (level * RADIX_SHIFT);
	unsigned long i;

	if (!node)
		return want ? UINT64_MAX : max(base, from);
	for (i = from > base ? (from - base) / span : 0; i < RADIX_FANOUT; i++) {
		uint64_t cbase = base + i * span, r;

		if (level == 0) {
			if (!!node[i] == want)
				return cbase;
			continue;
		}
		r = radix_find(node[i], level - 1, cbase, max(cbase, from), want);
		if (r != UINT64_MAX)
			return r;
	}
	return UINT64_MAX;
}

/*
 * Free every page of the subtree at *slot with index >= from. The subtree
 * is a node of `level` (its children each span 512^level pages) whose first
 * page is base. Nodes left empty are freed too. Returns the pages freed.
 */
static uint64_t radix_trim(void **slot, int level, uint64_t base,
			   uint64_t from)
{
	void **node = *slot;
	uint64_t span = 1ULL << (level * RADIX_SHIFT);
	uint64_t freed = 0;
	bool empty = true;
	unsigned long i;

	if (!node)
		return 0;
	for (i = 0; i < RADIX_FANOUT; i++) {
		uint64_t cbase = base + i * span;

		if (!node[i])
			continue;
		if (cbase + span <= from) {
			empty = false;
		} else if (level == 0) {
			kfree(node[i]);
			node[i] = NULL;
			freed++;
		} else {
			freed += radix_trim(&node[i], level - 1, cbase, from);
			if (node[i])
				empty = false;
		}
	}
	if (empty) {
		kfree(node);
		*slot = NULL;
	}
	return freed;
}

static void account_pages(struct inode *inode, int64_t delta)
{
	struct tmpfs_sb_info *sbi = TMPFS_SB(inode->i_sb);
	struct tmpfs_inode *ti = TMPFS_I(inode);

	ti->nr_pages += delta;
	shmem_pages += delta;
	if (sbi)
		sbi->used_pages += delta;
	inode->i_blocks = ti->nr_pages * (PAGE_SIZE / 512);
}

/* A zeroed page for an empty slot, within the size= limit. 0, -ENOSPC or
 * -ENOMEM. */
static int alloc_page(struct inode *inode, void **slot)
{
	struct tmpfs_sb_info *sbi = TMPFS_SB(inode->i_sb);

	if (sbi->max_pages && sbi->used_pages >= sbi->max_pages)
		return -ENOSPC;
	if (!kernel_mem_charge(PAGE_SIZE))	/* past mem=, after the OOM killer */
		return -ENOMEM;
	*slot = kzalloc(PAGE_SIZE);
	if (!*slot)
		return -ENOMEM;
	account_pages(inode, 1);
	return 0;
}

/* Free the pages at and past byte size and zero the rest of the page that
 * holds size: bytes past i_size are always zero in a kept page. */
static void truncate_pages(struct inode *inode, loff_t size)
{
	struct tmpfs_inode *ti = TMPFS_I(inode);
	uint64_t first = (size + PAGE_SIZE - 1) / PAGE_SIZE;
	void **slot;

	if (first < TMPFS_MAX_PAGES)
		account_pages(inode, -(int64_t)radix_trim(&ti->pages,
				RADIX_LEVELS - 1, 0, first));
	if (size % PAGE_SIZE) {
		slot = page_slot(&ti->pages, size / PAGE_SIZE, false);
		if (slot && *slot)
			memset((char *)*slot + size % PAGE_SIZE, 0,
			       PAGE_SIZE - size % PAGE_SIZE);
	}
}

/* read(2) on a regular file: holes and the tail of the last page read as
 * zeros. Returns bytes read, 0 at or past EOF, -EINVAL for pos < 0. */
static ssize_t tmpfs_file_read(struct file *file, char *buf, size_t len,
			       loff_t *pos)
{
	struct inode *inode = file->f_inode;
	struct tmpfs_inode *ti = TMPFS_I(inode);
	uint64_t p = *pos;
	size_t done = 0;

	if (*pos < 0)
		return -EINVAL;
	if (*pos >= inode->i_size)
		return 0;
	len = min(len, (uint64_t)(inode->i_size - *pos));
	while (done < len) {
		uint64_t idx = (p + done) / PAGE_SIZE;
		size_t off = (p + done) % PAGE_SIZE;
		size_t n = min(PAGE_SIZE - off, len - done);
		void **slot = NULL;

		if (idx < TMPFS_MAX_PAGES)
			slot = page_slot(&ti->pages, idx, false);
		if (slot && *slot)
			memcpy(buf + done, (char *)*slot + off, n);
		else
			memset(buf + done, 0, n);
		done += n;
	}
	*pos = p + done;
	touch_atime(inode);
	return done;
}

/* A write by someone other than root drops set-user-ID, and set-group-ID
 * when group execute is set (Linux file_remove_privs). */
static void remove_privs(struct inode *inode)
{
	mode_t kill = S_ISUID;

	if ((inode->i_mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP))
		kill |= S_ISGID;
	if ((inode->i_mode & kill) && current && !capable(current->cred))
		inode->i_mode &= ~kill;
}

/*
 * write(2) on a regular file, at i_size for O_APPEND. Pages are allocated
 * as written; a failure after some bytes is a short write. Returns bytes
 * written, -EFBIG past 256 TiB, -ENOSPC (size= limit), -ENOMEM, -EINVAL.
 */
static ssize_t tmpfs_file_write(struct file *file, const char *buf, size_t len,
				loff_t *pos)
{
	struct inode *inode = file->f_inode;
	struct tmpfs_inode *ti = TMPFS_I(inode);
	loff_t start = (file->f_flags & O_APPEND) ? inode->i_size : *pos;
	uint64_t p = start;
	size_t done = 0;
	int err = 0;

	if (start < 0)
		return -EINVAL;
	if (len == 0)
		return 0;
	if (p >= TMPFS_MAX_BYTES)
		return -EFBIG;
	len = min(len, TMPFS_MAX_BYTES - p);
	while (done < len) {
		uint64_t idx = (p + done) / PAGE_SIZE;
		size_t off = (p + done) % PAGE_SIZE;
		size_t n = min(PAGE_SIZE - off, len - done);
		void **slot = page_slot(&ti->pages, idx, true);

		if (!slot) {
			err = -ENOMEM;
			break;
		}
		if (!*slot) {
			err = alloc_page(inode, slot);
			if (err)
				break;
		}
		memcpy((char *)*slot + off, buf + done, n);
		done += n;
	}
	if (done == 0)
		return err;
	if ((loff_t)(p + done) > inode->i_size)
		inode->i_size = p + done;
	touch_mc(inode);
	remove_privs(inode);
	*pos = p + done;
	return done;
}

static int tmpfs_fsync(struct file *file, int datasync)
{
	return 0;
}

/* ---- inodes ----------------------------------------------------------- */

/*
 * A new inode of sb of type mode (permission bits included) with the next
 * inode number, its ops chosen by type, owner root until the caller sets
 * it. NULL on -ENOSPC (nr_inodes limit) or -ENOMEM: *err says which.
 */
static struct inode *tmpfs_get_inode(struct super_block *sb, mode_t mode,
				     dev_t rdev, int *err)
{
	struct tmpfs_sb_info *sbi = TMPFS_SB(sb);
	struct tmpfs_inode *ti;
	struct inode *inode;

	*err = -ENOSPC;
	if (sbi->max_inodes && sbi->used_inodes >= sbi->max_inodes)
		return NULL;
	*err = -ENOMEM;
	ti = kzalloc(sizeof(*ti));
	if (!ti)
		return NULL;
	inode = new_inode(sb);
	if (!inode) {
		kfree(ti);
		return NULL;
	}
	sbi->used_inodes++;
	ti->inode = inode;
	INIT_LIST_HEAD(&ti->entries);
	simple_xattrs_init(&ti->xattrs);
	ti->next_cookie = 2;
	inode->i_private = ti;
	inode->i_ino = sbi->next_ino++;
	inode->i_mode = mode;
	inode->i_uid = 0;
	inode->i_gid = 0;
	inode->i_nlink = S_ISDIR(mode) ? 2 : 1;
	inode->i_blkbits = 12;
	inode->i_atime = inode->i_mtime = inode->i_ctime = current_time();
	switch (mode & S_IFMT) {
	case S_IFREG:
		inode->i_op = &tmpfs_file_iops;
		inode->i_fop = &tmpfs_file_fops;
		break;
	case S_IFDIR:
		inode->i_op = &tmpfs_dir_iops;
		inode->i_fop = &tmpfs_dir_fops;
		inode->i_size = 2 * BOGO_DIRENT_SIZE;
		break;
	case S_IFLNK:
		inode->i_op = &tmpfs_symlink_iops;
		break;
	default:
		inode->i_op = &tmpfs_special_iops;
		inode->i_rdev = rdev;
		break;
	}
	*err = 0;
	return inode;
}

/*
 * Make a new name in dir: a new inode of mode (type bits and permissions),
 * owned by the caller's fsuid/fsgid (inode_init_owner: set-group-ID
 * directories pass their group on) or by root when kernel is set. target
 * is the symlink text. *res gets a referenced inode. Returns 0, -EEXIST,
 * -ENOENT (dir was removed), -ENAMETOOLONG, -ENOSPC, -ENOMEM, -EINVAL.
 */
static int tmpfs_new_node(struct inode *dir, const char *name,
			  unsigned int len, mode_t mode, dev_t rdev,
			  const char *target, bool kernel, struct inode **res)
{
	struct tmpfs_dirent *de;
	struct inode *inode;
	int err;

	if (len == 0)
		return -ENOENT;
	if (len > TMPFS_NAME_MAX)
		return -ENAMETOOLONG;
	if (!dir->i_nlink)
		return -ENOENT;
	if (find_dirent(dir, name, len))
		return -EEXIST;
	if (target && strlen(target) + 1 > PAGE_SIZE)
		return -ENAMETOOLONG;
	de = alloc_dirent(name, len);
	if (!de)
		return -ENOMEM;
	inode = tmpfs_get_inode(dir->i_sb, mode, rdev, &err);
	if (!inode) {
		kfree(de);
		return err;
	}
	if (kernel)
		inode->i_mode = mode;
	else
		inode_init_owner(inode, dir, mode);
	if (S_ISLNK(mode)) {
		TMPFS_I(inode)->target = kstrdup(target ? target : "");
		if (!TMPFS_I(inode)->target)
			goto out_put;
		inode->i_size = strlen(TMPFS_I(inode)->target);
	}
	if (S_ISDIR(mode))
		TMPFS_I(inode)->parent = dir;
	if (insert_dirent(dir, de, inode))
		goto out_put;
	if (S_ISDIR(mode))
		dir->i_nlink++;
	tmpfs_pin(inode);
	*res = inode;
	return 0;

out_put:
	kfree(de);
	inode->i_nlink = 0;
	iput(inode);
	return -ENOMEM;
}

int tmpfs_make_node(struct inode *dir, const char *name, mode_t mode,
		    dev_t rdev, const char *target, struct inode **res)
{
	struct inode *inode;
	int err;

	if (!S_ISDIR(dir->i_mode) || dir->i_op != &tmpfs_dir_iops)
		return -ENOTDIR;
	err = tmpfs_new_node(dir, name, strlen(name), mode, rdev, target,
			     true, &inode);
	if (err)
		return err;
	if (res)
		*res = inode;
	else
		iput(inode);
	return 0;
}

/* ---- directory operations (inode_operations of fs.h) ------------------ */

static int tmpfs_lookup(struct inode *dir, const struct qstr *name,
			struct inode **res)
{
	struct tmpfs_dirent *de;

	if (name->len > TMPFS_NAME_MAX)
		return -ENAMETOOLONG;
	de = find_dirent(dir, name->name, name->len);
	if (!de)
		return -ENOENT;
	ihold(de->inode);
	*res = de->inode;
	return 0;
}

static int tmpfs_create(struct inode *dir, const struct qstr *name,
			mode_t mode, struct inode **res)
{
	return tmpfs_new_node(dir, name->name, name->len,
			      S_IFREG | (mode & 07777), 0, NULL, false, res);
}

static int tmpfs_mkdir(struct inode *dir, const struct qstr *name,
		       mode_t mode, struct inode **res)
{
	return tmpfs_new_node(dir, name->name, name->len,
			      S_IFDIR | (mode & 07777), 0, NULL, false, res);
}

/* mknod(2): devices, FIFOs, sockets and regular files; -EINVAL for other
 * types. Device nodes get no i_fop: the VFS opens them through
 * init_special_inode_open. */
static int tmpfs_mknod(struct inode *dir, const struct qstr *name,
		       mode_t mode, dev_t rdev, struct inode **res)
{
	switch (mode & S_IFMT) {
	case 0:
		mode |= S_IFREG;
		break;
	case S_IFREG:
	case S_IFCHR:
	case S_IFBLK:
	case S_IFIFO:
	case S_IFSOCK:
		break;
	default:
		return -EINVAL;
	}
	if (!S_ISCHR(mode) && !S_ISBLK(mode))
		rdev = 0;
	return tmpfs_new_node(dir, name->name, name->len, mode, rdev, NULL,
			      false, res);
}

static int tmpfs_symlink(struct inode *dir, const struct qstr *name,
			 const char *target, struct inode **res)
{
	return tmpfs_new_node(dir, name->name, name->len, S_IFLNK | 0777, 0,
			      target, false, res);
}

/* link(2): one more name for old (not a directory: -EPERM; already
 * unlinked: -ENOENT, as Linux without O_TMPFILE). */
static int tmpfs_link(struct inode *old, struct inode *dir,
		      const struct qstr *name)
{
	struct tmpfs_dirent *de;
	int err;

	if (S_ISDIR(old->i_mode))
		return -EPERM;
	if (!old->i_nlink)
		return -ENOENT;
	if (name->len > TMPFS_NAME_MAX)
		return -ENAMETOOLONG;
	if (!dir->i_nlink)
		return -ENOENT;
	if (find_dirent(dir, name->name, name->len))
		return -EEXIST;
	de = alloc_dirent(name->name, name->len);
	if (!de)
		return -ENOMEM;
	err = insert_dirent(dir, de, old);
	if (err) {
		kfree(de);
		return err;
	}
	old->i_nlink++;
	old->i_ctime = current_time();
	return 0;
}

static int tmpfs_unlink(struct inode *dir, const struct qstr *name,
			struct inode *victim)
{
	struct tmpfs_dirent *de = find_dirent(dir, name->name, name->len);
	struct inode *inode;

	if (!de)
		return -ENOENT;
	inode = de->inode;
	if (S_ISDIR(inode->i_mode))
		return -EISDIR;
	remove_dirent(de);
	tmpfs_drop_link(inode);
	return 0;
}

/* The directory inode is gone from its parent dir: both lose a link. */
static void drop_dir(struct inode *dir, struct inode *inode)
{
	inode->i_nlink = 0;
	inode->i_ctime = current_time();
	if (dir->i_nlink > 2)
		dir->i_nlink--;
	tmpfs_unpin(inode);
}

static int tmpfs_rmdir(struct inode *dir, const struct qstr *name,
		       struct inode *victim)
{
	struct tmpfs_dirent *de = find_dirent(dir, name->name, name->len);
	struct inode *inode;

	if (!de)
		return -ENOENT;
	inode = de->inode;
	if (!S_ISDIR(inode->i_mode))
		return -ENOTDIR;
	if (!list_empty(&TMPFS_I(inode)->entries))
		return -ENOTEMPTY;
	remove_dirent(de);
	drop_dir(dir, inode);
	return 0;
}

/* Is the directory a equal to dir or one of its ancestors? dir is live,
 * so every parent link on the way up is live too. */
static bool is_ancestor(struct inode *a, struct inode *dir)
{
	for (;;) {
		struct inode *parent = TMPFS_I(dir)->parent;

		if (dir == a)
			return true;
		if (!parent || parent == dir)
			return false;
		dir = parent;
	}
}

/* A directory moved from olddir to newdir: fix the link counts and "..". */
static void move_dir(struct inode *inode, struct inode *olddir,
		     struct inode *newdir)
{
	if (!S_ISDIR(inode->i_mode) || olddir == newdir)
		return;
	olddir->i_nlink--;
	newdir->i_nlink++;
	TMPFS_I(inode)->parent = newdir;
}

/* RENAME_EXCHANGE: the two names swap their inodes. */
static int tmpfs_exchange(struct tmpfs_dirent *ode, struct tmpfs_dirent *nde)
{
	struct inode *olddir = ode->dir->inode, *newdir = nde->dir->inode;
	struct inode *a = ode->inode, *b = nde->inode;

	if (a == b)
		return 0;
	if ((S_ISDIR(a->i_mode) && is_ancestor(a, newdir)) ||
	    (S_ISDIR(b->i_mode) && is_ancestor(b, olddir)))
		return -EINVAL;
	ode->inode = b;
	nde->inode = a;
	move_dir(a, olddir, newdir);
	move_dir(b, newdir, olddir);
	touch_mc(olddir);
	touch_mc(newdir);
	a->i_ctime = b->i_ctime = current_time();
	return 0;
}

/*
 * rename(2)/renameat2(2). The moved inode gets a new name in newdir (with
 * a fresh readdir cookie); an existing target is unlinked (a directory
 * only if empty: -ENOTEMPTY). Two names of the same inode: nothing
 * happens, as rename(2) says. Errors: -ENOENT, -EEXIST (RENAME_NOREPLACE),
 * -EINVAL (a directory into its own subtree, unknown flags), -EISDIR,
 * -ENOTDIR, -ENAMETOOLONG, -ENOMEM. Nothing changes on an error.
 */
static int tmpfs_rename(struct inode *olddir, const struct qstr *oldname,
			struct inode *old_victim, struct inode *newdir,
			const struct qstr *newname, struct inode *new_victim,
			unsigned int flags)
{
	struct tmpfs_dirent *ode, *nde, *de;
	struct inode *inode, *target;
	int err;

	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE))
		return -EINVAL;
	if ((flags & RENAME_NOREPLACE) && (flags & RENAME_EXCHANGE))
		return -EINVAL;
	if (newname->len > TMPFS_NAME_MAX)
		return -ENAMETOOLONG;
	ode = find_dirent(olddir, oldname->name, oldname->len);
	if (!ode)
		return -ENOENT;
	nde = find_dirent(newdir, newname->name, newname->len);
	if (flags & RENAME_EXCHANGE)
		return nde ? tmpfs_exchange(ode, nde) : -ENOENT;
	if (nde && (flags & RENAME_NOREPLACE))
		return -EEXIST;
	inode = ode->inode;
	if (nde && nde->inode == inode)
		return 0;
	if (!newdir->i_nlink)
		return -ENOENT;
	if (S_ISDIR(inode->i_mode) && is_ancestor(inode, newdir))
		return -EINVAL;
	target = nde ? nde->inode : NULL;
	if (target) {
		if (S_ISDIR(target->i_mode) && !S_ISDIR(inode->i_mode))
			return -EISDIR;
		if (!S_ISDIR(target->i_mode) && S_ISDIR(inode->i_mode))
			return -ENOTDIR;
		if (S_ISDIR(target->i_mode) &&
		    !list_empty(&TMPFS_I(target)->entries))
			return -ENOTEMPTY;
	}
	de = alloc_dirent(newname->name, newname->len);
	if (!de)
		return -ENOMEM;
	if (target) {
		remove_dirent(nde);
		if (S_ISDIR(target->i_mode))
			drop_dir(newdir, target);
		else
			tmpfs_drop_link(target);
	}
	remove_dirent(ode);
	err = insert_dirent(newdir, de, inode);
	if (err) {
		/* Only possible with no hash table at all, which a live
		 * directory always has: keep the inode reachable anyway. */
		kfree(de);
		return err;
	}
	move_dir(inode, olddir, newdir);
	inode->i_ctime = current_time();
	return 0;
}

/* ---- attributes, symlinks --------------------------------------------- */

/* Change the size of a regular file. 0, -EFBIG (past 256 TiB), -EINVAL. */
static int tmpfs_setsize(struct inode *inode, loff_t size)
{
	if (size < 0)
		return -EINVAL;
	if ((uint64_t)size > TMPFS_MAX_BYTES)
		return -EFBIG;
	if (size < inode->i_size)
		truncate_pages(inode, size);
	inode->i_size = size;
	return 0;
}

/*
 * Apply the checked attribute change (Linux shmem_setattr + setattr_copy):
 * a size change of a regular file frees or adds (sparse) pages and moves
 * mtime and ctime; a size on a device node, FIFO or socket is ignored (the
 * O_TRUNC of "> /dev/null"; truncate(2) of one is the VFS's -EINVAL, as
 * vfs_truncate); a chmod by someone outside the file's group who is not
 * root drops set-group-ID. ctime becomes now unless given. Errors: -EISDIR,
 * -EINVAL (size of a symlink), -EFBIG.
 */
static int tmpfs_setattr(struct inode *inode, const struct iattr *attr)
{
	unsigned int v = attr->ia_valid;
	struct timespec now = current_time();
	int err;

	if ((v & ATTR_SIZE) && S_ISDIR(inode->i_mode))
		return -EISDIR;
	if ((v & ATTR_SIZE) && S_ISLNK(inode->i_mode))
		return -EINVAL;
	if ((v & ATTR_SIZE) && S_ISREG(inode->i_mode)) {
		if (attr->ia_size != inode->i_size) {
			err = tmpfs_setsize(inode, attr->ia_size);
			if (err)
				return err;
			inode->i_mtime = now;
		}
	}
	if (v & ATTR_UID)
		inode->i_uid = attr->ia_uid;
	if (v & ATTR_GID)
		inode->i_gid = attr->ia_gid;
	if (v & ATTR_MODE) {
		mode_t mode = attr->ia_mode & 07777;

		if (current && !capable(current->cred) &&
		    !in_group_p(current->cred, inode->i_gid))
			mode &= ~S_ISGID;
		inode->i_mode = (inode->i_mode & S_IFMT) | mode;
	}
	if (v & ATTR_ATIME)
		inode->i_atime = attr->ia_atime;
	if (v & ATTR_MTIME)
		inode->i_mtime = attr->ia_mtime;
	inode->i_ctime = (v & ATTR_CTIME) ? attr->ia_ctime : now;
	return 0;
}

/* Extended attributes: in memory, within the mount's free_ispace. */
static ssize_t tmpfs_getxattr(struct inode *inode, const char *name,
			      void *value, size_t size)
{
	return simple_xattr_get(&TMPFS_I(inode)->xattrs, name, value, size);
}

static int tmpfs_setxattr(struct inode *inode, const char *name,
			  const void *value, size_t size, int flags)
{
	int err = simple_xattr_set(&TMPFS_I(inode)->xattrs, name, value, size,
				   flags, &TMPFS_SB(inode->i_sb)->free_ispace);

	if (!err)
		inode->i_ctime = current_time();
	return err;
}

static ssize_t tmpfs_listxattr(struct inode *inode, char *list, size_t size)
{
	return simple_xattr_list(&TMPFS_I(inode)->xattrs, list, size);
}

static long tmpfs_readlink(struct inode *inode, char *buf, size_t size)
{
	const char *target = TMPFS_I(inode)->target;
	size_t len = target ? strlen(target) : 0;

	len = min(len, size);
	memcpy(buf, target, len);
	touch_atime(inode);
	return len;
}

/* ---- directories as files --------------------------------------------- */

/* Hand one entry to the actor; ctx->pos moves to next only if it took it. */
static bool dir_emit(struct dir_context *ctx, const char *name,
		     unsigned int len, uint64_t ino, unsigned int type,
		     loff_t next)
{
	loff_t cur = ctx->pos;

	ctx->pos = next;
	if (ctx->actor(ctx, name, len, next, ino, type))
		return true;
	ctx->pos = cur;
	return false;
}

/*
 * getdents: "." at position 0, ".." at 1, then every entry whose cookie is
 * at least ctx->pos, in cookie order; the position after an entry is its
 * cookie + 1. Entries created after the walk began show up at its end;
 * removed ones just disappear. -ENOENT in a removed directory (Linux
 * IS_DEADDIR).
 */
static int tmpfs_iterate(struct file *file, struct dir_context *ctx)
{
	struct inode *dir = file->f_inode;
	struct tmpfs_inode *ti = TMPFS_I(dir);
	struct tmpfs_dirent *de;

	if (!dir->i_nlink)
		return -ENOENT;
	if (ctx->pos == 0 && !dir_emit(ctx, ".", 1, dir->i_ino, DT_DIR, 1))
		return 0;
	if (ctx->pos == 1 &&
	    !dir_emit(ctx, "..", 2, ti->parent->i_ino, DT_DIR, 2))
		return 0;
	list_for_each_entry(de, &ti->entries, d_list) {
		if (de->cookie < ctx->pos)
			continue;
		if (!dir_emit(ctx, de->name, de->len, de->inode->i_ino,
			      IFTODT(de->inode->i_mode), de->cookie + 1))
			return 0;
	}
	touch_atime(dir);
	return 0;
}

/* lseek on a directory: any cookie (SEEK_SET, SEEK_CUR); -EINVAL else. */
static loff_t tmpfs_dir_llseek(struct file *file, loff_t off, int whence)
{
	switch (whence) {
	case SEEK_SET:
		break;
	case SEEK_CUR:
		off += file->f_pos;
		break;
	default:
		return -EINVAL;
	}
	if (off < 0)
		return -EINVAL;
	file->f_pos = off;
	return off;
}

/* ---- the superblock --------------------------------------------------- */

static int tmpfs_statfs(struct super_block *sb, struct kstatfs *buf)
{
	struct tmpfs_sb_info *sbi = TMPFS_SB(sb);

	memset(buf, 0, sizeof(*buf));
	buf->f_type = sb->s_magic;
	buf->f_bsize = PAGE_SIZE;
	buf->f_frsize = PAGE_SIZE;
	buf->f_namelen = TMPFS_NAME_MAX;
	buf->f_fsid = sb->s_dev;
	if (!sbi)
		return 0;
	if (sbi->max_pages) {
		buf->f_blocks = sbi->max_pages;
		buf->f_bfree = buf->f_bavail = sbi->max_pages > sbi->used_pages
			? sbi->max_pages - sbi->used_pages : 0;
	}
	if (sbi->max_inodes) {
		buf->f_files = sbi->max_inodes;
		buf->f_ffree = sbi->max_inodes > sbi->used_inodes
			? sbi->max_inodes - sbi->used_inodes : 0;
	}
	return 0;
}

/*
 * Remove every name below dir, deepest first, without recursion (kernel
 * stacks are small): each inode loses its names and its pin, and is freed
 * as soon as nobody else holds it. Used at unmount.
 */
static void tmpfs_clear_tree(struct inode *top)
{
	struct inode *dir = top;

	for (;;) {
		struct tmpfs_inode *ti = TMPFS_I(dir);
		struct tmpfs_dirent *de;
		struct inode *inode;

		if (list_empty(&ti->entries)) {
			if (dir == top)
				return;
			dir = ti->parent;
			continue;
		}
		de = list_first_entry(&ti->entries, struct tmpfs_dirent, d_list);
		inode = de->inode;
		if (S_ISDIR(inode->i_mode) &&
		    !list_empty(&TMPFS_I(inode)->entries)) {
			dir = inode;
			continue;
		}
		remove_dirent(de);
		if (S_ISDIR(inode->i_mode))
			drop_dir(dir, inode);
		else
			tmpfs_drop_link(inode);
	}
}

/* The last reference is gone: free the data (the inode has no name left,
 * or the filesystem is going away). */
static void tmpfs_evict_inode(struct inode *inode)
{
	struct tmpfs_sb_info *sbi = TMPFS_SB(inode->i_sb);
	struct tmpfs_inode *ti = TMPFS_I(inode);

	if (!ti)
		return;
	if (S_ISDIR(inode->i_mode) && sbi)
		tmpfs_clear_tree(inode);
	if (sbi && sbi->root == inode)
		sbi->root = NULL;
	if (ti->pages)
		account_pages(inode, -(int64_t)radix_trim(&ti->pages,
				RADIX_LEVELS - 1, 0, 0));
	if (sbi)
		sbi->used_inodes--;
	simple_xattrs_free(&ti->xattrs, sbi ? &sbi->free_ispace :
					      &(uint64_t){ 0 });
	kfree(ti->target);
	kfree(ti);
	inode->i_private = NULL;
}

/* Unmount: drop every name (freeing what no open file holds), then the
 * per-mount state. Inodes still open, the root included, are freed by
 * their last iput; the VFS may drop s_root before or after this. */
static void tmpfs_put_super(struct super_block *sb)
{
	struct tmpfs_sb_info *sbi = TMPFS_SB(sb);

	if (!sbi)
		return;
	if (sbi->root)
		tmpfs_clear_tree(sbi->root);
	kfree(sbi->htable);
	kfree(sbi);
	sb->s_fs_info = NULL;
}

/* "123", "64k", "1M", "2g", "1t": bytes; -EINVAL if malformed. */
static int parse_size(const char *s, uint64_t *res)
{
	char *end;
	uint64_t v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	v = strtoull(s, &end, 0);
	switch (*end) {
	case 'e': case 'E': v <<= 10;		/* fall through */
	case 'p': case 'P': v <<= 10;		/* fall through */
	case 't': case 'T': v <<= 10;		/* fall through */
	case 'g': case 'G': v <<= 10;		/* fall through */
	case 'm': case 'M': v <<= 10;		/* fall through */
	case 'k': case 'K': v <<= 10;
		end++;
		break;
	case '%':
		v = totalram_bytes / 100 * v;
		end++;
		break;
	}
	if (*end)
		return -EINVAL;
	*res = v;
	return 0;
}

static int parse_u32(const char *s, unsigned int base, unsigned int *res)
{
	char *end;
	unsigned long v;

	if (!*s)
		return -EINVAL;
	v = strtoul(s, &end, base);
	if (*end || v > 0xffffffffUL)
		return -EINVAL;
	*res = v;
	return 0;
}

static bool generic_mount_option(const char *opt)
{
	static const char *const generic[] = {
		"rw", "ro", "suid", "nosuid", "dev", "nodev", "exec", "noexec",
		"sync", "async", "atime", "noatime", "diratime", "nodiratime",
		"relatime", "norelatime", "strictatime", "lazytime",
		"nolazytime", "mand", "nomand", "silent", "loud", "defaults",
		"inode32", "inode64", "noswap",
	};
	size_t i;

	if (!strncmp(opt, "huge=", 5) || !strncmp(opt, "mpol=", 5))
		return true;
	for (i = 0; i < ARRAY_SIZE(generic); i++)
		if (!strcmp(opt, generic[i]))
			return true;
	return false;
}

/* One option of Linux's tmpfs(5). 0 or -EINVAL. */
static int parse_option(struct tmpfs_sb_info *sbi, char *opt)
{
	char *val = strchr(opt, '=');
	uint64_t v;
	unsigned int u;

	if (generic_mount_option(opt))
		return 0;
	if (!val)
		return -EINVAL;
	*val++ = '\0';
	if (!strcmp(opt, "size")) {
		if (parse_size(val, &v))
			return -EINVAL;
		sbi->max_pages = (v + PAGE_SIZE - 1) / PAGE_SIZE;
	} else if (!strcmp(opt, "nr_blocks")) {
		if (parse_size(val, &v))
			return -EINVAL;
		sbi->max_pages = v;
	} else if (!strcmp(opt, "nr_inodes")) {
		if (parse_size(val, &v))
			return -EINVAL;
		sbi->max_inodes = v;
	} else if (!strcmp(opt, "mode")) {
		if (parse_u32(val, 8, &u))
			return -EINVAL;
		sbi->root_mode = u & 07777;
	} else if (!strcmp(opt, "uid")) {
		if (parse_u32(val, 10, &u))
			return -EINVAL;
		sbi->uid = u;
	} else if (!strcmp(opt, "gid")) {
		if (parse_u32(val, 10, &u))
			return -EINVAL;
		sbi->gid = u;
	} else {
		return -EINVAL;
	}
	return 0;
}

static int parse_options(struct tmpfs_sb_info *sbi, const char *data)
{
	char *copy, *opt, *rest;
	int err = 0;

	if (!data || !*data)
		return 0;
	copy = kstrdup(data);
	if (!copy)
		return -ENOMEM;
	for (rest = copy; (opt = strsep(&rest, ",")) != NULL;) {
		if (!*opt)
			continue;
		err = parse_option(sbi, opt);
		if (err) {
			printk(KERN_ERR "tmpfs: Bad mount option %s\n", opt);
			break;
		}
	}
	kfree(copy);
	return err;
}

int tmpfs_fill_super_mode(struct super_block *sb, void *data, mode_t root_mode)
{
	struct tmpfs_sb_info *sbi = kzalloc(sizeof(*sbi));
	struct inode *root;
	int err;

	if (!sbi)
		return -ENOMEM;
	sbi->max_pages = totalram_bytes / PAGE_SIZE / 2;
	sbi->max_inodes = totalram_bytes / PAGE_SIZE / 2;
	sbi->next_ino = 1;
	sbi->root_mode = root_mode & 07777;
	if (current && current->cred) {
		sbi->uid = current->cred->fsuid;
		sbi->gid = current->cred->fsgid;
	}
	err = parse_options(sbi, data);
	if (err)
		goto out_free;
	sbi->free_ispace = (sbi->max_inodes ? sbi->max_inodes :
			    totalram_bytes / PAGE_SIZE / 2) * BOGO_INODE_SIZE;
	hash_grow(sbi);
	err = -ENOMEM;
	if (!sbi->htable)
		goto out_free;
	sb->s_fs_info = sbi;
	sb->s_magic = TMPFS_MAGIC;
	sb->s_blocksize = PAGE_SIZE;
	sb->s_op = &tmpfs_sops;
	sb->s_xattr = XATTR_NS_ALL;
	root = tmpfs_get_inode(sb, S_IFDIR | sbi->root_mode, 0, &err);
	if (!root)
		goto out_clear;
	root->i_uid = sbi->uid;
	root->i_gid = sbi->gid;
	TMPFS_I(root)->parent = root;
	sbi->root = root;
	sb->s_root = d_make_root(root);
	err = -ENOMEM;
	if (!sb->s_root)
		goto out_clear;
	return 0;

out_clear:
	sb->s_fs_info = NULL;
	kfree(sbi->htable);
out_free:
	kfree(sbi);
	return err;
}

static int tmpfs_fill_super(struct super_block *sb, const char *dev_name,
			    void *data, int flags)
{
	return tmpfs_fill_super_mode(sb, data, S_ISVTX | 0777);
}

static const struct inode_operations tmpfs_dir_iops = {
	.lookup = tmpfs_lookup,
	.create = tmpfs_create,
	.mkdir = tmpfs_mkdir,
	.mknod = tmpfs_mknod,
	.symlink = tmpfs_symlink,
	.link = tmpfs_link,
	.unlink = tmpfs_unlink,
	.rmdir = tmpfs_rmdir,
	.rename = tmpfs_rename,
	.setattr = tmpfs_setattr,
	.getxattr = tmpfs_getxattr,
	.setxattr = tmpfs_setxattr,
	.listxattr = tmpfs_listxattr,
};

static const struct inode_operations tmpfs_file_iops = {
	.setattr = tmpfs_setattr,
	.getxattr = tmpfs_getxattr,
	.setxattr = tmpfs_setxattr,
	.listxattr = tmpfs_listxattr,
};

static const struct inode_operations tmpfs_symlink_iops = {
	.readlink = tmpfs_readlink,
	.setattr = tmpfs_setattr,
	.getxattr = tmpfs_getxattr,
	.setxattr = tmpfs_setxattr,
	.listxattr = tmpfs_listxattr,
};

static const struct inode_operations tmpfs_special_iops = {
	.setattr = tmpfs_setattr,
	.getxattr = tmpfs_getxattr,
	.setxattr = tmpfs_setxattr,
	.listxattr = tmpfs_listxattr,
};

/*
 * lseek on a regular file: SEEK_DATA and SEEK_HOLE find the pages that
 * exist (Linux shmem_file_llseek): a hole is a page never written; past
 * i_size is -ENXIO. The rest as generic_file_llseek.
 */
static loff_t tmpfs_file_llseek(struct file *file, loff_t off, int whence)
{
	struct inode *inode = file->f_inode;
	uint64_t idx;

	if (whence != SEEK_DATA && whence != SEEK_HOLE)
		return generic_file_llseek(file, off, whence);
	if (off < 0 || off >= inode->i_size)
		return -ENXIO;
	idx = radix_find(TMPFS_I(inode)->pages, RADIX_LEVELS - 1, 0,
			 off / PAGE_SIZE, whence == SEEK_DATA);
	if (idx == UINT64_MAX || idx >= TMPFS_MAX_PAGES ||
	    (loff_t)(idx * PAGE_SIZE) >= inode->i_size) {
		if (whence == SEEK_DATA)
			return -ENXIO;
		off = inode->i_size;
	} else if ((loff_t)(idx * PAGE_SIZE) > off) {
		off = idx * PAGE_SIZE;
	}
	file->f_pos = off;
	return off;
}

static const struct file_operations tmpfs_file_fops = {
	.read = tmpfs_file_read,
	.llseek = tmpfs_file_llseek,
	.write = tmpfs_file_write,
	.fsync = tmpfs_fsync,
};

static const struct file_operations tmpfs_dir_fops = {
	.iterate = tmpfs_iterate,
	.llseek = tmpfs_dir_llseek,
	.fsync = tmpfs_fsync,
};

static const struct super_operations tmpfs_sops = {
	.statfs = tmpfs_statfs,
	.put_super = tmpfs_put_super,
	.evict_inode = tmpfs_evict_inode,
};

static struct file_system_type tmpfs_fs_type = {
	.name = "tmpfs",
	.fill_super = tmpfs_fill_super,
};

int init_tmpfs(void)
{
	return register_filesystem(&tmpfs_fs_type);
}
