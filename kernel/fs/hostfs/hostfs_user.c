/*
 * hostfs, host side: every host call hostfs makes, confined to the share
 * (hostfs.h says how). Lookups are openat2(2) with RESOLVE_BENEATH |
 * RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV from the
 * share's fd, never a string comparison; a directory operation resolves
 * the directory that way and then acts on one name in it with the *at()
 * call and its no-follow flag; an operation on an object resolves the
 * object itself to an O_PATH fd, checks its type, and acts through that
 * fd ("/proc/self/fd/N" is umk's own view of it, never a guest path).
 * Model: UML fs/hostfs/hostfs_user.c.
 */
#include "hostfs.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#define RESOLVE_CONFINED (RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | \
			  RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV)
#define RESOLVE_TRIES 8		/* openat2 -EAGAIN: a rename raced it */

static int share_fd = -1;
static uint32_t host_uid, host_gid;

int hostfs_open_share(const char *dir)
{
	struct stat st;
	int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return -errno;
	}
	share_fd = fd;
	host_uid = geteuid();
	host_gid = getegid();
	return 0;
}

bool hostfs_share_open(void) { return share_fd >= 0; }
uint32_t hostfs_host_uid(void) { return host_uid; }
uint32_t hostfs_host_gid(void) { return host_gid; }

/* path beneath the share as an fd with flags (| O_NOFOLLOW): the only
 * way a host path is ever looked up here. */
static int resolve(const char *path, int flags)
{
	struct open_how how = {
		.flags = flags | O_NOFOLLOW | O_CLOEXEC,
		.resolve = RESOLVE_CONFINED,
	};
	int fd = -1;

	if (share_fd < 0)
		return -EPERM;
	for (int i = 0; i < RESOLVE_TRIES; i++) {
		fd = syscall(SYS_openat2, share_fd, *path ? path : ".", &how,
			     sizeof(how));
		if (fd >= 0 || errno != EAGAIN)
			break;
	}
	return fd < 0 ? -errno : fd;
}

/* One name in a directory: never empty, ".", ".." or with a slash. */
static int check_name(const char *name)
{
	size_t len = strlen(name);

	if (!len || strchr(name, '/') || !strcmp(name, ".") ||
	    !strcmp(name, ".."))
		return -EINVAL;
	return len > HOSTFS_NAME_MAX ? -ENAMETOOLONG : 0;
}

/* The directory dir, resolved, for an *at() call on name in it. */
static int resolve_dir(const char *dir, const char *name)
{
	int err = check_name(name);

	return err ? err : resolve(dir, O_PATH | O_DIRECTORY);
}

/* umk's own name of fd, for the calls that take a path. */
static void fd_path(int fd, char buf[32])
{
	snprintf(buf, 32, "/proc/self/fd/%d", fd);
}

static void fill_stat(const struct stat *s, struct hostfs_stat *st)
{
	st->ino = s->st_ino;
	st->mode = s->st_mode;
	st->uid = s->st_uid;
	st->gid = s->st_gid;
	st->nlink = s->st_nlink;
	st->size = s->st_size;
	st->blocks = s->st_blocks;
	st->blksize = s->st_blksize;
	st->atime = (struct hostfs_time){ s->st_atim.tv_sec, s->st_atim.tv_nsec };
	st->mtime = (struct hostfs_time){ s->st_mtim.tv_sec, s->st_mtim.tv_nsec };
	st->ctime = (struct hostfs_time){ s->st_ctim.tv_sec, s->st_ctim.tv_nsec };
	st->rdev_major = major(s->st_rdev);
	st->rdev_minor = minor(s->st_rdev);
}

int hostfs_fstat(int fd, struct hostfs_stat *st)
{
	struct stat s;

	if (fstat(fd, &s) < 0)
		return -errno;
	fill_stat(&s, st);
	return 0;
}

int hostfs_stat(const char *path, struct hostfs_stat *st)
{
	int fd = resolve(path, O_PATH), err;

	if (fd < 0)
		return fd;
	err = hostfs_fstat(fd, st);
	close(fd);
	return err;
}

/* Open the object behind the O_PATH fd opath again with flags. */
static int reopen(int opath, int flags)
{
	char p[32];
	int fd;

	fd_path(opath, p);
	fd = open(p, flags | O_CLOEXEC | O_NOCTTY);
	return fd < 0 ? -errno : fd;
}

int hostfs_open_file(const char *path, int flags, bool dir)
{
	int opath = resolve(path, O_PATH), fd;
	struct stat s;

	if (opath < 0)
		return opath;
	if (fstat(opath, &s) < 0)
		fd = -errno;
	else if (dir && !S_ISDIR(s.st_mode))
		fd = -ENOTDIR;
	else if (!dir && S_ISDIR(s.st_mode))
		fd = -EISDIR;
	else if (!dir && !S_ISREG(s.st_mode))
		fd = -ENXIO;
	else
		fd = reopen(opath, dir ? O_RDONLY | O_DIRECTORY :
			    flags & O_ACCMODE);
	close(opath);
	return fd;
}

int hostfs_create(const char *dir, const char *name, uint32_t mode)
{
	int dfd = resolve_dir(dir, name), fd;

	if (dfd < 0)
		return dfd;
	fd = openat(dfd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC | O_NOCTTY, mode & 01777);
	if (fd < 0)
		fd = -errno;
	close(dfd);
	return fd;
}

int hostfs_mkdir(const char *dir, const char *name, uint32_t mode)
{
	int dfd = resolve_dir(dir, name), err = 0;

	if (dfd < 0)
		return dfd;
	if (mkdirat(dfd, name, mode & 01777) < 0)
		err = -errno;
	close(dfd);
	return err;
}

int hostfs_mknod(const char *dir, const char *name, uint32_t mode)
{
	int dfd, err = 0;

	if (!S_ISFIFO(mode) && !S_ISSOCK(mode) && !S_ISREG(mode))
		return -EPERM;
	dfd = resolve_dir(dir, name);
	if (dfd < 0)
		return dfd;
	if (mknodat(dfd, name, (mode & S_IFMT) | (mode & 01777), 0) < 0)
		err = -errno;
	close(dfd);
	return err;
}

int hostfs_symlink(const char *dir, const char *name, const char *target)
{
	int dfd = resolve_dir(dir, name), err = 0;

	if (dfd < 0)
		return dfd;
	if (symlinkat(target, dfd, name) < 0)
		err = -errno;
	close(dfd);
	return err;
}

/* Split path into its directory (copied into dir) and its last name. */
static const char *split(const char *path, char *dir, size_t size)
{
	const char *slash = strrchr(path, '/');
	size_t len = slash ? (size_t)(slash - path) : 0;

	if (len >= size)
		return NULL;
	memcpy(dir, path, len);
	dir[len] = '\0';
	return slash ? slash + 1 : path;
}

int hostfs_link(const char *old, const char *dir, const char *name)
{
	char olddir[4096];
	const char *oldname = split(old, olddir, sizeof(olddir));
	int ofd, nfd, err = 0;

	if (!oldname)
		return -ENAMETOOLONG;
	ofd = resolve_dir(olddir, oldname);
	if (ofd < 0)
		return ofd;
	nfd = resolve_dir(dir, name);
	if (nfd < 0) {
		close(ofd);
		return nfd;
	}
	if (linkat(ofd, oldname, nfd, name, 0) < 0)
		err = -errno;
	close(nfd);
	close(ofd);
	return err;
}

static int remove_name(const char *dir, const char *name, int flags)
{
	int dfd = resolve_dir(dir, name), err = 0;

	if (dfd < 0)
		return dfd;
	if (unlinkat(dfd, name, flags) < 0)
		err = -errno;
	close(dfd);
	return err;
}

int hostfs_unlink(const char *dir, const char *name)
{
	return remove_name(dir, name, 0);
}

int hostfs_rmdir(const char *dir, const char *name)
{
	return remove_name(dir, name, AT_REMOVEDIR);
}

int hostfs_rename(const char *olddir, const char *oldname,
		  const char *newdir, const char *newname, unsigned int flags)
{
	int ofd = resolve_dir(olddir, oldname), nfd, err = 0;

	if (ofd < 0)
		return ofd;
	nfd = resolve_dir(newdir, newname);
	if (nfd < 0) {
		close(ofd);
		return nfd;
	}
	if (syscall(SYS_renameat2, ofd, oldname, nfd, newname, flags) < 0)
		err = -errno;
	close(nfd);
	close(ofd);
	return err;
}

long hostfs_readlink(const char *path, char *buf, size_t size)
{
	int fd = resolve(path, O_PATH);
	long n;

	if (fd < 0)
		return fd;
	n = readlinkat(fd, "", buf, size);
	if (n < 0)
		n = -errno;
	close(fd);
	return n;
}

/* Times of a symlink: through its directory, never following it. */
static int utimes_symlink(const char *path, const struct timespec ts[2])
{
	char dir[4096];
	const char *name = split(path, dir, sizeof(dir));
	int dfd, err = 0;

	if (!name)
		return -ENAMETOOLONG;
	dfd = resolve_dir(dir, name);
	if (dfd < 0)
		return dfd;
	if (utimensat(dfd, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
		err = -errno;
	close(dfd);
	return err;
}

static int set_size(int opath, uint64_t size)
{
	int fd = reopen(opath, O_WRONLY), err = 0;

	if (fd < 0)
		return fd;
	if (ftruncate(fd, size) < 0)
		err = -errno;
	close(fd);
	return err;
}

/* Apply a to the object behind the O_PATH (or open) fd, of type mode. */
static int apply_attr(int fd, const char *path, mode_t type,
		      const struct hostfs_iattr *a)
{
	struct timespec ts[2] = { { 0, UTIME_OMIT }, { 0, UTIME_OMIT } };
	char p[32];

	fd_path(fd, p);
	if (a->valid & (HOSTFS_ATTR_UID | HOSTFS_ATTR_GID) &&
	    fchownat(fd, "", a->valid & HOSTFS_ATTR_UID ? a->uid : (uid_t)-1,
		     a->valid & HOSTFS_ATTR_GID ? a->gid : (gid_t)-1,
		     AT_EMPTY_PATH) < 0)
		return -errno;
	if (a->valid & HOSTFS_ATTR_MODE) {
		if (S_ISLNK(type))
			return -EOPNOTSUPP;
		if (fchmodat(AT_FDCWD, p, a->mode & 01777, 0) < 0)
			return -errno;
	}
	if (a->valid & HOSTFS_ATTR_SIZE) {
		int err = S_ISREG(type) ? set_size(fd, a->size) : -EINVAL;

		if (err)
			return err;
	}
	if (a->valid & HOSTFS_ATTR_ATIME)
		ts[0] = (struct timespec){ a->atime.sec, a->atime.nsec };
	if (a->valid & HOSTFS_ATTR_MTIME)
		ts[1] = (struct timespec){ a->mtime.sec, a->mtime.nsec };
	if (!(a->valid & (HOSTFS_ATTR_ATIME | HOSTFS_ATTR_MTIME)))
		return 0;
	if (S_ISLNK(type))
		return utimes_symlink(path, ts);
	return utimensat(AT_FDCWD, p, ts, 0) < 0 ? -errno : 0;
}

int hostfs_setattr(const char *path, int fd, const struct hostfs_iattr *a)
{
	int opath = fd >= 0 ? fd : resolve(path, O_PATH), err;
	struct stat s;

	if (opath < 0)
		return opath;
	err = fstat(opath, &s) < 0 ? -errno : apply_attr(opath, path,
							  s.st_mode, a);
	if (opath != fd)
		close(opath);
	return err;
}

long hostfs_pread(int fd, void *buf, size_t len, uint64_t off)
{
	ssize_t n;

	do {
		n = pread(fd, buf, len, off);
	} while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

long hostfs_pwrite(int fd, const void *buf, size_t len, uint64_t off)
{
	ssize_t n;

	do {
		n = pwrite(fd, buf, len, off);
	} while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

int hostfs_fsync(int fd, bool datasync)
{
	int r = datasync ? fdatasync(fd) : fsync(fd);

	return r < 0 ? -errno : 0;
}

void hostfs_close(int fd)
{
	if (fd >= 0)
		close(fd);
}

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

int hostfs_readdir(int fd, uint64_t *pos, hostfs_filldir_t fn, void *priv)
{
	char buf[4096];
	long n;

	if (lseek(fd, *pos, SEEK_SET) < 0)
		return -errno;
	while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct linux_dirent64 *d = (void *)(buf + off);

			if (!fn(priv, d->d_name, strlen(d->d_name), d->d_off,
				d->d_ino, d->d_type))
				return 0;
			*pos = d->d_off;
			off += d->d_reclen;
		}
	}
	return n < 0 ? -errno : 0;
}

int hostfs_statfs(struct hostfs_statfs *st)
{
	struct statfs s;

	if (share_fd < 0)
		return -EPERM;
	if (fstatfs(share_fd, &s) < 0)
		return -errno;
	st->bsize = s.f_bsize;
	st->blocks = s.f_blocks;
	st->bfree = s.f_bfree;
	st->bavail = s.f_bavail;
	st->files = s.f_files;
	st->ffree = s.f_ffree;
	memcpy(&st->fsid, &s.f_fsid, sizeof(st->fsid));
	st->namelen = s.f_namelen;
	return 0;
}

/* An O_PATH fd of path (or fd itself) for the xattr calls, which go
 * through "/proc/self/fd/N"; xattrs of symlinks are not reached. */
static int xattr_target(const char *path, int fd, char p[32])
{
	int opath = fd >= 0 ? fd : resolve(path, O_PATH);
	struct stat s;

	if (opath < 0)
		return opath;
	if (fstat(opath, &s) < 0 || S_ISLNK(s.st_mode)) {
		int err = S_ISLNK(s.st_mode) ? -EPERM : -errno;

		if (opath != fd)
			close(opath);
		return err;
	}
	fd_path(opath, p);
	return opath;
}

long hostfs_getxattr(const char *path, int fd, const char *name, void *value,
		     size_t size)
{
	char p[32];
	int t = xattr_target(path, fd, p);
	long n;

	if (t < 0)
		return t;
	n = getxattr(p, name, value, size);
	if (n < 0)
		n = -errno;
	if (t != fd)
		close(t);
	return n;
}

int hostfs_setxattr(const char *path, int fd, const char *name,
		    const void *value, size_t size, int flags)
{
	char p[32];
	int t = xattr_target(path, fd, p), err = 0;

	if (t < 0)
		return t;
	if ((value ? setxattr(p, name, value, size, flags) :
		     removexattr(p, name)) < 0)
		err = -errno;
	if (t != fd)
		close(t);
	return err;
}

long hostfs_listxattr(const char *path, int fd, char *list, size_t size)
{
	char p[32];
	int t = xattr_target(path, fd, p);
	long n;

	if (t < 0)
		return t;
	n = listxattr(p, list, size);
	if (n < 0)
		n = -errno;
	if (t != fd)
		close(t);
	return n;
}
