/*
 * ext2/ext3/ext4, host side: the libext2fs io_manager that routes block
 * I/O to the ubd device, mounting (feature checks in Linux's words),
 * unmounting, sync, statfs and the libext2fs error to errno mapping.
 * Callers hold the superblock's s_lock (see ext2_user.h).
 * Semantics: Linux fs/ext4/super.c (ext4_fill_super, ext4_feature_set_ok,
 * ext4_statfs); libext2fs lib/ext2fs/unix_io.c for the io_manager contract.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <et/com_err.h>
#include <umk/ubd.h>
#include "ext2_host.h"

#define MSG_PREFIX "EXT4-fs (%s): "

/* ------------------------------------------------------------------ */
/* The io_manager: libext2fs block I/O on a ubd device.                */

struct ubd_io {
	struct ubd *ubd;
	struct ext2_host *host;		/* once mounted: see first_write */
	struct struct_io_stats stats;	/* bytes moved, for s_kbytes_written */
	uint64_t writes;		/* write calls, see ext2_io_writes */
	enum ubd_wb_order order;	/* see ext2_io_set_order */
};

static struct struct_io_manager ubd_io_manager;

/* The device a channel name ("ubda".."ubdh") stands for, or NULL. */
static struct ubd *ubd_by_name(const char *name)
{
	if (strncmp(name, "ubd", 3) || name[3] < 'a' ||
	    name[3] >= 'a' + UBD_MAX_DEV || name[4])
		return NULL;
	return ubd_get(name[3] - 'a');
}

static errcode_t ubd_io_open(const char *name, int flags, io_channel *channel)
{
	struct ubd *u = ubd_by_name(name);
	struct ubd_io *p;
	io_channel ch;

	if (!u)
		return EXT2_ET_BAD_DEVICE_NAME;
	if ((flags & IO_FLAG_RW) && ubd_readonly(u))
		return EROFS;
	ch = calloc(1, sizeof(*ch));
	p = calloc(1, sizeof(*p));
	if (!ch || !p || !(ch->name = strdup(name))) {
		free(ch);
		free(p);
		return EXT2_ET_NO_MEMORY;
	}
	p->ubd = u;
	p->stats.num_fields = 2;
	ch->magic = EXT2_ET_MAGIC_IO_CHANNEL;
	ch->manager = &ubd_io_manager;
	ch->block_size = 1024;
	ch->refcount = 1;
	ch->private_data = p;
	*channel = ch;
	return 0;
}

static errcode_t ubd_io_close(io_channel ch)
{
	if (--ch->refcount > 0)
		return 0;
	free(ch->private_data);
	free(ch->name);
	free(ch);
	return 0;
}

static errcode_t ubd_io_set_blksize(io_channel ch, int blksize)
{
	if (blksize <= 0)
		return EXT2_ET_INVALID_ARGUMENT;
	ch->block_size = blksize;
	return 0;
}

/* count > 0: blocks of ch->block_size; count < 0: -count bytes (unix_io). */
static size_t io_bytes(io_channel ch, int count)
{
	return count < 0 ? (size_t)-(long)count :
			   (size_t)count * ch->block_size;
}

static errcode_t ubd_io_read_blk64(io_channel ch, unsigned long long block,
				   int count, void *data)
{
	struct ubd_io *p = ch->private_data;
	size_t len = io_bytes(ch, count);
	int err;

	err = ubd_read(p->ubd, data, block * ch->block_size, len);
	if (!err)
		err = ext2_journal_patch_read(p->ubd, data,
					      block * ch->block_size, len);
	if (err)
		return -err;
	p->stats.bytes_read += len;
	return 0;
}

static int mark_mounted(struct ext2_host *h);

/* Before the first write to a read-write mount, mark it in use on disk;
 * normally ext2_host_init_started has done so already. */
static void first_write(struct ubd_io *p)
{
	if (p->host && p->host->mark_pending)
		mark_mounted(p->host);
}

/* The fresh blocks of h as of now: none once a write-back went by. */
static void fresh_sync(struct ext2_host *h)
{
	unsigned long gen = ubd_writebacks(h->ubd);

	if (gen == h->fresh_gen)
		return;
	h->fresh_gen = gen;
	if (h->nr_fresh)
		ext2fs_clear_block_bitmap(h->fresh);
	h->nr_fresh = 0;
}

/* libext2fs's block allocation and freeing (alloc_stats callbacks). */
static void fresh_range(ext2_filsys fs, blk64_t blk, blk_t num, int inuse)
{
	struct ubd_io *p = fs->io->private_data;
	struct ext2_host *h = p->host;

	if (!h || !h->fresh)
		return;
	if (inuse < 0) {
		h->freed = true;
		h->freed_gen = ubd_writebacks(h->ubd);
		if (h->nr_fresh)
			ext2fs_unmark_block_bitmap_range2(h->fresh, blk, num);
		return;
	}
	fresh_sync(h);
	ext2fs_mark_block_bitmap_range2(h->fresh, blk, num);
	h->nr_fresh += num;
}

static void fresh_one(ext2_filsys fs, blk64_t blk, int inuse)
{
	fresh_range(fs, blk, 1, inuse);
}

/* Are [block, block + count) all fresh? */
static bool all_fresh(struct ext2_host *h, uint64_t block, uint64_t count)
{
	if (!h->fresh || block + count > ext2fs_blocks_count(h->fs->super))
		return false;
	fresh_sync(h);
	for (uint64_t b = block; b < block + count; b++)
		if (!h->nr_fresh || !ext2fs_test_block_bitmap2(h->fresh, b))
			return false;
	return true;
}

/*
 * Does a write of [block, block + count) share a 4 KiB cache page
 * (ubd_cache.c) with an inode table? Such a page keeps its place in the
 * order: ranked, it would carry other inodes with it. A bitmap may ride
 * along: e2fsck -p recounts bitmaps whatever the order.
 */
static bool page_shares_itable(ext2_filsys fs, uint64_t block,
			       uint64_t count)
{
	uint64_t per = fs->blocksize < 4096 ? 4096 / fs->blocksize : 1;
	uint64_t first = block / per * per;
	uint64_t end = (block + count + per - 1) / per * per;

	for (dgrp_t g = 0; g < fs->group_desc_count; g++) {
		uint64_t t = ext2fs_inode_table_loc(fs, g);

		if (first < t + fs->inode_blocks_per_group && end > t)
			return true;
	}
	return false;
}

static errcode_t ubd_io_write_blk64(io_channel ch, unsigned long long block,
				    int count, const void *data)
{
	struct ubd_io *p = ch->private_data;
	size_t len = io_bytes(ch, count);
	enum ubd_wb_order order = p->order, barrier = UBD_WB_NORMAL;
	int err;

	first_write(p);
	p->writes++;
	/* Only whole blocks of the filesystem's size are directory data,
	 * and the order goes to the whole cache page that holds them. A page
	 * shared with an inode table (1 KiB blocks) takes barriers instead:
	 * after a write that goes first, before one that goes last. The
	 * first content of a block allocated since the last write-back goes
	 * first: the inode or extent block that maps it comes after. */
	if (!p->host || count <= 0 ||
	    (unsigned int)ch->block_size != p->host->fs->blocksize)
		order = UBD_WB_NORMAL;
	else if (order == UBD_WB_NORMAL && all_fresh(p->host, block, count))
		order = UBD_WB_FIRST;
	if (order != UBD_WB_NORMAL &&
	    page_shares_itable(p->host->fs, block, count)) {
		barrier = order;
		order = UBD_WB_NORMAL;
	}
	if (barrier == UBD_WB_LAST && ubd_write_barrier(p->ubd))
		return EXT2_ET_NO_MEMORY;
	err = ubd_write_ordered(p->ubd, data, block * ch->block_size, len,
				order);
	if (!err && barrier == UBD_WB_FIRST && ubd_write_barrier(p->ubd))
		err = ENOMEM;
	if (err)
		return -err;
	p->stats.bytes_written += len;
	return 0;
}

static errcode_t ubd_io_read_blk(io_channel ch, unsigned long block,
				 int count, void *data)
{
	return ubd_io_read_blk64(ch, block, count, data);
}

static errcode_t ubd_io_write_blk(io_channel ch, unsigned long block,
				  int count, const void *data)
{
	return ubd_io_write_blk64(ch, block, count, data);
}

static errcode_t ubd_io_flush(io_channel ch)
{
	struct ubd_io *p = ch->private_data;

	return ubd_flush(p->ubd) ? EIO : 0;
}

static errcode_t ubd_io_set_option(io_channel ch, const char *option,
				   const char *arg)
{
	return EXT2_ET_INVALID_ARGUMENT;
}

static errcode_t ubd_io_get_stats(io_channel ch, io_stats *stats)
{
	struct ubd_io *p = ch->private_data;

	if (stats)
		*stats = &p->stats;
	return 0;
}

int ext2_inode_alloc_ordered(struct ext2_host *h, uint32_t ino, bool dir)
{
	ext2_filsys fs = h->fs;
	dgrp_t g = ext2fs_group_of_ino(fs, ino);
	__u32 unused = ext2fs_bg_itable_unused(fs, g);
	__u16 flags = ext2fs_bg_flags(fs, g);
	unsigned int per = fs->blocksize / EXT2_DESC_SIZE(fs->super);
	errcode_t eerr;

	ext2fs_inode_alloc_stats2(fs, ino, +1, dir);
	if (!fs->group_desc || (unused == ext2fs_bg_itable_unused(fs, g) &&
				flags == ext2fs_bg_flags(fs, g)))
		return 0;
	ext2_io_set_order(h, UBD_WB_FIRST);
	eerr = io_channel_write_blk64(fs->io,
		ext2fs_descriptor_block_loc2(fs, fs->super->s_first_data_block,
					     g / per),
		1, (char *)fs->group_desc + (size_t)(g / per) * fs->blocksize);
	ext2_io_set_order(h, UBD_WB_NORMAL);
	if (eerr)
		ext2fs_inode_alloc_stats2(fs, ino, -1, dir);
	return ext2_errno(h, "io_channel_write_blk64", eerr);
}

int ext2_io_barrier(struct ext2_host *h)
{
	struct ubd_io *p = h->fs->io->private_data;

	h->freed = false;
	return ubd_write_barrier(p->ubd);
}

int ext2_io_before_alloc(struct ext2_host *h)
{
	/* A write-back since the free queued it already. */
	if (h->freed && ubd_writebacks(h->ubd) != h->freed_gen)
		h->freed = false;
	return h->freed ? ext2_io_barrier(h) : 0;
}

/*
 * libext2fs's block allocator hook (ext2fs_set_alloc_block_callback):
 * every block it allocates for itself (a directory growing, an extent or
 * xattr block, a file's data) comes behind a barrier when something was
 * freed, and is fresh before alloc_block zeroes it.
 */
static errcode_t alloc_block_hook(ext2_filsys fs, blk64_t goal, blk64_t *ret)
{
	struct ubd_io *p = fs->io->private_data;
	struct ext2_host *h = p->host;
	errcode_t eerr;

	if (h && ext2_io_before_alloc(h))
		return EXT2_ET_NO_MEMORY;
	eerr = ext2fs_new_block2(fs, goal, NULL, ret);	/* not this hook */
	if (!eerr)
		fresh_range(fs, *ret, 1, +1);
	return eerr;
}

void ext2_io_set_order(struct ext2_host *h, enum ubd_wb_order order)
{
	struct ubd_io *p = h->fs->io->private_data;

	p->order = order;
}

uint64_t ext2_io_writes(struct ext2_host *h)
{
	struct ubd_io *p = h->fs->io->private_data;

	return p->writes;
}

int ext2_dev_read_sink(struct ext2_host *h, struct read_sink *s,
		       uint64_t off, size_t len)
{
	struct ubd_io *p = h->fs->io->private_data;
	int err;

	if (ext2_journal_pending(p->ubd)) {
		/* Blocks the journal replaces (not yet written back) are
		 * patched over the image's: through a buffer of our own. */
		char *buf = malloc(len);
		struct buf_sink b = BUF_SINK(buf);

		if (!buf)
			return -ENOMEM;
		err = ubd_read_sink(p->ubd, &b.s, off, len);
		if (!err)
			err = ext2_journal_patch_read(p->ubd, buf, off, len);
		if (!err)
			err = s->put(s, buf, len);
		if (!err)
			err = s->flush(s);
		free(buf);
	} else {
		err = ubd_read_sink(p->ubd, s, off, len);
	}
	if (!err)
		p->stats.bytes_read += len;
	return err;
}

int ext2_dev_read(struct ext2_host *h, void *buf, uint64_t off, size_t len)
{
	struct buf_sink b = BUF_SINK(buf);

	return ext2_dev_read_sink(h, &b.s, off, len);
}

static struct struct_io_manager ubd_io_manager = {
	.magic = EXT2_ET_MAGIC_IO_MANAGER,
	.name = "umk ubd I/O manager",
	.open = ubd_io_open,
	.close = ubd_io_close,
	.set_blksize = ubd_io_set_blksize,
	.read_blk = ubd_io_read_blk,
	.write_blk = ubd_io_write_blk,
	.flush = ubd_io_flush,
	/* No write_byte: libext2fs then writes the primary superblock
	 * whole, in one write, never as fields a crash could tear apart
	 * from its checksum. */
	.set_option = ubd_io_set_option,
	.get_stats = ubd_io_get_stats,
	.read_blk64 = ubd_io_read_blk64,
	.write_blk64 = ubd_io_write_blk64,
};

/* ------------------------------------------------------------------ */
/* Errors.                                                             */

/*
 * libext2fs codes and their errno; log marks those that mean damage or an
 * unexpected failure. Anything not listed is a logged -EIO.
 */
static const struct {
	errcode_t code;
	short err;
	bool log;
} errmap[] = {
	{ EXT2_ET_NO_MEMORY, ENOMEM, false },
	{ EXT2_ET_FILE_NOT_FOUND, ENOENT, false },
	{ EXT2_ET_DIR_EXISTS, EEXIST, false },
	{ EXT2_ET_FILE_EXISTS, EEXIST, false },
	{ EXT2_ET_BLOCK_ALLOC_FAIL, ENOSPC, false },
	{ EXT2_ET_INODE_ALLOC_FAIL, ENOSPC, false },
	{ EXT2_ET_DIR_NO_SPACE, ENOSPC, false },
	{ EXT2_ET_EXTENT_NO_SPACE, ENOSPC, false },
	{ EXT2_ET_INLINE_DATA_NO_SPACE, ENOSPC, false },
	{ EXT2_ET_EA_NO_SPACE, ENOSPC, false },
	{ EXT2_ET_FILE_TOO_BIG, EFBIG, false },
	{ EXT2_ET_RO_FILSYS, EROFS, false },
	{ EXT2_ET_FILE_RO, EROFS, false },
	{ EXT2_ET_NO_DIRECTORY, ENOTDIR, false },
	{ EXT2_ET_TOO_MANY_REFS, EMLINK, false },
	/* Linux EFSBADCRC */
	{ EXT2_ET_INODE_CSUM_INVALID, EBADMSG, true },
	{ EXT2_ET_INODE_BITMAP_CSUM_INVALID, EBADMSG, true },
	{ EXT2_ET_BLOCK_BITMAP_CSUM_INVALID, EBADMSG, true },
	{ EXT2_ET_EXTENT_CSUM_INVALID, EBADMSG, true },
	{ EXT2_ET_DIR_CSUM_INVALID, EBADMSG, true },
	{ EXT2_ET_EXT_ATTR_CSUM_INVALID, EBADMSG, true },
	{ EXT2_ET_SB_CSUM_INVALID, EBADMSG, true },
	{ EXT2_ET_BAD_CRC, EBADMSG, true },
	/* Linux EFSCORRUPTED */
	{ EXT2_ET_DIR_CORRUPTED, EUCLEAN, true },
	{ EXT2_ET_BAD_INODE_NUM, EUCLEAN, true },
	{ EXT2_ET_BAD_BLOCK_NUM, EUCLEAN, true },
	{ EXT2_ET_EXTENT_HEADER_BAD, EUCLEAN, true },
	{ EXT2_ET_EXTENT_INDEX_BAD, EUCLEAN, true },
	{ EXT2_ET_EXTENT_LEAF_BAD, EUCLEAN, true },
	{ EXT2_ET_DIRHASH_UNSUPP, EUCLEAN, true },
	{ EXT2_ET_BAD_EA_BLOCK_NUM, EUCLEAN, true },
	{ EXT2_ET_BAD_EA_HEADER, EUCLEAN, true },
	{ EXT2_ET_INODE_CORRUPTED, EUCLEAN, true },
	{ EXT2_ET_INODE_IS_GARBAGE, EUCLEAN, true },
	{ EXT2_ET_FILESYSTEM_CORRUPTED, EUCLEAN, true },
	{ EXT2_ET_EXTENT_CYCLE, EUCLEAN, true },
};

int ext2_errno(struct ext2_host *h, const char *where, errcode_t err)
{
	size_t i;

	if (!err)
		return 0;
	if (err > 0 && err < 4096)	/* a plain errno from the I/O layer */
		return -err;
	for (i = 0; i < ARRAY_SIZE(errmap); i++)
		if (errmap[i].code == err)
			break;
	if (i == ARRAY_SIZE(errmap) || errmap[i].log)
		printk(KERN_ERR "EXT4-fs error (device %s): %s: %s\n",
		       h ? h->id : "?", where, error_message(err));
	return i == ARRAY_SIZE(errmap) ? -EIO : -errmap[i].err;
}

/* ------------------------------------------------------------------ */
/* Mounting.                                                           */

/* What Linux's ext2 and ext3 modes of the ext4 driver accept. */
#define EXT2_MODE_INCOMPAT (EXT2_FEATURE_INCOMPAT_FILETYPE | \
			    EXT2_FEATURE_INCOMPAT_META_BG)
#define EXT3_MODE_INCOMPAT (EXT2_MODE_INCOMPAT | \
			    EXT3_FEATURE_INCOMPAT_RECOVER)
#define EXT23_MODE_RO_COMPAT (EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER | \
			      EXT2_FEATURE_RO_COMPAT_LARGE_FILE | \
			      0x0004 /* BTREE_DIR */)

/*
 * Features libext2fs reads but this driver does not write correctly: no
 * case-folded or encrypted names, no quota or verity upkeep, no bigalloc
 * clusters in its allocation paths, no MMP heartbeat, no EA inodes.
 */
#define NOWRITE_INCOMPAT (EXT4_FEATURE_INCOMPAT_ENCRYPT | \
			  EXT4_FEATURE_INCOMPAT_CASEFOLD | \
			  EXT4_FEATURE_INCOMPAT_EA_INODE | \
			  EXT4_FEATURE_INCOMPAT_MMP)
#define NOWRITE_RO_COMPAT (EXT4_FEATURE_RO_COMPAT_QUOTA | \
			   EXT4_FEATURE_RO_COMPAT_PROJECT | \
			   EXT4_FEATURE_RO_COMPAT_BIGALLOC | \
			   EXT4_FEATURE_RO_COMPAT_VERITY | \
			   EXT4_FEATURE_RO_COMPAT_SHARED_BLOCKS | \
			   EXT4_FEATURE_RO_COMPAT_READONLY)

/*
 * Check the raw superblock es against what type may mount and whether it
 * may be written (Linux ext4_feature_set_ok plus this driver's limits).
 * 0, -EINVAL (refused) or -EROFS (read-write refused), after one message.
 */
static int check_features(const char *id, const char *type,
			  const struct ext2_super_block *es, bool rdonly)
{
	uint32_t incompat = es->s_feature_incompat;
	uint32_t ro_compat = es->s_feature_ro_compat;
	uint32_t bad;

	if (!strcmp(type, "ext2") &&
	    ((incompat & ~EXT2_MODE_INCOMPAT) ||
	     (!rdonly && (ro_compat & ~EXT23_MODE_RO_COMPAT)))) {
		printk(KERN_ERR MSG_PREFIX "couldn't mount as ext2 due to "
		       "feature incompatibilities\n", id);
		return -EINVAL;
	}
	if (!strcmp(type, "ext3") &&
	    ((incompat & ~EXT3_MODE_INCOMPAT) ||
	     !(es->s_feature_compat & EXT3_FEATURE_COMPAT_HAS_JOURNAL) ||
	     (!rdonly && (ro_compat & ~EXT23_MODE_RO_COMPAT)))) {
		printk(KERN_ERR MSG_PREFIX "couldn't mount as ext3 due to "
		       "feature incompatibilities\n", id);
		return -EINVAL;
	}
	bad = incompat & ~(EXT2_LIB_FEATURE_INCOMPAT_SUPP &
			   ~EXT3_FEATURE_INCOMPAT_JOURNAL_DEV);
	if (bad) {
		printk(KERN_ERR MSG_PREFIX "Couldn't mount because of "
		       "unsupported optional features (%x)\n", id, bad);
		return -EINVAL;
	}
	if (rdonly)
		return 0;
	bad = ro_compat & (~EXT2_LIB_FEATURE_RO_COMPAT_SUPP | NOWRITE_RO_COMPAT);
	if (bad || (incompat & NOWRITE_INCOMPAT)) {
		printk(KERN_ERR MSG_PREFIX "couldn't mount RDWR because of "
		       "unsupported optional features (incompat %x, "
		       "ro_compat %x)\n", id, incompat & NOWRITE_INCOMPAT, bad);
		return -EROFS;
	}
	return 0;
}

/*
 * States that a read-write mount without a journal replay or fsck would
 * make worse: -EROFS with the fix in the message; a read-only mount only
 * warns.
 */
static int check_state(const char *id, const struct ext2_super_block *es,
		       bool rdonly)
{
	const char *why = NULL;

	if ((es->s_feature_incompat & EXT3_FEATURE_INCOMPAT_RECOVER) &&
	    es->s_journal_inum &&
	    !(es->s_feature_incompat & EXT3_FEATURE_INCOMPAT_JOURNAL_DEV))
		return 0;	/* replayed at mount, then checked again */
	if (es->s_feature_incompat & EXT3_FEATURE_INCOMPAT_RECOVER)
		why = "journal needs recovery";
	else if (!(es->s_state & EXT2_VALID_FS))
		why = "filesystem was not cleanly unmounted";
	else if (es->s_state & EXT2_ERROR_FS)
		why = "filesystem has errors";
	else if (es->s_last_orphan ||
		 (es->s_feature_ro_compat & EXT4_FEATURE_RO_COMPAT_ORPHAN_PRESENT))
		why = "orphan inodes need cleanup";
	if (!why)
		return 0;
	if (rdonly) {
		printk(KERN_WARNING MSG_PREFIX "%s: mounting read-only as "
		       "is (no journal replay, like noload): run e2fsck -p on "
		       "the image\n", id, why);
		return 0;
	}
	printk(KERN_ERR MSG_PREFIX "%s; umk does not replay journals: run "
	       "e2fsck -p on the image, or mount read-only\n", id, why);
	return -EROFS;
}

/* Read and check the primary superblock before libext2fs opens it. */
static int read_super(struct ubd *u, const char *id, const char *type,
		      bool rdonly)
{
	struct ext2_super_block es;
	int err;

	if (ubd_size(u) < SUPERBLOCK_OFFSET + SUPERBLOCK_SIZE ||
	    ubd_read(u, &es, SUPERBLOCK_OFFSET, sizeof(es)) ||
	    es.s_magic != EXT2_SUPER_MAGIC) {
		printk(KERN_ERR MSG_PREFIX "VFS: Can't find %s filesystem\n",
		       id, type);
		return -EINVAL;
	}
	if (es.s_rev_level > EXT2_LIB_CURRENT_REV) {
		printk(KERN_ERR MSG_PREFIX "revision level too high\n", id);
		return -EINVAL;
	}
	err = check_features(id, type, &es, rdonly);
	if (err)
		return err;
	return check_state(id, &es, rdonly);
}

/* The error of ext2fs_open2 in Linux's words. */
static int open_error(struct ext2_host *h, const char *type, errcode_t err)
{
	switch (err) {
	case EXT2_ET_BAD_MAGIC:
	case EXT2_ET_CORRUPT_SUPERBLOCK:
	case EXT2_ET_UNEXPECTED_BLOCK_SIZE:
	case EXT2_ET_SHORT_READ:
		printk(KERN_ERR MSG_PREFIX "VFS: Can't find %s filesystem\n",
		       h->id, type);
		return -EINVAL;
	case EXT2_ET_SB_CSUM_INVALID:
		printk(KERN_ERR MSG_PREFIX "VFS: Found ext4 filesystem with "
		       "invalid superblock checksum.  Run e2fsck?\n", h->id);
		return -EBADMSG;
	case EXT2_ET_UNSUPP_FEATURE:
		printk(KERN_ERR MSG_PREFIX "Couldn't mount because of "
		       "unsupported optional features\n", h->id);
		return -EINVAL;
	case EXT2_ET_RO_UNSUPP_FEATURE:
		printk(KERN_ERR MSG_PREFIX "couldn't mount RDWR because of "
		       "unsupported optional features\n", h->id);
		return -EROFS;
	default:
		return ext2_errno(h, "ext2fs_open2", err);
	}
}

/* Mark the filesystem in use on disk, as ext2 does without a journal: a
 * crash then leaves it "not clean", so e2fsck checks it. */
static int mark_mounted(struct ext2_host *h)
{
	struct ext2_super_block *es = h->fs->super;
	int err;

	h->mark_pending = false;
	err = ext2_journal_apply(h);
	if (err) {
		printk(KERN_ERR MSG_PREFIX "journal replay failed (error %d)\n",
		       h->id, err);
		return err;
	}
	h->was_valid = es->s_state & EXT2_VALID_FS;
	if (es->s_max_mnt_count > 0 &&
	    es->s_mnt_count >= (uint16_t)es->s_max_mnt_count)
		printk(KERN_WARNING MSG_PREFIX "warning: maximal mount count "
		       "reached, running e2fsck is recommended\n", h->id);
	es->s_state &= ~EXT2_VALID_FS;
	es->s_mnt_count++;
	es->s_mtime = time(NULL);
	ext2fs_mark_super_dirty(h->fs);
	return ext2_errno(h, "ext2fs_flush", ext2fs_flush(h->fs));
}

/* The replayed superblock must allow what the on-disk one was not
 * checked for (check_state skipped it for the replay). */
static int check_replayed(struct ext2_host *h)
{
	struct ext2_super_block es = *h->fs->super;

	es.s_feature_incompat &= ~EXT3_FEATURE_INCOMPAT_RECOVER;
	return check_state(h->id, &es, !h->rw);
}

/* Devices with a mounted filesystem: two libext2fs instances writing one
 * device would corrupt it (the VFS shares one super_block per device). */
static bool mounted[UBD_MAX_DEV];

/*
 * Read-write mounts made before init ran are marked in use on disk only
 * once it runs (ext2_host_init_started): until then nothing is written to
 * an image, so a boot that fails (no init, a corrupt image, a panic)
 * leaves every image byte for byte as it was.
 */
static struct ext2_host *pending[UBD_MAX_DEV];
static bool init_started;

void ext2_host_init_started(void)
{
	init_started = true;
	for (int i = 0; i < UBD_MAX_DEV; i++) {
		if (pending[i] && pending[i]->mark_pending)
			mark_mounted(pending[i]);
		pending[i] = NULL;
	}
}

/*
 * Open h's device with libext2fs through the ubd io_manager; a read-write
 * mount also loads the bitmaps and marks the filesystem in use. -errno.
 */
static int open_fs(struct ext2_host *h, const char *type)
{
	char name[8];
	errcode_t eerr;
	int err;

	snprintf(name, sizeof(name), "ubd%c", 'a' + ubd_index(h->ubd));
	eerr = ext2fs_open2(name, NULL, EXT2_FLAG_64BITS | EXT2_FLAG_SKIP_MMP |
			    (h->rw ? EXT2_FLAG_RW : 0), 0, 0, &ubd_io_manager,
			    &h->fs);
	if (eerr)
		return open_error(h, type, eerr);
	err = ext2_journal_load(h);
	if (err > 0) {
		/* Open again, reading through the replay overlay. */
		ext2fs_free(h->fs);
		h->fs = NULL;
		eerr = ext2fs_open2(name, NULL, EXT2_FLAG_64BITS |
				    EXT2_FLAG_SKIP_MMP | (h->rw ? EXT2_FLAG_RW : 0),
				    0, 0, &ubd_io_manager, &h->fs);
		if (eerr) {
			ext2_journal_forget(h->ubd);
			return open_error(h, type, eerr);
		}
		printk(KERN_INFO MSG_PREFIX "recovery complete\n", h->id);
		err = check_replayed(h);
	} else if (err < 0) {
		printk(KERN_ERR MSG_PREFIX "error loading journal\n", h->id);
	}
	if (err < 0) {
		ext2_journal_forget(h->ubd);
		ext2fs_free(h->fs);
		return err;
	}
	h->fs->flags |= EXT2_FLAG_MASTER_SB_ONLY;
	h->fs->umask = 0;
	h->inode_size = EXT2_INODE_SIZE(h->fs->super);
	if (!h->rw)
		return 0;
	err = ext2_errno(h, "ext2fs_read_bitmaps", ext2fs_read_bitmaps(h->fs));
	if (!err) {
		/* A tree of ranges: cleared at every write-back, it costs
		 * what it holds, not the filesystem's size. */
		__u16 type = h->fs->default_bitmap_type;

		h->fs->default_bitmap_type = EXT2FS_BMAP64_RBTREE;
		err = ext2_errno(h, "ext2fs_allocate_block_bitmap",
				 ext2fs_allocate_block_bitmap(h->fs, "fresh",
							      &h->fresh));
		h->fs->default_bitmap_type = type;
	}
	if (!err) {
		ext2fs_set_block_alloc_stats_callback(h->fs, fresh_one, NULL);
		ext2fs_set_block_alloc_stats_range_callback(h->fs, fresh_range,
							    NULL);
		ext2fs_set_alloc_block_callback(h->fs, alloc_block_hook, NULL);
	}
	h->mark_pending = true;
	h->was_valid = h->fs->super->s_state & EXT2_VALID_FS;
	((struct ubd_io *)h->fs->io->private_data)->host = h;
	if (!err && init_started)
		err = mark_mounted(h);
	if (err && h->fresh)
		ext2fs_free_block_bitmap(h->fresh);
	if (err) {
		h->fresh = NULL;
		ext2fs_free(h->fs);
	}
	return err;
}

int ext2_host_mount(struct ubd *u, const char *id, const char *type,
		    bool rdonly, struct ext2_host **res)
{
	static bool error_table_added;
	struct ext2_host *h;
	int err;

	if (!error_table_added) {
		initialize_ext2_error_table();
		error_table_added = true;
	}
	if (mounted[ubd_index(u)]) {
		printk(KERN_ERR MSG_PREFIX "device already mounted\n", id);
		return -EBUSY;
	}
	if (!rdonly && ubd_readonly(u))
		return -EROFS;
	err = read_super(u, id, type, rdonly);
	if (err)
		return err;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->ubd = u;
	h->rw = !rdonly;
	snprintf(h->id, sizeof(h->id), "%s", id);
	err = open_fs(h, type);
	if (err) {
		free(h);
		return err;
	}
	mounted[ubd_index(u)] = true;
	if (h->mark_pending)
		pending[ubd_index(u)] = h;
	*res = h;
	return 0;
}

void ext2_host_umount(struct ext2_host *h)
{
	errcode_t eerr;

	if (h->rw && !h->mark_pending) {
		if (h->was_valid)
			h->fs->super->s_state |= EXT2_VALID_FS;
		ext2fs_mark_super_dirty(h->fs);
	}
	if (h->fresh)
		ext2fs_free_block_bitmap(h->fresh);
	h->fresh = NULL;
	eerr = ext2fs_close2(h->fs, 0);
	if (eerr) {
		ext2_errno(h, "ext2fs_close", eerr);
		ext2fs_free(h->fs);
	}
	if (h->rw && !h->mark_pending)
		ubd_flush(h->ubd);
	ext2_journal_forget(h->ubd);	/* never applied: read-only, failed */
	mounted[ubd_index(h->ubd)] = false;
	if (pending[ubd_index(h->ubd)] == h)
		pending[ubd_index(h->ubd)] = NULL;
	free(h);
}

int ext2_host_sync(struct ext2_host *h)
{
	if (!h->rw || h->mark_pending)
		return 0;
	return ext2_errno(h, "ext2fs_flush",
			  ext2fs_flush2(h->fs, EXT2_FLAG_FLUSH_NO_SYNC));
}

/*
 * Blocks that hold metadata rather than data (Linux ext4_calculate_overhead):
 * superblocks and descriptor copies, bitmaps, inode tables, the journal.
 */
static uint64_t overhead(struct ext2_host *h)
{
	ext2_filsys fs = h->fs;
	struct ext2_inode jinode;
	uint64_t total = fs->super->s_first_data_block;
	dgrp_t g;

	for (g = 0; g < fs->group_desc_count; g++) {
		blk_t used = 0;

		ext2fs_super_and_bgd_loc2(fs, g, NULL, NULL, NULL, &used);
		total += used + 2 + fs->inode_blocks_per_group;
	}
	if (fs->super->s_journal_inum &&
	    !ext2fs_read_inode(fs, fs->super->s_journal_inum, &jinode))
		total += ext2fs_get_stat_i_blocks(fs, &jinode) /
			 (fs->blocksize / 512);
	return total;
}

int ext2_host_statfs(struct ext2_host *h, struct ext2_statfs *st)
{
	ext2_filsys fs = h->fs;
	struct ext2_super_block *es = fs->super;
	uint64_t blocks = ext2fs_blocks_count(es), over = overhead(h);
	uint64_t bfree = 0, ifree = 0, resv = ext2fs_r_blocks_count(es);
	uint64_t u0, u1;
	dgrp_t g;

	for (g = 0; g < fs->group_desc_count; g++) {
		bfree += ext2fs_bg_free_blocks_count(fs, g);
		ifree += ext2fs_bg_free_inodes_count(fs, g);
	}
	st->bsize = fs->blocksize;
	st->blocks = blocks > over ? blocks - over : 0;
	st->bfree = EXT2FS_C2B(fs, bfree);
	st->bavail = st->bfree > resv ? st->bfree - resv : 0;
	st->files = es->s_inodes_count;
	st->ffree = ifree;
	memcpy(&u0, es->s_uuid, 8);
	memcpy(&u1, es->s_uuid + 8, 8);
	st->fsid = u0 ^ u1;
	return 0;
}

unsigned int ext2_host_blocksize(const struct ext2_host *h)
{
	return h->fs->blocksize;
}

bool ext2_host_readonly(const struct ext2_host *h)
{
	return !h->rw;
}
