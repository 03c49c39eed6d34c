/*
 * hostfs: the wall between the kernel side (hostfs_kern.c: VFS objects,
 * credentials mapping) and the host side (hostfs_user.c: the host calls).
 * As UML's fs/hostfs/hostfs.h, only plain types cross it and every
 * function returns 0 (or a count, or an fd) or -errno.
 *
 * Confinement: the host side holds one fd, the share (the boot option
 * hostfs=DIR). Every path here is relative to it ("" is the share itself)
 * and every lookup is one openat2(share, path, RESOLVE_BENEATH |
 * RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV): no
 * component may be "..", a symlink (absolute or relative) or a mount
 * point, so nothing a guest or a racing host process does to the tree
 * leads a lookup out of the share. A final component is always acted on
 * without following it (O_NOFOLLOW, AT_SYMLINK_NOFOLLOW, or through an
 * O_PATH fd checked first). Guest symlinks are the guest VFS's business:
 * it reads their text and walks it in the guest.
 */
#ifndef HOSTFS_H
#define HOSTFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define HOSTFS_SUPER_MAGIC 0x00c0ffee	/* UML's */
#define HOSTFS_NAME_MAX 255

struct hostfs_time {
	int64_t sec;
	long nsec;
};

/* A host file's attributes, ids as on the host. */
struct hostfs_stat {
	uint64_t ino;
	uint32_t mode;			/* S_IF* and permission bits */
	uint32_t uid, gid;
	uint32_t nlink;
	uint64_t size, blocks;		/* bytes; 512-byte sectors */
	uint32_t blksize;
	struct hostfs_time atime, mtime, ctime;
	uint32_t rdev_major, rdev_minor;
};

/* What hostfs_setattr changes (HOSTFS_ATTR_*). */
#define HOSTFS_ATTR_MODE	0x01
#define HOSTFS_ATTR_UID		0x02
#define HOSTFS_ATTR_GID		0x04
#define HOSTFS_ATTR_SIZE	0x08
#define HOSTFS_ATTR_ATIME	0x10
#define HOSTFS_ATTR_MTIME	0x20
struct hostfs_iattr {
	unsigned int valid;
	uint32_t mode;			/* permission bits */
	uint32_t uid, gid;		/* host ids */
	uint64_t size;
	struct hostfs_time atime, mtime;
};

struct hostfs_statfs {
	uint64_t bsize, blocks, bfree, bavail, files, ffree, fsid;
	long namelen;
};

/*
 * Open the share at boot (before umk's sandbox): dir must be an existing
 * directory. Records umk's host uid and gid. 0 or -errno.
 */
int hostfs_open_share(const char *dir);
bool hostfs_share_open(void);
/* umk's host uid and gid (the owner of what hostfs creates). */
uint32_t hostfs_host_uid(void);
uint32_t hostfs_host_gid(void);

/* Attributes of path, not following a final symlink. */
int hostfs_stat(const char *path, struct hostfs_stat *st);
/* Attributes of an fd from hostfs_open_file / hostfs_create. */
int hostfs_fstat(int fd, struct hostfs_stat *st);
/*
 * Open path, which must be a regular file (dir false) or a directory (dir
 * true; then read-only), with the access mode of flags (O_RDONLY, O_WRONLY,
 * O_RDWR). The object is pinned by an O_PATH fd, its type checked, and only
 * then opened, through that fd: a FIFO or device swapped in on the host is
 * never opened. -ENOENT, -EACCES, -ELOOP (a symlink on the way), -EXDEV
 * (a mount point on the way), -EISDIR/-ENOTDIR, -ETXTBSY...
 */
int hostfs_open_file(const char *path, int flags, bool dir);
/* Create the regular file name in dir (O_EXCL: never through an
 * existing name) and return it open read-write. mode: permission bits. */
int hostfs_create(const char *dir, const char *name, uint32_t mode);
int hostfs_mkdir(const char *dir, const char *name, uint32_t mode);
/* A FIFO or socket (S_IFIFO, S_IFSOCK in mode), or an empty regular file
 * (S_IFREG); devices are -EPERM. */
int hostfs_mknod(const char *dir, const char *name, uint32_t mode);
int hostfs_symlink(const char *dir, const char *name, const char *target);
/* New name dir/name for the object at old (never followed). */
int hostfs_link(const char *old, const char *dir, const char *name);
int hostfs_unlink(const char *dir, const char *name);
int hostfs_rmdir(const char *dir, const char *name);
/* renameat2 with RENAME_NOREPLACE / RENAME_EXCHANGE flags. */
int hostfs_rename(const char *olddir, const char *oldname,
		  const char *newdir, const char *newname, unsigned int flags);
/* The target of the symlink path (no NUL): its length, at most size. */
long hostfs_readlink(const char *path, char *buf, size_t size);
/*
 * Change the attributes in a of the object path, or of the open fd when
 * fd >= 0 (an open file whose name may be gone). setuid and setgid bits
 * are never set on the host. A mode change of a symlink is -EOPNOTSUPP.
 */
int hostfs_setattr(const char *path, int fd, const struct hostfs_iattr *a);

/* I/O on an fd from hostfs_open_file / hostfs_create. */
long hostfs_pread(int fd, void *buf, size_t len, uint64_t off);
long hostfs_pwrite(int fd, const void *buf, size_t len, uint64_t off);
int hostfs_fsync(int fd, bool datasync);
void hostfs_close(int fd);
/*
 * Directory entries of the open directory fd from cookie *pos (0: the
 * start): fn(priv, name, len, next, ino, dtype) per entry, next being the
 * cookie after it; fn returning false stops there, and *pos is left at
 * that entry. Cookies are the host's d_off values.
 */
typedef bool (*hostfs_filldir_t)(void *priv, const char *name, int len,
				 uint64_t next, uint64_t ino,
				 unsigned int dtype);
int hostfs_readdir(int fd, uint64_t *pos, hostfs_filldir_t fn, void *priv);
int hostfs_statfs(struct hostfs_statfs *st);

/*
 * Extended attributes of path (or of the open fd when fd >= 0), the
 * host's getxattr(2) family: get/list return the length (size 0: only the
 * length), -ENODATA, -ERANGE, -EOPNOTSUPP where the host has none; set
 * with value NULL removes. Only "user." names reach here.
 */
long hostfs_getxattr(const char *path, int fd, const char *name, void *value,
		     size_t size);
int hostfs_setxattr(const char *path, int fd, const char *name,
		    const void *value, size_t size, int flags);
long hostfs_listxattr(const char *path, int fd, char *list, size_t size);

#endif
