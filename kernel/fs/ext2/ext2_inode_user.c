/*
 * ext2/ext3/ext4, host side: inodes and file data on libext2fs. Attribute
 * encoding (32-bit ids, ext4's nanosecond timestamps, Linux's old and new
 * device number encodings), new inodes, regular file write/truncate,
 * symlink targets and freeing an inode whose last link and reference are
 * gone. Callers hold the superblock's s_lock (see ext2_user.h).
 * Semantics: Linux fs/ext4/inode.c (ext4_iget, ext4_do_update_inode,
 * ext4_evict_inode), fs/ext4/ialloc.c, fs/ext4/namei.c (ext4_symlink).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "ext2_host.h"

#define GOOD_OLD_INODE_SIZE EXT2_GOOD_OLD_INODE_SIZE

int ext2_iget_raw(struct ext2_host *h, uint32_t ino, struct ext2_ibuf *b)
{
	if (ino < 1 || ino > h->fs->super->s_inodes_count) {
		printk(KERN_ERR "EXT4-fs error (device %s): bad inode number "
		       "%u\n", h->id, ino);
		return -EUCLEAN;
	}
	memset(b, 0, sizeof(*b));
	return ext2_errno(h, "ext2fs_read_inode",
			  ext2fs_read_inode_full(h->fs, ino,
						 (struct ext2_inode *)&b->i,
						 sizeof(b->i)));
}

int ext2_iput_raw(struct ext2_host *h, uint32_t ino, struct ext2_ibuf *b)
{
	return ext2_errno(h, "ext2fs_write_inode",
			  ext2fs_write_inode_full(h->fs, ino,
						  (struct ext2_inode *)&b->i,
						  sizeof(b->i)));
}

bool ext2_fits(const struct ext2_host *h, const struct ext2_ibuf *b,
	       size_t off, size_t size)
{
	size_t extra_end = GOOD_OLD_INODE_SIZE + b->i.i_extra_isize;

	return h->inode_size > GOOD_OLD_INODE_SIZE &&
	       extra_end <= h->inode_size && off + size <= extra_end;
}

/* ext4_encode_extra_time / ext4_decode_extra_time. */
static void put_time(uint32_t *lo, uint32_t *extra, const struct ext2_time *t)
{
	*lo = (uint32_t)t->sec;
	if (extra)
		*extra = ((uint32_t)((t->sec - (int32_t)t->sec) >> 32) &
			  EXT4_EPOCH_MASK) |
			 ((uint32_t)t->nsec << EXT4_EPOCH_BITS);
}

static struct ext2_time get_time(uint32_t lo, const uint32_t *extra)
{
	struct ext2_time t = { .sec = (int32_t)lo };

	if (extra) {
		t.sec += (int64_t)(*extra & EXT4_EPOCH_MASK) << 32;
		t.nsec = *extra >> EXT4_EPOCH_BITS;
	}
	return t;
}

void ext2_set_times(struct ext2_host *h, struct ext2_ibuf *b,
		    const struct ext2_time *atime,
		    const struct ext2_time *mtime,
		    const struct ext2_time *ctime)
{
	struct ext2_inode_large *i = &b->i;

	if (atime)
		put_time(&i->i_atime, EXT2_FITS(h, b, i_atime_extra) ?
			 &i->i_atime_extra : NULL, atime);
	if (mtime)
		put_time(&i->i_mtime, EXT2_FITS(h, b, i_mtime_extra) ?
			 &i->i_mtime_extra : NULL, mtime);
	if (ctime)
		put_time(&i->i_ctime, EXT2_FITS(h, b, i_ctime_extra) ?
			 &i->i_ctime_extra : NULL, ctime);
}

/* Linux is_dx(): an htree-indexed directory. */
static bool is_dx(struct ext2_host *h, const struct ext2_ibuf *b)
{
	return ext2fs_has_feature_dir_index(h->fs->super) &&
	       (b->i.i_flags & EXT2_INDEX_FL);
}

void ext2_inc_nlink(struct ext2_host *h, struct ext2_ibuf *b)
{
	b->i.i_links_count++;
	if (is_dx(h, b) && (b->i.i_links_count > EXT2_HOST_LINK_MAX ||
			    b->i.i_links_count == 2))
		b->i.i_links_count = 1;
}

void ext2_dec_nlink(struct ext2_ibuf *b)
{
	if ((!LINUX_S_ISDIR(b->i.i_mode) || b->i.i_links_count > 2) &&
	    b->i.i_links_count)
		b->i.i_links_count--;
}

int ext2_dir_may_grow(struct ext2_host *h, const struct ext2_ibuf *b)
{
	if (b->i.i_links_count >= EXT2_HOST_LINK_MAX &&
	    !(ext2fs_has_feature_dir_nlink(h->fs->super) && is_dx(h, b)))
		return -EMLINK;
	return 0;
}

int ext2_mode_to_ftype(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:	return EXT2_FT_REG_FILE;
	case S_IFDIR:	return EXT2_FT_DIR;
	case S_IFCHR:	return EXT2_FT_CHRDEV;
	case S_IFBLK:	return EXT2_FT_BLKDEV;
	case S_IFIFO:	return EXT2_FT_FIFO;
	case S_IFSOCK:	return EXT2_FT_SOCK;
	case S_IFLNK:	return EXT2_FT_SYMLINK;
	default:	return EXT2_FT_UNKNOWN;
	}
}

static bool is_dev(uint32_t mode)
{
	return S_ISCHR(mode) || S_ISBLK(mode);
}

/* Linux old_decode_dev / new_decode_dev of i_block[0] / i_block[1]. */
static void decode_rdev(const struct ext2_inode_large *i, struct ext2_attr *a)
{
	uint32_t v;

	if (i->i_block[0]) {
		v = i->i_block[0];
		a->rdev_major = (v >> 8) & 0xff;
		a->rdev_minor = v & 0xff;
	} else {
		v = i->i_block[1];
		a->rdev_major = (v & 0xfff00) >> 8;
		a->rdev_minor = (v & 0xff) | ((v >> 12) & 0xfff00);
	}
}

/* Linux ext4_do_update_inode: old encoding when both numbers fit a byte. */
static void encode_rdev(struct ext2_inode_large *i, uint32_t ma, uint32_t mi)
{
	if (ma < 256 && mi < 256) {
		i->i_block[0] = (ma << 8) | mi;
		i->i_block[1] = 0;
	} else {
		i->i_block[0] = 0;
		i->i_block[1] = (mi & 0xff) | (ma << 8) | ((mi & ~0xffu) << 12);
		i->i_block[2] = 0;
	}
}

int ext2_host_read_attr(struct ext2_host *h, uint32_t ino, struct ext2_attr *a)
{
	struct ext2_ibuf b;
	struct ext2_inode_large *i = &b.i;
	int err = ext2_iget_raw(h, ino, &b);

	if (err)
		return err;
	memset(a, 0, sizeof(*a));
	a->mode = i->i_mode;
	a->uid = inode_uid(*i);
	a->gid = inode_gid(*i);
	a->nlink = i->i_links_count;
	a->size = EXT2_I_SIZE(i);
	a->blocks = ext2fs_get_stat_i_blocks(h->fs, (struct ext2_inode *)i);
	a->atime = get_time(i->i_atime, EXT2_FITS(h, &b, i_atime_extra) ?
			    &i->i_atime_extra : NULL);
	a->mtime = get_time(i->i_mtime, EXT2_FITS(h, &b, i_mtime_extra) ?
			    &i->i_mtime_extra : NULL);
	a->ctime = get_time(i->i_ctime, EXT2_FITS(h, &b, i_ctime_extra) ?
			    &i->i_ctime_extra : NULL);
	if (is_dev(a->mode))
		decode_rdev(i, a);
	return 0;
}

static void set_ids(struct ext2_inode_large *i, uint32_t uid, uint32_t gid)
{
	i->i_uid = uid & 0xffff;
	ext2fs_set_i_uid_high(*i, uid >> 16);
	i->i_gid = gid & 0xffff;
	ext2fs_set_i_gid_high(*i, gid >> 16);
}

int ext2_host_write_attr(struct ext2_host *h, uint32_t ino,
			 const struct ext2_attr *a, unsigned int mask)
{
	struct ext2_ibuf b;
	int err = ext2_want_write(h);

	if (!err)
		err = ext2_iget_raw(h, ino, &b);
	if (err)
		return err;
	if (mask & EXT2_ATTR_MODE)
		b.i.i_mode = (b.i.i_mode & S_IFMT) | (a->mode & ~S_IFMT);
	set_ids(&b.i, (mask & EXT2_ATTR_UID) ? a->uid : inode_uid(b.i),
		(mask & EXT2_ATTR_GID) ? a->gid : inode_gid(b.i));
	ext2_set_times(h, &b, (mask & EXT2_ATTR_ATIME) ? &a->atime : NULL,
		       (mask & EXT2_ATTR_MTIME) ? &a->mtime : NULL,
		       (mask & EXT2_ATTR_CTIME) ? &a->ctime : NULL);
	return ext2_iput_raw(h, ino, &b);
}

/* ------------------------------------------------------------------ */
/* File data.                                                          */

/*
 * libext2fs 1.47.0's punch_extent_blocks refuses to free a range that ends
 * at the filesystem's last block ("free_start + free_count >= blocks
 * count", fixed to ">" upstream after 1.47.0) and fails after it already
 * removed the extent, leaving the blocks allocated to nobody. Freeing
 * never allocates, so while a punch runs the library may see one block
 * more than there is: call with +1 before, -1 after.
 */
static void punch_quirk(struct ext2_host *h, int delta)
{
	struct ext2_super_block *es = h->fs->super;

	ext2fs_blocks_count_set(es, ext2fs_blocks_count(es) + delta);
}

static errcode_t punch(struct ext2_host *h, uint32_t ino,
		       struct ext2_inode *i, blk64_t start)
{
	errcode_t eerr;

	punch_quirk(h, +1);
	eerr = ext2fs_punch(h->fs, ino, i, NULL, start, ~0ULL);
	punch_quirk(h, -1);
	return eerr;
}

/* ext2fs_file_write takes unsigned int counts: move at most this. */
#define IO_CHUNK (1U << 30)

/* Set mtime and ctime of ino to now. */
static int touch_mc(struct ext2_host *h, uint32_t ino,
		    const struct ext2_time *now)
{
	struct ext2_ibuf b;
	int err = ext2_iget_raw(h, ino, &b);

	if (err)
		return err;
	ext2_set_times(h, &b, NULL, now, now);
	return ext2_iput_raw(h, ino, &b);
}

ssize_t ext2_host_write(struct ext2_host *h, uint32_t ino, const void *buf,
			size_t len, uint64_t off, const struct ext2_time *now)
{
	ext2_file_t file;
	size_t done = 0;
	errcode_t eerr, cerr;
	unsigned int put;
	int err = ext2_want_write(h);

	if (!err)
		err = ext2_io_before_alloc(h);	/* may allocate blocks */
	if (err)
		return err;
	eerr = ext2fs_file_open2(h->fs, ino, NULL, EXT2_FILE_WRITE, &file);
	if (eerr)
		return ext2_errno(h, "ext2fs_file_open", eerr);
	eerr = ext2fs_file_llseek(file, off, EXT2_SEEK_SET, NULL);
	while (!eerr && done < len) {
		put = 0;
		eerr = ext2fs_file_write(file, (const char *)buf + done,
					 min(len - done, (size_t)IO_CHUNK), &put);
		done += put;
		if (!put)
			break;
	}
	cerr = ext2fs_file_close(file);
	if (cerr)
		return ext2_errno(h, "ext2fs_file_close", cerr);
	if (done) {
		err = touch_mc(h, ino, now);
		if (err)
			return err;
	}
	if (eerr && !done)
		return ext2_errno(h, "ext2fs_file_write", eerr);
	return done;
}

/* Exported by libext2fs (since 1.43, used by fuse2fs) but declared only in
 * its private ext2fsP.h. */
errcode_t ext2fs_inline_data_expand(ext2_filsys fs, ext2_ino_t ino);

/*
 * An inline-data file becomes an ordinary one before its size changes:
 * ext2fs_file_set_size2 only knows block-mapped files (Linux converts
 * too, ext4_convert_inline_data).
 */
static int expand_inline(struct ext2_host *h, uint32_t ino)
{
	struct ext2_ibuf b;
	int err = ext2_iget_raw(h, ino, &b);

	if (err || !(b.i.i_flags & EXT4_INLINE_DATA_FL))
		return err;
	return ext2_errno(h, "ext2fs_inline_data_expand",
			  ext2fs_inline_data_expand(h->fs, ino));
}

int ext2_host_truncate(struct ext2_host *h, uint32_t ino, uint64_t size)
{
	ext2_file_t file;
	errcode_t eerr, cerr;
	int err = ext2_want_write(h);

	if (!err)
		err = expand_inline(h, ino);
	if (err)
		return err;
	eerr = ext2fs_file_open2(h->fs, ino, NULL, EXT2_FILE_WRITE, &file);
	if (eerr)
		return ext2_errno(h, "ext2fs_file_open", eerr);
	punch_quirk(h, +1);
	eerr = ext2fs_file_set_size2(file, size);
	punch_quirk(h, -1);
	cerr = ext2fs_file_close(file);
	if (eerr)
		return ext2_errno(h, "ext2fs_file_set_size2", eerr);
	return ext2_errno(h, "ext2fs_file_close", cerr);
}

long ext2_host_readlink(struct ext2_host *h, uint32_t ino, char *buf,
			size_t size)
{
	struct ext2_ibuf b;
	struct ext2_inode *i = (struct ext2_inode *)&b.i;
	uint64_t len;
	size_t got = 0;
	long ret;
	char *tmp;
	int err = ext2_iget_raw(h, ino, &b);

	if (err)
		return err;
	if (!LINUX_S_ISLNK(i->i_mode))
		return -EINVAL;
	len = EXT2_I_SIZE(i);
	if (len >= h->fs->blocksize) {
		printk(KERN_ERR "EXT4-fs error (device %s): inode #%u: "
		       "symlink too long\n", h->id, ino);
		return -EUCLEAN;
	}
	if (!(i->i_flags & EXT4_INLINE_DATA_FL) && ext2fs_is_fast_symlink(i)) {
		len = min(len, (uint64_t)sizeof(i->i_block));
		memcpy(buf, i->i_block, min(len, (uint64_t)size));
		return min(len, (uint64_t)size);
	}
	tmp = malloc(h->fs->blocksize);
	if (!tmp)
		return -ENOMEM;
	if (i->i_flags & EXT4_INLINE_DATA_FL) {
		ret = ext2_errno(h, "ext2fs_inline_data_get",
				 ext2fs_inline_data_get(h->fs, ino, i, tmp,
							&got));
		if (!ret)
			ret = got;
	} else {
		ret = ext2_host_read(h, ino, tmp, len, 0);
	}
	if (ret >= 0) {
		len = min((uint64_t)ret, len);
		memcpy(buf, tmp, min(len, (uint64_t)size));
		ret = min(len, (uint64_t)size);
	}
	free(tmp);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Allocating and freeing inodes.                                      */

/* i_extra_isize of a new inode: Linux's s_want_extra_isize, in range. */
static uint16_t new_extra_isize(struct ext2_host *h)
{
	size_t want = sizeof(struct ext2_inode_large) - GOOD_OLD_INODE_SIZE;

	if (h->inode_size <= GOOD_OLD_INODE_SIZE)
		return 0;
	if (h->fs->super->s_want_extra_isize > want)
		want = h->fs->super->s_want_extra_isize;
	return min(want, (size_t)(h->inode_size - GOOD_OLD_INODE_SIZE));
}

/* The fields of a new inode from a; extents for files, dirs, slow links. */
static void init_inode(struct ext2_host *h, struct ext2_ibuf *b,
		       uint32_t ino, const struct ext2_attr *a,
		       const char *target, size_t tlen)
{
	struct ext2_inode_large *i = &b->i;
	ext2_extent_handle_t handle;

	i->i_mode = a->mode;
	set_ids(i, a->uid, a->gid);
	i->i_links_count = S_ISDIR(a->mode) ? 2 : 1;
	i->i_extra_isize = new_extra_isize(h);
	ext2_set_times(h, b, &a->atime, &a->mtime, &a->ctime);
	if (EXT2_FITS(h, b, i_crtime_extra))
		put_time(&i->i_crtime, &i->i_crtime_extra, &a->ctime);
	if (is_dev(a->mode)) {
		encode_rdev(i, a->rdev_major, a->rdev_minor);
	} else if (S_ISLNK(a->mode) && tlen < sizeof(i->i_block)) {
		memcpy(i->i_block, target, tlen);
		i->i_size = tlen;
	} else if ((S_ISREG(a->mode) || S_ISDIR(a->mode) || S_ISLNK(a->mode)) &&
		   ext2fs_has_feature_extents(h->fs->super) &&
		   !ext2fs_extent_open2(h->fs, ino, (struct ext2_inode *)i,
					&handle)) {
		ext2fs_extent_free(handle);
	}
}

/* The block of a new directory ("." and "..") or slow symlink. */
static int fill_first_block(struct ext2_host *h, uint32_t ino, uint32_t dir,
			    const struct ext2_attr *a, const char *target,
			    size_t tlen, blk64_t blk)
{
	char *block = NULL;
	errcode_t eerr;

	/* Its content goes to the disk before the inode that maps it (the
	 * crash order of ext2_io_set_order): the block is new, nothing
	 * else points at it. */
	ext2_io_set_order(h, UBD_WB_FIRST);
	if (S_ISDIR(a->mode)) {
		eerr = ext2fs_new_dir_block(h->fs, ino, dir, &block);
		if (!eerr)
			eerr = ext2fs_write_dir_block4(h->fs, blk, block, 0, ino);
	} else {
		eerr = ext2fs_get_memzero(h->fs->blocksize, &block);
		if (!eerr) {
			memcpy(block, target, tlen);
			eerr = io_channel_write_blk64(h->fs->io, blk, 1, block);
		}
	}
	ext2_io_set_order(h, UBD_WB_NORMAL);
	ext2fs_free_mem(&block);
	return ext2_errno(h, "new inode block", eerr);
}

/*
 * Give a new inode (written with ext2_iget_raw's layout, not yet live: no
 * link) its first data block: allocate it near the inode, fill it, map it
 * at logical block 0, then make the inode live with its links and size in
 * one write. A crash before that leaves an unused inode (its name, if on
 * disk, e2fsck -p clears), never a live one mapping a block not written.
 */
static int add_first_block(struct ext2_host *h, uint32_t ino, uint32_t dir,
			   struct ext2_ibuf *b, const struct ext2_attr *a,
			   const char *target, size_t tlen)
{
	ext2_filsys fs = h->fs;
	struct ext2_inode *i = (struct ext2_inode *)&b->i;
	blk64_t blk;
	errcode_t eerr;
	int err;

	eerr = ext2fs_new_block2(fs, ext2fs_find_inode_goal(fs, ino, i, 0),
				 NULL, &blk);
	if (eerr)
		return ext2_errno(h, "ext2fs_new_block", eerr);
	ext2fs_block_alloc_stats2(fs, blk, +1);
	err = fill_first_block(h, ino, dir, a, target, tlen, blk);
	if (!err)
		err = ext2_errno(h, "ext2fs_bmap2",
				 ext2fs_bmap2(fs, ino, i, NULL, BMAP_SET, 0,
					      NULL, &blk));
	if (err) {
		ext2fs_block_alloc_stats2(fs, blk, -1);
		return err;
	}
	err = ext2_iget_raw(h, ino, b);	/* with the map bmap2 wrote */
	if (err)
		return err;
	b->i.i_links_count = S_ISDIR(a->mode) ? 2 : 1;
	ext2fs_iblk_set(fs, (struct ext2_inode *)&b->i, 1);
	ext2fs_inode_size_set(fs, (struct ext2_inode *)&b->i,
			      S_ISDIR(a->mode) ? fs->blocksize : tlen);
	return ext2_iput_raw(h, ino, b);
}

int ext2_alloc_inode_raw(struct ext2_host *h, uint32_t dir,
			 const struct ext2_attr *a, const char *target,
			 uint32_t *res)
{
	ext2_filsys fs = h->fs;
	size_t tlen = target ? strlen(target) : 0;
	ext2_ino_t ino;
	int err;

	if (S_ISLNK(a->mode) && (!target || !tlen))
		return -ENOENT;
	if (S_ISLNK(a->mode) && tlen + 1 > fs->blocksize)
		return -ENAMETOOLONG;
	err = ext2_io_before_alloc(h);
	if (!err)
		err = ext2_errno(h, "ext2fs_new_inode",
				 ext2fs_new_inode(fs, dir, a->mode, NULL, &ino));
	if (!err)
		err = ext2_inode_alloc_ordered(h, ino, S_ISDIR(a->mode));
	if (!err)
		*res = ino;
	return err;
}

int ext2_new_inode_raw(struct ext2_host *h, uint32_t ino, uint32_t dir,
		       const struct ext2_attr *a, const char *target)
{
	ext2_filsys fs = h->fs;
	size_t tlen = target ? strlen(target) : 0;
	bool need_block = S_ISDIR(a->mode) ||
			  (S_ISLNK(a->mode) && tlen >= EXT2_N_BLOCKS * 4);
	struct ext2_ibuf *b;
	int err;

	b = calloc(1, max(sizeof(*b), (size_t)h->inode_size));
	if (!b) {
		ext2fs_inode_alloc_stats2(fs, ino, -1, S_ISDIR(a->mode));
		return -ENOMEM;
	}
	init_inode(h, b, ino, a, target, tlen);
	if (need_block)
		b->i.i_links_count = 0;		/* live once add_first_block is done */
	err = ext2_errno(h, "ext2fs_write_inode",
			 ext2fs_write_inode_full(fs, ino,
						 (struct ext2_inode *)&b->i,
						 h->inode_size));
	if (err) {	/* nothing of it written: the slot may be stale */
		ext2fs_inode_alloc_stats2(fs, ino, -1, S_ISDIR(a->mode));
	} else if (need_block) {
		err = add_first_block(h, ino, dir, b, a, target, tlen);
		if (err)
			ext2_discard_inode(h, ino, &a->ctime);
	}
	free(b);
	return err;
}

void ext2_discard_inode(struct ext2_host *h, uint32_t ino,
			const struct ext2_time *now)
{
	struct ext2_ibuf b;

	if (ext2_iget_raw(h, ino, &b))
		return;
	b.i.i_links_count = 0;
	if (!ext2_iput_raw(h, ino, &b))
		ext2_host_free_inode(h, ino, now);
}

int ext2_host_free_inode(struct ext2_host *h, uint32_t ino,
			 const struct ext2_time *now)
{
	ext2_filsys fs = h->fs;
	struct ext2_ibuf b;
	struct ext2_inode *i = (struct ext2_inode *)&b.i;
	int err = ext2_want_write(h);

	if (!err)
		err = ext2_iget_raw(h, ino, &b);
	if (err)
		return err;
	if (b.i.i_links_count || !ext2fs_test_inode_bitmap2(fs->inode_map, ino))
		return 0;	/* linked again, or already freed */
	if (ext2fs_inode_has_valid_blocks2(fs, i) ||
	    (i->i_flags & EXT4_INLINE_DATA_FL)) {
		err = ext2_errno(h, "ext2fs_punch", punch(h, ino, i, 0));
		if (err)
			return err;
	}
	if (ext2fs_file_acl_block(fs, i)) {
		err = ext2_errno(h, "ext2fs_free_ext_attr",
				 ext2fs_free_ext_attr(fs, ino, NULL));
		if (err)
			return err;
	}
	err = ext2_iget_raw(h, ino, &b);
	if (err)
		return err;
	b.i.i_dtime = (uint32_t)now->sec;
	ext2fs_inode_size_set(fs, i, 0);
	err = ext2_iput_raw(h, ino, &b);
	if (err)
		return err;
	ext2fs_inode_alloc_stats2(fs, ino, -1, LINUX_S_ISDIR(b.i.i_mode));
	h->freed = true;		/* reused only behind a barrier */
	return 0;
}
