/*
 * ext2/ext3/ext4, host side: reading regular files (and slow symlinks).
 * A read maps its range to runs of physical blocks through a small cache
 * of block maps (struct ext2_map) and copies each run from the device's
 * block cache straight into the caller's buffer in one call: no bmap per
 * block, no libext2fs file buffer. Inline-data files are read through
 * ext2fs_file_read.
 * Coherence: libext2fs keeps no file data of its own between calls
 * (ext2_host_write closes, so flushes, its ext2_file_t before it returns)
 * and writes every change of an inode, an extent block or an indirect
 * block through the io_manager, which counts the writes; a cached map is
 * used only while that count has not moved.
 * Callers hold the superblock's s_lock (see ext2_user.h).
 * Semantics: Linux fs/ext4/inode.c (ext4_map_blocks), fs/ext4/extents.c,
 * fs/ext4/indirect.c (ext4_ind_map_blocks), mm/filemap.c (holes and
 * unwritten extents read as zeros, nothing past i_size).
 */
#include <stdlib.h>
#include <string.h>
#include "ext2_host.h"

/* ------------------------------------------------------------------ */
/* Block maps.                                                         */

/* A block number (or count blocks from it) outside the filesystem's
 * data area: logged, -EUCLEAN (Linux ext4_check_map_extents_env). */
static int bad_blocks(struct ext2_host *h, uint32_t ino, uint64_t blk,
		      uint64_t count)
{
	ext2_filsys fs = h->fs;

	if (blk >= fs->super->s_first_data_block &&
	    count <= ext2fs_blocks_count(fs->super) &&
	    blk <= ext2fs_blocks_count(fs->super) - count)
		return 0;
	printk(KERN_ERR "EXT4-fs error (device %s): inode #%u: block %llu "
	       "(%llu blocks) outside the filesystem\n", h->id, ino,
	       (unsigned long long)blk, (unsigned long long)count);
	return -EUCLEAN;
}

/*
 * Append len blocks at pblk (0: a hole) to m at m->end, merged into the
 * last run when they continue it. 0, 1 when m is full (nothing added), or
 * -EUCLEAN for blocks outside the filesystem.
 */
static int map_add(struct ext2_host *h, struct ext2_map *m, uint64_t pblk,
		   uint64_t len)
{
	struct ext2_run *r = m->nr ? &m->run[m->nr - 1] : NULL;

	if (pblk && bad_blocks(h, m->ino, pblk, len))
		return -EUCLEAN;
	if (r && (pblk ? r->pblk && r->pblk + r->len == pblk : !r->pblk))
		r->len += len;
	else if (m->nr == EXT2_MAP_RUNS)
		return 1;
	else
		m->run[m->nr++] = (struct ext2_run){ m->end, pblk, len };
	m->end += len;
	return 0;
}

/*
 * Map an extent-mapped file from m->end up to logical block end: the
 * extents from the one holding (or following) m->end on, gaps as holes.
 * 0 or -errno.
 */
static int fill_extents(struct ext2_host *h, struct ext2_map *m,
			uint64_t end)
{
	ext2_extent_handle_t handle;
	struct ext2fs_extent e;
	uint64_t e_end;
	errcode_t eerr;
	int ret = 0;

	eerr = ext2fs_extent_open2(h->fs, m->ino, &m->inode, &handle);
	if (eerr)
		return ext2_errno(h, "ext2fs_extent_open2", eerr);
	eerr = ext2fs_extent_goto2(handle, 0, m->end);
	if (!eerr || eerr == EXT2_ET_EXTENT_NOT_FOUND)
		eerr = ext2fs_extent_get(handle, EXT2_EXTENT_CURRENT, &e);
	while (!eerr && !ret && m->end < end) {
		e_end = e.e_lblk + e.e_len;
		if (e_end > m->end && e.e_lblk > m->end)
			ret = map_add(h, m, 0, min(e.e_lblk, end) - m->end);
		if (!ret && e_end > m->end && m->end < end)
			ret = map_add(h, m, (e.e_flags & EXT2_EXTENT_FLAGS_UNINIT) ?
				      0 : e.e_pblk + (m->end - e.e_lblk),
				      min(e_end, end) - m->end);
		if (!ret && m->end < end)
			eerr = ext2fs_extent_get(handle, EXT2_EXTENT_NEXT_LEAF,
						 &e);
	}
	ext2fs_extent_free(handle);
	/* No extent (left): the rest of the file is a hole. */
	if (eerr == EXT2_ET_EXTENT_NO_NEXT || eerr == EXT2_ET_EXTENT_NOT_FOUND ||
	    eerr == EXT2_ET_NO_CURRENT_NODE) {
		eerr = 0;
		if (!ret && m->end < end)
			ret = map_add(h, m, 0, end - m->end);
	}
	if (eerr)
		return ext2_errno(h, "ext2fs_extent_get", eerr);
	return ret < 0 ? ret : 0;
}

/* The indirect-block tables one fill_indirect reads, one per level
 * (0: tables of data blocks), each kept until another replaces it. */
struct ind_walk {
	struct ext2_host *h;
	struct ext2_map *m;
	uint32_t apb;			/* block numbers per table */
	uint32_t blk[3];		/* the table held per level, 0: none */
	uint32_t *tab[3];		/* little-endian block numbers */
};

static int ind_table(struct ind_walk *w, int level, uint32_t blk,
		     const uint32_t **res)
{
	struct ext2_host *h = w->h;
	int err;

	if (w->blk[level] != blk) {
		err = bad_blocks(h, w->m->ino, blk, 1);
		w->blk[level] = 0;
		if (!err)
			err = ext2_errno(h, "io_channel_read_blk64",
					 io_channel_read_blk64(h->fs->io, blk,
							       1, w->tab[level]));
		if (err)
			return err;
		w->blk[level] = blk;
	}
	*res = w->tab[level];
	return 0;
}

/* The run that starts at entry idx of the n little-endian block numbers
 * in t: its first block (0: a hole) and its length. */
static uint64_t scan_table(const uint32_t *t, unsigned int idx,
			   unsigned int n, uint64_t *pblk)
{
	uint32_t first = ext2fs_le32_to_cpu(t[idx]);
	unsigned int k = idx + 1;

	if (first)
		while (k < n && ext2fs_le32_to_cpu(t[k]) ==
				(uint64_t)first + (k - idx))
			k++;
	else
		while (k < n && !t[k])
			k++;
	*pblk = first;
	return k - idx;
}

/*
 * The run of an indirect-mapped file (ext2, ext3) that starts at logical
 * block lblk: as far as one table of data block numbers goes, or the
 * whole hole a missing table leaves. 0 or -errno.
 */
static int ind_run(struct ind_walk *w, uint64_t lblk, uint64_t *pblk,
		   uint64_t *len)
{
	const uint32_t *i_block = w->m->inode.i_block;
	uint32_t direct[EXT2_NDIR_BLOCKS], ptr;
	uint64_t per = 1, b = lblk;
	const uint32_t *t;
	int depth, err;

	if (b < EXT2_NDIR_BLOCKS) {
		for (int i = 0; i < EXT2_NDIR_BLOCKS; i++)
			direct[i] = ext2fs_cpu_to_le32(i_block[i]);
		*len = scan_table(direct, b, EXT2_NDIR_BLOCKS, pblk);
		return 0;
	}
	b -= EXT2_NDIR_BLOCKS;
	for (depth = 1; depth <= 3; depth++) {
		per *= w->apb;
		if (b < per)
			break;
		b -= per;
		if (depth == 3) {	/* past what the format maps */
			*pblk = 0;
			*len = UINT64_MAX;
			return 0;
		}
	}
	ptr = i_block[EXT2_IND_BLOCK + depth - 1];
	for (; depth > 0; depth--) {
		if (!ptr) {
			*pblk = 0;
			*len = per - b;
			return 0;
		}
		err = ind_table(w, depth - 1, ptr, &t);
		if (err)
			return err;
		per /= w->apb;
		if (per == 1) {
			*len = scan_table(t, b, w->apb, pblk);
			return 0;
		}
		ptr = ext2fs_le32_to_cpu(t[b / per]);
		b %= per;
	}
	return -EIO;	/* not reached */
}

/* Map an indirect-mapped file from m->end up to logical block end.
 * 0 or -errno. */
static int fill_indirect(struct ext2_host *h, struct ext2_map *m,
			 uint64_t end)
{
	struct ind_walk w = { .h = h, .m = m, .apb = h->fs->blocksize / 4 };
	uint64_t pblk, len;
	char *buf = malloc(3 * (size_t)h->fs->blocksize);
	int ret = 0;

	if (!buf)
		return -ENOMEM;
	for (int i = 0; i < 3; i++)
		w.tab[i] = (uint32_t *)(buf + i * (size_t)h->fs->blocksize);
	while (!ret && m->end < end) {
		ret = ind_run(&w, m->end, &pblk, &len);
		if (!ret)
			ret = map_add(h, m, pblk, min(len, end - m->end));
	}
	free(buf);
	return ret < 0 ? ret : 0;
}

/* Fill m with the map of its file from logical block lblk on, as far as
 * it holds runs, up to the block of i_size. 0 or -errno (m then empty). */
static int map_fill(struct ext2_host *h, struct ext2_map *m, uint64_t lblk)
{
	uint64_t end = (EXT2_I_SIZE(&m->inode) + h->fs->blocksize - 1) /
		       h->fs->blocksize;
	int err;

	m->nr = 0;
	m->start = m->end = lblk;
	if (m->inode.i_flags & EXT4_EXTENTS_FL)
		err = fill_extents(h, m, end);
	else
		err = fill_indirect(h, m, end);
	if (!err && m->end <= lblk)
		err = -EIO;
	if (err)
		m->nr = m->start = m->end = 0;
	return err;
}

/* The run of m that holds logical block lblk (below the block of
 * i_size), mapping from lblk on when m does not hold it. */
static int map_find(struct ext2_host *h, struct ext2_map *m, uint64_t lblk,
		    const struct ext2_run **res)
{
	unsigned int lo = 0, hi, mid;
	int err;

	if (lblk < m->start || lblk >= m->end) {
		err = map_fill(h, m, lblk);
		if (err)
			return err;
	}
	hi = m->nr;
	while (hi - lo > 1) {
		mid = (lo + hi) / 2;
		if (m->run[mid].lblk <= lblk)
			lo = mid;
		else
			hi = mid;
	}
	*res = &m->run[lo];
	return 0;
}

/*
 * The map slot of ino, up to date: its inode as of now (re-read and its
 * runs dropped when the device saw a write since), or a slot taken over
 * from another file. 0 or -errno.
 */
static int map_get(struct ext2_host *h, uint32_t ino, struct ext2_map **res)
{
	uint64_t gen = ext2_io_writes(h);
	struct ext2_map *m = NULL;
	struct ext2_ibuf b;
	int i, err;

	for (i = 0; i < EXT2_MAP_SLOTS; i++)
		if (h->map[i].ino == ino)
			m = &h->map[i];
	if (m && m->gen == gen) {
		*res = m;
		return 0;
	}
	if (!m)
		m = &h->map[h->map_next++ % EXT2_MAP_SLOTS];
	m->ino = 0;
	err = ext2_iget_raw(h, ino, &b);
	if (err)
		return err;
	memcpy(&m->inode, &b.i, sizeof(m->inode));
	m->ino = ino;
	m->gen = gen;
	m->nr = m->start = m->end = 0;
	*res = m;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Reading.                                                            */

/* ext2fs_file_read takes unsigned int counts: move at most this. */
#define IO_CHUNK (1U << 30)

/* ext2_host_read through libext2fs's file layer (inline data). */
static ssize_t read_file_layer(struct ext2_host *h, uint32_t ino, void *buf,
			       size_t len, uint64_t off)
{
	ext2_file_t file;
	size_t done = 0;
	uint64_t size;
	errcode_t eerr;
	unsigned int got = 0;

	eerr = ext2fs_file_open2(h->fs, ino, NULL, 0, &file);
	if (eerr)
		return ext2_errno(h, "ext2fs_file_open", eerr);
	/* Stop at i_size: libext2fs 1.47.0 reads inline data up to the
	 * capacity of the inode, not the file's size. */
	size = EXT2_I_SIZE(ext2fs_file_get_inode(file));
	len = off < size ? min(len, (size_t)min(size - off, (uint64_t)SIZE_MAX))
			 : 0;
	eerr = ext2fs_file_llseek(file, off, EXT2_SEEK_SET, NULL);
	while (!eerr && done < len) {
		eerr = ext2fs_file_read(file, (char *)buf + done,
					min(len - done, (size_t)IO_CHUNK), &got);
		done += got;
		if (!got)
			break;
	}
	ext2fs_file_close(file);
	if (eerr && !done)
		return ext2_errno(h, "ext2fs_file_read", eerr);
	return done;
}

/* n zero bytes into s (a hole). */
static int put_zeros(struct read_sink *s, size_t n)
{
	static const char zeros[4096];
	int err = 0;

	while (n && !err) {
		size_t k = min(n, sizeof(zeros));

		err = s->put(s, zeros, k);
		n -= k;
	}
	return err;
}

/* Inline data: through libext2fs's file layer into a buffer, then s. */
static ssize_t read_inline(struct ext2_host *h, uint32_t ino,
			   struct read_sink *s, size_t len, uint64_t off)
{
	char *buf = malloc(min(len, (size_t)65536));
	ssize_t n;
	int err;

	if (!buf)
		return -ENOMEM;
	n = read_file_layer(h, ino, buf, min(len, (size_t)65536), off);
	if (n > 0) {
		err = s->put(s, buf, n);
		if (!err)
			err = s->flush(s);
		if (err)
			n = err;
	}
	free(buf);
	return n;
}

ssize_t ext2_host_read_sink(struct ext2_host *h, uint32_t ino,
			    struct read_sink *s, size_t len, uint64_t off)
{
	unsigned int bs = h->fs->blocksize;
	const struct ext2_run *r;
	struct ext2_map *m;
	uint64_t size, pos, skip;
	size_t done = 0, n;
	int err = map_get(h, ino, &m);

	if (err)
		return err;
	if (m->inode.i_flags & EXT4_INLINE_DATA_FL)
		return read_inline(h, ino, s, len, off);
	size = EXT2_I_SIZE(&m->inode);
	if (off >= size)
		return 0;
	len = min(len, (size_t)min(size - off, (uint64_t)SIZE_MAX));
	while (done < len) {
		pos = off + done;
		err = map_find(h, m, pos / bs, &r);
		if (err)
			break;
		skip = (pos / bs - r->lblk) * bs + pos % bs;
		n = min(len - done, (size_t)min(r->len * bs - skip,
						(uint64_t)SIZE_MAX));
		if (r->pblk)
			err = ext2_dev_read_sink(h, s, r->pblk * bs + skip, n);
		else
			err = put_zeros(s, n);
		if (err)
			break;
		done += n;
	}
	/* After an error part way, what came before is still read (as a
	 * short read) if s takes it. */
	if (err && (!done || s->flush(s)))
		return err;
	if (!err)
		err = s->flush(s);
	return err ? err : (ssize_t)done;
}

int64_t ext2_host_seek_data(struct ext2_host *h, uint32_t ino, uint64_t off,
			    bool data)
{
	unsigned int bs = h->fs->blocksize;
	const struct ext2_run *r;
	struct ext2_map *m;
	uint64_t size, pos = off;
	int err = map_get(h, ino, &m);

	if (err)
		return err;
	size = EXT2_I_SIZE(&m->inode);
	if (off >= size)
		return -ENXIO;
	if (m->inode.i_flags & EXT4_INLINE_DATA_FL)
		return data ? (int64_t)off : (int64_t)size;
	while (pos < size) {
		err = map_find(h, m, pos / bs, &r);
		if (err)
			return err;
		if (!r->pblk == !data)
			return pos;
		/* The whole run is of the other kind: on after it. */
		pos = (r->lblk + r->len) * bs;
	}
	return data ? -ENXIO : (int64_t)size;
}

ssize_t ext2_host_read(struct ext2_host *h, uint32_t ino, void *buf,
		       size_t len, uint64_t off)
{
	struct buf_sink b = BUF_SINK(buf);

	return ext2_host_read_sink(h, ino, &b.s, len, off);
}
