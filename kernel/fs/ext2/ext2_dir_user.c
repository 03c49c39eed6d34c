/*
 * ext2/ext3/ext4, host side: directories on libext2fs. Lookup, entry
 * creation (growing the directory when it is full), link, unlink, rmdir,
 * rename with replacement and exchange, and readdir with stable position
 * cookies. Callers hold the superblock's s_lock (see ext2_user.h).
 * Semantics: Linux fs/ext4/namei.c (ext4_add_entry, ext4_unlink,
 * ext4_rmdir, ext4_rename, ext4_cross_rename), fs/ext4/dir.c.
 */
#include <dirent.h>
#include <string.h>
#include <sys/stat.h>
#include "ext2_host.h"

/* Copy a counted name into a NUL-terminated buffer of EXT2_NAME_LEN + 1. */
static int copy_name(char *dst, const char *name, size_t len)
{
	if (!len)
		return -ENOENT;
	if (len > EXT2_NAME_LEN)
		return -ENAMETOOLONG;
	memcpy(dst, name, len);
	dst[len] = '\0';
	return 0;
}

int ext2_host_lookup(struct ext2_host *h, uint32_t dir, const char *name,
		     size_t len, uint32_t *ino)
{
	ext2_ino_t res;
	errcode_t eerr;

	if (!len)
		return -ENOENT;
	if (len > EXT2_NAME_LEN)
		return -ENAMETOOLONG;
	eerr = ext2fs_lookup(h->fs, dir, name, len, NULL, &res);
	if (eerr)
		return ext2_errno(h, "ext2fs_lookup", eerr);
	*ino = res;
	return 0;
}

/* Is directory dir htree-indexed (EXT2_INDEX_FL)? */
static bool dir_indexed(struct ext2_host *h, uint32_t dir)
{
	struct ext2_ibuf b;

	return !ext2_iget_raw(h, dir, &b) && (b.i.i_flags & EXT2_INDEX_FL);
}

/*
 * Add the entry name -> ino (type of mode) to dir, growing a linear
 * directory by a block when no block has room (ext4_add_entry). An
 * indexed directory grows inside ext2fs_link (an htree split rewrites
 * several blocks at once, which no write order makes crash-safe:
 * README.md). The directory blocks are written back with order:
 * UBD_WB_FIRST for a new name, ahead of the inode it names
 * (ext2_io_set_order).
 */
static int add_entry(struct ext2_host *h, uint32_t dir, const char *name,
		     uint32_t ino, uint32_t mode, enum ubd_wb_order order)
{
	int ftype = ext2_mode_to_ftype(mode);
	errcode_t eerr;

	ext2_io_set_order(h, order);
	eerr = ext2fs_link(h->fs, dir, name, ino, ftype);
	if (eerr == EXT2_ET_DIR_NO_SPACE && !dir_indexed(h, dir)) {
		eerr = ext2fs_expand_dir(h->fs, dir);
		/* The grown directory's inode reaches the disk before a name
		 * in its new block can: the barrier. */
		if (!eerr && ext2_io_barrier(h))
			eerr = EXT2_ET_NO_MEMORY;
		if (!eerr)
			eerr = ext2fs_link(h->fs, dir, name, ino, ftype);
	}
	ext2_io_set_order(h, UBD_WB_NORMAL);
	return ext2_errno(h, "ext2fs_link", eerr);
}

/* Remove the entry name naming ino from dir: -ENOENT if there is none.
 * The block is written back with order: UBD_WB_LAST for a name that goes
 * after the inode it named is freed. */
static int remove_entry(struct ext2_host *h, uint32_t dir, const char *name,
			uint32_t ino, enum ubd_wb_order order)
{
	errcode_t eerr;

	ext2_io_set_order(h, order);
	eerr = ext2fs_unlink(h->fs, dir, name, ino, 0);
	ext2_io_set_order(h, UBD_WB_NORMAL);
	if (eerr == EXT2_ET_DIR_NO_SPACE)	/* ext2fs_unlink: not found */
		return -ENOENT;
	return ext2_errno(h, "ext2fs_unlink", eerr);
}

/* ------------------------------------------------------------------ */
/* Rewriting entries in place (rename over, "..").                     */

struct set_entry_ctx {
	const char *name;	/* NULL: the ".." entry */
	size_t len;
	uint32_t ino;
	int ftype;
	bool has_ftype;
	bool done;
};

/*
 * "." or ".."? By name: an inline-data directory reports both of its
 * synthesized entries as DIRENT_DOT_FILE.
 */
static bool is_dot(const struct ext2_dir_entry *de, int len)
{
	return ext2fs_dirent_name_len(de) == len && de->name[0] == '.' &&
	       (len == 1 || de->name[1] == '.');
}

static int set_entry_proc(ext2_ino_t dir, int entry,
			  struct ext2_dir_entry *de, int offset, int blocksize,
			  char *buf, void *priv)
{
	struct set_entry_ctx *c = priv;

	if (!de->inode)
		return 0;
	if (c->name) {
		if ((size_t)ext2fs_dirent_name_len(de) != c->len ||
		    memcmp(de->name, c->name, c->len) || is_dot(de, 1) ||
		    is_dot(de, 2))
			return 0;
	} else if (!is_dot(de, 2)) {
		return 0;
	}
	de->inode = c->ino;
	if (c->has_ftype)
		ext2fs_dirent_set_file_type(de, c->ftype);
	c->done = true;
	return DIRENT_CHANGED | DIRENT_ABORT;
}

/* Point the entry name (or ".." when name is NULL) of dir at ino; the
 * block is written back with order (ext2_io_set_order). */
static int set_entry(struct ext2_host *h, uint32_t dir, const char *name,
		     uint32_t ino, uint32_t mode, enum ubd_wb_order order)
{
	struct set_entry_ctx c = {
		.name = name, .len = name ? strlen(name) : 0, .ino = ino,
		.ftype = ext2_mode_to_ftype(mode),
		.has_ftype = ext2fs_has_feature_filetype(h->fs->super),
	};
	int err;

	ext2_io_set_order(h, order);
	err = ext2_errno(h, "ext2fs_dir_iterate",
			 ext2fs_dir_iterate2(h->fs, dir, 0, NULL,
					     set_entry_proc, &c));
	ext2_io_set_order(h, UBD_WB_NORMAL);
	if (!err && !c.done)
		err = name ? -ENOENT : -EUCLEAN;
	return err;
}

static int empty_proc(ext2_ino_t dir, int entry, struct ext2_dir_entry *de,
		      int offset, int blocksize, char *buf, void *priv)
{
	if (!de->inode || is_dot(de, 1) || is_dot(de, 2))
		return 0;
	*(bool *)priv = false;
	return DIRENT_ABORT;
}

/* 0 when directory dir holds only "." and "..", else -ENOTEMPTY. */
static int dir_empty(struct ext2_host *h, uint32_t dir)
{
	bool empty = true;
	int err;

	err = ext2_errno(h, "ext2fs_dir_iterate",
			 ext2fs_dir_iterate2(h->fs, dir, 0, NULL, empty_proc,
					     &empty));
	if (err)
		return err;
	return empty ? 0 : -ENOTEMPTY;
}

/* ------------------------------------------------------------------ */
/* Inode updates after a directory change, each a read-modify-write.   */

#define NLINK_KEEP 0
#define NLINK_INC 1
#define NLINK_DEC 2
#define NLINK_CLEAR 3

/*
 * Adjust ino's link count (NLINK_*), set its ctime to now and, when mtime
 * is set, its mtime too.
 */
static int update_inode(struct ext2_host *h, uint32_t ino, int nlink,
			bool mtime, const struct ext2_time *now)
{
	struct ext2_ibuf b;
	int err = ext2_iget_raw(h, ino, &b);

	if (err)
		return err;
	if (nlink == NLINK_INC)
		ext2_inc_nlink(h, &b);
	else if (nlink == NLINK_DEC)
		ext2_dec_nlink(&b);
	else if (nlink == NLINK_CLEAR)
		b.i.i_links_count = 0;
	ext2_set_times(h, &b, NULL, mtime ? now : NULL, now);
	return ext2_iput_raw(h, ino, &b);
}

/* The link count of ino into *n, or -errno. */
static int get_links(struct ext2_host *h, uint32_t ino, uint16_t *n)
{
	struct ext2_ibuf b;
	int err = ext2_iget_raw(h, ino, &b);

	if (!err)
		*n = b.i.i_links_count;
	return err;
}

/* Put back the link count n of ino that a failed operation lowered. */
static void restore_links(struct ext2_host *h, uint32_t ino, uint16_t n)
{
	struct ext2_ibuf b;

	if (!ext2_iget_raw(h, ino, &b)) {
		b.i.i_links_count = n;
		ext2_iput_raw(h, ino, &b);
	}
}

/* The mode of ino, or -errno. */
static int get_mode(struct ext2_host *h, uint32_t ino, uint32_t *mode)
{
	struct ext2_ibuf b;
	int err = ext2_iget_raw(h, ino, &b);

	if (!err)
		*mode = b.i.i_mode;
	return err;
}

/* -EMLINK unless directory dir may take one more subdirectory. */
static int dir_may_grow(struct ext2_host *h, uint32_t dir)
{
	struct ext2_ibuf b;
	int err = ext2_iget_raw(h, dir, &b);

	return err ? err : ext2_dir_may_grow(h, &b);
}

/* ------------------------------------------------------------------ */
/* Namespace operations.                                               */

int ext2_host_create(struct ext2_host *h, uint32_t dir, const char *name,
		     size_t len, const struct ext2_attr *a, const char *target,
		     uint32_t *res)
{
	char nm[EXT2_NAME_LEN + 1];
	bool is_dir = S_ISDIR(a->mode);
	uint32_t ino;
	int err = ext2_want_write(h);

	if (!err)
		err = copy_name(nm, name, len);
	if (!err && is_dir)
		err = dir_may_grow(h, dir);
	if (!err)
		err = ext2_alloc_inode_raw(h, dir, a, target, &ino);
	if (err)
		return err;
	/* The name is written before the inode it names: a crash between
	 * leaves a name of an unused inode, which e2fsck -p clears. */
	err = add_entry(h, dir, nm, ino, a->mode, UBD_WB_FIRST);
	if (err) {
		ext2fs_inode_alloc_stats2(h->fs, ino, -1, is_dir);
		return err;
	}
	err = ext2_new_inode_raw(h, ino, dir, a, target);
	if (err) {	/* the inode is given back: its name goes too */
		remove_entry(h, dir, nm, ino, UBD_WB_LAST);
		return err;
	}
	*res = ino;
	return update_inode(h, dir, is_dir ? NLINK_INC : NLINK_KEEP, true,
			    &a->ctime);
}

int ext2_host_link(struct ext2_host *h, uint32_t dir, const char *name,
		   size_t len, uint32_t ino, const struct ext2_time *now)
{
	char nm[EXT2_NAME_LEN + 1];
	struct ext2_ibuf b;
	int err = ext2_want_write(h);

	if (!err)
		err = copy_name(nm, name, len);
	if (!err)
		err = ext2_iget_raw(h, ino, &b);
	if (err)
		return err;
	if (LINUX_S_ISDIR(b.i.i_mode))
		return -EPERM;
	if (!b.i.i_links_count)
		return -ENOENT;
	if (b.i.i_links_count >= EXT2_HOST_LINK_MAX)
		return -EMLINK;
	err = add_entry(h, dir, nm, ino, b.i.i_mode, UBD_WB_FIRST);
	if (!err)
		err = update_inode(h, ino, NLINK_INC, false, now);
	if (!err)
		err = update_inode(h, dir, NLINK_KEEP, true, now);
	return err;
}

/*
 * unlink and rmdir: the name nm (name, len) of ino in dir goes, ino's
 * link count changes by nlink (NLINK_*) first: a crash between leaves a
 * name of an unlinked inode, which e2fsck -p clears. The count is put
 * back if the name cannot go. 0, -ENOENT (name does not name ino), -EIO.
 */
static int drop_name(struct ext2_host *h, uint32_t dir, const char *nm,
		     size_t len, uint32_t ino, int nlink,
		     const struct ext2_time *now)
{
	uint32_t found = 0;
	uint16_t links = 0;
	int err = ext2_host_lookup(h, dir, nm, len, &found);

	if (!err && found != ino)
		err = -ENOENT;
	if (!err)
		err = get_links(h, ino, &links);
	if (!err)
		err = update_inode(h, ino, nlink, false, now);
	if (!err) {
		err = remove_entry(h, dir, nm, ino, UBD_WB_LAST);
		if (err)
			restore_links(h, ino, links);
	}
	return err;
}

int ext2_host_unlink(struct ext2_host *h, uint32_t dir, const char *name,
		     size_t len, uint32_t ino, const struct ext2_time *now)
{
	char nm[EXT2_NAME_LEN + 1];
	int err = ext2_want_write(h);

	if (!err)
		err = copy_name(nm, name, len);
	if (!err)
		err = drop_name(h, dir, nm, len, ino, NLINK_DEC, now);
	if (!err)
		err = update_inode(h, dir, NLINK_KEEP, true, now);
	return err;
}

int ext2_host_rmdir(struct ext2_host *h, uint32_t dir, const char *name,
		    size_t len, uint32_t ino, const struct ext2_time *now)
{
	char nm[EXT2_NAME_LEN + 1];
	uint32_t mode;
	int err = ext2_want_write(h);

	if (!err)
		err = copy_name(nm, name, len);
	if (!err)
		err = get_mode(h, ino, &mode);
	if (!err && !S_ISDIR(mode))
		err = -ENOTDIR;
	if (!err)
		err = dir_empty(h, ino);
	if (!err)
		err = drop_name(h, dir, nm, len, ino, NLINK_CLEAR, now);
	if (!err)
		err = update_inode(h, dir, NLINK_DEC, true, now);
	return err;
}

/*
 * RENAME_EXCHANGE (ext4_cross_rename): swap the two entries; a directory
 * that changes parent gets its ".." moved and the parents' counts follow.
 */
static int rename_exchange(struct ext2_host *h, uint32_t olddir,
			   const char *oldnm, uint32_t ino, uint32_t omode,
			   uint32_t newdir, const char *newnm, uint32_t new_ino,
			   uint32_t nmode, const struct ext2_time *now)
{
	bool odir = S_ISDIR(omode), ndir = S_ISDIR(nmode);
	int err = 0;

	if (olddir != newdir && odir != ndir)
		err = dir_may_grow(h, odir ? newdir : olddir);
	if (!err)
		err = set_entry(h, olddir, oldnm, new_ino, nmode,
				UBD_WB_NORMAL);
	if (!err)
		err = set_entry(h, newdir, newnm, ino, omode, UBD_WB_NORMAL);
	if (!err && olddir != newdir && odir)
		err = set_entry(h, ino, NULL, newdir, S_IFDIR, UBD_WB_NORMAL);
	if (!err && olddir != newdir && ndir)
		err = set_entry(h, new_ino, NULL, olddir, S_IFDIR,
				UBD_WB_NORMAL);
	if (!err && olddir != newdir && odir != ndir) {
		err = update_inode(h, olddir, odir ? NLINK_DEC : NLINK_INC,
				   true, now);
		if (!err)
			err = update_inode(h, newdir, odir ? NLINK_INC :
					   NLINK_DEC, true, now);
	}
	if (!err)
		err = update_inode(h, ino, NLINK_KEEP, false, now);
	if (!err)
		err = update_inode(h, new_ino, NLINK_KEEP, false, now);
	if (!err)
		err = update_inode(h, olddir, NLINK_KEEP, true, now);
	if (!err && newdir != olddir)
		err = update_inode(h, newdir, NLINK_KEEP, true, now);
	return err;
}

/* May ino (omode) take the new name, replacing new_ino (nmode, or 0)?
 * 0, -EISDIR, -ENOTDIR, -ENOTEMPTY, -EMLINK. */
static int rename_check(struct ext2_host *h, uint32_t newdir, uint32_t omode,
			uint32_t new_ino, uint32_t nmode, bool move_dir)
{
	if (new_ino && S_ISDIR(omode) != S_ISDIR(nmode))
		return S_ISDIR(nmode) ? -EISDIR : -ENOTDIR;
	if (new_ino && S_ISDIR(nmode))
		return dir_empty(h, new_ino);
	return !new_ino && move_dir ? dir_may_grow(h, newdir) : 0;
}

/*
 * Check a rename request: both names valid, oldname naming ino in olddir;
 * the modes of ino and new_ino (0 when there is none) into *omode, *nmode.
 */
static int rename_prepare(struct ext2_host *h, uint32_t olddir,
			  const char *oldname, size_t oldlen, uint32_t ino,
			  const char *newname, size_t newlen, uint32_t new_ino,
			  char *oldnm, char *newnm, uint32_t *omode,
			  uint32_t *nmode)
{
	uint32_t found = 0;
	int err = ext2_want_write(h);

	if (!err)
		err = copy_name(oldnm, oldname, oldlen);
	if (!err)
		err = copy_name(newnm, newname, newlen);
	if (!err)
		err = ext2_host_lookup(h, olddir, oldname, oldlen, &found);
	if (!err && found != ino)
		err = -ENOENT;
	if (!err)
		err = get_mode(h, ino, omode);
	*nmode = 0;
	if (!err && new_ino)
		err = get_mode(h, new_ino, nmode);
	return err;
}

/* The inode new_ino (mode nmode) a rename replaces in newdir loses a link
 * (a directory all of them, and newdir the one of its ".."). */
static int rename_drop_target(struct ext2_host *h, uint32_t newdir,
			      uint32_t new_ino, uint32_t nmode,
			      const struct ext2_time *now)
{
	int err = update_inode(h, new_ino, S_ISDIR(nmode) ? NLINK_CLEAR :
			       NLINK_DEC, false, now);

	if (!err && S_ISDIR(nmode))
		err = update_inode(h, newdir, NLINK_DEC, true, now);
	return err;
}

/*
 * Link counts and times after a rename moved ino (mode omode) from olddir
 * to newdir (the replaced inode's are rename_drop_target's): a directory
 * that changed parent moves one link from olddir to newdir.
 */
static int rename_counts(struct ext2_host *h, uint32_t olddir, uint32_t ino,
			 uint32_t omode, uint32_t newdir,
			 const struct ext2_time *now)
{
	bool move_dir = S_ISDIR(omode) && olddir != newdir;
	int err = 0;

	if (move_dir)
		err = update_inode(h, olddir, NLINK_DEC, true, now);
	if (!err && move_dir)
		err = update_inode(h, newdir, NLINK_INC, true, now);
	if (!err)
		err = update_inode(h, ino, NLINK_KEEP, false, now);
	if (!err)
		err = update_inode(h, olddir, NLINK_KEEP, true, now);
	if (!err && newdir != olddir)
		err = update_inode(h, newdir, NLINK_KEEP, true, now);
	return err;
}

int ext2_host_rename(struct ext2_host *h, uint32_t olddir,
		     const char *oldname, size_t oldlen, uint32_t ino,
		     uint32_t newdir, const char *newname, size_t newlen,
		     uint32_t new_ino, unsigned int flags,
		     const struct ext2_time *now)
{
	char oldnm[EXT2_NAME_LEN + 1], newnm[EXT2_NAME_LEN + 1];
	uint32_t omode = 0, nmode = 0;
	uint16_t tlinks = 0, dlinks = 0;
	enum ubd_wb_order order;
	bool move_dir;
	int err;

	err = rename_prepare(h, olddir, oldname, oldlen, ino, newname, newlen,
			     new_ino, oldnm, newnm, &omode, &nmode);
	if (err)
		return err;
	if ((flags & EXT2_RENAME_NOREPLACE) && new_ino)
		return -EEXIST;
	if ((flags & EXT2_RENAME_EXCHANGE) && !new_ino)
		return -ENOENT;
	if (new_ino == ino)
		return 0;
	if (flags & EXT2_RENAME_EXCHANGE)
		return rename_exchange(h, olddir, oldnm, ino, omode, newdir,
				       newnm, new_ino, nmode, now);
	move_dir = S_ISDIR(omode) && olddir != newdir;
	err = rename_check(h, newdir, omode, new_ino, nmode, move_dir);
	/*
	 * Crash order (ext2_io_set_order). A replaced inode loses its link
	 * first, behind a barrier, so no crash leaves it unlinked by name
	 * but linked by count. Then a file's new name goes before its old
	 * one goes: both at once are a link count e2fsck -p mends. A
	 * directory must never have two names, nor none (e2fsck -p stops at
	 * either): both changes are plain writes (no rank, no barrier), so
	 * within one block they reach the disk in one write. Across two
	 * blocks (another parent, a big directory) no order helps: README.md
	 * says so.
	 */
	if (!err && new_ino)
		err = get_links(h, new_ino, &tlinks);
	if (!err && new_ino)
		err = get_links(h, newdir, &dlinks);
	order = S_ISDIR(omode) ? UBD_WB_NORMAL : UBD_WB_FIRST;
	if (!err && new_ino) {
		err = rename_drop_target(h, newdir, new_ino, nmode, now);
		if (!err) {
			err = ext2_io_barrier(h);
			if (!err)
				err = set_entry(h, newdir, newnm, ino, omode,
						order);
			if (err) {	/* the target keeps its name, and links */
				restore_links(h, new_ino, tlinks);
				restore_links(h, newdir, dlinks);
			}
		}
	} else if (!err) {
		err = add_entry(h, newdir, newnm, ino, omode, order);
	}
	if (!err)
		err = remove_entry(h, olddir, oldnm, ino,
				   S_ISDIR(omode) ? order : UBD_WB_LAST);
	if (!err && move_dir)
		err = set_entry(h, ino, NULL, newdir, S_IFDIR, UBD_WB_NORMAL);
	if (!err)
		err = rename_counts(h, olddir, ino, omode, newdir, now);
	return err;
}

/* ------------------------------------------------------------------ */
/* readdir.                                                            */

struct iterate_ctx {
	uint64_t pos;		/* first cookie wanted */
	uint64_t base;		/* cookie of the current block's start */
	int last_off;		/* offset of the previous entry, -1 at start */
	unsigned int blocksize;
	bool has_ftype;
	ext2_filldir_t fn;
	void *priv;
	uint64_t resume;	/* where the next call starts */
};

static unsigned int dtype_of(int ftype)
{
	static const unsigned char dt[] = {
		[EXT2_FT_REG_FILE] = DT_REG, [EXT2_FT_DIR] = DT_DIR,
		[EXT2_FT_CHRDEV] = DT_CHR, [EXT2_FT_BLKDEV] = DT_BLK,
		[EXT2_FT_FIFO] = DT_FIFO, [EXT2_FT_SOCK] = DT_SOCK,
		[EXT2_FT_SYMLINK] = DT_LNK,
	};

	return ftype > 0 && ftype < (int)sizeof(dt) ? dt[ftype] : DT_UNKNOWN;
}

/*
 * Entries come block by block in offset order and every block reports its
 * entry at offset 0 (DIRENT_FLAG_INCLUDE_EMPTY), so an offset that does
 * not grow starts the next block: cookie = block start + offset.
 */
static int iterate_proc(ext2_ino_t dir, int entry, struct ext2_dir_entry *de,
			int offset, int blocksize, char *buf, void *priv)
{
	struct iterate_ctx *c = priv;
	uint64_t cookie;
	int ftype;

	if (c->last_off >= 0 && offset <= c->last_off)
		c->base += c->blocksize;
	c->last_off = offset;
	cookie = c->base + offset;
	if (!de->inode || entry == DIRENT_CHECKSUM || cookie < c->pos)
		return 0;
	ftype = c->has_ftype ? ext2fs_dirent_file_type(de) : EXT2_FT_UNKNOWN;
	if (!c->fn(c->priv, de->name, ext2fs_dirent_name_len(de), cookie + 1,
		   de->inode, dtype_of(ftype))) {
		c->resume = cookie;
		return DIRENT_ABORT;
	}
	c->resume = cookie + 1;
	return 0;
}

int ext2_host_iterate(struct ext2_host *h, uint32_t dir, uint64_t *pos,
		      ext2_filldir_t fn, void *priv)
{
	struct iterate_ctx c = {
		.pos = *pos, .last_off = -1, .blocksize = h->fs->blocksize,
		.has_ftype = ext2fs_has_feature_filetype(h->fs->super),
		.fn = fn, .priv = priv, .resume = *pos,
	};
	int err;

	err = ext2_errno(h, "ext2fs_dir_iterate",
			 ext2fs_dir_iterate2(h->fs, dir,
					     DIRENT_FLAG_INCLUDE_EMPTY, NULL,
					     iterate_proc, &c));
	*pos = c.resume;
	return err;
}
