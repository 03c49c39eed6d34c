/*
 * ext2/ext3/ext4, host side only: the mounted filesystem record and the
 * helpers the *_user.c files share (inode buffers, timestamps, error
 * mapping). Includes libext2fs; the kernel side never includes this.
 */
#ifndef EXT2_HOST_H
#define EXT2_HOST_H

#include <ext2fs/ext2fs.h>
#include <umk/kernel.h>
#include <umk/sink.h>
#include <umk/ubd.h>
#include "ext2_user.h"

/*
 * A run of a file's block map: len blocks from logical block lblk stored
 * from physical block pblk on, or a hole (pblk 0: never written, or an
 * unwritten extent), which reads as zeros.
 */
struct ext2_run {
	uint64_t lblk, pblk, len;
};

#define EXT2_MAP_RUNS	32	/* runs one cached map holds */
#define EXT2_MAP_SLOTS	4	/* files whose maps are cached at once */

/*
 * The cached block map of logical blocks [start, end) of inode ino (runs
 * in order, holes included, covering the range), valid while the device
 * has seen no write through the io_manager since it was made (gen, see
 * ext2_io_writes): every change libext2fs makes to an inode or an extent
 * tree or indirect block is written through before its call returns.
 */
struct ext2_map {
	uint32_t ino;			/* 0: unused slot */
	uint64_t gen;			/* ext2_io_writes() when inode was read */
	struct ext2_inode inode;	/* i_size, i_flags, i_block */
	uint64_t start, end;
	unsigned int nr;
	struct ext2_run run[EXT2_MAP_RUNS];
};

/* One mounted filesystem. Used under the superblock's s_lock only. */
struct ext2_host {
	ext2_filsys fs;
	struct ubd *ubd;		/* the device under it */
	char id[32];			/* device name for messages: "ubda" */
	bool rw;			/* opened EXT2_FLAG_RW */
	bool was_valid;			/* EXT2_VALID_FS was set at mount */
	bool mark_pending;		/* read-write, not yet marked in use
					 * on disk (before init ran) */
	unsigned int inode_size;	/* on-disk inode size, bytes */
	struct ext2_map map[EXT2_MAP_SLOTS];	/* ext2_read_user.c's */
	unsigned int map_next;		/* the slot to reuse next */
	/* Crash order (ext2_io_set_order): blocks allocated since the
	 * device's last write-back (their first content goes first), and
	 * whether an inode or block was freed since the last barrier (a
	 * new allocation might reuse it: a barrier first). */
	ext2fs_block_bitmap fresh;	/* NULL: read-only */
	uint64_t nr_fresh;
	unsigned long fresh_gen;	/* ubd_writebacks() it is of */
	bool freed;
	unsigned long freed_gen;	/* ubd_writebacks() at the last free */
};

/*
 * Journal recovery (ext2_journal_user.c). ext2_journal_load: if h's
 * superblock says needs_recovery, scan the internal journal and make its
 * committed blocks an overlay that every read of the device sees; 1 if an
 * overlay was made (h->fs must then be opened again), 0 if nothing needs
 * recovery, -EINVAL for a journal it cannot replay (external, fast
 * commits, corrupt), -ENOMEM, -EIO. ext2_journal_patch_read: apply the
 * overlay of device u to len bytes read at byte offset off. 0 or -errno.
 * ext2_journal_apply: write the overlay's blocks to their places, empty
 * the journal and clear needs_recovery in h->fs->super (dirty, not yet
 * flushed); 0 if none was pending. ext2_journal_forget: drop an overlay
 * never applied (a read-only or failed mount).
 */
int ext2_journal_load(struct ext2_host *h);
int ext2_journal_patch_read(struct ubd *u, void *data, uint64_t off,
			    size_t len);
bool ext2_journal_pending(struct ubd *u);
int ext2_journal_apply(struct ext2_host *h);
void ext2_journal_forget(struct ubd *u);

/* Writes the io_manager has passed to the device since mount: any change
 * libext2fs made to the filesystem moves it. */
uint64_t ext2_io_writes(struct ext2_host *h);
/*
 * The write-back order (ubd_write_ordered) of the directory blocks
 * libext2fs writes from now on, until set back to UBD_WB_NORMAL: a block
 * of an inode table or a bitmap is never given one, as it holds others'
 * state too. Crash-safe names (ext2_dir_user.c): an entry added is
 * UBD_WB_FIRST, so no crash leaves an inode without its name (e2fsck -p
 * cannot mend a named-nowhere inode with data; a name of an unused inode
 * it clears); an entry removed or repointed is UBD_WB_LAST, after the
 * inode it named is freed.
 */
void ext2_io_set_order(struct ext2_host *h, enum ubd_wb_order order);
/* ubd_write_barrier on h's device: what is written from now on reaches
 * the disk after everything written so far. 0 or -ENOMEM. */
int ext2_io_barrier(struct ext2_host *h);
/* Before an operation allocates an inode or blocks: a barrier when
 * something was freed since the last one, so a freed inode or block is
 * free on disk before its new use can reach it. 0 or -ENOMEM. */
int ext2_io_before_alloc(struct ext2_host *h);
/*
 * Count inode ino (a directory when dir) as allocated, as
 * ext2fs_inode_alloc_stats2 does; when that moves its group's high-water
 * mark of used inodes (bg_itable_unused, INODE_UNINIT), the group's
 * descriptor block goes to the device at once as UBD_WB_FIRST, ahead of
 * the new name: e2fsck -p stops at a name of an inode past that mark.
 * 0 or -EIO.
 */
int ext2_inode_alloc_ordered(struct ext2_host *h, uint32_t ino, bool dir);
/* Read len bytes at byte offset off of h's device (its block cache)
 * into buf, as the io_manager would: 0 or -EIO. The _sink form hands
 * them to s out of the cache's pages (umk/sink.h): 0, -EIO or s's error. */
int ext2_dev_read(struct ext2_host *h, void *buf, uint64_t off, size_t len);
int ext2_dev_read_sink(struct ext2_host *h, struct read_sink *s,
		       uint64_t off, size_t len);

/*
 * An inode as read or written by the helpers below: the large inode layout
 * (fields past the first 128 bytes are only meaningful when they fit in
 * i_extra_isize, see ext2_fits).
 */
struct ext2_ibuf {
	struct ext2_inode_large i;
};

/* Read / write inode ino (the first sizeof(struct ext2_inode_large) bytes;
 * the rest of the on-disk inode, in-inode xattrs, is kept). -errno. */
int ext2_iget_raw(struct ext2_host *h, uint32_t ino, struct ext2_ibuf *b);
int ext2_iput_raw(struct ext2_host *h, uint32_t ino, struct ext2_ibuf *b);

/* Does the large-inode field at [off, off + size) exist in this inode? */
bool ext2_fits(const struct ext2_host *h, const struct ext2_ibuf *b,
	       size_t off, size_t size);
#define EXT2_FITS(h, b, field) \
	ext2_fits(h, b, offsetof(struct ext2_inode_large, field), \
		  sizeof(((struct ext2_inode_large *)0)->field))

/* Timestamps with ext4's extra word (nanoseconds, 2 epoch bits). */
void ext2_set_times(struct ext2_host *h, struct ext2_ibuf *b,
		    const struct ext2_time *atime,
		    const struct ext2_time *mtime,
		    const struct ext2_time *ctime);
/* Link count helpers with Linux's dir_nlink rules (ext4_inc_count /
 * ext4_dec_count): a directory past EXT2_HOST_LINK_MAX counts 1. */
void ext2_inc_nlink(struct ext2_host *h, struct ext2_ibuf *b);
void ext2_dec_nlink(struct ext2_ibuf *b);
/* Can directory b take one more subdirectory? 0 or -EMLINK. */
int ext2_dir_may_grow(struct ext2_host *h, const struct ext2_ibuf *b);
/*
 * A new inode in two steps, so its name can reach the disk before it
 * (crash order: ext2_io_set_order). ext2_alloc_inode_raw: take a free
 * inode near dir for mode a->mode (ext2_inode_alloc_ordered): 0 and
 * *res, or -ENOSPC, -ENAMETOOLONG (a symlink target longer than a block),
 * -ENOENT (an empty target), -EIO. ext2_new_inode_raw: write inode ino
 * with a's mode, owner, times and device number; a directory gets its
 * "." / ".." block (link count 2), a symlink its target (in i_block when
 * shorter than 60 bytes, as Linux): 0, -ENOSPC, -ENOMEM, -EIO. Either
 * gives the inode back when it fails.
 */
int ext2_alloc_inode_raw(struct ext2_host *h, uint32_t dir,
			 const struct ext2_attr *a, const char *target,
			 uint32_t *res);
int ext2_new_inode_raw(struct ext2_host *h, uint32_t ino, uint32_t dir,
		       const struct ext2_attr *a, const char *target);
/* Free inode ino, written but named by no directory (links set to 0). */
void ext2_discard_inode(struct ext2_host *h, uint32_t ino,
			const struct ext2_time *now);
/* EXT2_FT_* of a Linux mode. */
int ext2_mode_to_ftype(uint32_t mode);

/*
 * A libext2fs error code as -errno. Codes that mean damage (-EUCLEAN,
 * -EBADMSG) or an unexpected failure (-EIO) are logged as
 * "EXT4-fs error (device ubda): where: message".
 */
int ext2_errno(struct ext2_host *h, const char *where, errcode_t err);
/* -EROFS unless the filesystem is mounted read-write. */
static inline int ext2_want_write(const struct ext2_host *h)
{
	return h->rw ? 0 : -EROFS;
}

#endif
