/*
 * ext3/4 journal recovery, host side: an image whose internal journal
 * needs recovery (Linux stopped without unmounting it) is replayed, as
 * Linux's jbd2 does at mount, but in two steps so that a boot that fails
 * writes nothing: at mount the journal is scanned and its committed,
 * unrevoked blocks become an overlay that the io_manager's reads see (so
 * libext2fs opens the replayed filesystem); only when the mount is first
 * marked in use (init ran, or a first write) are the blocks written to
 * their places, the journal emptied and needs_recovery cleared. A
 * read-only mount keeps the overlay and never writes. umk itself then
 * writes metadata in place, without the journal.
 * Format and rules: Linux fs/jbd2/recovery.c, include/linux/jbd2.h.
 */
#include "ext2_host.h"
#include <umk/ubd.h>
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#define JBD2_MAGIC		0xc03b3998U
#define JBD2_DESCRIPTOR_BLOCK	1
#define JBD2_COMMIT_BLOCK	2
#define JBD2_SUPERBLOCK_V1	3
#define JBD2_SUPERBLOCK_V2	4
#define JBD2_REVOKE_BLOCK	5

#define JBD2_FEATURE_INCOMPAT_REVOKE		0x1
#define JBD2_FEATURE_INCOMPAT_64BIT		0x2
#define JBD2_FEATURE_INCOMPAT_ASYNC_COMMIT	0x4
#define JBD2_FEATURE_INCOMPAT_CSUM_V2		0x8
#define JBD2_FEATURE_INCOMPAT_CSUM_V3		0x10
#define JBD2_FEATURE_INCOMPAT_FAST_COMMIT	0x20
#define JBD2_KNOWN_INCOMPAT (JBD2_FEATURE_INCOMPAT_REVOKE | \
	JBD2_FEATURE_INCOMPAT_64BIT | JBD2_FEATURE_INCOMPAT_ASYNC_COMMIT | \
	JBD2_FEATURE_INCOMPAT_CSUM_V2 | JBD2_FEATURE_INCOMPAT_CSUM_V3)

#define JBD2_FLAG_ESCAPE	1
#define JBD2_FLAG_SAME_UUID	2
#define JBD2_FLAG_LAST_TAG	8

/* Journal superblock fields used here (byte offsets, big-endian). */
#define JSB_BLOCKSIZE	12
#define JSB_MAXLEN	16
#define JSB_FIRST	20
#define JSB_SEQUENCE	24
#define JSB_START	28
#define JSB_INCOMPAT	40
#define JSB_CHECKSUM	252
#define JSB_SIZE	1024

/* One block to replay: fs block fsblk's newest committed copy is at
 * journal block logblk (escaped: its first word was the jbd2 magic). */
struct jentry {
	uint64_t fsblk;
	uint32_t logblk;
	uint32_t seq;
	bool escape;
};

struct jrevoke {
	uint64_t fsblk;
	uint32_t seq;
};

struct ext2_journal {
	unsigned int bs;		/* block size (the filesystem's) */
	uint32_t maxlen, first, next_seq;
	uint32_t incompat;
	uint64_t *map;			/* journal block -> device block */
	struct jentry *e;		/* sorted by fsblk, one per block */
	size_t n;
};

/* The overlay of each device while a replay is pending. */
static struct ext2_journal *pending_journal[UBD_MAX_DEV];

static uint32_t be32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return ntohl(v);
}

static void put_be32(unsigned char *p, uint32_t v)
{
	v = htonl(v);
	memcpy(p, &v, 4);
}

static void journal_free(struct ext2_journal *j)
{
	if (!j)
		return;
	free(j->map);
	free(j->e);
	free(j);
}

/* Read journal block lblk (0 = the journal superblock) into buf. */
static int jread(struct ubd *u, const struct ext2_journal *j, uint32_t lblk,
		 void *buf)
{
	if (lblk >= j->maxlen || !j->map[lblk])
		return -EIO;
	return ubd_read(u, buf, j->map[lblk] * j->bs, j->bs);
}

/* The log block after pos, wrapping from maxlen to first. */
static uint32_t jnext(const struct ext2_journal *j, uint32_t pos)
{
	return ++pos >= j->maxlen ? j->first : pos;
}

static size_t tag_bytes(uint32_t incompat)
{
	size_t sz;

	if (incompat & JBD2_FEATURE_INCOMPAT_CSUM_V3)
		return 16;
	sz = 12;
	if (incompat & JBD2_FEATURE_INCOMPAT_CSUM_V2)
		sz += 2;
	return (incompat & JBD2_FEATURE_INCOMPAT_64BIT) ? sz : sz - 4;
}

/* Growable arrays of the scan, bounded by the journal's length. */
struct scan {
	struct jentry *tags;
	size_t ntags, cap;
	struct jrevoke *rev;
	size_t nrev, revcap;
	size_t committed_tags;		/* tags of committed transactions */
	size_t committed_rev;
};

static int push_tag(struct scan *s, const struct jentry *e)
{
	if (s->ntags == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		void *n = realloc(s->tags, cap * sizeof(*s->tags));

		if (!n)
			return -ENOMEM;
		s->tags = n;
		s->cap = cap;
	}
	s->tags[s->ntags++] = *e;
	return 0;
}

static int push_revoke(struct scan *s, uint64_t blk, uint32_t seq)
{
	if (s->nrev == s->revcap) {
		size_t cap = s->revcap ? s->revcap * 2 : 64;
		void *n = realloc(s->rev, cap * sizeof(*s->rev));

		if (!n)
			return -ENOMEM;
		s->rev = n;
		s->revcap = cap;
	}
	s->rev[s->nrev].fsblk = blk;
	s->rev[s->nrev++].seq = seq;
	return 0;
}

/* The tags of descriptor block buf (transaction seq, at log position
 * *pos): each names the next log block. */
static int scan_descriptor(struct ext2_journal *j, struct scan *s,
			   const unsigned char *buf, uint32_t seq,
			   uint32_t *pos)
{
	size_t tb = tag_bytes(j->incompat), off = 12;
	size_t end = j->bs - ((j->incompat & (JBD2_FEATURE_INCOMPAT_CSUM_V2 |
			JBD2_FEATURE_INCOMPAT_CSUM_V3)) ? 4 : 0);
	bool v3 = j->incompat & JBD2_FEATURE_INCOMPAT_CSUM_V3;

	while (off + tb <= end) {
		const unsigned char *t = buf + off;
		uint32_t flags = v3 ? be32(t + 4) : (uint32_t)(t[6] << 8 | t[7]);
		struct jentry e = { .fsblk = be32(t), .seq = seq };
		int err;

		if (j->incompat & JBD2_FEATURE_INCOMPAT_64BIT)
			e.fsblk |= (uint64_t)be32(t + (v3 ? 8 : 8)) << 32;
		e.escape = flags & JBD2_FLAG_ESCAPE;
		*pos = jnext(j, *pos);
		e.logblk = *pos;
		err = push_tag(s, &e);
		if (err)
			return err;
		off += tb;
		if (!(flags & JBD2_FLAG_SAME_UUID))
			off += 16;
		if (flags & JBD2_FLAG_LAST_TAG)
			break;
	}
	return 0;
}

static int scan_revoke(struct ext2_journal *j, struct scan *s,
		       const unsigned char *buf, uint32_t seq)
{
	size_t rsize = (j->incompat & JBD2_FEATURE_INCOMPAT_64BIT) ? 8 : 4;
	size_t count = be32(buf + 12), off;

	if (count > j->bs)
		return 0;		/* corrupt: Linux stops at it too */
	for (off = 16; off + rsize <= count; off += rsize) {
		uint64_t blk = rsize == 8 ? (uint64_t)be32(buf + off) << 32 |
					    be32(buf + off + 4)
					  : be32(buf + off);
		int err = push_revoke(s, blk, seq);

		if (err)
			return err;
	}
	return 0;
}

/* Walk the log from start: descriptors, revokes and commits of the
 * transactions that follow each other; a transaction counts once its
 * commit block is read (Linux's PASS_SCAN and PASS_REVOKE in one). */
static int scan_log(struct ubd *u, struct ext2_journal *j, uint32_t start,
		    struct scan *s)
{
	unsigned char *buf = malloc(j->bs);
	uint32_t pos = start, seq = j->next_seq;
	int err = 0;

	if (!buf)
		return -ENOMEM;
	for (uint32_t steps = 0; steps < j->maxlen; steps++) {
		uint32_t type;

		if (jread(u, j, pos, buf) || be32(buf) != JBD2_MAGIC ||
		    be32(buf + 8) != seq)
			break;
		type = be32(buf + 4);
		if (type == JBD2_DESCRIPTOR_BLOCK) {
			err = scan_descriptor(j, s, buf, seq, &pos);
		} else if (type == JBD2_REVOKE_BLOCK) {
			err = scan_revoke(j, s, buf, seq);
		} else if (type == JBD2_COMMIT_BLOCK) {
			s->committed_tags = s->ntags;
			s->committed_rev = s->nrev;
			seq++;
		} else {
			break;
		}
		if (err)
			break;
		pos = jnext(j, pos);
	}
	j->next_seq = seq;
	free(buf);
	return err;
}

static int by_block(const void *a, const void *b)
{
	const struct jentry *x = a, *y = b;

	if (x->fsblk != y->fsblk)
		return x->fsblk < y->fsblk ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;	/* log order */
}

/* Was blk revoked by a transaction at least as new as seq? */
static bool revoked(const struct scan *s, uint64_t blk, uint32_t seq)
{
	for (size_t i = 0; i < s->committed_rev; i++)
		if (s->rev[i].fsblk == blk && (int32_t)(s->rev[i].seq - seq) >= 0)
			return true;
	return false;
}

/* The replay set: per block, the copy of the newest transaction that
 * wrote it (log order is transaction order), unless revoked later. */
static int build_overlay(struct ext2_journal *j, struct scan *s,
			 uint64_t nblocks)
{
	size_t n = 0;

	j->e = calloc(s->committed_tags ? s->committed_tags : 1, sizeof(*j->e));
	if (!j->e)
		return -ENOMEM;
	for (size_t i = 0; i < s->committed_tags; i++) {
		const struct jentry *t = &s->tags[i];

		if (t->fsblk >= nblocks || revoked(s, t->fsblk, t->seq))
			continue;
		j->e[n] = *t;
		j->e[n].seq = (uint32_t)n;	/* from here on: log order */
		n++;
	}
	/* Sort by block, then by log order; keep the last of each. */
	qsort(j->e, n, sizeof(*j->e), by_block);
	j->n = 0;
	for (size_t i = 0; i < n; i++) {
		if (j->n && j->e[j->n - 1].fsblk == j->e[i].fsblk)
			j->n--;
		j->e[j->n++] = j->e[i];
	}
	return 0;
}

int ext2_journal_load(struct ext2_host *h)
{
	ext2_filsys fs = h->fs;
	struct ext2_super_block *es = fs->super;
	struct ext2_inode inode;
	struct ext2_journal *j;
	struct scan s = { 0 };
	unsigned char *jsb = NULL;
	uint32_t start;
	int err = -EINVAL;

	if (!(es->s_feature_incompat & EXT3_FEATURE_INCOMPAT_RECOVER))
		return 0;
	if (!es->s_journal_inum || (es->s_feature_incompat &
				    EXT3_FEATURE_INCOMPAT_JOURNAL_DEV))
		return -EINVAL;		/* external journal: not here */
	j = calloc(1, sizeof(*j));
	jsb = malloc(fs->blocksize);
	if (!j || !jsb) {
		err = -ENOMEM;
		goto out;
	}
	j->bs = fs->blocksize;
	if (ext2fs_read_inode(fs, es->s_journal_inum, &inode))
		goto out;
	j->maxlen = EXT2_I_SIZE(&inode) / j->bs;
	if (j->maxlen < 4 || j->maxlen > (1U << 22))
		goto out;
	j->map = calloc(j->maxlen, sizeof(*j->map));
	if (!j->map) {
		err = -ENOMEM;
		goto out;
	}
	for (uint32_t l = 0; l < j->maxlen; l++) {
		blk64_t p = 0;

		if (ext2fs_bmap2(fs, es->s_journal_inum, &inode, NULL, 0, l,
				 NULL, &p) || p >= ext2fs_blocks_count(es))
			goto out;
		j->map[l] = p;
	}
	if (jread(h->ubd, j, 0, jsb) || be32(jsb) != JBD2_MAGIC ||
	    (be32(jsb + 4) != JBD2_SUPERBLOCK_V1 &&
	     be32(jsb + 4) != JBD2_SUPERBLOCK_V2) ||
	    be32(jsb + JSB_BLOCKSIZE) != j->bs)
		goto out;
	if (be32(jsb + JSB_MAXLEN) < j->maxlen)
		j->maxlen = be32(jsb + JSB_MAXLEN);
	j->first = be32(jsb + JSB_FIRST);
	j->next_seq = be32(jsb + JSB_SEQUENCE);
	start = be32(jsb + JSB_START);
	j->incompat = be32(jsb + 4) == JBD2_SUPERBLOCK_V2 ?
		      be32(jsb + JSB_INCOMPAT) : 0;
	if ((j->incompat & ~JBD2_KNOWN_INCOMPAT) || j->first < 1 ||
	    j->first >= j->maxlen || start >= j->maxlen)
		goto out;		/* fast commits, or nonsense */
	err = start ? scan_log(h->ubd, j, start, &s) : 0;
	if (!err)
		err = build_overlay(j, &s, ext2fs_blocks_count(es));
out:
	free(s.tags);
	free(s.rev);
	free(jsb);
	if (err) {
		journal_free(j);
		return err;
	}
	pending_journal[ubd_index(h->ubd)] = j;
	return 1;
}

static const struct jentry *overlay_find(const struct ext2_journal *j,
					 uint64_t blk)
{
	size_t lo = 0, hi = j->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (j->e[mid].fsblk == blk)
			return &j->e[mid];
		if (j->e[mid].fsblk < blk)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The journal's copy of one block, unescaped, into buf (j->bs bytes). */
static int journal_copy(struct ubd *u, const struct ext2_journal *j,
			const struct jentry *e, unsigned char *buf)
{
	int err = jread(u, j, e->logblk, buf);

	if (!err && e->escape)
		put_be32(buf, JBD2_MAGIC);
	return err;
}

int ext2_journal_patch_read(struct ubd *u, void *data, uint64_t off,
			    size_t len)
{
	struct ext2_journal *j = pending_journal[ubd_index(u)];
	unsigned char *buf;
	uint64_t b;

	if (!j || !j->n || !len)
		return 0;
	buf = malloc(j->bs);
	if (!buf)
		return -ENOMEM;
	for (b = off / j->bs; b <= (off + len - 1) / j->bs; b++) {
		const struct jentry *e = overlay_find(j, b);
		uint64_t bstart = b * j->bs, from, to;

		if (!e)
			continue;
		if (journal_copy(u, j, e, buf)) {
			free(buf);
			return -EIO;
		}
		from = bstart > off ? bstart : off;
		to = bstart + j->bs < off + len ? bstart + j->bs : off + len;
		memcpy((char *)data + (from - off), buf + (from - bstart),
		       to - from);
	}
	free(buf);
	return 0;
}

bool ext2_journal_pending(struct ubd *u)
{
	return pending_journal[ubd_index(u)] != NULL;
}

/* Empty the journal: start 0 (nothing to recover) and the next sequence,
 * with its checksum when the journal has one. */
static int reset_journal_sb(struct ubd *u, const struct ext2_journal *j)
{
	unsigned char *jsb = malloc(j->bs);
	int err;

	if (!jsb)
		return -ENOMEM;
	err = jread(u, j, 0, jsb);
	if (!err) {
		put_be32(jsb + JSB_START, 0);
		put_be32(jsb + JSB_SEQUENCE, j->next_seq + 1);	/* as jbd2 */
		if (j->incompat & (JBD2_FEATURE_INCOMPAT_CSUM_V2 |
				   JBD2_FEATURE_INCOMPAT_CSUM_V3)) {
			put_be32(jsb + JSB_CHECKSUM, 0);
			put_be32(jsb + JSB_CHECKSUM,
				 ext2fs_crc32c_le(~0U, jsb, JSB_SIZE));
		}
		err = ubd_write(u, jsb, j->map[0] * j->bs, j->bs);
	}
	free(jsb);
	return err;
}

int ext2_journal_apply(struct ext2_host *h)
{
	struct ubd *u = h->ubd;
	struct ext2_journal *j = pending_journal[ubd_index(u)];
	unsigned char *buf;
	int err = 0;

	if (!j)
		return 0;
	buf = malloc(j->bs);
	if (!buf)
		return -ENOMEM;
	for (size_t i = 0; i < j->n && !err; i++) {
		err = journal_copy(u, j, &j->e[i], buf);
		if (!err)
			err = ubd_write(u, buf, j->e[i].fsblk * j->bs, j->bs);
	}
	free(buf);
	if (!err)
		err = ubd_flush(u);
	if (!err)
		err = reset_journal_sb(u, j);
	if (!err)
		err = ubd_flush(u);
	if (err)
		return err;
	pending_journal[ubd_index(u)] = NULL;
	journal_free(j);
	h->fs->super->s_feature_incompat &= ~EXT3_FEATURE_INCOMPAT_RECOVER;
	ext2fs_mark_super_dirty(h->fs);
	return 0;
}

void ext2_journal_forget(struct ubd *u)
{
	journal_free(pending_journal[ubd_index(u)]);
	pending_journal[ubd_index(u)] = NULL;
}
