/*
 * ext2/ext3/ext4: the wall between the kernel side (super.c, namei.c,
 * file.c: VFS objects, locking, credentials) and the host side (*_user.c:
 * the filesystem itself, on libext2fs). Only plain types cross it; every
 * function returns 0 (or a count) or -errno, and none takes a lock: the
 * kernel side holds sb->s_lock around every call, because libext2fs is
 * neither re-entrant nor thread-safe.
 *
 * Inode numbers are ext2 inode numbers (u32). Modes are Linux S_IF* values.
 * Errors used throughout: -EIO (device error), -EUCLEAN (corrupted
 * metadata, logged), -EBADMSG (bad metadata checksum, logged), -ENOMEM,
 * -EROFS (read-only mount), -ENOSPC.
 */
#ifndef EXT2_USER_H
#define EXT2_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct ubd;
struct ext2_host;	/* one mounted filesystem: opaque to the kernel side */

#define EXT2_HOST_ROOT_INO 2
#define EXT2_HOST_NAME_LEN 255
#define EXT2_HOST_LINK_MAX 65000	/* Linux EXT4_LINK_MAX */

struct ext2_time {
	int64_t sec;
	long nsec;
};

/* The attributes of an inode the VFS mirrors in struct inode. */
struct ext2_attr {
	uint32_t mode;			/* S_IF* type and permission bits */
	uint32_t uid, gid;		/* 32-bit ids (high 16 bits included) */
	uint32_t nlink;
	uint64_t size;			/* bytes */
	uint64_t blocks;		/* 512-byte sectors, as stat(2) */
	struct ext2_time atime, mtime, ctime;
	uint32_t rdev_major, rdev_minor;	/* character/block devices */
};

/* Which fields ext2_host_write_attr stores. */
#define EXT2_ATTR_MODE	0x01
#define EXT2_ATTR_UID	0x02
#define EXT2_ATTR_GID	0x04
#define EXT2_ATTR_ATIME	0x08
#define EXT2_ATTR_MTIME	0x10
#define EXT2_ATTR_CTIME	0x20

struct ext2_statfs {
	uint32_t bsize;			/* block size, bytes */
	uint64_t blocks;		/* data blocks (metadata excluded) */
	uint64_t bfree, bavail;		/* free / free for non-root */
	uint64_t files, ffree;		/* inodes */
	uint64_t fsid;			/* from the UUID, as Linux */
};

/* --- the filesystem (ext2_super_user.c) --- */

/*
 * Open the ext2/3/4 filesystem on device u (its name id, e.g. "ubda", for
 * messages) as filesystem type type ("ext2", "ext3" or "ext4": ext2 and
 * ext3 refuse features their Linux drivers refuse). Read-write unless
 * rdonly. Logs the reason of a refusal in Linux's words. Returns 0 and *res,
 * or -EINVAL (no such filesystem, unsupported incompatible features),
 * -EROFS (read-write refused: read-only device, features libext2fs or this
 * driver cannot write, journal needing recovery, unclean filesystem,
 * orphans), -EBUSY (the device is mounted already), -EIO, -ENOMEM.
 */
int ext2_host_mount(struct ubd *u, const char *id, const char *type,
		    bool rdonly, struct ext2_host **res);
/* init's exec succeeded: mark the read-write mounts made before in use
 * on disk (state not clean, mount count, mount time); mounts made from now
 * on are marked at once. Before it, nothing is written to an image. */
void ext2_host_init_started(void);
/* Flush and close (a read-write mount is marked clean again). */
void ext2_host_umount(struct ext2_host *h);
/* Write the superblock, descriptors and bitmaps to the device (its block
 * cache); the caller then flushes the device, after dropping s_lock so
 * that other tasks use the filesystem while the host file syncs. */
int ext2_host_sync(struct ext2_host *h);
int ext2_host_statfs(struct ext2_host *h, struct ext2_statfs *st);
unsigned int ext2_host_blocksize(const struct ext2_host *h);
bool ext2_host_readonly(const struct ext2_host *h);

/* --- inodes and files (ext2_inode_user.c; reads: ext2_read_user.c) --- */

/* Read inode ino: -EUCLEAN for an ino out of range or an unused inode. */
int ext2_host_read_attr(struct ext2_host *h, uint32_t ino,
			struct ext2_attr *a);
/* Store the fields of a selected by mask (EXT2_ATTR_*). */
int ext2_host_write_attr(struct ext2_host *h, uint32_t ino,
			 const struct ext2_attr *a, unsigned int mask);
/*
 * Read up to len bytes at byte offset off of regular file ino into buf:
 * the count (0 at or past EOF; holes read as zeros).
 */
ssize_t ext2_host_read(struct ext2_host *h, uint32_t ino, void *buf,
		       size_t len, uint64_t off);
/* The same, handing the bytes to sink s (umk/sink.h) straight out of the
 * block cache: the count put (all flushed), or -errno (s's own error
 * included) when nothing was. */
struct read_sink;
ssize_t ext2_host_read_sink(struct ext2_host *h, uint32_t ino,
			    struct read_sink *s, size_t len, uint64_t off);
/*
 * lseek's SEEK_DATA (data 1) or SEEK_HOLE (data 0) from byte off of file
 * ino, by its block map: the first byte at or after off in a mapped block
 * (data) or in a hole, an unmapped block or an unwritten extent (hole;
 * i_size counts as a hole). Inline data is all data. Returns the offset,
 * -ENXIO when off is at or past i_size or no data follows it, -EUCLEAN
 * for a block map pointing outside the filesystem, -EIO.
 * Semantics: lseek(2), Linux fs/ext4/file.c ext4_llseek (iomap_seek_data).
 */
int64_t ext2_host_seek_data(struct ext2_host *h, uint32_t ino, uint64_t off,
			    bool data);
/*
 * Write len bytes at off (the file grows when off + len passes its size,
 * a gap becomes a hole) and set mtime and ctime to now. Returns the count
 * written (short only after an error part way), or -ENOSPC, -EFBIG, ...
 */
ssize_t ext2_host_write(struct ext2_host *h, uint32_t ino, const void *buf,
			size_t len, uint64_t off, const struct ext2_time *now);
/* Set the size of regular file ino (grow: a hole; shrink: free blocks,
 * zero the tail of the last block). -EFBIG beyond the format's limit. */
int ext2_host_truncate(struct ext2_host *h, uint32_t ino, uint64_t size);
/* The target of symlink ino into buf (no NUL): its length, truncated to
 * size. -EINVAL if ino is not a symlink. */
long ext2_host_readlink(struct ext2_host *h, uint32_t ino, char *buf,
			size_t size);
/*
 * ino lost its last name and its last in-core reference: free its blocks,
 * its extended attribute block and the inode itself. Does nothing when the
 * on-disk link count is not 0.
 */
int ext2_host_free_inode(struct ext2_host *h, uint32_t ino,
			 const struct ext2_time *now);

/* --- extended attributes (ext2_xattr_user.c) --- */

/* Does the filesystem have the ext_attr feature? */
bool ext2_host_has_xattr(const struct ext2_host *h);
/*
 * The value of attribute name (full name, "user.x"; POSIX ACLs in Linux's
 * xattr format) of ino: its length, and with size != 0 the bytes into buf
 * (-ERANGE when longer). -ENODATA when absent, -EOPNOTSUPP without the
 * ext_attr feature.
 */
ssize_t ext2_host_getxattr(struct ext2_host *h, uint32_t ino,
			   const char *name, void *buf, size_t size);
#define EXT2_XATTR_CREATE 1		/* -EEXIST if present */
#define EXT2_XATTR_REPLACE 2		/* -ENODATA if absent */
/* Set name to value (size bytes), or remove it (value NULL: -ENODATA
 * when absent); ctime = now. -ENOSPC when it does not fit. */
int ext2_host_setxattr(struct ext2_host *h, uint32_t ino, const char *name,
		       const void *value, size_t size, int flags,
		       const struct ext2_time *now);
/* The names of ino's attributes, NUL-terminated, as getxattr's sizes. */
ssize_t ext2_host_listxattr(struct ext2_host *h, uint32_t ino, char *buf,
			    size_t size);

/* --- directories (ext2_dir_user.c) --- */

/* The inode named name (len bytes, not NUL-terminated) in dir: -ENOENT. */
int ext2_host_lookup(struct ext2_host *h, uint32_t dir, const char *name,
		     size_t len, uint32_t *ino);
/*
 * Create name in dir as a new inode with a's mode (any type), uid, gid,
 * rdev (devices) and times (atime = mtime = ctime = creation time = a's
 * ctime); target is the symlink text for S_IFLNK. A directory gets "." and
 * ".." and adds a link to dir. dir's mtime and ctime become a->ctime.
 * The name must be absent (the VFS checked). Returns 0 and *ino, or
 * -ENOSPC, -EMLINK (dir has too many subdirectories), -ENAMETOOLONG
 * (target longer than a block), ...
 */
int ext2_host_create(struct ext2_host *h, uint32_t dir, const char *name,
		     size_t len, const struct ext2_attr *a, const char *target,
		     uint32_t *ino);
/* New name for ino (not a directory): link count + 1, -EMLINK at
 * EXT2_HOST_LINK_MAX. Times: ino's ctime, dir's mtime and ctime = now. */
int ext2_host_link(struct ext2_host *h, uint32_t dir, const char *name,
		   size_t len, uint32_t ino, const struct ext2_time *now);
/* Remove name (naming ino, not a directory) from dir: link count - 1.
 * -ENOENT if name does not name ino. */
int ext2_host_unlink(struct ext2_host *h, uint32_t dir, const char *name,
		     size_t len, uint32_t ino, const struct ext2_time *now);
/* Remove the empty directory name (naming ino) from dir: -ENOTEMPTY. */
int ext2_host_rmdir(struct ext2_host *h, uint32_t dir, const char *name,
		    size_t len, uint32_t ino, const struct ext2_time *now);

#define EXT2_RENAME_NOREPLACE 1
#define EXT2_RENAME_EXCHANGE 2
/*
 * rename(2) of oldname (naming ino) in olddir to newname in newdir, which
 * names new_ino or nothing (0). Replaces new_ino (a directory only if it
 * is empty: -ENOTEMPTY), moves ".." of a directory that changes parent and
 * fixes the link counts. EXT2_RENAME_NOREPLACE: -EEXIST if new_ino;
 * EXT2_RENAME_EXCHANGE: swap the two names (both must exist: -ENOENT).
 * Linux's ext4_rename semantics; the caller checked types and loops.
 */
int ext2_host_rename(struct ext2_host *h, uint32_t olddir,
		     const char *oldname, size_t oldlen, uint32_t ino,
		     uint32_t newdir, const char *newname, size_t newlen,
		     uint32_t new_ino, unsigned int flags,
		     const struct ext2_time *now);

/*
 * Called for each directory entry from *pos on, with next, the cookie of
 * the position just after it; returns false to stop there (the entry is
 * then not consumed). dtype is a DT_* value (DT_UNKNOWN without the
 * filetype feature).
 */
typedef bool (*ext2_filldir_t)(void *priv, const char *name, int len,
			       uint64_t next, uint32_t ino, unsigned int dtype);
/*
 * Iterate over dir from cookie *pos (0: the start, "." and ".." included).
 * A cookie is an entry's byte offset in the directory, stable while the
 * directory changes (entries never move). *pos ends as the cookie to resume
 * at. The callback runs with the filesystem lock held: it must not call
 * back into the filesystem.
 */
int ext2_host_iterate(struct ext2_host *h, uint32_t dir, uint64_t *pos,
		      ext2_filldir_t fn, void *priv);

#endif
