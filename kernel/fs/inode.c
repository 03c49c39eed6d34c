/*
 * The inode cache: in-core inodes of each superblock on sb->s_inodes,
 * found by number with ilookup (through a hash), reference counted with
 * ihold/iput, evicted through the filesystem when the last reference goes.
 * Also the owner and time helpers filesystems use when they create inodes.
 * Model: Linux fs/inode.c.
 */
#include <umk/fs.h>
#include <umk/filemap.h>
#include <os.h>
#include "internal.h"

/*
 * The inode hash: (sb, i_ino) -> inode, so ilookup does not scan every
 * cached inode. Filesystems set i_ino after new_inode returns, so an inode
 * is hashed lazily: new_inode puts it at the front of s_inodes, and
 * ilookup first hashes the front inodes that are not hashed yet (stopping
 * at the first hashed one: inodes are only ever added at the front).
 * Inodes whose i_ino is still 0 stay unhashed, at the front, until a
 * later ilookup.
 * Without memory for the hash, ilookup falls back to scanning s_inodes.
 */
struct ihash_node {
	struct inode *inode;
	struct ihash_node *next;
};
#define IHASH_BITS 14
static struct ihash_node *ihash[1 << IHASH_BITS];
static bool ihash_incomplete;	/* a node allocation failed: scan lists */

static struct ihash_node **ihash_bucket(const struct super_block *sb,
					unsigned long ino)
{
	uint64_t h = ((uintptr_t)sb >> 4) ^ (ino * 0x9e3779b97f4a7c15ULL);

	return &ihash[(h >> 20) & ((1 << IHASH_BITS) - 1)];
}

static bool ihash_contains(const struct inode *inode)
{
	struct ihash_node *n = *ihash_bucket(inode->i_sb, inode->i_ino);

	for (; n; n = n->next) {
		if (n->inode == inode)
			return true;
	}
	return false;
}

static void ihash_remove(struct inode *inode)
{
	struct ihash_node **p = ihash_bucket(inode->i_sb, inode->i_ino);

	for (; *p; p = &(*p)->next) {
		if ((*p)->inode == inode) {
			struct ihash_node *n = *p;

			*p = n->next;
			kfree(n);
			return;
		}
	}
}

/* Hash the inodes of sb added since the last ilookup. One whose i_ino is
 * still 0 moves to the front, to be looked at again next time. */
static void ihash_catch_up(struct super_block *sb)
{
	struct inode *inode, *next;

	list_for_each_entry_safe(inode, next, &sb->s_inodes, i_sb_list) {
		struct ihash_node *n, **b;

		if (!inode->i_ino) {
			list_del_init(&inode->i_sb_list);
			list_add(&inode->i_sb_list, &sb->s_inodes);
			continue;
		}
		if (ihash_contains(inode))
			return;
		n = kmalloc(sizeof(*n));
		if (!n) {
			ihash_incomplete = true;
			return;
		}
		b = ihash_bucket(sb, inode->i_ino);
		n->inode = inode;
		n->next = *b;
		*b = n;
	}
}

/*
 * A new in-core inode of sb (NULL for anonymous inodes such as pipes) with
 * i_count 1, at the front of sb->s_inodes. The caller fills in i_ino,
 * i_mode, i_op... and must not change i_ino once ilookup may have seen it.
 */
struct inode *new_inode(struct super_block *sb)
{
	struct inode *inode = kzalloc(sizeof(*inode));

	if (!inode)
		return NULL;
	inode->i_count = 1;
	inode->i_sb = sb;
	inode->i_nlink = 1;
	inode->i_blkbits = 12;
	if (sb && sb->s_blocksize)
		inode->i_blkbits = __builtin_ctzl(sb->s_blocksize);
	INIT_LIST_HEAD(&inode->i_sb_list);
	if (sb)
		list_add(&inode->i_sb_list, &sb->s_inodes);
	return inode;
}

/* The cached inode ino of sb with a new reference, or NULL. An inode being
 * evicted (count 0) is not returned. */
struct inode *ilookup(struct super_block *sb, unsigned long ino)
{
	struct inode *inode;
	struct ihash_node *n;

	if (!ihash_incomplete)
		ihash_catch_up(sb);
	if (ihash_incomplete) {
		list_for_each_entry(inode, &sb->s_inodes, i_sb_list) {
			if (inode->i_ino == ino && inode->i_count > 0) {
				inode->i_count++;
				return inode;
			}
		}
		return NULL;
	}
	for (n = *ihash_bucket(sb, ino); n; n = n->next) {
		inode = n->inode;
		if (inode->i_sb == sb && inode->i_ino == ino &&
		    inode->i_count > 0) {
			inode->i_count++;
			return inode;
		}
	}
	return NULL;
}

void ihold(struct inode *inode)
{
	inode->i_count++;
}

/*
 * Drop a reference. The last one evicts the inode: the filesystem frees its
 * private data (and its blocks when i_nlink is 0), then the inode leaves the
 * cache and is freed.
 */
void iput(struct inode *inode)
{
	if (!inode)
		return;
	if (--inode->i_count > 0)
		return;
	if (inode->i_cache)
		filemap_evict_inode(inode);
	if (inode->i_sb && inode->i_sb->s_op && inode->i_sb->s_op->evict_inode)
		inode->i_sb->s_op->evict_inode(inode);
	if (inode->i_sb)
		ihash_remove(inode);
	if (inode->i_sb_list.next)
		list_del_init(&inode->i_sb_list);
	kfree(inode->i_acl);
	kfree(inode);
}

/* The wall-clock time for inode timestamps. */
struct timespec current_time(void)
{
	uint64_t ns = os_realtime_ns();

	return (struct timespec){ .tv_sec = ns / 1000000000ULL,
				  .tv_nsec = ns % 1000000000ULL };
}

/*
 * Owner and mode of a new inode in dir (Linux inode_init_owner): the
 * caller's fsuid; the group of dir when dir is setgid (a new directory then
 * inherits the setgid bit), otherwise the caller's fsgid. A setgid file
 * whose group the caller is not in loses the setgid bit unless root.
 */
void inode_init_owner(struct inode *inode, struct inode *dir, mode_t mode)
{
	const struct cred *cred = current ? current->cred : NULL;

	inode->i_uid = cred ? cred->fsuid : 0;
	if (dir && (dir->i_mode & S_ISGID)) {
		inode->i_gid = dir->i_gid;
		if (S_ISDIR(mode))
			mode |= S_ISGID;
		else if ((mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP) &&
			 cred && !in_group_p(cred, inode->i_gid) &&
			 cred->fsuid != 0)
			mode &= ~S_ISGID;
	} else {
		inode->i_gid = cred ? cred->fsgid : 0;
	}
	inode->i_mode = mode;
}

/* Write the inode's attributes back through the filesystem, if it can. */
void mark_inode_dirty(struct inode *inode)
{
	if (inode->i_sb && inode->i_sb->s_op && inode->i_sb->s_op->write_inode)
		inode->i_sb->s_op->write_inode(inode);
}
